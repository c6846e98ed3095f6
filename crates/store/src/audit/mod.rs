//! The audit log: entries with ids and metadata only, chained by a keyed hash.

pub(crate) mod chain;
pub(crate) mod chain_verify;
pub(crate) mod rows;
pub(crate) mod sql;

use crate::forwarding::store_trait;
use crate::{AuditKey, StoreResult};
use countersign_domain::{OrgId, TechnicianId, Timestamp};

/// An audit entry to append; the store assigns `seq` and the hash chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAuditEntry {
    /// The org the event belongs to; `None` for server-wide events.
    pub org_id: Option<OrgId>,
    /// When it happened.
    pub at: Timestamp,
    /// The technician who acted, if one did.
    pub actor_id: Option<TechnicianId>,
    /// Human label of the actor at the time (email, "system", "cli").
    pub actor_label: String,
    /// Dotted action name, e.g. `login.failed`, `technician.invited`.
    pub action: String,
    /// What the action was about (an id or a masked address); never a secret.
    pub target: String,
    /// JSON object with further non-secret detail.
    pub detail: String,
    /// Client address, when the event came from a request.
    pub ip: Option<String>,
}

/// A stored audit entry, linked to the previous one by `prev_hash`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    /// Position in the chain, from 1, without gaps.
    pub seq: i64,
    /// What was recorded.
    pub entry: NewAuditEntry,
    /// `hash` of the previous entry ([`crate::AUDIT_GENESIS`] for the first).
    pub prev_hash: Vec<u8>,
    /// [`crate::audit_mac`]`(key, prev_hash, entry)` with the key named by `key_id`, or, for
    /// an unkeyed entry from before the chain was keyed, [`crate::audit_hash`]`(prev_hash, entry)`.
    pub hash: Vec<u8>,
    /// Id of the keyring key whose derived key MACed this entry; `None` for unkeyed entries
    /// from before the chain was keyed (migration 0020).
    pub key_id: Option<String>,
}

/// Filters of the Audit page. All optional; results newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only entries by this actor.
    pub actor_id: Option<TechnicianId>,
    /// Prefix match on the action name (`login` finds `login.ok` and `login.failed`).
    pub action_prefix: Option<String>,
    /// Only entries at or after this instant (inclusive).
    pub from: Option<Timestamp>,
    /// Only entries before this instant (exclusive).
    pub to: Option<Timestamp>,
    /// Keyset pagination: only entries with `seq` below this.
    pub before_seq: Option<i64>,
    /// At most this many entries (clamped to `0..=`[`crate::MAX_AUDIT_PAGE`]).
    pub limit: i64,
}

store_trait! {
/// The append-only, hash-chained audit log.
pub trait AuditStore {
    /// Appends an entry, chaining it to the last one (serialised across processes), MACed
    /// with `key`.
    async fn append_audit(&self, key: &AuditKey, entry: &NewAuditEntry) -> StoreResult<AuditEntry>;
    /// Appends `entries` in order, chained and MACed with `key`, in one transaction (group
    /// commit: many appends for the price of one). All or none are appended.
    async fn append_audit_batch(
        &self,
        key: &AuditKey,
        entries: &[NewAuditEntry],
    ) -> StoreResult<Vec<AuditEntry>>;
    /// Entries of one org matching the filter, newest first (server-wide entries, whose org
    /// is `None`, are never returned here).
    async fn audit_entries(&self, org: OrgId, filter: &AuditFilter)
    -> StoreResult<Vec<AuditEntry>>;
    /// The whole chain in order (every org), entries with `seq > after_seq`, at most `limit`
    /// (clamped to `0..=`[`crate::MAX_AUDIT_CHAIN_PAGE`]), for verification.
    async fn audit_chain(&self, after_seq: i64, limit: i64) -> StoreResult<Vec<AuditEntry>>;
    /// The newest entry of the whole chain, for publishing its head. Not org-scoped: the
    /// chain is server-wide and its head is published to the operator's log only.
    async fn audit_tail(&self) -> StoreResult<Option<AuditEntry>>;
}
}
