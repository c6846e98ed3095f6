//! Access and id tokens: real-looking JWTs (`header.payload.signature`, base64url JSON) signed
//! with HS256 under a key that lives only in this emulator instance. Graph verifies them; a
//! token from another instance (or tampered with) fails like a foreign token does.

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
}
