//! Why a delivery attempt failed, and whether trying again can help.

/// Whether a failed attempt is worth repeating.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendErrorKind {
    /// The provider refused the message for good (invalid number, opted out, bad
    /// credentials): retrying sends nothing.
    Permanent,
    /// A network error, timeout, rate limit or server error: the job retries with backoff.
    Retryable,
}

/// A failed delivery attempt. The message is for people (shown on the Jobs and Outbox pages);
/// it never contains the body.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SendError {
    /// Permanent or retryable.
    pub kind: SendErrorKind,
    /// What went wrong, in words.
    pub message: String,
    /// The provider's error code (Twilio `21211`, SMTP `550`), if it gave one.
    pub code: Option<String>,
}

impl SendError {
    /// A failure that retrying cannot fix.
    #[must_use]
    pub fn permanent(message: impl Into<String>, code: Option<String>) -> Self {
        Self {
            kind: SendErrorKind::Permanent,
            message: message.into(),
            code,
        }
    }

    /// A failure that may pass.
    #[must_use]
    pub fn retryable(message: impl Into<String>, code: Option<String>) -> Self {
        Self {
            kind: SendErrorKind::Retryable,
            message: message.into(),
            code,
        }
    }

    /// Whether retrying may help.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        self.kind == SendErrorKind::Retryable
    }
}
