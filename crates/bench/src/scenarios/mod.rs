//! One file per benchmark scenario.

pub mod emulator_pages;
