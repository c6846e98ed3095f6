//! One file per benchmark scenario.

pub mod contacts;
pub mod emulator_pages;
pub mod serve;
