//! Tenant by tenant: admin consent of Countersign's multi-tenant app, proven before anything
//! is saved.
//!
//! The redirect's `tenant` parameter can be forged (Microsoft says never to trust it): an
//! admin of another org could name a tenant that consented to the shared app for someone
//! else, and a client-credentials token for it would be issued all the same. So the consent
//! callback checks the single-use `state` (bound to the session and the integration) and
//! continues the same browser flow with an OpenID Connect sign-in to the named tenant
//! (`nonce`, PKCE, a second single-use `state`; `consent_sign_in.rs`). Only when the signed
//! `id_token` of that sign-in says `tid` = the named tenant is it linked, after a
//! client-credentials token for it and its `/organization` (which names it) — issue 17.1.

use super::{
    LinkKind, MicrosoftError, MicrosoftIntegration, NewTenantLink, TenantLink, aad,
    consent_redirect_uri,
};
use crate::{App, Principal};
use countersign_crypto::{hash_token, random_token};
use countersign_domain::{IntegrationId, OAuthStateId, Permission, SessionId};
use countersign_microsoft::{
    CallbackError, Cloud, ConsentCallback, Credentials, ErrorKind, Nonce, Pkce,
};
use countersign_store::{IntegrationStore, OAuthPurpose, OAuthState, SealedColumn};
use secrecy::SecretString;
use serde_json::json;
use std::collections::HashMap;
use std::time::Duration;

/// Where a consent callback leads.
#[derive(Debug)]
pub enum ConsentStep {
    /// Step 1 done: send the browser to Microsoft's sign-in to the consenting tenant.
    SignIn(String),
    /// Step 2 done: the tenant is proven and linked.
    Linked(IntegrationId, Box<TenantLink>),
}

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
        by: &Principal,
        session: SessionId,
        integration: IntegrationId,
        purpose: OAuthPurpose,
        pkce: Option<(&OAuthStateId, Vec<u8>)>,
        proof: Option<(String, Vec<u8>)>,
    ) -> Result<String, MicrosoftError> {
        let (tenant_id, nonce_hash) = proof.unzip();
        let (state, hash) = random_token();
        let now = self.now();
        let id = pkce.as_ref().map_or_else(OAuthStateId::new, |(id, _)| **id);
        self.store
            .create_oauth_state(&OAuthState {
                id,
                org_id: by.org_id(),
                integration_id: integration,
                session_id: session,
                state_hash: hash.to_vec(),
                purpose,
                pkce_verifier: pkce.map(|(_, v)| v),
                tenant_id,
                nonce_hash,
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
        by: &Principal,
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
        if found.org_id != by.org_id() || found.session_id != session || found.purpose != purpose {
            return Err(expired());
        }
        Ok(found)
    }

    /// The integration of a consent round trip, its cloud and the consent app's credentials.
    pub(crate) async fn consent_context(
        &self,
        by: &Principal,
        round: &OAuthState,
    ) -> Result<(MicrosoftIntegration, Cloud, Credentials), MicrosoftError> {
        let i = self
            .microsoft_integration(by.org_id(), round.integration_id)
            .await?;
        let cloud = self.cloud_of(&i)?;
        Ok((i, cloud, self.consent_credentials()?))
    }

    /// Opens the sealed PKCE verifier of a sign-in round trip.
    pub(crate) fn open_pkce_verifier(
        &self,
        by: &Principal,
        round: &OAuthState,
    ) -> Result<String, MicrosoftError> {
        let state_row = round.id.to_string();
        let verifier = round
            .pkce_verifier
            .as_ref()
            .ok_or_else(|| MicrosoftError::Internal("sign-in round trip without PKCE".into()))
            .and_then(|v| {
                self.keyring
                    .open(
                        v,
                        &aad(
                            by.org_id(),
                            SealedColumn::OAuthStatePkceVerifier,
                            &state_row,
                        ),
                    )
                    .map_err(|e| MicrosoftError::Internal(format!("PKCE verifier: {e}")))
            })?;
        String::from_utf8(verifier.to_vec())
            .map_err(|_| MicrosoftError::Internal("PKCE verifier is not text".into()))
    }

    /// Starts admin consent for `integration`: returns the Microsoft URL to send the
    /// technician to.
    ///
    /// # Errors
    /// `Denied` without `ManageIntegrations`; `[microsoft]` not configured; not found.
    pub async fn start_consent(
        &self,
        by: &Principal,
        session: SessionId,
        integration: IntegrationId,
    ) -> Result<String, MicrosoftError> {
        by.require(Permission::ManageIntegrations)?;
        let creds = self.consent_credentials()?;
        let i = self.microsoft_integration(by.org_id(), integration).await?;
        let cloud = self.cloud_of(&i)?;
        let state = self
            .new_round_trip(by, session, integration, OAuthPurpose::Consent, None, None)
            .await?;
        Ok(self.microsoft.admin_consent_url(
            &cloud,
            &creds.client_id,
            &consent_redirect_uri(&self.settings),
            &state,
        ))
    }

    /// Takes up a callback from Microsoft at the consent redirect URI: the admin-consent
    /// redirect (step 1) answers with the OpenID Connect sign-in that must prove its tenant;
    /// that sign-in's redirect (step 2, `?code=…`) links the tenant once proven. On a cancel,
    /// a denial or an error nothing is saved and the message says what happened.
    ///
    /// # Errors
    /// `Denied` without `ManageIntegrations`; `User` with the reason; a store failure.
    pub async fn finish_consent(
        &self,
        by: &Principal,
        session: SessionId,
        query: &HashMap<String, String>,
    ) -> Result<ConsentStep, MicrosoftError> {
        by.require(Permission::ManageIntegrations)?;
        let redirect = consent_redirect_uri(&self.settings);
        if let Some(e) = CallbackError::of(query) {
            return Err(self.consent_refused(by, session, &e, &redirect).await);
        }
        if query.contains_key("code") {
            let (id, link) = self.finish_consent_sign_in(by, session, query).await?;
            return Ok(ConsentStep::Linked(id, Box::new(link)));
        }
        let cb = match ConsentCallback::parse(query) {
            Ok(cb) => cb,
            Err(e) => return Err(self.consent_refused(by, session, &e, &redirect).await),
        };
        let round = self
            .take_round_trip(by, session, &cb.state, OAuthPurpose::Consent)
            .await?;
        let (i, cloud, creds) = self.consent_context(by, &round).await?;
        // Only a GUID is a tenant here; anything else in the parameter is refused outright.
        let claimed = uuid::Uuid::parse_str(&cb.claimed_tenant)
            .map_err(|_| {
                MicrosoftError::User(
                    "Microsoft's answer named no valid tenant; nothing was saved".into(),
                )
            })?
            .to_string();
        // The redirect's `tenant` proves nothing: the same browser flow goes on to sign in to
        // that tenant, and only the signed id_token of that sign-in links it (step 2).
        let pkce = Pkce::new_random();
        let nonce = Nonce::new_random();
        let state_id = OAuthStateId::new();
        let sealed_verifier = self.keyring.seal(
            pkce.verifier().as_bytes(),
            &aad(
                by.org_id(),
                SealedColumn::OAuthStatePkceVerifier,
                &state_id.to_string(),
            ),
        );
        let state = self
            .new_round_trip(
                by,
                session,
                i.id,
                OAuthPurpose::ConsentSignIn,
                Some((&state_id, sealed_verifier)),
                Some((claimed.clone(), nonce.hash.to_vec())),
            )
            .await?;
        Ok(ConsentStep::SignIn(self.microsoft.openid_sign_in_url(
            &cloud,
            &claimed,
            &creds.client_id,
            &redirect,
            &state,
            &nonce.value,
            &pkce.challenge,
        )))
    }

    /// A redirect that carries an error (either step) or lacks a parameter: its round trip
    /// is consumed, so it cannot be completed later, and the message fits the step.
    async fn consent_refused(
        &self,
        by: &Principal,
        session: SessionId,
        e: &CallbackError,
        redirect: &str,
    ) -> MicrosoftError {
        let mut step = OAuthPurpose::Consent;
        if let Some(state) = &e.state
            && let Ok(Some(round)) = self
                .store
                .take_oauth_state(&hash_token(state), self.now())
                .await
            && round.org_id == by.org_id()
            && round.session_id == session
        {
            step = round.purpose;
        }
        let err = countersign_microsoft::MsError::Identity(e.error.clone());
        MicrosoftError::User(match (err.kind(), step) {
            (ErrorKind::Declined, OAuthPurpose::ConsentSignIn) => "the Microsoft sign-in that proves the consent was cancelled; nothing was linked. Connect to Microsoft 365 again and sign in with an account of the customer tenant".into(),
            (ErrorKind::Declined, _) => "consent was cancelled or declined in Microsoft's page; nothing was saved. Connect to Microsoft 365 again when an admin of the customer tenant is ready to approve".into(),
            _ => err.user_message(Some(redirect)),
        })
    }

    /// Links a tenant whose consent is proven: a client-credentials token for it (only a
    /// tenant that granted consent issues one) and its `/organization` (names it).
    pub(super) async fn link_consented_tenant(
        &self,
        by: &Principal,
        i: &MicrosoftIntegration,
        tenant: &str,
        signed_in: Option<String>,
    ) -> Result<(IntegrationId, TenantLink), MicrosoftError> {
        let redirect = consent_redirect_uri(&self.settings);
        let cloud = self.cloud_of(i)?;
        let creds = self.consent_credentials()?;
        // A cached token Graph rejects (401) is dropped and one new token asked for (17.7).
        let read_org = || async {
            let token = self.microsoft.app_token(&cloud, tenant, &creds).await?;
            self.microsoft.organization(&cloud, tenant, &token).await
        };
        let org = match read_org().await {
            Err(e) if e.kind() == countersign_microsoft::ErrorKind::TokenRejected => {
                self.microsoft.forget_tokens(&cloud, tenant, &creds, "");
                read_org().await
            }
            other => other,
        }
        .map_err(|e| MicrosoftError::User(e.user_message(Some(&redirect))))?;
        if !org.id.eq_ignore_ascii_case(tenant) {
            return Err(MicrosoftError::User(
                "the tenant Microsoft issued a token for is not the one the consent named; nothing was saved".into(),
            ));
        }
        let link = self
            .upsert_tenant_link(
                &NewTenantLink {
                    org_id: by.org_id(),
                    integration_id: i.id,
                    tenant_id: tenant.to_ascii_lowercase(),
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
            &by.actor(),
            None,
            "integration.tenant_consented",
            &i.id.to_string(),
            json!({
                "tenant_id": link.new.tenant_id,
                "link_id": link.id.to_string(),
                "signed_in_oid": signed_in,
            }),
        )
        .await?;
        Ok((i.id, link))
    }
}
