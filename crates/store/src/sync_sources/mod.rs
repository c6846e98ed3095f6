//! Linked companies of every contact source (a Microsoft 365 tenant today, a PSA company
//! tomorrow) with the state of their sync: the generic rows the directory engine reads and
//! writes. What only one source knows about a company is its `descriptor` (JSON the source's
//! module reads); the store never looks inside it.

mod runs;
pub(crate) mod sql;
mod unlink;

pub use runs::{SyncRun, SyncRunFilter, SyncRunStore};
pub use unlink::{DEFAULT_RETENTION_DAYS, MAX_RETENTION_DAYS, UnlinkStore};

use countersign_domain::{CustomerId, IntegrationId, OrgId, SyncSourceId, Timestamp};

use crate::StoreResult;
use crate::forwarding::store_trait;

/// Where a linked company's sync stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SyncState {
    /// Nothing running or queued.
    Idle,
    /// A sync job is queued.
    Queued,
    /// A sync job is running.
    Running,
}

impl SyncState {
    /// The stored text.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Idle => "idle",
            Self::Queued => "queued",
            Self::Running => "running",
        }
    }

    /// Parses the stored text.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Idle, Self::Queued, Self::Running]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// Counters of a sync run (the current one while it runs, else the last).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SyncProgress {
    /// Pages fetched.
    pub pages: i64,
    /// Contacts (users) the source returned.
    pub users_seen: i64,
    /// Contacts added.
    pub added: i64,
    /// Contacts whose stored fields changed (an unchanged contact re-read by a full round is
    /// not counted).
    pub changed: i64,
    /// Contacts marked removed.
    pub removed: i64,
}

/// What a linked company is created or refreshed with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSyncSource {
    /// The org.
    pub org_id: OrgId,
    /// The integration it is linked through.
    pub integration_id: IntegrationId,
    /// Its id at the source (a Microsoft tenant id).
    pub external_id: String,
    /// How it is reached, when the source has several ways (Microsoft 365: `admin_consent`
    /// or `gdap`); the same company reached two ways is two rows.
    pub link: String,
    /// Its name at the source.
    pub display_name: String,
    /// What only its source knows about it (JSON; Microsoft 365: default domain, GDAP
    /// relationships and roles).
    pub descriptor: String,
}

/// A company linked through an integration, with its sync state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncSource {
    /// Primary key.
    pub id: SyncSourceId,
    /// Identity of the linked company.
    pub new: NewSyncSource,
    /// The customer its contacts go to (set by its first sync or by Sync Customer).
    pub customer_id: Option<CustomerId>,
    /// Where the next round starts (`None`: the next sync is a full round).
    pub cursor: Option<String>,
    /// Sync state.
    pub state: SyncState,
    /// When the current or last run started.
    pub started_at: Option<Timestamp>,
    /// When the last run ended.
    pub last_run_at: Option<Timestamp>,
    /// Whether it succeeded.
    pub last_ok: Option<bool>,
    /// Its error, in words for the technician.
    pub last_error: Option<String>,
    /// Counters of the current or last run.
    pub progress: SyncProgress,
    /// When the company stopped being reachable (e.g. its GDAP relationships ended): it is
    /// kept with its contacts, but no longer synced.
    pub ended_at: Option<Timestamp>,
    /// Why it ended, in words for the technician.
    pub ended_reason: Option<String>,
    /// When an admin unlinked it (issue 21.6): no longer synced, its contacts hidden.
    pub unlinked_at: Option<Timestamp>,
    /// When the purge deletes the contacts of an unlinked company (fixed at the unlink).
    pub purge_at: Option<Timestamp>,
    /// When the purge deleted them.
    pub purged_at: Option<Timestamp>,
    /// Created.
    pub created_at: Timestamp,
}

store_trait! {
/// Linked companies of integrations and their sync state.
pub trait SyncSourceStore {
    /// Creates the linked company, or refreshes the name and descriptor of the existing one
    /// (same integration, external id and link), which is then no longer ended. `NotFound`
    /// unless the org has the integration. Returns it.
    async fn upsert_sync_source(
        &self,
        source: &NewSyncSource,
        at: Timestamp,
    ) -> StoreResult<SyncSource>;
    /// The linked company of this org, or `NotFound`.
    async fn sync_source(&self, org: OrgId, id: SyncSourceId) -> StoreResult<SyncSource>;
    /// Linked companies of an integration of this org, by name.
    async fn sync_sources(
        &self,
        org: OrgId,
        integration: IntegrationId,
    ) -> StoreResult<Vec<SyncSource>>;
    /// Sets the customer the company's contacts go to (a customer of the same org).
    async fn set_source_customer(
        &self,
        org: OrgId,
        id: SyncSourceId,
        customer: CustomerId,
    ) -> StoreResult<()>;
    /// Marks the company ended: the reason in words, its descriptor replaced (the source
    /// clears what no longer holds), no sync queued or scheduled any more; its customer and
    /// contacts are kept. The first end time is kept. `NotFound` unless the org has it.
    async fn end_sync_source(
        &self,
        org: OrgId,
        id: SyncSourceId,
        reason: &str,
        descriptor: &str,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// Marks a sync queued (unless one is queued or running, or the company ended or was
    /// unlinked).
    /// Returns whether it did.
    async fn mark_sync_queued(&self, org: OrgId, id: SyncSourceId) -> StoreResult<bool>;
    /// Starts a run: state `running`, counters zeroed.
    async fn start_sync(&self, org: OrgId, id: SyncSourceId, at: Timestamp) -> StoreResult<()>;
    /// Records the counters of the run so far (after each committed page). Returns whether
    /// the company is still linked (an admin may unlink it while the run goes on).
    async fn record_sync_progress(
        &self,
        org: OrgId,
        id: SyncSourceId,
        progress: SyncProgress,
    ) -> StoreResult<bool>;
    /// Ends a run: `idle`, result, error, and the cursor to start from next time (`None`:
    /// the next sync is a full round; an unlinked company's cursor is forgotten whatever is
    /// passed), and records the run in its history ([`SyncRunStore::sync_runs`]).
    async fn finish_sync(
        &self,
        org: OrgId,
        id: SyncSourceId,
        ok: bool,
        error: Option<&str>,
        cursor: Option<&str>,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// Companies whose last run ended before `before` (or never ran), idle, not ended and not
    /// unlinked:
    /// what the scheduler enqueues. Not org-scoped: the scheduler serves every org.
    async fn sync_sources_due(
        &self,
        before: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<(OrgId, SyncSourceId)>>;
}
}
