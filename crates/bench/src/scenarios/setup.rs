//! What HTTP scenarios share: a temporary SQLite file or a fresh PostgreSQL database, and the
//! app on a loopback port with its public URL.

use anyhow::Context;
use countersign_app::{App, Settings, SystemClock};
use std::path::Path;
use std::sync::Arc;

/// Runs `measure(data_dir, database_url)` on a temporary SQLite file, or, with `admin_url`, on a
/// fresh PostgreSQL database created on that server and dropped afterwards.
///
/// # Errors
/// What `measure` returns, or the database could not be created.
pub async fn on_database(
    admin_url: Option<&str>,
    measure: impl AsyncFnOnce(&Path, Option<&str>) -> anyhow::Result<serde_json::Value>,
) -> anyhow::Result<serde_json::Value> {
    let dir = tempfile::tempdir()?;
    let pg = match admin_url {
        Some(admin) => Some((admin, super::contacts::fresh_database(admin).await?)),
        None => None,
    };
    let result = measure(dir.path(), pg.as_ref().map(|(_, (url, _))| url.as_str())).await;
    if let Some((admin, (_, name))) = &pg {
        super::contacts::drop_database(admin, name).await;
    }
    result
}

/// The app with its data in `data_dir` (or on `database_url`), serving at `listener`'s address
/// (its public URL); `tune` adjusts the settings first. Returns the app and the base URL.
///
/// # Errors
/// The app did not start.
pub async fn local_app(
    listener: &tokio::net::TcpListener,
    data_dir: &Path,
    database_url: Option<&str>,
    tune: impl FnOnce(&mut Settings),
) -> anyhow::Result<(App, String)> {
    let port = listener.local_addr()?.port();
    let base = format!("http://127.0.0.1:{port}");
    let mut settings = Settings::default();
    settings.storage.data_dir = data_dir.to_path_buf();
    if let Some(url) = database_url {
        settings.storage.database_url = url.to_owned();
    }
    settings.server.listen = format!("127.0.0.1:{port}");
    settings.server.public_url = base.clone();
    tune(&mut settings);
    let app = App::start(settings, Arc::new(SystemClock))
        .await
        .context("starting the app")?;
    Ok((app, base))
}
