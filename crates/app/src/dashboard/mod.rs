//! The dashboard (issue 21.1): what an MSP's help-desk manager looks at first. Verifications
//! per day by method and outcome, the success rate and the median time to verify, by
//! technician and by customer; Secure Send links; messages by channel; the health of every
//! sync source. Read for a principal holding `ViewDirectory` (every technician: the figures
//! are the org's own work, and a technician sees the same directory and sync state
//! elsewhere); the per-technician breakdown only for `ManageTechnicians` (admins), since it
//! compares colleagues.
//!
//! Verification figures come from the daily rollup (`verification_daily`, migration 0032):
//! UTC days, counted once a verification ends. Web only formats the view.

mod csv;
mod figures;
mod median;
mod rollup;
mod sync_health;

pub use median::{MedianTime, median_time};
pub use sync_health::{NextRun, SyncHealth};

use crate::Denied;
use crate::microsoft::MicrosoftError;
use countersign_domain::{Timestamp, VerificationMethod};
use countersign_store::{ChannelFigures, DAY_MS, OutcomeCounts, SecretFigures, StoreError};

/// The period the dashboard covers: the last 7, 30 or 90 UTC days, today included.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Period {
    /// A week.
    Days7,
    /// A month (the default).
    #[default]
    Days30,
    /// A quarter.
    Days90,
}

impl Period {
    /// Every period, in the order the picker shows them.
    pub const ALL: [Self; 3] = [Self::Days7, Self::Days30, Self::Days90];

    /// Its number of days.
    #[must_use]
    pub fn days(self) -> i64 {
        match self {
            Self::Days7 => 7,
            Self::Days30 => 30,
            Self::Days90 => 90,
        }
    }

    /// Reads `7`, `30` or `90` (the `days` of the address).
    ///
    /// # Errors
    /// [`DashboardError::Period`] for anything else.
    pub fn parse(s: &str) -> Result<Self, DashboardError> {
        Self::ALL
            .into_iter()
            .find(|p| p.days().to_string() == s.trim())
            .ok_or(DashboardError::Period)
    }
}

/// One UTC day of the period, every method together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DayFigures {
    /// The day as `YYYY-MM-DD` (UTC).
    pub date: String,
    /// Its verifications by outcome.
    pub counts: OutcomeCounts,
}

/// Figures of one row of a breakdown (a method, a technician, a customer).
#[derive(Clone, Debug, PartialEq)]
pub struct RowFigures {
    /// What the row is (a method's label, a technician's or customer's name).
    pub name: String,
    /// Its verifications by outcome.
    pub counts: OutcomeCounts,
    /// Verified of those that asked the contact something, in percent (`None`: none did).
    pub success_rate: Option<f64>,
    /// Median time to verify, from the rollup's buckets (`None`: none verified).
    pub median: Option<MedianTime>,
}

impl RowFigures {
    /// The figures of `counts`, named.
    #[must_use]
    pub fn new(name: String, counts: OutcomeCounts) -> Self {
        Self {
            name,
            success_rate: success_rate(&counts),
            median: median_time(&counts.time_to_verify),
            counts,
        }
    }
}

/// Verified of the verifications that asked the contact something, in percent.
#[must_use]
pub fn success_rate(c: &OutcomeCounts) -> Option<f64> {
    let asked = c.answered_or_not();
    #[allow(clippy::cast_precision_loss)] // counts far below 2^52
    (asked > 0).then(|| c.verified as f64 * 100.0 / asked as f64)
}

/// What the dashboard shows.
#[derive(Clone, Debug)]
pub struct DashboardView {
    /// The period shown.
    pub period: Period,
    /// Its first day, `YYYY-MM-DD` (UTC).
    pub from: String,
    /// Its last day (today), `YYYY-MM-DD` (UTC).
    pub to: String,
    /// Every day of the period, oldest first, days without verifications included.
    pub days: Vec<DayFigures>,
    /// The whole period.
    pub total: RowFigures,
    /// Per method, in [`VerificationMethod::ALL`] order, methods never used left out.
    pub methods: Vec<(VerificationMethod, RowFigures)>,
    /// Per technician, most verifications first; `None` when the principal may not compare
    /// technicians (`ManageTechnicians`).
    pub technicians: Option<Vec<RowFigures>>,
    /// Per customer, most verifications first (at most [`CUSTOMERS_SHOWN`]).
    pub customers: Vec<RowFigures>,
    /// Secure Send links created in the period.
    pub secrets: SecretFigures,
    /// Messages created in the period, per channel.
    pub messages: Vec<ChannelFigures>,
    /// Every sync source of every integration.
    pub sync: Vec<SyncHealth>,
}

/// Most customers the dashboard lists.
pub const CUSTOMERS_SHOWN: i64 = 50;

/// What a dashboard use case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum DashboardError {
    /// The principal may not see the dashboard.
    #[error(transparent)]
    Denied(#[from] Denied),
    /// A period other than 7, 30 or 90 days was asked for.
    #[error("The period must be 7, 30 or 90 days.")]
    Period,
    /// Reading the integrations failed.
    #[error(transparent)]
    Integrations(#[from] MicrosoftError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl crate::UseCaseError for DashboardError {
    fn kind(&self) -> crate::ErrorKind {
        match self {
            Self::Denied(d) => crate::UseCaseError::kind(d),
            Self::Period => crate::ErrorKind::Invalid,
            Self::Integrations(e) => crate::UseCaseError::kind(e),
            Self::Store(e) => crate::UseCaseError::kind(e),
        }
    }
}

/// The UTC day of `t` (the rollup's day number).
#[must_use]
pub fn day_of(t: Timestamp) -> i64 {
    t.0.div_euclid(DAY_MS)
}

/// A UTC day number as `YYYY-MM-DD`.
#[must_use]
pub fn day_date(day: i64) -> String {
    let mut s = Timestamp(day * DAY_MS).rfc3339();
    s.truncate(10);
    s
}
