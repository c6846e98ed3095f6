//! Broadcasts (issue 20): drafts with an audience specification, the audience resolved into
//! counts (the preview) and frozen into one row per recipient and channel at approval, the
//! org's reusable templates, opt-outs and broadcast settings. The model and the
//! [`BroadcastStore`] contract.
//!
//! The store resolves an audience in SQL, set-based, because issue 20 asks for 100,000
//! contacts resolved and frozen in two seconds: a row loop in Rust would move every contact
//! through the driver twice. Which contact gets an address both share, and why a contact is
//! excluded, is decided once here (`audience.rs`) for the preview and the freeze alike, so
//! the count an approver sees is the count that is frozen.

mod audience;
mod delivery;
mod opt_outs;
mod render_inputs;
pub(crate) mod sql;
mod templates;

pub use audience::{Audience, AudienceFilter};
pub use delivery::{CANCELLED_ERROR, OPTED_OUT_CODE};
pub use opt_outs::LaneKeywordOutcome;
pub use render_inputs::{MessageKey, broadcast_named_by};

use crate::StoreResult;
use crate::forwarding::store_trait;
use countersign_domain::{
    BroadcastChannels, BroadcastId, BroadcastStatus, BroadcastTemplateId, Channel, ContactId,
    CustomerId, OptOutSource, OrgId, RecipientStatus, TechnicianId, Timestamp,
};

/// One broadcast of an org.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broadcast {
    /// Primary key.
    pub id: BroadcastId,
    /// The org.
    pub org_id: OrgId,
    /// What technicians call it (not sent).
    pub name: String,
    /// The channels it goes through.
    pub channels: BroadcastChannels,
    /// The SMS text, merge fields unrendered ('' when SMS is not a channel).
    pub sms_text: String,
    /// The email subject, merge fields unrendered.
    pub email_subject: String,
    /// The email body (plain text with simple formatting), merge fields unrendered.
    pub email_body: String,
    /// Who it goes to, as specified (resolved at preview and at approval).
    pub audience: Audience,
    /// Where it stands.
    pub status: BroadcastStatus,
    /// The technician who created the draft.
    pub author_id: TechnicianId,
    /// The technician who asked for approval.
    pub requested_by: Option<TechnicianId>,
    /// The technician who approved it (froze the audience).
    pub approver_id: Option<TechnicianId>,
    /// What was frozen at approval: `None` before.
    pub frozen: Option<AudienceCounts>,
    /// When it should go out (`None`: as soon as it is approved).
    pub scheduled_at: Option<Timestamp>,
    /// Messages to a customer whose local time is in the org's quiet hours wait for them to
    /// end.
    pub respect_quiet_hours: bool,
    /// When approval was asked for.
    pub requested_at: Option<Timestamp>,
    /// When it was approved and frozen.
    pub approved_at: Option<Timestamp>,
    /// When the first delivery was queued.
    pub started_at: Option<Timestamp>,
    /// When every delivery ended.
    pub completed_at: Option<Timestamp>,
    /// When it was cancelled.
    pub cancelled_at: Option<Timestamp>,
    /// Creation.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

/// What a draft holds that its author may change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BroadcastDraft {
    /// See [`Broadcast::name`].
    pub name: String,
    /// See [`Broadcast::channels`].
    pub channels: BroadcastChannels,
    /// See [`Broadcast::sms_text`].
    pub sms_text: String,
    /// See [`Broadcast::email_subject`].
    pub email_subject: String,
    /// See [`Broadcast::email_body`].
    pub email_body: String,
    /// See [`Broadcast::audience`].
    pub audience: Audience,
    /// See [`Broadcast::scheduled_at`].
    pub scheduled_at: Option<Timestamp>,
    /// See [`Broadcast::respect_quiet_hours`].
    pub respect_quiet_hours: bool,
}

/// Contacts of an audience that get nothing, by the first reason that applies, in this
/// order. Together with the recipients they add up to every contact the audience matched.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Exclusions {
    /// The source removed the contact.
    pub removed: i64,
    /// The contact's account is disabled at its source.
    pub disabled: i64,
    /// No address for any of the broadcast's channels.
    pub no_channel: i64,
    /// Every channel it has an address for is opted out (by the contact, or by another
    /// contact with the same address).
    pub opted_out: i64,
    /// Every address it has goes to another contact of the audience already.
    pub duplicate_address: i64,
}

impl Exclusions {
    /// Every excluded contact.
    #[must_use]
    pub fn total(&self) -> i64 {
        self.removed + self.disabled + self.no_channel + self.opted_out + self.duplicate_address
    }
}

/// An audience resolved: how many contacts it matched, how many get something and through
/// which channels, and why the others get nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AudienceCounts {
    /// Contacts the specification matched.
    pub matched: i64,
    /// Contacts that get at least one channel.
    pub recipients: i64,
    /// Contacts that get an SMS.
    pub sms: i64,
    /// Contacts that get an email.
    pub email: i64,
    /// Contacts that get both.
    pub both: i64,
    /// The others, by reason.
    pub excluded: Exclusions,
}

/// The rules a freeze checks inside its transaction, once it knows the count. The app
/// decides them (who approves, the org's settings); the store only compares numbers, so two
/// racing approvals cannot both pass a cap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Freeze {
    /// The approving technician.
    pub approver: TechnicianId,
    /// Now.
    pub at: Timestamp,
    /// The most recipients this approver may approve (`None`: any number). The app sets the
    /// org's threshold here when the approver may not approve above it.
    pub max_recipients: Option<i64>,
    /// The org's daily recipient cap (`None`: none): recipients of broadcasts approved since
    /// `at` minus 24 hours, plus these, may not exceed it.
    pub daily_cap: Option<i64>,
    /// The recipient count the approver confirmed (`None`: not asked): a different count
    /// (the audience changed since the preview) keeps nothing.
    pub expected_recipients: Option<i64>,
    /// The job that delivers the broadcast, stored in the freeze's transaction when it
    /// succeeds, so an approved broadcast always has its delivery queued.
    pub delivery: Option<crate::NewJob>,
}

/// What a freeze did. Anything but `Frozen` changed nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FreezeOutcome {
    /// The audience is frozen and the broadcast approved.
    Frozen(AudienceCounts),
    /// The broadcast is not awaiting approval (it is in this state).
    NotAwaiting(BroadcastStatus),
    /// More recipients than [`Freeze::max_recipients`].
    AboveThreshold {
        /// Recipients it would have.
        recipients: i64,
    },
    /// The audience resolves to another count than the approver confirmed.
    CountChanged {
        /// Recipients it has now.
        recipients: i64,
    },
    /// The daily cap would be exceeded.
    OverDailyCap {
        /// Recipients approved in the last 24 hours.
        used: i64,
        /// Recipients of this broadcast.
        recipients: i64,
    },
}

/// One delivery of a frozen broadcast: one contact on one channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipient {
    /// The broadcast.
    pub broadcast_id: BroadcastId,
    /// The channel.
    pub channel: Channel,
    /// The contact (the row may outlive it).
    pub contact_id: ContactId,
    /// The contact's customer at freeze time.
    pub customer_id: CustomerId,
    /// Where it goes, copied at freeze time (E.164 number, lowercased email).
    pub address: String,
    /// `{first_name}` at freeze time.
    pub first_name: String,
    /// `{customer}` at freeze time.
    pub customer_name: String,
    /// Where it stands.
    pub status: RecipientStatus,
    /// The provider's error, in words, when it failed.
    pub provider_error: Option<String>,
    /// The key the delivery's message carries, so it is sent once.
    pub idempotency_key: String,
    /// When the status last changed.
    pub updated_at: Timestamp,
}

/// A reusable text of an org.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BroadcastTemplate {
    /// Primary key.
    pub id: BroadcastTemplateId,
    /// The org.
    pub org_id: OrgId,
    /// Its name, unique in the org.
    pub name: String,
    /// The channels a broadcast made from it starts with.
    pub channels: BroadcastChannels,
    /// SMS text.
    pub sms_text: String,
    /// Email subject.
    pub email_subject: String,
    /// Email body.
    pub email_body: String,
    /// Who saved it first.
    pub created_by: TechnicianId,
    /// Creation.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

/// A contact that wants no broadcasts on one channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptOut {
    /// The org.
    pub org_id: OrgId,
    /// The contact.
    pub contact_id: ContactId,
    /// The channel.
    pub channel: Channel,
    /// The address that opted out (excludes every contact sharing it).
    pub address: String,
    /// How.
    pub source: OptOutSource,
    /// When.
    pub at: Timestamp,
}

/// An org's broadcast rules as stored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BroadcastSettings {
    /// Above this many recipients a second admin must approve (`None`: never).
    pub approval_threshold: Option<i64>,
    /// Recipients the org may approve in any 24 hours (`None`: no cap).
    pub daily_recipient_cap: Option<i64>,
    /// The org's time zone, an IANA name (`None`: UTC).
    pub time_zone: Option<String>,
    /// The quiet window, minutes after local midnight (both set, or both `None`).
    pub quiet_hours: Option<(i64, i64)>,
}

/// A frozen recipient whose delivery has no message yet, with what decides when it may go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingDelivery {
    /// The row.
    pub recipient: Recipient,
    /// The time zone of its customer (`None`: the org's).
    pub time_zone: Option<String>,
}

/// One delivery as the report shows it: the frozen row and, once queued, its message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecipientDelivery {
    /// The row.
    pub recipient: Recipient,
    /// The message's state (`None`: not queued yet, or decided without one).
    pub state: Option<crate::MessageState>,
    /// The provider's error, in words.
    pub error: Option<String>,
    /// The provider's error code (Twilio's `21610`: the recipient opted out).
    pub error_code: Option<String>,
    /// When the message last changed (or the row, without one).
    pub at: Timestamp,
}

/// A broadcast's deliveries by where they stand (one per recipient and channel).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeliveryCounts {
    /// Not queued yet (waiting for its turn, the schedule, or quiet hours).
    pub pending: i64,
    /// Queued or being handed to the provider.
    pub queued: i64,
    /// Taken by the provider (or kept in the outbox).
    pub sent: i64,
    /// Confirmed delivered.
    pub delivered: i64,
    /// Failed or undelivered (not for an opt-out).
    pub failed: i64,
    /// Not sent: the address opted out after the audience was frozen.
    pub opted_out: i64,
    /// Not sent: the broadcast was cancelled first.
    pub cancelled: i64,
    /// Replies received to its SMS.
    pub replies: i64,
    /// Of the replies, opt-out keywords (STOP, …).
    pub stop_replies: i64,
}

impl DeliveryCounts {
    /// Every delivery.
    #[must_use]
    pub fn total(&self) -> i64 {
        self.pending
            + self.queued
            + self.sent
            + self.delivered
            + self.failed
            + self.opted_out
            + self.cancelled
    }
}

/// A reply to a broadcast SMS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BroadcastReply {
    /// The org.
    pub org_id: OrgId,
    /// The broadcast it answers (the latest that texted the number).
    pub broadcast_id: BroadcastId,
    /// The number it came from (E.164).
    pub from_address: String,
    /// What it says.
    pub body: String,
    /// An opt-out keyword.
    pub is_stop: bool,
    /// Twilio's message SID, so a repeated webhook records it once.
    pub provider_id: Option<String>,
    /// When it arrived.
    pub at: Timestamp,
}

/// What cancelling did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CancelOutcome {
    /// Cancelled: deliveries not yet handed to a provider will not be.
    Cancelled {
        /// Deliveries stopped (pending rows and queued messages).
        stopped: i64,
    },
    /// Nothing to cancel: it is in this state (draft, completed, already cancelled, …).
    NotCancellable(BroadcastStatus),
}

store_trait! {
/// Broadcasts, their frozen audiences, templates, opt-outs and settings; every method scoped
/// to its org in SQL.
pub trait BroadcastStore {
    /// Stores a new broadcast (a draft).
    async fn create_broadcast(&self, b: &Broadcast) -> StoreResult<()>;
    /// One broadcast of the org.
    async fn broadcast(&self, org: OrgId, id: BroadcastId) -> StoreResult<Broadcast>;
    /// The org's broadcasts, newest first.
    async fn broadcasts(&self, org: OrgId, limit: i64) -> StoreResult<Vec<Broadcast>>;
    /// Replaces a draft's texts, audience and schedule. `false`: no draft with that id in the
    /// org (another state, or none).
    async fn update_broadcast_draft(
        &self,
        org: OrgId,
        id: BroadcastId,
        draft: &BroadcastDraft,
        at: Timestamp,
    ) -> StoreResult<bool>;
    /// Moves a draft to awaiting approval, recording who asked. `false`: not a draft.
    async fn request_broadcast_approval(
        &self,
        org: OrgId,
        id: BroadcastId,
        by: TechnicianId,
        at: Timestamp,
    ) -> StoreResult<bool>;
    /// Resolves an audience into counts without storing anything (the preview).
    async fn preview_audience(
        &self,
        org: OrgId,
        audience: &Audience,
        channels: BroadcastChannels,
    ) -> StoreResult<AudienceCounts>;
    /// In one transaction: resolves the broadcast's audience, writes one recipient row per
    /// contact and channel, checks `freeze`'s limits against the count, and approves it. On
    /// any outcome but `Frozen` nothing is kept.
    async fn freeze_broadcast(
        &self,
        org: OrgId,
        id: BroadcastId,
        freeze: &Freeze,
    ) -> StoreResult<FreezeOutcome>;
    /// Frozen recipients in (channel, address) order (the key's) after `after`, at most
    /// `limit`.
    async fn broadcast_recipients(
        &self,
        org: OrgId,
        id: BroadcastId,
        after: Option<(Channel, &str)>,
        limit: i64,
    ) -> StoreResult<Vec<Recipient>>;
    /// Creates or replaces a template (by id).
    async fn save_broadcast_template(&self, t: &BroadcastTemplate) -> StoreResult<()>;
    /// The org's templates by name.
    async fn broadcast_templates(&self, org: OrgId) -> StoreResult<Vec<BroadcastTemplate>>;
    /// One template of the org.
    async fn broadcast_template(
        &self,
        org: OrgId,
        id: BroadcastTemplateId,
    ) -> StoreResult<BroadcastTemplate>;
    /// Deletes a template of the org.
    async fn delete_broadcast_template(&self, org: OrgId, id: BroadcastTemplateId)
        -> StoreResult<()>;
    /// Records an opt-out (replacing the contact's earlier one on that channel).
    async fn record_opt_out(&self, o: &OptOut) -> StoreResult<()>;
    /// Removes a contact's opt-out on a channel (START). `false`: there was none.
    async fn remove_opt_out(&self, org: OrgId, contact: ContactId, channel: Channel)
        -> StoreResult<bool>;
    /// A contact's opt-outs, and those of any address it shares (what excludes it).
    async fn opt_outs_of_contact(&self, org: OrgId, contact: ContactId)
        -> StoreResult<Vec<OptOut>>;
    /// The org's broadcast settings, `None` when never saved.
    async fn broadcast_settings(&self, org: OrgId) -> StoreResult<Option<BroadcastSettings>>;
    /// Saves the org's broadcast settings.
    async fn save_broadcast_settings(
        &self,
        org: OrgId,
        s: &BroadcastSettings,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// Applies a STOP (`opted_out`) or START from `phone` received on the broadcast lane's
    /// sender to the broadcast opt-outs of every org that sent the number a broadcast SMS
    /// (see [`LaneKeywordOutcome`]); SMS consent of the verification lane is not touched. Not
    /// org-scoped: the broadcast sender is shared by the whole server, and the carrier applies
    /// the keyword to all traffic from it.
    async fn record_broadcast_lane_keyword(
        &self,
        phone: &str,
        opted_out: bool,
        at: Timestamp,
    ) -> StoreResult<LaneKeywordOutcome>;
    /// Whether `address` (E.164 number or lowercased email) opted out of the org's broadcasts
    /// on `channel`, through any contact: a broadcast message to it must not be sent.
    async fn broadcast_address_opted_out(
        &self,
        org: OrgId,
        channel: Channel,
        address: &str,
    ) -> StoreResult<bool>;
    /// Moves an approved broadcast to sending. `false`: it was not approved (already sending,
    /// cancelled, …); the caller reads it to know.
    async fn begin_broadcast_sending(
        &self,
        org: OrgId,
        id: BroadcastId,
        at: Timestamp,
    ) -> StoreResult<bool>;
    /// Pending recipients of a sending broadcast that have no message yet, in key order after
    /// `after`, at most `limit`, with their customer's time zone.
    async fn pending_deliveries(
        &self,
        org: OrgId,
        id: BroadcastId,
        after: Option<(Channel, &str)>,
        limit: i64,
    ) -> StoreResult<Vec<PendingDelivery>>;
    /// In one transaction, only while the broadcast is sending: stores each message with its
    /// `send_message` job (a message whose idempotency key exists already is skipped, with
    /// its job). `None`: it is not sending (cancelled), nothing was stored; else how many
    /// messages were new.
    async fn queue_broadcast_deliveries(
        &self,
        org: OrgId,
        id: BroadcastId,
        messages: &[(crate::NewMessage, crate::NewJob)],
        at: Timestamp,
    ) -> StoreResult<Option<u64>>;
    /// The recipient rows of broadcast messages that were queued without their bodies (each
    /// `(idempotency key, channel, address)`), so a worker renders them when it hands them
    /// over. Rows not found (another org's key, a deleted broadcast) are left out.
    async fn recipients_of_messages(
        &self,
        org: OrgId,
        messages: &[MessageKey<'_>],
    ) -> StoreResult<Vec<Recipient>>;
    /// The broadcast's deliveries by where they stand, with its reply counts.
    async fn broadcast_delivery_counts(
        &self,
        org: OrgId,
        id: BroadcastId,
    ) -> StoreResult<DeliveryCounts>;
    /// Refreshes the planner's statistics of `broadcast_recipients` (PostgreSQL only, nothing
    /// on SQLite). Called by a broadcast's delivery job before it starts sending: right after
    /// a freeze wrote 200,000 rows PostgreSQL still believed the table empty, and sorted every
    /// row of the broadcast for each page of 500 (2 s a page) instead of walking the key's
    /// index (docs/benchmarks.md). Not part of the freeze, which an approver waits for.
    async fn refresh_recipient_statistics(&self) -> StoreResult<()>;
    /// Refreshes the planner's statistics of the tables a broadcast's fan-out fills
    /// (`messages`, `message_events`, `jobs`; PostgreSQL only, nothing on SQLite). Called
    /// once a broadcast's first batch is stored: a plan made while those tables had no
    /// statistics (a new database) can pick `messages (org_id, created_at)` for the
    /// foreign-key check of every `message_events` row and walk all of the org's messages per
    /// check; PostgreSQL keeps such a plan until the statistics change (docs/benchmarks.md).
    async fn refresh_delivery_statistics(&self) -> StoreResult<()>;
    /// Marks a sending broadcast completed if no delivery is pending, queued or being sent.
    /// `true`: this call completed it.
    async fn complete_broadcast_if_done(
        &self,
        org: OrgId,
        id: BroadcastId,
        at: Timestamp,
    ) -> StoreResult<bool>;
    /// Cancels an approved or sending broadcast: pending rows become `cancelled`, and so do
    /// queued messages (failed, "cancelled", so no worker sends them); what was handed to a
    /// provider stays as it is. The queued delivery job with the dedup key `delivery_job` is
    /// made due now (a scheduled broadcast's job would otherwise wait for its schedule, to
    /// find nothing to do).
    async fn cancel_broadcast(
        &self,
        org: OrgId,
        id: BroadcastId,
        delivery_job: &str,
        at: Timestamp,
    ) -> StoreResult<CancelOutcome>;
    /// "Retry failed only": gives every delivery whose message failed (not for an opt-out,
    /// not cancelled) a new idempotency key, so it is pending again, and makes the broadcast
    /// sending again if there was any. Returns how many. `None`: the broadcast is not sending
    /// or completed.
    async fn requeue_failed_deliveries(
        &self,
        org: OrgId,
        id: BroadcastId,
        at: Timestamp,
    ) -> StoreResult<Option<i64>>;
    /// The per-recipient report in key order after `after`, at most `limit` (≤ 1000).
    async fn broadcast_deliveries(
        &self,
        org: OrgId,
        id: BroadcastId,
        after: Option<(Channel, &str)>,
        limit: i64,
    ) -> StoreResult<Vec<RecipientDelivery>>;
    /// Records a reply received on the broadcast sender from `phone` against the latest
    /// broadcast of each org that texted it (not org-scoped, like
    /// [`BroadcastStore::record_broadcast_lane_keyword`]). Returns how many were recorded (a
    /// repeated provider id records nothing).
    async fn record_broadcast_reply(
        &self,
        phone: &str,
        body: &str,
        is_stop: bool,
        provider_id: Option<&str>,
        at: Timestamp,
    ) -> StoreResult<u64>;
    /// A broadcast's replies, newest first, at most `limit`.
    async fn broadcast_replies(
        &self,
        org: OrgId,
        id: BroadcastId,
        limit: i64,
    ) -> StoreResult<Vec<BroadcastReply>>;
}
}
