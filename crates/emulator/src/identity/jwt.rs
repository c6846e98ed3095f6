//! Access and id tokens: real-looking JWTs (`header.payload.signature`, base64url JSON).
//! Access tokens are signed with HS256 under a key that lives only in this emulator instance
//! (clients treat them as opaque; Graph verifies them, and a token from another instance or
//! tampered with fails like a foreign token does). `id_token`s are signed RS256 like
//! Microsoft's [S5]: the public key is published at the discovery document's `jwks_uri`
//! (`kty`, `use`, `kid`, `n`, `e`), so clients verify them as they verify Microsoft's.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JwtError {
    #[error("not a compact JWT")]
    Malformed,
    #[error("signature does not verify")]
    BadSignature,
}

pub struct Signer {
    key: [u8; 32],
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(..)")
    }
}

impl Signer {
    #[must_use]
    pub fn random() -> Self {
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        Signer { key }
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC accepts keys of any length, so this cannot fail for a 32-byte key.
        <HmacSha256 as Mac>::new_from_slice(&self.key).unwrap_or_else(|_| unreachable!())
    }

    #[must_use]
    pub fn sign(&self, claims: &serde_json::Value) -> String {
        let header = serde_json::json!({"typ": "JWT", "alg": "HS256", "kid": "emulator"});
        let mut token = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut mac = self.mac();
        mac.update(token.as_bytes());
        let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        token.push('.');
        token.push_str(&sig);
        token
    }

    /// Verifies the signature (constant time) and returns the claims.
    pub fn verify(&self, token: &str) -> Result<serde_json::Value, JwtError> {
        let (signed, sig) = token.rsplit_once('.').ok_or(JwtError::Malformed)?;
        let (_, payload) = signed.split_once('.').ok_or(JwtError::Malformed)?;
        let sig = URL_SAFE_NO_PAD
            .decode(sig)
            .map_err(|_| JwtError::Malformed)?;
        let mut mac = self.mac();
        mac.update(signed.as_bytes());
        mac.verify_slice(&sig).map_err(|_| JwtError::BadSignature)?;
        let payload = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| JwtError::Malformed)?;
        serde_json::from_slice(&payload).map_err(|_| JwtError::Malformed)
    }
}

/// The RS256 key of `id_token`s: an RSA-2048 key pair made at first use (making one takes a
/// moment, and most emulator runs issue no `id_token`), with a random `kid`.
pub struct IdTokenSigner {
    key: std::sync::OnceLock<Option<(String, aws_lc_rs::rsa::KeyPair)>>,
}

impl std::fmt::Debug for IdTokenSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdTokenSigner(..)")
    }
}

impl Default for IdTokenSigner {
    fn default() -> Self {
        Self::new()
    }
}

impl IdTokenSigner {
    #[must_use]
    pub fn new() -> Self {
        Self {
            key: std::sync::OnceLock::new(),
        }
    }

    fn key(&self) -> Option<&(String, aws_lc_rs::rsa::KeyPair)> {
        self.key
            .get_or_init(|| {
                let pair =
                    aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).ok()?;
                let mut kid = [0u8; 20];
                rand::thread_rng().fill_bytes(&mut kid);
                Some((URL_SAFE_NO_PAD.encode(kid), pair))
            })
            .as_ref()
    }

    /// `header.claims.signature` with `alg` RS256 and this key's `kid`; `None` only if the
    /// platform could not make an RSA key.
    #[must_use]
    pub fn sign(&self, claims: &serde_json::Value) -> Option<String> {
        let (kid, pair) = self.key()?;
        let header = serde_json::json!({"typ": "JWT", "alg": "RS256", "kid": kid});
        let mut token = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut sig = vec![0u8; pair.public_modulus_len()];
        pair.sign(
            &aws_lc_rs::signature::RSA_PKCS1_SHA256,
            &aws_lc_rs::rand::SystemRandom::new(),
            token.as_bytes(),
            &mut sig,
        )
        .ok()?;
        token.push('.');
        token.push_str(&URL_SAFE_NO_PAD.encode(sig));
        Some(token)
    }

    /// The JSON Web Key Set of `jwks_uri`: this key's public half.
    #[must_use]
    pub fn jwks(&self) -> serde_json::Value {
        use aws_lc_rs::signature::KeyPair as _;
        let keys: Vec<serde_json::Value> = self
            .key()
            .map(|(kid, pair)| {
                let public = pair.public_key();
                serde_json::json!({
                    "kty": "RSA",
                    "use": "sig",
                    "kid": kid,
                    "alg": "RS256",
                    "n": URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero()),
                    "e": URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero()),
                })
            })
            .into_iter()
            .collect();
        serde_json::json!({ "keys": keys })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_foreign_key() {
        let a = Signer::random();
        let token = a.sign(&serde_json::json!({"tid": "x"}));
        assert_eq!(token.split('.').count(), 3);
        assert_eq!(a.verify(&token).unwrap()["tid"], "x");
        assert_eq!(Signer::random().verify(&token), Err(JwtError::BadSignature));
        assert_eq!(a.verify("abc"), Err(JwtError::Malformed));
    }

    #[test]
    fn id_tokens_verify_with_the_published_key() {
        let signer = IdTokenSigner::new();
        let token = signer.sign(&serde_json::json!({"tid": "x"})).unwrap();
        let jwks = signer.jwks();
        let key = &jwks["keys"][0];
        assert_eq!(
            (key["kty"].as_str(), key["alg"].as_str()),
            (Some("RSA"), Some("RS256"))
        );
        let parts: Vec<&str> = token.split('.').collect();
        let header: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        assert_eq!(header["alg"], "RS256");
        assert_eq!(header["kid"], key["kid"]);
        let b64 = |v: &serde_json::Value| URL_SAFE_NO_PAD.decode(v.as_str().unwrap()).unwrap();
        let public = aws_lc_rs::signature::RsaPublicKeyComponents {
            n: b64(&key["n"]),
            e: b64(&key["e"]),
        };
        let signed = format!("{}.{}", parts[0], parts[1]);
        let sig = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
        let alg = &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256;
        assert!(public.verify(alg, signed.as_bytes(), &sig).is_ok());
        assert!(public.verify(alg, b"something else", &sig).is_err());
    }
}
