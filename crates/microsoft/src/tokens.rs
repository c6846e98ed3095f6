//! Tokens and the cache that keeps access tokens until shortly before they expire (asking
//! Microsoft again for every call is slow and trips AADSTS50196, LoopDetected).

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// An app's credentials: client id and secret.
#[derive(Clone)]
pub struct Credentials {
    /// The application (client) id.
    pub client_id: String,
    /// The client secret *value*.
    pub client_secret: SecretString,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// A bearer token and when to stop using it.
#[derive(Clone)]
pub struct AccessToken {
    secret: SecretString,
    use_until: Instant,
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessToken(…)")
    }
}

impl AccessToken {
    /// A token valid for `expires_in` seconds from now; it is used until 5 minutes before
    /// (at most half its life earlier for short-lived tokens).
    #[must_use]
    pub fn new(secret: String, expires_in: u64) -> Self {
        let margin = (expires_in / 2).min(300);
        Self {
            secret: SecretString::from(secret),
            use_until: Instant::now() + Duration::from_secs(expires_in.saturating_sub(margin)),
        }
    }

    /// The bearer value.
    #[must_use]
    pub fn secret(&self) -> &str {
        self.secret.expose_secret()
    }

    /// Whether it may still be used.
    #[must_use]
    pub fn fresh(&self) -> bool {
        Instant::now() < self.use_until
    }
}

/// What a token request returned.
#[derive(Clone, Debug)]
pub struct TokenSet {
    /// The access token.
    pub access: AccessToken,
    /// The new refresh token (authorization code and refresh grants with `offline_access`):
    /// Microsoft rotates it on every use, so the caller must store it in place of the old.
    pub refresh_token: Option<SecretString>,
    /// Scopes granted.
    pub scope: String,
    /// The OpenID Connect `id_token` (sign-ins with the `openid` scope); to be verified
    /// before use ([`crate::verify_id_token`]).
    pub id_token: Option<SecretString>,
}

/// The grant a token request uses.
pub enum TokenGrant<'a> {
    /// App-only (client credentials).
    ClientCredentials,
    /// Redeem a refresh token (also across tenants, for GDAP).
    RefreshToken(&'a str),
    /// Redeem an authorization code with its PKCE verifier.
    AuthorizationCode {
        /// The code from the redirect.
        code: &'a str,
        /// The PKCE verifier.
        verifier: &'a str,
        /// The same redirect URI as in the authorize request.
        redirect_uri: &'a str,
    },
    /// Redeem the authorization code of an OpenID Connect sign-in (`openid profile` only:
    /// no refresh token, the `id_token` is what is wanted).
    OpenIdCode {
        /// The code from the redirect.
        code: &'a str,
        /// The PKCE verifier.
        verifier: &'a str,
        /// The same redirect URI as in the authorize request.
        redirect_uri: &'a str,
    },
}

/// The token endpoint's success body. `expires_in` is a number, tolerated as a string.
#[derive(Deserialize)]
pub(crate) struct TokenBody {
    pub access_token: String,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub expires_in: u64,
    #[serde(default)]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub id_token: Option<String>,
}

fn lenient_u64<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum N {
        Num(u64),
        Text(String),
    }
    Ok(match N::deserialize(d)? {
        N::Num(n) => n,
        N::Text(s) => s.trim().parse().unwrap_or(0),
    })
}

/// Access tokens by (login host, tenant, client, flavour). Each key has its own async lock,
/// so concurrent syncs of one tenant ask Microsoft once (single flight).
#[derive(Debug, Default)]
pub(crate) struct TokenCache {
    slots: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<AccessToken>>>>>,
}

impl TokenCache {
    pub(crate) fn slot(&self, key: &str) -> Arc<tokio::sync::Mutex<Option<AccessToken>>> {
        self.slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key.to_owned())
            .or_default()
            .clone()
    }

    pub(crate) fn forget(&self, key: &str) {
        self.slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expires_in_may_be_text_and_secrets_are_hidden() {
        let b: TokenBody =
            serde_json::from_str(r#"{"access_token":"a","expires_in":"3599"}"#).unwrap();
        assert_eq!(b.expires_in, 3599);
        let t = AccessToken::new("very-secret".into(), 3599);
        assert!(t.fresh());
        assert!(!format!("{t:?}").contains("very-secret"));
        assert!(!AccessToken::new("x".into(), 0).fresh());
    }
}
