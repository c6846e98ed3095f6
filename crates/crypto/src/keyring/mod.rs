//! The server's master keys: loaded from a key file kept apart from the database, used to seal
//! credentials at rest ([`Keyring::seal`]) and to derive purpose-bound keys
//! ([`Keyring::derive_key`]).
//!
//! Exactly one key is active (used for new work); older keys stay in the file, inactive, so
//! values sealed with them still open after a rotation. See [`file`](mod@file) for the file format.
//!
//! # Derived keys and rotation
//!
//! Purpose-bound keys are derived from master keys with HKDF-SHA256 (salt
//! `countersign.derive.v1`, info = the purpose string), so one master key can serve
//! CSRF tokens, verification-code MACs and recovery-code hashing without any two uses ever
//! sharing a key (privacyIDEA's "separate keys per data class", without more key files).
//!
//! Derived keys come from a specific master key, so rotating changes them:
//!
//! - **Short-lived uses** (CSRF tokens, verification-code HMACs valid ≤ 10 minutes) call
//!   [`Keyring::derive_key`], which uses the active key. A rotation invalidates values in
//!   flight; the user requests a new code or reloads the form. Rotation is rare, so that is
//!   an acceptable price for not tracking key ids.
//! - **Long-lived uses** (recovery-code hashes, kept for months) must survive rotation. They
//!   call [`Keyring::derive_key_with_id`] when storing and record the returned key id next to
//!   the hash, and call [`Keyring::derive_key_from`] with that id when verifying. This is the
//!   same "mark each item with its key id" pattern as sealed values, so old codes keep working
//!   after a rotation, newly generated codes use the new key, and an old key can be retired
//!   once no stored hash names it. (A fixed "pepper key" would instead pin one key forever.)

mod derive;
mod error;
pub mod file;
mod seal;

use std::fmt;
use std::path::Path;

use rand::RngCore as _;
use rand::rngs::OsRng;
use zeroize::Zeroizing;

pub use derive::purpose;
pub use error::{KeyringError, SealError};
pub use seal::{SealAad, sealed_key_id};

use file::{RawKey, Replace};

/// Length of every master key: 256 bits.
pub(crate) const KEY_LEN: usize = 32;
/// Longest accepted key id; well under the 255 the sealed header's length byte allows.
const MAX_ID_LEN: usize = 64;

/// One master key with its id. The key bytes are wiped from memory on drop.
#[derive(Clone)]
pub(crate) struct MasterKey {
    pub(crate) id: String,
    pub(crate) key: Zeroizing<[u8; KEY_LEN]>,
}

/// A set of 256-bit master keys, each with a string id, exactly one of them active.
///
/// Cheap enough to clone, but the usual pattern is one instance in an `Arc` in app state.
/// `Debug` prints key ids only.
#[derive(Clone)]
pub struct Keyring {
    keys: Vec<MasterKey>,
    active: usize,
    fixed_mode: Option<u32>,
}

impl Keyring {
    /// Load the key file at `path` (format in [`file`](mod@file)).
    ///
    /// If the file is readable by group or others it is first changed to 0600 and
    /// [`Keyring::permissions_fixed`] reports the old mode so the caller can log a warning.
    ///
    /// # Errors
    /// [`KeyringError::Missing`] if there is no file, `Io`/`Permissions` if it cannot be read or
    /// tightened, `Format` if its contents are invalid (naming the entry and the problem).
    pub fn load(path: &Path) -> Result<Keyring, KeyringError> {
        let loaded = file::read_key_file(path)?;
        let mut keyring = Self::from_raw(loaded.keys, &path.display().to_string())?;
        keyring.fixed_mode = loaded.fixed_mode;
        Ok(keyring)
    }

    /// Create a new key file at `path` with one fresh active key (mode 0600; a missing parent
    /// directory is created with mode 0700).
    ///
    /// # Errors
    /// [`KeyringError::AlreadyExists`] if a file is already there (it is never overwritten,
    /// even if another process creates it at the same moment), or `Io` on write failures.
    pub fn create(path: &Path) -> Result<Keyring, KeyringError> {
        let keyring = Self::ephemeral();
        let text = file::render(&keyring.keys, keyring.active);
        file::write_atomic(path, text.as_bytes(), Replace::NoClobber)?;
        Ok(keyring)
    }

    /// Load the key file, or create it if it does not exist yet. The `bool` is `true` when a
    /// new file was created (worth logging loudly: it must now be backed up).
    ///
    /// # Errors
    /// As [`Keyring::load`] and [`Keyring::create`], except that a missing file is not one.
    pub fn load_or_create(path: &Path) -> Result<(Keyring, bool), KeyringError> {
        match Self::load(path) {
            Err(KeyringError::Missing { .. }) => match Self::create(path) {
                Ok(keyring) => Ok((keyring, true)),
                // Another process created it between our two calls: use theirs.
                Err(KeyringError::AlreadyExists { .. }) => Ok((Self::load(path)?, false)),
                Err(e) => Err(e),
            },
            other => other.map(|keyring| (keyring, false)),
        }
    }

    /// Add a fresh key as the active one, keep all previous keys as inactive, and write the
    /// whole keyring atomically to `path`. Returns the new key id.
    ///
    /// `self` changes only if the file was written. Values sealed before still open; re-seal
    /// them (see [`Keyring::needs_reseal`]) so old keys can eventually be retired. Keys derived
    /// with [`Keyring::derive_key`] change, which invalidates outstanding short-lived tokens.
    /// Meant for an operator command run once at a time; two concurrent rotations of the
    /// same file would keep only one of the new keys.
    ///
    /// # Errors
    /// `Io` if the file cannot be written; the keyring is then unchanged.
    pub fn rotate_in_place(&mut self, path: &Path) -> Result<String, KeyringError> {
        let mut keys = self.keys.clone();
        let new_key = fresh_key(&keys);
        let id = new_key.id.clone();
        keys.push(new_key);
        let active = keys.len() - 1;
        let text = file::render(&keys, active);
        file::write_atomic(path, text.as_bytes(), Replace::Overwrite)?;
        self.keys = keys;
        self.active = active;
        Ok(id)
    }

    /// A keyring with one fresh random active key, held in memory only (tests, demo mode).
    #[must_use]
    pub fn ephemeral() -> Keyring {
        Keyring {
            keys: vec![fresh_key(&[])],
            active: 0,
            fixed_mode: None,
        }
    }

    /// A keyring from explicit keys, for tests and fixtures that need known key bytes.
    ///
    /// # Errors
    /// `Format` if an id is invalid or repeated, or `active_id` is not among the keys.
    pub fn from_keys(
        keys: Vec<(String, [u8; 32])>,
        active_id: &str,
    ) -> Result<Keyring, KeyringError> {
        let raw = keys
            .into_iter()
            .map(|(id, key)| RawKey {
                active: id == active_id,
                id,
                key: Zeroizing::new(key),
            })
            .collect();
        Self::from_raw(raw, "(in memory)")
    }

    /// The id of the key that seals new values, e.g. `k-3f9a0c12`.
    #[must_use]
    pub fn active_key_id(&self) -> &str {
        &self.keys[self.active].id
    }

    /// Whether a key with this id is in the keyring (active or not).
    #[must_use]
    pub fn has_key(&self, id: &str) -> bool {
        self.find(id).is_some()
    }

    /// All key ids, in file order (oldest first for files this code wrote).
    pub fn key_ids(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|k| k.id.as_str())
    }

    /// `Some(old_mode)` if [`Keyring::load`] found the file accessible to group/others and
    /// changed it to 0600; the caller should log a warning (someone may have read it).
    #[must_use]
    pub fn permissions_fixed(&self) -> Option<u32> {
        self.fixed_mode
    }

    pub(crate) fn active_key(&self) -> &MasterKey {
        &self.keys[self.active]
    }

    pub(crate) fn find(&self, id: &str) -> Option<&MasterKey> {
        self.keys.iter().find(|k| k.id == id)
    }

    /// Validate raw keys: at least one, ids valid and unique, exactly one active.
    fn from_raw(raw: Vec<RawKey>, origin: &str) -> Result<Keyring, KeyringError> {
        let invalid = |detail: String| KeyringError::Format {
            origin: origin.to_string(),
            detail,
        };
        if raw.is_empty() {
            return Err(invalid(
                "it contains no keys; add a [[keys]] entry".to_string(),
            ));
        }
        let mut keys: Vec<MasterKey> = Vec::with_capacity(raw.len());
        let mut active = Vec::new();
        for (index, entry) in raw.into_iter().enumerate() {
            if !valid_key_id(&entry.id) {
                return Err(invalid(format!(
                    "entry {}: id must be 1-{MAX_ID_LEN} characters of A-Z a-z 0-9 . _ -",
                    index + 1
                )));
            }
            if keys.iter().any(|k| k.id == entry.id) {
                return Err(invalid(format!(
                    "entry {}: id {:?} is used by an earlier entry too",
                    index + 1,
                    entry.id
                )));
            }
            if entry.active {
                active.push(index);
            }
            keys.push(MasterKey {
                id: entry.id,
                key: entry.key,
            });
        }
        match active.as_slice() {
            [one] => Ok(Keyring {
                keys,
                active: *one,
                fixed_mode: None,
            }),
            [] => Err(invalid(
                "no key is marked `active = true`; exactly one must be".into(),
            )),
            many => Err(invalid(format!(
                "{} keys are marked active ({}); exactly one must be",
                many.len(),
                many.iter()
                    .map(|&i| keys[i].id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Ids only: a keyring ends up in `Debug` output of app state, and keys must never.
        f.debug_struct("Keyring")
            .field("active", &self.active_key_id())
            .field("keys", &self.key_ids().collect::<Vec<_>>())
            .finish()
    }
}

/// Key ids go into sealed headers and the key file unescaped, so keep them to a safe charset.
pub(crate) fn valid_key_id(id: &str) -> bool {
    (1..=MAX_ID_LEN).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// A new random key whose id (`k-` + 8 hex digits) is not already taken.
fn fresh_key(existing: &[MasterKey]) -> MasterKey {
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    OsRng.fill_bytes(key.as_mut());
    loop {
        let mut tag = [0u8; 4];
        OsRng.fill_bytes(&mut tag);
        let id = format!("k-{}", hex::encode(tag));
        if !existing.iter().any(|k| k.id == id) {
            return MasterKey { id, key };
        }
    }
}

#[cfg(test)]
mod tests;
