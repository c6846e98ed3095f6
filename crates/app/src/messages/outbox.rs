//! Settings ▸ Outbox: the messages kept instead of sent (the outbox transport), and one
//! message of the org with its history, for admins checking what went out.

use crate::{App, Denied, Principal};
use countersign_domain::{MessageId, Permission};
use countersign_store::{
    Message, MessageEvent, MessageFilter, MessageStore, StoreError, TransportKind,
};

/// Messages the outbox page lists at most.
const OUTBOX_PAGE: i64 = 200;

/// One message and its events, oldest first.
#[derive(Clone, Debug)]
pub struct MessageView {
    pub message: Message,
    pub events: Vec<MessageEvent>,
}

/// Why the outbox could not be read.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl crate::UseCaseError for OutboxError {
    fn kind(&self) -> crate::ErrorKind {
        match self {
            Self::Denied(e) => crate::UseCaseError::kind(e),
            Self::Store(e) => crate::UseCaseError::kind(e),
        }
    }
}

impl App {
    /// The org's newest messages kept in the outbox.
    ///
    /// # Errors
    /// Not allowed, or a store failure.
    pub async fn outbox_view(&self, by: &Principal) -> Result<Vec<Message>, OutboxError> {
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
    ) -> Result<MessageView, OutboxError> {
        by.require(Permission::ViewOutbox)?;
        let org = by.org_id();
        Ok(MessageView {
            message: self.store.message(org, id).await?,
            events: self.store.message_events(org, id).await?,
        })
    }
}
