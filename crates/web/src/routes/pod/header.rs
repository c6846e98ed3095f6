//! The Pod header's sentence about the contact: verified now (green), or not and why. The
//! rule that decides which is `countersign_app::contacts::latest_outcome` (the latest way a
//! check of the contact ended wins, docs/architecture.md "The Pod's verified state"); this
//! file only words it.

use crate::routes::contacts::ago;
use countersign_app::contacts::Outcome;
use countersign_domain::Timestamp;
use countersign_store::{VerificationEntry, VerificationMethod, VerificationStatus};

/// " by Tess" when the check has a technician.
fn by(e: &VerificationEntry) -> String {
    e.technician_name
        .as_deref()
        .map(|n| format!(" by {n}"))
        .unwrap_or_default()
}

/// "verified 3 min ago by Tess, SMS code": a success ending at `at`.
#[must_use]
pub fn verified_text(e: &VerificationEntry, at: Timestamp, now: Timestamp) -> String {
    format!(
        "verified {}{}, {}",
        ago(now, at),
        by(e),
        e.verification.method.label()
    )
}

/// Why the contact is not verified although a check ended after any success: "Not verified:
/// last check denied by the contact at 14:02 UTC (2 min ago; SMS approve link by Tess)."
/// `removed`: the contact's source removed it, which fails its pending checks (the Pod says
/// so above), so a failure is not blamed on a wrong answer.
#[must_use]
pub fn refuted_text(o: &Outcome, now: Timestamp, removed: bool) -> String {
    let method = o.entry.verification.method;
    let what = match (o.status, method) {
        (VerificationStatus::Denied, _) => "denied by the contact",
        (VerificationStatus::Expired, _) => "expired unanswered",
        _ if removed => "failed",
        (_, VerificationMethod::SmsCode | VerificationMethod::EmailCode) => {
            "failed (wrong code too many times)"
        }
        _ => "failed (a wrong number was picked on the approve page)",
    };
    format!(
        "Not verified: last check {what} at {} ({}; {}{}).",
        o.at.display_near(now),
        ago(now, o.at),
        method.label(),
        by(&o.entry)
    )
}
