//! One module per subcommand.

mod admin;
mod audit;
mod db;
mod demo;
mod keys;
mod serve;

use crate::cli::{
    AdminCommand, AuditCommand, Cli, Command, ConfigCommand, DbCommand, GlobalArgs, KeysCommand,
};
use countersign_app::{FlagOverrides, Settings};
use std::process::ExitCode;

/// Exit code for invalid settings or usage.
const EXIT_USAGE: u8 = 2;

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> ExitCode {
    if let Command::Config(ConfigCommand::Example) = cli.command {
        print!("{}", countersign_app::settings::EXAMPLE);
        return ExitCode::SUCCESS;
    }
    let settings = match load_settings(&cli.global) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    crate::logging::init(&settings.log);
    let result = match cli.command {
        Command::Serve => serve::run(settings).await,
        Command::Migrate => db::migrate(settings).await,
        Command::Admin(AdminCommand::Create(args)) => admin::create(settings, args).await,
        Command::Keys(KeysCommand::Rotate) => keys::rotate(settings).await,
        Command::Db(DbCommand::Backup { file }) => db::backup(settings, &file).await,
        Command::Audit(AuditCommand::Verify) => audit::verify(settings).await,
        Command::Demo(args) => demo::run(settings, args).await,
        Command::Config(ConfigCommand::Example) => Ok(ExitCode::SUCCESS),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn load_settings(global: &GlobalArgs) -> Result<Settings, countersign_app::SettingsError> {
    let flags = FlagOverrides {
        data_dir: global.data_dir.clone(),
        database_url: global.database_url.clone(),
    };
    Settings::load(global.config.as_deref(), &flags)
}
