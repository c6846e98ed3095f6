//! CSP / GDAP: the MSP's own app, a technician's sign-in (authorization code + PKCE,
//! `offline_access`), and the customer tenants its GDAP relationships reach.

use super::{MicrosoftError, aad, cloud_of, gdap_redirect_uri};
use crate::App;
use crate::audit::Actor;
use countersign_domain::{IntegrationId, OAuthStateId, SessionId};
use countersign_microsoft::{
    AccessToken, AuthCodeCallback, ErrorKind, MsError, Pkce, TokenGrant, group_relationships,
};
use countersign_store::{
    GdapCredentials, IntegrationStore, LinkKind, NewTenantLink, OAuthPurpose, SealedColumn,
    Technician, TenantLinkStore,
};
use secrecy::ExposeSecret;
use serde_json::json;
use std::collections::HashMap;

/// What the GDAP dialog submits.
#[derive(Clone, Default)]
pub struct GdapInput {
    /// The CSP tenant's primary domain.
    pub domain: String,
    /// The MSP app's application (client) id.
    pub client_id: String,
    /// Its client secret value.
    pub client_secret: String,
}

impl std::fmt::Debug for GdapInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GdapInput")
            .field("domain", &self.domain)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

fn user(e: &MsError, redirect: &str) -> MicrosoftError {
    MicrosoftError::User(e.user_message(Some(redirect)))
}

impl App {
    /// Resolves the domain, stores the credentials (secret sealed) and returns the
    /// Microsoft sign-in URL.
    ///
    /// # Errors
    /// Not an admin; bad input; unknown domain; not found.
    pub async fn start_gdap(
        &self,
        by: &Technician,
        session: SessionId,
        id: IntegrationId,
        input: &GdapInput,
        ip: Option<String>,
    ) -> Result<String, MicrosoftError> {
        if !by.role.can_manage() {
            return Err(MicrosoftError::NotAllowed);
        }
        let domain = input.domain.trim().to_ascii_lowercase();
        if domain.is_empty() || !domain.contains('.') || domain.contains(['/', ' ', '?', '#']) {
            return Err(MicrosoftError::User(
                "enter the CSP tenant's primary domain, e.g. northwind.onmicrosoft.com".into(),
            ));
        }
        let client_id = input.client_id.trim();
        if uuid::Uuid::parse_str(client_id).is_err() {
            return Err(MicrosoftError::User(
                "the application ID is a GUID like 00000000-0000-0000-0000-000000000000 (Entra ID ▸ App registrations ▸ Overview ▸ Application (client) ID)".into(),
            ));
        }
        let secret = input.client_secret.trim();
        if secret.is_empty() {
            return Err(MicrosoftError::User(
                "enter the client secret's Value (not its ID)".into(),
            ));
        }
        if uuid::Uuid::parse_str(secret).is_ok() {
            return Err(MicrosoftError::User(
                "this looks like the secret's ID, not its Value: in Entra ID ▸ App registrations ▸ Certificates & secrets, copy the Value column".into(),
            ));
        }
        let i = self.store.integration(by.org_id, id).await?;
        let cloud = cloud_of(&i)?;
        let redirect = gdap_redirect_uri(&self.settings, id);
        let partner = match self.microsoft.tenant_id_for_domain(&cloud, &domain).await {
            Ok(t) => t.to_string(),
            Err(e) if e.kind() == ErrorKind::UnknownTenant => {
                return Err(MicrosoftError::User(format!(
                    "Microsoft knows no tenant with the domain {domain}: check the spelling and the cloud of this integration"
                )));
            }
            Err(e) => return Err(user(&e, &redirect)),
        };
        let row = id.to_string();
        let sealed = self.keyring.seal(
            secret.as_bytes(),
            &aad(by.org_id, SealedColumn::IntegrationGdapClientSecret, &row),
        );
        self.store
            .set_gdap_credentials(
                by.org_id,
                id,
                &GdapCredentials {
                    domain: domain.clone(),
                    partner_tenant_id: partner.clone(),
                    client_id: client_id.to_owned(),
                    sealed_secret: sealed,
                },
                self.now(),
            )
            .await?;
        let pkce = Pkce::new_random();
        let state_id = OAuthStateId::new();
        let state_row = state_id.to_string();
        let sealed_verifier = self.keyring.seal(
            pkce.verifier().as_bytes(),
            &aad(by.org_id, SealedColumn::OAuthStatePkceVerifier, &state_row),
        );
        let state = self
            .new_round_trip(
                by,
                session,
                id,
                OAuthPurpose::Gdap,
                Some((&state_id, sealed_verifier)),
                None,
            )
            .await?;
        self.audit(
            &Actor::technician(by, ip),
            None,
            "integration.gdap_credentials_set",
            &id.to_string(),
            json!({ "domain": domain, "client_id": client_id, "partner_tenant_id": partner }),
        )
        .await?;
        Ok(self.microsoft.authorize_url(
            &cloud,
            &partner,
            client_id,
            &redirect,
            &state,
            &pkce.challenge,
        ))
    }

    /// Finishes the GDAP sign-in: checks `state`, redeems the code with the PKCE verifier,
    /// stores the sealed refresh token and lists the GDAP tenants. Returns how many tenants.
    ///
    /// # Errors
    /// `User` with the reason (cancel, wrong secret, redirect URI, ...); nothing is stored
    /// then except the credentials entered before.
    pub async fn finish_gdap(
        &self,
        by: &Technician,
        session: SessionId,
        id: IntegrationId,
        query: &HashMap<String, String>,
        ip: Option<String>,
    ) -> Result<usize, MicrosoftError> {
        let redirect = gdap_redirect_uri(&self.settings, id);
        let cb = match AuthCodeCallback::parse(query) {
            Ok(cb) => cb,
            Err(e) => {
                if let Some(state) = &e.state {
                    let _ = self
                        .take_round_trip(by, session, state, OAuthPurpose::Gdap)
                        .await;
                }
                let err = MsError::Identity(e.error);
                return Err(MicrosoftError::User(match err.kind() {
                    ErrorKind::Declined => "the Microsoft sign-in was cancelled; nothing was saved. Use Connect to Microsoft 365 (GDAP) to try again".into(),
                    _ => err.user_message(Some(&redirect)),
                }));
            }
        };
        let round = self
            .take_round_trip(by, session, &cb.state, OAuthPurpose::Gdap)
            .await?;
        if round.integration_id != id {
            return Err(MicrosoftError::User(
                "this sign-in was started for another integration: start again from its page"
                    .into(),
            ));
        }
        let verifier = self.open_pkce_verifier(by, &round)?;
        let i = self.store.integration(by.org_id, id).await?;
        let cloud = cloud_of(&i)?;
        let creds = self.gdap_credentials(&i)?;
        let partner = i
            .gdap_partner_tenant_id
            .clone()
            .ok_or_else(|| MicrosoftError::Internal("GDAP without partner tenant".into()))?;
        let set = self
            .microsoft
            .token(
                &cloud,
                &partner,
                &creds,
                TokenGrant::AuthorizationCode {
                    code: &cb.code,
                    verifier: &verifier,
                    redirect_uri: &redirect,
                },
            )
            .await
            .map_err(|e| user(&e, &redirect))?;
        let Some(rt) = set.refresh_token.as_ref() else {
            return Err(MicrosoftError::User(
                "Microsoft returned no refresh token: the app must allow the offline_access permission".into(),
            ));
        };
        let row = id.to_string();
        let sealed = self.keyring.seal(
            rt.expose_secret().as_bytes(),
            &aad(by.org_id, SealedColumn::IntegrationGdapRefreshToken, &row),
        );
        self.store
            .save_gdap_sign_in(by.org_id, id, &sealed, self.now())
            .await?;
        let count = self.list_gdap_tenants(by, id, &set.access).await?;
        self.audit(
            &Actor::technician(by, ip),
            None,
            "integration.gdap_signed_in",
            &id.to_string(),
            json!({ "tenants": count }),
        )
        .await?;
        Ok(count)
    }

    /// Lists the partner's active GDAP relationships and links each customer tenant (roles
    /// and relationship names refreshed). Returns how many tenants.
    async fn list_gdap_tenants(
        &self,
        by: &Technician,
        id: IntegrationId,
        partner_token: &AccessToken,
    ) -> Result<usize, MicrosoftError> {
        let i = self.store.integration(by.org_id, id).await?;
        let cloud = cloud_of(&i)?;
        let partner = i.gdap_partner_tenant_id.clone().unwrap_or_default();
        let redirect = gdap_redirect_uri(&self.settings, id);
        let rels = self
            .microsoft
            .gdap_relationships(&cloud, &partner, partner_token)
            .await
            .map_err(|e| user(&e, &redirect))?;
        let tenants = group_relationships(&rels);
        for t in &tenants {
            self.store
                .upsert_tenant_link(
                    &NewTenantLink {
                        org_id: by.org_id,
                        integration_id: id,
                        tenant_id: t.tenant_id.clone(),
                        link: LinkKind::Gdap,
                        display_name: t.display_name.clone(),
                        default_domain: String::new(),
                        relationships: t.relationships.join(", "),
                        roles: t.roles.join(","),
                    },
                    self.now(),
                )
                .await?;
        }
        Ok(tenants.len())
    }

    /// Lists GDAP tenants again with the stored sign-in (the partner tenant's token).
    ///
    /// # Errors
    /// Not an admin; no sign-in; Microsoft's refusal in words.
    pub async fn refresh_gdap_tenants(
        &self,
        by: &Technician,
        id: IntegrationId,
    ) -> Result<usize, MicrosoftError> {
        if !by.role.can_manage() {
            return Err(MicrosoftError::NotAllowed);
        }
        let i = self.store.integration(by.org_id, id).await?;
        let partner = i.gdap_partner_tenant_id.clone().unwrap_or_default();
        let token = self.gdap_token(&i, &partner).await.map_err(|f| match f {
            super::tokens::TokenFailure::Microsoft(e) => {
                user(&e, &gdap_redirect_uri(&self.settings, id))
            }
            super::tokens::TokenFailure::Local(e) => e,
        })?;
        self.list_gdap_tenants(by, id, &token).await
    }
}
