//! Step 2 of tenant-by-tenant consent: the OpenID Connect sign-in to the tenant the consent
//! redirect named. Its code is redeemed (client secret, PKCE verifier) at that tenant's token
//! endpoint, and the `id_token` is verified against the cloud's discovery document (RS256 key
//! by `kid`, `iss`, `aud`, `exp`/`nbf`, this flow's `nonce`) and must say `tid` = that
//! tenant. Only then is the tenant linked (issue 17.1).

use super::TenantLink;
use super::{MicrosoftError, consent_redirect_uri};
use crate::{App, Principal};
use countersign_domain::{IntegrationId, SessionId};
use countersign_microsoft::{AuthCodeCallback, IdTokenExpectations, SignInProofError, TokenGrant};
use countersign_store::OAuthPurpose;
use secrecy::ExposeSecret;
use serde_json::json;
use std::collections::HashMap;

impl App {
    /// Redeems the sign-in's code, proves the tenant with its `id_token`, then links it.
    pub(super) async fn finish_consent_sign_in(
        &self,
        by: &Principal,
        session: SessionId,
        query: &HashMap<String, String>,
    ) -> Result<(IntegrationId, TenantLink), MicrosoftError> {
        let redirect = consent_redirect_uri(&self.settings);
        let cb = AuthCodeCallback::parse(query).map_err(|e| MicrosoftError::User(e.to_string()))?;
        let round = self
            .take_round_trip(by, session, &cb.state, OAuthPurpose::ConsentSignIn)
            .await?;
        let (Some(tenant), Some(nonce_hash)) = (round.tenant_id.clone(), round.nonce_hash.clone())
        else {
            return Err(MicrosoftError::Internal(
                "consent sign-in round trip without tenant or nonce".into(),
            ));
        };
        let verifier = self.open_pkce_verifier(by, &round)?;
        let (i, cloud, creds) = self.consent_context(by, &round).await?;
        let set = self
            .microsoft
            .token(
                &cloud,
                &tenant,
                &creds,
                TokenGrant::OpenIdCode {
                    code: &cb.code,
                    verifier: &verifier,
                    redirect_uri: &redirect,
                },
            )
            .await
            .map_err(|e| nothing_linked(&e.user_message(Some(&redirect))))?;
        let Some(id_token) = set.id_token else {
            return Err(MicrosoftError::User(
                "Microsoft's sign-in returned no id_token, so the consent cannot be proven; nothing was linked".into(),
            ));
        };
        let expect = IdTokenExpectations {
            tenant: &tenant,
            client_id: &creds.client_id,
            nonce_hash: &nonce_hash,
            now_unix: self.now().unix_seconds(),
        };
        let claims = match self
            .microsoft
            .verify_sign_in(&cloud, id_token.expose_secret(), &expect)
            .await
        {
            Ok(c) => c,
            Err(SignInProofError::Microsoft(e)) => {
                return Err(nothing_linked(&e.user_message(Some(&redirect))));
            }
            Err(SignInProofError::Token(e)) => {
                self.audit(
                    &by.actor(),
                    None,
                    "integration.tenant_consent_refused",
                    &i.id.to_string(),
                    json!({ "tenant_id": tenant, "reason": e.to_string() }),
                )
                .await?;
                return Err(MicrosoftError::User(format!(
                    "Microsoft's sign-in does not prove the consent ({e}); nothing was linked. Connect to Microsoft 365 again and sign in with an admin account of the tenant that consents"
                )));
            }
        };
        self.link_consented_tenant(by, &i, &tenant, claims.oid)
            .await
    }
}

/// Microsoft's refusal in words, saying that nothing was linked.
fn nothing_linked(message: &str) -> MicrosoftError {
    MicrosoftError::User(format!(
        "{}. Nothing was linked: the sign-in that proves the consent did not succeed",
        message.trim_end().trim_end_matches('.')
    ))
}
