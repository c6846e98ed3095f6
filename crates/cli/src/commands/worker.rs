//! `countersign worker`: job workers and the schedule of periodic jobs (no web server), so
//! delivery can scale out over several processes on one PostgreSQL database. Stops on SIGINT
//! or SIGTERM after the current batch; a process killed harder leaves leases that expire and
//! are taken over.

use anyhow::Context;
use countersign_app::jobs::WorkerPool;
use countersign_app::messages::Transports;
use countersign_app::{App, Settings, SystemClock};
use std::process::ExitCode;
use std::sync::Arc;
use tokio::sync::watch;

pub async fn run(settings: Settings) -> anyhow::Result<ExitCode> {
    let app = App::start(settings, Arc::new(SystemClock)).await?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let pool = start(&app, stop_rx.clone())?;
    let schedule = tokio::spawn(countersign_app::schedule::run_schedule(
        app.clone(),
        stop_rx,
    ));
    println!("countersign worker running (pid {})", std::process::id());
    super::serve::shutdown_signal().await;
    let _ = stop_tx.send(true);
    schedule.abort();
    pool.join().await;
    app.close().await;
    tracing::info!("workers stopped");
    Ok(ExitCode::SUCCESS)
}

/// Builds the transports from the settings and starts the worker loops.
pub fn start(app: &App, stop: watch::Receiver<bool>) -> anyhow::Result<WorkerPool> {
    let transports =
        Transports::from_settings(&app.settings).context("setting up message delivery")?;
    Ok(WorkerPool::start(app.clone(), transports, stop))
}
