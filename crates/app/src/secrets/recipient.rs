//! Recipient verification of a send: before the server releases its key share, the recipient
//! types a code sent by SMS to the contact's phone of record. It is an ordinary SMS-code
//! verification of the contact (hashed code, five attempts, the org's send limits), so it
//! shows in the contact's history too.

use super::SecretError;
use crate::App;
use crate::audit::Actor;
use crate::messages::MessageRequest;
use crate::verification::CodeOutcome;
use crate::verification::start::{code_hash, minutes, recipient_key, send_limits};
use crate::verification::{MAX_RECIPIENT_FAILURES, RECIPIENT_LOCK, VerificationError};
use countersign_crypto::{hash_token, purpose, random_digits};
use countersign_domain::VerificationId;
use countersign_domain::mask::mask;
use countersign_messaging::TemplateName;
use countersign_store::{
    ChallengeStore, Channel, ContactStore, NewChallenge, Secret, SecretKind, SecretState,
    SecretStore, TechnicianStore, Verification, VerificationMethod, VerificationSettings,
    VerificationStatus,
};

/// A code on its way.
#[derive(Clone, Debug)]
pub struct CodeSent {
    pub verification: VerificationId,
    pub phone_masked: String,
}

fn actor(secret: &Secret, ip: &str) -> Actor {
    Actor {
        org_id: Some(secret.org_id),
        technician_id: None,
        label: "recipient".into(),
        ip: Some(ip.to_owned()),
    }
}

impl App {
    /// A live send that needs verification and has not had it, by token.
    async fn unverified_send(&self, token: &str) -> Result<Secret, SecretError> {
        let Some(secret) = self.store.secret_by_token(&hash_token(token)).await? else {
            return Err(SecretError::NotFound);
        };
        if secret.kind != SecretKind::Send || !secret.require_verification {
            return Err(SecretError::NotFound);
        }
        let state = secret.state_at(self.now());
        if state != SecretState::Active {
            return Err(SecretError::Ended(state));
        }
        Ok(secret)
    }

    /// Sends the code to the phone of record of the send's contact.
    ///
    /// # Errors
    /// `NotFound`, `Ended`, a send limit, a locked phone, or a store failure.
    pub async fn send_secret_code(&self, token: &str, ip: &str) -> Result<CodeSent, SecretError> {
        let secret = self.unverified_send(token).await?;
        let org = secret.org_id;
        let contact_id = secret.contact_id.ok_or(SecretError::NotFound)?;
        let contact = self.store.contact(org, contact_id).await?;
        if let Some(reason) = crate::contacts::removed_reason(&contact) {
            return Err(SecretError::Invalid(reason));
        }
        let phone = contact.mobile_e164.clone().ok_or_else(|| {
            SecretError::Invalid(
                "there is no mobile number of record to send a code to; ask the sender for a new link"
                    .into(),
            )
        })?;
        let settings: VerificationSettings = self.store.verification_settings(org).await?;
        let recipient = recipient_key(self, org, &phone);
        let now = self.now();
        if let Some(f) = self.store.recipient_failures(org, &recipient).await?
            && f.failures >= MAX_RECIPIENT_FAILURES
            && f.last_failed_at > now.minus(RECIPIENT_LOCK)
        {
            return Err(SecretError::RecipientLocked);
        }
        let technician = self.store.technician(org, secret.technician_id).await?;
        let id = VerificationId::new();
        let (key_id, key) = self.keyring.derive_key_with_id(purpose::VERIFICATION_CODE);
        let code = random_digits(6);
        let prepared = self
            .prepare_message_to(
                MessageRequest {
                    org,
                    channel: Channel::Sms,
                    recipient: phone.clone(),
                    template: TemplateName::SecretCode {
                        technician: technician.name.clone(),
                        code: code.clone(),
                        minutes: settings.code_minutes,
                    },
                    idempotency_key: format!("verification:{id}"),
                    lane: countersign_domain::Lane::Verification,
                },
                Some(contact_id),
            )
            .await?;
        let masked = mask(&phone);
        let challenge = NewChallenge {
            verification: Verification {
                id,
                org_id: org,
                contact_id,
                technician_id: Some(technician.id),
                method: VerificationMethod::SmsCode,
                channel: Channel::Sms.as_str().to_owned(),
                destination_masked: masked.clone(),
                status: VerificationStatus::Pending,
                at: now,
            },
            expires_at: now.plus(minutes(settings.code_minutes)),
            secret_hash: code_hash(key.as_ref(), id, &code),
            key_id,
            match_number: None,
            match_choices: Vec::new(),
            recipient_key: recipient,
            pod_contact_id: None,
            note: "secure send: recipient verification".into(),
            typed_destination: false,
            message: Some((prepared.message.clone(), prepared.job)),
        };
        let actor = actor(&secret, ip);
        if let Err(hit) = self
            .store
            .start_challenge(&challenge, &send_limits(&settings, now))
            .await?
        {
            return Err(SecretError::Limited(hit));
        }
        self.audit_queued(&actor, &prepared.message).await?;
        self.audit(
            &actor,
            Some(org),
            "secret.code_sent",
            &secret.id.to_string(),
            serde_json::json!({ "verification": id.to_string(), "destination": masked }),
        )
        .await?;
        Ok(CodeSent {
            verification: id,
            phone_masked: masked,
        })
    }

    /// Checks the code the recipient typed; when right, the send's share may be released.
    ///
    /// # Errors
    /// `NotFound` (also a verification that is not this send's), `Ended`, a malformed code,
    /// or a store failure.
    pub async fn check_secret_code(
        &self,
        token: &str,
        verification: VerificationId,
        code: &str,
        ip: &str,
    ) -> Result<CodeOutcome, SecretError> {
        let secret = self.unverified_send(token).await?;
        let org = secret.org_id;
        let c = self.store.challenge(org, verification).await?;
        if Some(c.verification.contact_id) != secret.contact_id
            || c.verification.at < secret.created_at
            || c.verification.method != VerificationMethod::SmsCode
        {
            return Err(SecretError::NotFound);
        }
        let outcome = self
            .check_code_as(&actor(&secret, ip), org, verification, code)
            .await
            .map_err(|e| match e {
                VerificationError::NotFound => SecretError::NotFound,
                VerificationError::Store(e) => SecretError::Store(e),
                e => SecretError::Invalid(e.to_string()),
            })?;
        if outcome == CodeOutcome::Verified {
            self.store
                .set_secret_verified(org, secret.id, verification, self.now())
                .await?;
        }
        Ok(outcome)
    }
}
