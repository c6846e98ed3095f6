//! Credential recovery: one-time links that let a technician set a new password ("forgot
//! password", an admin's reset, `countersign admin reset`), the password change that ends the
//! technician's other sessions, and the [`CredentialStore`] contract with its forwarding for
//! [`Store`] (docs/security.md "Credential change and recovery").

pub(crate) mod sql;

use crate::forwarding::store_trait;
use crate::{StoreError, StoreResult};
use countersign_domain::{OrgId, SessionId, TechnicianId, Timestamp};

/// Why a reset link was made; it decides how long the link lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordResetKind {
    /// The technician asked by email ("Forgot your password?").
    Forgot,
    /// An admin (or the CLI) reset the password and the second factor.
    Admin,
}

impl PasswordResetKind {
    /// The stored name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Forgot => "forgot",
            Self::Admin => "admin",
        }
    }

    /// The kind of a stored name.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] for a name the schema's check does not allow.
    pub fn parse(s: &str) -> StoreResult<Self> {
        match s {
            "forgot" => Ok(Self::Forgot),
            "admin" => Ok(Self::Admin),
            other => Err(StoreError::Corrupt(format!(
                "unknown password reset kind {other:?}"
            ))),
        }
    }
}

/// A reset link waiting to be used. Only the SHA-256 of its token is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasswordReset {
    /// SHA-256 of the link token (primary key).
    pub token_hash: Vec<u8>,
    /// The technician's org.
    pub org_id: OrgId,
    /// Whose password the link sets.
    pub technician_id: TechnicianId,
    /// Why it was made.
    pub kind: PasswordResetKind,
    /// When it was made.
    pub created_at: Timestamp,
    /// It works strictly before this instant.
    pub expires_at: Timestamp,
}

/// One recovery code as the Account page shows it: its number in the list shown at
/// enrolment and when it was used. Nothing of the code itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecoveryCodeState {
    /// 1-based number in the enrolment list; `None` for codes issued before migration 0021.
    pub position: Option<i64>,
    /// When it was used, if it was.
    pub used_at: Option<Timestamp>,
}

store_trait! {
/// Password changes, reset links and the recovery codes' states.
pub trait CredentialStore {
    /// Replaces the password hash and deletes every session of the technician except `keep`
    /// (the one that made the change), in one transaction. Returns how many sessions ended.
    /// `NotFound` when the org has no such technician.
    async fn change_password(
        &self,
        org: OrgId,
        id: TechnicianId,
        password_hash: &str,
        keep: SessionId,
    ) -> StoreResult<u64>;
    /// Stores a reset link, deleting the technician's older links in the same transaction
    /// (a newer link invalidates older ones).
    async fn create_password_reset(&self, reset: &PasswordReset) -> StoreResult<()>;
    /// The link with this token hash, expired or not (the caller checks). Not org-scoped:
    /// the person opening the link has no session; the token is the capability.
    async fn password_reset_by_token_hash(
        &self,
        token_hash: &[u8],
    ) -> StoreResult<Option<PasswordReset>>;
    /// Uses a link: deletes it (when unexpired at `at`), sets the password hash of its
    /// technician (when still active) and deletes every session of the technician, in one
    /// transaction. Of two requests with the same link exactly one gets `Some`; an expired,
    /// used, replaced or unknown link, or a deactivated technician, gives `None` and changes
    /// nothing. Not org-scoped, for the same reason as the lookup.
    async fn complete_password_reset(
        &self,
        token_hash: &[u8],
        password_hash: &str,
        at: Timestamp,
    ) -> StoreResult<Option<PasswordReset>>;
    /// An admin's reset, in one transaction: the password hash becomes `cleared_hash` (which
    /// no password matches), TOTP is turned off, recovery codes and every session deleted,
    /// older links deleted and `reset` stored. Returns how many sessions ended. `NotFound`
    /// when the org has no such technician (`reset` must name the same org and technician).
    async fn reset_credentials(
        &self,
        reset: &PasswordReset,
        cleared_hash: &str,
    ) -> StoreResult<u64>;
    /// The technician's recovery codes in enrolment order (codes without a number last).
    async fn recovery_code_states(
        &self,
        org: OrgId,
        id: TechnicianId,
    ) -> StoreResult<Vec<RecoveryCodeState>>;
}
}
