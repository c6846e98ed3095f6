//! The registry: every job kind the workers know, keyed by its stored kind name. The runner
//! finds a claimed job's handler here; a kind that is not registered is buried (a row queued by
//! a newer version, or a typo), never guessed at.

use super::job::{Job, JobContext, JobResult, Outcome};
use crate::App;
use crate::messages::Transports;
use countersign_store::Job as StoredJob;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

/// A boxed, sendable future (the registry stores handlers of different job types).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Reads a claimed job's payload and runs it (or its abandoned path).
type RunFn = for<'a> fn(&'a App, &'a JobContext<'a>) -> BoxFuture<'a, JobResult>;

/// Runs jobs of one kind that a worker claimed together, recording each one's outcome itself;
/// returns the jobs it did not take, which then run one by one. `&str` is the worker's id (the
/// lease holder that records the outcomes).
pub type BatchFn =
    for<'a> fn(&'a App, &'a Transports, &'a str, Vec<StoredJob>) -> BoxFuture<'a, Vec<StoredJob>>;

#[derive(Clone, Copy)]
struct Entry {
    run: RunFn,
    batch: Option<BatchFn>,
}

/// Every job kind a worker can run.
#[derive(Clone, Default)]
pub struct Registry {
    kinds: HashMap<&'static str, Entry>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.kinds()).finish()
    }
}

impl Registry {
    /// Every job kind of the application. A new kind is added here (and nowhere else in the
    /// runner).
    #[must_use]
    pub fn standard() -> Self {
        use super::{
            DeliverBroadcast, DeliverWebhook, ExpireSecrets, ExpireVerifications, PublishAuditHead,
            PurgeSessions, PurgeUnlinkedContacts, RollUpMessageDays, SendMessage, SyncCustomers,
            SyncTenant,
        };
        Self::default()
            .with::<SendMessage>()
            .with::<DeliverWebhook>()
            .with::<PublishAuditHead>()
            .with::<SyncTenant>()
            .with::<SyncCustomers>()
            .with::<ExpireVerifications>()
            .with::<ExpireSecrets>()
            .with::<PurgeSessions>()
            .with::<DeliverBroadcast>()
            .with::<RollUpMessageDays>()
            .with::<PurgeUnlinkedContacts>()
    }

    /// The registry with `J` added. A kind registered twice keeps its first handler (two job
    /// types must not share a kind name; the registry test checks the standard set).
    #[must_use]
    pub fn with<J: Job>(mut self) -> Self {
        self.kinds.entry(J::KIND).or_insert(Entry {
            run: run_typed::<J>,
            batch: J::BATCH,
        });
        self
    }

    /// The registered kind names, sorted.
    #[must_use]
    pub fn kinds(&self) -> Vec<&'static str> {
        let mut kinds: Vec<_> = self.kinds.keys().copied().collect();
        kinds.sort_unstable();
        kinds
    }

    /// The batch runner of `kind`, if the kind opted into batches.
    pub(super) fn batch_of(&self, kind: &str) -> Option<BatchFn> {
        self.kinds.get(kind).and_then(|e| e.batch)
    }

    /// Runs one claimed job through its kind's handler. An unknown kind is buried.
    pub(super) async fn outcome(&self, app: &App, ctx: &JobContext<'_>) -> JobResult {
        match self.kinds.get(ctx.stored.job.kind.as_str()) {
            Some(entry) => (entry.run)(app, ctx).await,
            None => Ok(Outcome::Bury(format!(
                "unknown job kind {:?}",
                ctx.stored.job.kind
            ))),
        }
    }
}

/// The handler of `J`: an unreadable payload is buried; an abandoned job goes to
/// [`Job::abandoned`]; anything else to [`Job::run`].
fn run_typed<'a, J: Job>(app: &'a App, ctx: &'a JobContext<'a>) -> BoxFuture<'a, JobResult> {
    Box::pin(async move {
        let job: J = match serde_json::from_str(&ctx.stored.job.payload) {
            Ok(job) => job,
            Err(e) => return Ok(Outcome::Bury(format!("unreadable payload: {e}"))),
        };
        if ctx.abandoned() {
            let error = format!(
                "no attempt finished in {} tries (workers stopped mid-job)",
                ctx.max_attempts()
            );
            return job.abandoned(app, ctx, error).await;
        }
        job.run(app, ctx).await
    })
}

#[cfg(test)]
mod tests {
    use super::Registry;
    use crate::jobs::{
        DeliverBroadcast, DeliverWebhook, ExpireSecrets, ExpireVerifications, Job,
        PublishAuditHead, PurgeSessions, PurgeUnlinkedContacts, RollUpMessageDays, SendMessage,
        SyncCustomers, SyncTenant,
    };

    /// Every job type is registered under its own kind, and no two share one. The kinds
    /// already stored in databases keep their names.
    #[test]
    fn every_job_kind_is_registered_once() {
        let mut expected = vec![
            SendMessage::KIND,
            DeliverWebhook::KIND,
            PublishAuditHead::KIND,
            SyncTenant::KIND,
            SyncCustomers::KIND,
            ExpireVerifications::KIND,
            ExpireSecrets::KIND,
            PurgeSessions::KIND,
            DeliverBroadcast::KIND,
            RollUpMessageDays::KIND,
            PurgeUnlinkedContacts::KIND,
        ];
        expected.sort_unstable();
        let before = expected.len();
        expected.dedup();
        assert_eq!(expected.len(), before, "two job types share a kind");
        assert_eq!(Registry::standard().kinds(), expected);
        for stored in [
            "send_message",
            "deliver_webhook",
            "publish_audit_head",
            "microsoft.sync_tenant",
        ] {
            assert!(
                expected.contains(&stored),
                "{stored} is no longer registered"
            );
        }
    }

    /// Only `send_message` runs in batches.
    #[test]
    fn only_messages_batch() {
        let r = Registry::standard();
        let batching: Vec<_> = r
            .kinds()
            .into_iter()
            .filter(|k| r.batch_of(k).is_some())
            .collect();
        assert_eq!(batching, vec![SendMessage::KIND]);
    }
}
