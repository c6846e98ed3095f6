//! Rows as the store hands them out. Sealed columns stay sealed here: opening them is the
//! caller's job (crates/crypto), so a store bug can never leak plaintext.

use countersign_domain::{InviteId, OrgId, Permissions, Role, SessionId, TechnicianId, Timestamp};

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
    /// Permissions granted on top of the role (admins hold every one by their role).
    pub permissions: Permissions,
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

/// When a throttle key is locked: from its `max`-th counted attempt for one `window`, the
/// lock doubling with each further attempt, up to `max_lock` (`max` 0: never).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LockRule {
    /// Counted attempts that lock the key (0: never locked).
    pub max: u32,
    /// The counting window and the first lock's length.
    pub window: std::time::Duration,
    /// The longest lock; a key that reached `max` keeps counting this long.
    pub max_lock: std::time::Duration,
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
    /// [`crate::audit_mac`]`(key, prev_hash, entry)` with the key named by `key_id`, or, for
    /// an unkeyed entry from before the chain was keyed, [`crate::audit_hash`]`(prev_hash, entry)`.
    pub hash: Vec<u8>,
    /// Id of the keyring key whose derived key MACed this entry; `None` for unkeyed entries
    /// from before the chain was keyed (migration 0020).
    pub key_id: Option<String>,
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
    /// `integrations.gdap_client_secret`.
    IntegrationGdapClientSecret,
    /// `integrations.gdap_refresh_token`.
    IntegrationGdapRefreshToken,
    /// `integrations.gdap_pending_client_secret` (a GDAP sign-in not finished yet).
    IntegrationGdapPendingClientSecret,
    /// `oauth_states.pkce_verifier`.
    OAuthStatePkceVerifier,
    /// `webhook_endpoints.secret`.
    WebhookEndpointSecret,
    /// `secrets.server_share` (the key share released after recipient verification).
    SecretServerShare,
    /// `secrets.private_key` (a request's decryption key).
    SecretPrivateKey,
}

impl SealedColumn {
    /// Every variant, for loops that must cover each sealed column.
    pub const ALL: &'static [Self] = &[
        Self::TechnicianTotpSecret,
        Self::TechnicianTotpPendingSecret,
        Self::IntegrationGdapClientSecret,
        Self::IntegrationGdapRefreshToken,
        Self::IntegrationGdapPendingClientSecret,
        Self::OAuthStatePkceVerifier,
        Self::WebhookEndpointSecret,
        Self::SecretServerShare,
        Self::SecretPrivateKey,
    ];

    /// `(table, column)`: also the associated data a value is sealed with.
    #[must_use]
    pub fn table_column(self) -> (&'static str, &'static str) {
        match self {
            Self::TechnicianTotpSecret => ("technicians", "totp_secret"),
            Self::TechnicianTotpPendingSecret => ("technicians", "totp_pending_secret"),
            Self::IntegrationGdapClientSecret => ("integrations", "gdap_client_secret"),
            Self::IntegrationGdapRefreshToken => ("integrations", "gdap_refresh_token"),
            Self::IntegrationGdapPendingClientSecret => {
                ("integrations", "gdap_pending_client_secret")
            }
            Self::OAuthStatePkceVerifier => ("oauth_states", "pkce_verifier"),
            Self::WebhookEndpointSecret => ("webhook_endpoints", "secret"),
            Self::SecretServerShare => ("secrets", "server_share"),
            Self::SecretPrivateKey => ("secrets", "private_key"),
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

/// Where a job is in its life. A job that succeeds is deleted; its effect (e.g. the message's
/// state) is the record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JobState {
    /// Waiting for `run_at`.
    Queued,
    /// Claimed by a worker whose lease ends at `run_at`.
    Running,
    /// Out of attempts; kept with its last error until an admin retries or deletes it.
    Dead,
}

impl JobState {
    /// Every state, in display order.
    pub const ALL: &'static [Self] = &[Self::Queued, Self::Running, Self::Dead];

    /// The stored text.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Dead => "dead",
        }
    }

    /// Parses the stored text; `None` for anything else.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == s)
    }
}

/// A job to put on the queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewJob {
    /// Primary key.
    pub id: countersign_domain::JobId,
    /// The org the work is for.
    pub org_id: OrgId,
    /// What to do, e.g. `send_message`; the runner picks the handler by it.
    pub kind: String,
    /// JSON arguments of the handler; ids only, never secrets.
    pub payload: String,
    /// Attempts before the job is declared dead.
    pub max_attempts: i64,
    /// Not before this instant.
    pub run_at: Timestamp,
    /// At most one job of the org with this key exists at a time.
    pub dedup_key: Option<String>,
    /// When it was queued.
    pub created_at: Timestamp,
}

/// A job as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    /// What was queued.
    pub job: NewJob,
    /// Where it is.
    pub state: JobState,
    /// Attempts started so far (a claim counts as one).
    pub attempts: i64,
    /// For a running job: the worker holding the lease.
    pub locked_by: Option<String>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// Last change.
    pub updated_at: Timestamp,
}

/// How many jobs of an org are in each state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JobCounts {
    /// Waiting.
    pub queued: i64,
    /// Claimed by a worker.
    pub running: i64,
    /// Out of attempts.
    pub dead: i64,
}

/// The channel a message goes through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Channel {
    /// A text message to an E.164 number.
    Sms,
    /// An email to an address.
    Email,
}

impl Channel {
    /// The stored text.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sms => "sms",
            Self::Email => "email",
        }
    }

    /// Parses the stored text.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "sms" => Some(Self::Sms),
            "email" => Some(Self::Email),
            _ => None,
        }
    }
}

/// Which transport delivers (or, for the outbox, keeps) a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TransportKind {
    /// Stored and shown on the Outbox page; never delivered.
    Outbox,
    /// SMS through the Twilio Messages API.
    Twilio,
    /// Email through an SMTP relay.
    Smtp,
    /// Email through Microsoft Graph `sendMail`, from the org's Microsoft 365 mailbox.
    Graph,
}

impl TransportKind {
    /// The stored text.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Outbox => "outbox",
            Self::Twilio => "twilio",
            Self::Smtp => "smtp",
            Self::Graph => "graph",
        }
    }

    /// Parses the stored text.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "outbox" => Some(Self::Outbox),
            "twilio" => Some(Self::Twilio),
            "smtp" => Some(Self::Smtp),
            "graph" => Some(Self::Graph),
            _ => None,
        }
    }
}

/// Where a message is. States only move forward ([`MessageState::rank`]), except that a
/// failed attempt puts a `sending` message back to `queued` for the retry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageState {
    /// Waiting for a worker.
    Queued,
    /// A worker is handing it to the provider.
    Sending,
    /// The provider took it (Twilio `queued`/`accepted`).
    Accepted,
    /// The provider sent it on (Twilio `sent`; SMTP: the relay accepted it).
    Sent,
    /// The handset confirmed receipt.
    Delivered,
    /// The carrier could not deliver it.
    Undelivered,
    /// It will not be delivered (refused by the provider, opted out, out of attempts).
    Failed,
    /// Kept in the outbox: not delivered, by configuration.
    Outbox,
}

impl MessageState {
    /// Every state.
    pub const ALL: &'static [Self] = &[
        Self::Queued,
        Self::Sending,
        Self::Accepted,
        Self::Sent,
        Self::Delivered,
        Self::Undelivered,
        Self::Failed,
        Self::Outbox,
    ];

    /// The stored text.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sending => "sending",
            Self::Accepted => "accepted",
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Undelivered => "undelivered",
            Self::Failed => "failed",
            Self::Outbox => "outbox",
        }
    }

    /// Parses the stored text.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == s)
    }

    /// Progress order: a transition is applied only to a message of lower rank, so a late
    /// or replayed status callback never moves a message backwards.
    #[must_use]
    pub fn rank(self) -> u8 {
        match self {
            Self::Queued => 0,
            Self::Sending => 1,
            Self::Accepted => 2,
            Self::Sent => 3,
            Self::Delivered | Self::Undelivered | Self::Failed | Self::Outbox => 4,
        }
    }

    /// Whether nothing more happens to the message.
    #[must_use]
    pub fn is_final(self) -> bool {
        self.rank() == 4
    }
}

/// A message to queue. `Debug` leaves out the recipient and the bodies: they may carry codes
/// or links, and debug output ends up in logs.
#[derive(Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// Primary key.
    pub id: countersign_domain::MessageId,
    /// The org sending it.
    pub org_id: OrgId,
    /// SMS or email.
    pub channel: Channel,
    /// Name of the template it was rendered from.
    pub template: String,
    /// E.164 number or email address.
    pub recipient: String,
    /// Email subject (empty for SMS).
    pub subject: String,
    /// Plain-text body (the SMS text).
    pub body_text: String,
    /// HTML body (email only).
    pub body_html: Option<String>,
    /// Who delivers it.
    pub transport: TransportKind,
    /// Unique per org: queuing the same key again returns the first message.
    pub idempotency_key: String,
    /// When it was queued.
    pub created_at: Timestamp,
}

impl std::fmt::Debug for NewMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewMessage")
            .field("id", &self.id)
            .field("org_id", &self.org_id)
            .field("channel", &self.channel)
            .field("template", &self.template)
            .field("transport", &self.transport)
            .finish_non_exhaustive()
    }
}

/// A stored message. `Debug` leaves out the recipient and the bodies (see [`NewMessage`]).
#[derive(Clone, PartialEq, Eq)]
pub struct Message {
    /// Primary key.
    pub id: countersign_domain::MessageId,
    /// The org sending it.
    pub org_id: OrgId,
    /// SMS or email.
    pub channel: Channel,
    /// Template name.
    pub template: String,
    /// E.164 number or email address (mask it in lists).
    pub recipient: String,
    /// Email subject.
    pub subject: String,
    /// Plain-text body; `None` once a live transport took the message.
    pub body_text: Option<String>,
    /// HTML body; `None` for SMS and once a live transport took the message.
    pub body_html: Option<String>,
    /// Who delivers it.
    pub transport: TransportKind,
    /// Where it is.
    pub state: MessageState,
    /// The provider's id (Twilio message SID, SMTP Message-ID).
    pub provider_id: Option<String>,
    /// Delivery attempts started.
    pub attempts: i64,
    /// The last error, in words.
    pub last_error: Option<String>,
    /// The provider's error code (e.g. Twilio `30003`).
    pub error_code: Option<String>,
    /// Unique per org.
    pub idempotency_key: String,
    /// When it was queued.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Message")
            .field("id", &self.id)
            .field("org_id", &self.org_id)
            .field("channel", &self.channel)
            .field("template", &self.template)
            .field("transport", &self.transport)
            .field("state", &self.state)
            .field("provider_id", &self.provider_id)
            .field("attempts", &self.attempts)
            .field("last_error", &self.last_error)
            .finish_non_exhaustive()
    }
}

/// A change of a message's state, applied only if the message's rank is below the new one
/// (or, for a retry back to `queued`, only from `sending`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    /// The new state.
    pub state: MessageState,
    /// When it happened.
    pub at: Timestamp,
    /// The provider's id, when it became known.
    pub provider_id: Option<String>,
    /// The error, in words (kept as `last_error`).
    pub error: Option<String>,
    /// The provider's error code.
    pub error_code: Option<String>,
    /// Short non-secret note for the history (e.g. "twilio status callback").
    pub detail: String,
}

impl Transition {
    /// A transition without provider id or error.
    #[must_use]
    pub fn to(state: MessageState, at: Timestamp, detail: &str) -> Self {
        Self {
            state,
            at,
            provider_id: None,
            error: None,
            error_code: None,
            detail: detail.to_owned(),
        }
    }
}

/// One entry of a message's state history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageEvent {
    /// When.
    pub at: Timestamp,
    /// The state entered.
    pub state: MessageState,
    /// What caused it (never a body).
    pub detail: String,
}

/// Filters of message lists (Outbox page, tests). Newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MessageFilter {
    /// Only this transport.
    pub transport: Option<TransportKind>,
    /// Only this channel.
    pub channel: Option<Channel>,
    /// At most this many (clamped to `0..=`[`crate::MAX_MESSAGE_PAGE`]).
    pub limit: i64,
}

/// How an org's messages look. Absent: the org's name and neutral defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Branding {
    /// The org.
    pub org_id: OrgId,
    /// Name shown as sender and in headers.
    pub display_name: String,
    /// https URL of a logo for HTML email (empty: none).
    pub logo_url: String,
    /// Accent colour, `#rrggbb`.
    pub colour: String,
    /// Footer line of every message.
    pub footer: String,
    /// Reply-To address of emails (empty: none).
    pub reply_to: String,
    /// Last change.
    pub updated_at: Timestamp,
}

/// A change to a technician that can take away an org's active admin (see
/// [`crate::TechnicianStore::change_keeping_an_admin`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TechnicianChange {
    /// A new role.
    Role(Role),
    /// Reactivated (`true`) or deactivated (`false`, which also ends every session).
    Active(bool),
}
