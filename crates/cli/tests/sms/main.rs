//! SMS delivery end to end against the emulator's Twilio face: each message state through the
//! real web server's signed webhooks, inbound STOP/START, and real `countersign worker`
//! processes (SIGKILL mid-batch and restart; two processes on one PostgreSQL database); the
//! two sender lanes (a STOP to a broadcast never blocks a verification code); and a broadcast
//! to 300 contacts by SMS and email (a real SMTP server on loopback) with a worker killed
//! mid-broadcast and restarted, or two workers at once: each channel reaches each recipient
//! once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod broadcasts;
mod common;
mod lanes;
mod processes;
mod states;
