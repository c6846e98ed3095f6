//! Microsoft 365 integrations: creating and configuring them, connecting tenants (admin
//! consent, GDAP sign-in), Microsoft 365 as a contact source of the directory engine
//! (`source.rs`: Graph delta paging), its jobs, and write-back.
//!
//! Secrets (the GDAP app's client secret, the technician's refresh token, PKCE verifiers)
//! are sealed with an AAD naming org, table, column and row, opened only at the point of
//! use, and never logged or audited.

mod config;
mod consent;
mod consent_sign_in;
mod gdap;
mod integrations;
mod jobs;
mod legacy;
mod source;
mod tenants;
mod tokens;
mod unlink;
mod views;
mod write_back;

pub use crate::directory::SyncOutcome;
pub use config::{
    GdapStatus, MicrosoftConfig, MicrosoftIntegration, MicrosoftSecrets, PendingGdap, SyncFilters,
};
pub use consent::ConsentStep;
pub use countersign_microsoft::AppRegistration;
pub use gdap::GdapInput;
pub use integrations::IntegrationInput;
pub use jobs::SyncJobOutcome;
pub use legacy::carry_legacy_secrets;
pub use source::{Microsoft365, Microsoft365Run};
pub use tenants::{LinkKind, NewTenantLink, TenantLink, TenantLinkId};
pub use unlink::{Unlinked, parse_retention_days};
pub use views::{IntegrationCard, IntegrationView};

use crate::Settings;
use countersign_crypto::SealAad;
use countersign_domain::{IntegrationId, OrgId};
use countersign_microsoft::{ClientConfig, Cloud, CloudKind, Microsoft, MsError, RetryPolicy};
use countersign_store::{SealedColumn, StoreError};
use std::time::Duration;

/// Builds the process's Microsoft client from `[microsoft]`.
///
/// # Errors
/// The HTTP client cannot start.
pub fn client_for(settings: &Settings) -> Result<Microsoft, MsError> {
    let m = &settings.microsoft;
    Microsoft::new(ClientConfig {
        timeout: Duration::from_secs(u64::from(m.request_timeout_seconds)),
        retry: RetryPolicy::default(),
        global_concurrency: m.max_concurrent_requests as usize,
        per_tenant_concurrency: m.max_concurrent_requests_per_tenant as usize,
    })
}

/// What a Microsoft 365 use case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum MicrosoftError {
    /// Something the technician can act on (bad input, Microsoft's refusal in words).
    #[error("{0}")]
    User(String),
    /// No such integration or tenant (for this org).
    #[error("not found")]
    NotFound,
    /// The principal lacks the permission (managing integrations is for admins).
    #[error(transparent)]
    Denied(#[from] crate::Denied),
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
    /// A bug or a corrupt row.
    #[error("{0}")]
    Internal(String),
}

impl From<StoreError> for MicrosoftError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            other => Self::Store(other),
        }
    }
}

/// The server's Custom cloud: `[microsoft] custom_login_base_url` and
/// `custom_graph_base_url`, set by the operator (the simulator, in the demo and tests).
/// `None` when the server offers none.
#[must_use]
pub fn server_custom_cloud(settings: &Settings) -> Option<Cloud> {
    let m = &settings.microsoft;
    (!m.custom_login_base_url.is_empty() && !m.custom_graph_base_url.is_empty())
        .then(|| Cloud::custom(&m.custom_login_base_url, &m.custom_graph_base_url))
}

/// The clouds an org admin may pick: the national clouds and, when the server has one,
/// its Custom entry. Nobody but the operator names a host (issue 17.2).
#[must_use]
pub fn offered_clouds(settings: &Settings) -> Vec<CloudKind> {
    CloudKind::ALL
        .into_iter()
        .filter(|k| *k != CloudKind::Custom || server_custom_cloud(settings).is_some())
        .collect()
}

/// What an integration on the Custom cloud says when the server offers none.
pub const NO_CUSTOM_CLOUD: &str = "this integration's cloud is Custom, which this server does not offer (only its operator can set one, in the server's [microsoft] configuration): pick the integration's cloud again in its settings";

impl crate::App {
    /// The cloud an integration talks to: a national cloud's well-known hosts, or the
    /// server's Custom entry. No host stored with an integration is ever used.
    ///
    /// # Errors
    /// `User` for Custom when the server offers none; `Internal` for a stored cloud kind we
    /// do not know (a corrupt row).
    pub fn cloud_of(&self, i: &MicrosoftIntegration) -> Result<Cloud, MicrosoftError> {
        let cloud = &i.settings.cloud;
        let kind = CloudKind::parse(cloud)
            .ok_or_else(|| MicrosoftError::Internal(format!("unknown cloud {cloud:?}")))?;
        match Cloud::national(kind) {
            Some(c) => Ok(c),
            None => server_custom_cloud(&self.settings)
                .ok_or_else(|| MicrosoftError::User(NO_CUSTOM_CLOUD.into())),
        }
    }
}

/// The AAD of a sealed column of a row.
pub(crate) fn aad<'a>(org: OrgId, column: SealedColumn, row_id: &'a str) -> SealAad<'a> {
    let (table, column) = column.table_column();
    SealAad {
        org_id: Some(org),
        table,
        column,
        row_id,
    }
}

/// `{public_url}/integrations/consent/callback`: the one redirect URI of the multi-tenant
/// app (the `state` says which integration a consent is for).
#[must_use]
pub fn consent_redirect_uri(settings: &Settings) -> String {
    consent_redirect_uri_for(&settings.server.public_url)
}

/// [`consent_redirect_uri`] for a public URL.
#[must_use]
pub fn consent_redirect_uri_for(public_url: &str) -> String {
    format!(
        "{}/integrations/consent/callback",
        public_url.trim_end_matches('/')
    )
}

/// `{public_url}/integrations/psa/{id}/gdap/callback`: the redirect URI an MSP registers
/// in its own app for this integration.
#[must_use]
pub fn gdap_redirect_uri(settings: &Settings, id: IntegrationId) -> String {
    format!(
        "{}/integrations/psa/{id}/gdap/callback",
        settings.server.public_url.trim_end_matches('/')
    )
}

/// Application permissions the multi-tenant app needs (admin consent).
pub const CONSENT_PERMISSIONS: &[&str] = &["User.ReadWrite.All", "Organization.Read.All"];

/// Delegated permissions the MSP's own app needs (GDAP).
pub const GDAP_PERMISSIONS: &[&str] = &[
    "User.ReadWrite.All",
    "Organization.Read.All",
    "DelegatedAdminRelationship.Read.All",
    "offline_access",
];

impl crate::UseCaseError for MicrosoftError {
    fn kind(&self) -> crate::ErrorKind {
        use crate::{ErrorKind as K, Refusal};
        match self {
            // Input the admin can fix, or what Microsoft said in words: shown with the form.
            Self::User(_) => K::Invalid,
            Self::NotFound => K::NotFound,
            Self::Denied(_) => K::Forbidden(Refusal::Permission),
            Self::Store(e) => crate::UseCaseError::kind(e),
            Self::Internal(_) => K::Internal,
        }
    }
}
