//! What a broadcast would do, before it does it: the audience's honest count (recipients, per
//! channel, exclusions by reason) and the message as one chosen contact would get it. Both
//! only read; drafting is enough to ask.

use super::BroadcastError;
use crate::messages::brand_of;
use crate::{App, Principal};
use countersign_domain::{BroadcastChannels, BroadcastId, ContactId, Permission};
use countersign_messaging::broadcast::{MergeValues, SmsCount, render_merge_fields, sms_count};
use countersign_store::{Audience, AudienceCounts, BroadcastStore, ContactStore, CustomerStore};

/// A broadcast's message as one contact gets it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessagePreview {
    /// The SMS text and its cost, when SMS is a channel.
    pub sms: Option<(String, SmsCount)>,
    /// The email subject and body, when email is a channel.
    pub email: Option<(String, String)>,
}

impl App {
    /// Resolves an audience into counts, storing nothing.
    ///
    /// # Errors
    /// Without `DraftBroadcasts`; a chosen customer not in the org; a store failure.
    pub async fn preview_broadcast_audience(
        &self,
        by: &Principal,
        audience: &Audience,
        channels: BroadcastChannels,
    ) -> Result<AudienceCounts, BroadcastError> {
        by.require(Permission::DraftBroadcasts)?;
        self.check_audience(by, audience).await?;
        Ok(self
            .store
            .preview_audience(by.org_id(), audience, channels)
            .await?)
    }

    /// Renders a broadcast's texts for one contact of the org, with its current first name
    /// and customer and the org's name as branded.
    ///
    /// # Errors
    /// Without `DraftBroadcasts`; the broadcast or contact not found in the org; a text with
    /// an unknown merge field; a store failure.
    pub async fn preview_broadcast_message(
        &self,
        by: &Principal,
        id: BroadcastId,
        contact: ContactId,
    ) -> Result<MessagePreview, BroadcastError> {
        by.require(Permission::DraftBroadcasts)?;
        let org = by.org_id();
        let b = self.store.broadcast(org, id).await?;
        let c = self
            .store
            .contact(org, contact)
            .await
            .and_then(crate::contacts::visible)?;
        let customer = self.store.customer(org, c.customer_id).await?;
        let brand = brand_of(self, org).await?;
        let values = MergeValues {
            first_name: &c.given_name,
            customer: &customer.name,
            msp_name: &brand.name,
        };
        let render = |field: &'static str, text: &str| {
            render_merge_fields(text, &values)
                .map_err(|source| BroadcastError::MergeField { field, source })
        };
        let sms = if b.channels.sms {
            let text = render("sms_text", &b.sms_text)?;
            let count = sms_count(&text);
            Some((text, count))
        } else {
            None
        };
        let email = if b.channels.email {
            Some((
                render("email_subject", &b.email_subject)?,
                render("email_body", &b.email_body)?,
            ))
        } else {
            None
        };
        Ok(MessagePreview { sms, email })
    }
}
