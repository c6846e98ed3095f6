//! Checking the code the caller reads out. An attempt is reserved before the comparison
//! (one conditional `UPDATE`), so even racing guesses get at most five comparisons.

use super::start::code_hash;
use super::{MAX_CODE_ATTEMPTS, VerificationError};
use crate::audit::Actor;
use crate::{App, Principal};
use countersign_crypto::{ct_eq, purpose};
use countersign_domain::{OrgId, Permission, VerificationId};
use countersign_store::{ChallengeStore, VerificationStatus};

/// What a code check found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeOutcome {
    /// Right: the contact is verified.
    Verified,
    /// Wrong; this many attempts are left.
    Wrong { left: i64 },
    /// Wrong for the fifth time: the verification is dead; send a new code.
    Dead,
    /// Too late, already used, or not a code verification.
    Unusable(VerificationStatus),
}

impl App {
    /// Checks the `code` the caller reads out against verification `id` (`VerifyContacts`).
    ///
    /// # Errors
    /// Without the permission, unknown verification (another org's too), a malformed code,
    /// or a store failure.
    pub async fn check_code(
        &self,
        by: &Principal,
        id: VerificationId,
        code: &str,
    ) -> Result<CodeOutcome, VerificationError> {
        by.require(Permission::VerifyContacts)?;
        self.check_code_as(&by.actor(), by.org_id(), id, code).await
    }

    /// Checks `code` against verification `id` of `org`, for `actor`: a technician, or the
    /// recipient of a Secure Send (whose link is the authority, see `secrets::recipient`).
    pub(crate) async fn check_code_as(
        &self,
        actor: &Actor,
        org: OrgId,
        id: VerificationId,
        code: &str,
    ) -> Result<CodeOutcome, VerificationError> {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            // Proves the id is the org's before saying anything about the code.
            self.store.challenge(org, id).await?;
            return Err(VerificationError::Invalid(
                "enter the 6 digits the caller reads out".into(),
            ));
        }
        let now = self.now();
        let Some(claimed) = self
            .store
            .claim_attempt(org, id, now, MAX_CODE_ATTEMPTS)
            .await?
        else {
            let c = self.store.challenge(org, id).await?;
            return Ok(CodeOutcome::Unusable(c.status_at(now)));
        };
        let key = self
            .keyring
            .derive_key_from(&claimed.key_id, purpose::VERIFICATION_CODE);
        let right =
            key.is_some_and(|k| ct_eq(&code_hash(k.as_ref(), id, &code), &claimed.secret_hash));
        let target = id.to_string();
        if right
            && self
                .store
                .finish_challenge(org, id, VerificationStatus::Verified, now)
                .await?
        {
            // Most recipients have no failures (the claim said how many): a DELETE that
            // would change nothing is spared the single write connection.
            if claimed.recipient_failures > 0 {
                self.store
                    .clear_recipient_failures(org, &claimed.recipient_key)
                    .await?;
            }
            // Committed: the audit entry and the webhook event are independent. The claim said
            // whether the org has any endpoint; most have none, and then nothing is read.
            let emit = async {
                if claimed.org_has_webhooks {
                    self.emit_verification_event(
                        org,
                        id,
                        crate::webhooks::WebhookEventKind::VerificationVerified,
                    )
                    .await;
                }
            };
            let (audited, ()) = tokio::join!(
                self.audit(
                    actor,
                    Some(org),
                    "verification.verified",
                    &target,
                    serde_json::json!({ "attempts": claimed.attempts }),
                ),
                emit
            );
            audited?;
            return Ok(CodeOutcome::Verified);
        }
        if right {
            // Matched, but another request finished it first (or it just expired).
            let c = self.store.challenge(org, id).await?;
            return Ok(CodeOutcome::Unusable(c.status_at(now)));
        }
        self.store
            .record_recipient_failure(org, &claimed.recipient_key, now)
            .await?;
        let left = MAX_CODE_ATTEMPTS - claimed.attempts;
        if left <= 0 {
            self.store
                .finish_challenge(org, id, VerificationStatus::Failed, now)
                .await?;
            self.audit(
                actor,
                Some(org),
                "verification.failed",
                &target,
                serde_json::json!({ "attempts": claimed.attempts }),
            )
            .await?;
            return Ok(CodeOutcome::Dead);
        }
        self.audit(
            actor,
            Some(org),
            "verification.wrong_code",
            &target,
            serde_json::json!({ "attempts": claimed.attempts }),
        )
        .await?;
        Ok(CodeOutcome::Wrong { left })
    }
}
