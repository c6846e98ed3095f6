//! An org's reusable broadcast texts. Drafting is enough to save, list and delete them: a
//! template sends nothing, and a broadcast made from one is checked and approved as any
//! draft is.

use super::BroadcastError;
use super::drafts::checked_texts;
use crate::{App, Principal};
use countersign_domain::{BroadcastChannels, BroadcastTemplateId, Permission};
use countersign_store::{BroadcastStore, BroadcastTemplate, StoreError, constraints};
use serde_json::json;

impl App {
    /// Saves a template: a new one when `id` is `None`, else replaces that one of the org.
    ///
    /// # Errors
    /// Without `DraftBroadcasts`; a blank or taken name; invalid texts (as a draft's);
    /// another org's id (not found); a store failure.
    pub async fn save_broadcast_template(
        &self,
        by: &Principal,
        id: Option<BroadcastTemplateId>,
        name: &str,
        channels: BroadcastChannels,
        texts: [&str; 3],
    ) -> Result<BroadcastTemplate, BroadcastError> {
        by.require(Permission::DraftBroadcasts)?;
        let author = by.technician_id().ok_or(BroadcastError::NeedsTechnician)?;
        let [sms_text, email_subject, email_body] = texts;
        let (name, sms_text, email_subject, email_body) =
            checked_texts(name, channels, sms_text, email_subject, email_body)?;
        let now = self.now();
        let before = match id {
            Some(id) => Some(self.store.broadcast_template(by.org_id(), id).await?),
            None => None,
        };
        let t = BroadcastTemplate {
            id: id.unwrap_or_default(),
            org_id: by.org_id(),
            name,
            channels,
            sms_text,
            email_subject,
            email_body,
            created_by: before.as_ref().map_or(author, |b| b.created_by),
            created_at: before.as_ref().map_or(now, |b| b.created_at),
            updated_at: now,
        };
        match self.store.save_broadcast_template(&t).await {
            Err(StoreError::Conflict { constraint })
                if constraint == constraints::BROADCAST_TEMPLATE_NAME =>
            {
                return Err(BroadcastError::invalid(
                    "name",
                    "another template has this name",
                ));
            }
            other => other?,
        }
        self.audit(
            &by.actor(),
            None,
            "broadcast.template_saved",
            &t.id.to_string(),
            json!({ "new": before.is_none(), "channels": channels.as_str() }),
        )
        .await?;
        Ok(t)
    }

    /// The org's templates by name.
    ///
    /// # Errors
    /// Without `DraftBroadcasts`; a store failure.
    pub async fn broadcast_templates(
        &self,
        by: &Principal,
    ) -> Result<Vec<BroadcastTemplate>, BroadcastError> {
        by.require(Permission::DraftBroadcasts)?;
        Ok(self.store.broadcast_templates(by.org_id()).await?)
    }

    /// Deletes a template of the org.
    ///
    /// # Errors
    /// Without `DraftBroadcasts`; not found in the org; a store failure.
    pub async fn delete_broadcast_template(
        &self,
        by: &Principal,
        id: BroadcastTemplateId,
    ) -> Result<(), BroadcastError> {
        by.require(Permission::DraftBroadcasts)?;
        self.store
            .delete_broadcast_template(by.org_id(), id)
            .await?;
        self.audit(
            &by.actor(),
            None,
            "broadcast.template_deleted",
            &id.to_string(),
            json!({}),
        )
        .await?;
        Ok(())
    }
}
