//! The dashboard's figures (issue 21.1): verifications from the daily rollup that triggers
//! keep in the transaction that ends a verification (migration 0032, `verification_daily`),
//! Secure Send links and messages from range counts of the period.

pub(crate) mod sql;

use crate::StoreResult;
use crate::forwarding::store_trait;
use countersign_domain::{Channel, CustomerId, OrgId, TechnicianId, Timestamp, VerificationMethod};

/// Milliseconds in a rollup day. Days are UTC: day `n` starts at `n * DAY_MS` Unix ms.
pub const DAY_MS: i64 = 86_400_000;

/// Upper bounds, in ms, of the time-to-verify buckets of the rollup, in column order
/// (`within_15s` … `within_10m`); a last bucket (`over_10m`) holds the rest. A code or link
/// lives at most 10 minutes, so the last bucket stays empty in practice.
pub const TIME_TO_VERIFY_BOUNDS_MS: [i64; 7] =
    [15_000, 30_000, 60_000, 120_000, 180_000, 300_000, 600_000];

/// Buckets of the time-to-verify histogram: one per bound and one for the rest.
pub const TIME_TO_VERIFY_BUCKETS: usize = TIME_TO_VERIFY_BOUNDS_MS.len() + 1;

/// Ended verifications by outcome, with the time to verify of the verified ones.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutcomeCounts {
    /// The contact proved who they are.
    pub verified: i64,
    /// A wrong code, a wrong number picked, or the contact was removed meanwhile.
    pub failed: i64,
    /// The contact answered "This wasn't me".
    pub denied: i64,
    /// Not answered in time, or replaced by a newer request for the same contact.
    pub expired: i64,
    /// "Who I am" messages (they ask nothing back).
    pub sent: i64,
    /// Verified ones per time-to-verify bucket ([`TIME_TO_VERIFY_BOUNDS_MS`]).
    pub time_to_verify: [i64; TIME_TO_VERIFY_BUCKETS],
}

impl OutcomeCounts {
    /// Adds another's counts to these.
    pub fn add(&mut self, o: &Self) {
        self.verified += o.verified;
        self.failed += o.failed;
        self.denied += o.denied;
        self.expired += o.expired;
        self.sent += o.sent;
        for (a, b) in self.time_to_verify.iter_mut().zip(o.time_to_verify) {
            *a += b;
        }
    }

    /// Verifications that asked the contact something and ended (every outcome but sent).
    #[must_use]
    pub fn answered_or_not(&self) -> i64 {
        self.verified + self.failed + self.denied + self.expired
    }
}

/// One method's ended verifications on one UTC day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MethodDay {
    /// The UTC day (Unix ms / [`DAY_MS`]) the verifications started on.
    pub day: i64,
    /// How.
    pub method: VerificationMethod,
    /// What came of them.
    pub counts: OutcomeCounts,
}

/// One technician's ended verifications over a period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TechnicianFigures {
    /// The technician (`None`: verifications with no technician recorded).
    pub technician_id: Option<TechnicianId>,
    /// Their display name, while they exist.
    pub name: Option<String>,
    /// What came of their verifications.
    pub counts: OutcomeCounts,
}

/// One customer's ended verifications (of its contacts) over a period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomerFigures {
    /// The customer.
    pub customer_id: CustomerId,
    /// Its name.
    pub name: String,
    /// What came of the verifications of its contacts.
    pub counts: OutcomeCounts,
}

/// Secure Send links created in a period, by what became of them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SecretFigures {
    /// Links created.
    pub sent: i64,
    /// Of those, opened at least once.
    pub revealed: i64,
    /// Ran out of time unopened.
    pub expired: i64,
    /// Cancelled (burned) by a technician unopened.
    pub burned: i64,
    /// Still waiting to be opened.
    pub open: i64,
}

/// Messages of one channel created in a period, by where they stand (a day rolled up: where
/// they stood then).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChannelFigures {
    /// SMS or email.
    pub channel: Channel,
    /// The provider confirmed delivery.
    pub delivered: i64,
    /// Handed to the provider (or kept in the outbox) with no delivery receipt (email has
    /// none).
    pub sent: i64,
    /// Failed or undelivered.
    pub failed: i64,
    /// Queued or being sent.
    pub waiting: i64,
}

store_trait! {
/// The dashboard's figures of an org. Days are UTC day numbers (Unix ms / [`DAY_MS`]);
/// `from_day..=to_day` is inclusive.
pub trait DashboardStore {
    /// The org's ended verifications per day and method, by outcome (days with none are
    /// left out), from the rollup.
    async fn verification_days(
        &self,
        org: OrgId,
        from_day: i64,
        to_day: i64,
    ) -> StoreResult<Vec<MethodDay>>;
    /// The org's ended verifications per technician over the days, most first.
    async fn verification_technicians(
        &self,
        org: OrgId,
        from_day: i64,
        to_day: i64,
    ) -> StoreResult<Vec<TechnicianFigures>>;
    /// The org's ended verifications per customer over the days, most first, at most
    /// `limit` customers.
    async fn verification_customers(
        &self,
        org: OrgId,
        from_day: i64,
        to_day: i64,
        limit: i64,
    ) -> StoreResult<Vec<CustomerFigures>>;
    /// The org's Secure Send links created since `since`, by what became of them.
    async fn secret_figures(&self, org: OrgId, since: Timestamp) -> StoreResult<SecretFigures>;
    /// The org's messages created on days `from_day` and later, per channel (channels with
    /// none left out): the days rolled up (`message_daily`) read from there, the later ones
    /// counted live.
    async fn message_figures(&self, org: OrgId, from_day: i64) -> StoreResult<Vec<ChannelFigures>>;

    /// Every org whose message days may need rolling up. Not org-scoped: the roll-up is
    /// server work, done org by org.
    async fn message_rollup_orgs(&self) -> StoreResult<Vec<OrgId>>;
    /// Rolls up the org's message days from its mark on (and the day before it again, for
    /// receipts that came in late), at most `max_days` of them and none from `before_day` on,
    /// in one transaction, and moves the mark past them. Returns how many days are newly
    /// rolled up (0 when the org is caught up).
    async fn roll_up_message_days(
        &self,
        org: OrgId,
        before_day: i64,
        max_days: i64,
    ) -> StoreResult<i64>;
}
}
