//! `countersign emulator`: the CLI wrapper the product's binary embeds as a subcommand.

use crate::scenario::Scenario;
use crate::server::Emulator;
use anyhow::Context;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Run the Microsoft 365 emulator (identity platform + Graph) until SIGINT/SIGTERM.
#[derive(Debug, Clone, clap::Args)]
pub struct EmulatorArgs {
    /// Address to listen on. Login, Graph and the control API share it; the control API only
    /// answers loopback clients.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// Scenario file (.toml or .json); see docs/emulator.md.
    #[arg(long, conflicts_with_all = ["tenants", "users_per_tenant"], required_unless_present = "tenants")]
    pub scenario: Option<PathBuf>,
    /// Generate this many customer tenants.
    #[arg(long, requires = "users_per_tenant")]
    pub tenants: Option<usize>,
    /// Users per generated tenant.
    #[arg(long, requires = "tenants")]
    pub users_per_tenant: Option<usize>,
    /// Seed for generation and fault injection.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Disable quota throttling (fault injection still applies). Microsoft never does this.
    #[arg(long)]
    pub no_throttling: bool,
}

impl EmulatorArgs {
    pub fn scenario(&self) -> anyhow::Result<Scenario> {
        let mut scenario = match (&self.scenario, self.tenants, self.users_per_tenant) {
            (Some(path), _, _) => Scenario::from_file(path)?,
            (None, Some(t), Some(u)) => Scenario::generate(t, u, self.seed),
            _ => anyhow::bail!("give --scenario FILE or --tenants N --users-per-tenant M"),
        };
        if self.no_throttling {
            scenario.throttling.enabled = false;
        }
        Ok(scenario)
    }
}

/// Starts the emulator, prints the manifest as the first stdout line, serves until
/// SIGINT/SIGTERM, then shuts down gracefully.
pub async fn run_cli(args: EmulatorArgs) -> anyhow::Result<()> {
    let scenario = args.scenario()?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let running = Emulator::start(scenario, listener).await?;
    let line = serde_json::to_string(running.manifest())?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{line}")?;
        out.flush()?;
    }
    wait_for_signal().await?;
    running.shutdown().await;
    Ok(())
}

async fn wait_for_signal() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r?,
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await?;
    Ok(())
}
