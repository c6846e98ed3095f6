//! Messages: SMS and email queued for delivery, their state machine and events.

pub(crate) mod sql;

use crate::forwarding::store_trait;
use crate::{NewJob, StoreResult};
use countersign_domain::{Channel, Lane, MessageId, OrgId, Timestamp};

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
    /// Which sender it goes out from.
    pub lane: Lane,
    /// The https link of the email's `List-Unsubscribe` header (RFC 2369, one-click per
    /// RFC 8058): broadcast emails only, `None` for everything else.
    pub list_unsubscribe: Option<String>,
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
            .field("lane", &self.lane)
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
    /// Which sender it goes out from.
    pub lane: Lane,
    /// The https link of the email's `List-Unsubscribe` header (broadcast emails only).
    pub list_unsubscribe: Option<String>,
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
            .field("lane", &self.lane)
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

store_trait! {
/// Outgoing messages, their state history, and SMS consent.
pub trait MessageStore {
    /// Inserts the message (with its first history entry) and, when given, its delivery job,
    /// in one transaction. When the org already has a message with this idempotency key,
    /// returns that one and inserts nothing; the flag says whether the message is new.
    async fn queue_message(
        &self,
        message: &NewMessage,
        job: Option<&NewJob>,
    ) -> StoreResult<(Message, bool)>;
    /// The message of this org, or `NotFound`.
    async fn message(&self, org: OrgId, id: MessageId) -> StoreResult<Message>;
    /// The message of this org queued with this idempotency key, if any (e.g.
    /// `verification:<id>`: the handset side of benchmarks and tests).
    async fn message_by_key(&self, org: OrgId, key: &str) -> StoreResult<Option<Message>>;
    /// Messages of the org matching the filter, newest first.
    async fn messages(&self, org: OrgId, filter: &MessageFilter) -> StoreResult<Vec<Message>>;
    /// The state history of a message of this org, oldest first.
    async fn message_events(&self, org: OrgId, id: MessageId) -> StoreResult<Vec<MessageEvent>>;
    /// Starts a delivery attempt: a `queued` or `sending` message (the latter: a worker died
    /// mid-attempt) becomes `sending` with one more attempt. Returns `None`, changing nothing,
    /// when the message is further along, so a retried job never sends it twice.
    async fn begin_attempt(
        &self,
        org: OrgId,
        id: MessageId,
        at: Timestamp,
    ) -> StoreResult<Option<Message>>;
    /// Applies a transition (see [`Transition`]) and records it in the history. Returns false,
    /// changing nothing, when the message is already at or past that rank. Entering
    /// `accepted`, `sent`, `delivered` or `undelivered` also clears the bodies.
    async fn transition_message(
        &self,
        org: OrgId,
        id: MessageId,
        transition: &Transition,
    ) -> StoreResult<bool>;
    /// Applies a provider's status report to the message with this provider id. Not
    /// org-scoped: the caller verified the report's signature, and the provider id is the
    /// only reference a status callback carries. Returns the message's org and id when it was
    /// applied.
    async fn transition_by_provider_id(
        &self,
        transport: TransportKind,
        provider_id: &str,
        transition: &Transition,
    ) -> StoreResult<Option<(OrgId, MessageId)>>;
    /// Records an org's SMS consent for an E.164 number.
    async fn set_sms_opt_out(
        &self,
        org: OrgId,
        phone: &str,
        opted_out: bool,
        keyword: &str,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// Whether the org's SMS to this number are blocked by an opt-out.
    async fn sms_opted_out(&self, org: OrgId, phone: &str) -> StoreResult<bool>;
    /// Records consent from an inbound keyword for every org that has sent an SMS to the
    /// number. Not org-scoped: the sending number is shared by the whole server, and the
    /// carrier applies the keyword to all traffic from it. Returns how many orgs.
    async fn record_inbound_consent(
        &self,
        phone: &str,
        opted_out: bool,
        keyword: &str,
        at: Timestamp,
    ) -> StoreResult<u64>;
}
}
