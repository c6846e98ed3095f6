//! Publishing the audit chain's head outside the database (issue 18.6): once an hour the
//! server-wide head goes to the log, and each org subscribed to `audit.head` gets its own
//! head as a signed webhook event (through a `publish_audit_head` job per org and hour). An
//! operator who keeps a head can later run `countersign audit verify --against <head>`, which
//! detects any rewrite of the log up to that entry, even by someone holding the key.

use crate::App;
use crate::jobs::PublishAuditHead;
use crate::webhooks::{WebhookEvent, WebhookEventKind};
use countersign_domain::{OrgId, Timestamp};
use countersign_store::WebhookStore as _;
use countersign_store::{AuditFilter, AuditHead, AuditStore, StoreError};

/// How often heads are published.
const HOUR_MS: i64 = 3_600_000;

fn hour_of(t: Timestamp) -> i64 {
    t.0.div_euclid(HOUR_MS)
}

impl App {
    /// Writes the head of the whole chain to the log (`audit chain head`, field `head`).
    ///
    /// # Errors
    /// The store failed.
    pub async fn log_audit_head(&self) -> Result<Option<AuditHead>, StoreError> {
        let head = self
            .store
            .audit_tail()
            .await?
            .map(|tail| AuditHead::of(None, &tail));
        if let Some(head) = &head {
            tracing::info!(head = %head, "audit chain head");
        }
        Ok(head)
    }

    /// Queues this hour's `publish_audit_head` job for every org with an endpoint subscribed
    /// to `audit.head`; a job already queued this hour is not queued again (also across
    /// processes). Returns how many were queued.
    ///
    /// # Errors
    /// The store failed.
    pub async fn enqueue_audit_heads(&self) -> Result<usize, StoreError> {
        let now = self.now();
        let orgs = self
            .store
            .orgs_subscribed_to_webhook(WebhookEventKind::AuditHead.as_str())
            .await?;
        let job = PublishAuditHead { hour: hour_of(now) };
        let mut queued = 0;
        for org in orgs {
            if self.enqueue(org, &job).await? {
                queued += 1;
            }
        }
        Ok(queued)
    }

    /// Publishes `org`'s head (its newest entry) to the log and as an `audit.head` event to
    /// its subscribed endpoints. Returns it (`None` if the org has no entries yet).
    ///
    /// # Errors
    /// The store failed.
    pub async fn publish_audit_head(&self, org: OrgId) -> Result<Option<AuditHead>, StoreError> {
        let newest = AuditFilter {
            limit: 1,
            ..AuditFilter::default()
        };
        let Some(entry) = self.store.audit_entries(org, &newest).await?.pop() else {
            return Ok(None);
        };
        let head = AuditHead::of(Some(org), &entry);
        tracing::info!(org_id = %org, head = %head, "audit chain head of an org");
        let now = self.now();
        // One event per org and hour: another server process publishing in the same hour
        // (its job queued after this one completed) delivers nothing new.
        let event = WebhookEvent {
            kind: WebhookEventKind::AuditHead,
            id: crate::webhooks::derived_event_id(&format!("audit.head:{org}:{}", hour_of(now))),
            org,
            occurred_at: now,
            data: serde_json::json!({
                "head": head.to_string(),
                "seq": head.seq,
                "at": entry.entry.at.rfc3339(),
            }),
        };
        self.emit_webhook(&event).await?;
        Ok(Some(head))
    }
}
