//! Queuing a message: validate the recipient, render the template with the org's branding,
//! store the message and its delivery job in one transaction.

use crate::App;
use crate::audit::Actor;
use crate::jobs::{Job as _, SendMessage};
use crate::settings::MessagingTransport;
use countersign_domain::mask::mask;
use countersign_domain::{Lane, MessageId, OrgId};
use countersign_messaging::end_user::render_for_contact;
use countersign_messaging::{Brand, TemplateName, parse_e164, render};
use countersign_store::{
    BrandingStore, Channel, GraphMailStore, Message, MessageStore, NewJob, NewMessage, OrgStore,
    StoreError, StoreResult, TransportKind,
};

/// What to send to whom.
#[derive(Clone)]
pub struct MessageRequest {
    pub org: OrgId,
    pub channel: Channel,
    /// E.164 number or email address, as entered (it is parsed here).
    pub recipient: String,
    pub template: TemplateName,
    /// Which sender it goes out from: [`Lane::Broadcast`] for broadcasts only.
    pub lane: Lane,
    /// Same key, same message: a repeated request (double click, retry) sends once.
    pub idempotency_key: String,
}

impl std::fmt::Debug for MessageRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessageRequest")
            .field("org", &self.org)
            .field("channel", &self.channel)
            .field("recipient", &mask(&self.recipient))
            .field("template", &self.template.as_str())
            .field("lane", &self.lane)
            .finish_non_exhaustive()
    }
}

/// A rendered message and its delivery job, not stored yet: [`App::queue_message`] stores
/// them alone; a use case may store them in its own transaction (a verification's code goes
/// out in the transaction that starts the verification).
#[derive(Clone, Debug)]
pub struct PreparedMessage {
    pub message: NewMessage,
    pub job: NewJob,
}

/// Why a message could not be queued.
#[derive(Debug, thiserror::Error)]
pub enum MessageError {
    /// The recipient is not a phone number / email address.
    #[error("{0}")]
    InvalidRecipient(String),
    /// The lane has no sender for the channel on this server (an SMS broadcast without a
    /// broadcast sender): what to configure, in words.
    #[error("{0}")]
    LaneNotConfigured(&'static str),
    /// A template failed (a bug).
    #[error(transparent)]
    Template(#[from] countersign_messaging::TemplateError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why an email broadcast cannot be queued on a server without an SMTP relay.
pub const NO_BROADCAST_EMAIL_SENDER: &str = "email broadcasts go out through the SMTP relay \
     ([smtp] host and from_address), which this server does not configure: Microsoft 365 \
     mail cannot carry the one-click unsubscribe headers a broadcast needs";

/// The org's brand for templates: its saved branding, or its name with defaults.
///
/// # Errors
/// The store failed.
pub async fn brand_of(app: &App, org: OrgId) -> Result<Brand, StoreError> {
    Ok(match app.store.branding(org).await? {
        Some(b) => Brand {
            name: b.display_name,
            logo_url: b.logo_url,
            colour: b.colour,
            footer: b.footer,
            reply_to: b.reply_to,
        },
        None => Brand::default_for(&app.store.org(org).await?.name),
    })
}

impl App {
    /// The transport a broadcast message on `channel` goes out by on this server, or what to
    /// configure (in words) when it has none. Refused up front rather than failed later: a
    /// broadcast SMS never falls back to the verification sender (see lane_settings.rs), and
    /// a broadcast email carries List-Unsubscribe and List-Unsubscribe-Post (RFC 2369, RFC
    /// 8058), which Graph's sendMail cannot set: its internetMessageHeaders take only custom
    /// headers, "name them starting with "x-"" (learn.microsoft.com/graph/api/resources/message,
    /// v1.0). So broadcasts never go through the org's Microsoft 365 mailbox.
    pub(crate) fn broadcast_transport(
        &self,
        channel: Channel,
    ) -> Result<TransportKind, &'static str> {
        let s = &self.settings;
        match (s.messaging.transport, channel) {
            (MessagingTransport::Outbox, _) => Ok(TransportKind::Outbox),
            (MessagingTransport::Live, Channel::Sms) => {
                if s.twilio.is_configured() && s.sms_sender(Lane::Broadcast).is_none() {
                    Err(crate::lane_settings::NO_BROADCAST_SMS_SENDER)
                } else {
                    Ok(TransportKind::Twilio)
                }
            }
            (MessagingTransport::Live, Channel::Email) => {
                if s.smtp.is_configured() {
                    Ok(TransportKind::Smtp)
                } else {
                    Err(NO_BROADCAST_EMAIL_SENDER)
                }
            }
        }
    }

    /// Validates the recipient and renders the template with the org's branding: the message
    /// and its delivery job, ready to store (nothing is stored yet).
    ///
    /// # Errors
    /// An invalid recipient, a template failure, or a store failure reading the branding.
    pub async fn prepare_message(
        &self,
        req: MessageRequest,
    ) -> Result<PreparedMessage, MessageError> {
        self.prepare_message_to(req, None).await
    }

    /// [`App::prepare_message`] for a message to a contact (`Some`): its texts are in the
    /// contact's language (the contact's, else its customer's, else English) with the org's
    /// overrides, and its times in the customer's zone (issue 21.8). `None`: as
    /// `prepare_message`.
    ///
    /// # Errors
    /// As [`App::prepare_message`].
    pub async fn prepare_message_to(
        &self,
        req: MessageRequest,
        contact: Option<countersign_domain::ContactId>,
    ) -> Result<PreparedMessage, MessageError> {
        let recipient = match req.channel {
            Channel::Sms => parse_e164(&req.recipient)
                .map_err(|e| MessageError::InvalidRecipient(e.to_string()))?,
            Channel::Email => countersign_domain::Email::parse(&req.recipient)
                .map_err(|_| {
                    MessageError::InvalidRecipient(
                        "enter a valid email address, e.g. amy@example.com".into(),
                    )
                })?
                .as_str()
                .to_owned(),
        };
        let brand = brand_of(self, req.org).await?;
        let rendered = match contact {
            Some(c) => {
                let locale = self.end_user_locale(req.org, Some(c), None).await?;
                render_for_contact(&req.template, &brand, locale.texts())?
            }
            None => render(&req.template, &brand)?,
        };
        let transport = match (self.settings.messaging.transport, req.channel, req.lane) {
            (MessagingTransport::Outbox, _, _) => TransportKind::Outbox,
            (MessagingTransport::Live, channel, Lane::Broadcast) => self
                .broadcast_transport(channel)
                .map_err(MessageError::LaneNotConfigured)?,
            (MessagingTransport::Live, Channel::Sms, Lane::Verification) => TransportKind::Twilio,
            (MessagingTransport::Live, Channel::Email, Lane::Verification) => {
                if self.store.graph_mail(req.org).await?.is_some() {
                    TransportKind::Graph
                } else {
                    TransportKind::Smtp
                }
            }
        };
        let now = self.now();
        let id = MessageId::new();
        let (subject, body_text, body_html) = match req.channel {
            Channel::Sms => (String::new(), rendered.sms.clone(), None),
            Channel::Email => (
                rendered.subject.clone(),
                rendered.text.clone(),
                Some(rendered.html.clone()),
            ),
        };
        let message = NewMessage {
            id,
            org_id: req.org,
            channel: req.channel,
            template: req.template.as_str().to_owned(),
            recipient,
            subject,
            body_text,
            body_html,
            transport,
            lane: req.lane,
            // Set by the broadcast fan-out (`App::unsubscribe_url`); nothing else has one.
            list_unsubscribe: None,
            idempotency_key: req.idempotency_key,
            created_at: now,
        };
        let job = SendMessage { message_id: id }.new_job(req.org, now, &self.settings)?;
        Ok(PreparedMessage { message, job })
    }

    /// Queues one message. With the same idempotency key, returns the first message and
    /// queues nothing.
    ///
    /// # Errors
    /// An invalid recipient (nothing is stored), or a store failure.
    pub async fn queue_message(
        &self,
        actor: &Actor,
        req: MessageRequest,
    ) -> Result<Message, MessageError> {
        self.queue_message_to(actor, req, None).await
    }

    /// [`App::queue_message`] of a message to a contact ([`App::prepare_message_to`]).
    ///
    /// # Errors
    /// As [`App::queue_message`].
    pub async fn queue_message_to(
        &self,
        actor: &Actor,
        req: MessageRequest,
        contact: Option<countersign_domain::ContactId>,
    ) -> Result<Message, MessageError> {
        let prepared = self.prepare_message_to(req, contact).await?;
        let (stored, is_new) = self
            .store
            .queue_message(&prepared.message, Some(&prepared.job))
            .await?;
        if is_new {
            self.audit_queued(actor, &prepared.message).await?;
        }
        Ok(stored)
    }

    /// The audit entry of a message that was queued (ids and metadata only: the recipient
    /// masked, never the body).
    ///
    /// # Errors
    /// The store failed.
    pub(crate) async fn audit_queued(&self, actor: &Actor, m: &NewMessage) -> StoreResult<()> {
        self.audit(
            actor,
            Some(m.org_id),
            "message.queued",
            &m.id.to_string(),
            serde_json::json!({
                "channel": m.channel.as_str(),
                "template": m.template,
                "transport": m.transport.as_str(),
                "lane": m.lane.as_str(),
                "recipient": mask(&m.recipient),
            }),
        )
        .await
    }
}

impl crate::UseCaseError for MessageError {
    fn kind(&self) -> crate::ErrorKind {
        match self {
            Self::InvalidRecipient(_) => crate::ErrorKind::Invalid,
            Self::LaneNotConfigured(_) => crate::ErrorKind::Unavailable { retry_after: None },
            Self::Template(_) => crate::ErrorKind::Internal,
            Self::Store(e) => crate::UseCaseError::kind(e),
        }
    }
}
