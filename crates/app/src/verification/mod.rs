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
use countersign_domain::Role;
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
    #[error("{}", limit_text(*.0))]
    Limited(LimitHit),
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

fn limit_text(hit: LimitHit) -> &'static str {
    match hit {
        LimitHit::Recipient => {
            "this contact was sent the most verifications allowed in 10 minutes; wait, or verify them another way"
        }
        LimitHit::Technician => {
            "you started the most verifications allowed per hour; ask an admin if you need more"
        }
        LimitHit::Org => {
            "your org reached its daily verification limit; an admin can raise it in Settings ▸ Verification"
        }
    }
}

impl crate::UseCaseError for VerificationError {
    fn kind(&self) -> crate::ErrorKind {
        use crate::ErrorKind as K;
        match self {
            Self::NotFound => K::NotFound,
            Self::Invalid(_) => K::Invalid,
            Self::Denied(e) => crate::UseCaseError::kind(e),
            Self::Limited(_) | Self::RecipientLocked => K::RateLimited { retry_after: None },
            Self::Message(e) => crate::UseCaseError::kind(e),
            Self::Store(e) => crate::UseCaseError::kind(e),
        }
    }
}
