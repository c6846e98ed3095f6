//! The emulator's behaviours, each proven over real HTTP on loopback.

// Test helpers outside #[test] functions are not covered by clippy's allow-unwrap-in-tests;
// a panic is exactly how a helper should fail a test.
#![allow(clippy::unwrap_used)]

mod common;
mod control;
mod delta;
mod faults;
mod identity;
mod partner;
mod patch;
mod refresh;
mod sms;
mod throttle;
mod users;
