//! The Microsoft 365 reading of a generic integration row: its settings (cloud, sync filters,
//! the GDAP connection) from the row's JSON, its secrets from the row's one sealed value, and
//! the one way to change them: read, change, write back only if nobody wrote since (the
//! row's revision), else read again. So a refresh token rotated by a sync while an admin
//! edits the filters is never lost, and neither is the edit.

use super::{MicrosoftError, aad};
use crate::App;
use countersign_crypto::Keyring;
use countersign_domain::{IntegrationId, OrgId, Timestamp};
use countersign_store::{
    Integration, IntegrationConfig, IntegrationKind, IntegrationStore, SealedColumn,
};
use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

/// Which users a sync skips.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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

/// Where the integration's GDAP (CSP) connection stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GdapStatus {
    /// Never set up.
    None,
    /// Credentials entered; the technician has not finished signing in.
    Pending,
    /// Signed in: a refresh token is stored.
    Connected,
    /// The stored sign-in expired or was revoked: a technician must sign in again.
    SignInAgain,
}

/// GDAP credentials entered in the dialog whose sign-in has not finished (their secret is in
/// the sealed secrets): they replace the working ones only when that sign-in succeeds, so a
/// failed re-connection keeps the working one (issue 17.8).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingGdap {
    /// CSP primary domain.
    pub domain: String,
    /// The partner tenant id it resolved to.
    pub partner_tenant_id: String,
    /// The MSP app's id.
    pub client_id: String,
}

/// A Microsoft 365 integration's configuration: the row's `settings` JSON. Nothing here is
/// secret. (The server's own `[microsoft]` section is `crate::MicrosoftSettings`.)
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MicrosoftConfig {
    /// Cloud kind (stored text of `countersign_microsoft::CloudKind`). Its endpoints come
    /// from the server (national clouds, or the `[microsoft]` Custom entry), never from here.
    pub cloud: String,
    /// Sync filters (flat keys: `skip_guests`, ...).
    #[serde(flatten)]
    pub filters: SyncFilters,
    /// CSP primary domain entered for GDAP.
    pub gdap_domain: Option<String>,
    /// The partner tenant id the domain resolved to.
    pub gdap_partner_tenant_id: Option<String>,
    /// The MSP's own application id.
    pub gdap_client_id: Option<String>,
    /// GDAP state.
    pub gdap_status: GdapStatus,
    /// Why GDAP needs attention.
    pub gdap_error: Option<String>,
    /// A GDAP sign-in started and not finished.
    #[serde(default)]
    pub gdap_pending: Option<PendingGdap>,
}

impl MicrosoftConfig {
    /// A new integration's: this cloud, default filters, no GDAP.
    #[must_use]
    pub fn new(cloud: &str) -> Self {
        Self {
            cloud: cloud.to_owned(),
            filters: SyncFilters::default(),
            gdap_domain: None,
            gdap_partner_tenant_id: None,
            gdap_client_id: None,
            gdap_status: GdapStatus::None,
            gdap_error: None,
            gdap_pending: None,
        }
    }
}

/// A Microsoft 365 integration's secrets: the row's one sealed value, opened at the point of
/// use and wiped when dropped.
#[derive(Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MicrosoftSecrets {
    /// The GDAP app's client secret.
    pub gdap_client_secret: Option<String>,
    /// The technician's refresh token (GDAP, delegated).
    pub gdap_refresh_token: Option<String>,
    /// The client secret of a GDAP sign-in not finished yet.
    pub gdap_pending_client_secret: Option<String>,
}

impl Drop for MicrosoftSecrets {
    fn drop(&mut self) {
        for s in [
            &mut self.gdap_client_secret,
            &mut self.gdap_refresh_token,
            &mut self.gdap_pending_client_secret,
        ]
        .into_iter()
        .flatten()
        {
            s.zeroize();
        }
    }
}

/// An integration of kind Microsoft 365, read.
#[derive(Clone, Debug)]
pub struct MicrosoftIntegration {
    /// Primary key.
    pub id: IntegrationId,
    /// The org.
    pub org_id: OrgId,
    /// Its kind (always Microsoft 365; kept so pages name it like any integration).
    pub kind: IntegrationKind,
    /// Name given by the technician.
    pub name: String,
    /// Its settings.
    pub settings: MicrosoftConfig,
    /// Created.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
    /// The row as read (its revision and sealed secrets).
    row: Integration,
}

impl MicrosoftIntegration {
    /// Reads a row of kind Microsoft 365.
    ///
    /// # Errors
    /// `Internal` for another kind or settings that do not parse (a corrupt row).
    pub fn from_row(row: Integration) -> Result<Self, MicrosoftError> {
        if row.kind != IntegrationKind::Microsoft365 {
            return Err(MicrosoftError::Internal(format!(
                "integration {} is not a Microsoft 365 one",
                row.id
            )));
        }
        let settings: MicrosoftConfig = serde_json::from_str(&row.settings).map_err(|e| {
            MicrosoftError::Internal(format!("integration {} settings: {e}", row.id))
        })?;
        Ok(Self {
            id: row.id,
            org_id: row.org_id,
            kind: row.kind,
            name: row.name.clone(),
            settings,
            created_at: row.created_at,
            updated_at: row.updated_at,
            row,
        })
    }

    /// A new row of kind Microsoft 365 with these settings and no secrets.
    pub(crate) fn new_row(
        org: OrgId,
        name: String,
        settings: &MicrosoftConfig,
        now: Timestamp,
    ) -> Result<Integration, MicrosoftError> {
        Ok(Integration {
            id: IntegrationId::new(),
            org_id: org,
            kind: IntegrationKind::Microsoft365,
            name,
            settings: to_json(settings)?,
            secrets: None,
            revision: 0,
            created_at: now,
            updated_at: now,
        })
    }
}

fn to_json(settings: &MicrosoftConfig) -> Result<String, MicrosoftError> {
    serde_json::to_string(settings)
        .map_err(|e| MicrosoftError::Internal(format!("integration settings: {e}")))
}

/// Opens the sealed secrets of integration `id` of `org` (empty when there are none).
pub(crate) fn open_secrets(
    keyring: &Keyring,
    org: OrgId,
    id: IntegrationId,
    sealed: Option<&[u8]>,
) -> Result<MicrosoftSecrets, MicrosoftError> {
    let Some(sealed) = sealed else {
        return Ok(MicrosoftSecrets::default());
    };
    let row = id.to_string();
    // Zeroizing: the plaintext is wiped when dropped.
    let plain = keyring
        .open(sealed, &aad(org, SealedColumn::IntegrationSecrets, &row))
        .map_err(|e| {
            MicrosoftError::Internal(format!("cannot open the integration's secrets: {e}"))
        })?;
    serde_json::from_slice(&plain).map_err(|e| {
        MicrosoftError::Internal(format!("the integration's secrets do not parse: {e}"))
    })
}

/// Seals secrets for integration `id` of `org` (`integrations.secrets` of that row).
pub(crate) fn seal_secrets(
    keyring: &Keyring,
    org: OrgId,
    id: IntegrationId,
    secrets: &MicrosoftSecrets,
) -> Result<Vec<u8>, MicrosoftError> {
    let mut plain = serde_json::to_vec(secrets)
        .map_err(|e| MicrosoftError::Internal(format!("integration secrets: {e}")))?;
    let row = id.to_string();
    let sealed = keyring.seal(&plain, &aad(org, SealedColumn::IntegrationSecrets, &row));
    plain.zeroize();
    Ok(sealed)
}

/// How many times a change is tried again after someone else wrote first. Writers of one
/// integration are a few admins and its tenants' syncs, so this is never reached in practice;
/// reaching it is reported, not looped on.
const CHANGE_ATTEMPTS: usize = 8;

impl App {
    /// The org's Microsoft 365 integration `id`.
    ///
    /// # Errors
    /// `NotFound` (another org's id too); a corrupt row.
    pub(crate) async fn microsoft_integration(
        &self,
        org: OrgId,
        id: IntegrationId,
    ) -> Result<MicrosoftIntegration, MicrosoftError> {
        MicrosoftIntegration::from_row(self.store.integration(org, id).await?)
    }

    /// The org's Microsoft 365 integrations, oldest first.
    pub(crate) async fn microsoft_integrations(
        &self,
        org: OrgId,
    ) -> Result<Vec<MicrosoftIntegration>, MicrosoftError> {
        self.store
            .integrations(org)
            .await?
            .into_iter()
            .filter(|i| i.kind == IntegrationKind::Microsoft365)
            .map(MicrosoftIntegration::from_row)
            .collect()
    }

    /// Opens an integration's secrets (empty when it has none).
    pub(crate) fn microsoft_secrets(
        &self,
        i: &MicrosoftIntegration,
    ) -> Result<MicrosoftSecrets, MicrosoftError> {
        open_secrets(&self.keyring, i.org_id, i.id, i.row.secrets.as_deref())
    }

    /// Changes an integration's settings and secrets: `change` gets them as stored now and
    /// says whether to write (returning `false` leaves the row alone). Written only if nobody
    /// wrote since they were read; otherwise read again and `change` called again. When the
    /// filters change, the next sync of each tenant is a full round. Returns whether it wrote.
    ///
    /// # Errors
    /// `NotFound`; what `change` returns; a store failure.
    pub(crate) async fn change_microsoft<F>(
        &self,
        org: OrgId,
        id: IntegrationId,
        mut change: F,
    ) -> Result<bool, MicrosoftError>
    where
        F: FnMut(&mut MicrosoftConfig, &mut MicrosoftSecrets) -> Result<bool, MicrosoftError>,
    {
        for _ in 0..CHANGE_ATTEMPTS {
            let i = self.microsoft_integration(org, id).await?;
            let mut settings = i.settings.clone();
            let mut secrets = self.microsoft_secrets(&i)?;
            if !change(&mut settings, &mut secrets)? {
                return Ok(false);
            }
            let has_secrets = secrets != MicrosoftSecrets::default();
            let sealed = if has_secrets {
                Some(seal_secrets(&self.keyring, org, id, &secrets)?)
            } else {
                None
            };
            let json = to_json(&settings)?;
            let config = IntegrationConfig {
                revision: i.row.revision,
                settings: &json,
                secrets: sealed.as_deref(),
                // Other filters change which users are contacts, but a delta round only
                // returns users that changed: the next sync must be a full round.
                forget_cursors: settings.filters != i.settings.filters,
            };
            if self
                .store
                .replace_integration_config(org, id, &config, self.now())
                .await?
            {
                return Ok(true);
            }
        }
        Err(MicrosoftError::Internal(format!(
            "integration {id} kept changing while it was being saved: try again"
        )))
    }
}

/// What tests and benchmarks reach past the use cases: an integration's settings and secrets
/// as stored, and a way to set them as a finished sign-in or an old migration would have.
#[cfg(feature = "test-support")]
impl App {
    /// The integration and its secrets, opened.
    ///
    /// # Errors
    /// `NotFound`; a corrupt row.
    pub async fn inspect_microsoft(
        &self,
        org: OrgId,
        id: IntegrationId,
    ) -> Result<(MicrosoftIntegration, MicrosoftSecrets), MicrosoftError> {
        let i = self.microsoft_integration(org, id).await?;
        let secrets = self.microsoft_secrets(&i)?;
        Ok((i, secrets))
    }

    /// Changes the integration's settings and secrets directly (no permission, no audit).
    ///
    /// # Errors
    /// `NotFound`; a store failure.
    pub async fn seed_microsoft(
        &self,
        org: OrgId,
        id: IntegrationId,
        mut change: impl FnMut(&mut MicrosoftConfig, &mut MicrosoftSecrets),
    ) -> Result<(), MicrosoftError> {
        self.change_microsoft(org, id, |settings, secrets| {
            change(settings, secrets);
            Ok(true)
        })
        .await
        .map(|_| ())
    }
}
