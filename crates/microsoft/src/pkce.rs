//! PKCE (RFC 7636) for the authorization-code sign-in: a random verifier kept server-side and
//! its S256 challenge sent to Microsoft.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

/// A verifier and its challenge.
pub struct Pkce {
    /// 43 characters of base64url (32 random bytes); secret until the code is redeemed.
    pub verifier: SecretString,
    /// `BASE64URL(SHA256(verifier))`, sent with `code_challenge_method=S256`.
    pub challenge: String,
}

impl std::fmt::Debug for Pkce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkce")
            .field("challenge", &self.challenge)
            .finish_non_exhaustive()
    }
}

impl Pkce {
    /// A fresh random verifier.
    #[must_use]
    pub fn new_random() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let verifier = URL_SAFE_NO_PAD.encode(bytes);
        let challenge = Self::challenge_of(&verifier);
        Self {
            verifier: SecretString::from(verifier),
            challenge,
        }
    }

    /// The S256 challenge of a verifier.
    #[must_use]
    pub fn challenge_of(verifier: &str) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
    }

    /// The verifier, for the token request.
    #[must_use]
    pub fn verifier(&self) -> &str {
        self.verifier.expose_secret()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b() {
        assert_eq!(
            Pkce::challenge_of("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let p = Pkce::new_random();
        assert_eq!(p.verifier().len(), 43);
        assert!(!format!("{p:?}").contains(p.verifier()));
    }
}
