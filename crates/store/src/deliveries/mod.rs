//! Batched delivery bookkeeping: the job runner starts the attempts of a whole batch of
//! `send_message` jobs in one transaction and records their results in one transaction per
//! group of answers (instead of three transactions per message; on PostgreSQL one statement
//! each, `recordsets.rs`), and provider status callbacks find their message by our id.

mod records;
mod recordsets;
pub(crate) mod sql;

use crate::StoreResult;
use crate::forwarding::store_trait;
use crate::{Message, Transition, TransportKind};
use countersign_domain::{JobId, MessageId, OrgId, Timestamp};

/// A delivery attempt that [`DeliveryStore::begin_attempts`] started.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    /// The message, now `sending`, with the attempt counted.
    pub message: Message,
    /// An SMS whose recipient opted out of the org's messages (checked in the same
    /// transaction): it must not be sent.
    pub sms_opted_out: bool,
    /// A broadcast-lane message whose address opted out of the org's broadcasts on its
    /// channel (a STOP to the broadcast sender, or the contact source): it must not be sent.
    pub broadcast_opted_out: bool,
}

/// What happens to a job once its attempt has a result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobOutcome {
    /// Finished: the job is deleted.
    Complete,
    /// Queued again until `run_at`, with the error.
    Retry {
        /// When it may run again.
        run_at: Timestamp,
        /// Why this attempt failed.
        error: String,
    },
    /// Dead, with its last error.
    Bury {
        /// Why.
        error: String,
    },
}

/// The result of one job of a batch: an optional transition of its message, and the job's
/// next step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryRecord {
    /// The job that ran.
    pub job: JobId,
    /// The message's org.
    pub org: OrgId,
    /// The message.
    pub message: MessageId,
    /// The message's new state (provider id, error), if it changes.
    pub transition: Option<Transition>,
    /// The job's next step.
    pub outcome: JobOutcome,
}

store_trait! {
/// The batch operations of the delivery path.
pub trait DeliveryStore {
    /// Starts a delivery attempt for each `(org, message)` in one transaction, as
    /// [`crate::MessageStore::begin_attempt`] does for one: each `queued` or `sending` message
    /// becomes `sending` with one more attempt and a history entry. Messages further along
    /// (or unknown) are left out of the answer. Each pair is filtered by its own org in SQL.
    async fn begin_attempts(
        &self,
        batch: &[(OrgId, MessageId)],
        at: Timestamp,
    ) -> StoreResult<Vec<Attempt>>;

    /// Records the results of a batch in one transaction. Each message transition is applied
    /// under the rules of [`crate::MessageStore::transition_message`] (rank only moves
    /// forward), whoever holds the job now: a provider's answer is a fact, and dropping it
    /// would make the next attempt send again. Each job is completed, retried or buried only
    /// if `worker` still holds its lease (the lease is the capability, as in
    /// [`crate::JobStore::complete_job`]; not org-scoped). Returns how many jobs `worker`
    /// still held.
    async fn record_deliveries(
        &self,
        worker: &str,
        now: Timestamp,
        records: &[DeliveryRecord],
    ) -> StoreResult<u64>;

    /// Applies a provider's status report to the message whose id the callback URL carries
    /// (we put it there when sending), so a report that arrives before the worker recorded the
    /// provider id still moves the message; the provider id is recorded if it was unknown. A
    /// message that has a different provider id is left alone. Not org-scoped: the caller
    /// verified the report's signature, which covers the URL and so our id; the org comes
    /// from the message row and is returned with the id when the report was applied.
    async fn transition_by_callback(
        &self,
        transport: TransportKind,
        message: MessageId,
        provider_id: &str,
        transition: &Transition,
    ) -> StoreResult<Option<(OrgId, MessageId)>>;
}
}
