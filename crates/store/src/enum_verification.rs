//! [`ChallengeStore`] and [`TechnicianCheckStore`] for the [`Store`] enum: each call goes to
//! the backend.

use crate::directory::VerificationStatus;
use crate::verification::{
    Challenge, ClaimedAttempt, InboxEntry, LimitHit, LinkAnswer, NewChallenge, RecipientFailures,
    SendLimits, TechnicianCheck, VerificationSettings,
};
use crate::{ChallengeStore, Store, StoreResult, TechnicianCheckStore, dispatch};
use countersign_domain::{
    ContactId, OrgId, TechnicianCheckId, TechnicianId, Timestamp, VerificationId,
};

impl ChallengeStore for Store {
    async fn verification_settings(&self, org: OrgId) -> StoreResult<VerificationSettings> {
        dispatch!(self, s => s.verification_settings(org).await)
    }
    async fn save_verification_settings(&self, v: &VerificationSettings) -> StoreResult<()> {
        dispatch!(self, s => s.save_verification_settings(v).await)
    }
    async fn start_challenge(
        &self,
        c: &NewChallenge,
        limits: &SendLimits,
    ) -> StoreResult<Result<(), LimitHit>> {
        dispatch!(self, s => s.start_challenge(c, limits).await)
    }
    async fn challenge(&self, org: OrgId, id: VerificationId) -> StoreResult<Challenge> {
        dispatch!(self, s => s.challenge(org, id).await)
    }
    async fn challenge_by_link(&self, token_hash: &[u8]) -> StoreResult<Option<Challenge>> {
        dispatch!(self, s => s.challenge_by_link(token_hash).await)
    }
    async fn claim_attempt(
        &self,
        org: OrgId,
        id: VerificationId,
        now: Timestamp,
        max_attempts: i64,
    ) -> StoreResult<Option<ClaimedAttempt>> {
        dispatch!(self, s => s.claim_attempt(org, id, now, max_attempts).await)
    }
    async fn finish_challenge(
        &self,
        org: OrgId,
        id: VerificationId,
        status: VerificationStatus,
        now: Timestamp,
    ) -> StoreResult<bool> {
        dispatch!(self, s => s.finish_challenge(org, id, status, now).await)
    }
    async fn answer_link(
        &self,
        org: OrgId,
        id: VerificationId,
        answer: LinkAnswer,
        now: Timestamp,
    ) -> StoreResult<Option<VerificationStatus>> {
        dispatch!(self, s => s.answer_link(org, id, answer, now).await)
    }
    async fn expire_challenges(&self, now: Timestamp, limit: i64) -> StoreResult<Vec<Challenge>> {
        dispatch!(self, s => s.expire_challenges(now, limit).await)
    }
    async fn record_recipient_failure(
        &self,
        org: OrgId,
        recipient_key: &[u8],
        at: Timestamp,
    ) -> StoreResult<i64> {
        dispatch!(self, s => s.record_recipient_failure(org, recipient_key, at).await)
    }
    async fn recipient_failures(
        &self,
        org: OrgId,
        recipient_key: &[u8],
    ) -> StoreResult<Option<RecipientFailures>> {
        dispatch!(self, s => s.recipient_failures(org, recipient_key).await)
    }
    async fn clear_recipient_failures(&self, org: OrgId, recipient_key: &[u8]) -> StoreResult<()> {
        dispatch!(self, s => s.clear_recipient_failures(org, recipient_key).await)
    }
}

impl TechnicianCheckStore for Store {
    async fn create_technician_check(&self, c: &TechnicianCheck) -> StoreResult<()> {
        dispatch!(self, s => s.create_technician_check(c).await)
    }
    async fn technician_check_by_token(
        &self,
        token_hash: &[u8],
    ) -> StoreResult<Option<TechnicianCheck>> {
        dispatch!(self, s => s.technician_check_by_token(token_hash).await)
    }
    async fn technician_check(
        &self,
        org: OrgId,
        id: TechnicianCheckId,
    ) -> StoreResult<TechnicianCheck> {
        dispatch!(self, s => s.technician_check(org, id).await)
    }
    async fn choose_technician(
        &self,
        org: OrgId,
        id: TechnicianCheckId,
        technician: TechnicianId,
        now: Timestamp,
    ) -> StoreResult<bool> {
        dispatch!(self, s => s.choose_technician(org, id, technician, now).await)
    }
    async fn confirm_technician_check(
        &self,
        org: OrgId,
        id: TechnicianCheckId,
        technician: TechnicianId,
        code: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        dispatch!(self, s => s.confirm_technician_check(org, id, technician, code, now).await)
    }
    async fn technician_inbox(
        &self,
        org: OrgId,
        technician: TechnicianId,
        now: Timestamp,
    ) -> StoreResult<Vec<InboxEntry>> {
        dispatch!(self, s => s.technician_inbox(org, technician, now).await)
    }
    async fn contacts_by_email(&self, org: OrgId, email: &str) -> StoreResult<Vec<ContactId>> {
        dispatch!(self, s => s.contacts_by_email(org, email).await)
    }
    async fn count_technician_checks(
        &self,
        org: OrgId,
        contact: ContactId,
        since: Timestamp,
    ) -> StoreResult<i64> {
        dispatch!(self, s => s.count_technician_checks(org, contact, since).await)
    }
}
