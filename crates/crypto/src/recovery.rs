//! MFA recovery codes: random, human-friendly, stored only as keyed hashes.
//!
//! Each code is 24 characters of Crockford base32 (120 bits) in groups of four, e.g.
//! `7kq2-9xhd-m3tp-c8rz-b4wn-5fjv`. 120 bits is above ASVS 5.0 6.5.2's 112-bit threshold, so
//! a fast keyed hash is enough (no per-code Argon2, which would make checking ten codes slow):
//! HMAC-SHA256 with a pepper derived from the keyring, which lives outside the database, so a
//! database dump alone does not allow any guessing.
//!
//! Derive the pepper with `keyring.derive_key_with_id(purpose::RECOVERY_CODE)` and store the
//! key id with the hashes; verify with `keyring.derive_key_from(id, purpose::RECOVERY_CODE)`,
//! so codes survive key rotation (see the `keyring` module docs). Mark a code used once it succeeds.

use rand::RngCore as _;
use rand::rngs::OsRng;

use crate::token::hmac_sha256;

/// Crockford's base32 alphabet, lower case: digits and letters without i, l, o, u, so nothing
/// looks like anything else.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
/// Characters per code (5 bits each: 120 bits).
const CODE_CHARS: usize = 24;
/// Characters per dash-separated group.
const GROUP: usize = 4;

/// `n` fresh recovery codes like `7kq2-9xhd-m3tp-c8rz-b4wn-5fjv` (120 bits each, OS RNG).
#[must_use]
pub fn generate_recovery_codes(n: usize) -> Vec<String> {
    (0..n).map(|_| generate_one()).collect()
}

fn generate_one() -> String {
    let mut random = [0u8; CODE_CHARS];
    OsRng.fill_bytes(&mut random);
    let mut code = String::with_capacity(CODE_CHARS + CODE_CHARS / GROUP);
    for (index, byte) in random.iter().enumerate() {
        if index > 0 && index % GROUP == 0 {
            code.push('-');
        }
        // 256 is a multiple of 32, so the low 5 bits are uniform: no bias.
        code.push(char::from(ALPHABET[usize::from(byte & 0x1f)]));
    }
    code
}

/// The canonical form of what a user typed: whitespace and dashes removed, lower case, and the
/// look-alikes Crockford base32 excludes mapped to what they were meant to be (`o` → `0`,
/// `i`/`l` → `1`), so misreading a printed code does not lock anyone out.
#[must_use]
pub fn normalize_recovery_code(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_lowercase() {
            'o' => '0',
            'i' | 'l' => '1',
            other => other,
        })
        .collect()
}

/// HMAC-SHA256 of the normalized code under `pepper`; the value to store and to compare
/// (with `ct_eq`) when a code is presented.
#[must_use]
pub fn hash_recovery_code(pepper: &[u8], code: &str) -> Vec<u8> {
    let normalized = normalize_recovery_code(code);
    hmac_sha256(pepper, &[normalized.as_bytes()]).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_the_documented_shape() {
        let codes = generate_recovery_codes(10);
        assert_eq!(codes.len(), 10);
        for code in &codes {
            assert_eq!(code.len(), 29, "{code}");
            let groups: Vec<&str> = code.split('-').collect();
            assert_eq!(groups.len(), 6);
            assert!(groups.iter().all(|g| g.len() == 4));
            assert!(code.bytes().all(|b| b == b'-' || ALPHABET.contains(&b)));
            assert!(!code.contains(['i', 'l', 'o', 'u']));
        }
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), codes.len());
    }

    #[test]
    fn normalization() {
        assert_eq!(
            normalize_recovery_code(" 7KQ2-9XHD m3tp\t-c8rz "),
            "7kq29xhdm3tpc8rz"
        );
        assert_eq!(normalize_recovery_code("Oo-Il-iL"), "001111");
        let code = &generate_recovery_codes(1)[0];
        assert_eq!(normalize_recovery_code(code), code.replace('-', ""));
        assert_eq!(
            normalize_recovery_code(&normalize_recovery_code(code)),
            normalize_recovery_code(code)
        );
    }

    #[test]
    fn hashing_is_keyed_and_normalized() {
        let code = "7kq2-9xhd-m3tp-c8rz-b4wn-5fjv";
        let h = hash_recovery_code(b"pepper", code);
        assert_eq!(h.len(), 32);
        assert_eq!(
            h,
            hash_recovery_code(b"pepper", "7KQ2 9XHD M3TP C8RZ B4WN 5FJV")
        );
        assert_ne!(h, hash_recovery_code(b"other pepper", code));
        assert_ne!(
            h,
            hash_recovery_code(b"pepper", "7kq2-9xhd-m3tp-c8rz-b4wn-5fjw")
        );
    }
}
