//! Command-line arguments.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Countersign: help-desk trust platform for MSPs.
#[derive(Debug, Parser)]
#[command(name = "countersign", version, about, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command understands; they override the config file and the environment.
#[derive(Debug, Args, Clone, Default)]
pub struct GlobalArgs {
    /// TOML configuration file (see `countersign config example`).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory: SQLite database and master key file (default: ./data).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// PostgreSQL URL (postgres://…) instead of SQLite.
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (and background work).
    Serve(ServeArgs),
    /// Run background job workers only (message delivery), for scale-out on PostgreSQL.
    Worker,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage technician accounts.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Configuration helpers.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Master key management.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Database maintenance.
    #[command(subcommand)]
    Db(DbCommand),
    /// Audit log tools.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Start a throwaway demo: temporary SQLite database, an admin account, the web server.
    Demo(DemoArgs),
    /// Run the Microsoft 365 simulator alone (identity platform + Graph), for tests and demos.
    /// Prints a JSON manifest as its first stdout line, then serves until stopped.
    Emulator(countersign_emulator::EmulatorArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Do not run job workers in this process (run `countersign worker` elsewhere).
    #[arg(long)]
    pub no_workers: bool,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an admin (and the org, if new).
    Create(AdminCreateArgs),
    /// Reset an admin's password and second factor (for the last admin of an org, who has no
    /// one to ask): ends their sessions and prints a one-time link to choose a new password.
    Reset(AdminResetArgs),
}

#[derive(Debug, Args)]
pub struct AdminResetArgs {
    /// Slug of the org, as in its public pages (`/t/<slug>/…`), e.g. "acme-it".
    #[arg(long)]
    pub org: String,
    /// Email address of the admin to reset.
    #[arg(long)]
    pub email: String,
}

#[derive(Debug, Args)]
pub struct AdminCreateArgs {
    /// Name of the org (MSP), e.g. "Acme IT". Created if no org of that name exists.
    #[arg(long)]
    pub org: String,
    /// Email address of the admin (the login name).
    #[arg(long)]
    pub email: String,
    /// The admin's name as others see it, e.g. "Alex Morgan" (default: the part of the
    /// email address before the @; they can change it on their Account page).
    #[arg(long, default_value = "")]
    pub name: String,
    /// Read the password from standard input (first line), so it never appears in the shell
    /// history or the process list.
    #[arg(long, required = true)]
    pub password_stdin: bool,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the documented example configuration file.
    Example,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Add a new master key and re-seal every secret under it (safe to re-run after a crash).
    Rotate,
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Write a consistent copy of the SQLite database to FILE (works while serving).
    Backup {
        /// Destination file (must not exist).
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the audit log's keyed chain and report the first broken link; prints the
    /// chain's head, to keep outside the database.
    Verify {
        /// A head published earlier (`<org id|server>:<seq>:<mac>`, from a log line, an
        /// `audit.head` webhook event or an earlier `audit verify`): fail unless the entry at
        /// that position still has that MAC, which detects a rewrite even by a key holder.
        #[arg(long, value_name = "HEAD")]
        against: Option<countersign_store::AuditHead>,
    },
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Address to listen on; if the port is taken, a free one is used.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
}
