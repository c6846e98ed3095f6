//! Keyring tests: file handling, sealing and derivation together, since they share fixtures.

use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use countersign_domain::OrgId;

use super::*;

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

fn key_path(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("keys.toml")
}

fn aad(org: Option<OrgId>, row: &str) -> SealAad<'_> {
    SealAad {
        org_id: org,
        table: "m365_connections",
        column: "client_secret",
        row_id: row,
    }
}

// ---- file handling ----

#[test]
fn create_then_load_round_trips_with_mode_0600() {
    let dir = tempfile::tempdir().unwrap();
    let path = key_path(&dir);
    let created = Keyring::create(&path).unwrap();
    assert_eq!(mode(&path), 0o600);
    let id = created.active_key_id();
    assert!(id.starts_with("k-") && id.len() == 10, "{id}");
    assert!(id[2..].bytes().all(|b| b.is_ascii_hexdigit()));

    let loaded = Keyring::load(&path).unwrap();
    assert_eq!(loaded.active_key_id(), id);
    assert_eq!(loaded.permissions_fixed(), None);
    // Same key bytes: something sealed by one opens with the other.
    let sealed = created.seal(b"secret", &aad(None, "1"));
    assert_eq!(&*loaded.open(&sealed, &aad(None, "1")).unwrap(), b"secret");

    // No temporary files are left next to the key file.
    let names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("keys.toml")]);
}

#[test]
fn create_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let path = key_path(&dir);
    fs::write(&path, "precious").unwrap();
    let err = Keyring::create(&path).unwrap_err();
    assert!(matches!(err, KeyringError::AlreadyExists { .. }), "{err}");
    assert_eq!(fs::read_to_string(&path).unwrap(), "precious");
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        1,
        "temp file left behind"
    );
}

#[test]
fn create_makes_missing_directory_private() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub").join("keys.toml");
    Keyring::create(&path).unwrap();
    assert_eq!(mode(&dir.path().join("sub")), 0o700);
    assert_eq!(mode(&path), 0o600);
}

#[test]
fn load_missing_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = key_path(&dir);
    let err = Keyring::load(&path).unwrap_err();
    assert!(matches!(err, KeyringError::Missing { .. }));
    let message = err.to_string();
    assert!(message.contains(&path.display().to_string()) && message.contains("backup"));
}

#[test]
fn load_or_create_creates_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = key_path(&dir);
    let (first, created) = Keyring::load_or_create(&path).unwrap();
    assert!(created);
    let (second, created) = Keyring::load_or_create(&path).unwrap();
    assert!(!created);
    assert_eq!(first.active_key_id(), second.active_key_id());
}

#[test]
fn too_open_permissions_are_fixed_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = key_path(&dir);
    Keyring::create(&path).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    let keyring = Keyring::load(&path).unwrap();
    assert_eq!(keyring.permissions_fixed(), Some(0o644));
    assert_eq!(mode(&path), 0o600);
}

#[test]
fn rotate_keeps_old_keys_and_uses_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = key_path(&dir);
    let mut keyring = Keyring::create(&path).unwrap();
    let old_id = keyring.active_key_id().to_string();
    let old_sealed = keyring.seal(b"old", &aad(None, "1"));

    let new_id = keyring.rotate_in_place(&path).unwrap();
    assert_ne!(new_id, old_id);
    assert_eq!(keyring.active_key_id(), new_id);
    assert!(keyring.has_key(&old_id) && keyring.has_key(&new_id));
    assert_eq!(mode(&path), 0o600);
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        1,
        "temp file left behind"
    );

    // Old values still open; new values use the new key; the reseal check sees the difference.
    assert_eq!(
        &*keyring.open(&old_sealed, &aad(None, "1")).unwrap(),
        b"old"
    );
    let new_sealed = keyring.seal(b"new", &aad(None, "1"));
    assert_eq!(sealed_key_id(&new_sealed), Some(new_id.as_str()));
    assert!(keyring.needs_reseal(&old_sealed));
    assert!(!keyring.needs_reseal(&new_sealed));

    // The file on disk agrees.
    let reloaded = Keyring::load(&path).unwrap();
    assert_eq!(reloaded.active_key_id(), new_id);
    assert_eq!(
        reloaded.key_ids().collect::<Vec<_>>(),
        vec![old_id.as_str(), new_id.as_str()]
    );
    assert_eq!(
        &*reloaded.open(&old_sealed, &aad(None, "1")).unwrap(),
        b"old"
    );
    assert_eq!(
        &*reloaded.open(&new_sealed, &aad(None, "1")).unwrap(),
        b"new"
    );
}

#[test]
fn failed_rotation_leaves_keyring_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = key_path(&dir);
    let mut keyring = Keyring::create(&path).unwrap();
    let before = keyring.active_key_id().to_string();
    // A directory in the way makes the rename fail.
    let blocked = dir.path().join("blocked");
    fs::create_dir(&blocked).unwrap();
    fs::write(blocked.join("x"), "").unwrap();
    assert!(keyring.rotate_in_place(&blocked).is_err());
    assert_eq!(keyring.active_key_id(), before);
    assert_eq!(keyring.key_ids().count(), 1);
}

#[test]
fn atomic_write_replaces_whole_file() {
    // Rotation replaces the file by rename, so a reader never sees a partial file: the inode
    // changes and the old content is either fully there or fully gone.
    use std::os::unix::fs::MetadataExt as _;
    let dir = tempfile::tempdir().unwrap();
    let path = key_path(&dir);
    let mut keyring = Keyring::create(&path).unwrap();
    let inode_before = fs::metadata(&path).unwrap().ino();
    keyring.rotate_in_place(&path).unwrap();
    assert_ne!(fs::metadata(&path).unwrap().ino(), inode_before);
}

#[test]
fn bad_files_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    let path = key_path(&dir);
    let key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    let cases: [(String, &str); 5] = [
        (String::new(), "no keys"),
        (
            format!("[[keys]]\nid = \"a\"\nkey = \"{key}\"\n"),
            "no key is marked",
        ),
        (
            format!(
                "[[keys]]\nid = \"a\"\nkey = \"{key}\"\nactive = true\n\
                 [[keys]]\nid = \"b\"\nkey = \"{key}\"\nactive = true\n"
            ),
            "2 keys are marked active (a, b)",
        ),
        (
            format!(
                "[[keys]]\nid = \"a\"\nkey = \"{key}\"\nactive = true\n\
                 [[keys]]\nid = \"a\"\nkey = \"{key}\"\n"
            ),
            "entry 2: id \"a\" is used",
        ),
        (
            format!("[[keys]]\nid = \"bad id\"\nkey = \"{key}\"\nactive = true\n"),
            "entry 1: id",
        ),
    ];
    for (text, expected) in cases {
        fs::write(&path, &text).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        let err = Keyring::load(&path).unwrap_err();
        assert!(matches!(err, KeyringError::Format { .. }), "{err}");
        assert!(
            err.to_string().contains(expected),
            "{err} / expected {expected}"
        );
    }
}

#[test]
fn written_file_documents_format() {
    let dir = tempfile::tempdir().unwrap();
    let path = key_path(&dir);
    let keyring = Keyring::create(&path).unwrap();
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("# Countersign key file"));
    assert!(text.contains(&format!(
        "[[keys]]\nid = \"{}\"\nkey = \"",
        keyring.active_key_id()
    )));
    assert!(text.contains("active = true"));
}

#[test]
fn debug_shows_ids_only() {
    let keyring = Keyring::from_keys(vec![("k-one".into(), [0x41; 32])], "k-one").unwrap();
    let debug = format!("{keyring:?}");
    assert_eq!(debug, "Keyring { active: \"k-one\", keys: [\"k-one\"] }");
}

#[test]
fn from_keys_validates() {
    assert!(Keyring::from_keys(vec![("a".into(), [1; 32])], "b").is_err());
    assert!(Keyring::from_keys(vec![], "a").is_err());
    let keyring =
        Keyring::from_keys(vec![("a".into(), [1; 32]), ("b".into(), [2; 32])], "b").unwrap();
    assert_eq!(keyring.active_key_id(), "b");
    assert!(keyring.has_key("a") && !keyring.has_key("c"));
}

// ---- sealing ----

#[test]
fn seal_open_round_trip_and_envelope_layout() {
    let keyring = Keyring::ephemeral();
    let org = Some(OrgId::new());
    let sealed = keyring.seal(b"client secret value", &aad(org, "row-1"));
    let id = keyring.active_key_id();
    assert_eq!(sealed[0], 1);
    assert_eq!(usize::from(sealed[1]), id.len());
    assert_eq!(&sealed[2..2 + id.len()], id.as_bytes());
    assert_eq!(
        sealed.len(),
        2 + id.len() + 24 + b"client secret value".len() + 16
    );
    assert_eq!(sealed_key_id(&sealed), Some(id));
    let opened = keyring.open(&sealed, &aad(org, "row-1")).unwrap();
    assert_eq!(&*opened, b"client secret value");
    // Random nonces: sealing twice differs.
    assert_ne!(
        sealed,
        keyring.seal(b"client secret value", &aad(org, "row-1"))
    );
    // Empty plaintext works too.
    let empty = keyring.seal(b"", &aad(None, "x"));
    assert!(keyring.open(&empty, &aad(None, "x")).unwrap().is_empty());
}

#[test]
fn moved_values_fail_to_open() {
    let keyring = Keyring::ephemeral();
    let org = OrgId::new();
    let here = aad(Some(org), "row-1");
    let sealed = keyring.seal(b"s", &here);
    let elsewhere = [
        aad(Some(org), "row-2"),
        aad(Some(OrgId::new()), "row-1"),
        aad(None, "row-1"),
        SealAad {
            column: "refresh_token",
            ..here
        },
        SealAad {
            table: "other_table",
            ..here
        },
    ];
    for place in elsewhere {
        assert_eq!(
            keyring.open(&sealed, &place),
            Err(SealError::Failed),
            "{place:?}"
        );
    }
    // Length prefixes keep field boundaries: shifting text between fields does not match.
    let a = SealAad {
        org_id: None,
        table: "ab",
        column: "c",
        row_id: "1",
    };
    let b = SealAad {
        org_id: None,
        table: "a",
        column: "bc",
        row_id: "1",
    };
    assert_eq!(
        keyring.open(&keyring.seal(b"s", &a), &b),
        Err(SealError::Failed)
    );
}

#[test]
fn tampering_fails() {
    let keyring = Keyring::ephemeral();
    let place = aad(None, "1");
    let sealed = keyring.seal(b"some secret", &place);
    let header = 2 + keyring.active_key_id().len();
    for index in header..sealed.len() {
        let mut copy = sealed.clone();
        copy[index] ^= 0x01;
        assert_eq!(
            keyring.open(&copy, &place),
            Err(SealError::Failed),
            "byte {index}"
        );
    }
    let mut truncated = sealed.clone();
    truncated.pop();
    assert_eq!(keyring.open(&truncated, &place), Err(SealError::Failed));
}

#[test]
fn header_key_id_is_authenticated() {
    // Two keys with the same bytes but different ids: swapping the id in the header must fail,
    // which only holds because the id is part of the AAD.
    let keyring = Keyring::from_keys(
        vec![("k-aaaa".into(), [9; 32]), ("k-bbbb".into(), [9; 32])],
        "k-aaaa",
    )
    .unwrap();
    let place = aad(None, "1");
    let mut sealed = keyring.seal(b"s", &place);
    sealed[2..8].copy_from_slice(b"k-bbbb");
    assert_eq!(keyring.open(&sealed, &place), Err(SealError::Failed));
}

#[test]
fn unknown_key_and_malformed() {
    let one = Keyring::ephemeral();
    let other = Keyring::ephemeral();
    let place = aad(None, "1");
    let sealed = one.seal(b"s", &place);
    assert_eq!(
        other.open(&sealed, &place),
        Err(SealError::UnknownKey(one.active_key_id().to_string()))
    );
    let mut wrong_version = sealed.clone();
    wrong_version[0] = 2;
    for bad in [
        &[][..],
        &[1],
        &[1, 200, b'k'],
        &wrong_version,
        &sealed[..20],
    ] {
        assert_eq!(one.open(bad, &place), Err(SealError::Malformed), "{bad:?}");
        assert_eq!(sealed_key_id(bad), None);
    }
    assert!(one.needs_reseal(&[]));
}

#[test]
fn wrong_key_bytes_with_same_id_fail() {
    let a = Keyring::from_keys(vec![("k-1".into(), [1; 32])], "k-1").unwrap();
    let b = Keyring::from_keys(vec![("k-1".into(), [2; 32])], "k-1").unwrap();
    let place = aad(None, "1");
    assert_eq!(
        b.open(&a.seal(b"s", &place), &place),
        Err(SealError::Failed)
    );
}

// ---- derivation ----

#[test]
fn derived_keys_are_separated_by_purpose_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = key_path(&dir);
    let mut keyring = Keyring::create(&path).unwrap();
    let csrf = keyring.derive_key(purpose::CSRF);
    assert_eq!(*csrf, *keyring.derive_key(purpose::CSRF));
    assert_ne!(*csrf, *keyring.derive_key(purpose::VERIFICATION_CODE));

    let (old_id, pepper) = keyring.derive_key_with_id(purpose::RECOVERY_CODE);
    assert_eq!(old_id, keyring.active_key_id());
    keyring.rotate_in_place(&path).unwrap();
    // Short-lived derived keys change with rotation...
    assert_ne!(*csrf, *keyring.derive_key(purpose::CSRF));
    // ...long-lived ones stay reachable through the stored key id.
    assert_eq!(
        *keyring
            .derive_key_from(&old_id, purpose::RECOVERY_CODE)
            .unwrap(),
        *pepper
    );
    assert!(
        keyring
            .derive_key_from("k-gone", purpose::RECOVERY_CODE)
            .is_none()
    );
}

#[test]
fn derivation_is_hkdf_sha256_with_documented_inputs() {
    // Pins the construction (salt, info) so stored hashes do not silently change.
    let keyring = Keyring::from_keys(vec![("k".into(), [0x0b; 32])], "k").unwrap();
    let hk = hkdf::Hkdf::<sha2::Sha256>::new(Some(b"countersign.derive.v1"), &[0x0b; 32]);
    let mut expected = [0u8; 32];
    hk.expand(b"countersign.csrf.v1", &mut expected).unwrap();
    assert_eq!(*keyring.derive_key(purpose::CSRF), expected);
}
