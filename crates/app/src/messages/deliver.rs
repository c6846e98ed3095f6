//! One delivery attempt of one message, as the `send_message` job runs it.
//!
//! Exactly-once: `begin_attempt` refuses a message that is past `sending`, so a job that runs
//! again (retry, or a worker that died after the provider took the message but before the job
//! was completed) sends nothing more, except in the window between the provider's answer and
//! recording it; for that window the same idempotency key goes with every attempt.

use super::transports::Transports;
use crate::App;
use countersign_domain::mask::mask;
use countersign_domain::{Lane, MessageId, OrgId, Timestamp};
use countersign_messaging::{
    Brand, Delivery, DeliveryStatus, EmailSender, Outbox, OutgoingEmail, OutgoingSms, SendError,
    SmsSender,
};
use countersign_store::{
    BroadcastStore, Channel, Message, MessageState, MessageStore, StoreError, Transition,
    TransportKind,
};

/// What the job does next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// Finished (delivered, kept, failed for good, or nothing left to do).
    Done,
    /// Try again later; the message is back in `queued`.
    Retry(String),
    /// Out of attempts: the message failed; the job is dead with this error.
    GaveUp(String),
}

impl App {
    /// Makes one attempt to deliver a message. `attempt` and `max_attempts` are the job's.
    ///
    /// # Errors
    /// Only store failures; delivery failures are outcomes.
    pub async fn deliver_message(
        &self,
        transports: &Transports,
        org: OrgId,
        id: MessageId,
        attempt: i64,
        max_attempts: i64,
    ) -> Result<DeliveryOutcome, StoreError> {
        let Some(mut message) = self.store.begin_attempt(org, id, self.now()).await? else {
            // Already accepted, sent, failed or kept: a repeated job must not send again.
            return Ok(DeliveryOutcome::Done);
        };
        self.render_deferred([&mut message], &mut std::collections::HashMap::new())
            .await?;
        let result = if message.channel == Channel::Sms
            && message.transport == TransportKind::Twilio
            && self.store.sms_opted_out(org, &message.recipient).await?
        {
            Err(opted_out())
        } else if message.lane == Lane::Broadcast
            && message.transport != TransportKind::Outbox
            && self
                .store
                .broadcast_address_opted_out(org, message.channel, &message.recipient)
                .await?
        {
            Err(opted_out_of_broadcasts())
        } else {
            let brand = match message.channel {
                Channel::Email => Some(super::brand_of(self, org).await?),
                Channel::Sms => None,
            };
            send(self, transports, &message, brand.as_ref()).await
        };
        let (t, outcome) = settle(&message, result, attempt, max_attempts, self.now());
        self.store.transition_message(org, id, &t).await?;
        Ok(outcome)
    }

    /// Marks a message failed when its job ran out of attempts without finishing one (its
    /// workers kept dying), so the message does not stay `sending` for ever.
    ///
    /// # Errors
    /// Store failures.
    pub async fn fail_abandoned_message(
        &self,
        org: OrgId,
        id: MessageId,
        error: &str,
    ) -> Result<(), StoreError> {
        let mut t = Transition::to(MessageState::Failed, self.now(), "abandoned");
        t.error = Some(error.to_owned());
        self.store.transition_message(org, id, &t).await?;
        Ok(())
    }
}

/// The error of an SMS to a number that opted out (Twilio's code, without calling Twilio).
pub(super) fn opted_out() -> SendError {
    SendError::permanent(
        "the recipient has opted out by replying STOP; they must reply START to receive \
         messages again",
        Some("21610".into()),
    )
}

/// The error of a broadcast to an address that opted out of the org's broadcasts (a STOP to
/// the broadcast sender, an unsubscribe, or its contact source), without calling the provider.
pub(super) fn opted_out_of_broadcasts() -> SendError {
    SendError::permanent(
        "the recipient has opted out of broadcasts (a STOP to the broadcast sender, an \
         unsubscribe, or its contact source); a STOP to the broadcast sender is undone by \
         replying START to it",
        Some("21610".into()),
    )
}

/// What an attempt's result does to its message, and what its job does next. `attempt` and
/// `max_attempts` are the job's.
pub(super) fn settle(
    message: &Message,
    result: Result<Delivery, SendError>,
    attempt: i64,
    max_attempts: i64,
    now: Timestamp,
) -> (Transition, DeliveryOutcome) {
    let id = message.id;
    match result {
        Ok(delivery) => {
            let state = match delivery.status {
                DeliveryStatus::Kept => MessageState::Outbox,
                DeliveryStatus::Accepted => MessageState::Accepted,
                DeliveryStatus::Sent => MessageState::Sent,
            };
            let mut t = Transition::to(state, now, message.transport.as_str());
            t.provider_id = delivery.provider_id;
            tracing::info!(
                message.id = %id, org.id = %message.org_id, state = state.as_str(),
                to = %mask(&message.recipient), "message handed over"
            );
            (t, DeliveryOutcome::Done)
        }
        Err(e) if e.is_retryable() && attempt < max_attempts => {
            let mut t = Transition::to(MessageState::Queued, now, "retry");
            t.error = Some(e.message.clone());
            t.error_code.clone_from(&e.code);
            tracing::warn!(message.id = %id, attempt, error = %e, "delivery attempt failed");
            (t, DeliveryOutcome::Retry(e.message))
        }
        Err(e) => {
            let gave_up = e.is_retryable();
            let error = if gave_up {
                format!("gave up after {attempt} attempts: {}", e.message)
            } else {
                e.message.clone()
            };
            let mut t = Transition::to(MessageState::Failed, now, "refused");
            t.error = Some(error.clone());
            t.error_code.clone_from(&e.code);
            tracing::warn!(message.id = %id, error = %error, "message failed");
            let outcome = if gave_up {
                DeliveryOutcome::GaveUp(error)
            } else {
                DeliveryOutcome::Done
            };
            (t, outcome)
        }
    }
}

/// The longest one hand-over may take, whatever the transport. Each transport has its own,
/// shorter timeouts (Twilio 10 s, SMTP `smtp.timeout_seconds`), but they bound a request or a
/// socket read, not every wait (a connection pool that never hands out a connection): a send
/// that outlives this is a retryable failure, so a worker loop can never wait forever.
const SEND_DEADLINE: std::time::Duration = std::time::Duration::from_secs(120);

/// Hands the message to its transport (Graph mail needs the app: store, keys, tokens), within
/// [`SEND_DEADLINE`].
pub(super) async fn send(
    app: &App,
    transports: &Transports,
    m: &Message,
    brand: Option<&Brand>,
) -> Result<Delivery, SendError> {
    if crate::broadcasts::bodies::is_deferred(m) {
        // Never an empty message: its broadcast or frozen recipient row is gone.
        return Err(SendError::permanent(
            "the broadcast this message belongs to, or its recipient, no longer exists; \
             nothing was sent",
            None,
        ));
    }
    tokio::time::timeout(SEND_DEADLINE, send_now(app, transports, m, brand))
        .await
        .unwrap_or_else(|_| {
            Err(SendError::retryable(
                "the provider did not take the message within 2 minutes; it will be retried",
                None,
            ))
        })
}

async fn send_now(
    app: &App,
    transports: &Transports,
    m: &Message,
    brand: Option<&Brand>,
) -> Result<Delivery, SendError> {
    let not_configured = |what: &str| {
        Err(SendError::permanent(
            format!("{what} is not configured on this server (see the [{what}] settings)"),
            None,
        ))
    };
    let body = m.body_text.clone().unwrap_or_default();
    // The lane's Reply-To, when the server sets one, replaces the org's branding one.
    let lane_brand = lane_brand(app, m.lane, brand);
    let brand = lane_brand.as_ref().or(brand);
    match (m.transport, m.channel) {
        (TransportKind::Outbox, Channel::Sms) => Outbox.send_sms(&sms(transports, m, body)).await,
        (TransportKind::Outbox, Channel::Email) => Outbox.send_email(&email(m, body, brand)).await,
        (TransportKind::Twilio, Channel::Sms) => match (transports.twilio_of(m.lane), m.lane) {
            (Some(t), _) => t.send_sms(&sms(transports, m, body)).await,
            (None, Lane::Verification) => not_configured("twilio"),
            (None, Lane::Broadcast) => Err(SendError::permanent(
                crate::lane_settings::NO_BROADCAST_SMS_SENDER,
                None,
            )),
        },
        (TransportKind::Smtp, Channel::Email) => match transports.smtp_of(m.lane) {
            Some(s) => s.send_email(&email(m, body, brand)).await,
            None => not_configured("smtp"),
        },
        // Graph's sendMail cannot carry List-Unsubscribe (see `prepare_message`), so a message
        // with an unsubscribe link never goes out without it.
        (TransportKind::Graph, Channel::Email) if m.list_unsubscribe.is_some() => {
            Err(SendError::permanent(
                "a broadcast email goes out by SMTP only: Microsoft Graph cannot carry its \
                 unsubscribe headers",
                None,
            ))
        }
        (TransportKind::Graph, Channel::Email) => app.send_graph_mail(m, brand).await,
        (transport, channel) => Err(SendError::permanent(
            format!(
                "transport {} cannot carry {} messages",
                transport.as_str(),
                channel.as_str()
            ),
            None,
        )),
    }
}

/// The brand with the lane's Reply-To, when the server sets one for the lane (`None`: the
/// brand as it is).
fn lane_brand(app: &App, lane: Lane, brand: Option<&Brand>) -> Option<Brand> {
    let reply_to = app.settings.email_reply_to(lane)?;
    let mut b = brand.cloned()?;
    reply_to.clone_into(&mut b.reply_to);
    Some(b)
}

fn sms(transports: &Transports, m: &Message, body: String) -> OutgoingSms {
    OutgoingSms {
        to: m.recipient.clone(),
        body,
        idempotency_key: format!("{}:{}", m.org_id, m.idempotency_key),
        status_callback: status_callback(&transports.twilio_status_callback, m.id),
    }
}

fn email(m: &Message, text: String, brand: Option<&Brand>) -> OutgoingEmail {
    OutgoingEmail {
        to: m.recipient.clone(),
        from_name: brand.map(|b| b.name.clone()).unwrap_or_default(),
        reply_to: brand.map(|b| b.reply_to.clone()).unwrap_or_default(),
        subject: m.subject.clone(),
        text,
        html: m.body_html.clone().unwrap_or_default(),
        idempotency_key: m.id.to_string(),
        list_unsubscribe: m.list_unsubscribe.clone(),
    }
}

/// The status callback URL of one message: our id in the query, so a report that arrives
/// before the worker recorded Twilio's id still finds the message (the signature covers it).
fn status_callback(base: &str, id: MessageId) -> String {
    if base.is_empty() {
        String::new()
    } else {
        format!("{base}?{}={id}", super::STATUS_CALLBACK_MESSAGE_PARAM)
    }
}
