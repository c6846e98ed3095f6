//! The one list of periodic work. The schedule only queues jobs; the workers run them, so
//! retries, leases and the Jobs page are the same for everything.
//!
//! Every `serve` process and every `countersign worker` runs the schedule (so a deployment
//! with `serve --no-workers` and separate workers still has one). Each job's dedup key names
//! its slot (the period number of the task), and the store refuses a second job with the same
//! key while the first is on the queue, so processes do not pile up copies. (A completed job's
//! row is gone, so a process that ticks later in the same slot may queue it again: the sweeps
//! are idempotent, and the audit head's event id is derived from the hour.) A process also
//! remembers the last slot it queued for each task, so it does not ask the store every tick.

use crate::App;
use crate::jobs::{
    BoxFuture, ExpireSecrets, ExpireVerifications, Job, PurgeSessions, PurgeUnlinkedContacts,
    RollUpMessageDays, SERVER_ORG,
};
use std::collections::HashMap;
use std::time::Duration;

/// One periodic task: what it is, how often, and how it queues its work.
#[derive(Clone, Copy)]
pub struct Task {
    /// Shown in the log.
    pub name: &'static str,
    /// How often it is queued.
    pub every: Duration,
    /// Queues the work of `slot` (Unix ms / `every`); returns how many jobs were queued.
    queue: for<'a> fn(&'a App, i64) -> BoxFuture<'a, Result<usize, String>>,
}

impl std::fmt::Debug for Task {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Task")
            .field("name", &self.name)
            .field("every", &self.every)
            .finish_non_exhaustive()
    }
}

const MINUTE: Duration = Duration::from_secs(60);

/// Tenants whose last sync is older than `[microsoft] sync_interval_minutes` (one
/// `microsoft.sync_tenant` job per tenant; the dedup key is the tenant's).
pub const TENANT_SYNCS: Task = Task {
    name: "tenant syncs",
    every: MINUTE,
    queue: |app, _| {
        Box::pin(async move { app.enqueue_due_syncs().await.map_err(|e| e.to_string()) })
    },
};

/// Pending verifications whose time ran out become expired.
pub const VERIFICATION_EXPIRY: Task = Task {
    name: "verification expiry",
    every: MINUTE,
    queue: |app, slot| Box::pin(server_job(app, ExpireVerifications { slot })),
};

/// One-time links past their expiry end (ciphertext deleted at once).
pub const SECRET_EXPIRY: Task = Task {
    name: "secret expiry",
    every: MINUTE,
    queue: |app, slot| Box::pin(server_job(app, ExpireSecrets { slot })),
};

/// Expired and idle sessions are deleted.
pub const SESSION_PURGE: Task = Task {
    name: "session purge",
    every: Duration::from_secs(600),
    queue: |app, slot| Box::pin(server_job(app, PurgeSessions { slot })),
};

/// The audit chain's heads: the server-wide head goes to the log, and each org subscribed to
/// `audit.head` gets a `publish_audit_head` job (see `audit_heads`).
pub const AUDIT_HEADS: Task = Task {
    name: "audit heads",
    every: Duration::from_secs(3600),
    queue: |app, _| {
        Box::pin(async move {
            if let Err(e) = app.log_audit_head().await {
                tracing::warn!(error = %e, "reading the audit chain's head failed");
            }
            app.enqueue_audit_heads().await.map_err(|e| e.to_string())
        })
    },
};

/// Message days that are over are rolled up for the dashboard (`message_daily`).
pub const MESSAGE_ROLLUP: Task = Task {
    name: "message roll-up",
    every: Duration::from_secs(600),
    queue: |app, slot| Box::pin(server_job(app, RollUpMessageDays { slot })),
};

/// The contacts of unlinked tenants whose retention ended are deleted (issue 21.6).
pub const UNLINKED_PURGE: Task = Task {
    name: "unlinked contacts purge",
    every: Duration::from_secs(3600),
    queue: |app, slot| Box::pin(server_job(app, PurgeUnlinkedContacts { slot })),
};

/// Every periodic task.
pub const TASKS: &[Task] = &[
    TENANT_SYNCS,
    VERIFICATION_EXPIRY,
    SECRET_EXPIRY,
    SESSION_PURGE,
    AUDIT_HEADS,
    MESSAGE_ROLLUP,
    UNLINKED_PURGE,
];

async fn server_job<J: Job>(app: &App, job: J) -> Result<usize, String> {
    match app.enqueue(SERVER_ORG, &job).await {
        Ok(queued) => Ok(usize::from(queued)),
        Err(e) => Err(e.to_string()),
    }
}

/// A process's schedule: the tasks it runs and the last slot it queued for each.
#[derive(Debug)]
pub struct Schedule {
    tasks: Vec<Task>,
    last_slot: HashMap<&'static str, i64>,
}

impl Default for Schedule {
    fn default() -> Self {
        Self::of(TASKS)
    }
}

impl Schedule {
    /// A schedule of some tasks only (tests).
    #[must_use]
    pub fn of(tasks: &[Task]) -> Self {
        Self {
            tasks: tasks.to_vec(),
            last_slot: HashMap::new(),
        }
    }

    /// Queues the work of every task whose slot changed since its last tick here. Failures
    /// are logged; the next slot tries again.
    pub async fn tick(&mut self, app: &App) {
        let now = app.now();
        for task in &self.tasks {
            let every = i64::try_from(task.every.as_millis())
                .unwrap_or(i64::MAX)
                .max(1);
            let slot = now.0.div_euclid(every);
            if self.last_slot.get(task.name) == Some(&slot) {
                continue;
            }
            self.last_slot.insert(task.name, slot);
            match (task.queue)(app, slot).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(task = task.name, jobs = n, "scheduled jobs queued"),
                Err(e) => {
                    tracing::warn!(task = task.name, error = %e, "queueing scheduled jobs failed")
                }
            }
        }
    }
}

/// Ticks the schedule every minute until `stop` is true.
pub async fn run_schedule(app: App, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut schedule = Schedule::default();
    let mut tick = tokio::time::interval(MINUTE);
    loop {
        tokio::select! {
            _ = tick.tick() => schedule.tick(&app).await,
            _ = stop.changed() => if *stop.borrow() { return },
        }
    }
}
