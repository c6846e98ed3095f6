//! Admins manage endpoints: register (the signing secret is shown once), enable or disable,
//! rotate the secret, delete, send a test event. Each change is audited (ids and metadata,
//! never the secret).

use super::target::{TargetError, check_target};
use super::{WebhookEvent, WebhookEventKind, secret_aad};
use crate::{App, Denied, Principal};
use countersign_domain::{Permission, WebhookEndpointId, WebhookEventId};
use countersign_store::{StoreError, WebhookDelivery, WebhookEndpoint, WebhookStore};
use serde_json::json;

/// Longest description accepted.
const MAX_DESCRIPTION: usize = 200;
/// Most endpoints per org.
const MAX_ENDPOINTS: usize = 20;

/// What the form sends.
#[derive(Clone, Debug, Default)]
pub struct EndpointInput {
    pub url: String,
    pub description: String,
    /// Wire names of the ticked event kinds.
    pub events: Vec<String>,
}

/// A registered endpoint and its signing secret, to show once.
pub struct CreatedEndpoint {
    pub endpoint: WebhookEndpoint,
    pub secret: String,
}

/// One endpoint and its recent deliveries, for its page.
pub struct EndpointView {
    pub endpoint: WebhookEndpoint,
    pub deliveries: Vec<WebhookDelivery>,
}

/// Why a change was refused.
#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error(transparent)]
    Target(#[from] TargetError),
    #[error("{0}")]
    Invalid(String),
    #[error("no such endpoint")]
    NotFound,
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for EndpointError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            e => Self::Store(e),
        }
    }
}

/// A new signing secret: `whsec_` and 256 random bits (base64url). The whole string is the
/// HMAC key.
fn new_secret() -> String {
    format!("whsec_{}", countersign_crypto::random_token().0)
}

impl App {
    fn seal_secret(&self, e: &WebhookEndpoint, secret: &str) -> Vec<u8> {
        let row = e.id.to_string();
        self.keyring
            .seal(secret.as_bytes(), &secret_aad(e.org_id, &row))
    }

    /// Registers an endpoint. Returns it with its secret, which is never shown again.
    ///
    /// # Errors
    /// Not an admin, a refused URL, no or unknown events, a long description (nothing is
    /// stored), or a store failure.
    pub async fn create_webhook_endpoint(
        &self,
        by: &Principal,
        input: &EndpointInput,
    ) -> Result<CreatedEndpoint, EndpointError> {
        by.require(Permission::ManageWebhooks)?;
        let url = check_target(&input.url, self.settings.webhooks.allow_private_targets)?;
        let description = input.description.trim().to_owned();
        if description.chars().count() > MAX_DESCRIPTION {
            return Err(EndpointError::Invalid(format!(
                "keep the description under {MAX_DESCRIPTION} characters"
            )));
        }
        let mut events = Vec::new();
        for raw in &input.events {
            let kind = WebhookEventKind::parse_subscribable(raw)
                .ok_or_else(|| EndpointError::Invalid(format!("unknown event {raw:?}")))?;
            if !events.contains(&kind) {
                events.push(kind);
            }
        }
        if events.is_empty() {
            return Err(EndpointError::Invalid(
                "choose at least one event to send".into(),
            ));
        }
        if self.store.webhook_endpoints(by.org_id()).await?.len() >= MAX_ENDPOINTS {
            return Err(EndpointError::Invalid(format!(
                "an organisation can have at most {MAX_ENDPOINTS} endpoints; delete one first"
            )));
        }
        let now = self.now();
        let secret = new_secret();
        let mut endpoint = WebhookEndpoint {
            id: WebhookEndpointId::new(),
            org_id: by.org_id(),
            url: url.to_string(),
            description,
            events: events.iter().map(|k| k.as_str().to_owned()).collect(),
            sealed_secret: Vec::new(),
            enabled: true,
            created_by: by.technician_id(),
            created_at: now,
            updated_at: now,
        };
        endpoint.sealed_secret = self.seal_secret(&endpoint, &secret);
        self.store.create_webhook_endpoint(&endpoint).await?;
        self.audit(
            &by.actor(),
            None,
            "webhook.endpoint_created",
            &endpoint.id.to_string(),
            json!({
                "host": url.host_str(),
                "events": endpoint.events,
            }),
        )
        .await?;
        Ok(CreatedEndpoint { endpoint, secret })
    }

    /// The org's endpoint, once the principal may manage webhooks.
    ///
    /// # Errors
    /// Not allowed; `NotFound` for another org's id.
    async fn webhook_endpoint_for(
        &self,
        by: &Principal,
        id: WebhookEndpointId,
    ) -> Result<WebhookEndpoint, EndpointError> {
        by.require(Permission::ManageWebhooks)?;
        Ok(self.store.webhook_endpoint(by.org_id(), id).await?)
    }

    /// The org's endpoints, for their list.
    ///
    /// # Errors
    /// Not allowed, or a store failure.
    pub async fn webhook_endpoints_view(
        &self,
        by: &Principal,
    ) -> Result<Vec<WebhookEndpoint>, EndpointError> {
        by.require(Permission::ManageWebhooks)?;
        Ok(self.store.webhook_endpoints(by.org_id()).await?)
    }

    /// One endpoint of the org with its latest `recent` deliveries, newest first.
    ///
    /// # Errors
    /// Not allowed; `NotFound` for another org's id; a store failure.
    pub async fn webhook_endpoint_view(
        &self,
        by: &Principal,
        id: WebhookEndpointId,
        recent: i64,
    ) -> Result<EndpointView, EndpointError> {
        let endpoint = self.webhook_endpoint_for(by, id).await?;
        let deliveries = self
            .store
            .webhook_deliveries(by.org_id(), id, recent)
            .await?;
        Ok(EndpointView {
            endpoint,
            deliveries,
        })
    }

    /// Enables or disables an endpoint (disabled ones get no events; pending attempts stop).
    ///
    /// # Errors
    /// Not an admin, another org's id (`NotFound`), a store failure.
    pub async fn set_webhook_endpoint_enabled(
        &self,
        by: &Principal,
        id: WebhookEndpointId,
        enabled: bool,
    ) -> Result<(), EndpointError> {
        let e = self.webhook_endpoint_for(by, id).await?;
        self.store
            .set_webhook_endpoint_enabled(by.org_id(), e.id, enabled, self.now())
            .await?;
        let action = if enabled {
            "webhook.endpoint_enabled"
        } else {
            "webhook.endpoint_disabled"
        };
        self.audit(&by.actor(), None, action, &id.to_string(), json!({}))
            .await?;
        Ok(())
    }

    /// Replaces the signing secret; returns the new one (shown once). Attempts from now on
    /// are signed with it.
    ///
    /// # Errors
    /// Not an admin, another org's id (`NotFound`), a store failure.
    pub async fn rotate_webhook_secret(
        &self,
        by: &Principal,
        id: WebhookEndpointId,
    ) -> Result<String, EndpointError> {
        let e = self.webhook_endpoint_for(by, id).await?;
        let secret = new_secret();
        let sealed = self.seal_secret(&e, &secret);
        self.store
            .set_webhook_secret(by.org_id(), id, &sealed, self.now())
            .await?;
        self.audit(
            &by.actor(),
            None,
            "webhook.secret_rotated",
            &id.to_string(),
            json!({}),
        )
        .await?;
        Ok(secret)
    }

    /// Deletes an endpoint and its deliveries.
    ///
    /// # Errors
    /// Not an admin, another org's id (`NotFound`), a store failure.
    pub async fn delete_webhook_endpoint(
        &self,
        by: &Principal,
        id: WebhookEndpointId,
    ) -> Result<(), EndpointError> {
        let e = self.webhook_endpoint_for(by, id).await?;
        self.store
            .delete_webhook_endpoint(by.org_id(), e.id)
            .await?;
        let host = url::Url::parse(&e.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned));
        self.audit(
            &by.actor(),
            None,
            "webhook.endpoint_deleted",
            &id.to_string(),
            json!({ "host": host }),
        )
        .await?;
        Ok(())
    }

    /// Queues a `webhook.test` event to this one endpoint (whatever it subscribed to).
    ///
    /// # Errors
    /// Not an admin, another org's id (`NotFound`), a disabled endpoint, a store failure.
    pub async fn send_test_webhook(
        &self,
        by: &Principal,
        id: WebhookEndpointId,
    ) -> Result<WebhookEventId, EndpointError> {
        let e = self.webhook_endpoint_for(by, id).await?;
        if !e.enabled {
            return Err(EndpointError::Invalid(
                "enable the endpoint before sending a test event".into(),
            ));
        }
        let event = WebhookEvent::new(
            WebhookEventKind::Test,
            by.org_id(),
            self.now(),
            json!({ "endpoint_id": e.id, "technician_id": by.technician_id() }),
        );
        self.queue_event(&event, std::slice::from_ref(&e)).await?;
        self.audit(
            &by.actor(),
            None,
            "webhook.test_sent",
            &id.to_string(),
            json!({ "event_id": event.id }),
        )
        .await?;
        Ok(event.id)
    }
}

impl crate::UseCaseError for EndpointError {
    fn kind(&self) -> crate::ErrorKind {
        use crate::ErrorKind as K;
        match self {
            Self::Denied(e) => crate::UseCaseError::kind(e),
            Self::Target(e) => crate::UseCaseError::kind(e),
            Self::Invalid(_) => K::Invalid,
            Self::NotFound => K::NotFound,
            Self::Store(e) => crate::UseCaseError::kind(e),
        }
    }

    fn fields(&self) -> Vec<crate::FieldMessage> {
        match self {
            Self::Target(e) => crate::UseCaseError::fields(e),
            other => vec![crate::FieldMessage {
                field: None,
                message: other.to_string(),
            }],
        }
    }
}
