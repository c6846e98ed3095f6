//! Worker loops. Each loop claims up to `workers.batch_size` due jobs, runs them
//! concurrently (the kinds that opted into batches as one batch per kind, see
//! [`super::Job::BATCH`]), records the results, and claims again; when the queue is empty it
//! waits `workers.poll_interval_ms`. A job is leased for `workers.lease_seconds`: if this
//! process dies, another worker runs the job again once the lease has passed.

use super::job::{JobContext, Outcome};
use super::registry::Registry;
use crate::App;
use crate::messages::Transports;
use countersign_store::{Job as StoredJob, JobStore, StoreError};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// A unique name for one worker loop (shown on the Jobs page as the lease holder).
#[must_use]
pub fn worker_id(n: u32) -> String {
    let short = uuid::Uuid::new_v4().simple().to_string();
    format!("pid{}-{n}-{}", std::process::id(), &short[..8])
}

/// Runs one claimed job to its next step with the standard registry.
///
/// # Errors
/// Store failures (the job stays leased and runs again after the lease).
pub async fn run_job(
    app: &App,
    transports: &Transports,
    job: &StoredJob,
) -> Result<(), StoreError> {
    run_with(&Registry::standard(), app, transports, job).await
}

/// Runs one claimed job through `registry` and records its outcome.
///
/// # Errors
/// Store failures (the job stays leased and runs again after the lease).
pub async fn run_with(
    registry: &Registry,
    app: &App,
    transports: &Transports,
    job: &StoredJob,
) -> Result<(), StoreError> {
    let ctx = JobContext {
        stored: job,
        transports,
    };
    let outcome = registry.outcome(app, &ctx).await?;
    finish(app, job, outcome).await
}

/// Claims up to `limit` due jobs as `worker` and runs them one by one (no batches), through
/// the standard registry; returns how many ran. For tests and tools that have no worker loop.
///
/// # Errors
/// Store failures.
pub async fn run_due(
    app: &App,
    transports: &Transports,
    worker: &str,
    limit: i64,
) -> Result<usize, StoreError> {
    let now = app.now();
    let lease = now.plus(app.settings.workers.lease());
    let jobs = app.store.claim_jobs(worker, now, lease, limit).await?;
    let registry = Registry::standard();
    for job in &jobs {
        run_with(&registry, app, transports, job).await?;
    }
    Ok(jobs.len())
}

/// Records what happened: complete, retry (while attempts are left) or bury.
async fn finish(app: &App, job: &StoredJob, outcome: Outcome) -> Result<(), StoreError> {
    let worker = job.locked_by.clone().unwrap_or_default();
    let now = app.now();
    let attempts_left = job.attempts < job.job.max_attempts;
    match outcome {
        Outcome::Complete => {
            app.store.complete_job(job.job.id, &worker).await?;
        }
        Outcome::Continue(after) => {
            // Continuing at once keeps the job's place in the queue (its creation time): a
            // broadcast that queued 100,000 messages must not wait behind them for its next
            // batch (claims take the oldest due jobs first).
            let run_at = if after.is_zero() {
                job.job.created_at.min(now)
            } else {
                now.plus(after)
            };
            app.store
                .continue_job_later(job.job.id, &worker, run_at, now)
                .await?;
        }
        Outcome::Retry(error) if attempts_left => {
            let run_at = now.plus(app.settings.workers.backoff(job.attempts));
            app.store
                .retry_job_later(job.job.id, &worker, run_at, &error, now)
                .await?;
        }
        Outcome::RetryAfter(error, after) if attempts_left => {
            app.store
                .retry_job_later(job.job.id, &worker, now.plus(after), &error, now)
                .await?;
        }
        Outcome::Retry(error) | Outcome::RetryAfter(error, _) | Outcome::Bury(error) => {
            tracing::warn!(job.id = %job.job.id, kind = %job.job.kind, error = %error, "job is dead");
            app.store.bury_job(job.job.id, &worker, &error, now).await?;
        }
    }
    Ok(())
}

/// The worker loops of one process.
pub struct WorkerPool {
    tasks: JoinSet<()>,
}

impl WorkerPool {
    /// Starts `workers.concurrency` loops; they stop when `stop` becomes true.
    #[must_use]
    pub fn start(app: App, transports: Transports, stop: watch::Receiver<bool>) -> Self {
        let registry = Arc::new(Registry::standard());
        let mut tasks = JoinSet::new();
        for n in 0..app.settings.workers.concurrency {
            tasks.spawn(worker_loop(
                app.clone(),
                transports.clone(),
                registry.clone(),
                worker_id(n),
                stop.clone(),
            ));
        }
        tracing::info!(
            loops = app.settings.workers.concurrency,
            "job workers started"
        );
        Self { tasks }
    }

    /// Waits for every loop to finish its current batch and stop.
    pub async fn join(mut self) {
        while self.tasks.join_next().await.is_some() {}
    }
}

async fn worker_loop(
    app: App,
    transports: Transports,
    registry: Arc<Registry>,
    worker: String,
    mut stop: watch::Receiver<bool>,
) {
    let settings = &app.settings.workers;
    let mut failures: u32 = 0;
    loop {
        if *stop.borrow() {
            return;
        }
        let now = app.now();
        let claimed = app
            .store
            .claim_jobs(
                &worker,
                now,
                now.plus(settings.lease()),
                i64::from(settings.batch_size),
            )
            .await;
        let wait = match claimed {
            Ok(jobs) if jobs.is_empty() => settings.poll_interval(),
            Ok(jobs) => {
                failures = 0;
                run_batch(&app, &transports, &registry, &worker, jobs).await;
                continue;
            }
            Err(e) => {
                failures = failures.saturating_add(1);
                tracing::warn!(error = %e, worker = %worker, "claiming jobs failed");
                // Back off while the database is unavailable, up to 30 s.
                settings
                    .poll_interval()
                    .saturating_mul(failures.min(60))
                    .min(Duration::from_secs(30))
            }
        };
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            _ = stop.changed() => {}
        }
    }
}

/// Runs what one claim returned: each batching kind's jobs together (a few transactions per
/// batch, not a few per job), everything else, and whatever a batch did not take, one by one.
async fn run_batch(
    app: &App,
    transports: &Transports,
    registry: &Arc<Registry>,
    worker: &str,
    jobs: Vec<StoredJob>,
) {
    let mut batches: HashMap<String, Vec<StoredJob>> = HashMap::new();
    let mut singles = Vec::new();
    for job in jobs {
        if registry.batch_of(&job.job.kind).is_some() {
            batches.entry(job.job.kind.clone()).or_default().push(job);
        } else {
            singles.push(job);
        }
    }
    let mut set = JoinSet::new();
    for (kind, jobs) in batches {
        let Some(batch) = registry.batch_of(&kind) else {
            continue;
        };
        let (app, transports, registry, worker) = (
            app.clone(),
            transports.clone(),
            registry.clone(),
            worker.to_owned(),
        );
        set.spawn(async move {
            let rest = batch(&app, &transports, &worker, jobs).await;
            run_singles(&app, &transports, &registry, rest).await;
        });
    }
    run_singles(app, transports, registry, singles).await;
    while set.join_next().await.is_some() {}
}

/// Runs jobs one by one, concurrently.
async fn run_singles(
    app: &App,
    transports: &Transports,
    registry: &Arc<Registry>,
    jobs: Vec<StoredJob>,
) {
    let mut set = JoinSet::new();
    for job in jobs {
        let (app, transports, registry) = (app.clone(), transports.clone(), registry.clone());
        set.spawn(async move {
            if let Err(e) = run_with(&registry, &app, &transports, &job).await {
                tracing::warn!(job.id = %job.job.id, error = %e, "job failed on a store error; it runs again after its lease");
            }
        });
    }
    while set.join_next().await.is_some() {}
}
