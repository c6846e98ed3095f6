//! The on-disk key file: parsing, writing, permissions and atomic replacement.
//!
//! # Format
//!
//! TOML with one `[[keys]]` table per key:
//!
//! ```toml
//! [[keys]]
//! id = "k-3f9a0c12"        # 1-64 characters of A-Z a-z 0-9 . _ -; unique in the file
//! key = "<base64>"         # standard base64 (with padding) of exactly 32 random bytes
//! active = true            # exactly one key is active; optional, defaults to false
//! ```
//!
//! The active key seals new values and derives short-lived keys; inactive keys are kept so
//! that older values stay readable. Unknown fields are rejected so a typo cannot go unnoticed.
//!
//! The file is always written with mode 0600 into a temporary file in the same directory,
//! fsynced and then renamed over the target, so a crash leaves either the old or the new file,
//! never a torn one.

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{ErrorKind, Read as _, Write as _};
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore as _;
use rand::rngs::OsRng;
use serde::Deserialize;
use zeroize::{Zeroize as _, Zeroizing};

use super::error::KeyringError;
use super::{KEY_LEN, MasterKey};

/// Mode for the key file: owner read/write only.
const FILE_MODE: u32 = 0o600;
/// Mode for a key directory we create ourselves.
const DIR_MODE: u32 = 0o700;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    #[serde(default)]
    keys: Vec<KeyEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyEntry {
    id: String,
    key: String,
    #[serde(default)]
    active: bool,
}

/// One key as read from a file or handed in by code, before validation.
pub(super) struct RawKey {
    pub(super) id: String,
    pub(super) key: Zeroizing<[u8; KEY_LEN]>,
    pub(super) active: bool,
}

/// What [`read_key_file`] found.
pub(super) struct Loaded {
    pub(super) keys: Vec<RawKey>,
    /// The mode the file had if it was too open and was tightened to 0600.
    pub(super) fixed_mode: Option<u32>,
}

/// Read and parse the key file, tightening its permissions first if needed.
pub(super) fn read_key_file(path: &Path) -> Result<Loaded, KeyringError> {
    let fixed_mode = fix_permissions(path)?;
    let mut text = Zeroizing::new(String::new());
    File::open(path)
        .and_then(|mut f| f.read_to_string(&mut text))
        .map_err(|source| match source.kind() {
            ErrorKind::NotFound => KeyringError::Missing {
                path: path.to_path_buf(),
            },
            _ => io_err(path, "read", source),
        })?;
    let keys = parse(&text).map_err(|detail| KeyringError::Format {
        origin: path.display().to_string(),
        detail,
    })?;
    Ok(Loaded { keys, fixed_mode })
}

/// Restrict a group/world-accessible key file to 0600. Returns the old mode if it changed it.
fn fix_permissions(path: &Path) -> Result<Option<u32>, KeyringError> {
    let meta = fs::metadata(path).map_err(|source| match source.kind() {
        ErrorKind::NotFound => KeyringError::Missing {
            path: path.to_path_buf(),
        },
        _ => io_err(path, "inspect", source),
    })?;
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o077 == 0 {
        return Ok(None);
    }
    fs::set_permissions(path, fs::Permissions::from_mode(FILE_MODE)).map_err(|source| {
        KeyringError::Permissions {
            path: path.to_path_buf(),
            mode,
            source,
        }
    })?;
    Ok(Some(mode))
}

/// Parse key file text. Errors say where and what, and never quote the file, because a
/// TOML error snippet could contain key material.
fn parse(text: &str) -> Result<Vec<RawKey>, String> {
    let file: KeyFile = toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
        match line {
            Some(line) => format!("line {line}: {}", e.message()),
            None => e.message().to_string(),
        }
    })?;
    let mut keys = Vec::with_capacity(file.keys.len());
    for (index, mut entry) in file.keys.into_iter().enumerate() {
        let decoded = decode_key(&entry.key);
        entry.key.zeroize();
        let key = decoded.map_err(|what| {
            format!(
                "entry {} (id {:?}): {what}",
                index + 1,
                printable_id(&entry.id)
            )
        })?;
        keys.push(RawKey {
            id: entry.id,
            key,
            active: entry.active,
        });
    }
    Ok(keys)
}

/// Show an id in an error only if it looks like an id; a misplaced key must not be echoed.
fn printable_id(id: &str) -> &str {
    if super::valid_key_id(id) {
        id
    } else {
        "<invalid>"
    }
}

fn decode_key(b64: &str) -> Result<Zeroizing<[u8; KEY_LEN]>, String> {
    let bytes = Zeroizing::new(
        STANDARD
            .decode(b64.trim())
            .map_err(|_| "key is not valid standard base64".to_string())?,
    );
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    if bytes.len() != KEY_LEN {
        return Err(format!("key must be {KEY_LEN} bytes, got {}", bytes.len()));
    }
    key.copy_from_slice(&bytes);
    Ok(key)
}

/// Render keys in the documented format. Ids are validated and base64 needs no escaping,
/// so plain formatting produces valid TOML without a serializer keeping extra copies.
pub(super) fn render(keys: &[MasterKey], active: usize) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::from(
        "# Countersign key file. Secret: keep it mode 0600, back it up separately from the\n\
         # database, and never delete an inactive key while data sealed with it may remain.\n",
    ));
    for (index, key) in keys.iter().enumerate() {
        let encoded = Zeroizing::new(STANDARD.encode(key.key.as_ref()));
        out.push_str("\n[[keys]]\nid = \"");
        out.push_str(&key.id);
        out.push_str("\"\nkey = \"");
        out.push_str(&encoded);
        out.push_str("\"\nactive = ");
        out.push_str(if index == active { "true" } else { "false" });
        out.push('\n');
    }
    out
}

/// How [`write_atomic`] puts the finished temporary file in place.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Replace {
    /// Rename over whatever is there.
    Overwrite,
    /// Fail with [`KeyringError::AlreadyExists`] if the target exists, atomically (hard link),
    /// so two processes starting at once cannot both create and one lose its key.
    NoClobber,
}

/// Write `contents` to `path` via a 0600 temporary file in the same directory, fsync, then
/// rename (or hard-link) it into place and fsync the directory.
pub(super) fn write_atomic(
    path: &Path,
    contents: &[u8],
    mode: Replace,
) -> Result<(), KeyringError> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let Some(file_name) = path.file_name() else {
        return Err(KeyringError::Format {
            origin: path.display().to_string(),
            detail: "the path has no file name".to_string(),
        });
    };
    DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(&dir)
        .map_err(|source| io_err(&dir, "create the directory of", source))?;

    let mut suffix = [0u8; 6];
    OsRng.fill_bytes(&mut suffix);
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        file_name.to_string_lossy(),
        hex::encode(suffix)
    ));
    let result = write_tmp_and_place(&tmp, path, contents, mode);
    if result.is_err() {
        // Best effort: a leftover temp file holds key material, so do not leave it behind.
        let _ = fs::remove_file(&tmp);
    }
    result?;
    // Make the rename itself durable; without this a crash could forget the new name.
    File::open(&dir)
        .and_then(|d| d.sync_all())
        .map_err(|source| io_err(&dir, "sync the directory of", source))
}

fn write_tmp_and_place(
    tmp: &Path,
    path: &Path,
    contents: &[u8],
    mode: Replace,
) -> Result<(), KeyringError> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(FILE_MODE)
        .open(tmp)
        .map_err(|source| io_err(tmp, "create the temporary", source))?;
    // The umask can only clear bits, but set the mode explicitly so it is exactly 0600.
    file.set_permissions(fs::Permissions::from_mode(FILE_MODE))
        .map_err(|source| io_err(tmp, "chmod the temporary", source))?;
    file.write_all(contents)
        .and_then(|()| file.sync_all())
        .map_err(|source| io_err(tmp, "write the temporary", source))?;
    drop(file);
    match mode {
        Replace::Overwrite => fs::rename(tmp, path)
            .map_err(|source| io_err(path, "rename the temporary file over", source)),
        Replace::NoClobber => {
            fs::hard_link(tmp, path).map_err(|source| match source.kind() {
                ErrorKind::AlreadyExists => KeyringError::AlreadyExists {
                    path: path.to_path_buf(),
                },
                _ => io_err(path, "link the temporary file to", source),
            })?;
            fs::remove_file(tmp).map_err(|source| io_err(tmp, "remove the temporary", source))
        }
    }
}

fn io_err(path: &Path, action: &'static str, source: std::io::Error) -> KeyringError {
    KeyringError::Io {
        path: path.to_path_buf(),
        action,
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_reports_entry_and_problem_without_echoing_keys() {
        let bad_len = "[[keys]]\nid = \"k-1\"\nkey = \"AAAA\"\nactive = true\n";
        let err = parse(bad_len).err().unwrap();
        assert!(err.contains("entry 1") && err.contains("k-1") && err.contains("32 bytes"));

        let not_b64 = "[[keys]]\nid = \"k-1\"\nkey = \"!!!\"\n";
        assert!(parse(not_b64).err().unwrap().contains("base64"));

        let secret = STANDARD.encode([7u8; 32]);
        let swapped = format!("[[keys]]\nid = \"{secret}=\"\nkey = \"x\"\n");
        let err = parse(&swapped).err().unwrap();
        assert!(!err.contains(&secret), "{err}");

        let typo = "[[keys]]\nid = \"k-1\"\nkey = \"AAAA\"\nactiv = true\n";
        let err = parse(typo).err().unwrap();
        assert!(err.contains("line") && err.contains("activ"), "{err}");
    }
}
