//! Opening the store and the keyring at start-up, refusing to run with the wrong keys.

use crate::{App, Clock, Settings};
use countersign_crypto::{Keyring, KeyringError, PasswordHasher, PasswordParams, SealAad};
use countersign_store::{SealedStore, Store, StoreError};
use std::os::unix::fs::DirBuilderExt as _;
use std::path::Path;
use std::sync::Arc;

/// Why the app could not start. Each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot open the database: {0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Keyring(#[from] KeyringError),
    #[error(
        "the database holds sealed data but the master key file {path} is missing: restore it \
         from your key backup, or point COUNTERSIGN_MASTER_KEY_FILE at it"
    )]
    KeyFileMissing { path: String },
    #[error(
        "the master key file {path} does not hold key {key_id}, which sealed data in this \
         database: use the key file that belongs to this database"
    )]
    KeyMissing { path: String, key_id: String },
    #[error(
        "key {key_id} in {path} does not open the data sealed with it: the key file does not \
         belong to this database"
    )]
    WrongKey { path: String, key_id: String },
    #[error("cannot start the Microsoft client: {0}")]
    Microsoft(String),
    #[error("invalid password hashing settings: {0}")]
    Passwords(String),
}

/// The AAD of the canary that proves a key id belongs to this database.
#[must_use]
pub fn canary_aad(key_id: &str) -> SealAad<'_> {
    SealAad {
        org_id: None,
        table: "key_canaries",
        column: "sealed",
        row_id: key_id,
    }
}

/// The plaintext sealed as a canary.
pub const CANARY: &[u8] = b"countersign key canary";

impl App {
    /// Opens the store named by the settings (migrating it), loads or creates the master key
    /// file, and checks that the keys open the data already sealed in the database.
    ///
    /// # Errors
    /// See [`StartupError`]; nothing is changed when it fails, except creating the data
    /// directory and applying migrations.
    pub async fn start(settings: Settings, clock: Arc<dyn Clock>) -> Result<Self, StartupError> {
        let store = open_store(&settings).await?;
        let keyring = open_keyring(&store, &settings.master_key_path()).await?;
        let carried = crate::microsoft::carry_legacy_secrets(&store, &keyring).await?;
        if carried > 0 {
            tracing::info!(
                carried,
                "GDAP secrets carried into the integrations' sealed secrets (migration 0027)"
            );
        }
        let s = &settings.security;
        let passwords = PasswordHasher::new(PasswordParams {
            memory_kib: s.argon2_memory_kib,
            iterations: s.argon2_iterations,
            parallelism: s.argon2_parallelism,
        })
        .map_err(|e| StartupError::Passwords(e.to_string()))?;
        let microsoft = crate::microsoft::client_for(&settings)
            .map_err(|e| StartupError::Microsoft(e.to_string()))?;
        Ok(Self::assemble(
            store,
            Arc::new(keyring),
            Arc::new(settings),
            clock,
            passwords,
            microsoft,
        ))
    }

    /// An app from parts already opened and checked (tests build theirs with a prepared
    /// keyring and cheap password hashing). Starts the audit writer on the current runtime.
    #[must_use]
    pub fn assemble(
        store: Store,
        keyring: Arc<Keyring>,
        settings: Arc<Settings>,
        clock: Arc<dyn Clock>,
        passwords: PasswordHasher,
        microsoft: countersign_microsoft::Microsoft,
    ) -> Self {
        Self {
            audit_log: crate::audit_writer::AuditWriter::start(
                store.clone(),
                crate::audit::audit_key(&keyring),
            ),
            password_gate: crate::password_gate::PasswordGate::new(
                settings.password_checks_at_once(),
                settings.password_queue(),
            ),
            store,
            keyring,
            settings,
            clock,
            passwords,
            microsoft,
        }
    }
}

/// Opens SQLite in the data directory, or PostgreSQL when a database URL is set.
///
/// # Errors
/// The directory cannot be created or the database cannot be opened or migrated.
pub async fn open_store(settings: &Settings) -> Result<Store, StartupError> {
    if settings.storage.database_url.is_empty() {
        let dir = &settings.storage.data_dir;
        // The server user's alone (the store creates the database file 0600).
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|source| StartupError::DataDir {
                path: dir.display().to_string(),
                source,
            })?;
        Ok(Store::open_sqlite(&settings.sqlite_path()).await?)
    } else {
        Ok(Store::connect_postgres(
            &settings.storage.database_url,
            settings.storage.max_connections,
        )
        .await?)
    }
}

/// Loads the key file (creating it only when the database holds nothing sealed) and checks it
/// against the canaries in the database.
///
/// # Errors
/// A missing or wrong key file for this database.
pub async fn open_keyring(store: &Store, path: &Path) -> Result<Keyring, StartupError> {
    let canaries = store.key_canaries().await?;
    let shown = path.display().to_string();
    let keyring = if path.exists() {
        Keyring::load(path)?
    } else if canaries.is_empty() {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| StartupError::DataDir {
                path: parent.display().to_string(),
                source,
            })?;
        }
        Keyring::create(path)?
    } else {
        return Err(StartupError::KeyFileMissing { path: shown });
    };
    for (key_id, sealed) in &canaries {
        if !keyring.has_key(key_id) {
            return Err(StartupError::KeyMissing {
                path: shown,
                key_id: key_id.clone(),
            });
        }
        if keyring.open(sealed, &canary_aad(key_id)).is_err() {
            return Err(StartupError::WrongKey {
                path: shown,
                key_id: key_id.clone(),
            });
        }
    }
    let active = keyring.active_key_id().to_owned();
    if !canaries.iter().any(|(id, _)| *id == active) {
        let sealed = keyring.seal(CANARY, &canary_aad(&active));
        store.add_key_canary(&active, &sealed).await?;
    }
    Ok(keyring)
}

impl crate::UseCaseError for StartupError {
    fn kind(&self) -> crate::ErrorKind {
        // Start-up runs before any request: every failure is the operator's to fix in the
        // settings or the data directory, and the CLI prints the sentence.
        crate::ErrorKind::Internal
    }
}
