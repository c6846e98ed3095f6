//! The emulator's behaviours, each proven over real HTTP on loopback.

mod common;
mod control;
mod delta;
mod faults;
mod identity;
mod partner;
mod patch;
mod refresh;
mod throttle;
mod users;
