//! One attempt of a delivery, run by a `deliver_webhook` job: POST the stored body, signed,
//! with a timeout; record the answer; tell the runner whether to retry (and when).

use super::target::{check_target, is_public};
use super::{DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, secret_aad};
use crate::App;
use crate::settings::WebhookSettings;
use countersign_domain::{OrgId, WebhookDeliveryId};
use countersign_store::{
    StoreError, WebhookAttempt, WebhookDelivery, WebhookDeliveryState, WebhookStore,
};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// The HTTP client of webhook attempts: no redirects, no proxies from the environment, the
/// configured timeout, and a resolver that refuses private addresses (unless allowed), so a
/// public hostname that resolves to the server's own network is not called.
#[derive(Clone, Debug)]
pub struct WebhookClient {
    http: reqwest::Client,
    allow_private: bool,
}

impl WebhookClient {
    /// Builds the client for these settings.
    ///
    /// # Errors
    /// TLS set-up failed.
    pub fn new(settings: &WebhookSettings) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(settings.timeout())
            .connect_timeout(settings.timeout())
            .user_agent("Countersign-Webhooks/1")
            .dns_resolver(Arc::new(PublicOnly {
                allow_private: settings.allow_private_targets,
            }))
            .build()?;
        Ok(Self {
            http,
            allow_private: settings.allow_private_targets,
        })
    }
}

/// Resolves with the system resolver and refuses a name with any non-public address.
struct PublicOnly {
    allow_private: bool,
}

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if !allow_private && addrs.iter().any(|a| !is_public(a.ip())) {
                return Err(format!("{host} resolves to a private address").into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

/// What the runner does with the job after an attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WebhookJobOutcome {
    /// Delivered, or nothing left to do (endpoint deleted or disabled).
    Done,
    /// Failed; try again after the delay.
    Retry { error: String, after: Duration },
    /// Failed for good (recorded on the delivery).
    GaveUp(String),
}

/// The result of the HTTP exchange.
struct Answer {
    status: Option<u16>,
    error: Option<String>,
}

impl App {
    /// Makes attempt `attempt` (1-based, of at most `max_attempts`) of a delivery and records
    /// it on the delivery.
    ///
    /// # Errors
    /// Store failures (the job runs again after its lease).
    pub async fn deliver_webhook(
        &self,
        client: &WebhookClient,
        org: OrgId,
        id: WebhookDeliveryId,
        attempt: i64,
        max_attempts: i64,
    ) -> Result<WebhookJobOutcome, StoreError> {
        let delivery = match self.store.webhook_delivery(org, id).await {
            Ok(d) => d,
            // Deleted with its endpoint: nothing to do.
            Err(StoreError::NotFound) => return Ok(WebhookJobOutcome::Done),
            Err(e) => return Err(e),
        };
        if delivery.state != WebhookDeliveryState::Pending {
            return Ok(WebhookJobOutcome::Done);
        }
        let endpoint = match self
            .store
            .webhook_endpoint(org, delivery.delivery.endpoint_id)
            .await
        {
            Ok(e) => e,
            Err(StoreError::NotFound) => return Ok(WebhookJobOutcome::Done),
            Err(e) => return Err(e),
        };
        if !endpoint.enabled {
            self.final_failure(&delivery, None, "the endpoint was disabled")
                .await?;
            return Ok(WebhookJobOutcome::Done);
        }
        let row = endpoint.id.to_string();
        let secret = match self
            .keyring
            .open(&endpoint.sealed_secret, &secret_aad(org, &row))
        {
            Ok(s) => s,
            Err(e) => {
                let error = format!("the signing secret cannot be opened: {e}");
                self.final_failure(&delivery, None, &error).await?;
                return Ok(WebhookJobOutcome::GaveUp(error));
            }
        };
        // The settings may have changed since the endpoint was registered.
        let url = match check_target(&endpoint.url, client.allow_private) {
            Ok(u) => u,
            Err(e) => {
                let error = e.to_string();
                self.final_failure(&delivery, None, &error).await?;
                return Ok(WebhookJobOutcome::GaveUp(error));
            }
        };
        let answer = post(client, url, &delivery, &secret, self.now().unix_seconds()).await;
        let now = self.now();
        let status = answer.status.map(i64::from);
        let Some(error) = answer.error else {
            let done = WebhookAttempt {
                state: WebhookDeliveryState::Delivered,
                status,
                error: None,
                next_attempt_at: None,
                at: now,
            };
            self.store.record_webhook_attempt(org, id, &done).await?;
            return Ok(WebhookJobOutcome::Done);
        };
        if attempt >= max_attempts {
            self.final_failure(&delivery, status, &error).await?;
            return Ok(WebhookJobOutcome::GaveUp(error));
        }
        let after = self.settings.webhooks.backoff(attempt);
        let retry = WebhookAttempt {
            state: WebhookDeliveryState::Pending,
            status,
            error: Some(error.clone()),
            next_attempt_at: Some(now.plus(after)),
            at: now,
        };
        self.store.record_webhook_attempt(org, id, &retry).await?;
        Ok(WebhookJobOutcome::Retry { error, after })
    }

    /// Records the last attempt of a delivery as failed.
    ///
    /// # Errors
    /// Store failures.
    pub async fn final_failure(
        &self,
        delivery: &WebhookDelivery,
        status: Option<i64>,
        error: &str,
    ) -> Result<(), StoreError> {
        let failed = WebhookAttempt {
            state: WebhookDeliveryState::Failed,
            status,
            error: Some(error.to_owned()),
            next_attempt_at: None,
            at: self.now(),
        };
        self.store
            .record_webhook_attempt(delivery.delivery.org_id, delivery.delivery.id, &failed)
            .await?;
        Ok(())
    }
}

/// POSTs the delivery's body with its signature.
async fn post(
    client: &WebhookClient,
    url: url::Url,
    delivery: &WebhookDelivery,
    secret: &[u8],
    unix_seconds: i64,
) -> Answer {
    let body = delivery.delivery.payload.as_bytes();
    let mac = countersign_crypto::webhook_signature(secret, unix_seconds, body);
    let signature = format!("t={unix_seconds},v1={}", hex::encode(mac));
    let sent = client
        .http
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(SIGNATURE_HEADER, signature)
        .header(EVENT_HEADER, delivery.delivery.event_kind.as_str())
        .header(DELIVERY_HEADER, delivery.delivery.id.to_string())
        .body(delivery.delivery.payload.clone())
        .send()
        .await;
    match sent {
        Ok(res) if res.status().is_success() => Answer {
            status: Some(res.status().as_u16()),
            error: None,
        },
        Ok(res) => {
            let status = res.status();
            let note = if status.is_redirection() {
                " (redirects are not followed)"
            } else {
                ""
            };
            Answer {
                status: Some(status.as_u16()),
                error: Some(format!(
                    "the endpoint answered HTTP {}{note}",
                    status.as_u16()
                )),
            }
        }
        // Without the URL: its query may hold a receiver's token.
        Err(e) => Answer {
            status: None,
            error: Some(describe(&e.without_url())),
        },
    }
}

/// A short reason for a failed request, with its causes.
fn describe(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    let mut text = what.to_owned();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
