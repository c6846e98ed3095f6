//! [`SecretStore`] for the [`Store`] enum: each call goes to the backend.

use crate::secret::{ClaimedSecret, NewSecret, Secret, SecretKind};
use crate::{SecretStore, Store, StoreResult, dispatch};
use countersign_domain::{ContactId, OrgId, SecretId, TechnicianId, Timestamp, VerificationId};

impl SecretStore for Store {
    async fn create_secret(&self, s: &NewSecret) -> StoreResult<()> {
        dispatch!(self, b => b.create_secret(s).await)
    }
    async fn secret(&self, org: OrgId, id: SecretId) -> StoreResult<Secret> {
        dispatch!(self, b => b.secret(org, id).await)
    }
    async fn secret_by_token(&self, token_hash: &[u8]) -> StoreResult<Option<Secret>> {
        dispatch!(self, b => b.secret_by_token(token_hash).await)
    }
    async fn contact_secrets(
        &self,
        org: OrgId,
        contact: ContactId,
        limit: i64,
    ) -> StoreResult<Vec<Secret>> {
        dispatch!(self, b => b.contact_secrets(org, contact, limit).await)
    }
    async fn mark_secret_opened(
        &self,
        org: OrgId,
        id: SecretId,
        now: Timestamp,
    ) -> StoreResult<()> {
        dispatch!(self, b => b.mark_secret_opened(org, id, now).await)
    }
    async fn set_secret_verified(
        &self,
        org: OrgId,
        id: SecretId,
        v: VerificationId,
        now: Timestamp,
    ) -> StoreResult<bool> {
        dispatch!(self, b => b.set_secret_verified(org, id, v, now).await)
    }
    async fn claim_secret(
        &self,
        org: OrgId,
        id: SecretId,
        kind: SecretKind,
        now: Timestamp,
        ip: &str,
    ) -> StoreResult<Option<ClaimedSecret>> {
        dispatch!(self, b => b.claim_secret(org, id, kind, now, ip).await)
    }
    async fn submit_secret_request(
        &self,
        org: OrgId,
        id: SecretId,
        envelope: &[u8],
        now: Timestamp,
    ) -> StoreResult<bool> {
        dispatch!(self, b => b.submit_secret_request(org, id, envelope, now).await)
    }
    async fn burn_secret(
        &self,
        org: OrgId,
        id: SecretId,
        owner: Option<TechnicianId>,
        now: Timestamp,
    ) -> StoreResult<bool> {
        dispatch!(self, b => b.burn_secret(org, id, owner, now).await)
    }
    async fn set_secret_notify(
        &self,
        org: OrgId,
        id: SecretId,
        owner: TechnicianId,
        notify: bool,
    ) -> StoreResult<()> {
        dispatch!(self, b => b.set_secret_notify(org, id, owner, notify).await)
    }
    async fn expire_secrets(&self, now: Timestamp, limit: i64) -> StoreResult<Vec<Secret>> {
        dispatch!(self, b => b.expire_secrets(now, limit).await)
    }
}
