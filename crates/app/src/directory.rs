//! The directory sync engine: one engine for every contact source.
//!
//! A contact source (Microsoft 365 today; a PSA such as ConnectWise tomorrow) implements
//! [`ContactSource`]: it may list the companies an integration reaches, it describes a linked
//! company (its customer), and it hands out pages of contacts from a cursor. The engine owns everything else, so a new source does not copy it:
//! the page loop, the idempotent page writes (one transaction per page, keyed by the
//! contact's id at the source), mark and sweep after a complete full round, the progress
//! counters, the outcome that tells the job runner to retry, and which linked companies are
//! due. The registry ([`registry`]) maps an integration kind to its source; adding a source is
//! a module that implements the trait, one line there, and a migration.

mod discover;
mod engine;
mod registry;
mod source;
mod sweep;

pub use discover::{Discovered, NO_LONGER_LISTED};
pub use engine::SyncOutcome;
pub use source::{ContactSource, DirectoryError, PageEnd, SourceError, SourcePage};
