//! Writing and verifying the audit log. Entries carry ids and metadata only, never secrets.

use crate::reads::ReadError;
use crate::{App, Principal};
use countersign_crypto::{Keyring, purpose};
use countersign_domain::{ContactId, OrgId, Permission, TechnicianId};
use countersign_store::{
    AuditEntry, AuditFilter, AuditHead, AuditKey, AuditStore, ChainReport, NewAuditEntry,
    StoreResult, Technician, TechnicianStore, UnlinkStore, verify_audit_chain,
};

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

    /// A contact acting through one of its links (approve link, technician check,
    /// unsubscribe), from the client address `ip`.
    #[must_use]
    pub fn contact(org_id: OrgId, contact: ContactId, ip: Option<String>) -> Self {
        Self {
            org_id: Some(org_id),
            technician_id: None,
            label: format!("contact {contact}"),
            ip,
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

/// The audit page: the entries a filter selects, and the org's technicians to filter by.
#[derive(Clone, Debug)]
pub struct AuditView {
    pub entries: Vec<AuditEntry>,
    pub actors: Vec<Technician>,
    /// Targets of the entries that name a contact whose source was unlinked (or one of its
    /// verifications): kept for the record, marked "source unlinked" (issue 21.6).
    pub unlinked_targets: std::collections::HashSet<String>,
}

impl App {
    /// The org's audit entries that `filter` selects (none without a filter: the page's form
    /// was refused), and the technicians who may appear as actors.
    ///
    /// # Errors
    /// Not allowed, or a store failure.
    pub async fn audit_view(
        &self,
        by: &Principal,
        filter: Option<&AuditFilter>,
    ) -> Result<AuditView, ReadError> {
        by.require(Permission::ViewAudit)?;
        let org = by.org_id();
        let actors = self.store.technicians(org).await?;
        let entries = match filter {
            Some(f) => self.store.audit_entries(org, f).await?,
            None => Vec::new(),
        };
        let targets: Vec<uuid::Uuid> = entries
            .iter()
            .filter_map(|e| e.entry.target.parse().ok())
            .collect();
        let unlinked_targets = self
            .store
            .unlinked_targets(org, &targets)
            .await?
            .into_iter()
            .map(|id| id.to_string())
            .collect();
        Ok(AuditView {
            entries,
            actors,
            unlinked_targets,
        })
    }
}

/// The key that MACs new audit entries: derived from the keyring's active key, with its id.
#[must_use]
pub fn audit_key(keyring: &Keyring) -> AuditKey {
    let (id, key) = keyring.derive_key_with_id(purpose::AUDIT_CHAIN);
    AuditKey::new(id, *key)
}

/// Walks the chain from the start, checking every link and MAC with the keyring's keys (old
/// ones included, so entries from before a rotation verify), and, with `against`, that the
/// entry at a published head's position still carries the head's MAC.
///
/// # Errors
/// The store failed.
pub async fn verify_chain(
    store: &impl AuditStore,
    keyring: &Keyring,
    against: Option<&AuditHead>,
) -> StoreResult<ChainReport> {
    verify_audit_chain(
        store,
        |id| {
            keyring
                .derive_key_from(id, purpose::AUDIT_CHAIN)
                .map(|key| AuditKey::new(id, *key))
        },
        against,
    )
    .await
}
