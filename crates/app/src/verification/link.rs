//! The approve link's public side: GET shows who asks (never consumes, security.md §2.2);
//! POST answers with the picked number, or "This wasn't me".

use super::VerificationError;
use crate::App;
use crate::audit::Actor;
use crate::messages::brand_of;
use countersign_crypto::hash_token;
use countersign_domain::Timestamp;
use countersign_messaging::Brand;
use countersign_store::{
    Challenge, ChallengeStore, ContactStore, LinkAnswer, OrgStore, TechnicianStore,
    VerificationStatus,
};

/// What the interstitial shows.
#[derive(Clone, Debug)]
pub struct LinkView {
    pub challenge: Challenge,
    pub brand: Brand,
    pub technician: String,
    /// The status as of now (pending links past their expiry read as expired).
    pub status: VerificationStatus,
    pub expires_at: Timestamp,
}

impl App {
    /// The approve link with this token, if it exists. Reads only.
    ///
    /// # Errors
    /// A store failure.
    pub async fn approve_link(&self, token: &str) -> Result<Option<LinkView>, VerificationError> {
        let Some(challenge) = self.store.challenge_by_link(&hash_token(token)).await? else {
            return Ok(None);
        };
        let org = challenge.verification.org_id;
        let brand = brand_of(self, org).await?;
        let technician = match challenge.verification.technician_id {
            Some(t) => self.store.technician(org, t).await?.name,
            None => self.store.org(org).await?.name,
        };
        let status = challenge.status_at(self.now());
        Ok(Some(LinkView {
            expires_at: challenge.expires_at,
            challenge,
            brand,
            technician,
            status,
        }))
    }

    /// Answers the approve link. Returns the status it ended in, or the status it already
    /// had when it was not pending any more (the loser of a race sees the winner's result).
    ///
    /// # Errors
    /// Unknown token, or a store failure.
    pub async fn answer_approve_link(
        &self,
        token: &str,
        answer: LinkAnswer,
        ip: Option<String>,
    ) -> Result<(VerificationStatus, bool), VerificationError> {
        let Some(challenge) = self.store.challenge_by_link(&hash_token(token)).await? else {
            return Err(VerificationError::NotFound);
        };
        let v = &challenge.verification;
        let now = self.now();
        let Some(status) = self.store.answer_link(v.org_id, v.id, answer, now).await? else {
            let current = self.store.challenge(v.org_id, v.id).await?;
            return Ok((current.status_at(now), false));
        };
        let action = match status {
            VerificationStatus::Verified => "verification.verified",
            VerificationStatus::Denied => "verification.denied",
            _ => "verification.failed",
        };
        let actor = Actor::contact(v.org_id, v.contact_id, ip);
        self.audit(
            &actor,
            Some(v.org_id),
            action,
            &v.id.to_string(),
            serde_json::json!({
                "contact": v.contact_id.to_string(),
                "method": v.method.as_str(),
                "number_matched": status == VerificationStatus::Verified,
            }),
        )
        .await?;
        if status == VerificationStatus::Denied {
            self.alert_denied(&challenge).await?;
        }
        let kind = match status {
            VerificationStatus::Verified => {
                Some(crate::webhooks::WebhookEventKind::VerificationVerified)
            }
            VerificationStatus::Denied => {
                Some(crate::webhooks::WebhookEventKind::VerificationDenied)
            }
            _ => None,
        };
        if let Some(kind) = kind {
            self.emit_verification_event(v.org_id, v.id, kind).await;
        }
        Ok((status, true))
    }

    /// "This wasn't me": tells the technician who asked (their Pod shows it live) and the
    /// org's admins, by email, that someone may be impersonating the contact.
    async fn alert_denied(&self, challenge: &Challenge) -> Result<(), VerificationError> {
        let v = &challenge.verification;
        let org = v.org_id;
        let contact = self.store.contact(org, v.contact_id).await?.display_name;
        let mut to: Vec<String> = self
            .store
            .technicians(org)
            .await?
            .into_iter()
            .filter(|t| {
                t.active
                    && (t.role == countersign_domain::Role::Admin || Some(t.id) == v.technician_id)
            })
            .map(|t| t.email)
            .collect();
        to.sort();
        to.dedup();
        for email in to {
            self.queue_message(
                &Actor::system(),
                crate::messages::MessageRequest {
                    org,
                    channel: countersign_store::Channel::Email,
                    recipient: email.clone(),
                    template: countersign_messaging::TemplateName::DeniedAlert {
                        technician: challenge.technician_name.clone().unwrap_or_default(),
                        contact: contact.clone(),
                        link: format!(
                            "{}/pod/contacts/{}",
                            self.settings.server.public_url.trim_end_matches('/'),
                            v.contact_id
                        ),
                    },
                    idempotency_key: format!("denied:{}:{email}", v.id),
                    lane: countersign_domain::Lane::Verification,
                },
            )
            .await?;
        }
        Ok(())
    }
}
