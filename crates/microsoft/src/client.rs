//! The shared HTTP side: one connection pool, retries, concurrency limits and the token
//! cache, for every integration of the server (the cloud is an argument of each call).

use crate::error::MsError;
use crate::retry::RetryPolicy;
use crate::tokens::TokenCache;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::Semaphore;

/// How urgent a Graph request is (`x-ms-throttle-priority`): background sync is `Low` so a
/// technician's edit (`High`) is served first when a tenant nears its quota.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Priority {
    /// Background sync.
    Low,
    /// Interactive reads.
    Normal,
    /// A technician's write.
    High,
}

impl Priority {
    fn header(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Normal => "normal",
            Self::High => "high",
        }
    }
}

/// Client settings.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// Time one HTTP request may take.
    pub timeout: Duration,
    /// Retries of throttled, failed and timed-out requests.
    pub retry: RetryPolicy,
    /// Requests in flight to Microsoft from this process, all tenants together.
    pub global_concurrency: usize,
    /// Requests in flight to one tenant.
    pub per_tenant_concurrency: usize,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            global_concurrency: 32,
            per_tenant_concurrency: 2,
        }
    }
}

/// A client of the identity platform and Graph. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Microsoft {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) config: ClientConfig,
    global: Semaphore,
    per_tenant: Mutex<HashMap<String, Arc<Semaphore>>>,
    pub(crate) tokens: TokenCache,
}

/// An answer read to the end.
pub(crate) struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Microsoft {
    /// A client with its own connection pool.
    ///
    /// # Errors
    /// The TLS backend cannot start.
    pub fn new(config: ClientConfig) -> Result<Self, MsError> {
        let http = reqwest::Client::builder()
            // Never follow redirects with a bearer token or a client secret attached (the
            // oauth2 crate's SSRF advice); Microsoft's APIs answer directly.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("Countersign/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| MsError::Protocol(format!("HTTP client: {e}")))?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                global: Semaphore::new(config.global_concurrency.max(1)),
                per_tenant: Mutex::new(HashMap::new()),
                config,
                tokens: TokenCache::default(),
            }),
        })
    }

    fn tenant_gate(&self, tenant: &str) -> Arc<Semaphore> {
        let mut map = self
            .inner
            .per_tenant
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        map.entry(tenant.to_owned())
            .or_insert_with(|| {
                Arc::new(Semaphore::new(
                    self.inner.config.per_tenant_concurrency.max(1),
                ))
            })
            .clone()
    }

    /// Sends the request `build` makes (once per attempt), retrying 429 (after
    /// `Retry-After`), 5xx and network failures; returns any other answer as it is.
    pub(crate) async fn execute(
        &self,
        tenant: &str,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<Answer, MsError> {
        let policy = &self.inner.config.retry;
        let gate = self.tenant_gate(tenant);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let outcome = {
                // Permits are held for the request only, not while waiting to retry, so a
                // throttled tenant does not keep others waiting.
                let _tenant = gate.acquire().await;
                let _global = self.inner.global.acquire().await;
                send(build(&self.inner.http)).await
            };
            let last = attempt >= policy.max_attempts;
            let wait = match outcome {
                Ok(a) if a.status == 429 || a.status == 503 || a.status == 504 => {
                    if last {
                        return Ok(a);
                    }
                    match retry_after(&a.headers) {
                        Some(secs) => match policy.retry_after(secs) {
                            Some(d) => d,
                            None => return Ok(a),
                        },
                        None => policy.backoff(attempt),
                    }
                }
                Ok(a) if a.status >= 500 && !last => policy.backoff(attempt),
                Ok(a) => return Ok(a),
                Err(e) if last => return Err(MsError::Unavailable(e)),
                Err(_) => policy.backoff(attempt),
            };
            tracing::debug!(
                attempt,
                wait_ms = wait.as_millis() as u64,
                "retrying a Microsoft request"
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// The `x-ms-throttle-priority` header value.
    pub(crate) fn priority_header(p: Priority) -> &'static str {
        p.header()
    }
}

async fn send(req: reqwest::RequestBuilder) -> Result<Answer, String> {
    // The error text of reqwest names the URL but never headers or bodies, so no secret.
    let resp = req.send().await.map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.text().await.map_err(|e| e.to_string())?;
    Ok(Answer {
        status,
        headers,
        body,
    })
}

fn retry_after(headers: &HeaderMap) -> Option<u64> {
    headers.get(RETRY_AFTER)?.to_str().ok()?.trim().parse().ok()
}
