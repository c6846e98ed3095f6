//! The Store contract: one trait per aggregate, implemented by the SQLite and PostgreSQL
//! backends, and by [`Store`], which dispatches to whichever backend the database URL chose.
//!
//! Every org-scoped method takes the `OrgId` first and filters by it in SQL, so a caller can
//! never reach another org's rows by id alone. The few lookups that are not org-scoped (login by
//! email, session by token hash, invite by token hash) are named so and explain why.
//!
//! The crate is laid out by aggregate: each directory (`orgs/`, `contacts/`, `jobs/`, …) holds
//! the aggregate's model types and trait in `mod.rs` and the SQL both backends share beside them
//! (`sql.rs`). Each trait is declared with `store_trait!`, which also forwards it for [`Store`].
//! The model types are rows as the store hands them out: sealed columns stay sealed, opening
//! them is the caller's job (crates/crypto), so a store bug can never leak plaintext.
//!
//! Both backends share their SQL: see [`SqlStore`] (module `sql`) for how. The audit log's hash
//! chain is defined by [`audit_mac`] (keyed) and [`audit_hash`] (entries from before it was keyed).

// Callers always go through the concrete `Store` enum, so the futures' `Send`-ness is known;
// the lint is about generic callers that we do not have.
#![allow(async_fn_in_trait)]
#![warn(missing_docs)]

mod audit;
mod branding;
mod broadcasts;
mod challenges;
mod contacts;
mod credentials;
mod customers;
mod dashboard;
mod deliveries;
mod email_changes;
mod end_user;
mod error;
mod forwarding;
mod graph_mail;
mod integrations;
mod invites;
mod job_progress;
mod jobs;
mod messages;
mod orgs;
mod pod;
mod pod_handoffs;
mod postgres;
mod sealed;
mod secrets;
mod sessions;
mod sql;
mod sqlite;
mod sync_sources;
mod technician_checks;
mod technicians;
mod throttles;
mod verifications;
mod webhooks;

// Every aggregate's model and trait at the crate root: callers name `countersign_store::Org`,
// never the module an aggregate lives in. Domain concepts the model uses are re-exported under
// the names they had when they lived here.
pub use audit::chain::{AUDIT_GENESIS, AuditKey, audit_hash, audit_mac};
pub use audit::chain_verify::{AuditHead, ChainBreak, ChainReport, verify_audit_chain};
pub use audit::sql::{MAX_AUDIT_CHAIN_PAGE, MAX_AUDIT_PAGE};
pub use audit::*;
pub use branding::*;
pub use broadcasts::*;
pub use challenges::*;
pub use contacts::sql::MAX_CONTACT_PAGE;
pub use contacts::*;
pub use countersign_domain::{Channel, Lane, VerificationMethod, VerificationStatus};
pub use credentials::*;
pub use customers::sql::MAX_CUSTOMER_PAGE;
pub use customers::*;
pub use dashboard::sql::MAX_DASHBOARD_CUSTOMERS;
pub use dashboard::*;
pub use deliveries::*;
pub use email_changes::*;
pub use end_user::*;
pub use error::{StoreError, StoreResult};
pub use graph_mail::*;
pub use integrations::*;
pub use invites::*;
pub use job_progress::{JobProgress, JobProgressStore, ProgressFailure};
pub use jobs::sql::MAX_JOB_PAGE;
pub use jobs::*;
pub use messages::sql::MAX_MESSAGE_PAGE;
pub use messages::*;
pub use orgs::*;
pub use pod::*;
pub use pod_handoffs::*;
pub use postgres::PgStore;
pub use sealed::sql::MAX_SEALED_PAGE;
pub use sealed::*;
pub use secrets::*;
pub use sessions::*;
pub use sql::{Dialect, SqlStore};
pub use sqlite::SqliteStore;
pub use sync_sources::*;
pub use technician_checks::*;
pub use technicians::*;
pub use throttles::*;
pub use verifications::sql::MAX_VERIFICATION_PAGE;
pub use verifications::*;
pub use webhooks::sql::MAX_WEBHOOK_DELIVERY_PAGE;
pub use webhooks::*;

/// Names of the unique constraints, as carried by [`StoreError::Conflict`] on both backends.
pub mod constraints {
    /// Another org has this slug.
    pub const ORG_SLUG: &str = "orgs_slug_key";
    /// Another technician (of any org) has this email.
    pub const TECHNICIAN_EMAIL: &str = "technicians_email_key";
    /// Another invite has this token hash.
    pub const INVITE_TOKEN_HASH: &str = "invites_token_hash_key";
    /// Another session has this token hash.
    pub const SESSION_TOKEN_HASH: &str = "sessions_token_hash_key";
    /// A canary for this key id exists already.
    pub const KEY_CANARY: &str = "key_canaries_pkey";
    /// The org has a message with this idempotency key.
    pub const MESSAGE_IDEMPOTENCY_KEY: &str = "messages_org_id_idempotency_key_key";
    /// The org has a broadcast template with this name.
    pub const BROADCAST_TEMPLATE_NAME: &str = "broadcast_templates_org_id_name_key";
}

use std::path::Path;

/// Which backend a `Store` talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// The store handed to use cases and handlers: an enum over the backends, so nothing above this
/// crate is generic over the database.
#[derive(Clone, Debug)]
pub enum Store {
    /// Backed by SQLite.
    Sqlite(SqliteStore),
    /// Backed by PostgreSQL.
    Postgres(PgStore),
}

use forwarding::dispatch;

impl Store {
    /// Opens the SQLite database file (created if missing; WAL, foreign keys on) and applies
    /// pending migrations.
    ///
    /// # Errors
    /// The file cannot be opened or a migration fails.
    pub async fn open_sqlite(path: &Path) -> StoreResult<Self> {
        Ok(Self::Sqlite(SqliteStore::open(path).await?))
    }

    /// Connects to PostgreSQL (`postgres://…`) and applies pending migrations.
    ///
    /// # Errors
    /// The server cannot be reached or a migration fails.
    pub async fn connect_postgres(url: &str, max_connections: u32) -> StoreResult<Self> {
        Ok(Self::Postgres(
            PgStore::connect(url, max_connections).await?,
        ))
    }

    /// Which backend this store talks to.
    #[must_use]
    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies pending migrations (also done by the constructors). Returns how many ran.
    ///
    /// # Errors
    /// A migration fails.
    pub async fn migrate(&self) -> StoreResult<usize> {
        dispatch!(self, s => s.migrate().await)
    }

    /// Cheap round trip for `/readyz`.
    ///
    /// # Errors
    /// The database is unreachable.
    pub async fn ping(&self) -> StoreResult<()> {
        dispatch!(self, s => s.ping().await)
    }

    /// Writes a consistent copy of a SQLite database to `dest` while it is in use
    /// (`VACUUM INTO`). PostgreSQL has `pg_dump` for that.
    ///
    /// # Errors
    /// `StoreError::Unsupported` on PostgreSQL; IO errors; `dest` already exists.
    pub async fn backup_to(&self, dest: &Path) -> StoreResult<()> {
        match self {
            Self::Sqlite(s) => s.backup_to(dest).await,
            Self::Postgres(_) => Err(StoreError::Unsupported(
                "backups of PostgreSQL are made with pg_dump".into(),
            )),
        }
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        dispatch!(self, s => s.close().await);
    }
}
