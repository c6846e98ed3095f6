//! Integrations (contact sources of an org) and pending consent/sign-in round trips. The
//! companies linked through an integration, with their sync state, are in
//! [`crate::sync_sources`].

use crate::SourceKind;
use countersign_domain::{IntegrationId, OAuthStateId, OrgId, SessionId, Timestamp};

/// What kind of source an integration is (PSAs come later).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IntegrationKind {
    /// Microsoft 365 (Entra ID), by admin consent and/or GDAP.
    Microsoft365,
}

impl IntegrationKind {
    /// Every kind, in the order the Add dialog lists them.
    pub const ALL: [Self; 1] = [Self::Microsoft365];

    /// The stored text (also the form value).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Microsoft365 => "microsoft365",
        }
    }

    /// Parses the stored text.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// What the UI calls it.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Microsoft365 => "Microsoft 365",
        }
    }

    /// The source its customers and contacts carry.
    #[must_use]
    pub fn source(self) -> SourceKind {
        match self {
            Self::Microsoft365 => SourceKind::Microsoft365,
        }
    }
}

/// Where the integration's GDAP (CSP) connection stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GdapStatus {
    /// Never set up.
    None,
    /// Credentials entered; the technician has not finished signing in.
    Pending,
    /// Signed in: a sealed refresh token is stored.
    Connected,
    /// The stored sign-in expired or was revoked: a technician must sign in again.
    SignInAgain,
}

impl GdapStatus {
    /// The stored text.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Pending => "pending",
            Self::Connected => "connected",
            Self::SignInAgain => "sign_in_again",
        }
    }

    /// Parses the stored text.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::None,
            Self::Pending,
            Self::Connected,
            Self::SignInAgain,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// Which contacts a sync skips.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyncFilters {
    /// Skip guest (B2B) accounts.
    pub skip_guests: bool,
    /// Skip accounts whose sign-in is blocked.
    pub skip_disabled: bool,
    /// Skip accounts without a licence.
    pub skip_unlicensed: bool,
}

impl Default for SyncFilters {
    fn default() -> Self {
        Self {
            skip_guests: true,
            skip_disabled: true,
            skip_unlicensed: false,
        }
    }
}

/// The cloud and filters of an integration, as its settings form sets them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntegrationSettings {
    /// Cloud kind (stored text). Custom means the server's own `[microsoft]` Custom entry:
    /// no host is ever stored with an integration (issue 17.2).
    pub cloud: String,
    /// Sync filters.
    pub filters: SyncFilters,
}

/// GDAP credentials entered in the dialog, the secret already sealed for its row.
#[derive(Clone, PartialEq, Eq)]
pub struct GdapCredentials {
    /// CSP primary domain.
    pub domain: String,
    /// The partner tenant id it resolved to.
    pub partner_tenant_id: String,
    /// The MSP app's id.
    pub client_id: String,
    /// The sealed client secret.
    pub sealed_secret: Vec<u8>,
}

impl std::fmt::Debug for GdapCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GdapCredentials")
            .field("domain", &self.domain)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// A configured contact source of an org.
#[derive(Clone, PartialEq, Eq)]
pub struct Integration {
    /// Primary key (at the end of `/integrations/psa/{id}`).
    pub id: IntegrationId,
    /// The org.
    pub org_id: OrgId,
    /// Its kind.
    pub kind: IntegrationKind,
    /// Name given by the technician.
    pub name: String,
    /// Cloud kind (stored text of `countersign_microsoft::CloudKind`). Its endpoints come
    /// from the server (national clouds, or the `[microsoft]` Custom entry), never from the row.
    pub cloud: String,
    /// Sync filters.
    pub filters: SyncFilters,
    /// CSP primary domain entered for GDAP.
    pub gdap_domain: Option<String>,
    /// The partner tenant id the domain resolved to.
    pub gdap_partner_tenant_id: Option<String>,
    /// The MSP's own application id.
    pub gdap_client_id: Option<String>,
    /// Its client secret, sealed (`integrations.gdap_client_secret`).
    pub gdap_client_secret: Option<Vec<u8>>,
    /// The technician's refresh token, sealed (`integrations.gdap_refresh_token`).
    pub gdap_refresh_token: Option<Vec<u8>>,
    /// GDAP state.
    pub gdap_status: GdapStatus,
    /// Credentials entered in the GDAP dialog whose sign-in has not finished (secret sealed
    /// as `integrations.gdap_pending_client_secret`): they replace the ones above only when
    /// that sign-in succeeds, so a failed re-connection keeps the working one.
    pub gdap_pending: Option<GdapCredentials>,
    /// Why GDAP needs attention.
    pub gdap_error: Option<String>,
    /// Created.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

// Hand-written: the sealed values stay out of logs even as ciphertext.
impl std::fmt::Debug for Integration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Integration")
            .field("id", &self.id)
            .field("org_id", &self.org_id)
            .field("kind", &self.kind)
            .field("name", &self.name)
            .field("cloud", &self.cloud)
            .field("gdap_status", &self.gdap_status)
            .finish_non_exhaustive()
    }
}

/// What a consent or sign-in round trip is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OAuthPurpose {
    /// Tenant-by-tenant admin consent.
    Consent,
    /// The OpenID Connect sign-in that proves an admin consent's tenant (issue 17.1).
    ConsentSignIn,
    /// GDAP sign-in (authorization code + PKCE).
    Gdap,
}

impl OAuthPurpose {
    /// The stored text.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Consent => "consent",
            Self::ConsentSignIn => "consent_sign_in",
            Self::Gdap => "gdap",
        }
    }

    /// Parses the stored text.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Consent, Self::ConsentSignIn, Self::Gdap]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

/// A pending round trip, found again by the hash of its `state`.
#[derive(Clone, PartialEq, Eq)]
pub struct OAuthState {
    /// Primary key.
    pub id: OAuthStateId,
    /// The org.
    pub org_id: OrgId,
    /// The integration it is for.
    pub integration_id: IntegrationId,
    /// The session that started it (the callback must come in the same session).
    pub session_id: SessionId,
    /// SHA-256 of the `state` value.
    pub state_hash: Vec<u8>,
    /// What it is for.
    pub purpose: OAuthPurpose,
    /// The sealed PKCE verifier (`oauth_states.pkce_verifier`), for sign-in.
    pub pkce_verifier: Option<Vec<u8>>,
    /// The tenant a consent sign-in must prove (named by the admin-consent redirect).
    pub tenant_id: Option<String>,
    /// SHA-256 of the `nonce` a consent sign-in's `id_token` must carry.
    pub nonce_hash: Option<Vec<u8>>,
    /// After this it is refused.
    pub expires_at: Timestamp,
    /// Created.
    pub created_at: Timestamp,
}

impl std::fmt::Debug for OAuthState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthState")
            .field("id", &self.id)
            .field("integration_id", &self.integration_id)
            .field("purpose", &self.purpose)
            .finish_non_exhaustive()
    }
}
