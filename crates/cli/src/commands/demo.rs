//! `countersign demo`: a throwaway instance for a first look. Everything lives in a temporary
//! directory that is deleted when the demo stops.

use crate::cli::DemoArgs;
use anyhow::Context;
use countersign_app::{App, Settings, SystemClock};
use countersign_domain::Email;
use std::process::ExitCode;
use std::sync::Arc;
use tokio::net::TcpListener;

/// The demo admin's login name.
pub const DEMO_EMAIL: &str = "admin@demo.test";

pub async fn run(mut settings: Settings, args: DemoArgs) -> anyhow::Result<ExitCode> {
    let dir = tempfile::Builder::new()
        .prefix("countersign-demo-")
        .tempdir()?;
    let listener = match TcpListener::bind(&args.listen).await {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(listen = %args.listen, error = %e, "address taken; using a free port");
            TcpListener::bind("127.0.0.1:0")
                .await
                .context("cannot listen on 127.0.0.1")?
        }
    };
    let addr = listener.local_addr()?;
    settings.storage.data_dir = dir.path().to_path_buf();
    settings.storage.database_url.clear();
    settings.security.master_key_file.clear();
    settings.server.listen = addr.to_string();
    settings.server.public_url = format!("http://{addr}");
    // The demo must not collide with a real instance's metrics port.
    settings.metrics.listen.clear();
    let app = App::start(settings, Arc::new(SystemClock)).await?;
    let password = demo_password();
    let email = Email::parse(DEMO_EMAIL).context("demo email")?;
    app.create_admin("Demo MSP", &email, &password)
        .await
        .context("creating the demo admin")?;
    println!("Countersign demo is running at http://{addr}/login");
    println!("Login: {DEMO_EMAIL}  Password: {password}");
    println!(
        "Data lives in {} and is deleted when you stop the demo (Ctrl-C).",
        dir.path().display()
    );
    super::serve::serve_app(app, listener).await?;
    drop(dir);
    Ok(ExitCode::SUCCESS)
}

/// A random, readable password (the demo prints it; it is not a real account).
fn demo_password() -> String {
    let (token, _) = countersign_crypto::random_token();
    let clean: String = token
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(16)
        .collect();
    format!("demo-{clean}")
}
