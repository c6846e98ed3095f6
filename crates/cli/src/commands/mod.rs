//! One module per subcommand.

mod admin;
mod audit;
mod db;
mod demo;
mod keys;
mod serve;
mod worker;

use crate::cli::{
    AdminCommand, AuditCommand, Cli, Command, ConfigCommand, DbCommand, GlobalArgs, KeysCommand,
};
use countersign_app::{FlagOverrides, Settings};
use std::process::ExitCode;

/// Exit code for invalid settings or usage.
const EXIT_USAGE: u8 = 2;

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> ExitCode {
    let cli = match cli.command {
        Command::Config(ConfigCommand::Example) => {
            print!("{}", countersign_app::settings::EXAMPLE);
            return ExitCode::SUCCESS;
        }
        // The simulator stands for Microsoft: it reads none of the product's settings.
        Command::Emulator(args) => return run_emulator(args).await,
        command => Cli { command, ..cli },
    };
    let settings = match load_settings(&cli.global) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    crate::logging::init(&settings.log);
    let result = match cli.command {
        Command::Serve(args) => serve::run(settings, !args.no_workers).await,
        Command::Worker => worker::run(settings).await,
        Command::Migrate => db::migrate(settings).await,
        Command::Admin(AdminCommand::Create(args)) => admin::create(settings, args).await,
        Command::Admin(AdminCommand::Reset(args)) => admin::reset(settings, args).await,
        Command::Keys(KeysCommand::Rotate) => keys::rotate(settings).await,
        Command::Db(DbCommand::Backup { file }) => db::backup(settings, &file).await,
        Command::Audit(AuditCommand::Verify { against }) => {
            audit::verify(settings, against.as_ref()).await
        }
        Command::Demo(args) => demo::run(settings, args).await,
        Command::Config(ConfigCommand::Example) | Command::Emulator(_) => Ok(ExitCode::SUCCESS),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run_emulator(args: countersign_emulator::EmulatorArgs) -> ExitCode {
    crate::logging::init(&countersign_app::settings::LogSettings::default());
    match countersign_emulator::run_cli(args).await {
        Ok(()) => ExitCode::SUCCESS,
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
