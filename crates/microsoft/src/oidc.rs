//! OpenID Connect proof of a sign-in: the `id_token` Microsoft returns for an authorization
//! code is checked against the cloud's discovery document before anything trusts its `tid`.
//!
//! Checks, in order (each refusal is its own [`IdTokenError`]): compact JWT with `alg` RS256;
//! the key its `kid` names in the `jwks_uri` of the tenant's discovery document (same origin
//! as the cloud's login host); the RS256 signature; `tid` equal to the expected tenant;
//! `iss` equal to the discovery `issuer` with `{tenantid}` replaced by that `tid`; `aud` equal
//! to the client id; `exp` and `nbf` against the caller's clock with [`CLOCK_SKEW_S`]; and
//! the `nonce`, compared by its SHA-256 with the one kept for this flow.

use crate::client::Microsoft;
use crate::cloud::Cloud;
use crate::error::MsError;
use crate::identity::{code_flow_url, identity_error};
use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// Clock skew tolerated on `exp` and `nbf` (Microsoft's libraries default to five minutes).
pub const CLOCK_SKEW_S: i64 = 300;

/// The scopes of a sign-in that only proves who signed in where.
pub const OPENID_SCOPES: &str = "openid profile";

/// A random `nonce` for one sign-in: the value goes to Microsoft, only its hash is kept.
pub struct Nonce {
    /// 43 characters of base64url (32 random bytes).
    pub value: String,
    /// SHA-256 of the value.
    pub hash: [u8; 32],
}

impl std::fmt::Debug for Nonce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Nonce(…)")
    }
}

impl Nonce {
    /// A fresh random nonce.
    #[must_use]
    pub fn new_random() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let value = URL_SAFE_NO_PAD.encode(bytes);
        let hash = Self::hash_of(&value);
        Self { value, hash }
    }

    /// SHA-256 of a nonce value.
    #[must_use]
    pub fn hash_of(value: &str) -> [u8; 32] {
        Sha256::digest(value.as_bytes()).into()
    }
}

/// What the `id_token` must say.
#[derive(Clone, Copy, Debug)]
pub struct IdTokenExpectations<'a> {
    /// The tenant id (GUID) the sign-in must have happened in.
    pub tenant: &'a str,
    /// Our application (client) id: the token's audience.
    pub client_id: &'a str,
    /// SHA-256 of the nonce sent in the authorize request.
    pub nonce_hash: &'a [u8],
    /// Now, in Unix seconds (the application's clock).
    pub now_unix: i64,
}

/// The claims of a verified `id_token` that callers use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdTokenClaims {
    /// The tenant the person signed in to.
    pub tid: String,
    /// The person's object id in that tenant.
    pub oid: Option<String>,
    /// Their sign-in name.
    pub preferred_username: Option<String>,
}

/// Why an `id_token` was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IdTokenError {
    /// Not a compact JWT with a readable header and claims.
    #[error("the id_token is not a readable JWT ({0})")]
    Malformed(&'static str),
    /// Signed with something other than RS256 (or not signed).
    #[error("the id_token is signed with {0:?}, not RS256")]
    Algorithm(String),
    /// No key with its `kid` in the tenant's published keys.
    #[error("the id_token is signed with a key Microsoft does not publish for this tenant")]
    UnknownKey,
    /// The signature does not verify with the published key.
    #[error("the id_token's signature does not verify")]
    BadSignature,
    /// Signed in to another tenant than the one being linked.
    #[error("the sign-in was to tenant {found}, not to tenant {expected}")]
    Tenant {
        /// The tenant being linked.
        expected: String,
        /// The `tid` of the token.
        found: String,
    },
    /// `iss` is not the discovery document's issuer for the token's tenant.
    #[error("the id_token's issuer is not the tenant's issuer")]
    Issuer,
    /// `aud` is not our client id.
    #[error("the id_token was issued to another application")]
    Audience,
    /// `exp` is in the past.
    #[error("the id_token has expired")]
    Expired,
    /// `nbf` is in the future.
    #[error("the id_token is not valid yet")]
    NotYetValid,
    /// `nonce` missing or not this sign-in's.
    #[error("the id_token belongs to another sign-in (nonce)")]
    Nonce,
}

/// The parts of a tenant's OpenID configuration used to check its tokens.
#[derive(Clone, Debug, Deserialize)]
pub struct OpenIdConfiguration {
    /// `https://login.microsoftonline.com/{tenantid}/v2.0` or the tenant's own value.
    pub issuer: String,
    /// Where the signing keys are.
    pub jwks_uri: String,
}

/// One published signing key (RSA public components, base64url).
#[derive(Clone, Debug, Deserialize)]
pub struct Jwk {
    /// Key id, matched against the token header's `kid`.
    #[serde(default)]
    pub kid: String,
    /// `RSA` for the keys used here.
    #[serde(default)]
    pub kty: String,
    /// Modulus.
    #[serde(default)]
    pub n: String,
    /// Public exponent.
    #[serde(default)]
    pub e: String,
}

/// A JSON Web Key Set.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Jwks {
    /// The keys.
    #[serde(default)]
    pub keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct Header {
    #[serde(default)]
    alg: String,
    #[serde(default)]
    kid: String,
}

#[derive(Deserialize)]
struct Claims {
    #[serde(default)]
    iss: String,
    #[serde(default)]
    aud: Audience,
    #[serde(default)]
    tid: String,
    exp: Option<i64>,
    nbf: Option<i64>,
    nonce: Option<String>,
    oid: Option<String>,
    preferred_username: Option<String>,
}

/// `aud` is a string, or (in general JWTs) a list of strings.
#[derive(Deserialize, Default)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
    #[default]
    None,
}

impl Audience {
    fn is(&self, client_id: &str) -> bool {
        match self {
            Self::One(a) => a.eq_ignore_ascii_case(client_id),
            Self::Many(v) => v.len() == 1 && v[0].eq_ignore_ascii_case(client_id),
            Self::None => false,
        }
    }
}

fn b64(part: &str, what: &'static str) -> Result<Vec<u8>, IdTokenError> {
    URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| IdTokenError::Malformed(what))
}

/// A discovery document is trusted only when its keys are on the cloud's login host and its
/// issuer is the cloud's login URL for a tenant (ASVS 10.5.3): `<login>/<tenant or
/// {tenantid}>/v2.0`, so a document naming another issuer cannot make that issuer's tokens
/// acceptable.
///
/// # Errors
/// `Protocol`, saying which part is off.
pub fn check_configuration(
    config: &OpenIdConfiguration,
    login_base_url: &str,
) -> Result<(), MsError> {
    let login = origin(login_base_url);
    if login.is_none() || origin(&config.jwks_uri) != login {
        return Err(MsError::Protocol(
            "the OpenID configuration's keys are not on the cloud's login host".into(),
        ));
    }
    let tenant = config
        .issuer
        .strip_prefix(login_base_url.trim_end_matches('/'))
        .and_then(|rest| rest.strip_prefix('/'))
        .and_then(|rest| rest.strip_suffix("/v2.0"));
    if !tenant.is_some_and(|t| !t.is_empty() && !t.contains('/')) {
        return Err(MsError::Protocol(
            "the OpenID configuration's issuer is not the cloud's login URL for a tenant (…/<tenant>/v2.0)"
                .into(),
        ));
    }
    Ok(())
}

/// Verifies `token` with the tenant's `issuer` (as its discovery document gives it) and keys.
///
/// # Errors
/// The first check that fails, as listed in the module documentation.
pub fn verify_id_token(
    token: &str,
    issuer: &str,
    jwks: &Jwks,
    expect: &IdTokenExpectations<'_>,
) -> Result<IdTokenClaims, IdTokenError> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(IdTokenError::Malformed("not three parts"));
    };
    let header: Header = serde_json::from_slice(&b64(h, "header")?)
        .map_err(|_| IdTokenError::Malformed("header"))?;
    if header.alg != "RS256" {
        return Err(IdTokenError::Algorithm(header.alg));
    }
    let key = jwks
        .keys
        .iter()
        .find(|k| !header.kid.is_empty() && k.kid == header.kid && k.kty == "RSA")
        .ok_or(IdTokenError::UnknownKey)?;
    let components = RsaPublicKeyComponents {
        n: b64(&key.n, "key modulus")?,
        e: b64(&key.e, "key exponent")?,
    };
    let signature = b64(s, "signature")?;
    let signed = &token[..h.len() + 1 + p.len()];
    components
        .verify(&RSA_PKCS1_2048_8192_SHA256, signed.as_bytes(), &signature)
        .map_err(|_| IdTokenError::BadSignature)?;
    let claims: Claims = serde_json::from_slice(&b64(p, "claims")?)
        .map_err(|_| IdTokenError::Malformed("claims"))?;
    if claims.tid.is_empty() || !claims.tid.eq_ignore_ascii_case(expect.tenant) {
        return Err(IdTokenError::Tenant {
            expected: expect.tenant.to_owned(),
            found: claims.tid,
        });
    }
    if claims.iss != issuer.replace("{tenantid}", &claims.tid) {
        return Err(IdTokenError::Issuer);
    }
    if !claims.aud.is(expect.client_id) {
        return Err(IdTokenError::Audience);
    }
    match claims.exp {
        Some(exp) if exp + CLOCK_SKEW_S > expect.now_unix => {}
        _ => return Err(IdTokenError::Expired),
    }
    if claims
        .nbf
        .is_some_and(|nbf| nbf - CLOCK_SKEW_S > expect.now_unix)
    {
        return Err(IdTokenError::NotYetValid);
    }
    let nonce_ok = claims
        .nonce
        .as_deref()
        .is_some_and(|n| Nonce::hash_of(n).as_slice() == expect.nonce_hash);
    if !nonce_ok {
        return Err(IdTokenError::Nonce);
    }
    Ok(IdTokenClaims {
        tid: claims.tid.to_ascii_lowercase(),
        oid: claims.oid,
        preferred_username: claims.preferred_username,
    })
}

/// Why a sign-in could not be proven: Microsoft could not be asked, or the token is refused.
#[derive(Debug, thiserror::Error)]
pub enum SignInProofError {
    /// Discovery or keys could not be fetched or read.
    #[error(transparent)]
    Microsoft(#[from] MsError),
    /// The token fails a check.
    #[error(transparent)]
    Token(#[from] IdTokenError),
}

/// `scheme://host:port` of a URL, to compare origins.
fn origin(url: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()
        .map(|u| u.origin().ascii_serialization())
}

impl Microsoft {
    /// The OpenID Connect authorization URL of a sign-in that proves the tenant: `openid
    /// profile` only, PKCE S256, the flow's `nonce`, against `tenant` (a GUID).
    #[must_use]
    #[allow(clippy::too_many_arguments)]
    pub fn openid_sign_in_url(
        &self,
        cloud: &Cloud,
        tenant: &str,
        client_id: &str,
        redirect_uri: &str,
        state: &str,
        nonce: &str,
        code_challenge: &str,
    ) -> String {
        code_flow_url(
            cloud,
            tenant,
            &[
                ("client_id", client_id),
                ("redirect_uri", redirect_uri),
                ("scope", OPENID_SCOPES),
                ("state", state),
                ("nonce", nonce),
                ("code_challenge", code_challenge),
            ],
        )
    }

    /// The tenant's OpenID configuration (`issuer`, `jwks_uri`); the keys must be served from
    /// the cloud's own login origin.
    ///
    /// # Errors
    /// Microsoft's error (e.g. AADSTS90002), `Protocol` for an unreadable document or keys
    /// served from elsewhere.
    pub async fn openid_configuration(
        &self,
        cloud: &Cloud,
        tenant: &str,
    ) -> Result<OpenIdConfiguration, MsError> {
        let url = cloud.discovery_url(tenant);
        let answer = self.execute(tenant, |http| http.get(&url)).await?;
        if answer.status != 200 {
            return Err(identity_error(answer.status, &answer.body));
        }
        let config: OpenIdConfiguration = serde_json::from_str(&answer.body)
            .map_err(|e| MsError::Protocol(format!("OpenID configuration: {e}")))?;
        check_configuration(&config, &cloud.login_base_url)?;
        Ok(config)
    }

    /// The signing keys at `jwks_uri`.
    ///
    /// # Errors
    /// Microsoft's error, or `Protocol` for an unreadable key set.
    pub async fn signing_keys(&self, tenant: &str, jwks_uri: &str) -> Result<Jwks, MsError> {
        let answer = self.execute(tenant, |http| http.get(jwks_uri)).await?;
        if answer.status != 200 {
            return Err(identity_error(answer.status, &answer.body));
        }
        serde_json::from_str(&answer.body)
            .map_err(|e| MsError::Protocol(format!("signing keys: {e}")))
    }

    /// Proves a sign-in: fetches the expected tenant's discovery document and keys, then
    /// [`verify_id_token`].
    ///
    /// # Errors
    /// [`SignInProofError`].
    pub async fn verify_sign_in(
        &self,
        cloud: &Cloud,
        id_token: &str,
        expect: &IdTokenExpectations<'_>,
    ) -> Result<IdTokenClaims, SignInProofError> {
        let config = self.openid_configuration(cloud, expect.tenant).await?;
        let keys = self.signing_keys(expect.tenant, &config.jwks_uri).await?;
        Ok(verify_id_token(id_token, &config.issuer, &keys, expect)?)
    }
}

#[cfg(test)]
mod tests;
