//! Use cases shared by the web server, the CLI and background jobs. Everything that changes
//! state goes through here, so the web and the CLI apply the same rules and write the same
//! audit entries.

pub mod accounts;
pub mod audit;
pub mod audit_heads;
mod audit_writer;
pub mod broadcasts;
pub mod clock;
pub mod contacts;
mod csv;
pub mod dashboard;
pub mod directory;
pub mod end_user;
pub mod error;
pub mod graph_mail;
mod health;
pub mod jobs;
pub mod keys;
mod lane_settings;
pub mod messages;
mod messaging_settings;
pub mod microsoft;
mod microsoft_settings;
pub mod password_gate;
pub mod principal;
pub mod reads;
pub mod schedule;
pub mod secrets;
pub mod settings;
pub mod startup;
pub mod verification;
mod webhook_settings;
pub mod webhooks;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{ErrorKind, FieldMessage, Refusal, UseCaseError};
pub use principal::{Denied, Principal};
pub use settings::{FlagOverrides, Settings, SettingsError};
pub use startup::StartupError;

use countersign_crypto::{Keyring, PasswordHasher};
use countersign_domain::Timestamp;
use countersign_store::Store;
use std::sync::Arc;

/// The application: store, keys, settings and clock. Cheap to clone (everything is shared).
#[derive(Clone, Debug)]
pub struct App {
    store: Store,
    pub keyring: Arc<Keyring>,
    pub settings: Arc<Settings>,
    pub clock: Arc<dyn Clock>,
    pub passwords: PasswordHasher,
    /// Bounds the password checks in flight (see `password_gate.rs`).
    pub password_gate: password_gate::PasswordGate,
    /// The Microsoft identity + Graph client (one connection pool, token cache and
    /// concurrency limits for the process).
    pub microsoft: countersign_microsoft::Microsoft,
    /// Group commit of audit entries (see `audit_writer.rs`).
    audit_log: audit_writer::AuditWriter,
}

impl App {
    /// The store, for tests and benchmarks that seed and inspect the database (the
    /// `test-support` feature, which the product never enables). Everything else goes
    /// through use cases, which check the principal's permission.
    #[cfg(feature = "test-support")]
    #[must_use]
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The current time from the injected clock.
    #[must_use]
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }
}
