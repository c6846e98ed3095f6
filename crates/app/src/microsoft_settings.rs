//! The `[microsoft]` settings: the Countersign multi-tenant app used for tenant-by-tenant
//! admin consent, and the sync engine's schedule and limits. The client secret is redacted in
//! `Debug` and never logged.

use crate::settings::{Settings, SettingsError};
use serde::{Deserialize, Serialize};
use std::time::Duration;

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MicrosoftSettings {
    /// Application (client) id of Countersign's multi-tenant app registration.
    pub client_id: String,
    /// Its client secret value.
    pub client_secret: String,
    /// Minutes between scheduled syncs of each tenant (0: no scheduled sync).
    pub sync_interval_minutes: u32,
    /// Requests in flight to Microsoft from one process, all tenants together.
    pub max_concurrent_requests: u32,
    /// Requests in flight to one tenant.
    pub max_concurrent_requests_per_tenant: u32,
    /// Seconds one request to Microsoft may take.
    pub request_timeout_seconds: u32,
    /// The server's Custom cloud (with `custom_graph_base_url`): the only hosts besides the
    /// national clouds' that an integration ever talks to, set by the operator alone. When
    /// set, Custom is offered and new integrations start on it (the simulator, in
    /// `countersign demo`).
    pub custom_login_base_url: String,
    /// See `custom_login_base_url`.
    pub custom_graph_base_url: String,
}

impl Default for MicrosoftSettings {
    fn default() -> Self {
        Self {
            client_id: String::new(),
            client_secret: String::new(),
            sync_interval_minutes: 240,
            max_concurrent_requests: 32,
            max_concurrent_requests_per_tenant: 2,
            request_timeout_seconds: 30,
            custom_login_base_url: String::new(),
            custom_graph_base_url: String::new(),
        }
    }
}

impl std::fmt::Debug for MicrosoftSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MicrosoftSettings")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &if self.client_secret.is_empty() {
                    ""
                } else {
                    "(set)"
                },
            )
            .field("sync_interval_minutes", &self.sync_interval_minutes)
            .field("max_concurrent_requests", &self.max_concurrent_requests)
            .field(
                "max_concurrent_requests_per_tenant",
                &self.max_concurrent_requests_per_tenant,
            )
            .field("request_timeout_seconds", &self.request_timeout_seconds)
            .field("custom_login_base_url", &self.custom_login_base_url)
            .field("custom_graph_base_url", &self.custom_graph_base_url)
            .finish()
    }
}

impl MicrosoftSettings {
    /// Whether tenant-by-tenant consent can be offered.
    #[must_use]
    pub fn app_configured(&self) -> bool {
        !self.client_id.is_empty() && !self.client_secret.is_empty()
    }

    /// The scheduled sync interval, `None` when off.
    #[must_use]
    pub fn sync_interval(&self) -> Option<Duration> {
        (self.sync_interval_minutes > 0)
            .then(|| Duration::from_secs(u64::from(self.sync_interval_minutes) * 60))
    }
}

impl Settings {
    /// Checks the `[microsoft]` section.
    pub(crate) fn validate_microsoft(&self) -> Result<(), SettingsError> {
        let m = &self.microsoft;
        if m.client_id.is_empty() != m.client_secret.is_empty() {
            return Err(SettingsError::new(
                "microsoft.client_id",
                "set both client_id and client_secret, or neither",
            ));
        }
        if !m.client_id.is_empty() && uuid::Uuid::parse_str(&m.client_id).is_err() {
            return Err(SettingsError::new(
                "microsoft.client_id",
                "must be the application (client) ID, a GUID like 00000000-0000-0000-0000-000000000000",
            ));
        }
        for (key, v) in [
            (
                "microsoft.max_concurrent_requests",
                m.max_concurrent_requests,
            ),
            (
                "microsoft.max_concurrent_requests_per_tenant",
                m.max_concurrent_requests_per_tenant,
            ),
            (
                "microsoft.request_timeout_seconds",
                m.request_timeout_seconds,
            ),
        ] {
            if v == 0 {
                return Err(SettingsError::new(key, "must be at least 1"));
            }
        }
        if m.custom_login_base_url.is_empty() != m.custom_graph_base_url.is_empty() {
            return Err(SettingsError::new(
                "microsoft.custom_login_base_url",
                "set both custom_login_base_url and custom_graph_base_url, or neither",
            ));
        }
        // The server's Custom cloud is where integrations on it send their secrets: an
        // http(s) base URL with a host, nothing else.
        for (key, v) in [
            ("microsoft.custom_login_base_url", &m.custom_login_base_url),
            ("microsoft.custom_graph_base_url", &m.custom_graph_base_url),
        ] {
            if v.is_empty() {
                continue;
            }
            let ok = url::Url::parse(v).is_ok_and(|u| {
                matches!(u.scheme(), "http" | "https")
                    && u.host_str().is_some()
                    && u.query().is_none()
                    && u.fragment().is_none()
                    && u.username().is_empty()
                    && u.password().is_none()
            });
            if !ok {
                return Err(SettingsError::new(
                    key,
                    "must be an http(s) base URL with a host and no query, e.g. https://login.example.com",
                ));
            }
        }
        Ok(())
    }
}
