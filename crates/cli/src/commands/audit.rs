//! `countersign audit verify [--against <head>]`.

use anyhow::Context as _;
use countersign_app::Settings;
use countersign_app::audit::verify_chain;
use countersign_app::startup::open_store;
use countersign_crypto::Keyring;
use countersign_store::AuditHead;
use std::process::ExitCode;

pub async fn verify(settings: Settings, against: Option<&AuditHead>) -> anyhow::Result<ExitCode> {
    let path = settings.master_key_path();
    // Load only: verifying never creates a key file.
    let keyring = Keyring::load(&path)
        .with_context(|| format!("the audit chain is keyed: reading {}", path.display()))?;
    let store = open_store(&settings).await?;
    let report = verify_chain(&store, &keyring, against).await?;
    store.close().await;
    match &report.broken {
        None => {
            println!(
                "audit log intact: {} entries, every link verified ({} unkeyed from before the chain was keyed)",
                report.entries, report.unkeyed_entries
            );
            if let Some(head) = against {
                println!("the chain still reaches head {head}");
            }
            match &report.head {
                Some(head) => println!("head: {head}"),
                None => println!("head: none (the log is empty)"),
            }
            Ok(ExitCode::SUCCESS)
        }
        Some((seq, why)) => {
            println!("audit log BROKEN at entry #{seq}: {why} (entries before it are intact)");
            Ok(ExitCode::FAILURE)
        }
    }
}
