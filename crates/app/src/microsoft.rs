//! Microsoft 365 integrations: creating and configuring them, connecting tenants (admin
//! consent, GDAP sign-in), the per-tenant sync engine and its jobs, and write-back.
//!
//! Secrets (the GDAP app's client secret, the technician's refresh token, PKCE verifiers)
//! are sealed with an AAD naming org, table, column and row, opened only at the point of
//! use, and never logged or audited.

mod consent;
mod consent_sign_in;
mod gdap;
mod integrations;
mod jobs;
mod sweep;
mod sync;
mod tokens;
mod write_back;

pub use consent::ConsentStep;
pub use gdap::GdapInput;
pub use integrations::IntegrationInput;
pub use jobs::{SYNC_TENANT_JOB, SyncJobOutcome, SyncTenantPayload, run_scheduler};
pub use sync::SyncOutcome;

use crate::Settings;
use countersign_crypto::SealAad;
use countersign_domain::{IntegrationId, OrgId};
use countersign_microsoft::{ClientConfig, Cloud, CloudKind, Microsoft, MsError, RetryPolicy};
use countersign_store::{Integration, SealedColumn, StoreError};
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
    /// Only admins manage integrations.
    #[error("only admins can manage integrations")]
    NotAllowed,
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

impl MicrosoftError {
    /// Whether the message is for the technician (else it is an internal failure).
    #[must_use]
    pub fn is_user_error(&self) -> bool {
        matches!(self, Self::User(_))
    }
}

/// The cloud an integration talks to.
///
/// # Errors
/// A stored cloud kind we do not know (a corrupt row).
pub fn cloud_of(i: &Integration) -> Result<Cloud, MicrosoftError> {
    let kind = CloudKind::parse(&i.cloud)
        .ok_or_else(|| MicrosoftError::Internal(format!("unknown cloud {:?}", i.cloud)))?;
    Ok(
        Cloud::national(kind)
            .unwrap_or_else(|| Cloud::custom(&i.login_base_url, &i.graph_base_url)),
    )
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
