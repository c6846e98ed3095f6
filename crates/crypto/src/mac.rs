//! Thin wrappers that hide the one impossible error of the HMAC constructor.

use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::Sha256;

/// HMAC-SHA256 over the concatenation of `chunks` (no framing; callers frame if needed).
pub(crate) fn hmac_sha256_raw(key: &[u8], chunks: &[&[u8]]) -> [u8; 32] {
    // HMAC accepts keys of any length (long keys are hashed, short ones padded), so
    // `new_from_slice` cannot fail for it; the `Result` exists only for fixed-key MACs.
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC-SHA256 accepts keys of any length");
    for chunk in chunks {
        mac.update(chunk);
    }
    mac.finalize().into_bytes().into()
}

/// HMAC-SHA1, as RFC 4226/6238 prescribe for authenticator-app codes.
pub(crate) fn hmac_sha1(key: &[u8], message: &[u8]) -> [u8; 20] {
    // Same reasoning as above: HMAC never rejects a key length.
    let mut mac =
        <Hmac<Sha1> as Mac>::new_from_slice(key).expect("HMAC-SHA1 accepts keys of any length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// The signature of an outgoing webhook: HMAC-SHA256 keyed with the endpoint's secret over
/// `"<unix seconds>.<body>"` (the scheme Stripe uses, so receivers have examples to follow;
/// the timestamp inside the MAC lets them refuse replays).
#[must_use]
pub fn webhook_signature(secret: &[u8], unix_seconds: i64, body: &[u8]) -> [u8; 32] {
    let t = unix_seconds.to_string();
    hmac_sha256_raw(secret, &[t.as_bytes(), b".", body])
}

#[cfg(test)]
mod webhook_tests {
    #[test]
    fn webhook_signature_matches_a_plain_hmac_of_t_dot_body() {
        // HMAC-SHA256("whsec_test", "1700000000.{}") computed with Python's hmac module.
        let mac = super::webhook_signature(b"whsec_test", 1_700_000_000, b"{}");
        assert_eq!(
            hex::encode(mac),
            "35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91"
        );
    }
}
