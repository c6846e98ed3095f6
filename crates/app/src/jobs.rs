//! Background jobs: the [`Job`] trait (one kind of work: a serializable payload with a kind
//! name, a dedup rule, `run` and what happens when it is abandoned), one file per job kind,
//! the [`Registry`] the runner dispatches through, and the worker loops that claim jobs from
//! the store's queue and complete, retry (exponential backoff) or bury them. `serve` runs the
//! workers next to the web server; `countersign worker` runs them alone, for scale-out on
//! PostgreSQL. What is queued periodically is listed in `crate::schedule`.

mod admin;
mod deliver_broadcast;
mod deliver_webhook;
mod expire_secrets;
mod expire_verifications;
mod history;
mod job;
mod publish_audit_head;
mod purge_sessions;
mod purge_unlinked_contacts;
mod registry;
mod roll_up_message_days;
mod runner;
mod send_message;
mod sweep;
mod sync_customers;
mod sync_tenant;

pub use admin::{JobAdminError, JobListView};
pub use deliver_broadcast::DeliverBroadcast;
pub use deliver_webhook::DeliverWebhook;
pub use expire_secrets::ExpireSecrets;
pub use expire_verifications::ExpireVerifications;
pub use history::{HistorySource, SYNC_HISTORY_LIMIT, SyncHistoryView};
pub use job::{Job, JobContext, JobResult, Outcome, SERVER_ORG};
pub use publish_audit_head::PublishAuditHead;
pub use purge_sessions::PurgeSessions;
pub use purge_unlinked_contacts::PurgeUnlinkedContacts;
pub use registry::{BatchFn, BoxFuture, Registry};
pub use roll_up_message_days::RollUpMessageDays;
pub use runner::{WorkerPool, run_due, run_job, run_with, worker_id};
pub use send_message::SendMessage;
pub use sync_customers::SyncCustomers;
pub use sync_tenant::SyncTenant;
