//! One file per benchmark scenario.

pub mod broadcast;
pub mod broadcast_audience;
pub mod contacts;
pub mod dashboard;
pub mod emulator_pages;
pub mod logins;
pub mod m365_sync;
pub mod secrets;
pub mod serve;
pub mod setup;
pub mod sms;
pub mod verify;
