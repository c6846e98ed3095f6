//! SMS delivery end to end against the emulator's Twilio face: each message state through the
//! real web server's signed webhooks, inbound STOP/START, and real `countersign worker`
//! processes (SIGKILL mid-batch and restart; two processes on one PostgreSQL database).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod processes;
mod states;
