//! A broadcast message's texts for one recipient: merge fields filled, the email in the org's
//! branded template with its one-click unsubscribe footer.
//!
//! A message for a live sender (Twilio, SMTP) is queued **without** its bodies and rendered
//! here when a worker hands it over (`messages::batch`, `messages::deliver`). A stored copy
//! per message (an email's branded HTML is kilobytes) was written when it was queued, copied
//! by each state change and cleared again at hand-over: a large share of a broadcast's write
//! volume (issue 20; docs/benchmarks.md). Rendering later gives the same text: an approved
//! broadcast's texts cannot change, and its recipient rows are frozen. The outbox keeps what
//! it shows, so a message kept in the outbox is rendered when it is queued.

use crate::App;
use crate::messages::brand_of;
use countersign_domain::{BroadcastId, Channel, Lane, OrgId};
use countersign_messaging::Brand;
use countersign_messaging::broadcast::{MergeValues, render_broadcast_email, render_merge_fields};
use countersign_store::{
    Broadcast, BroadcastStore, Message, MessageKey, Recipient, StoreError, broadcast_named_by,
};
use std::collections::HashMap;

/// The template name of a broadcast's messages.
pub(crate) const TEMPLATE: &str = "broadcast";

/// A broadcast message's subject and bodies.
pub(crate) struct Texts {
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
}

/// One recipient's values of the merge fields.
pub(crate) struct Person<'a> {
    pub first_name: &'a str,
    pub customer: &'a str,
}

/// `text` with the merge fields filled for `who`.
fn merge(text: &str, brand: &Brand, who: &Person<'_>) -> String {
    let values = MergeValues {
        first_name: who.first_name,
        customer: who.customer,
        msp_name: &brand.name,
    };
    // The texts were checked when the draft was saved; an unknown field cannot reach here.
    render_merge_fields(text, &values).unwrap_or_else(|_| text.to_owned())
}

/// The subject of `b` for one recipient on `channel` (empty for SMS): kept on the message
/// when its bodies are not.
pub(crate) fn subject(b: &Broadcast, brand: &Brand, channel: Channel, who: &Person<'_>) -> String {
    match channel {
        Channel::Sms => String::new(),
        Channel::Email => merge(&b.email_subject, brand, who),
    }
}

/// The texts of `b` for one recipient on `channel`. `unsubscribe` is the email's one-click
/// unsubscribe link (`unsubscribe.rs`).
pub(crate) fn render(
    b: &Broadcast,
    brand: &Brand,
    channel: Channel,
    who: &Person<'_>,
    unsubscribe: Option<&str>,
) -> Result<Texts, String> {
    let subject = subject(b, brand, channel, who);
    match channel {
        Channel::Sms => Ok(Texts {
            subject,
            text: merge(&b.sms_text, brand, who),
            html: None,
        }),
        Channel::Email => {
            let email = render_broadcast_email(
                brand,
                &subject,
                &merge(&b.email_body, brand, who),
                unsubscribe.unwrap_or_default(),
            )
            .map_err(|e| e.to_string())?;
            Ok(Texts {
                subject,
                text: email.text,
                html: Some(email.html),
            })
        }
    }
}

/// Whether `m` is a broadcast message still waiting for its bodies (queued without them, and
/// not rendered yet).
pub(crate) fn is_deferred(m: &Message) -> bool {
    m.lane == Lane::Broadcast && m.template == TEMPLATE && m.body_text.as_deref() == Some("")
}

impl App {
    /// Renders, in place, the bodies of the messages among `messages` that were queued
    /// without them, from their broadcast and frozen recipient row (one query per broadcast
    /// and channel). `brands` caches each org's branding. A message whose broadcast or row is
    /// gone keeps no body, and the send refuses it ([`is_deferred`]).
    ///
    /// # Errors
    /// A store failure (the jobs run again after their lease).
    pub(crate) async fn render_deferred<'m>(
        &self,
        messages: impl IntoIterator<Item = &'m mut Message>,
        brands: &mut HashMap<OrgId, Brand>,
    ) -> Result<(), StoreError> {
        let mut by_org: HashMap<OrgId, Vec<&'m mut Message>> = HashMap::new();
        for m in messages.into_iter().filter(|m| is_deferred(m)) {
            by_org.entry(m.org_id).or_default().push(m);
        }
        for (org, mut group) in by_org {
            let keys: Vec<MessageKey<'_>> = group
                .iter()
                .map(|m| (m.idempotency_key.as_str(), m.channel, m.recipient.as_str()))
                .collect();
            let rows: HashMap<(BroadcastId, Channel, String), Recipient> = self
                .store
                .recipients_of_messages(org, &keys)
                .await?
                .into_iter()
                .map(|r| ((r.broadcast_id, r.channel, r.address.clone()), r))
                .collect();
            let brand = match brands.get(&org) {
                Some(b) => b.clone(),
                None => {
                    let b = brand_of(self, org).await?;
                    brands.insert(org, b.clone());
                    b
                }
            };
            let mut broadcasts: HashMap<BroadcastId, Option<Broadcast>> = HashMap::new();
            for m in &mut group {
                let Some(id) = broadcast_named_by(&m.idempotency_key) else {
                    continue;
                };
                let Some(row) = rows.get(&(id, m.channel, m.recipient.clone())) else {
                    continue;
                };
                if let std::collections::hash_map::Entry::Vacant(e) = broadcasts.entry(id) {
                    e.insert(match self.store.broadcast(org, id).await {
                        Ok(b) => Some(b),
                        Err(StoreError::NotFound) => None,
                        Err(e) => return Err(e),
                    });
                }
                let Some(Some(b)) = broadcasts.get(&id) else {
                    continue;
                };
                let who = Person {
                    first_name: &row.first_name,
                    customer: &row.customer_name,
                };
                match render(b, &brand, m.channel, &who, m.list_unsubscribe.as_deref()) {
                    Ok(t) => {
                        m.subject = t.subject;
                        m.body_text = Some(t.text);
                        m.body_html = t.html;
                    }
                    Err(e) => {
                        tracing::error!(message.id = %m.id, error = %e, "broadcast message could not be rendered");
                    }
                }
            }
        }
        Ok(())
    }
}
