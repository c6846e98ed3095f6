//! Errors of the keyring and of sealed values. Messages name the file and say what to do,
//! because operators meet them at startup, but never contain key material.

use std::path::PathBuf;

/// Why a key file could not be loaded, created or written.
#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    /// The key file does not exist. Not silently replaced: a new key cannot decrypt old data.
    #[error(
        "key file {} does not exist. If this is an existing installation, restore the key \
         file from your backup (values sealed with a lost key cannot be decrypted); if it is \
         a new installation, let Countersign create it",
        path.display()
    )]
    Missing {
        /// The path that was looked up.
        path: PathBuf,
    },
    /// `Keyring::create` found a file already there and refused to overwrite it.
    #[error(
        "key file {} already exists; refusing to overwrite it (that would lose the keys \
         needed to decrypt existing data). Load it instead, or move it away first",
        path.display()
    )]
    AlreadyExists {
        /// The existing file.
        path: PathBuf,
    },
    /// A filesystem operation failed (permissions, disk full, missing directory...).
    #[error("could not {action} key file {}: {source}", path.display())]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// What was being done, e.g. "read" or "rename the temporary file over".
        action: &'static str,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The file was group- or world-accessible and could not be restricted to 0600.
    #[error(
        "key file {} is accessible to other users (mode {mode:04o}) and could not be \
         changed to 0600: {source}. Fix it with `chmod 600` as the file's owner",
        path.display()
    )]
    Permissions {
        /// The key file.
        path: PathBuf,
        /// The mode found on the file.
        mode: u32,
        /// Why `chmod` failed.
        #[source]
        source: std::io::Error,
    },
    /// The file (or in-memory key list) is not a valid keyring.
    #[error("key file {origin} is invalid: {detail}")]
    Format {
        /// The path, or "(in memory)" for keyrings built in code.
        origin: String,
        /// Which entry and what is wrong with it.
        detail: String,
    },
}

/// Why a sealed value could not be opened.
///
/// Deliberately coarse: telling a caller *why* authentication failed would help an attacker
/// probing with modified ciphertexts and never helps a legitimate one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// Not a sealed value of a version this code understands (truncated, wrong version byte).
    #[error("sealed value is malformed or of an unknown version")]
    Malformed,
    /// Sealed with a key this keyring does not hold (key file from a different installation,
    /// or an old key was removed before everything was re-sealed).
    #[error("sealed value uses key {0}, which is not in the keyring")]
    UnknownKey(String),
    /// Authentication failed: the bytes were modified, or the value was moved to another
    /// org/table/column/row than it was sealed for.
    #[error("sealed value failed authentication (tampered, or not sealed for this row)")]
    Failed,
}
