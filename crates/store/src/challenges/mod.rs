//! The live state of verifications (codes, approve links, number matching) and the org's
//! verification rules.

pub(crate) mod sql;
pub(crate) mod start;

use crate::forwarding::store_trait;
use crate::{NewJob, NewMessage, StoreResult, Verification, VerificationStatus};
use countersign_domain::{ContactId, OrgId, Timestamp, VerificationId};

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

store_trait! {
/// Verifications in progress: start (with send limits), check a code, answer a link, expire.
pub trait ChallengeStore {
    /// The org's verification rules (the defaults when it never saved any).
    async fn verification_settings(&self, org: OrgId) -> StoreResult<VerificationSettings>;
    /// Creates or replaces the org's verification rules.
    async fn save_verification_settings(&self, s: &VerificationSettings) -> StoreResult<()>;

    /// In one write transaction: counts the org's recent verifications to the recipient, by
    /// the technician and in the whole org against `limits`; if one is reached returns it and
    /// stores nothing. Otherwise expires the contact's other pending verifications (one
    /// outstanding request per contact, security.md §2.5) and stores `c`. `NotFound` when the
    /// contact or technician is not the org's.
    async fn start_challenge(
        &self,
        c: &NewChallenge,
        limits: &SendLimits,
    ) -> StoreResult<Result<(), LimitHit>>;

    /// When a send like `c` that `hit` stopped may go: the moment enough of the sends that
    /// `limits` count (of `c`'s kind) have left their window for the count to fall below the
    /// limit again. `None` when it would pass already (the counts moved since).
    async fn next_send_at(
        &self,
        c: &NewChallenge,
        limits: &SendLimits,
        hit: LimitHit,
    ) -> StoreResult<Option<Timestamp>>;

    /// The verification of the org with this id (any status), or `NotFound`.
    async fn challenge(&self, org: OrgId, id: VerificationId) -> StoreResult<Challenge>;

    /// The approve-link verification whose token hashes to `token_hash`, if any. Not
    /// org-scoped: the link's holder does not say which org it is; the token is the proof.
    async fn challenge_by_link(&self, token_hash: &[u8]) -> StoreResult<Option<Challenge>>;

    /// Reserves one code check: one conditional `UPDATE` adds an attempt if the verification
    /// is pending, unexpired at `now` and has fewer than `max_attempts`. `None` when no check
    /// may be made, so racing guesses can never exceed `max_attempts` comparisons.
    async fn claim_attempt(
        &self,
        org: OrgId,
        id: VerificationId,
        now: Timestamp,
        max_attempts: i64,
    ) -> StoreResult<Option<ClaimedAttempt>>;

    /// Ends a pending, unexpired verification with `status` (one conditional `UPDATE`).
    /// False when it was no longer pending (another request won) or had expired.
    async fn finish_challenge(
        &self,
        org: OrgId,
        id: VerificationId,
        status: VerificationStatus,
        now: Timestamp,
    ) -> StoreResult<bool>;

    /// Answers a pending, unexpired approve link in one conditional `UPDATE`: `Approve(n)`
    /// verifies it when `n` is its number and fails it otherwise; `Deny` marks it denied.
    /// Returns the status it ended in, or `None` when it was not pending any more.
    async fn answer_link(
        &self,
        org: OrgId,
        id: VerificationId,
        answer: LinkAnswer,
        now: Timestamp,
    ) -> StoreResult<Option<VerificationStatus>>;

    /// Marks pending verifications whose expiry passed as expired (every org: the sweep is
    /// server work), and purges send counts older than any limit window. Returns the expired
    /// verifications, at most `limit`.
    async fn expire_challenges(&self, now: Timestamp, limit: i64) -> StoreResult<Vec<Challenge>>;

    /// Adds a wrong code to the recipient's consecutive failures; returns the new count.
    async fn record_recipient_failure(
        &self,
        org: OrgId,
        recipient_key: &[u8],
        at: Timestamp,
    ) -> StoreResult<i64>;
    /// The recipient's consecutive failures, if any.
    async fn recipient_failures(
        &self,
        org: OrgId,
        recipient_key: &[u8],
    ) -> StoreResult<Option<RecipientFailures>>;
    /// Forgets the recipient's failures (after a correct code).
    async fn clear_recipient_failures(&self, org: OrgId, recipient_key: &[u8]) -> StoreResult<()>;
}
}
