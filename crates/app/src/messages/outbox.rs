//! Settings ▸ Outbox: the messages kept instead of sent (the outbox transport), and one
//! message of the org with its history, for admins checking what went out.

use crate::reads::ReadError;
use crate::{App, Principal};
use countersign_domain::{MessageId, Permission};
use countersign_store::{Message, MessageEvent, MessageFilter, MessageStore, TransportKind};

/// Messages the outbox page lists at most.
const OUTBOX_PAGE: i64 = 200;

/// One message and its events, oldest first.
#[derive(Clone, Debug)]
pub struct MessageView {
    pub message: Message,
    pub events: Vec<MessageEvent>,
}

impl App {
    /// The org's newest messages kept in the outbox.
    ///
    /// # Errors
    /// Not allowed, or a store failure.
    pub async fn outbox_view(&self, by: &Principal) -> Result<Vec<Message>, ReadError> {
        by.require(Permission::ViewOutbox)?;
        let filter = MessageFilter {
            transport: Some(TransportKind::Outbox),
            channel: None,
            limit: OUTBOX_PAGE,
        };
        Ok(self.store.messages(by.org_id(), &filter).await?)
    }

    /// One message of the org (another org's is `NotFound`) with its events.
    ///
    /// # Errors
    /// Not allowed, not found, or a store failure.
    pub async fn message_view(
        &self,
        by: &Principal,
        id: MessageId,
    ) -> Result<MessageView, ReadError> {
        by.require(Permission::ViewOutbox)?;
        let org = by.org_id();
        Ok(MessageView {
            message: self.store.message(org, id).await?,
            events: self.store.message_events(org, id).await?,
        })
    }
}
