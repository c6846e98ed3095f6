//! `X-Twilio-Signature`: base64 of HMAC-SHA1, keyed with the account's auth token, over the
//! full request URL followed by every POST parameter's name and value, sorted by name
//! (<https://www.twilio.com/docs/usage/security#validating-requests>).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha1::Sha1;

/// The signature Twilio sends for a POST of `params` to `url` (`None` only if HMAC refused
/// the key, which it never does: HMAC takes keys of any length).
#[must_use]
pub fn signature(auth_token: &[u8], url: &str, params: &[(String, String)]) -> Option<String> {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    // Sorted by name; parameters with the same name keep their order (Twilio's reference
    // libraries sort stably).
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut data = url.to_owned();
    for (k, v) in sorted {
        data.push_str(k);
        data.push_str(v);
    }
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(auth_token).ok()?;
    mac.update(data.as_bytes());
    Some(STANDARD.encode(mac.finalize().into_bytes()))
}

/// Whether `presented` is the signature of this request, compared in constant time.
#[must_use]
pub fn verify_signature(
    auth_token: &[u8],
    url: &str,
    params: &[(String, String)],
    presented: &str,
) -> bool {
    match signature(auth_token, url, params) {
        Some(expected) => countersign_crypto::ct_eq(expected.as_bytes(), presented.as_bytes()),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example from Twilio's security documentation.
    #[test]
    fn twilio_documented_example() {
        let token = b"12345";
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        let params: Vec<(String, String)> = [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let sig = signature(token, url, &params).unwrap();
        assert_eq!(sig, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
        assert!(verify_signature(token, url, &params, &sig));
        assert!(!verify_signature(b"other", url, &params, &sig));
        assert!(!verify_signature(
            token,
            "https://evil.test/",
            &params,
            &sig
        ));
    }
}
