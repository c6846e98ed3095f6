//! The background job runner: worker loops that claim jobs from the store's queue, run them,
//! and complete, retry (exponential backoff) or bury them. `serve` runs it next to the web
//! server; `countersign worker` runs it alone, for scale-out on PostgreSQL.

mod admin;
mod runner;

pub use admin::{JobAdminError, JobListView};
pub use runner::{WorkerPool, run_job, worker_id};
