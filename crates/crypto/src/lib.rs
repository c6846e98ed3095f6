//! Cryptography for Countersign, kept in one crate so reviewers audit one place.
//!
//! - [`keyring`]: the server's master keys, sealed (encrypted + authenticated) values at rest,
//!   and purpose-bound derived keys.
//! - [`token`]: random bearer tokens, hashing, HMAC, constant-time compare, numeric codes.
//! - [`password`]: Argon2id password hashing.
//! - [`totp`]: RFC 6238 one-time passwords for authenticator apps.
//! - [`qr`]: QR codes as inline SVG, for TOTP enrolment.
//! - [`recovery`]: MFA recovery codes.
//!
//! Every random value comes from the operating system (`OsRng`), never a userspace PRNG,
//! so there is no seeding mistake to make.

#![forbid(unsafe_code)]

mod base32;
pub mod keyring;
mod mac;
pub mod password;
pub mod qr;
pub mod recovery;
pub mod token;
pub mod totp;

pub use keyring::{Keyring, KeyringError, SealAad, SealError, purpose, sealed_key_id};
pub use mac::webhook_signature;
pub use password::{PasswordError, PasswordHasher, PasswordParams};
pub use qr::qr_svg;
pub use recovery::{generate_recovery_codes, hash_recovery_code, normalize_recovery_code};
pub use token::{ct_eq, hash_token, hmac_sha256, random_digits, random_token};
pub use totp::{TotpSecret, otpauth_uri, totp_at, verify_totp};
