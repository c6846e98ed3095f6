//! `countersign admin create`.

use crate::cli::AdminCreateArgs;
use countersign_app::{App, Settings, SystemClock};
use countersign_domain::Email;
use std::io::BufRead;
use std::process::ExitCode;
use std::sync::Arc;

pub async fn create(settings: Settings, args: AdminCreateArgs) -> anyhow::Result<ExitCode> {
    let email = match Email::parse(&args.email) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: --email: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    if args.org.trim().is_empty() {
        eprintln!("error: --org: enter the name of your organisation, e.g. \"Acme IT\"");
        return Ok(ExitCode::from(2));
    }
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password)?;
    let password = password.trim_end_matches(['\r', '\n']).to_owned();
    let app = App::start(settings, Arc::new(SystemClock)).await?;
    let result = app.create_admin(args.org.trim(), &email, &password).await;
    app.store.close().await;
    match result {
        Ok(created) => {
            if created.org_created {
                println!("created org {:?} ({})", created.org.name, created.org.slug);
            }
            println!(
                "created admin {} in {:?}",
                created.technician.email, created.org.name
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}
