//! The live state of verifications (codes, approve links, number matching), the org's
//! verification rules, and technician checks started by end users.

use crate::directory::{Verification, VerificationStatus};
use crate::model::{NewJob, NewMessage};
use countersign_domain::{ContactId, OrgId, TechnicianCheckId, TechnicianId, Timestamp};

/// The org's verification rules (Settings ▸ Pod). Numbers follow security.md §2.4–2.5.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerificationSettings {
    /// The org.
    pub org_id: OrgId,
    /// How long an SMS code works (1–10 minutes; NIST and ASVS cap out-of-band codes at 10).
    pub code_minutes: i64,
    /// How long an approve link works (1–10 minutes).
    pub link_minutes: i64,
    /// Sends to one phone number or address per 10 minutes (1–3).
    pub per_recipient_10min: i64,
    /// Verifications one technician may start per hour.
    pub per_technician_hour: i64,
    /// Verifications the whole org may start per day (against SMS pumping and mistakes).
    pub per_org_day: i64,
    /// Whether verifying a contact other than the one the Pod was opened for needs a note.
    pub require_note_for_other: bool,
    /// The longest a Secure Send/Request link of the org may live, in hours: 1, 24 or 168.
    pub secret_max_hours: i64,
    /// When last saved (`None`: the defaults, never saved).
    pub updated_at: Option<Timestamp>,
}

impl VerificationSettings {
    /// Longest code or link validity the settings accept, in minutes.
    pub const MAX_MINUTES: i64 = 10;
    /// Most sends per recipient per 10 minutes the settings accept.
    pub const MAX_PER_RECIPIENT: i64 = 3;

    /// The rules of an org that never saved its own.
    #[must_use]
    pub fn defaults(org_id: OrgId) -> Self {
        Self {
            org_id,
            code_minutes: 5,
            link_minutes: 5,
            per_recipient_10min: 3,
            per_technician_hour: 30,
            per_org_day: 1000,
            require_note_for_other: false,
            secret_max_hours: 168,
            updated_at: None,
        }
    }
}

/// A verification about to start, with its secret (hashed) and its context.
#[derive(Clone, Debug)]
pub struct NewChallenge {
    /// The history row (status `Pending`, `at` = now).
    pub verification: Verification,
    /// When it stops working.
    pub expires_at: Timestamp,
    /// HMAC of the code, or SHA-256 of the link token.
    pub secret_hash: Vec<u8>,
    /// Master key id the code's HMAC key came from ('' for link tokens).
    pub key_id: String,
    /// Approve links: the two digits shown to the technician, and the choices offered.
    pub match_number: Option<i64>,
    /// Approve links: the numbers the end user picks from (the right one among them).
    pub match_choices: Vec<i64>,
    /// HMAC of the normalised destination.
    pub recipient_key: Vec<u8>,
    /// The contact whose Pod started this, when it is another contact.
    pub pod_contact_id: Option<ContactId>,
    /// Why another contact than the Pod's is verified ("manager approval"), if given.
    pub note: String,
    /// An admin typed a destination that is not of record.
    pub typed_destination: bool,
    /// The message carrying the code or link, with its delivery job, stored in the same
    /// transaction: a started verification always has its message, a refused one none (and
    /// one transaction instead of two under the write lock).
    pub message: Option<(NewMessage, NewJob)>,
}

/// Windows and caps checked, in the same transaction, before a verification is stored.
#[derive(Clone, Copy, Debug)]
pub struct SendLimits {
    /// Sends to the recipient since then count…
    pub recipient_since: Timestamp,
    /// …and may not reach this many.
    pub recipient_max: i64,
    /// Verifications by the technician since then count…
    pub technician_since: Timestamp,
    /// …and may not reach this many.
    pub technician_max: i64,
    /// Verifications in the org since then count…
    pub org_since: Timestamp,
    /// …and may not reach this many.
    pub org_max: i64,
}

/// Which send limit stopped a verification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitHit {
    /// Too many sends to this phone number or address.
    Recipient,
    /// Too many verifications by this technician.
    Technician,
    /// Too many verifications in the org today.
    Org,
}

/// A stored verification with its live state.
#[derive(Clone, Debug)]
pub struct Challenge {
    /// The history row.
    pub verification: Verification,
    /// When it stops working.
    pub expires_at: Timestamp,
    /// When it was answered (or expired by the sweep).
    pub completed_at: Option<Timestamp>,
    /// HMAC of the code, or SHA-256 of the link token.
    pub secret_hash: Vec<u8>,
    /// Master key id of the code's HMAC key.
    pub key_id: String,
    /// Checks made so far.
    pub attempts: i64,
    /// Approve links: the two digits shown to the technician.
    pub match_number: Option<i64>,
    /// Approve links: the numbers the end user picks from (the right one among them).
    pub match_choices: Vec<i64>,
    /// HMAC of the normalised destination.
    pub recipient_key: Vec<u8>,
    /// The contact whose Pod started this, when it is another contact.
    pub pod_contact_id: Option<ContactId>,
    /// Why another contact than the Pod's is verified ("manager approval"), if given.
    pub note: String,
    /// An admin typed a destination that is not of record.
    pub typed_destination: bool,
    /// Display name of the technician who started it.
    pub technician_name: Option<String>,
}

impl Challenge {
    /// The status as of `now`: a pending verification past its expiry is expired even before
    /// the sweep marks it.
    #[must_use]
    pub fn status_at(&self, now: Timestamp) -> VerificationStatus {
        match self.verification.status {
            VerificationStatus::Pending if now >= self.expires_at => VerificationStatus::Expired,
            s => s,
        }
    }
}

/// A code check reserved one attempt: the stored secret to compare with.
#[derive(Clone, Debug)]
pub struct ClaimedAttempt {
    /// HMAC of the code, or SHA-256 of the link token.
    pub secret_hash: Vec<u8>,
    /// Master key id of the code's HMAC key.
    pub key_id: String,
    /// Attempts made so far, this one included.
    pub attempts: i64,
    /// HMAC of the normalised destination.
    pub recipient_key: Vec<u8>,
    /// The recipient's consecutive failures as the claim found them (0 when none): a right
    /// code clears them only when there are some.
    pub recipient_failures: i64,
    /// Whether the org had an enabled webhook endpoint when the claim was made: without one
    /// no verification event can be queued, and the read of its endpoints is spared.
    pub org_has_webhooks: bool,
}

/// How an end user answered an approve link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkAnswer {
    /// "Approve" with this number picked.
    Approve(i64),
    /// "This wasn't me".
    Deny,
}

/// Consecutive wrong codes for one recipient.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecipientFailures {
    /// Consecutive wrong codes.
    pub failures: i64,
    /// The latest one.
    pub last_failed_at: Timestamp,
}

/// Where a technician check stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TechnicianCheckStatus {
    /// The link went to the contact.
    Sent,
    /// The contact picked a technician; it waits in their Pod inbox.
    Chosen,
    /// The technician confirmed; both see the code.
    Confirmed,
    /// Not finished in time.
    Expired,
}

impl TechnicianCheckStatus {
    /// The stored text.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Chosen => "chosen",
            Self::Confirmed => "confirmed",
            Self::Expired => "expired",
        }
    }

    /// Parses the stored text.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Sent, Self::Chosen, Self::Confirmed, Self::Expired]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// A technician check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TechnicianCheck {
    /// Primary key.
    pub id: TechnicianCheckId,
    /// The org.
    pub org_id: OrgId,
    /// The contact who asked (same org).
    pub contact_id: ContactId,
    /// SHA-256 of the link token sent to the contact.
    pub token_hash: Vec<u8>,
    /// The technician the contact picked.
    pub technician_id: Option<TechnicianId>,
    /// Where it stands.
    pub status: TechnicianCheckStatus,
    /// Once confirmed, what stands for the code both compare: `<key id>:<HMAC>` (the app
    /// derives the code again; it is never stored in clear). Empty before.
    pub code: String,
    /// When the link was sent.
    pub created_at: Timestamp,
    /// When it stops working.
    pub expires_at: Timestamp,
    /// When the contact picked the technician.
    pub chosen_at: Option<Timestamp>,
    /// When the technician confirmed.
    pub confirmed_at: Option<Timestamp>,
}

/// A check waiting in a technician's Pod inbox, with who asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboxEntry {
    /// The check.
    pub check: TechnicianCheck,
    /// Display name of the contact.
    pub contact_name: String,
    /// Name of the contact's customer.
    pub customer_name: String,
}
