//! Outgoing webhooks: admins register https endpoints for event kinds; each event is recorded
//! as one delivery per subscribed endpoint, together with its job, and the job POSTs it,
//! signed, retrying with backoff. See docs/webhooks.md for what receivers see.

mod deliver;
mod emit;
mod endpoints;
mod target;
mod verification;

pub use deliver::{WebhookClient, WebhookJobOutcome};
pub use endpoints::{CreatedEndpoint, EndpointError, EndpointInput, EndpointView};
pub use target::{TargetError, check_target};
pub use verification::VerificationEventData;

use countersign_domain::{OrgId, Timestamp, WebhookEventId};
use serde::{Deserialize, Serialize};

/// Header with `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
pub const SIGNATURE_HEADER: &str = "Countersign-Signature";
/// Header with the event kind.
pub const EVENT_HEADER: &str = "Countersign-Event";
/// Header with the delivery id (the same on every attempt of one delivery).
pub const DELIVERY_HEADER: &str = "Countersign-Delivery";

/// What happened. Serialised as `verification.requested` etc.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WebhookEventKind {
    /// A technician asked a contact to verify.
    #[serde(rename = "verification.requested")]
    VerificationRequested,
    /// The contact proved who they are.
    #[serde(rename = "verification.verified")]
    VerificationVerified,
    /// The contact (or too many wrong codes) denied it.
    #[serde(rename = "verification.denied")]
    VerificationDenied,
    /// Nobody answered in time.
    #[serde(rename = "verification.expired")]
    VerificationExpired,
    /// The audit chain's head for the org, published hourly (see docs/webhooks.md): keep it
    /// to check the log later with `countersign audit verify --against <head>`.
    #[serde(rename = "audit.head")]
    AuditHead,
    /// A broadcast started sending (its first deliveries were queued).
    #[serde(rename = "broadcast.sent")]
    BroadcastSent,
    /// Every delivery of a broadcast ended (sent, delivered, failed or opted out).
    #[serde(rename = "broadcast.completed")]
    BroadcastCompleted,
    /// Sent from Settings ▸ Webhooks to check an endpoint.
    #[serde(rename = "webhook.test")]
    Test,
}

impl WebhookEventKind {
    /// The kinds an admin can subscribe to, in display order (the test event always goes to
    /// the one endpoint it is sent to).
    pub const SUBSCRIBABLE: &'static [Self] = &[
        Self::VerificationRequested,
        Self::VerificationVerified,
        Self::VerificationDenied,
        Self::VerificationExpired,
        Self::AuditHead,
        Self::BroadcastSent,
        Self::BroadcastCompleted,
    ];

    /// The wire name, e.g. `verification.verified`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VerificationRequested => "verification.requested",
            Self::VerificationVerified => "verification.verified",
            Self::VerificationDenied => "verification.denied",
            Self::VerificationExpired => "verification.expired",
            Self::AuditHead => "audit.head",
            Self::BroadcastSent => "broadcast.sent",
            Self::BroadcastCompleted => "broadcast.completed",
            Self::Test => "webhook.test",
        }
    }

    /// Parses a wire name of a subscribable kind.
    #[must_use]
    pub fn parse_subscribable(s: &str) -> Option<Self> {
        Self::SUBSCRIBABLE.iter().copied().find(|k| k.as_str() == s)
    }
}

/// One event. `data` carries ids and metadata only: never a code, token, secret, or an
/// unmasked phone number or email address.
#[derive(Clone, Debug, PartialEq)]
pub struct WebhookEvent {
    pub kind: WebhookEventKind,
    /// Stable per event: emitting the same id again delivers nothing new.
    pub id: WebhookEventId,
    pub org: OrgId,
    pub occurred_at: Timestamp,
    pub data: serde_json::Value,
}

impl WebhookEvent {
    /// An event with a fresh id.
    #[must_use]
    pub fn new(
        kind: WebhookEventKind,
        org: OrgId,
        occurred_at: Timestamp,
        data: serde_json::Value,
    ) -> Self {
        Self {
            kind,
            id: WebhookEventId::new(),
            org,
            occurred_at,
            data,
        }
    }

    /// The JSON body receivers get.
    #[must_use]
    pub fn body(&self) -> String {
        serde_json::json!({
            "id": self.id,
            "type": self.kind.as_str(),
            "org_id": self.org,
            "occurred_at": self.occurred_at.rfc3339(),
            "data": self.data,
        })
        .to_string()
    }
}

/// An event id derived from `seed` (SHA-256, as a UUID): emitting an event with the same seed
/// again queues nothing new.
pub(crate) fn derived_event_id(seed: &str) -> WebhookEventId {
    let digest = countersign_crypto::hash_token(seed);
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    WebhookEventId(uuid::Builder::from_random_bytes(bytes).into_uuid())
}

/// Where an endpoint's signing secret is sealed: (org, `webhook_endpoints`, `secret`, id).
pub(crate) fn secret_aad(org: OrgId, row_id: &str) -> countersign_crypto::SealAad<'_> {
    crate::microsoft::aad(
        org,
        countersign_store::SealedColumn::WebhookEndpointSecret,
        row_id,
    )
}
