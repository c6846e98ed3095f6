//! Technician accounts: the first admin, login with throttling and sessions, the second factor,
//! invites, roles and org settings. The web and the CLI both call these, so the rules and the
//! audit entries are the same whichever way an action arrives.

mod admin;
mod credentials;
mod invites;
mod login;
mod login_guard;
mod manage;
mod password_reset;
mod permissions;
mod pod_handoff;
mod profile;
mod reauth;
mod sessions;
mod totp;
mod views;

pub use admin::CreatedAdmin;
pub use credentials::{ADMIN_RESET_VALIDITY, CredentialReset, PasswordChanged};
pub use invites::{CreatedInvite, InviteDetails};
pub use login::{LoginError, LoginOutcome};
pub use login_guard::{MAX_SLOW_DOWN, slow_down};
pub use password_reset::{FORGOT_RESET_VALIDITY, ResetDetails};
pub use pod_handoff::{
    POD_HANDOFF_LIFETIME, PodHandoffError, ancestor_matches, parse_frame_origin,
};
pub use profile::{EMAIL_CHANGE_VALIDITY, EmailChangeDetails, PendingEmailChange};
pub use sessions::ResolvedSession;
pub use totp::TotpEnrollment;
pub use views::{AccountView, TechnicianView, TechniciansView};

use crate::audit::Actor;
use crate::{App, Denied, Principal};
use countersign_domain::PasswordPolicyError;
use countersign_store::{StoreError, Technician, TechnicianStore};

/// Why an account action was refused. The messages are shown to users as they are.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{0}")]
    WeakPassword(#[from] PasswordPolicyError),
    #[error("{0}")]
    Text(#[from] countersign_domain::text::TextError),
    #[error("enter the name of your organisation")]
    OrgNameRequired,
    #[error("enter your name")]
    NameRequired,
    #[error("the name must be one line, without line breaks or control characters")]
    NameNotOneLine,
    #[error("an account with this email address already exists")]
    EmailTaken,
    #[error("{0}")]
    InvalidEmail(#[from] countersign_domain::email::EmailError),
    #[error("this is already your email address")]
    EmailUnchanged,
    #[error("another technician of your organisation uses this email address")]
    EmailTakenInOrg,
    #[error(
        "this link cannot be used: it was already used, a newer request replaced it, it was cancelled, or it has expired. Ask for the change again on your account page."
    )]
    EmailChangeLinkUnusable,
    #[error(
        "this address already belongs to a Countersign account, so it cannot become the address of another one. Nothing changed."
    )]
    EmailChangeTaken,
    #[error("the two passwords do not match")]
    PasswordMismatch,
    #[error("the current password is not correct")]
    WrongCurrentPassword,
    #[error(
        "this link cannot be used: it was already used, a newer link replaced it, or it has expired. Ask for a new one on the sign-in page (\"Forgot your password?\") or from an admin of your organisation."
    )]
    ResetLinkUnusable,
    #[error("to change your own password, use Change password on your account page")]
    ResetSelf,
    #[error("this technician is deactivated: reactivate them first")]
    ResetInactive,
    #[error("no organisation has this slug")]
    UnknownOrg,
    #[error("this organisation has no technician with this email address")]
    UnknownTechnician,
    #[error("this technician is not an admin")]
    NotAnAdmin,
    #[error(
        "the organisation must keep at least one active admin: make another technician an admin first"
    )]
    LastAdmin,
    /// The principal lacks the permission (kept under this name: tests match it).
    #[error(transparent)]
    NotAllowed(#[from] Denied),
    #[error("that code is not valid: enter the current 6-digit code from your authenticator app")]
    InvalidCode,
    #[error("that code was already used: wait for the next code in your authenticator app")]
    CodeReused,
    #[error("that is neither a current authenticator code nor your password")]
    WrongCodeOrPassword,
    #[error("that is not your password")]
    WrongPassword,
    #[error("enter your password, or a current code from your authenticator app")]
    ProofMissing,
    #[error(
        "confirm it's you first: this action needs your password, or a current authenticator code, from the last few minutes"
    )]
    ReauthRequired,
    #[error("two-factor authentication is already on")]
    AlreadyEnrolled,
    #[error("two-factor authentication is not on")]
    NotEnrolled,
    #[error("no setup is in progress: start the two-factor setup again")]
    NoEnrollment,
    #[error(
        "this invite link cannot be used: it was already used, revoked, or it has expired. Ask an admin of your organisation for a new invite."
    )]
    InviteUnusable,
    #[error("too many attempts, try again in {minutes} minutes")]
    Locked { minutes: u64 },
    #[error("the server is busy checking other passwords: try again in {retry_after_secs} seconds")]
    Busy { retry_after_secs: u64 },
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Store(StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for AccountError {
    fn from(e: StoreError) -> Self {
        match e {
            // Another org's row looks exactly like a missing one.
            StoreError::NotFound => Self::NotFound,
            other => Self::Store(other),
        }
    }
}

impl AccountError {
    /// Whether this is the user's mistake (a wrong code or password: the attempt counts)
    /// rather than a missing resource or a server failure.
    #[must_use]
    pub(crate) fn is_user_error(&self) -> bool {
        !matches!(
            self,
            Self::NotFound
                | Self::Store(_)
                | Self::Internal(_)
                | Self::NotAllowed(_)
                | Self::Busy { .. }
        )
    }
}

impl Actor {
    /// A signed-in technician acting from `ip`.
    #[must_use]
    pub fn technician(t: &Technician, ip: Option<String>) -> Self {
        Self {
            org_id: Some(t.org_id),
            technician_id: Some(t.id),
            label: t.email.clone(),
            ip,
        }
    }
}

impl App {
    /// Argon2id hash, off the async threads (it burns CPU on purpose), within the bound of
    /// the password gate.
    pub(crate) async fn hash_password(&self, password: &str) -> Result<String, AccountError> {
        let hasher = self.passwords.clone();
        let password = password.to_owned();
        self.password_work(move || hasher.hash(&password))
            .await?
            .map_err(|e| AccountError::Internal(e.to_string()))
    }

    /// Argon2id verify, off the async threads, within the bound of the password gate. `None`
    /// (no such account) verifies against the dummy hash, so it takes as long as a real
    /// account's wrong password.
    pub(crate) async fn verify_password(
        &self,
        password: &str,
        phc: Option<String>,
    ) -> Result<bool, AccountError> {
        let hasher = self.passwords.clone();
        let password = password.to_owned();
        self.password_work(move || match phc {
            // A cleared password (an admin's reset) matches nothing, after the same work.
            Some(phc) if phc != credentials::CLEARED_PASSWORD => hasher.verify(&password, &phc),
            _ => hasher.verify_unknown_user(&password),
        })
        .await
    }

    /// Runs Argon2 work on the password gate's threads once it lets it in.
    ///
    /// # Errors
    /// [`AccountError::Busy`] when no slot came free within the queue deadline.
    async fn password_work<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AccountError> {
        self.password_gate.run(work).await.map_err(|e| match e {
            crate::password_gate::GateError::Busy(b) => AccountError::Busy {
                retry_after_secs: b.retry_after_secs,
            },
            crate::password_gate::GateError::Stopped => {
                AccountError::Internal("the password check failed".into())
            }
        })
    }
}

/// Org and technician names go into message headers (the sender's name, subjects): one line.
pub(crate) fn one_line(name: &str) -> Result<(), AccountError> {
    if countersign_messaging::is_header_safe(name) {
        Ok(())
    } else {
        Err(AccountError::NameNotOneLine)
    }
}

/// The password policy for a new password of `email`, named `name`, in the org `org_name`
/// (`countersign_domain::check_password_for`: length, the common-password list, the owner's
/// own words, a zxcvbn score of 3). Every place that sets a password calls this.
///
/// # Errors
/// [`AccountError::WeakPassword`] with the reason and what to do instead.
pub fn check_new_password(
    password: &str,
    email: &str,
    name: &str,
    org_name: &str,
) -> Result<(), AccountError> {
    countersign_domain::check_password_for(
        password,
        &countersign_domain::PasswordOwner {
            email,
            name,
            org_name,
        },
    )?;
    Ok(())
}

impl App {
    /// The technician a principal is, for the use cases on one's own account (a fresh read:
    /// the password hash and the second factor may have changed since the session began).
    ///
    /// # Errors
    /// `NotFound` for the command line or the server (no technician), or a store failure.
    pub(crate) async fn own_technician(&self, by: &Principal) -> Result<Technician, AccountError> {
        let id = by.technician_id().ok_or(AccountError::NotFound)?;
        Ok(self.store.technician(by.org_id(), id).await?)
    }
}

/// The client address of a principal, as the store and the audit log keep it.
pub(crate) fn ip_of(by: &Principal) -> Option<String> {
    by.ip().map(|ip| ip.to_string())
}

impl crate::UseCaseError for AccountError {
    fn kind(&self) -> crate::ErrorKind {
        use crate::{ErrorKind as K, Refusal};
        match self {
            Self::NotFound | Self::UnknownOrg | Self::UnknownTechnician => K::NotFound,
            Self::NotAllowed(e) => crate::UseCaseError::kind(e),
            Self::ReauthRequired => K::Forbidden(Refusal::RecentProof),
            Self::Locked { minutes } => K::RateLimited {
                retry_after: Some(std::time::Duration::from_secs(minutes * 60)),
            },
            Self::Busy { retry_after_secs } => K::Unavailable {
                retry_after: Some(std::time::Duration::from_secs(*retry_after_secs)),
            },
            Self::Store(e) => crate::UseCaseError::kind(e),
            Self::Internal(_) => K::Internal,
            Self::EmailTaken
            | Self::EmailTakenInOrg
            | Self::EmailChangeTaken
            | Self::LastAdmin
            | Self::AlreadyEnrolled
            | Self::NotEnrolled
            | Self::NoEnrollment
            | Self::ResetSelf
            | Self::ResetInactive
            | Self::NotAnAdmin => K::Conflict,
            Self::ResetLinkUnusable | Self::InviteUnusable | Self::EmailChangeLinkUnusable => {
                K::Gone
            }
            Self::WeakPassword(_)
            | Self::Text(_)
            | Self::OrgNameRequired
            | Self::NameRequired
            | Self::NameNotOneLine
            | Self::InvalidEmail(_)
            | Self::EmailUnchanged
            | Self::PasswordMismatch
            | Self::WrongCurrentPassword
            | Self::InvalidCode
            | Self::CodeReused
            | Self::WrongCodeOrPassword
            | Self::WrongPassword
            | Self::ProofMissing => K::Invalid,
        }
    }

    fn fields(&self) -> Vec<crate::FieldMessage> {
        let field = match self {
            Self::WeakPassword(_) => Some("password"),
            Self::PasswordMismatch => Some("confirm"),
            Self::WrongCurrentPassword => Some("current_password"),
            Self::NameRequired | Self::NameNotOneLine => Some("name"),
            Self::OrgNameRequired => Some("org_name"),
            Self::InvalidEmail(_) | Self::EmailUnchanged | Self::EmailTakenInOrg => Some("email"),
            Self::InvalidCode | Self::CodeReused => Some("code"),
            _ => None,
        };
        vec![crate::FieldMessage {
            field,
            message: self.to_string(),
        }]
    }
}
