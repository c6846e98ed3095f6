//! Worker loops. Each loop claims up to `workers.batch_size` due jobs, runs them
//! concurrently (`send_message` jobs as one batch, see `messages::batch`), records the
//! results, and claims again; when the queue is empty it waits
//! `workers.poll_interval_ms`. A job is leased for `workers.lease_seconds`: if this process
//! dies, another worker runs the job again once the lease has passed.

use crate::App;
use crate::messages::{
    BatchJob, DeliveryOutcome, SEND_MESSAGE_JOB, SendMessagePayload, Transports,
};
use countersign_store::{Job, JobStore, StoreError, WebhookStore};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// A unique name for one worker loop (shown on the Jobs page as the lease holder).
#[must_use]
pub fn worker_id(n: u32) -> String {
    let short = uuid::Uuid::new_v4().simple().to_string();
    format!("pid{}-{n}-{}", std::process::id(), &short[..8])
}

/// What to do with a job after it ran.
enum Next {
    Complete,
    Retry(String),
    /// Retry after this delay instead of the workers' backoff (webhooks back off over hours).
    RetryAfter(String, Duration),
    Bury(String),
}

/// Runs one claimed job to its next step.
///
/// # Errors
/// Store failures (the job stays leased and runs again after the lease).
pub async fn run_job(app: &App, transports: &Transports, job: &Job) -> Result<(), StoreError> {
    let worker = job.locked_by.clone().unwrap_or_default();
    let next = match job.job.kind.as_str() {
        SEND_MESSAGE_JOB => match serde_json::from_str::<SendMessagePayload>(&job.job.payload) {
            Ok(p) if job.attempts > job.job.max_attempts => {
                // Every attempt so far ended with its worker dying mid-job.
                let error = format!(
                    "no attempt finished in {} tries (workers stopped mid-job)",
                    job.job.max_attempts
                );
                app.fail_abandoned_message(job.job.org_id, p.message_id, &error)
                    .await?;
                Next::Bury(error)
            }
            Ok(p) => {
                match app
                    .deliver_message(
                        transports,
                        job.job.org_id,
                        p.message_id,
                        job.attempts,
                        job.job.max_attempts,
                    )
                    .await
                {
                    Ok(DeliveryOutcome::Done) => Next::Complete,
                    Ok(DeliveryOutcome::Retry(e)) => Next::Retry(e),
                    Ok(DeliveryOutcome::GaveUp(e)) => Next::Bury(e),
                    // The message was deleted with its org: nothing left to do.
                    Err(StoreError::NotFound) => Next::Complete,
                    Err(e) => return Err(e),
                }
            }
            Err(e) => Next::Bury(format!("unreadable payload: {e}")),
        },
        crate::microsoft::SYNC_TENANT_JOB => {
            match app.run_sync_job(job.job.org_id, &job.job.payload).await? {
                crate::microsoft::SyncJobOutcome::Done => Next::Complete,
                crate::microsoft::SyncJobOutcome::Retry(e) => Next::Retry(e),
            }
        }
        crate::webhooks::DELIVER_WEBHOOK_JOB => deliver_webhook(app, transports, job).await?,
        crate::audit_heads::PUBLISH_AUDIT_HEAD_JOB => {
            app.publish_audit_head(job.job.org_id).await?;
            Next::Complete
        }
        other => Next::Bury(format!("unknown job kind {other:?}")),
    };
    let now = app.now();
    match next {
        Next::Complete => {
            app.store.complete_job(job.job.id, &worker).await?;
        }
        Next::Retry(error) if job.attempts < job.job.max_attempts => {
            let run_at = now.plus(app.settings.workers.backoff(job.attempts));
            app.store
                .retry_job_later(job.job.id, &worker, run_at, &error, now)
                .await?;
        }
        Next::RetryAfter(error, after) if job.attempts < job.job.max_attempts => {
            app.store
                .retry_job_later(job.job.id, &worker, now.plus(after), &error, now)
                .await?;
        }
        Next::Retry(error) | Next::RetryAfter(error, _) | Next::Bury(error) => {
            tracing::warn!(job.id = %job.job.id, kind = %job.job.kind, error = %error, "job is dead");
            app.store.bury_job(job.job.id, &worker, &error, now).await?;
        }
    }
    Ok(())
}

/// A `deliver_webhook` job: one attempt of its delivery.
async fn deliver_webhook(
    app: &App,
    transports: &Transports,
    job: &Job,
) -> Result<Next, StoreError> {
    use crate::webhooks::{DeliverWebhookPayload, WebhookJobOutcome};
    let Ok(p) = serde_json::from_str::<DeliverWebhookPayload>(&job.job.payload) else {
        return Ok(Next::Bury("unreadable payload".into()));
    };
    let org = job.job.org_id;
    if job.attempts > job.job.max_attempts {
        // Every attempt so far ended with its worker dying mid-job.
        let error = format!(
            "no attempt finished in {} tries (workers stopped mid-job)",
            job.job.max_attempts
        );
        if let Ok(d) = app.store.webhook_delivery(org, p.delivery_id).await {
            app.final_failure(&d, None, &error).await?;
        }
        return Ok(Next::Bury(error));
    }
    Ok(
        match app
            .deliver_webhook(
                &transports.webhooks,
                org,
                p.delivery_id,
                job.attempts,
                job.job.max_attempts,
            )
            .await?
        {
            WebhookJobOutcome::Done => Next::Complete,
            WebhookJobOutcome::Retry { error, after } => Next::RetryAfter(error, after),
            WebhookJobOutcome::GaveUp(error) => Next::Bury(error),
        },
    )
}

/// The worker loops of one process.
pub struct WorkerPool {
    tasks: JoinSet<()>,
}

impl WorkerPool {
    /// Starts `workers.concurrency` loops; they stop when `stop` becomes true.
    #[must_use]
    pub fn start(app: App, transports: Transports, stop: watch::Receiver<bool>) -> Self {
        let mut tasks = JoinSet::new();
        for n in 0..app.settings.workers.concurrency {
            tasks.spawn(worker_loop(
                app.clone(),
                transports.clone(),
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
                run_batch(&app, &transports, &worker, jobs).await;
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

async fn run_batch(app: &App, transports: &Transports, worker: &str, jobs: Vec<Job>) {
    // `send_message` jobs go together (a few transactions per batch, not a few per message);
    // the rest one by one.
    let (messages, others): (Vec<_>, Vec<_>) = jobs
        .into_iter()
        .map(|j| (BatchJob::of(&j), j))
        .partition(|(b, _)| b.is_some());
    let messages: Vec<BatchJob> = messages.into_iter().filter_map(|(b, _)| b).collect();
    let mut set = JoinSet::new();
    if !messages.is_empty() {
        let (app, transports, worker) = (app.clone(), transports.clone(), worker.to_owned());
        set.spawn(async move {
            if let Err(e) = app.deliver_batch(&transports, &worker, &messages).await {
                tracing::warn!(error = %e, "message batch failed on a store error; its jobs run again after their lease");
            }
        });
    }
    for (_, job) in others {
        let app = app.clone();
        let transports = transports.clone();
        set.spawn(async move {
            if let Err(e) = run_job(&app, &transports, &job).await {
                tracing::warn!(job.id = %job.job.id, error = %e, "job failed on a store error; it runs again after its lease");
            }
        });
    }
    while set.join_next().await.is_some() {}
}
