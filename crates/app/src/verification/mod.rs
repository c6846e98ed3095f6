//! End-user verification (SMS code, approve link with number matching) and technician
//! verification ("who I am", and checks the end user starts). Every number comes from
//! security.md §2.4–2.5; every step is audited with ids and metadata only.

mod check;
mod events;
mod link;
mod outreach;
mod settings;
pub(crate) mod start;
mod sweep;
mod technician;
mod views;

pub use check::CodeOutcome;
pub use link::LinkView;
pub use outreach::{TechnicianOutreachView, VerificationPolicy};
pub use settings::VerificationSettingsInput;
pub use start::{Method, StartRequest, Started};
pub use technician::{CheckView, TechnicianCheckError, WhoIAm};
pub use views::InboxView;

use crate::Principal;
use crate::messages::MessageError;
use countersign_domain::{Role, Timestamp};
use countersign_store::{LimitHit, StoreError};

/// Wrong codes after which a verification is dead.
pub const MAX_CODE_ATTEMPTS: i64 = 5;
/// Consecutive wrong codes for one recipient (across verifications) after which no new code
/// goes to them until [`RECIPIENT_LOCK`] passed since the last one (far under NIST's 100).
pub const MAX_RECIPIENT_FAILURES: i64 = 10;
/// How long a recipient with too many wrong codes is locked.
pub const RECIPIENT_LOCK: std::time::Duration = std::time::Duration::from_secs(3600);

/// Why a verification could not be started or answered. The texts are shown to technicians.
#[derive(Debug, thiserror::Error)]
pub enum VerificationError {
    /// No such contact or verification in this org.
    #[error("not found")]
    NotFound,
    /// Bad input, in words.
    #[error("{0}")]
    Invalid(String),
    /// The principal lacks the use case's permission.
    #[error(transparent)]
    Denied(#[from] crate::Denied),
    /// A send limit was reached.
    #[error("{}", .0.text())]
    Limited(SendLimited),
    /// The recipient had too many wrong codes recently.
    #[error(
        "this phone number had too many wrong codes; wait an hour or verify the caller another way"
    )]
    RecipientLocked,
    /// The message could not be queued.
    #[error(transparent)]
    Message(#[from] MessageError),
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for VerificationError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            e => Self::Store(e),
        }
    }
}

/// Whether `by` may send a code or link to a destination typed instead of the one of record:
/// admins only (and the command line). It is no permission of its own: a typed number is
/// audited, and only the role that may change every contact anyway may use one.
#[must_use]
pub fn may_type_destination(by: &Principal) -> bool {
    by.role().is_none_or(|r| r == Role::Admin)
}

/// A send a limit stopped: which limit, of which kind of send, and when the next is allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SendLimited {
    pub hit: LimitHit,
    /// A "who I am" send (its limits are its own, counted apart from verifications').
    pub who_i_am: bool,
    /// When the store was asked.
    pub now: Timestamp,
    /// When a send like it is allowed again (`None`: the counts moved meanwhile; try again).
    pub next_at: Option<Timestamp>,
}

impl SendLimited {
    /// What the technician reads: the limit, and when the next send is allowed ("at 14:12
    /// UTC (in 4 min)").
    #[must_use]
    pub fn text(&self) -> String {
        let what = if self.who_i_am {
            "\u{201c}who I am\u{201d} messages"
        } else {
            "verifications"
        };
        let limit = match self.hit {
            LimitHit::Recipient => {
                format!("this contact was sent the most {what} allowed in 10 minutes")
            }
            LimitHit::Technician => format!("you sent the most {what} allowed per hour"),
            LimitHit::Org => format!("your org reached its daily limit of {what}"),
        };
        let when = match self.next_at {
            Some(at) => format!(
                "the next send is allowed at {} ({})",
                at.display_near(self.now),
                at.wait_from(self.now)
            ),
            None => "try again now".into(),
        };
        let other = match (self.hit, self.who_i_am) {
            (LimitHit::Org, _) => {
                "; an admin can raise the limits in Settings \u{25b8} Verification"
            }
            (_, false) => "; or verify them another way",
            (_, true) => "",
        };
        format!("{limit}: {when}{other}")
    }

    /// How long until the next send is allowed, for `Retry-After`.
    #[must_use]
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        self.next_at.map(|at| {
            std::time::Duration::from_millis(u64::try_from(at.0 - self.now.0).unwrap_or(0))
        })
    }
}

impl crate::UseCaseError for VerificationError {
    fn kind(&self) -> crate::ErrorKind {
        use crate::ErrorKind as K;
        match self {
            Self::NotFound => K::NotFound,
            Self::Invalid(_) => K::Invalid,
            Self::Denied(e) => crate::UseCaseError::kind(e),
            Self::Limited(l) => K::RateLimited {
                retry_after: l.retry_after(),
            },
            Self::RecipientLocked => K::RateLimited { retry_after: None },
            Self::Message(e) => crate::UseCaseError::kind(e),
            Self::Store(e) => crate::UseCaseError::kind(e),
        }
    }
}
