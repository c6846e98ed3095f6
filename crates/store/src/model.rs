//! Rows as the store hands them out. Sealed columns stay sealed here: opening them is the
//! caller's job (crates/crypto), so a store bug can never leak plaintext.

use countersign_domain::{InviteId, OrgId, Role, SessionId, TechnicianId, Timestamp};

/// One MSP account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Org {
    /// Primary key.
    pub id: OrgId,
    /// Display name.
    pub name: String,
    /// Unique, used in public URLs.
    pub slug: String,
    /// Every technician must enroll TOTP before using the app.
    pub require_2fa: bool,
    /// When the org was created.
    pub created_at: Timestamp,
}

/// A technician account. `email` is globally unique (it is the login name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Technician {
    /// Primary key.
    pub id: TechnicianId,
    /// The org the technician belongs to.
    pub org_id: OrgId,
    /// Login name, lowercased (the store lowercases it again on write and lookup).
    pub email: String,
    /// Display name.
    pub name: String,
    /// What the technician may do in the org.
    pub role: Role,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Inactive technicians cannot sign in.
    pub active: bool,
    /// Sealed TOTP seed once 2FA is enrolled.
    pub totp_secret: Option<Vec<u8>>,
    /// Sealed TOTP seed offered during enrollment, not yet confirmed.
    pub totp_pending_secret: Option<Vec<u8>>,
    /// When 2FA was enabled (`None` while it is off).
    pub totp_enabled_at: Option<Timestamp>,
    /// Highest TOTP time step accepted, so a code is accepted only once.
    pub totp_last_step: i64,
    /// When the account was created.
    pub created_at: Timestamp,
    /// Last successful sign-in.
    pub last_login_at: Option<Timestamp>,
}

/// An invitation to join an org. Only a hash of the link token is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invite {
    /// Primary key.
    pub id: InviteId,
    /// The org the invitee joins.
    pub org_id: OrgId,
    /// Address the invite was sent to (lowercased).
    pub email: String,
    /// Role the invitee gets.
    pub role: Role,
    /// SHA-256 of the link token (unique).
    pub token_hash: Vec<u8>,
    /// The technician (of the same org) who sent the invite.
    pub invited_by: TechnicianId,
    /// When the invite was sent.
    pub created_at: Timestamp,
    /// The invite can be accepted strictly before this instant.
    pub expires_at: Timestamp,
    /// When it was accepted, if it was.
    pub accepted_at: Option<Timestamp>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<Timestamp>,
}

/// How far a login has got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionStage {
    /// Password accepted, the second factor is still due.
    SecondFactor,
    /// Fully signed in.
    Full,
}

impl SessionStage {
    /// The stored text (`second_factor` or `full`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SecondFactor => "second_factor",
            Self::Full => "full",
        }
    }

    /// Parses the stored text; `None` for anything else.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "second_factor" => Some(Self::SecondFactor),
            "full" => Some(Self::Full),
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
}

/// Failure counter for one throttle key (`account:<email>` or `ip:<addr>`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Throttle {
    /// `account:<email>` or `ip:<addr>`.
    pub key: String,
    /// Failures since `first_failure_at`.
    pub failures: i64,
    /// First failure of the current window.
    pub first_failure_at: Timestamp,
    /// Most recent failure.
    pub last_failure_at: Timestamp,
}

/// An audit entry to append; the store assigns `seq` and the hash chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAuditEntry {
    /// The org the event belongs to; `None` for server-wide events.
    pub org_id: Option<OrgId>,
    /// When it happened.
    pub at: Timestamp,
    /// The technician who acted, if one did.
    pub actor_id: Option<TechnicianId>,
    /// Human label of the actor at the time (email, "system", "cli").
    pub actor_label: String,
    /// Dotted action name, e.g. `login.failed`, `technician.invited`.
    pub action: String,
    /// What the action was about (an id or a masked address); never a secret.
    pub target: String,
    /// JSON object with further non-secret detail.
    pub detail: String,
    /// Client address, when the event came from a request.
    pub ip: Option<String>,
}

/// A stored audit entry, linked to the previous one by `prev_hash`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    /// Position in the chain, from 1, without gaps.
    pub seq: i64,
    /// What was recorded.
    pub entry: NewAuditEntry,
    /// `hash` of the previous entry ([`crate::AUDIT_GENESIS`] for the first).
    pub prev_hash: Vec<u8>,
    /// [`crate::audit_hash`]`(prev_hash, entry)`.
    pub hash: Vec<u8>,
}

/// Filters of the Audit page. All optional; results newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only entries by this actor.
    pub actor_id: Option<TechnicianId>,
    /// Prefix match on the action name (`login` finds `login.ok` and `login.failed`).
    pub action_prefix: Option<String>,
    /// Only entries at or after this instant (inclusive).
    pub from: Option<Timestamp>,
    /// Only entries before this instant (exclusive).
    pub to: Option<Timestamp>,
    /// Keyset pagination: only entries with `seq` below this.
    pub before_seq: Option<i64>,
    /// At most this many entries (clamped to `0..=`[`crate::MAX_AUDIT_PAGE`]).
    pub limit: i64,
}

/// Every column that holds a sealed value, so `keys rotate` can find them all.
/// Adding a sealed column means adding it here; the conformance suite checks each variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SealedColumn {
    /// `technicians.totp_secret`.
    TechnicianTotpSecret,
    /// `technicians.totp_pending_secret`.
    TechnicianTotpPendingSecret,
}

impl SealedColumn {
    /// Every variant, for loops that must cover each sealed column.
    pub const ALL: &'static [Self] = &[
        Self::TechnicianTotpSecret,
        Self::TechnicianTotpPendingSecret,
    ];

    /// `(table, column)`: also the associated data a value is sealed with.
    #[must_use]
    pub fn table_column(self) -> (&'static str, &'static str) {
        match self {
            Self::TechnicianTotpSecret => ("technicians", "totp_secret"),
            Self::TechnicianTotpPendingSecret => ("technicians", "totp_pending_secret"),
        }
    }
}

/// One sealed value with what binds it to its place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedValue {
    /// The org of the row (part of the associated data).
    pub org_id: OrgId,
    /// The row's primary key as text.
    pub row_id: String,
    /// The sealed bytes.
    pub value: Vec<u8>,
}
