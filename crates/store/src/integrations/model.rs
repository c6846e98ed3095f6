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

/// A configured contact source of an org. What only its kind knows is opaque here: the kind's
/// module (Microsoft 365: `app::microsoft::MicrosoftIntegration`) reads and writes `settings`
/// and `secrets`, so a new kind needs no column and no store method.
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
    /// The kind's settings, JSON text (nothing secret).
    pub settings: String,
    /// The kind's secrets, one sealed value (`integrations.secrets`), if it has any.
    pub secrets: Option<Vec<u8>>,
    /// Bumped by every write of `settings` or `secrets`: what
    /// [`crate::IntegrationStore::replace_integration_config`] compares.
    pub revision: i64,
    /// Created.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

// Hand-written: the sealed value stays out of logs even as ciphertext.
impl std::fmt::Debug for Integration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Integration")
            .field("id", &self.id)
            .field("org_id", &self.org_id)
            .field("kind", &self.kind)
            .field("name", &self.name)
            .field("revision", &self.revision)
            .finish_non_exhaustive()
    }
}

/// A new `settings` and `secrets` of an integration, written only if its revision is still
/// `revision` (the one they were computed from).
#[derive(Clone, PartialEq, Eq)]
pub struct IntegrationConfig<'a> {
    /// The revision read.
    pub revision: i64,
    /// The new settings (JSON text).
    pub settings: &'a str,
    /// The new sealed secrets.
    pub secrets: Option<&'a [u8]>,
    /// Forget the cursors of its sync sources, so the next sync of each is a full round
    /// (the change alters which records are contacts, and a delta round only returns records
    /// that changed).
    pub forget_cursors: bool,
}

/// Sealed values of the columns migration 0027 left behind (each sealed for its own column),
/// waiting for the start-up to carry them into `secrets`.
#[derive(Clone, PartialEq, Eq)]
pub struct LegacyIntegrationSecrets {
    /// The row's org.
    pub org_id: OrgId,
    /// The row.
    pub id: IntegrationId,
    /// Its revision when read.
    pub revision: i64,
    /// `integrations.secrets` as it is (normally empty).
    pub secrets: Option<Vec<u8>>,
    /// `integrations.gdap_client_secret`.
    pub gdap_client_secret: Option<Vec<u8>>,
    /// `integrations.gdap_refresh_token`.
    pub gdap_refresh_token: Option<Vec<u8>>,
    /// `integrations.gdap_pending_client_secret`.
    pub gdap_pending_client_secret: Option<Vec<u8>>,
}

impl std::fmt::Debug for LegacyIntegrationSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LegacyIntegrationSecrets")
            .field("id", &self.id)
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
