//! The identity platform: consent and sign-in URLs, token requests, and domain → tenant id.

use crate::client::Microsoft;
use crate::cloud::Cloud;
use crate::error::{IdentityError, MsError};
use crate::tokens::{AccessToken, Credentials, TokenBody, TokenGrant, TokenSet};
use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;

/// Delegated scopes of the GDAP sign-in: Graph's statically registered permissions, plus a
/// refresh token (`offline_access`) and the user's identity.
pub const SIGN_IN_SCOPES: &str = "openid profile offline_access";

impl Microsoft {
    /// The v2 admin-consent URL for the multi-tenant app (`organizations`: any work
    /// tenant's admin may consent; `/.default` requests every registered permission).
    #[must_use]
    pub fn admin_consent_url(
        &self,
        cloud: &Cloud,
        client_id: &str,
        redirect_uri: &str,
        state: &str,
    ) -> String {
        let mut url = cloud.admin_consent_url("organizations");
        url.push('?');
        url.push_str(&query(&[
            ("client_id", client_id),
            ("scope", &cloud.default_scope()),
            ("redirect_uri", redirect_uri),
            ("state", state),
        ]));
        url
    }

    /// The authorization-code sign-in URL (PKCE S256, `offline_access`) against `tenant`.
    #[must_use]
    pub fn authorize_url(
        &self,
        cloud: &Cloud,
        tenant: &str,
        client_id: &str,
        redirect_uri: &str,
        state: &str,
        code_challenge: &str,
    ) -> String {
        let scope = format!("{SIGN_IN_SCOPES} {}", cloud.default_scope());
        code_flow_url(
            cloud,
            tenant,
            &[
                ("client_id", client_id),
                ("redirect_uri", redirect_uri),
                ("scope", &scope),
                ("state", state),
                ("code_challenge", code_challenge),
                ("prompt", "select_account"),
            ],
        )
    }

    /// A token request against `tenant` (a GUID or domain).
    ///
    /// # Errors
    /// [`MsError::Identity`] with Microsoft's error (e.g. AADSTS7000215 for a wrong secret),
    /// or `Unavailable` after the retries.
    pub async fn token(
        &self,
        cloud: &Cloud,
        tenant: &str,
        creds: &Credentials,
        grant: TokenGrant<'_>,
    ) -> Result<TokenSet, MsError> {
        let default_scope = cloud.default_scope();
        let mut form: Vec<(&str, &str)> = vec![
            ("client_id", creds.client_id.as_str()),
            ("client_secret", creds.client_secret.expose_secret()),
        ];
        let delegated_scope = format!("{default_scope} offline_access");
        match &grant {
            TokenGrant::ClientCredentials => {
                form.push(("grant_type", "client_credentials"));
                form.push(("scope", &default_scope));
            }
            TokenGrant::RefreshToken(rt) => {
                form.push(("grant_type", "refresh_token"));
                form.push(("refresh_token", rt));
                form.push(("scope", &delegated_scope));
            }
            TokenGrant::AuthorizationCode {
                code,
                verifier,
                redirect_uri,
            }
            | TokenGrant::OpenIdCode {
                code,
                verifier,
                redirect_uri,
            } => {
                form.push(("grant_type", "authorization_code"));
                form.push(("code", code));
                form.push(("code_verifier", verifier));
                form.push(("redirect_uri", redirect_uri));
                let scope = if matches!(grant, TokenGrant::OpenIdCode { .. }) {
                    crate::oidc::OPENID_SCOPES
                } else {
                    &delegated_scope
                };
                form.push(("scope", scope));
            }
        }
        let url = cloud.token_url(tenant);
        let answer = self
            .execute(tenant, |http| http.post(&url).form(&form))
            .await?;
        if answer.status == 200 {
            let body: TokenBody = serde_json::from_str(&answer.body)
                .map_err(|e| MsError::Protocol(format!("token response: {e}")))?;
            return Ok(TokenSet {
                access: AccessToken::new(body.access_token, body.expires_in.max(60)),
                refresh_token: body.refresh_token.map(SecretString::from),
                scope: body.scope,
                id_token: body.id_token.map(SecretString::from),
            });
        }
        Err(identity_error(answer.status, &answer.body))
    }

    /// An app-only token for `tenant`, from the cache while it is fresh.
    ///
    /// # Errors
    /// As [`Microsoft::token`].
    pub async fn app_token(
        &self,
        cloud: &Cloud,
        tenant: &str,
        creds: &Credentials,
    ) -> Result<AccessToken, MsError> {
        let key = format!("app|{}|{tenant}|{}", cloud.login_base_url, creds.client_id);
        let slot = self.inner.tokens.slot(&key);
        let mut guard = slot.lock().await;
        if let Some(t) = guard.as_ref().filter(|t| t.fresh()) {
            return Ok(t.clone());
        }
        let set = self
            .token(cloud, tenant, creds, TokenGrant::ClientCredentials)
            .await?;
        *guard = Some(set.access.clone());
        Ok(set.access)
    }

    /// A delegated token for `tenant` from the cache, or `None` (then redeem the refresh
    /// token with [`Microsoft::token`] and [`Microsoft::cache_delegated`] the result).
    pub async fn cached_delegated(
        &self,
        cloud: &Cloud,
        tenant: &str,
        creds: &Credentials,
        owner: &str,
    ) -> Option<AccessToken> {
        let key = delegated_key(cloud, tenant, creds, owner);
        let slot = self.inner.tokens.slot(&key);
        let guard = slot.lock().await;
        guard.as_ref().filter(|t| t.fresh()).cloned()
    }

    /// Keeps a delegated token for `tenant` (`owner` names whose sign-in it is, e.g. the
    /// integration id, so two integrations never share tokens).
    pub async fn cache_delegated(
        &self,
        cloud: &Cloud,
        tenant: &str,
        creds: &Credentials,
        owner: &str,
        token: &AccessToken,
    ) {
        let key = delegated_key(cloud, tenant, creds, owner);
        let slot = self.inner.tokens.slot(&key);
        *slot.lock().await = Some(token.clone());
    }

    /// Drops cached tokens for `tenant` (after Graph rejected one, or a sign-out).
    pub fn forget_tokens(&self, cloud: &Cloud, tenant: &str, creds: &Credentials, owner: &str) {
        self.inner
            .tokens
            .forget(&delegated_key(cloud, tenant, creds, owner));
        self.inner.tokens.forget(&format!(
            "app|{}|{tenant}|{}",
            cloud.login_base_url, creds.client_id
        ));
    }

    /// The tenant id of a verified domain, from the tenant's OpenID configuration (no sign-in
    /// needed). The GUID is read from `issuer`, falling back on `token_endpoint`.
    ///
    /// # Errors
    /// `Identity` with AADSTS90002 for an unknown domain; `Protocol` when no GUID is found.
    pub async fn tenant_id_for_domain(&self, cloud: &Cloud, domain: &str) -> Result<Uuid, MsError> {
        let url = cloud.discovery_url(domain);
        let answer = self.execute(domain, |http| http.get(&url)).await?;
        if answer.status != 200 {
            return Err(identity_error(answer.status, &answer.body));
        }
        #[derive(serde::Deserialize)]
        struct Discovery {
            #[serde(default)]
            issuer: String,
            #[serde(default)]
            token_endpoint: String,
        }
        let d: Discovery = serde_json::from_str(&answer.body)
            .map_err(|e| MsError::Protocol(format!("OpenID configuration: {e}")))?;
        [d.issuer, d.token_endpoint]
            .iter()
            .flat_map(|u| u.split('/'))
            .find_map(|seg| Uuid::parse_str(seg).ok())
            .ok_or_else(|| MsError::Protocol("no tenant id in the OpenID configuration".into()))
    }
}

fn delegated_key(cloud: &Cloud, tenant: &str, creds: &Credentials, owner: &str) -> String {
    format!(
        "delegated|{}|{tenant}|{}|{owner}",
        cloud.login_base_url, creds.client_id
    )
}

/// Reads the identity platform's error JSON (any status); an unreadable body becomes an
/// error with the status only.
pub(crate) fn identity_error(status: u16, body: &str) -> MsError {
    if status == 429 || status >= 500 {
        if let Ok(mut e) = serde_json::from_str::<IdentityError>(body)
            && !e.error.is_empty()
        {
            e.status = status;
            return MsError::Identity(Box::new(e));
        }
        return MsError::Unavailable(format!("HTTP {status}"));
    }
    match serde_json::from_str::<IdentityError>(body) {
        Ok(mut e) if !e.error.is_empty() => {
            e.status = status;
            MsError::Identity(Box::new(e))
        }
        _ => MsError::Protocol(format!(
            "HTTP {status} from the identity platform: {}",
            body.chars().take(200).collect::<String>()
        )),
    }
}

/// `{login}/{tenant}/oauth2/v2.0/authorize?…` for the authorization-code flow with PKCE S256
/// and the answer in the query, plus `pairs`.
pub(crate) fn code_flow_url(cloud: &Cloud, tenant: &str, pairs: &[(&str, &str)]) -> String {
    let mut url = cloud.authorize_url(tenant);
    url.push('?');
    let mut all = vec![
        ("response_type", "code"),
        ("response_mode", "query"),
        ("code_challenge_method", "S256"),
    ];
    all.extend_from_slice(pairs);
    url.push_str(&query(&all));
    url
}

fn query(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::ClientConfig;

    #[test]
    fn consent_url_uses_v2_default_scope_and_organizations() {
        let ms = Microsoft::new(ClientConfig::default()).unwrap();
        let url = ms.admin_consent_url(&Cloud::global(), "cid", "https://cs.example/cb", "st");
        assert!(
            url.starts_with("https://login.microsoftonline.com/organizations/v2.0/adminconsent?")
        );
        assert!(url.contains("scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"));
        assert!(
            url.contains("state=st") && url.contains("redirect_uri=https%3A%2F%2Fcs.example%2Fcb")
        );
        let a = ms.authorize_url(&Cloud::global(), "tid", "cid", "https://x/cb", "st", "ch");
        assert!(a.contains("code_challenge_method=S256") && a.contains("offline_access"));
    }
}
