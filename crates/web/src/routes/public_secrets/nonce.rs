//! The per-render nonce of a recipient page (security.md §2.2 rule 2): a POST that claims a
//! view must carry a value only a rendering of that link's page hands out, so a link scanner
//! that only GETs never claims. Stateless: random bytes, the time and an HMAC over both and
//! the link's id, with a key derived for this purpose.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use countersign_crypto::{Keyring, ct_eq, hmac_sha256, purpose};
use countersign_domain::{SecretId, Timestamp};
use std::time::Duration;

/// How long a rendered page may wait before its Reveal.
const VALID_FOR: Duration = Duration::from_secs(6 * 3600);

fn mac(keyring: &Keyring, id: SecretId, body: &[u8]) -> [u8; 32] {
    let key = keyring.derive_key(purpose::CSRF);
    hmac_sha256(key.as_ref(), &[b"secret-nonce", id.0.as_bytes(), body])
}

/// A fresh nonce for a page of link `id`.
#[must_use]
pub fn issue(keyring: &Keyring, id: SecretId, now: Timestamp) -> String {
    // The SHA-256 of a fresh random token is 32 random bytes; 16 of them are plenty.
    let mut body = countersign_crypto::random_token().1[..16].to_vec();
    body.extend_from_slice(&now.0.to_be_bytes());
    let tag = mac(keyring, id, &body);
    body.extend_from_slice(&tag[..16]);
    URL_SAFE_NO_PAD.encode(body)
}

/// Whether `nonce` was issued for link `id` and is recent.
#[must_use]
pub fn check(keyring: &Keyring, id: SecretId, nonce: &str, now: Timestamp) -> bool {
    let Ok(raw) = URL_SAFE_NO_PAD.decode(nonce.trim()) else {
        return false;
    };
    if raw.len() != 40 {
        return false;
    }
    let (body, tag) = raw.split_at(24);
    let Ok(at) = <[u8; 8]>::try_from(&body[16..24]) else {
        return false;
    };
    let at = Timestamp(i64::from_be_bytes(at));
    ct_eq(&mac(keyring, id, body)[..16], tag) && at <= now && now.minus(VALID_FOR) < at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_its_link_only_and_only_while_fresh() {
        let keyring = Keyring::ephemeral();
        let (id, other) = (SecretId::new(), SecretId::new());
        let now = Timestamp(1_800_000_000_000);
        let n = issue(&keyring, id, now);
        assert_ne!(n, issue(&keyring, id, now), "a fresh nonce per render");
        assert!(check(&keyring, id, &n, now.plus(Duration::from_secs(60))));
        assert!(!check(&keyring, other, &n, now), "another link's nonce");
        assert!(!check(&keyring, id, &n, now.plus(VALID_FOR)), "too old");
        assert!(
            !check(&keyring, id, &n, now.minus(Duration::from_secs(1))),
            "from the future"
        );
        assert!(
            !check(&Keyring::ephemeral(), id, &n, now),
            "another keyring"
        );
        let mut forged = n.clone();
        forged.replace_range(0..1, if n.starts_with('A') { "B" } else { "A" });
        assert!(!check(&keyring, id, &forged, now));
        for bad in ["", "%%%", "AAAA"] {
            assert!(!check(&keyring, id, bad, now));
        }
    }
}
