//! The sender traits and what goes through them.

use crate::SendError;
use std::future::Future;

/// An SMS to send. `Debug` redacts the recipient and the body.
#[derive(Clone)]
pub struct OutgoingSms {
    /// E.164 number.
    pub to: String,
    /// The text (may carry a code or a link).
    pub body: String,
    /// Stable across retries of the same message, so a provider that honours it never
    /// delivers twice.
    pub idempotency_key: String,
    /// Where the provider posts status changes (empty: none).
    pub status_callback: String,
}

impl std::fmt::Debug for OutgoingSms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutgoingSms")
            .field("to", &countersign_domain::mask::mask(&self.to))
            .field("idempotency_key", &self.idempotency_key)
            .finish_non_exhaustive()
    }
}

/// An email to send. `Debug` redacts the recipient and the bodies.
#[derive(Clone)]
pub struct OutgoingEmail {
    /// Recipient address.
    pub to: String,
    /// Display name of the sender (the org's brand).
    pub from_name: String,
    /// Reply-To address (empty: none).
    pub reply_to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text part.
    pub text: String,
    /// HTML part.
    pub html: String,
    /// Stable across retries: becomes the Message-ID, so receivers can drop a repeat.
    pub idempotency_key: String,
    /// The https link of a broadcast's one-click unsubscribe (`None`: not a broadcast). The
    /// SMTP sender puts it in `List-Unsubscribe` (RFC 2369) with `List-Unsubscribe-Post:
    /// List-Unsubscribe=One-Click` (RFC 8058 §3.1), so mail providers can offer their own
    /// unsubscribe button, which POSTs to the link.
    pub list_unsubscribe: Option<String>,
}

impl std::fmt::Debug for OutgoingEmail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutgoingEmail")
            .field("to", &countersign_domain::mask::mask(&self.to))
            .field("idempotency_key", &self.idempotency_key)
            .finish_non_exhaustive()
    }
}

/// How far a successful attempt got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// The provider queued it; status callbacks follow.
    Accepted,
    /// Handed on (an SMTP relay accepted it; nothing further will be reported).
    Sent,
    /// Kept in the outbox, not delivered.
    Kept,
}

/// A successful attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The provider's id (Twilio SID, SMTP Message-ID), if any.
    pub provider_id: Option<String>,
    /// How far it got.
    pub status: DeliveryStatus,
}

/// Sends text messages.
pub trait SmsSender: Send + Sync {
    /// One attempt to hand `sms` to the provider.
    fn send_sms(
        &self,
        sms: &OutgoingSms,
    ) -> impl Future<Output = Result<Delivery, SendError>> + Send;
}

/// Sends emails.
pub trait EmailSender: Send + Sync {
    /// One attempt to hand `email` to the relay.
    fn send_email(
        &self,
        email: &OutgoingEmail,
    ) -> impl Future<Output = Result<Delivery, SendError>> + Send;
}
