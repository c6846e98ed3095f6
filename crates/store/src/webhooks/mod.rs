//! Outgoing webhooks: the endpoints an org registered, the deliveries of events to them, the
//! [`WebhookStore`] contract and its forwarding for [`Store`].

pub(crate) mod sql;

use crate::NewJob;
use crate::StoreResult;
use crate::forwarding::store_trait;
use countersign_domain::{
    OrgId, TechnicianId, Timestamp, WebhookDeliveryId, WebhookEndpointId, WebhookEventId,
};

/// An https endpoint that receives the org's events of the kinds it subscribed to.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookEndpoint {
    /// Primary key.
    pub id: WebhookEndpointId,
    /// The org.
    pub org_id: OrgId,
    /// Where events are POSTed (checked by the app before it is stored).
    pub url: String,
    /// The admin's note ("Rewst", "SIEM").
    pub description: String,
    /// Subscribed event kinds (`verification.verified`, …), without spaces.
    pub events: Vec<String>,
    /// The signing secret, sealed for (org, `webhook_endpoints`, `secret`, id).
    pub sealed_secret: Vec<u8>,
    /// Disabled endpoints get nothing.
    pub enabled: bool,
    /// The admin who registered it.
    pub created_by: Option<TechnicianId>,
    /// When it was registered.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

// Hand-written so the sealed secret never reaches a log line.
impl std::fmt::Debug for WebhookEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookEndpoint")
            .field("id", &self.id)
            .field("org_id", &self.org_id)
            .field("url", &self.url)
            .field("events", &self.events)
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}

/// Where a delivery is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WebhookDeliveryState {
    /// Not yet accepted by the endpoint; attempts go on.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Out of attempts (or the endpoint was disabled); no more attempts.
    Failed,
}

impl WebhookDeliveryState {
    /// The stored text.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    /// Parses the stored text; `None` for anything else.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => Self::Pending,
            "delivered" => Self::Delivered,
            "failed" => Self::Failed,
            _ => return None,
        })
    }
}

/// A delivery to record, with the job that makes its attempts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewWebhookDelivery {
    /// Primary key.
    pub id: WebhookDeliveryId,
    /// The org (of the endpoint, too).
    pub org_id: OrgId,
    /// The endpoint it goes to.
    pub endpoint_id: WebhookEndpointId,
    /// The event: one delivery per event and endpoint.
    pub event_id: WebhookEventId,
    /// The event's kind, e.g. `verification.verified`.
    pub event_kind: String,
    /// The exact JSON body to send (ids and metadata only).
    pub payload: String,
    /// When it was recorded.
    pub created_at: Timestamp,
}

/// A delivery as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookDelivery {
    /// What was recorded.
    pub delivery: NewWebhookDelivery,
    /// Where it is.
    pub state: WebhookDeliveryState,
    /// Attempts made so far.
    pub attempts: i64,
    /// The HTTP status of the last answer, if there was one.
    pub last_status: Option<i64>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When the next attempt is due, while pending after a failure.
    pub next_attempt_at: Option<Timestamp>,
    /// When the endpoint accepted it.
    pub delivered_at: Option<Timestamp>,
    /// Last change.
    pub updated_at: Timestamp,
}

/// The result of one attempt, for [`WebhookStore::record_webhook_attempt`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookAttempt {
    /// The delivery's state after it.
    pub state: WebhookDeliveryState,
    /// The HTTP status, when the endpoint answered.
    pub status: Option<i64>,
    /// Why it failed (`None` when delivered).
    pub error: Option<String>,
    /// When the next attempt is due, if there is one.
    pub next_attempt_at: Option<Timestamp>,
    /// When it ended.
    pub at: Timestamp,
}

store_trait! {
/// Webhook endpoints and deliveries of an org.
pub trait WebhookStore {
    /// Inserts an endpoint.
    async fn create_webhook_endpoint(&self, endpoint: &WebhookEndpoint) -> StoreResult<()>;
    /// The endpoint of this org, or `NotFound`.
    async fn webhook_endpoint(
        &self,
        org: OrgId,
        id: WebhookEndpointId,
    ) -> StoreResult<WebhookEndpoint>;
    /// The org's endpoints, oldest first.
    async fn webhook_endpoints(&self, org: OrgId) -> StoreResult<Vec<WebhookEndpoint>>;
    /// The org's enabled endpoints subscribed to `kind`, oldest first.
    async fn subscribed_webhook_endpoints(
        &self,
        org: OrgId,
        kind: &str,
    ) -> StoreResult<Vec<WebhookEndpoint>>;
    /// The orgs with an enabled endpoint subscribed to `kind`. Not org-scoped: the scheduler
    /// uses it to queue server-initiated events (`audit.head`) for the orgs that want them.
    async fn orgs_subscribed_to_webhook(&self, kind: &str) -> StoreResult<Vec<OrgId>>;
    /// Enables or disables. `NotFound` unless the org has it.
    async fn set_webhook_endpoint_enabled(
        &self,
        org: OrgId,
        id: WebhookEndpointId,
        enabled: bool,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// Replaces the sealed signing secret. `NotFound` unless the org has it.
    async fn set_webhook_secret(
        &self,
        org: OrgId,
        id: WebhookEndpointId,
        sealed_secret: &[u8],
        at: Timestamp,
    ) -> StoreResult<()>;
    /// Deletes the endpoint with its deliveries (their jobs find nothing and finish).
    /// `NotFound` unless the org has it.
    async fn delete_webhook_endpoint(&self, org: OrgId, id: WebhookEndpointId) -> StoreResult<()>;
    /// Records deliveries with their jobs in one transaction, so an event is either queued for
    /// every endpoint or for none. A delivery whose endpoint already has this event inserts
    /// nothing, nor its job (emitting an event again is harmless). Each delivery must name an
    /// endpoint of its own org (the foreign key refuses others). Returns how many were new.
    async fn queue_webhook_deliveries(
        &self,
        deliveries: &[(NewWebhookDelivery, NewJob)],
    ) -> StoreResult<u64>;
    /// The delivery of this org, or `NotFound`.
    async fn webhook_delivery(
        &self,
        org: OrgId,
        id: WebhookDeliveryId,
    ) -> StoreResult<WebhookDelivery>;
    /// The endpoint's deliveries, newest first, at most `limit`
    /// (clamped to `0..=`[`crate::MAX_WEBHOOK_DELIVERY_PAGE`]).
    async fn webhook_deliveries(
        &self,
        org: OrgId,
        endpoint: WebhookEndpointId,
        limit: i64,
    ) -> StoreResult<Vec<WebhookDelivery>>;
    /// Records an attempt of a pending delivery (one more attempt, its status and error).
    /// Returns false, changing nothing, when the delivery is no longer pending or the org
    /// has no such delivery.
    async fn record_webhook_attempt(
        &self,
        org: OrgId,
        id: WebhookDeliveryId,
        attempt: &WebhookAttempt,
    ) -> StoreResult<bool>;
}
}
