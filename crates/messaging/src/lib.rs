//! Message delivery for Countersign: SMS through the Twilio Messages API, email through SMTP,
//! and the outbox (kept, shown, never delivered). Bodies come from templates with the org's
//! branding.
//!
//! Nothing here logs a body or a full recipient: bodies carry codes and links, and the types
//! that hold them redact themselves in `Debug`.

mod account_templates;
pub mod broadcast;
mod email_change_templates;
pub mod end_user;
mod error;
mod keywords;
mod outbox;
mod phone;
mod secret_templates;
mod sender;
mod smtp;
mod templates;
pub mod twilio;
mod verification_templates;

pub use error::{SendError, SendErrorKind};
pub use keywords::{Keyword, classify_keyword};
pub use outbox::Outbox;
pub use phone::{PhoneError, parse_e164};
pub use sender::{Delivery, DeliveryStatus, EmailSender, OutgoingEmail, OutgoingSms, SmsSender};
pub use smtp::{SmtpConfig, SmtpSecurity, SmtpSender};
pub use templates::{Brand, Rendered, TemplateError, TemplateName, is_hex_colour, render};
pub use twilio::{TwilioConfig, TwilioCredentials, TwilioSender, TwilioSenderId};

/// Whether `text` may go into a message header (a sender name, a subject): no control
/// characters (CR, LF, NUL, tab, …) and no Unicode line or paragraph separators. Forms refuse
/// what fails this; the SMTP sender folds it into one line anyway.
#[must_use]
pub fn is_header_safe(text: &str) -> bool {
    text.chars().all(is_header_safe_char)
}

pub(crate) fn is_header_safe_char(c: char) -> bool {
    !(c.is_control() || c == '\u{2028}' || c == '\u{2029}')
}
