//! Technician verification. "Who I am": the contact gets, on the channel of record, the
//! technician's name, the MSP and a code the technician reads aloud. End-user checks: on
//! the public page the contact enters their email; a link goes to their channel of record;
//! they pick the technician; the technician confirms in the Pod; both see the same code.

use super::VerificationError;
use super::start::{recipient_key, send_limits};
use crate::audit::Actor;
use crate::messages::MessageRequest;
use crate::{App, Principal};
use countersign_crypto::{ct_eq, hash_token, hmac_sha256, purpose, random_digits, random_token};
use countersign_domain::mask::mask;
use countersign_domain::{ContactId, Permission, TechnicianCheckId, TechnicianId, VerificationId};
use countersign_messaging::{Brand, TemplateName};
use countersign_store::{
    ChallengeStore, Channel, Contact, ContactStore, NewChallenge, Org, OrgStore, StoreError,
    TechnicianCheck, TechnicianCheckStatus, TechnicianCheckStore, TechnicianStore, ThrottleStore,
    Verification, VerificationMethod, VerificationStatus,
};
use std::time::Duration;

/// How long an end-user check link works (it is a link, not a code: 10 minutes is plenty on
/// a call and stays inside the §2.4 out-of-band maximum).
const CHECK_VALIDITY: Duration = Duration::from_secs(600);
/// Public requests per source address per hour.
const CHECKS_PER_IP_HOUR: i64 = 10;
/// Check links per contact per 10 minutes.
const CHECKS_PER_CONTACT: i64 = 3;

/// A "who I am" message sent.
#[derive(Clone, Debug)]
pub struct WhoIAm {
    pub id: VerificationId,
    /// The code the technician reads aloud.
    pub code: String,
    pub destination_masked: String,
}

/// Why a public check could not go on. The texts are shown to end users.
#[derive(Debug, thiserror::Error)]
pub enum TechnicianCheckError {
    /// Too many requests from this address.
    #[error("too many requests from your network; try again in an hour")]
    Throttled,
    /// The link is unknown, used up or expired.
    #[error("this link no longer works; start again on the verification page")]
    Unusable,
    /// The chosen technician is not one of the org's.
    #[error("choose one of the listed technicians")]
    UnknownTechnician,
    /// Something else failed.
    #[error(transparent)]
    Verification(#[from] VerificationError),
}

impl From<StoreError> for TechnicianCheckError {
    fn from(e: StoreError) -> Self {
        Self::Verification(e.into())
    }
}

/// What the end user's check page shows.
#[derive(Clone, Debug)]
pub struct CheckView {
    pub check: TechnicianCheck,
    pub org: Org,
    pub brand: Brand,
    /// Active technicians to pick from (id, name).
    pub technicians: Vec<(TechnicianId, String)>,
    /// The chosen technician's name.
    pub chosen: Option<String>,
    /// Whether the link is past its expiry.
    pub expired: bool,
    /// The code both compare, once confirmed (empty before).
    pub code: String,
}

/// The code both sides of a confirmed check compare. It is never stored: it is derived from
/// the check (its id and link-token hash) with a key outside the database, and the row keeps
/// `<key id>:<HMAC of the code>` so that the derivation can be found again and checked.
fn derive_check_code(key: &[u8], check: &TechnicianCheck) -> String {
    let mac = hmac_sha256(
        key,
        &[b"code", check.id.0.as_bytes().as_slice(), &check.token_hash],
    );
    let n = u32::from_be_bytes([mac[0], mac[1], mac[2], mac[3]]) % 10_000;
    format!("{n:04}")
}

fn stored_code_mac(key: &[u8], check: &TechnicianCheck, code: &str) -> [u8; 32] {
    hmac_sha256(
        key,
        &[b"stored", check.id.0.as_bytes().as_slice(), code.as_bytes()],
    )
}

impl App {
    /// A fresh code for `check` and what the row stores in its place.
    fn new_check_code(&self, check: &TechnicianCheck) -> (String, String) {
        let (key_id, key) = self
            .keyring
            .derive_key_with_id(purpose::TECHNICIAN_CHECK_CODE);
        let code = derive_check_code(key.as_ref(), check);
        let mac = stored_code_mac(key.as_ref(), check, &code);
        (code, format!("{key_id}:{}", hex::encode(mac)))
    }

    /// The code of a confirmed check, derived again and checked against what its row stores.
    fn confirmed_check_code(&self, check: &TechnicianCheck) -> Option<String> {
        let (key_id, mac) = check.code.rsplit_once(':')?;
        let key = self
            .keyring
            .derive_key_from(key_id, purpose::TECHNICIAN_CHECK_CODE)?;
        let code = derive_check_code(key.as_ref(), check);
        let expected = stored_code_mac(key.as_ref(), check, &code);
        ct_eq(&hex::decode(mac).ok()?, &expected).then_some(code)
    }
}

/// The channel of record: the mobile number if there is one, else the email address; none
/// for a contact its source removed.
fn channel_of_record(contact: &Contact) -> Option<(Channel, String)> {
    if contact.removed_at.is_some() {
        return None;
    }
    contact
        .mobile_e164
        .clone()
        .map(|m| (Channel::Sms, m))
        .or_else(|| contact.email.clone().map(|e| (Channel::Email, e)))
}

impl App {
    /// Sends "who I am" to the contact's channel of record and records it in the history
    /// (`VerifyContacts`).
    ///
    /// # Errors
    /// Without the permission, unknown contact, no channel of record, a send limit, or a
    /// store failure.
    pub async fn send_who_i_am(
        &self,
        by: &Principal,
        contact: ContactId,
    ) -> Result<WhoIAm, VerificationError> {
        by.require(Permission::VerifyContacts)?;
        let org = by.org_id();
        let actor = &by.actor();
        let (contact, technician) = tokio::join!(self.store.contact(org, contact), self.sender(by));
        let contact = contact.and_then(crate::contacts::visible)?;
        let technician = technician?;
        if let Some(reason) = crate::contacts::removed_reason(&contact) {
            return Err(VerificationError::Invalid(reason));
        }
        let (channel, destination) = channel_of_record(&contact).ok_or_else(|| {
            VerificationError::Invalid(
                "this contact has no mobile number or email of record".into(),
            )
        })?;
        let now = self.now();
        let settings = self.store.verification_settings(org).await?;
        let id = VerificationId::new();
        let code = random_digits(4);
        let masked = mask(&destination);
        let recipient = recipient_key(self, org, &destination);
        let prepared = self
            .prepare_message_to(
                MessageRequest {
                    org,
                    channel,
                    recipient: destination,
                    template: TemplateName::WhoIAm {
                        technician: technician.name.clone(),
                        code: code.clone(),
                    },
                    idempotency_key: format!("who-i-am:{id}"),
                    lane: countersign_domain::Lane::Verification,
                },
                Some(contact.id),
            )
            .await?;
        let row = NewChallenge {
            verification: Verification {
                id,
                org_id: org,
                contact_id: contact.id,
                technician_id: Some(technician.id),
                method: VerificationMethod::TechnicianVerification,
                channel: channel.as_str().to_owned(),
                destination_masked: masked.clone(),
                status: VerificationStatus::Sent,
                at: now,
            },
            expires_at: now,
            secret_hash: Vec::new(),
            key_id: String::new(),
            match_number: None,
            match_choices: Vec::new(),
            recipient_key: recipient,
            pod_contact_id: None,
            note: String::new(),
            typed_destination: false,
            message: Some((prepared.message.clone(), prepared.job)),
        };
        // Its own limits, of the verification limits' sizes, on its own counts (the store
        // counts each kind apart): a technician stopped by a verification limit can still
        // say who they are, and saying it uses up no verification.
        let limits = send_limits(&settings, now);
        if let Err(hit) = self.store.start_challenge(&row, &limits).await? {
            return Err(self.limited(&row, &limits, hit).await?);
        }
        self.audit_queued(actor, &prepared.message).await?;
        self.audit(
            actor,
            Some(org),
            "technician_verification.sent",
            &id.to_string(),
            serde_json::json!({ "contact": contact.id.to_string(), "destination": masked }),
        )
        .await?;
        Ok(WhoIAm {
            id,
            code,
            destination_masked: masked,
        })
    }

    /// The org of the public "verify a technician" pages at `/t/{slug}`, and its brand. No
    /// principal: anyone may ask.
    ///
    /// # Errors
    /// No such org (`NotFound`), or a store failure.
    pub async fn technician_check_org(
        &self,
        slug: &str,
    ) -> Result<(Org, Brand), TechnicianCheckError> {
        let org = self
            .store
            .org_by_slug(slug)
            .await?
            .ok_or(VerificationError::NotFound)?;
        let brand = crate::messages::brand_of(self, org.id).await?;
        Ok((org, brand))
    }

    /// The public page's request: if `email` is one contact's of the org, sends that contact
    /// a check link on their channel of record. Answers the same whether or not it matched.
    ///
    /// # Errors
    /// Throttled (per source address), or a failure.
    pub async fn request_technician_check(
        &self,
        org: &Org,
        email: &str,
        ip: &str,
    ) -> Result<(), TechnicianCheckError> {
        let now = self.now();
        let key = format!("technician-check:ip:{ip}");
        let hits = self
            .store
            .record_failure(&key, now, now.minus(Duration::from_secs(3600)))
            .await?;
        if hits.failures > CHECKS_PER_IP_HOUR {
            return Err(TechnicianCheckError::Throttled);
        }
        let matches = self.store.contacts_by_email(org.id, email).await?;
        let [contact] = matches.as_slice() else {
            return Ok(());
        };
        let recent = self
            .store
            .count_technician_checks(org.id, *contact, now.minus(Duration::from_secs(600)))
            .await?;
        if recent >= CHECKS_PER_CONTACT {
            // Said nowhere: the page answers the same, so the limit reveals nothing.
            return Ok(());
        }
        let contact = self.store.contact(org.id, *contact).await?;
        let Some((channel, destination)) = channel_of_record(&contact) else {
            return Ok(());
        };
        let (token, hash) = random_token();
        let check = TechnicianCheck {
            id: TechnicianCheckId::new(),
            org_id: org.id,
            contact_id: contact.id,
            token_hash: hash.to_vec(),
            technician_id: None,
            status: TechnicianCheckStatus::Sent,
            code: String::new(),
            created_at: now,
            expires_at: now.plus(CHECK_VALIDITY),
            chosen_at: None,
            confirmed_at: None,
        };
        self.store.create_technician_check(&check).await?;
        let actor = Actor::contact(org.id, contact.id, Some(ip.to_owned()));
        self.queue_message_to(
            &actor,
            MessageRequest {
                org: org.id,
                channel,
                recipient: destination,
                template: TemplateName::TechnicianCheck {
                    link: format!(
                        "{}/t/{}/check/{token}",
                        self.settings.server.public_url.trim_end_matches('/'),
                        org.slug
                    ),
                    minutes: 10,
                },
                idempotency_key: format!("technician-check:{}", check.id),
                lane: countersign_domain::Lane::Verification,
            },
            Some(contact.id),
        )
        .await
        .map_err(VerificationError::from)?;
        self.audit(
            &actor,
            Some(org.id),
            "technician_check.requested",
            &check.id.to_string(),
            serde_json::json!({ "contact": contact.id.to_string() }),
        )
        .await?;
        Ok(())
    }

    /// The check behind a link token, with what its page shows.
    ///
    /// # Errors
    /// Unknown token, or a store failure.
    pub async fn technician_check_view(
        &self,
        token: &str,
    ) -> Result<CheckView, TechnicianCheckError> {
        let check = self
            .store
            .technician_check_by_token(&hash_token(token))
            .await?
            .ok_or(TechnicianCheckError::Unusable)?;
        let org = self.store.org(check.org_id).await?;
        let brand = crate::messages::brand_of(self, org.id).await?;
        let all = self.store.technicians(org.id).await?;
        let chosen = check
            .technician_id
            .and_then(|id| all.iter().find(|t| t.id == id).map(|t| t.name.clone()));
        let mut technicians: Vec<(TechnicianId, String)> = all
            .into_iter()
            .filter(|t| t.active)
            .map(|t| (t.id, t.name))
            .collect();
        technicians.sort_by(|a, b| a.1.cmp(&b.1));
        let expired =
            check.status != TechnicianCheckStatus::Confirmed && self.now() >= check.expires_at;
        let code = if check.status == TechnicianCheckStatus::Confirmed {
            self.confirmed_check_code(&check).unwrap_or_default()
        } else {
            String::new()
        };
        Ok(CheckView {
            code,
            check,
            org,
            brand,
            technicians,
            chosen,
            expired,
        })
    }

    /// The contact picked the technician who contacted them.
    ///
    /// # Errors
    /// Unusable link, a technician not of the org, or a store failure.
    pub async fn choose_technician(
        &self,
        token: &str,
        technician: TechnicianId,
        ip: &str,
    ) -> Result<(), TechnicianCheckError> {
        let view = self.technician_check_view(token).await?;
        let c = &view.check;
        match self
            .store
            .choose_technician(c.org_id, c.id, technician, self.now())
            .await
        {
            Ok(true) => {}
            Ok(false) => return Err(TechnicianCheckError::Unusable),
            Err(StoreError::NotFound) => return Err(TechnicianCheckError::UnknownTechnician),
            Err(e) => return Err(e.into()),
        }
        let actor = Actor::contact(c.org_id, c.contact_id, Some(ip.to_owned()));
        self.audit(
            &actor,
            Some(c.org_id),
            "technician_check.chosen",
            &c.id.to_string(),
            serde_json::json!({ "technician": technician.to_string() }),
        )
        .await?;
        Ok(())
    }

    /// The technician confirms a check waiting in their inbox (`VerifyContacts`). Returns
    /// the code both see.
    ///
    /// # Errors
    /// Without the permission, not theirs, not waiting, expired, or a store failure.
    pub async fn confirm_technician_check(
        &self,
        by: &Principal,
        id: TechnicianCheckId,
    ) -> Result<String, TechnicianCheckError> {
        by.require(Permission::VerifyContacts)
            .map_err(VerificationError::from)?;
        let org = by.org_id();
        // Only a person has an inbox; the command line confirms nothing.
        let technician = by.technician_id().ok_or(TechnicianCheckError::Unusable)?;
        let check = self
            .store
            .technician_check(org, id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => {
                    TechnicianCheckError::Verification(VerificationError::NotFound)
                }
                e => e.into(),
            })?;
        let (code, stored) = self.new_check_code(&check);
        if !self
            .store
            .confirm_technician_check(org, id, technician, &stored, self.now())
            .await?
        {
            return Err(TechnicianCheckError::Unusable);
        }
        self.audit(
            &by.actor(),
            Some(org),
            "technician_check.confirmed",
            &id.to_string(),
            serde_json::json!({}),
        )
        .await?;
        Ok(code)
    }
}

impl crate::UseCaseError for TechnicianCheckError {
    fn kind(&self) -> crate::ErrorKind {
        use crate::ErrorKind as K;
        match self {
            Self::Throttled => K::RateLimited {
                retry_after: Some(std::time::Duration::from_secs(3600)),
            },
            Self::Unusable => K::Gone,
            Self::UnknownTechnician => K::Invalid,
            Self::Verification(e) => crate::UseCaseError::kind(e),
        }
    }
}
