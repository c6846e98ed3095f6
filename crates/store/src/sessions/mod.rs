//! Sessions of signed-in technicians, found by the hash of their cookie token.

pub(crate) mod rows;
pub(crate) mod sql;

use crate::forwarding::store_trait;
use crate::{Org, StoreResult, Technician};
use countersign_domain::{OrgId, SessionId, TechnicianId, Timestamp};

/// How far a login has got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionStage {
    /// Password accepted, the second factor is still due.
    SecondFactor,
    /// Fully signed in.
    Full,
    /// The Pod's own session, handed over from a full session to a PSA's iframe: accepted on
    /// the Pod's routes only.
    Pod,
}

impl SessionStage {
    /// The stored text (`second_factor`, `full` or `pod`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SecondFactor => "second_factor",
            Self::Full => "full",
            Self::Pod => "pod",
        }
    }

    /// Parses the stored text; `None` for anything else.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "second_factor" => Some(Self::SecondFactor),
            "full" => Some(Self::Full),
            "pod" => Some(Self::Pod),
            _ => None,
        }
    }
}

/// A server-side session. The cookie carries a 256-bit token; only its SHA-256 is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// Primary key (not the cookie token).
    pub id: SessionId,
    /// SHA-256 of the cookie token (unique).
    pub token_hash: Vec<u8>,
    /// The org of the signed-in technician.
    pub org_id: OrgId,
    /// The signed-in technician.
    pub technician_id: TechnicianId,
    /// How far the login has got.
    pub stage: SessionStage,
    /// When the session began.
    pub created_at: Timestamp,
    /// Last request seen (for the idle timeout).
    pub last_seen_at: Timestamp,
    /// Absolute end of the session, whatever the activity.
    pub expires_at: Timestamp,
    /// Client address at sign-in.
    pub ip: String,
    /// Client `User-Agent` at sign-in.
    pub user_agent: String,
    /// When the technician last proved themselves in this session (sign-in, or the
    /// "Confirm it's you" page); `None` when never (second-factor and Pod sessions).
    /// Sensitive actions need a recent one (ASVS 7.5.1).
    pub reauthenticated_at: Option<Timestamp>,
}

store_trait! {
/// Server-side sessions.
pub trait SessionStore {
    /// Inserts a session. `Conflict` when the token hash is taken.
    async fn create_session(&self, s: &Session) -> StoreResult<()>;
    /// Lookup by the hash of the cookie token. Not org-scoped: the token is the capability.
    async fn session_by_token_hash(&self, token_hash: &[u8]) -> StoreResult<Option<Session>>;
    /// The same lookup with the session's technician and org, in one read (every request
    /// resolves its session). Not org-scoped, for the same reason.
    async fn session_with_owner(
        &self,
        token_hash: &[u8],
    ) -> StoreResult<Option<(Session, Technician, Org)>>;
    /// Records activity (for the idle timeout). Never moves `last_seen_at` backwards; a
    /// session deleted meanwhile is not an error.
    async fn touch_session(&self, id: SessionId, at: Timestamp) -> StoreResult<()>;
    /// Ends one session (signing out). Deleting a missing session is not an error.
    async fn delete_session(&self, id: SessionId) -> StoreResult<()>;
    /// Signs a technician out everywhere. Returns how many sessions ended.
    async fn delete_sessions_of(&self, org: OrgId, technician: TechnicianId) -> StoreResult<u64>;
    /// Sessions of a technician not yet purged, newest first.
    async fn sessions_of(&self, org: OrgId, technician: TechnicianId) -> StoreResult<Vec<Session>>;
    /// Deletes sessions whose absolute expiry passed (`expires_at <= now`) or that were idle
    /// since `idle_before` (`last_seen_at < idle_before`). Returns how many.
    async fn purge_sessions(&self, now: Timestamp, idle_before: Timestamp) -> StoreResult<u64>;
}
}
