//! countersign-bench: one subcommand per benchmark scenario. Progress goes to stderr; the last
//! stdout line is one JSON object with the figures (docs/benchmarks.md records them).

mod report;
mod scenarios;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "countersign-bench", about = "Countersign benchmarks")]
struct Cli {
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Subcommand)]
enum Scenario {
    /// Page through `GET /users?$top=999` of one big emulated tenant.
    EmulatorPages(scenarios::emulator_pages::Args),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let result = match cli.scenario {
        Scenario::EmulatorPages(args) => scenarios::emulator_pages::run(args).await?,
    };
    report::print(&result)
}
