//! SMS delivery end to end against the emulator's Twilio face: each message state through the
//! real web server's signed webhooks, inbound STOP/START, and real `countersign worker`
//! processes (SIGKILL mid-batch and restart; two processes on one PostgreSQL database); the
//! two sender lanes (a STOP to a broadcast never blocks a verification code).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod lanes;
mod processes;
mod states;
