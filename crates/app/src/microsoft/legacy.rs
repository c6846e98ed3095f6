//! Carrying the sealed GDAP columns migration 0027 left on `integrations` into the row's one
//! sealed `secrets` value. SQL could not do it: each value's seal names its old column, and
//! only the server holds the key. Runs in every process's start-up, before anything reads an
//! integration; a row is written only if it is still as read (compare-and-swap), so processes
//! starting together carry each value once, and a second run finds nothing to do.

use super::config::{MicrosoftSecrets, open_secrets, seal_secrets};
use countersign_crypto::{Keyring, SealAad};
use countersign_store::{IntegrationStore, LegacyIntegrationSecrets, Store, StoreError};

/// Rows read per round; a round with no row carried ends the work.
const ROUND: i64 = 10_000;

/// Carries every legacy value that opens. A row whose values do not open with this key file
/// is left as it is (logged by id, nothing lost) for a start with the right keys. Returns
/// how many rows were carried.
///
/// # Errors
/// The store failed.
pub async fn carry_legacy_secrets(store: &Store, keyring: &Keyring) -> Result<usize, StoreError> {
    let mut carried = 0;
    loop {
        let rows = store.legacy_integration_secrets(ROUND).await?;
        let mut progress = false;
        for row in &rows {
            let Some(sealed) = carried_secrets(keyring, row) else {
                continue;
            };
            // False: another process carried it (or wrote it) first; the next round sees.
            if store.carry_legacy_integration_secrets(row, &sealed).await? {
                carried += 1;
                progress = true;
            }
        }
        if !progress {
            return Ok(carried);
        }
    }
}

/// The row's secrets with its legacy values filled in, sealed; `None` when a value does not
/// open (logged).
fn carried_secrets(keyring: &Keyring, row: &LegacyIntegrationSecrets) -> Option<Vec<u8>> {
    let id = row.id.to_string();
    let open = |column: &'static str, sealed: &Option<Vec<u8>>| -> Result<Option<String>, ()> {
        let Some(sealed) = sealed else {
            return Ok(None);
        };
        let aad = SealAad {
            org_id: Some(row.org_id),
            table: "integrations",
            column,
            row_id: &id,
        };
        let plain = keyring.open(sealed, &aad).map_err(|e| {
            tracing::warn!(integration = %row.id, column, error = %e,
                "a sealed GDAP value left by migration 0027 does not open with this key file: left as it is");
        })?;
        String::from_utf8(plain.to_vec()).map(Some).map_err(|_| {
            tracing::warn!(integration = %row.id, column, "a sealed GDAP value is not text: left as it is");
        })
    };
    let mut secrets: MicrosoftSecrets = match open_secrets(
        keyring,
        row.org_id,
        row.id,
        row.secrets.as_deref(),
    ) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(integration = %row.id, error = %e, "the integration's secrets do not open: legacy values left as they are");
            return None;
        }
    };
    // A value already in `secrets` is newer than the legacy one: keep it.
    let legacy = [
        (
            "gdap_client_secret",
            &row.gdap_client_secret,
            &mut secrets.gdap_client_secret,
        ),
        (
            "gdap_refresh_token",
            &row.gdap_refresh_token,
            &mut secrets.gdap_refresh_token,
        ),
        (
            "gdap_pending_client_secret",
            &row.gdap_pending_client_secret,
            &mut secrets.gdap_pending_client_secret,
        ),
    ];
    for (column, sealed, slot) in legacy {
        let value = open(column, sealed).ok()?;
        if slot.is_none() {
            *slot = value;
        }
    }
    seal_secrets(keyring, row.org_id, row.id, &secrets).ok()
}
