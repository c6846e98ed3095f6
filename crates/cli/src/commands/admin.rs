//! `countersign admin create` and `countersign admin reset`.

use crate::cli::{AdminCreateArgs, AdminResetArgs};
use countersign_app::accounts::{ADMIN_RESET_VALIDITY, AccountError};
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
    let result = app
        .create_admin_named(args.org.trim(), &args.name, &email, &password)
        .await;
    app.close().await;
    match result {
        Ok(created) => {
            if created.org_created {
                println!("created org {:?} ({})", created.org.name, created.org.slug);
            }
            println!(
                "created admin {} ({:?}) in {:?}",
                created.technician.email, created.technician.name, created.org.name
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Resets an admin's password and second factor from the server's shell and prints the
/// one-time link on stdout (the only place it appears; it is also emailed to the admin).
pub async fn reset(settings: Settings, args: AdminResetArgs) -> anyhow::Result<ExitCode> {
    let email = match Email::parse(&args.email) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: --email: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let slug = args.org.trim().to_lowercase();
    let app = App::start(settings, Arc::new(SystemClock)).await?;
    let result = app.reset_admin_from_cli(&slug, &email).await;
    app.close().await;
    match result {
        Ok(done) => {
            println!("{}", done.link);
            eprintln!(
                "reset {}: password cleared, two-factor authentication off, {} session(s) ended. \
                 The link above works once, for {} hours{}.",
                done.technician.email,
                done.sessions_ended,
                ADMIN_RESET_VALIDITY.as_secs() / 3600,
                if done.emailed {
                    "; it was also emailed to them"
                } else {
                    ""
                },
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            let hint = match e {
                AccountError::UnknownOrg => format!(
                    "no organisation has the slug {slug:?}: use the slug of its public pages \
                     (/t/<slug>/…), e.g. \"acme-it\" for \"Acme IT\""
                ),
                AccountError::UnknownTechnician => format!(
                    "{slug:?} has no technician with the email {}: check the address \
                     (the one they sign in with)",
                    email.as_str()
                ),
                AccountError::NotAnAdmin => format!(
                    "{} is not an admin of {slug:?}: this command is for admins; an admin of \
                     the organisation resets technicians in Settings > Technicians",
                    email.as_str()
                ),
                AccountError::ResetInactive => format!(
                    "{} is deactivated: an active admin of {slug:?} can reactivate them in \
                     Settings > Technicians, or reset that active admin instead",
                    email.as_str()
                ),
                other => other.to_string(),
            };
            eprintln!("error: {hint}");
            Ok(ExitCode::FAILURE)
        }
    }
}
