//! Secure Data Send and Request (docs/security.md "Secure Data Send and Request"): one-time
//! links whose ciphertext the browser makes. The server holds ciphertext, metadata and, when
//! asked for, a sealed key share or a request's sealed private key; never a fragment key.
//!
//! - `create`: a send or a request, and its link by SMS or email (the key only transiently).
//! - `reveal`: the recipient's interstitial (reads only) and the one-time claim.
//! - `request`: the contact answers a request; the technician reveals the answer.
//! - `recipient`: the code to the phone of record before a server share is released.
//! - `manage`: burn early, notify on reveal.
//! - `list`: "My links", a technician's links (an admin's: the org's) with their status.
//! - `purge`: links whose time ran out.
//! - `views`: what the technician's pages read (a link's status, the org's expiry choices).

mod create;
mod list;
mod manage;
mod purge;
mod recipient;
mod request;
mod reveal;
mod views;

pub use create::{CreatedLink, LinkChannel, NewLink, Payload};
pub use list::{LINK_LIST_LENGTH, LinkList, LinkListView, ListedLink};
pub use manage::Access;
pub use recipient::CodeSent;
pub use reveal::{LinkView, Revealed};

use crate::messages::MessageError;
use countersign_crypto::SealAad;
use countersign_domain::OrgId;
use countersign_store::{LimitHit, SealedColumn, SecretState, StoreError};
use std::time::Duration;

/// Largest ciphertext envelope accepted (a secret is a password or a short note, not a file).
pub const MAX_ENVELOPE: usize = 48 * 1024;
/// Longest label (a send's note, or what a request asks for).
pub const MAX_LABEL: usize = 200;
/// Bytes of a server-held key share.
pub const SHARE_LEN: usize = 32;
/// Most views a link may allow (the table's CHECK says the same).
pub const MAX_VIEWS: i64 = 10;
/// How many links of a contact the Pod lists.
pub const POD_LIST: i64 = 10;

/// How long a link works: a fixed short menu (security.md §2.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiry {
    Hour,
    Day,
    Week,
}

impl Expiry {
    /// Parses a form value (`1h`, `1d`, `7d`).
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "1h" => Some(Self::Hour),
            "1d" => Some(Self::Day),
            "7d" => Some(Self::Week),
            _ => None,
        }
    }

    /// Every choice, shortest first.
    pub const ALL: [Self; 3] = [Self::Hour, Self::Day, Self::Week];

    /// The form value (`1h`, `1d`, `7d`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hour => "1h",
            Self::Day => "1d",
            Self::Week => "7d",
        }
    }

    /// As people read it.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Hour => "1 hour",
            Self::Day => "1 day",
            Self::Week => "7 days",
        }
    }

    /// In hours (how the org's maximum is stored).
    #[must_use]
    pub fn hours(self) -> i64 {
        match self {
            Self::Hour => 1,
            Self::Day => 24,
            Self::Week => 168,
        }
    }

    /// The choices an org whose links live at most `max_hours` may make.
    #[must_use]
    pub fn allowed(max_hours: i64) -> Vec<Self> {
        Self::ALL
            .into_iter()
            .filter(|e| e.hours() <= max_hours)
            .collect()
    }

    /// The duration.
    #[must_use]
    pub fn duration(self) -> Duration {
        Duration::from_secs(match self {
            Self::Hour => 3600,
            Self::Day => 86_400,
            Self::Week => 7 * 86_400,
        })
    }
}

/// Why a link could not be made, shown, revealed or answered. The texts are shown to people.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// No such link (another org's, a wrong token).
    #[error("not found")]
    NotFound,
    /// Bad input, in words.
    #[error("{0}")]
    Invalid(String),
    /// The link has ended (or, for a claim, another request won the last view).
    #[error("{}", ended_text(*.0))]
    Ended(SecretState),
    /// The link belongs to another technician of the org (ASVS 8.2.2).
    #[error(
        "this link belongs to another technician: only they can reveal it or change it, and an admin can burn it"
    )]
    NotYours,
    /// The recipient must pass the code to their phone first.
    #[error("enter the code sent to your phone first")]
    NotVerified,
    /// A send limit for codes was reached.
    #[error("too many codes were sent for this phone recently; wait a few minutes and try again")]
    Limited(LimitHit),
    /// The phone had too many wrong codes recently.
    #[error("this phone had too many wrong codes; wait an hour, or ask the sender for a new link")]
    RecipientLocked,
    /// The message could not be queued.
    #[error(transparent)]
    Message(#[from] MessageError),
    /// The principal lacks the use case's permission.
    #[error(transparent)]
    Denied(#[from] crate::Denied),
    /// A sealed share or key did not open (wrong keyring): internal.
    #[error("a sealed key of this link could not be opened")]
    Sealed,
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

/// Why a link in `state` cannot be used, for the recipient and the technician alike.
fn ended_text(state: SecretState) -> &'static str {
    match state {
        SecretState::Expired => "this link has expired and its contents were deleted",
        SecretState::Burned => "this link was cancelled and its contents were deleted",
        SecretState::Revealed => "this link was already used and its contents were deleted",
        SecretState::Waiting => "this request was not answered yet",
        SecretState::Active => "this link cannot be used now",
    }
}

impl From<StoreError> for SecretError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            e => Self::Store(e),
        }
    }
}

/// The AAD of a secret's sealed column (org, secrets, column, id).
pub(crate) fn aad(org: OrgId, column: SealedColumn, row_id: &str) -> SealAad<'_> {
    crate::microsoft::aad(org, column, row_id)
}

/// `{public_url}{path}`.
pub(crate) fn public_link(app: &crate::App, path: &str) -> String {
    format!(
        "{}{path}",
        app.settings.server.public_url.trim_end_matches('/')
    )
}

/// The page that made a claim is too old, or the claim did not come from one.
pub(crate) fn stale_page() -> SecretError {
    SecretError::Invalid("this page is too old or incomplete; reload it and try again".into())
}

impl crate::UseCaseError for SecretError {
    fn kind(&self) -> crate::ErrorKind {
        use crate::{ErrorKind as K, Refusal};
        match self {
            Self::NotFound => K::NotFound,
            Self::Invalid(_) => K::Invalid,
            Self::Ended(_) => K::Gone,
            Self::NotYours => K::Forbidden(Refusal::Permission),
            Self::Denied(e) => crate::UseCaseError::kind(e),
            Self::NotVerified => K::Conflict,
            Self::Limited(_) | Self::RecipientLocked => K::RateLimited { retry_after: None },
            Self::Message(e) => crate::UseCaseError::kind(e),
            Self::Sealed => K::Internal,
            Self::Store(e) => crate::UseCaseError::kind(e),
        }
    }
}
