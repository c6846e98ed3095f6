//! The outbox transport: every message is kept (and shown on the Outbox page), none is
//! delivered. The default of `demo`, and of a fresh install until a provider is configured.

use crate::{
    Delivery, DeliveryStatus, EmailSender, OutgoingEmail, OutgoingSms, SendError, SmsSender,
};

/// Keeps messages instead of delivering them.
#[derive(Clone, Copy, Debug, Default)]
pub struct Outbox;

impl SmsSender for Outbox {
    async fn send_sms(&self, _sms: &OutgoingSms) -> Result<Delivery, SendError> {
        Ok(Delivery {
            provider_id: None,
            status: DeliveryStatus::Kept,
        })
    }
}

impl EmailSender for Outbox {
    async fn send_email(&self, _email: &OutgoingEmail) -> Result<Delivery, SendError> {
        Ok(Delivery {
            provider_id: None,
            status: DeliveryStatus::Kept,
        })
    }
}
