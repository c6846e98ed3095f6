//! The Store contract for live verifications and technician checks (types in
//! [`crate::verification`]). Kept beside `traits.rs` so the aggregate reads as one file.

use crate::StoreResult;
use crate::directory::VerificationStatus;
use crate::verification::{
    Challenge, ClaimedAttempt, InboxEntry, LimitHit, LinkAnswer, NewChallenge, RecipientFailures,
    SendLimits, TechnicianCheck, VerificationSettings,
};
use countersign_domain::{
    ContactId, OrgId, TechnicianCheckId, TechnicianId, Timestamp, VerificationId,
};

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

/// Technician checks started by end users on the public page.
pub trait TechnicianCheckStore {
    /// Stores a new check. `NotFound` when the contact is not the org's.
    async fn create_technician_check(&self, c: &TechnicianCheck) -> StoreResult<()>;
    /// The check whose link token hashes to `token_hash`. Not org-scoped: the link's holder
    /// does not say which org it is; the token is the proof.
    async fn technician_check_by_token(
        &self,
        token_hash: &[u8],
    ) -> StoreResult<Option<TechnicianCheck>>;
    /// The org's check with this id, or `NotFound`.
    async fn technician_check(
        &self,
        org: OrgId,
        id: TechnicianCheckId,
    ) -> StoreResult<TechnicianCheck>;
    /// The contact picked `technician` (one conditional `UPDATE` from `sent`, unexpired).
    /// False when the check was not waiting for a choice. `NotFound` when the technician is
    /// not an active technician of the org.
    async fn choose_technician(
        &self,
        org: OrgId,
        id: TechnicianCheckId,
        technician: TechnicianId,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// The technician confirms a check that waits for them, storing the code both will see.
    /// False when it was not theirs, not waiting, or expired.
    async fn confirm_technician_check(
        &self,
        org: OrgId,
        id: TechnicianCheckId,
        technician: TechnicianId,
        code: &str,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Checks waiting for this technician (chosen, unexpired at `now`), oldest first.
    async fn technician_inbox(
        &self,
        org: OrgId,
        technician: TechnicianId,
        now: Timestamp,
    ) -> StoreResult<Vec<InboxEntry>>;
    /// Contacts of the org (not removed) whose email address is `email` (ignoring case), at
    /// most two: the public page acts only on an unambiguous match.
    async fn contacts_by_email(&self, org: OrgId, email: &str) -> StoreResult<Vec<ContactId>>;
    /// Technician checks of a contact started since `since` (the per-contact rate limit).
    async fn count_technician_checks(
        &self,
        org: OrgId,
        contact: ContactId,
        since: Timestamp,
    ) -> StoreResult<i64>;
}
