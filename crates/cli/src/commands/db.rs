//! `countersign migrate` and `countersign db backup`.

use anyhow::Context;
use countersign_app::Settings;
use countersign_app::startup::open_store;
use std::path::Path;
use std::process::ExitCode;

/// Opening the store applies pending migrations; report how many were applied.
pub async fn migrate(settings: Settings) -> anyhow::Result<ExitCode> {
    let store = open_store(&settings).await?;
    // The constructors already migrated; a second run reports that nothing is pending.
    let pending = store.migrate().await?;
    println!("database is up to date ({pending} migrations applied now)");
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// `VACUUM INTO` a new file: consistent even while `serve` is writing.
pub async fn backup(settings: Settings, file: &Path) -> anyhow::Result<ExitCode> {
    if !settings.storage.database_url.is_empty() {
        anyhow::bail!(
            "db backup copies the SQLite database; for PostgreSQL use pg_dump (the database URL is set)"
        );
    }
    if file.exists() {
        anyhow::bail!("{} already exists: choose a new file name", file.display());
    }
    let db = settings.sqlite_path();
    if !db.exists() {
        anyhow::bail!("no database at {}: check --data-dir", db.display());
    }
    let store = open_store(&settings).await?;
    store
        .backup_to(file)
        .await
        .with_context(|| format!("backing up to {}", file.display()))?;
    store.close().await;
    println!(
        "backup written to {}\nthe master key file ({}) is not in the backup: keep a copy of it separately",
        file.display(),
        settings.master_key_path().display()
    );
    Ok(ExitCode::SUCCESS)
}
