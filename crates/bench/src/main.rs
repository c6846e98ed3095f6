//! countersign-bench: one subcommand per benchmark scenario. Progress goes to stderr; the last
//! stdout line is one JSON object with the figures (docs/benchmarks.md records them).

mod report;
mod scenarios;
mod smtp_sink;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "countersign-bench", about = "Countersign benchmarks")]
struct Cli {
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Subcommand)]
enum Scenario {
    /// Deliver a broadcast to many contacts by SMS and email with worker processes (issue 20).
    Broadcast(scenarios::broadcast::Args),
    /// Resolve and freeze a broadcast's audience of many contacts (issue 20).
    BroadcastAudience(scenarios::broadcast_audience::Args),
    /// Render the dashboard of an org with a million verifications over HTTP (issue 21.1).
    Dashboard(scenarios::dashboard::Args),
    /// Page through `GET /users?$top=999` of one big emulated tenant.
    EmulatorPages(scenarios::emulator_pages::Args),
    /// Search one million contacts through the HTTP server.
    Contacts(scenarios::contacts::Args),
    /// Peak memory of `countersign serve` under a burst of concurrent password logins.
    Logins(scenarios::logins::Args),
    /// Start-up time, idle memory and login-page latency of `countersign serve` (SQLite).
    Serve(scenarios::serve::ServeArgs),
    /// Queue SMS messages and deliver them to the emulator's Twilio face with worker processes.
    Sms(scenarios::sms::Args),
    /// Secure Send create + reveal cycles over HTTP (ciphertext made by the bench).
    Secrets(scenarios::secrets::Args),
    /// Full then delta Microsoft 365 sync of many simulated tenants through the sync engine.
    Sync(scenarios::m365_sync::Args),
    /// Create and complete SMS-code verifications over HTTP (outbox transport).
    Verify(scenarios::verify::Args),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // Quiet unless asked: `RUST_LOG=sqlx=debug` shows every statement a scenario runs.
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_env("RUST_LOG") {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    }
    let result = match cli.scenario {
        Scenario::Broadcast(args) => scenarios::broadcast::run(args).await?,
        Scenario::BroadcastAudience(args) => scenarios::broadcast_audience::run(args).await?,
        Scenario::Dashboard(args) => scenarios::dashboard::run(args).await?,
        Scenario::EmulatorPages(args) => scenarios::emulator_pages::run(args).await?,
        Scenario::Contacts(args) => scenarios::contacts::run(args).await?,
        Scenario::Logins(args) => scenarios::logins::run(args).await?,
        Scenario::Serve(args) => scenarios::serve::run(args).await?,
        Scenario::Secrets(args) => scenarios::secrets::run(args).await?,
        Scenario::Sms(args) => scenarios::sms::run(args).await?,
        Scenario::Sync(args) => scenarios::m365_sync::run(args).await?,
        Scenario::Verify(args) => scenarios::verify::run(args).await?,
    };
    report::print(&result)
}
