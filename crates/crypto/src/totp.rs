//! Time-based one-time passwords (RFC 6238) as authenticator apps implement them:
//! HMAC-SHA1, 6 digits, 30-second steps. Hand-written because it is short and the options
//! are fixed; RFC 4226 and RFC 6238 test vectors pin it down.
//!
//! Single use (NIST SP 800-63B, ASVS 6.5.1) is the caller's job: store the step returned by
//! [`verify_totp`] and reject any later code whose step is not greater.

use rand::RngCore as _;
use rand::rngs::OsRng;
use subtle::{ConditionallySelectable as _, ConstantTimeEq as _};
use zeroize::Zeroizing;

use crate::base32::encode_rfc4648_nopad;
use crate::mac::hmac_sha1;

/// Seconds per time step.
pub const PERIOD_SECONDS: i64 = 30;
/// Digits per code.
pub const DIGITS: usize = 6;
/// Steps accepted either side of the current one, for clock drift and typing time.
const SKEW_STEPS: i64 = 1;
/// Secret length: 160 bits, RFC 4226's recommended size and the HMAC-SHA1 block output size.
const SECRET_LEN: usize = 20;

/// A TOTP shared secret. Wiped from memory on drop; `Debug` does not show it.
/// No `PartialEq`: comparing secrets should not be easy to do in variable time.
#[derive(Clone)]
pub struct TotpSecret(Zeroizing<Vec<u8>>);

impl TotpSecret {
    /// A new random 160-bit secret from the OS RNG.
    #[must_use]
    pub fn generate() -> TotpSecret {
        let mut bytes = Zeroizing::new(vec![0u8; SECRET_LEN]);
        OsRng.fill_bytes(&mut bytes);
        TotpSecret(bytes)
    }

    /// Wrap stored secret bytes (e.g. after opening them from a sealed column).
    #[must_use]
    pub fn from_bytes(bytes: &[u8]) -> TotpSecret {
        TotpSecret(Zeroizing::new(bytes.to_vec()))
    }

    /// The raw secret, for sealing it into storage.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// RFC 4648 base32 without padding, the form authenticator apps take (manual entry and
    /// the `secret=` of [`otpauth_uri`]).
    #[must_use]
    pub fn to_base32(&self) -> String {
        encode_rfc4648_nopad(&self.0)
    }
}

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(<redacted>)")
    }
}

/// The 6-digit code for time step `step` (`unix_seconds / 30`), zero-padded.
///
/// Negative steps (clocks before 1970) are not meaningful; they are reinterpreted as the
/// corresponding two's-complement counter rather than rejected, since this cannot fail.
#[must_use]
pub fn totp_at(secret: &TotpSecret, step: i64) -> String {
    format!("{:06}", code_number(secret, step))
}

/// RFC 4226 HOTP value for counter `step`, reduced to [`DIGITS`] digits.
fn code_number(secret: &TotpSecret, step: i64) -> u32 {
    let mac = hmac_sha1(secret.as_bytes(), &(step as u64).to_be_bytes());
    // Dynamic truncation (RFC 4226 §5.3): the low nibble of the last byte picks 4 bytes.
    let offset = usize::from(mac[19] & 0x0f);
    let binary = u32::from_be_bytes([
        mac[offset],
        mac[offset + 1],
        mac[offset + 2],
        mac[offset + 3],
    ]) & 0x7fff_ffff;
    binary % 1_000_000
}

/// Check `code` against the steps around `unix_seconds` (±1 step, so ±30 s of skew).
///
/// Returns the matched time step, which the caller must store and require to increase to keep
/// codes single-use. `None` if it does not match or is not exactly six ASCII digits after
/// removing whitespace (apps display codes as `123 456`, and people type what they see).
/// Every candidate step is computed and compared in constant time, so timing does not reveal
/// which one (if any) matched.
#[must_use]
pub fn verify_totp(secret: &TotpSecret, code: &str, unix_seconds: i64) -> Option<i64> {
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() != DIGITS || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = unix_seconds.div_euclid(PERIOD_SECONDS);
    let mut matched = subtle::Choice::from(0);
    let mut matched_step: i64 = 0;
    for step in (now - SKEW_STEPS)..=(now + SKEW_STEPS) {
        let candidate = totp_at(secret, step);
        let hit = candidate.as_bytes().ct_eq(digits.as_bytes());
        // Keep the first hit; ties are impossible unless adjacent steps share a code.
        let take = hit & !matched;
        matched_step = i64::conditional_select(&matched_step, &step, take);
        matched |= hit;
    }
    bool::from(matched).then_some(matched_step)
}

/// The `otpauth://` URI authenticator apps scan (Google Authenticator Key Uri Format):
/// `otpauth://totp/Issuer:account?secret=…&issuer=Issuer&algorithm=SHA1&digits=6&period=30`,
/// with issuer and account percent-encoded.
#[must_use]
pub fn otpauth_uri(secret: &TotpSecret, issuer: &str, account: &str) -> String {
    let issuer = urlencoding::encode(issuer);
    format!(
        "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}\
         &algorithm=SHA1&digits={DIGITS}&period={PERIOD_SECONDS}",
        account = urlencoding::encode(account),
        secret = secret.to_base32(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ASCII secret "12345678901234567890" used by RFC 4226 and RFC 6238 (SHA1).
    fn rfc_secret() -> TotpSecret {
        TotpSecret::from_bytes(b"12345678901234567890")
    }

    #[test]
    fn rfc4226_hotp_vectors() {
        // RFC 4226 Appendix D, counters 0..=9.
        let expected = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489",
        ];
        for (counter, code) in expected.iter().enumerate() {
            assert_eq!(
                totp_at(&rfc_secret(), counter as i64),
                *code,
                "counter {counter}"
            );
        }
    }

    #[test]
    fn rfc6238_sha1_vectors_truncated_to_six_digits() {
        // RFC 6238 Appendix B (SHA1 rows); the RFC prints 8 digits, 6-digit codes are the
        // last six, since both are the same number mod 10^n.
        let cases: [(i64, &str); 6] = [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ];
        for (time, eight) in cases {
            let six = &eight[2..];
            assert_eq!(totp_at(&rfc_secret(), time / 30), six, "time {time}");
            assert_eq!(
                verify_totp(&rfc_secret(), six, time),
                Some(time / 30),
                "time {time}"
            );
        }
    }

    #[test]
    fn skew_of_one_step_either_side() {
        let secret = TotpSecret::generate();
        let now = 1_700_000_000;
        let step = now / 30;
        for delta in [-1, 0, 1] {
            let code = totp_at(&secret, step + delta);
            assert_eq!(
                verify_totp(&secret, &code, now),
                Some(step + delta),
                "delta {delta}"
            );
        }
        for delta in [-3, -2, 2, 3] {
            let code = totp_at(&secret, step + delta);
            // A random secret could in theory repeat a code across steps; only fail if the
            // code differs from every accepted one.
            let accepted = [step - 1, step, step + 1].map(|s| totp_at(&secret, s));
            if !accepted.contains(&code) {
                assert_eq!(verify_totp(&secret, &code, now), None, "delta {delta}");
            }
        }
    }

    #[test]
    fn rejects_malformed_codes() {
        let secret = rfc_secret();
        let good = totp_at(&secret, 1);
        assert_eq!(verify_totp(&secret, &good, 30), Some(1));
        let spaced = format!("{} {}", &good[..3], &good[3..]);
        assert_eq!(verify_totp(&secret, &spaced, 30), Some(1));
        for bad in [
            "", "12345", "1234567", "abcdef", "28708２", "-87082", "+87082", "2870 8",
        ] {
            assert_eq!(verify_totp(&secret, bad, 30), None, "{bad:?}");
        }
    }

    #[test]
    fn secret_generation_and_base32() {
        let secret = TotpSecret::generate();
        assert_eq!(secret.as_bytes().len(), 20);
        assert_ne!(secret.as_bytes(), TotpSecret::generate().as_bytes());
        assert_eq!(secret.to_base32().len(), 32);
        assert_eq!(rfc_secret().to_base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(format!("{secret:?}"), "TotpSecret(<redacted>)");
    }

    #[test]
    fn otpauth_uri_form() {
        let uri = otpauth_uri(&rfc_secret(), "Acme MSP & Co", "alice@example.com");
        assert_eq!(
            uri,
            "otpauth://totp/Acme%20MSP%20%26%20Co:alice%40example.com\
             ?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Acme%20MSP%20%26%20Co\
             &algorithm=SHA1&digits=6&period=30"
        );
    }
}
