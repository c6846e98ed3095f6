//! The audit row as both drivers decode it, the column list that selects it, and its conversion into
//! the model (where a bad stored value becomes `StoreError::Corrupt`).

use crate::{AuditEntry, NewAuditEntry};
use countersign_domain::Timestamp;
use uuid::Uuid;

/// Columns of [`AuditRow`], as a literal for `concat!` (so queries stay `&'static str`).
macro_rules! audit_columns {
    () => {
        "seq, org_id, at, actor_id, actor_label, action, target, detail, ip, prev_hash, hash, key_id"
    };
}
pub(crate) use audit_columns;

#[derive(sqlx::FromRow)]
pub(crate) struct AuditRow {
    seq: i64,
    org_id: Option<Uuid>,
    at: i64,
    actor_id: Option<Uuid>,
    actor_label: String,
    action: String,
    target: String,
    detail: String,
    ip: Option<String>,
    prev_hash: Vec<u8>,
    hash: Vec<u8>,
    key_id: Option<String>,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        Self {
            seq: r.seq,
            entry: NewAuditEntry {
                org_id: r.org_id.map(Into::into),
                at: Timestamp(r.at),
                actor_id: r.actor_id.map(Into::into),
                actor_label: r.actor_label,
                action: r.action,
                target: r.target,
                detail: r.detail,
                ip: r.ip,
            },
            prev_hash: r.prev_hash,
            hash: r.hash,
            key_id: r.key_id,
        }
    }
}
