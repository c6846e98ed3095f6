//! One error taxonomy for every use case. Each area keeps its own typed error (`AccountError`,
//! `ContactError`, …) with sentences a technician can read, and says through
//! [`UseCaseError::kind`] which of a few kinds it is. The adapters that turn a kind into a
//! response live in one place in the web crate (`crates/web/src/error.rs`): an HTML page (a
//! form re-rendered with 422 for an invalid input) or `application/problem+json` (RFC 9457)
//! for JSON callers. The CLI prints the sentence.

use crate::principal::Denied;
use countersign_store::StoreError;
use std::time::Duration;

/// What went wrong, in the terms a client can act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The input was refused; [`UseCaseError::fields`] says which field and why. Nothing
    /// changed: fix the input and send it again.
    Invalid,
    /// No such thing in this org (another org's row is not found too, never forbidden).
    NotFound,
    /// The principal may not do this.
    Forbidden(Refusal),
    /// The request is valid but clashes with the current state (an email already taken, the
    /// last admin, a step out of order).
    Conflict,
    /// It existed but can no longer be used (a used, expired or cancelled link).
    Gone,
    /// Too many attempts; try again after `retry_after` when it is known.
    RateLimited { retry_after: Option<Duration> },
    /// A provider or a bounded resource of ours is not available now (Microsoft, Twilio, the
    /// password-check bound); try again after `retry_after` when it is known.
    Unavailable { retry_after: Option<Duration> },
    /// A bug or a failure of our own (the database): logged with an id, never shown.
    Internal,
}

/// Why a principal was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// It lacks a permission.
    Permission,
    /// The session must prove itself again first (password or TOTP in the last minutes).
    RecentProof,
}

/// One message about one input field (`None`: the form as a whole).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldMessage {
    pub field: Option<&'static str>,
    pub message: String,
}

/// An error of a use case: a typed error whose `Display` is a sentence for the user (for
/// `Internal`, a description for the log only).
pub trait UseCaseError: std::error::Error + Send + Sync + 'static {
    /// Which kind of error this is.
    fn kind(&self) -> ErrorKind;

    /// For [`ErrorKind::Invalid`]: the messages per field. By default one message about the
    /// form as a whole: the error's own sentence.
    fn fields(&self) -> Vec<FieldMessage> {
        vec![FieldMessage {
            field: None,
            message: self.to_string(),
        }]
    }
}

impl UseCaseError for Denied {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Forbidden(Refusal::Permission)
    }
}

impl UseCaseError for StoreError {
    fn kind(&self) -> ErrorKind {
        match self {
            // Another org's row looks exactly like a missing one.
            Self::NotFound => ErrorKind::NotFound,
            _ => ErrorKind::Internal,
        }
    }
}
