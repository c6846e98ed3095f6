//! `countersign keys rotate`.

use countersign_app::{App, Settings, SystemClock};
use countersign_crypto::Keyring;
use std::process::ExitCode;
use std::sync::Arc;

pub async fn rotate(settings: Settings) -> anyhow::Result<ExitCode> {
    let path = settings.master_key_path();
    // Starting the app checks that the key file opens everything already sealed.
    let app = App::start(settings, Arc::new(SystemClock)).await?;
    let mut keyring = Keyring::load(&path)?;
    let report = app.rotate_keys(&mut keyring, &path).await?;
    app.close().await;
    if report.resumed {
        println!("finished an interrupted rotation");
    }
    println!(
        "active key is now {}; {} sealed values re-sealed; old keys stay in {} so backups still open\nrestart running servers so they seal new values with the new key",
        report.active_key_id,
        report.resealed,
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}
