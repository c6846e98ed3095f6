//! `countersign audit verify`.

use countersign_app::Settings;
use countersign_app::audit::verify_chain;
use countersign_app::startup::open_store;
use std::process::ExitCode;

pub async fn verify(settings: Settings) -> anyhow::Result<ExitCode> {
    let store = open_store(&settings).await?;
    let report = verify_chain(&store).await?;
    store.close().await;
    match report.first_broken {
        None => {
            println!(
                "audit log intact: {} entries, every link verified",
                report.entries
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(seq) => {
            println!(
                "audit log BROKEN: the first broken link is entry #{seq} (entries before it are intact)"
            );
            Ok(ExitCode::FAILURE)
        }
    }
}
