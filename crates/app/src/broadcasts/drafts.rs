//! Writing a broadcast: creating and changing a draft. Every technician may draft
//! (`DraftBroadcasts`); a draft changes only while it is a draft, and only by its author or
//! by a technician who may send broadcasts (an admin tidying a colleague's text), so what an
//! approver approves is what its author wrote or what someone accountable changed.

use super::BroadcastError;
use crate::{App, Principal};
use countersign_domain::text::Limit;
use countersign_domain::{BroadcastChannels, BroadcastId, BroadcastStatus, CustomerId, Permission};
use countersign_messaging::broadcast::check_merge_fields;
use countersign_store::{
    Audience, Broadcast, BroadcastDraft, BroadcastStore, CustomerStore, StoreError,
};
use serde_json::json;

const NAME: Limit = Limit::new("broadcast name", 100);
/// Twilio's limit for one message body: 1,600 characters (10 GSM-7 segments and more).
const SMS_TEXT: Limit = Limit::new("SMS text", 1600);
const EMAIL_SUBJECT: Limit = Limit::new("email subject", 200);
const EMAIL_BODY: Limit = Limit::new("email body", 20_000);
const CONTAINS: Limit = Limit::new("filter text", 128);
/// Most customers an audience names one by one (a longer list is "all customers" or a filter).
pub const MAX_CHOSEN_CUSTOMERS: usize = 1000;

/// What a technician writes: the texts, the channels, the audience and when it should go
/// (the store's draft, checked here before it is stored).
pub use countersign_store::BroadcastDraft as BroadcastInput;

impl App {
    /// Creates a draft written by the principal.
    ///
    /// # Errors
    /// Without `DraftBroadcasts`; an invalid input (which field, why; an unknown merge field
    /// is named); a customer of the audience not in the org; a store failure.
    pub async fn create_broadcast_draft(
        &self,
        by: &Principal,
        input: &BroadcastInput,
    ) -> Result<Broadcast, BroadcastError> {
        by.require(Permission::DraftBroadcasts)?;
        let author = by.technician_id().ok_or(BroadcastError::NeedsTechnician)?;
        let draft = self.checked_draft(by, input).await?;
        let now = self.now();
        let b = Broadcast {
            id: BroadcastId::new(),
            org_id: by.org_id(),
            name: draft.name,
            channels: draft.channels,
            sms_text: draft.sms_text,
            email_subject: draft.email_subject,
            email_body: draft.email_body,
            audience: draft.audience,
            status: BroadcastStatus::Draft,
            author_id: author,
            requested_by: None,
            approver_id: None,
            frozen: None,
            scheduled_at: draft.scheduled_at,
            respect_quiet_hours: draft.respect_quiet_hours,
            requested_at: None,
            approved_at: None,
            started_at: None,
            completed_at: None,
            cancelled_at: None,
            created_at: now,
            updated_at: now,
        };
        self.store.create_broadcast(&b).await?;
        self.audit(
            &by.actor(),
            None,
            "broadcast.created",
            &b.id.to_string(),
            json!({ "channels": b.channels.as_str(), "audience": audience_kind(&b.audience) }),
        )
        .await?;
        Ok(b)
    }

    /// Replaces a draft's texts, channels, audience and schedule.
    ///
    /// # Errors
    /// Without `DraftBroadcasts`; not found in the org; not a draft any more; another
    /// technician's draft without `SendBroadcasts`; an invalid input; a store failure.
    pub async fn edit_broadcast_draft(
        &self,
        by: &Principal,
        id: BroadcastId,
        input: &BroadcastInput,
    ) -> Result<Broadcast, BroadcastError> {
        by.require(Permission::DraftBroadcasts)?;
        let org = by.org_id();
        let before = self.store.broadcast(org, id).await?;
        if !before.status.is_editable() {
            return Err(BroadcastError::WrongState(before.status));
        }
        if by.technician_id() != Some(before.author_id) && !by.may(Permission::SendBroadcasts) {
            return Err(BroadcastError::NotAuthor);
        }
        let draft = self.checked_draft(by, input).await?;
        if !self
            .store
            .update_broadcast_draft(org, id, &draft, self.now())
            .await?
        {
            // Submitted between the read and the write.
            let now = self.store.broadcast(org, id).await?;
            return Err(BroadcastError::WrongState(now.status));
        }
        Ok(self.store.broadcast(org, id).await?)
    }

    /// `input` checked and trimmed, as a draft to store.
    async fn checked_draft(
        &self,
        by: &Principal,
        input: &BroadcastInput,
    ) -> Result<BroadcastDraft, BroadcastError> {
        let (name, sms_text, email_subject, email_body) = checked_texts(
            &input.name,
            input.channels,
            &input.sms_text,
            &input.email_subject,
            &input.email_body,
        )?;
        if let Some(at) = input.scheduled_at
            && at <= self.now()
        {
            return Err(BroadcastError::invalid(
                "scheduled_at",
                "the scheduled time has passed: choose a later one, or none to send on approval",
            ));
        }
        self.check_audience(by, &input.audience).await?;
        Ok(BroadcastDraft {
            name,
            channels: input.channels,
            sms_text,
            email_subject,
            email_body,
            audience: input.audience.clone(),
            scheduled_at: input.scheduled_at,
            respect_quiet_hours: input.respect_quiet_hours,
        })
    }

    /// The audience names only customers of the org, and not too many of them.
    pub(super) async fn check_audience(
        &self,
        by: &Principal,
        audience: &Audience,
    ) -> Result<(), BroadcastError> {
        let customers: Vec<CustomerId> = match audience {
            Audience::AllCustomers => Vec::new(),
            Audience::Customers(ids) if ids.is_empty() => {
                return Err(BroadcastError::invalid(
                    "audience",
                    "choose at least one customer",
                ));
            }
            Audience::Customers(ids) if ids.len() > MAX_CHOSEN_CUSTOMERS => {
                return Err(BroadcastError::invalid(
                    "audience",
                    format!(
                        "choose at most {MAX_CHOSEN_CUSTOMERS} customers, or send to all customers"
                    ),
                ));
            }
            Audience::Customers(ids) => ids.clone(),
            Audience::Filter(f) => {
                for (field, t) in [
                    ("job_title_contains", &f.job_title_contains),
                    ("department_contains", &f.department_contains),
                ] {
                    if let Some(t) = t {
                        CONTAINS
                            .check(t)
                            .map_err(|e| BroadcastError::text(field, e))?;
                    }
                }
                f.customer.into_iter().collect()
            }
        };
        for id in customers {
            match self.store.customer(by.org_id(), id).await {
                Ok(_) => {}
                Err(StoreError::NotFound) => {
                    return Err(BroadcastError::invalid(
                        "audience",
                        "a chosen customer does not exist (any more)",
                    ));
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }
}

/// A broadcast's (or a template's) name and texts, trimmed (the email body keeps its lines),
/// with the texts of each channel it uses required and their merge fields checked; the texts
/// of a channel it does not use are kept as they are, unchecked, since they are not sent.
pub(super) fn checked_texts(
    name: &str,
    channels: BroadcastChannels,
    sms_text: &str,
    email_subject: &str,
    email_body: &str,
) -> Result<(String, String, String, String), BroadcastError> {
    let text = |limit: Limit, field: &'static str, value: &str| {
        limit
            .check(value)
            .map(str::to_owned)
            .map_err(|e| BroadcastError::text(field, e))
    };
    // A browser posts a textarea's line breaks as CR LF: stored as LF, each costs one GSM-7
    // septet instead of two, and the handset gets what the author saw.
    let (sms_text, email_body) = (&lf(sms_text), &lf(email_body));
    let name = text(NAME, "name", name)?;
    if name.is_empty() {
        return Err(BroadcastError::invalid("name", "enter a name"));
    }
    let sms_text = text(SMS_TEXT, "sms_text", sms_text)?;
    let email_subject = text(EMAIL_SUBJECT, "email_subject", email_subject)?;
    EMAIL_BODY
        .check(email_body)
        .map_err(|e| BroadcastError::text("email_body", e))?;
    let email_body = email_body.to_owned();
    let mut used = Vec::new();
    if channels.sms {
        used.push(("sms_text", sms_text.as_str(), "enter the SMS text"));
    }
    if channels.email {
        used.push((
            "email_subject",
            email_subject.as_str(),
            "enter the email subject",
        ));
        used.push(("email_body", email_body.trim(), "enter the email body"));
        if !countersign_messaging::is_header_safe(&email_subject) {
            return Err(BroadcastError::invalid(
                "email_subject",
                "the email subject must be one line",
            ));
        }
    }
    for (field, value, missing) in used {
        if value.is_empty() {
            return Err(BroadcastError::invalid(field, missing));
        }
        check_merge_fields(value).map_err(|source| BroadcastError::MergeField { field, source })?;
    }
    Ok((name, sms_text, email_subject, email_body))
}

/// `text` with CR LF and lone CR line breaks as LF.
fn lf(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// The audience's kind, for the audit log (ids and metadata only).
pub(super) fn audience_kind(a: &Audience) -> &'static str {
    match a {
        Audience::AllCustomers => "all_customers",
        Audience::Customers(_) => "customers",
        Audience::Filter(_) => "filter",
    }
}
