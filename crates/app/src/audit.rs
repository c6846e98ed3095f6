//! Writing and verifying the audit log. Entries carry ids and metadata only, never secrets.

use crate::App;
use countersign_domain::{OrgId, TechnicianId};
use countersign_store::{AUDIT_GENESIS, AuditStore, NewAuditEntry, StoreResult, audit_hash};

/// Who did something, for the audit log.
#[derive(Clone, Debug)]
pub struct Actor {
    pub org_id: Option<OrgId>,
    pub technician_id: Option<TechnicianId>,
    /// Email of the technician, or "cli" / "system".
    pub label: String,
    pub ip: Option<String>,
}

impl Actor {
    /// The command line (an operator with shell access).
    #[must_use]
    pub fn cli() -> Self {
        Self {
            org_id: None,
            technician_id: None,
            label: "cli".into(),
            ip: None,
        }
    }

    /// Background work of the server itself.
    #[must_use]
    pub fn system() -> Self {
        Self {
            org_id: None,
            technician_id: None,
            label: "system".into(),
            ip: None,
        }
    }
}

impl App {
    /// Appends an audit entry. `detail` is a JSON object of non-secret facts.
    ///
    /// # Errors
    /// The store failed; callers treat that as a failure of the action itself, so nothing
    /// security-relevant happens unrecorded.
    pub async fn audit(
        &self,
        actor: &Actor,
        org_id: Option<OrgId>,
        action: &str,
        target: &str,
        detail: serde_json::Value,
    ) -> StoreResult<()> {
        let entry = NewAuditEntry {
            org_id: org_id.or(actor.org_id),
            at: self.now(),
            actor_id: actor.technician_id,
            actor_label: actor.label.clone(),
            action: action.to_owned(),
            target: target.to_owned(),
            detail: detail.to_string(),
            ip: actor.ip.clone(),
        };
        self.audit_log.append(entry).await
    }
}

/// The result of checking the whole chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainReport {
    /// Entries checked.
    pub entries: u64,
    /// Sequence number of the first entry whose link or hash does not match, if any.
    pub first_broken: Option<i64>,
}

/// Walks the chain from the start, recomputing every hash.
///
/// # Errors
/// The store failed.
pub async fn verify_chain(store: &impl AuditStore) -> StoreResult<ChainReport> {
    let mut prev = AUDIT_GENESIS.to_vec();
    let mut after = 0;
    let mut entries = 0;
    loop {
        let page = store.audit_chain(after, 1000).await?;
        if page.is_empty() {
            return Ok(ChainReport {
                entries,
                first_broken: None,
            });
        }
        for e in page {
            entries += 1;
            if e.prev_hash != prev || audit_hash(&e.prev_hash, &e.entry) != e.hash {
                return Ok(ChainReport {
                    entries,
                    first_broken: Some(e.seq),
                });
            }
            prev = e.hash;
            after = e.seq;
        }
    }
}
