//! A test send: the broadcast as a recipient gets it, to the technician who asks: the email to
//! their own account address, the SMS to the mobile they type (technicians have no number of
//! record). Marked "[Test]", sent on the broadcast lane (the same sender and layout as the
//! real thing), rate limited per technician and org like the branding test.

use super::BroadcastError;
use crate::messages::brand_of;
use crate::{App, Principal};
use countersign_domain::{BroadcastId, Channel, Lane, MessageId, Permission};
use countersign_messaging::broadcast::{MergeValues, render_broadcast_email, render_merge_fields};
use countersign_messaging::parse_e164;
use countersign_store::{BroadcastStore, MessageStore, NewMessage, ThrottleStore};
use serde_json::json;
use std::time::Duration;

/// Test sends one technician may make per [`WINDOW`].
const PER_TECHNICIAN: i64 = 5;
/// Test sends one org may make per [`WINDOW`].
const PER_ORG: i64 = 20;
const WINDOW: Duration = Duration::from_secs(3600);

/// Where a test send went (masked).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestSend {
    /// The technician's email, when email is a channel.
    pub email_to: Option<String>,
    /// The number typed, when SMS is a channel and one was typed.
    pub sms_to: Option<String>,
}

impl App {
    /// Sends the broadcast's message to the technician: email to their address when email is
    /// a channel, SMS to `sms_to` when SMS is a channel and a number is given. Any state: a
    /// test send changes nothing about the broadcast.
    ///
    /// # Errors
    /// Without `DraftBroadcasts`; not found in the org; SMS is a channel but no number was
    /// given for a broadcast without email, or the number is invalid; a channel the server
    /// cannot send on; the hourly limit; a store failure.
    pub async fn send_test_broadcast(
        &self,
        by: &Principal,
        id: BroadcastId,
        sms_to: Option<&str>,
    ) -> Result<TestSend, BroadcastError> {
        by.require(Permission::DraftBroadcasts)?;
        let org = by.org_id();
        let b = self.store.broadcast(org, id).await?;
        let me = self
            .own_technician(by)
            .await
            .map_err(|_| BroadcastError::NeedsTechnician)?;
        let sms_to = match sms_to.map(str::trim).filter(|s| !s.is_empty()) {
            Some(n) if b.channels.sms => Some(parse_e164(n).map_err(|e| {
                BroadcastError::invalid("sms_to", format!("your mobile number: {e}"))
            })?),
            _ => None,
        };
        if b.channels.sms && !b.channels.email && sms_to.is_none() {
            return Err(BroadcastError::invalid(
                "sms_to",
                "enter your mobile number (+ and country code) to receive the test SMS",
            ));
        }
        self.check_lanes(&b)?;
        let now = self.now();
        for (key, max) in [
            (
                format!("broadcast-test:technician:{}", me.id),
                PER_TECHNICIAN,
            ),
            (format!("broadcast-test:org:{org}"), PER_ORG),
        ] {
            let hits = self
                .store
                .record_failure(&key, now, now.minus(WINDOW))
                .await?;
            if hits.failures > max {
                return Err(BroadcastError::TooManyTests);
            }
        }
        let brand = brand_of(self, org).await?;
        let first_name = me.name.split_whitespace().next().unwrap_or(&me.name);
        let values = MergeValues {
            first_name,
            customer: "Test customer",
            msp_name: &brand.name,
        };
        let merge = |t: &str| render_merge_fields(t, &values).unwrap_or_else(|_| t.to_owned());
        let nonce = MessageId::new();
        let mut sent = TestSend {
            email_to: None,
            sms_to: None,
        };
        let mut messages = Vec::new();
        if b.channels.email {
            let subject = format!("[Test] {}", merge(&b.email_subject));
            let email = render_broadcast_email(&brand, &subject, &merge(&b.email_body), "")?;
            messages.push((
                Channel::Email,
                me.email.clone(),
                subject,
                email.text,
                Some(email.html),
            ));
            sent.email_to = Some(countersign_domain::mask::mask(&me.email));
        }
        if let Some(number) = sms_to {
            messages.push((
                Channel::Sms,
                number.clone(),
                String::new(),
                format!("[Test] {}", merge(&b.sms_text)),
                None,
            ));
            sent.sms_to = Some(countersign_domain::mask::mask(&number));
        }
        for (channel, recipient, subject, body_text, body_html) in messages {
            let message_id = MessageId::new();
            let message = NewMessage {
                id: message_id,
                org_id: org,
                channel,
                template: "broadcast_test".to_owned(),
                recipient,
                subject,
                body_text,
                body_html,
                transport: self
                    .broadcast_transport(channel)
                    .map_err(BroadcastError::Lane)?,
                lane: Lane::Broadcast,
                // Goes to the technician, who is no contact and has nothing to unsubscribe.
                list_unsubscribe: None,
                idempotency_key: format!("broadcast-test:{id}:{}:{nonce}", channel.as_str()),
                created_at: now,
            };
            let job = crate::jobs::Job::new_job(
                &crate::jobs::SendMessage { message_id },
                org,
                now,
                &self.settings,
            )?;
            self.store.queue_message(&message, Some(&job)).await?;
        }
        self.audit(
            &by.actor(),
            None,
            "broadcast.test_sent",
            &id.to_string(),
            json!({ "email": sent.email_to, "sms": sent.sms_to }),
        )
        .await?;
        Ok(sent)
    }
}
