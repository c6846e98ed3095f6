//! Random bearer tokens, their hashes, keyed MACs, constant-time comparison and numeric codes.
//!
//! Tokens are 256-bit and high-entropy, so a plain SHA-256 is enough to store them: nobody can
//! brute-force a 2^256 pre-image, and a fast hash keeps session lookups cheap.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore as _;
use rand::rngs::OsRng;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use crate::mac::hmac_sha256_raw;

/// A fresh 256-bit token from the OS RNG, as base64url without padding (43 characters, safe in
/// cookies and URLs), together with [`hash_token`] of it.
///
/// Give the string to the client exactly once and store only the hash.
#[must_use]
pub fn random_token() -> (String, [u8; 32]) {
    let mut raw = zeroize::Zeroizing::new([0u8; 32]);
    OsRng.fill_bytes(raw.as_mut());
    let token = URL_SAFE_NO_PAD.encode(raw.as_ref());
    let hash = hash_token(&token);
    (token, hash)
}

/// SHA-256 of the token string as the client presents it; the value to store and look up.
#[must_use]
pub fn hash_token(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Constant-time equality for secrets (MACs, hashes, codes), so response timing does not reveal
/// how many leading bytes matched. Slices of different length compare unequal (the length
/// itself is not treated as secret).
#[must_use]
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// HMAC-SHA256 of `parts`, each preceded by its length as a big-endian `u64`.
///
/// The length prefix makes part boundaries unambiguous: `["ab", "c"]` and `["a", "bc"]` give
/// different MACs, which plain concatenation would not.
#[must_use]
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut framed: Vec<[u8; 8]> = Vec::with_capacity(parts.len());
    for part in parts {
        framed.push((part.len() as u64).to_be_bytes());
    }
    let mut chunks: Vec<&[u8]> = Vec::with_capacity(parts.len() * 2);
    for (len, part) in framed.iter().zip(parts) {
        chunks.push(len);
        chunks.push(part);
    }
    hmac_sha256_raw(key, &chunks)
}

/// `n` uniformly random decimal digits (for verification codes), from the OS RNG.
///
/// Uses rejection sampling: bytes 250..=255 are discarded, so each digit is exactly 1/10
/// likely. Taking `byte % 10` directly would favour 0..=5.
#[must_use]
pub fn random_digits(n: usize) -> String {
    let mut out = String::with_capacity(n);
    let mut buf = [0u8; 32];
    while out.len() < n {
        OsRng.fill_bytes(&mut buf);
        for &byte in &buf {
            if out.len() == n {
                break;
            }
            if byte < 250 {
                out.push(char::from(b'0' + byte % 10));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_token_is_256_bit_base64url_and_hash_matches() {
        let (token, hash) = random_token();
        assert_eq!(token.len(), 43);
        assert!(
            token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_eq!(URL_SAFE_NO_PAD.decode(&token).unwrap().len(), 32);
        assert_eq!(hash, hash_token(&token));
        let (other, _) = random_token();
        assert_ne!(token, other);
    }

    #[test]
    fn hash_token_is_sha256() {
        // SHA-256("abc") from FIPS 180-2.
        assert_eq!(
            hex::encode(hash_token("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn ct_eq_behaves_like_eq() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"abcd"));
        assert!(ct_eq(b"", b""));
    }

    #[test]
    fn hmac_parts_are_unambiguous() {
        let key = b"key";
        assert_ne!(
            hmac_sha256(key, &[b"ab", b"c"]),
            hmac_sha256(key, &[b"a", b"bc"])
        );
        assert_ne!(
            hmac_sha256(key, &[b"abc"]),
            hmac_sha256(key, &[b"abc", b""])
        );
        assert_eq!(
            hmac_sha256(key, &[b"a", b"b"]),
            hmac_sha256(key, &[b"a", b"b"])
        );
        assert_ne!(hmac_sha256(b"k1", &[b"a"]), hmac_sha256(b"k2", &[b"a"]));
    }

    #[test]
    fn hmac_raw_matches_rfc4231_case_2() {
        // Guards the helper underneath: RFC 4231 test case 2.
        let mac = hmac_sha256_raw(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn random_digits_length_and_charset() {
        for n in [0, 1, 6, 8, 100] {
            let code = random_digits(n);
            assert_eq!(code.len(), n);
            assert!(code.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn random_digits_distribution_is_roughly_uniform() {
        // A sanity check that the generator is not broken (stuck digit, wrong range). The
        // absence of modulo bias comes from the construction, not from this test: 60_000
        // digits cannot reliably see a 2% skew. Bounds are > 6 sd wide (sd ~73 around 6000),
        // so a false failure is practically impossible.
        let sample = random_digits(60_000);
        let mut counts = [0u32; 10];
        for b in sample.bytes() {
            counts[usize::from(b - b'0')] += 1;
        }
        for (digit, &count) in counts.iter().enumerate() {
            assert!(
                (5500..6500).contains(&count),
                "digit {digit} appeared {count} times"
            );
        }
        let expected = 6000.0_f64;
        let chi2: f64 = counts
            .iter()
            .map(|&c| (f64::from(c) - expected).powi(2) / expected)
            .sum();
        // 9 degrees of freedom: p = 1e-6 at about 43.
        assert!(chi2 < 45.0, "chi-square {chi2} too large: {counts:?}");
    }
}
