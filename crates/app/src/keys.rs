//! `countersign keys rotate`: a new master key, and every sealed value re-sealed under it.
//!
//! Crash safety: the new key is written to the key file (atomically, old keys kept) before any
//! row changes, and each row is re-sealed with a compare-and-swap. A run that stops half-way
//! leaves rows under the old key, which still opens them; the next run sees those rows and
//! finishes the job under the same new key instead of making yet another one.

use crate::App;
use crate::audit::Actor;
use crate::startup::{CANARY, canary_aad};
use countersign_crypto::{Keyring, KeyringError, SealAad, SealError, sealed_key_id};
use countersign_store::{SealedColumn, SealedStore, StoreError};
use std::path::Path;

/// What a rotation did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RotationReport {
    /// The key everything is now sealed under.
    pub active_key_id: String,
    /// True when this run finished an earlier, interrupted rotation instead of adding a key.
    pub resumed: bool,
    /// Values re-sealed by this run.
    pub resealed: u64,
}

/// Why a rotation stopped.
#[derive(Debug, thiserror::Error)]
pub enum RotateError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Keyring(#[from] KeyringError),
    #[error(
        "the value in {table}.{column} of row {row} cannot be opened ({source}); nothing was changed for it"
    )]
    Open {
        table: &'static str,
        column: &'static str,
        row: String,
        source: SealError,
    },
}

const PAGE: i64 = 500;

impl App {
    /// Rotates the master key (see the module docs). `keyring` is this process's keyring and
    /// is updated in place; `path` is its file.
    ///
    /// # Errors
    /// See [`RotateError`]; every row either keeps its old (still openable) value or has the new.
    pub async fn rotate_keys(
        &self,
        keyring: &mut Keyring,
        path: &Path,
    ) -> Result<RotationReport, RotateError> {
        let resumed = self.has_values_off_key(keyring.active_key_id()).await?;
        if !resumed {
            keyring.rotate_in_place(path)?;
        }
        let active = keyring.active_key_id().to_owned();
        let canaries = self.store.key_canaries().await?;
        if !canaries.iter().any(|(id, _)| *id == active) {
            let sealed = keyring.seal(CANARY, &canary_aad(&active));
            self.store.add_key_canary(&active, &sealed).await?;
        }
        let mut resealed = 0;
        for &column in SealedColumn::ALL {
            resealed += reseal_column(&self.store, keyring, column).await?;
        }
        self.audit(
            &Actor::cli(),
            None,
            "keys.rotated",
            &active,
            serde_json::json!({ "resumed": resumed, "resealed": resealed }),
        )
        .await?;
        Ok(RotationReport {
            active_key_id: active,
            resumed,
            resealed,
        })
    }

    /// Whether any sealed value is under a key other than `active`.
    async fn has_values_off_key(&self, active: &str) -> Result<bool, StoreError> {
        for &column in SealedColumn::ALL {
            let mut after: Option<String> = None;
            loop {
                let page = self
                    .store
                    .sealed_values(column, after.as_deref(), PAGE)
                    .await?;
                if page.iter().any(|v| sealed_key_id(&v.value) != Some(active)) {
                    return Ok(true);
                }
                match page.last() {
                    Some(last) if page.len() as i64 == PAGE => after = Some(last.row_id.clone()),
                    _ => break,
                }
            }
        }
        Ok(false)
    }
}

async fn reseal_column(
    store: &countersign_store::Store,
    keyring: &Keyring,
    column: SealedColumn,
) -> Result<u64, RotateError> {
    let (table, col) = column.table_column();
    let active = keyring.active_key_id();
    let mut after: Option<String> = None;
    let mut count = 0;
    loop {
        let page = store.sealed_values(column, after.as_deref(), PAGE).await?;
        for v in &page {
            if sealed_key_id(&v.value) == Some(active) {
                continue;
            }
            let aad = SealAad {
                org_id: Some(v.org_id),
                table,
                column: col,
                row_id: &v.row_id,
            };
            let plain = keyring
                .open(&v.value, &aad)
                .map_err(|source| RotateError::Open {
                    table,
                    column: col,
                    row: v.row_id.clone(),
                    source,
                })?;
            let fresh = keyring.seal(&plain, &aad);
            // A false result means the row changed meanwhile; its new value is left alone
            // and a later run picks it up if it is still under an old key.
            if store.reseal(column, &v.row_id, &v.value, &fresh).await? {
                count += 1;
            }
        }
        match page.last() {
            Some(last) if page.len() as i64 == PAGE => after = Some(last.row_id.clone()),
            _ => return Ok(count),
        }
    }
}

impl crate::UseCaseError for RotateError {
    fn kind(&self) -> crate::ErrorKind {
        // Only the operator rotates keys, at the command line: every failure is the server's.
        crate::ErrorKind::Internal
    }
}
