//! A batch of `send_message` jobs, as a worker loop claimed it: the attempts of the whole
//! batch begin in one transaction (which also checks SMS consent), the messages go to their
//! transports concurrently, and the answers are recorded in one transaction per group of
//! answers (group commit: whatever arrived while the previous group was being written),
//! each job completed, retried or buried only while this worker holds its lease.
//!
//! Exactly-once: as for a single attempt (see `deliver`), a message past `sending` is never
//! sent again, and the StatusCallback URL carries our message id, so Twilio's reports record
//! the provider id even if this worker dies before it does.

use super::deliver::{opted_out, opted_out_of_broadcasts, send, settle};
use super::{DeliveryOutcome, Transports};
use crate::App;
use crate::jobs::{Job as _, SendMessage};
use countersign_domain::{MessageId, OrgId};
use countersign_messaging::{Brand, Delivery, SendError};
use countersign_store::{
    Attempt, Channel, DeliveryRecord, DeliveryStore, Job, JobOutcome, Message, StoreError,
    TransportKind,
};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::task::{JoinError, JoinSet};

/// A `send_message` job of a batch with its message id.
pub struct BatchJob {
    pub job: Job,
    pub message: MessageId,
}

impl BatchJob {
    /// The job with its payload read, when it can go through [`App::deliver_batch`]: a
    /// `send_message` job with attempts left and a readable payload. `None` for anything else
    /// (the runner runs those one by one).
    #[must_use]
    pub fn of(job: &Job) -> Option<Self> {
        if job.job.kind != SendMessage::KIND || job.attempts > job.job.max_attempts {
            return None;
        }
        let p: SendMessage = serde_json::from_str(&job.job.payload).ok()?;
        Some(Self {
            job: job.clone(),
            message: p.message_id,
        })
    }
}

impl App {
    /// Delivers a batch of `send_message` jobs that `worker` claimed.
    ///
    /// # Errors
    /// Store failures; the jobs not yet recorded stay leased and run again after the lease
    /// (their messages are `sending`, so nothing already accepted is sent twice once its
    /// status callback arrived).
    pub async fn deliver_batch(
        &self,
        transports: &Transports,
        worker: &str,
        batch: &[BatchJob],
    ) -> Result<(), StoreError> {
        let pairs: Vec<(OrgId, MessageId)> = batch
            .iter()
            .map(|b| (b.job.job.org_id, b.message))
            .collect();
        let attempts = self.store.begin_attempts(&pairs, self.now()).await?;
        let mut by_id: HashMap<MessageId, Attempt> =
            attempts.into_iter().map(|a| (a.message.id, a)).collect();
        let mut brands = self.brands(by_id.values()).await?;
        self.render_deferred(by_id.values_mut().map(|a| &mut a.message), &mut brands)
            .await?;
        // Messages further along (or deleted with their org): nothing to send, job done.
        let mut done = Vec::new();
        let mut sends = JoinSet::new();
        for (i, b) in batch.iter().enumerate() {
            let Some(attempt) = by_id.remove(&b.message) else {
                done.push(record(b, None, JobOutcome::Complete));
                continue;
            };
            let message = Arc::new(attempt.message);
            let brand = brands.get(&message.org_id).cloned();
            let transports = transports.clone();
            let app = self.clone();
            let opted_out_sms = attempt.sms_opted_out
                && message.channel == Channel::Sms
                && message.transport == TransportKind::Twilio;
            let opted_out_broadcast =
                attempt.broadcast_opted_out && message.transport != TransportKind::Outbox;
            sends.spawn(async move {
                let result = if opted_out_sms {
                    Err(opted_out())
                } else if opted_out_broadcast {
                    Err(opted_out_of_broadcasts())
                } else {
                    send(&app, &transports, &message, brand.as_ref()).await
                };
                (i, message, result)
            });
        }
        self.store
            .record_deliveries(worker, self.now(), &done)
            .await?;
        while let Some(first) = sends.join_next().await {
            let answers = gather(first, &mut sends).await;
            let now = self.now();
            let records: Vec<DeliveryRecord> = answers
                .into_iter()
                .filter_map(|a| {
                    a.map_err(|e| tracing::error!(error = %e, "send task failed"))
                        .ok()
                })
                .filter_map(|(i, message, result)| {
                    batch.get(i).map(|b| self.settled(b, &message, result, now))
                })
                .collect();
            self.store.record_deliveries(worker, now, &records).await?;
        }
        Ok(())
    }

    /// The brand of each org with an email in the batch.
    async fn brands(
        &self,
        attempts: impl Iterator<Item = &Attempt>,
    ) -> Result<HashMap<OrgId, Brand>, StoreError> {
        let mut brands = HashMap::new();
        for a in attempts.filter(|a| a.message.channel == Channel::Email) {
            if let std::collections::hash_map::Entry::Vacant(e) = brands.entry(a.message.org_id) {
                e.insert(super::brand_of(self, a.message.org_id).await?);
            }
        }
        Ok(brands)
    }

    /// The record of one answer: the message's transition and the job's next step.
    fn settled(
        &self,
        b: &BatchJob,
        message: &Message,
        result: Result<Delivery, SendError>,
        now: countersign_domain::Timestamp,
    ) -> DeliveryRecord {
        let job = &b.job;
        let (t, outcome) = settle(message, result, job.attempts, job.job.max_attempts, now);
        let outcome = match outcome {
            DeliveryOutcome::Done => JobOutcome::Complete,
            DeliveryOutcome::Retry(error) => JobOutcome::Retry {
                run_at: now.plus(self.settings.workers.backoff(job.attempts)),
                error,
            },
            DeliveryOutcome::GaveUp(error) => {
                tracing::warn!(job.id = %job.job.id, kind = %job.job.kind, error = %error, "job is dead");
                JobOutcome::Bury { error }
            }
        };
        record(b, Some(t), outcome)
    }
}

/// How long the answers of a batch may gather after the first before they are recorded.
/// Each record is a durable commit (a log flush: 2–5 ms on a loaded 2-core machine), so a
/// batch recorded as one or two groups instead of one per early answer saves most of them;
/// a lone message (a verification code) has no one to wait for and is recorded at once.
const GATHER: std::time::Duration = std::time::Duration::from_millis(10);

/// The first answer and whatever else arrives within [`GATHER`] (or until every send of
/// the batch has answered).
async fn gather<T: 'static>(
    first: Result<T, JoinError>,
    sends: &mut JoinSet<T>,
) -> Vec<Result<T, JoinError>> {
    let mut answers = vec![first];
    let deadline = tokio::time::sleep(GATHER);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            more = sends.join_next() => match more {
                Some(answer) => answers.push(answer),
                None => return answers,
            },
            () = &mut deadline => break,
        }
    }
    while let Some(more) = sends.try_join_next() {
        answers.push(more);
    }
    answers
}

fn record(
    b: &BatchJob,
    transition: Option<countersign_store::Transition>,
    outcome: JobOutcome,
) -> DeliveryRecord {
    DeliveryRecord {
        job: b.job.job.id,
        org: b.job.job.org_id,
        message: b.message,
        transition,
        outcome,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Answers that arrive together are recorded together; one that is slow to come is left
    /// for the next group instead of holding the others back.
    #[tokio::test]
    async fn answers_gather_briefly_and_a_slow_one_waits_for_the_next_group() {
        let mut sends = JoinSet::new();
        for i in 0..3u64 {
            sends.spawn(async move { i });
        }
        sends.spawn(async {
            tokio::time::sleep(std::time::Duration::from_secs(30)).await;
            99
        });
        let first = sends.join_next().await.expect("a first answer");
        let group = gather(first, &mut sends).await;
        let mut got: Vec<u64> = group.into_iter().map(Result::unwrap).collect();
        got.sort_unstable();
        assert_eq!(got, [0, 1, 2]);
        assert_eq!(sends.len(), 1, "the slow send is still running");
        sends.abort_all();
    }
}
