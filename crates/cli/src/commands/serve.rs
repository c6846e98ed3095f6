//! `countersign serve`: the web server, the metrics listener, the schedule of periodic jobs
//! (`countersign_app::schedule`) and (unless `--no-workers`) the job workers.

use anyhow::Context;
use countersign_app::{App, Settings, SystemClock};
use countersign_web::AppState;
use std::process::ExitCode;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub async fn run(settings: Settings, workers: bool) -> anyhow::Result<ExitCode> {
    let addr = settings.listen_addr();
    let app = App::start(settings, Arc::new(SystemClock)).await?;
    let listener = TcpListener::bind(addr).await.with_context(|| {
        format!("cannot listen on {addr} (server.listen): is another process using it?")
    })?;
    tracing::info!(%addr, public_url = %app.settings.server.public_url, "countersign serving");
    serve_app(app, listener, workers).await?;
    Ok(ExitCode::SUCCESS)
}

/// Serves an already started app on `listener` until SIGINT or SIGTERM, with job workers
/// when `workers` is set.
pub async fn serve_app(app: App, listener: TcpListener, workers: bool) -> anyhow::Result<()> {
    let state = AppState::new(app.clone());
    let (stop_tx, stop_rx) = watch::channel(false);
    let metrics_task = if app.settings.metrics.listen.is_empty() {
        None
    } else {
        let addr = app.settings.metrics.listen.clone();
        let metrics_listener = TcpListener::bind(&addr).await.with_context(|| {
            format!("cannot listen on {addr} (metrics.listen); set it to \"\" to disable metrics")
        })?;
        tracing::info!(%addr, "metrics listening");
        Some(tokio::spawn(countersign_web::metrics::serve_metrics(
            state.metrics.clone(),
            metrics_listener,
            stopped(stop_rx.clone()),
        )))
    };
    let schedule = tokio::spawn(countersign_app::schedule::run_schedule(
        app.clone(),
        stop_rx.clone(),
    ));
    let workers = if workers {
        Some(super::worker::start(&app, stop_rx.clone())?)
    } else {
        None
    };
    let signal_task = tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop_tx.send(true);
    });
    countersign_web::serve(state, listener, stopped(stop_rx))
        .await
        .context("web server failed")?;
    signal_task.abort();
    schedule.abort();
    if let Some(w) = workers {
        w.join().await;
    }
    if let Some(t) = metrics_task {
        let _ = t.await;
    }
    app.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves once the stop flag is set.
async fn stopped(mut rx: watch::Receiver<bool>) {
    let _ = rx.wait_for(|stop| *stop).await;
}

pub(super) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
}
