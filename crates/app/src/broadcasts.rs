//! Broadcast (issue 20): announcements to a frozen audience of contacts. One file per job:
//! writing a draft (`drafts.rs`), previewing its audience and its message for one contact
//! (`preview.rs`), asking for and giving the approval that freezes the audience
//! (`approval.rs`), the org's rules (`rules.rs`: approval threshold, daily cap) and its
//! reusable texts (`templates.rs`).
//!
//! Delivering (`delivery.rs`): the approval queues one `broadcast.deliver` job, which turns
//! the frozen rows into messages on the existing queue and completes the broadcast; cancel
//! and "retry failed only" are there too. A message's texts are rendered when a worker hands
//! it over (`bodies.rs`). Watching it: progress, the per-recipient report,
//! its CSV and the replies (`reads.rs`); a test send to the technician (`test_send.rs`).
//!
//! Drafting needs `DraftBroadcasts` (every technician); asking for approval, approving,
//! cancelling and retrying need `SendBroadcasts` (admins, or granted).

mod approval;
pub(crate) mod bodies;
mod delivery;
mod drafts;
mod preview;
mod reads;
mod rules;
mod templates;
mod test_send;
pub mod unsubscribe;

pub use delivery::DeliveryStep;
pub use drafts::BroadcastInput;
pub use preview::MessagePreview;
pub use reads::{BroadcastPeople, BroadcastProgress, BroadcastReplyView, RecipientReport};
pub use rules::BroadcastRules;
pub use test_send::TestSend;

use crate::error::{ErrorKind, FieldMessage, Refusal, UseCaseError};
use countersign_domain::BroadcastStatus;
use countersign_domain::text::TextError;
use countersign_messaging::broadcast::UnknownMergeFields;
use countersign_store::StoreError;

/// Why a broadcast action was refused. The messages are shown to users as they are.
#[derive(Debug, thiserror::Error)]
pub enum BroadcastError {
    /// The principal lacks the use case's permission.
    #[error(transparent)]
    Denied(#[from] crate::Denied),
    /// An input field is missing or malformed; `field` names it for the form.
    #[error("{message}")]
    Invalid {
        /// The form field.
        field: &'static str,
        /// What to fix.
        message: String,
    },
    /// A text uses a merge field that does not exist.
    #[error("{field}: {source}")]
    MergeField {
        /// The form field.
        field: &'static str,
        /// Which fields are unknown.
        source: UnknownMergeFields,
    },
    /// Only a draft can change or be submitted; an approver must see exactly what goes out.
    #[error("this broadcast is {}: {}", .0.label().to_lowercase(), action_for(*.0))]
    WrongState(BroadcastStatus),
    /// Someone else's draft: only its author or a technician who may send broadcasts edits it.
    #[error(
        "only the author of this draft, or a technician who may send broadcasts, can change it"
    )]
    NotAuthor,
    /// Above the org's threshold the approver must be an admin other than the author and the
    /// one who asked for approval.
    #[error(
        "this broadcast reaches {recipients} recipients, above your organisation's threshold of \
         {threshold}: another admin (not its author, not who asked for approval) must approve it"
    )]
    NeedsSecondAdmin {
        /// Recipients it would reach.
        recipients: i64,
        /// The org's threshold.
        threshold: i64,
    },
    /// Approving would exceed the org's daily recipient cap.
    #[error(
        "approving this broadcast ({recipients} recipients) would exceed your organisation's \
         daily cap of {cap} recipients ({used} approved in the last 24 hours)"
    )]
    OverDailyCap {
        /// Recipients of this broadcast.
        recipients: i64,
        /// Recipients approved in the last 24 hours.
        used: i64,
        /// The cap.
        cap: i64,
    },
    /// The audience resolves to another count than the approver confirmed: nothing was
    /// approved.
    #[error(
        "the audience has changed: it now has {recipients} recipients, not the {confirmed} you \
         confirmed; check the new count and confirm it"
    )]
    CountChanged {
        /// What the approver confirmed.
        confirmed: i64,
        /// What it has now.
        recipients: i64,
    },
    /// The server cannot send on one of the broadcast's channels (a setting is missing).
    #[error("{0}")]
    Lane(&'static str),
    /// Too many test sends in the last hour.
    #[error(
        "too many test sends: wait an hour before sending another (at most 5 per technician \
         and 20 per organisation an hour)"
    )]
    TooManyTests,
    /// A message template failed (a bug).
    #[error(transparent)]
    Template(#[from] countersign_messaging::TemplateError),
    /// Approval needs a person to answer for it (not the command line or a job).
    #[error("a broadcast is approved by a signed-in technician")]
    NeedsTechnician,
    /// A store failure.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn action_for(s: BroadcastStatus) -> &'static str {
    if s == BroadcastStatus::AwaitingApproval {
        "it can be approved, not changed"
    } else {
        "it can no longer be changed or approved"
    }
}

impl BroadcastError {
    pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            message: message.into(),
        }
    }

    pub(crate) fn text(field: &'static str, e: TextError) -> Self {
        Self::invalid(field, e.to_string())
    }
}

impl UseCaseError for BroadcastError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::Denied(d) => d.kind(),
            Self::Invalid { .. } | Self::MergeField { .. } => ErrorKind::Invalid,
            Self::WrongState(_) | Self::CountChanged { .. } => ErrorKind::Conflict,
            Self::Lane(_) => ErrorKind::Unavailable { retry_after: None },
            Self::NotAuthor | Self::NeedsSecondAdmin { .. } | Self::NeedsTechnician => {
                ErrorKind::Forbidden(Refusal::Permission)
            }
            Self::OverDailyCap { .. } | Self::TooManyTests => {
                ErrorKind::RateLimited { retry_after: None }
            }
            Self::Template(_) => ErrorKind::Internal,
            Self::Store(e) => e.kind(),
        }
    }

    fn fields(&self) -> Vec<FieldMessage> {
        let field = match self {
            Self::Invalid { field, .. } | Self::MergeField { field, .. } => Some(*field),
            _ => None,
        };
        vec![FieldMessage {
            field,
            message: self.to_string(),
        }]
    }
}
