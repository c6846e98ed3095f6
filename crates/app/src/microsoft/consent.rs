//! Tenant by tenant: admin consent of Countersign's multi-tenant app, proven before anything
//! is saved.
//!
//! The redirect's `tenant` parameter can be forged (Microsoft says never to trust it), so
//! the callback checks the single-use `state` (bound to the session and the integration),
//! then obtains a client-credentials token *for that tenant* and reads `/organization`:
//! only a tenant that really granted consent issues a token, and `/organization` names it.

use super::{MicrosoftError, consent_redirect_uri};
use crate::App;
use crate::audit::Actor;
use countersign_crypto::{hash_token, random_token};
use countersign_domain::{IntegrationId, OAuthStateId, SessionId};
use countersign_microsoft::{ConsentCallback, Credentials, ErrorKind};
use countersign_store::{
    IntegrationStore, LinkKind, NewTenantLink, OAuthPurpose, OAuthState, Technician, TenantLink,
    TenantLinkStore,
};
use secrecy::SecretString;
use serde_json::json;
use std::collections::HashMap;
use std::time::Duration;

/// How long a consent or sign-in round trip may take.
pub(crate) const ROUND_TRIP: Duration = Duration::from_secs(15 * 60);

impl App {
    /// Countersign's own app credentials, or a message saying how to set them.
    pub(crate) fn consent_credentials(&self) -> Result<Credentials, MicrosoftError> {
        let m = &self.settings.microsoft;
        if !m.app_configured() {
            return Err(MicrosoftError::User(
                "tenant-by-tenant consent needs Countersign's own Microsoft app: the server administrator sets [microsoft] client_id and client_secret in the configuration file (or COUNTERSIGN_MICROSOFT__CLIENT_ID / __CLIENT_SECRET) and restarts Countersign".into(),
            ));
        }
        Ok(Credentials {
            client_id: m.client_id.clone(),
            client_secret: SecretString::from(m.client_secret.clone()),
        })
    }

    /// Records a round trip and returns its `state` value (given to Microsoft once).
    pub(crate) async fn new_round_trip(
        &self,
        by: &Technician,
        session: SessionId,
        integration: IntegrationId,
        purpose: OAuthPurpose,
        pkce: Option<(&OAuthStateId, Vec<u8>)>,
    ) -> Result<String, MicrosoftError> {
        let (state, hash) = random_token();
        let now = self.now();
        let id = pkce.as_ref().map_or_else(OAuthStateId::new, |(id, _)| **id);
        self.store
            .create_oauth_state(&OAuthState {
                id,
                org_id: by.org_id,
                integration_id: integration,
                session_id: session,
                state_hash: hash.to_vec(),
                purpose,
                pkce_verifier: pkce.map(|(_, v)| v),
                expires_at: now.plus(ROUND_TRIP),
                created_at: now,
            })
            .await?;
        Ok(state)
    }

    /// Takes the round trip a callback's `state` names, if it is this session's, this
    /// org's and of this purpose. Single use: a replayed callback finds nothing.
    pub(crate) async fn take_round_trip(
        &self,
        by: &Technician,
        session: SessionId,
        state: &str,
        purpose: OAuthPurpose,
    ) -> Result<OAuthState, MicrosoftError> {
        let expired = || {
            MicrosoftError::User(
                "this sign-in link has expired or was already used, or was started in another browser session: start again from the integration page".into(),
            )
        };
        let found = self
            .store
            .take_oauth_state(&hash_token(state), self.now())
            .await?
            .ok_or_else(expired)?;
        if found.org_id != by.org_id || found.session_id != session || found.purpose != purpose {
            return Err(expired());
        }
        Ok(found)
    }

    /// Starts admin consent for `integration`: returns the Microsoft URL to send the
    /// technician to.
    ///
    /// # Errors
    /// Not an admin; `[microsoft]` not configured; not found.
    pub async fn start_consent(
        &self,
        by: &Technician,
        session: SessionId,
        integration: IntegrationId,
    ) -> Result<String, MicrosoftError> {
        if !by.role.can_manage() {
            return Err(MicrosoftError::NotAllowed);
        }
        let creds = self.consent_credentials()?;
        let i = self.store.integration(by.org_id, integration).await?;
        let cloud = self.cloud_of(&i)?;
        let state = self
            .new_round_trip(by, session, integration, OAuthPurpose::Consent, None)
            .await?;
        Ok(self.microsoft.admin_consent_url(
            &cloud,
            &creds.client_id,
            &consent_redirect_uri(&self.settings),
            &state,
        ))
    }

    /// Finishes admin consent from the callback's query. Returns the integration and the
    /// linked tenant. On a cancel, a denial or an error nothing is saved and the message
    /// says what happened.
    ///
    /// # Errors
    /// `User` with the reason; a store failure.
    pub async fn finish_consent(
        &self,
        by: &Technician,
        session: SessionId,
        query: &HashMap<String, String>,
        ip: Option<String>,
    ) -> Result<(IntegrationId, TenantLink), MicrosoftError> {
        let redirect = consent_redirect_uri(&self.settings);
        let cb = match ConsentCallback::parse(query) {
            Ok(cb) => cb,
            Err(e) => {
                // Consume the round trip anyway, so it cannot be completed later.
                if let Some(state) = &e.state {
                    let _ = self
                        .take_round_trip(by, session, state, OAuthPurpose::Consent)
                        .await;
                }
                let err = countersign_microsoft::MsError::Identity(e.error);
                return Err(MicrosoftError::User(match err.kind() {
                    ErrorKind::Declined => "consent was cancelled or declined in Microsoft's page; nothing was saved. Connect to Microsoft 365 again when an admin of the customer tenant is ready to approve".into(),
                    _ => err.user_message(Some(&redirect)),
                }));
            }
        };
        let round = self
            .take_round_trip(by, session, &cb.state, OAuthPurpose::Consent)
            .await?;
        let i = self
            .store
            .integration(by.org_id, round.integration_id)
            .await?;
        let cloud = self.cloud_of(&i)?;
        let creds = self.consent_credentials()?;
        // Only a GUID is a tenant here; anything else in the parameter is refused outright.
        let claimed = uuid::Uuid::parse_str(&cb.claimed_tenant)
            .map_err(|_| {
                MicrosoftError::User(
                    "Microsoft's answer named no valid tenant; nothing was saved".into(),
                )
            })?
            .to_string();
        // The proof: a token for that tenant, and the tenant's own description of itself.
        // A cached token Graph rejects (401) is dropped and one new token asked for (17.7).
        let read_org = || async {
            let token = self.microsoft.app_token(&cloud, &claimed, &creds).await?;
            self.microsoft.organization(&cloud, &claimed, &token).await
        };
        let org = match read_org().await {
            Err(e) if e.kind() == countersign_microsoft::ErrorKind::TokenRejected => {
                self.microsoft.forget_tokens(&cloud, &claimed, &creds, "");
                read_org().await
            }
            other => other,
        }
        .map_err(|e| MicrosoftError::User(e.user_message(Some(&redirect))))?;
        if !org.id.eq_ignore_ascii_case(&claimed) {
            return Err(MicrosoftError::User(
                "the tenant Microsoft issued a token for is not the one the consent named; nothing was saved".into(),
            ));
        }
        let link = self
            .store
            .upsert_tenant_link(
                &NewTenantLink {
                    org_id: by.org_id,
                    integration_id: i.id,
                    tenant_id: claimed.to_ascii_lowercase(),
                    link: LinkKind::AdminConsent,
                    display_name: org.display_name,
                    default_domain: org.default_domain,
                    relationships: String::new(),
                    roles: String::new(),
                },
                self.now(),
            )
            .await?;
        self.audit(
            &Actor::technician(by, ip),
            None,
            "integration.tenant_consented",
            &i.id.to_string(),
            json!({ "tenant_id": link.new.tenant_id, "link_id": link.id.to_string() }),
        )
        .await?;
        Ok((i.id, link))
    }
}
