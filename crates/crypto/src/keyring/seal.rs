//! Sealed values: credentials encrypted at rest with XChaCha20-Poly1305 under a master key,
//! bound to the exact place they are stored (security.md §2.7).
//!
//! # Envelope (version 1)
//!
//! ```text
//! 0x01 | key id length (1 byte) | key id (ASCII) | nonce (24 bytes) | ciphertext + tag (16)
//! ```
//!
//! The nonce is random from the OS RNG; 192 bits make collisions negligible without counters.
//!
//! # Associated data
//!
//! Authenticated but not stored: each of the following as a big-endian `u64` length and the
//! bytes: `"countersign.sealed.v1"`, the org id (16 UUID bytes, or empty when there is none),
//! table, column, row id, and the key id from the header. So a sealed value copied to
//! another row, column, table or org fails to open, and editing the header's key id does too.

use chacha20poly1305::aead::{Aead as _, Payload};
use chacha20poly1305::{KeyInit as _, XChaCha20Poly1305, XNonce};
use countersign_domain::OrgId;
use rand::RngCore as _;
use rand::rngs::OsRng;
use zeroize::Zeroizing;

use super::error::SealError;
use super::{Keyring, MasterKey};

const VERSION: u8 = 1;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
const DOMAIN: &[u8] = b"countersign.sealed.v1";

/// Where a sealed value lives. Opening requires the same values that sealing used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SealAad<'a> {
    /// The owning org, or `None` for server-wide values.
    pub org_id: Option<OrgId>,
    /// Database table, e.g. `"m365_connections"`.
    pub table: &'a str,
    /// Column holding the sealed bytes, e.g. `"client_secret"`.
    pub column: &'a str,
    /// Primary key of the row, as text.
    pub row_id: &'a str,
}

impl Keyring {
    /// Encrypt and authenticate `plaintext` with the active key for the place `aad` names.
    ///
    /// # Panics
    /// Only if `plaintext` exceeds the AEAD's limit of about 256 GiB.
    #[must_use]
    pub fn seal(&self, plaintext: &[u8], aad: &SealAad<'_>) -> Vec<u8> {
        let master = self.active_key();
        let mut nonce = [0u8; NONCE_LEN];
        OsRng.fill_bytes(&mut nonce);
        let ciphertext = cipher(master)
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: &aad_bytes(aad, &master.id),
                },
            )
            // The only error XChaCha20-Poly1305 encryption has is "message too long".
            .expect("plaintext within the XChaCha20-Poly1305 length limit");
        let id = master.id.as_bytes();
        let mut out = Vec::with_capacity(2 + id.len() + NONCE_LEN + ciphertext.len());
        out.push(VERSION);
        // Ids are at most 64 bytes (checked on load), so the length fits in the byte.
        out.push(id.len() as u8);
        out.extend_from_slice(id);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ciphertext);
        out
    }

    /// Decrypt a value from [`Keyring::seal`], checking it was sealed for the place `aad` names.
    ///
    /// # Errors
    /// [`SealError::Malformed`] for bytes that are not a v1 envelope, [`SealError::UnknownKey`]
    /// if its key is not in this keyring, [`SealError::Failed`] if it was tampered with or
    /// belongs to another org/table/column/row.
    pub fn open(&self, sealed: &[u8], aad: &SealAad<'_>) -> Result<Zeroizing<Vec<u8>>, SealError> {
        let envelope = parse(sealed).ok_or(SealError::Malformed)?;
        let master = self
            .find(envelope.key_id)
            .ok_or_else(|| SealError::UnknownKey(envelope.key_id.to_string()))?;
        cipher(master)
            .decrypt(
                XNonce::from_slice(envelope.nonce),
                Payload {
                    msg: envelope.ciphertext,
                    aad: &aad_bytes(aad, envelope.key_id),
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| SealError::Failed)
    }

    /// Whether `sealed` should be re-sealed with the active key (it uses an older key, or is
    /// unreadable). Lets a rotation job find what is left to migrate.
    #[must_use]
    pub fn needs_reseal(&self, sealed: &[u8]) -> bool {
        sealed_key_id(sealed) != Some(self.active_key_id())
    }
}

/// The key id in a sealed value's header, without decrypting it; `None` if malformed.
/// Useful to count values per key before retiring one.
#[must_use]
pub fn sealed_key_id(sealed: &[u8]) -> Option<&str> {
    parse(sealed).map(|e| e.key_id)
}

struct Envelope<'s> {
    key_id: &'s str,
    nonce: &'s [u8],
    ciphertext: &'s [u8],
}

fn parse(sealed: &[u8]) -> Option<Envelope<'_>> {
    let (&version, rest) = sealed.split_first()?;
    if version != VERSION {
        return None;
    }
    let (&id_len, rest) = rest.split_first()?;
    let (id, rest) = rest.split_at_checked(usize::from(id_len))?;
    let key_id = std::str::from_utf8(id)
        .ok()
        .filter(|id| super::valid_key_id(id))?;
    let (nonce, ciphertext) = rest.split_at_checked(NONCE_LEN)?;
    if ciphertext.len() < TAG_LEN {
        return None;
    }
    Some(Envelope {
        key_id,
        nonce,
        ciphertext,
    })
}

fn cipher(master: &MasterKey) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(master.key.as_ref().into())
}

/// The length-prefixed associated data described in the module docs.
fn aad_bytes(aad: &SealAad<'_>, key_id: &str) -> Vec<u8> {
    let org = aad
        .org_id
        .as_ref()
        .map_or(&[][..], |org| org.0.as_bytes().as_slice());
    let fields: [&[u8]; 6] = [
        DOMAIN,
        org,
        aad.table.as_bytes(),
        aad.column.as_bytes(),
        aad.row_id.as_bytes(),
        key_id.as_bytes(),
    ];
    let mut out = Vec::with_capacity(fields.iter().map(|f| 8 + f.len()).sum());
    for field in fields {
        out.extend_from_slice(&(field.len() as u64).to_be_bytes());
        out.extend_from_slice(field);
    }
    out
}
