//! Starting a verification: pick the destination of record (or, for admins, a typed one),
//! make the secret, check the send limits and store it in one transaction, then queue the
//! message.

use super::{MAX_RECIPIENT_FAILURES, RECIPIENT_LOCK, VerificationError};
use crate::messages::MessageRequest;
use crate::{App, Principal};
use countersign_crypto::{hash_token, hmac_sha256, purpose, random_digits, random_token};
use countersign_domain::mask::mask;
use countersign_domain::{ContactId, OrgId, Permission, Timestamp, VerificationId};
use countersign_messaging::{TemplateName, parse_e164};
use countersign_store::{
    ChallengeStore, Channel, ContactStore, NewChallenge, SendLimits, StoreError, Technician,
    TechnicianStore, Verification, VerificationMethod, VerificationSettings, VerificationStatus,
};
use std::time::Duration;

/// How the technician verifies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// A six-digit code by SMS, read back on the call.
    SmsCode,
    /// An approve link with number matching, by SMS.
    SmsLink,
    /// An approve link with number matching, by email.
    EmailLink,
}

impl Method {
    /// Parses a form value.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "sms_code" => Some(Self::SmsCode),
            "sms_link" => Some(Self::SmsLink),
            "email_link" => Some(Self::EmailLink),
            _ => None,
        }
    }

    fn stored(self) -> VerificationMethod {
        match self {
            Self::SmsCode => VerificationMethod::SmsCode,
            Self::SmsLink => VerificationMethod::SmsLink,
            Self::EmailLink => VerificationMethod::EmailLink,
        }
    }

    fn channel(self) -> Channel {
        match self {
            Self::SmsCode | Self::SmsLink => Channel::Sms,
            Self::EmailLink => Channel::Email,
        }
    }
}

/// What the technician asked for (in the principal's org).
#[derive(Clone, Debug)]
pub struct StartRequest {
    /// The contact to verify.
    pub contact: ContactId,
    /// The contact whose Pod this was started from.
    pub pod_contact: ContactId,
    pub method: Method,
    /// A destination typed instead of the one of record (admins only; audited).
    pub typed_destination: Option<String>,
    /// Why another contact than the Pod's is verified.
    pub note: String,
}

/// A started verification.
#[derive(Clone, Debug)]
pub struct Started {
    pub id: VerificationId,
    /// Approve links: the number the technician tells the caller.
    pub match_number: Option<i64>,
    pub expires_at: Timestamp,
    pub destination_masked: String,
}

/// HMAC of a normalised destination: send limits and failure counts per recipient without
/// keeping the number itself in those rows.
pub(crate) fn recipient_key(app: &App, org: OrgId, destination: &str) -> Vec<u8> {
    let key = app.keyring.derive_key(purpose::VERIFICATION_CODE);
    hmac_sha256(
        key.as_ref(),
        &[b"recipient", org.0.as_bytes(), destination.as_bytes()],
    )
    .to_vec()
}

/// HMAC of a code, bound to its verification (ASVS 6.6.2: a code checks only against the
/// request it was made for).
pub(crate) fn code_hash(key: &[u8], id: VerificationId, code: &str) -> Vec<u8> {
    hmac_sha256(key, &[b"code", id.0.as_bytes(), code.as_bytes()]).to_vec()
}

/// Number matching (security.md §2.5): three distinct random two-digit numbers (10–99), one
/// of them, picked at random, the right one.
fn match_numbers() -> (i64, Vec<i64>) {
    let mut choices: Vec<i64> = Vec::with_capacity(3);
    while choices.len() < 3 {
        let n: i64 = random_digits(2).parse().unwrap_or(0);
        if n >= 10 && !choices.contains(&n) {
            choices.push(n);
        }
    }
    // A digit below 9, rejection-sampled, picks one of the three without bias.
    let pick = loop {
        let d: usize = random_digits(1).parse().unwrap_or(9);
        if d < 9 {
            break d % 3;
        }
    };
    (choices[pick], choices)
}

/// The windows of the org's send limits as of `now` (security.md §2.4): per recipient per
/// 10 minutes, per technician per hour, per org per day.
pub(crate) fn send_limits(settings: &VerificationSettings, now: Timestamp) -> SendLimits {
    let hour = Duration::from_secs(3600);
    SendLimits {
        recipient_since: now.minus(Duration::from_secs(600)),
        recipient_max: settings.per_recipient_10min,
        technician_since: now.minus(hour),
        technician_max: settings.per_technician_hour,
        org_since: now.minus(24 * hour),
        org_max: settings.per_org_day,
    }
}

pub(crate) fn minutes(n: i64) -> Duration {
    Duration::from_secs(u64::try_from(n.clamp(1, 10)).unwrap_or(5) * 60)
}

impl App {
    /// The technician a principal acts as, whose name messages carry and whose id the
    /// history keeps: a code or a link goes out in a person's name, so the command line and
    /// the server cannot send one.
    pub(crate) async fn sender(&self, by: &Principal) -> Result<Technician, StoreError> {
        match by.technician_id() {
            Some(t) => self.store.technician(by.org_id(), t).await,
            None => Err(StoreError::NotFound),
        }
    }
}

impl App {
    /// The error of a send `hit` stopped, with when the next one is allowed.
    pub(crate) async fn limited(
        &self,
        c: &NewChallenge,
        limits: &SendLimits,
        hit: countersign_store::LimitHit,
    ) -> Result<VerificationError, StoreError> {
        Ok(VerificationError::Limited(super::SendLimited {
            hit,
            who_i_am: c.verification.method == VerificationMethod::TechnicianVerification,
            now: c.verification.at,
            next_at: self.store.next_send_at(c, limits, hit).await?,
        }))
    }

    /// Starts a verification and queues its message (`VerifyContacts`).
    ///
    /// # Errors
    /// Without the permission, unknown contact, no destination of record, a typed
    /// destination by a non-admin, a missing note (another contact than the Pod's, or a
    /// mobile number changed within [`crate::contacts::SIM_SWAP_WINDOW`]), a send limit, or a
    /// store failure. Nothing is sent then.
    pub async fn start_verification(
        &self,
        by: &Principal,
        req: StartRequest,
    ) -> Result<Started, VerificationError> {
        by.require(Permission::VerifyContacts)?;
        let org = by.org_id();
        let actor = &by.actor();
        // Independent reads, each on a read connection of its own: the technician waits for
        // the slowest, not for all.
        let (contact, settings, technician) = tokio::join!(
            self.store.contact(org, req.contact),
            self.store.verification_settings(org),
            self.sender(by)
        );
        let contact = contact.and_then(crate::contacts::visible)?;
        let technician = technician?;
        if let Some(reason) = crate::contacts::removed_reason(&contact) {
            return Err(VerificationError::Invalid(reason));
        }
        let settings = settings?;
        let note = req.note.trim().to_owned();
        if req.contact != req.pod_contact && settings.require_note_for_other && note.is_empty() {
            return Err(VerificationError::Invalid(
                "you are verifying someone other than this Pod's contact: add a note saying why (e.g. manager approval)".into(),
            ));
        }
        if note.chars().count() > 500 {
            return Err(VerificationError::Invalid(
                "the note is too long (500 characters at most)".into(),
            ));
        }
        let channel = req.method.channel();
        let typed = req
            .typed_destination
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let destination = match (typed, channel) {
            (Some(_), _) if !super::may_type_destination(by) => {
                return Err(VerificationError::Invalid(
                    "only admins may send to a number or address that is not of record".into(),
                ));
            }
            (Some(t), Channel::Sms) => {
                parse_e164(t).map_err(|e| VerificationError::Invalid(e.to_string()))?
            }
            (Some(t), Channel::Email) => countersign_domain::Email::parse(t)
                .map_err(|_| {
                    VerificationError::Invalid(
                        "enter a valid email address, e.g. amy@example.com".into(),
                    )
                })?
                .as_str()
                .to_owned(),
            (None, Channel::Sms) => contact.mobile_e164.clone().ok_or_else(|| {
                VerificationError::Invalid(
                    "this contact has no mobile number of record; use email, or add the number on the contact page".into(),
                )
            })?,
            (None, Channel::Email) => contact.email.clone().ok_or_else(|| {
                VerificationError::Invalid("this contact has no email address of record".into())
            })?,
        };
        let now = self.now();
        // A number of record that changed recently may be an attacker's (a SIM swap, a port,
        // a colleague's edit): the technician confirms the person another way first and says
        // how in the note, which the audit log keeps (ASVS 8.2.3).
        let changed_number = channel == Channel::Sms
            && contact.mobile_e164.as_deref() == Some(destination.as_str())
            && crate::contacts::number_changed_recently(&contact, now);
        if changed_number && note.is_empty() {
            return Err(VerificationError::Invalid(format!(
                "this contact's mobile number changed on {}: confirm the person another way first (call back a number you already trust, ask their manager), then add a note saying how; nothing was sent",
                contact.phone_changed_at.unwrap_or(now).display()
            )));
        }
        let recipient = recipient_key(self, org, &destination);
        if let Some(f) = self.store.recipient_failures(org, &recipient).await?
            && f.failures >= MAX_RECIPIENT_FAILURES
            && f.last_failed_at > now.minus(RECIPIENT_LOCK)
        {
            return Err(VerificationError::RecipientLocked);
        }

        let id = VerificationId::new();
        let (secret_hash, key_id, code, token, valid) = match req.method {
            Method::SmsCode => {
                let (key_id, key) = self.keyring.derive_key_with_id(purpose::VERIFICATION_CODE);
                let code = random_digits(6);
                let hash = code_hash(key.as_ref(), id, &code);
                (hash, key_id, Some(code), None, settings.code_minutes)
            }
            Method::SmsLink | Method::EmailLink => {
                let (token, hash) = random_token();
                debug_assert_eq!(hash, hash_token(&token));
                (
                    hash.to_vec(),
                    String::new(),
                    None,
                    Some(token),
                    settings.link_minutes,
                )
            }
        };
        let (match_number, match_choices) = match req.method {
            Method::SmsCode => (None, Vec::new()),
            _ => {
                let (n, c) = match_numbers();
                (Some(n), c)
            }
        };
        let expires_at = now.plus(minutes(valid));
        let masked = mask(&destination);
        let template = match (code, token) {
            (Some(code), _) => TemplateName::VerificationCode {
                technician: technician.name.clone(),
                code,
                minutes: valid,
            },
            (None, Some(token)) => TemplateName::VerificationLink {
                technician: technician.name.clone(),
                link: format!(
                    "{}/v/{token}",
                    self.settings.server.public_url.trim_end_matches('/')
                ),
                minutes: valid,
            },
            (None, None) => unreachable!("every method makes a code or a token"),
        };
        // Rendered now and stored in the transaction that starts the verification.
        let prepared = self
            .prepare_message_to(
                MessageRequest {
                    org,
                    channel,
                    recipient: destination,
                    template,
                    idempotency_key: format!("verification:{id}"),
                    lane: countersign_domain::Lane::Verification,
                },
                Some(contact.id),
            )
            .await?;
        let challenge = NewChallenge {
            verification: Verification {
                id,
                org_id: org,
                contact_id: contact.id,
                technician_id: Some(technician.id),
                method: req.method.stored(),
                channel: channel.as_str().to_owned(),
                destination_masked: masked.clone(),
                status: VerificationStatus::Pending,
                at: now,
            },
            expires_at,
            secret_hash,
            key_id,
            match_number,
            match_choices,
            recipient_key: recipient,
            pod_contact_id: (req.pod_contact != req.contact).then_some(req.pod_contact),
            note: note.clone(),
            typed_destination: typed.is_some(),
            message: Some((prepared.message.clone(), prepared.job)),
        };
        let limits = send_limits(&settings, now);
        if let Err(hit) = self.store.start_challenge(&challenge, &limits).await? {
            self.audit(
                actor,
                Some(org),
                "verification.limited",
                &contact.id.to_string(),
                serde_json::json!({ "limit": format!("{hit:?}").to_lowercase() }),
            )
            .await?;
            return Err(self.limited(&challenge, &limits, hit).await?);
        }
        // The verification is stored: its two audit entries (queued together, so one group
        // commit writes both) and its webhook event are independent of each other.
        let mut requested = serde_json::json!({
            "contact": contact.id.to_string(),
            "pod_contact": req.pod_contact.to_string(),
            "method": req.method.stored().as_str(),
            "destination": masked,
            "typed_destination": typed.is_some(),
            "note": !note.is_empty(),
            "changed_number": changed_number,
            "expires_at": expires_at.0,
        });
        if changed_number {
            // The note is the technician's account of how they confirmed the person: the
            // reason this send was allowed, so the log keeps its words.
            requested["note_text"] = serde_json::Value::String(note.clone());
        }
        let target = id.to_string();
        let (queued, audited, ()) = tokio::join!(
            self.audit_queued(actor, &prepared.message),
            self.audit(
                actor,
                Some(org),
                "verification.requested",
                &target,
                requested
            ),
            self.emit_verification_event(
                org,
                id,
                crate::webhooks::WebhookEventKind::VerificationRequested,
            )
        );
        queued?;
        audited?;
        Ok(Started {
            id,
            match_number,
            expires_at,
            destination_masked: masked,
        })
    }
}
