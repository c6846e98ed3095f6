//! Delivering an approved broadcast: the `broadcast.deliver` job's steps, cancelling, and
//! "retry failed only".
//!
//! One delivery job per broadcast turns its frozen recipient rows into messages, a batch per
//! transaction, each message with its own `send_message` job on the existing queue: so there
//! is one delivery (message and job) per recipient and channel, provider rate limits and
//! retries are the message workers' (`messages::deliver`), and the row's idempotency key on
//! the message means a restarted or doubled job never queues a row twice. The job then
//! watches until nothing is pending, queued or being sent, and completes the broadcast.
//!
//! A run is bounded (`STEP_BUDGET`), then continues in a new run: a long broadcast neither
//! outlives its lease nor holds a worker loop for minutes.

use super::BroadcastError;
use super::bodies::{Person, TEMPLATE, render, subject};
use crate::audit::Actor;
use crate::jobs::{Job as _, SendMessage};
use crate::messages::brand_of;
use crate::webhooks::{WebhookEvent, WebhookEventKind, derived_event_id};
use crate::{App, Principal};
use countersign_domain::{
    BroadcastId, BroadcastStatus, Channel, Lane, MessageId, OrgId, Permission, QuietHours,
    Timestamp, Zone,
};
use countersign_messaging::Brand;
use countersign_store::{
    AuditFilter, AuditStore, Broadcast, BroadcastStore, CancelOutcome, NewJob, NewMessage,
    PendingDelivery, StoreError, TransportKind,
};
use serde_json::json;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Rows read and queued per transaction.
const BATCH: i64 = 500;
/// How long one run queues before it hands over to the next run.
const STEP_BUDGET: Duration = Duration::from_secs(15);
/// How often a broadcast whose deliveries are all queued checks whether they have ended.
const WATCH_EVERY: Duration = Duration::from_secs(2);
/// How long to wait when the broadcast lane cannot send (a server setting is missing).
const LANE_RETRY: Duration = Duration::from_secs(60);

/// What a run of the delivery job leaves to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryStep {
    /// Nothing: completed, cancelled, or gone.
    Done,
    /// Run again after this delay.
    Again(Duration),
}

/// What every message of one broadcast shares while a run renders them.
struct Renderer<'a> {
    broadcast: &'a Broadcast,
    brand: Brand,
    sms: Option<TransportKind>,
    email: Option<TransportKind>,
}

impl App {
    /// The channels of `b` the server cannot send on (as [`BroadcastError::Lane`]).
    pub(super) fn check_lanes(&self, b: &Broadcast) -> Result<(), BroadcastError> {
        for channel in [Channel::Sms, Channel::Email] {
            if b.channels.uses(channel) {
                self.broadcast_transport(channel)
                    .map_err(BroadcastError::Lane)?;
            }
        }
        Ok(())
    }

    /// One run of a broadcast's delivery job.
    ///
    /// # Errors
    /// A store failure (the job runs again after its lease).
    pub async fn deliver_broadcast_step(
        &self,
        org: OrgId,
        id: BroadcastId,
    ) -> Result<DeliveryStep, StoreError> {
        let b = match self.store.broadcast(org, id).await {
            Ok(b) => b,
            Err(StoreError::NotFound) => return Ok(DeliveryStep::Done),
            Err(e) => return Err(e),
        };
        let now = self.now();
        match b.status {
            BroadcastStatus::Approved => {
                if let Some(at) = b.scheduled_at
                    && at > now
                {
                    return Ok(DeliveryStep::Again(until(now, at)));
                }
                // Before the rows the freeze wrote are paged (a run that dies after it and
                // before the status does it again).
                self.store.refresh_recipient_statistics().await?;
                // The event first, then the status: a run that dies in between sends the
                // event again (the webhook's id is derived, so endpoints get it once) rather
                // than never.
                self.broadcast_event(&b, WebhookEventKind::BroadcastSent, "broadcast.sent")
                    .await?;
                self.store.begin_broadcast_sending(org, id, now).await?;
            }
            BroadcastStatus::Sending => {}
            BroadcastStatus::Completed => {
                // Only a run that died between completing the broadcast and finishing its job
                // finds it completed: the event may not have gone out.
                if !self.completion_audited(&b).await? {
                    self.broadcast_event(
                        &b,
                        WebhookEventKind::BroadcastCompleted,
                        "broadcast.completed",
                    )
                    .await?;
                }
                return Ok(DeliveryStep::Done);
            }
            _ => return Ok(DeliveryStep::Done),
        }
        // A store failure reading the branding retries the run; it never sends unbranded.
        let brand = brand_of(self, org).await?;
        let renderer = match self.renderer(&b, brand) {
            Ok(r) => r,
            Err(missing) => {
                tracing::warn!(broadcast = %id, error = missing, "broadcast cannot be sent until the server is configured");
                return Ok(DeliveryStep::Again(LANE_RETRY));
            }
        };
        let quiet = if b.respect_quiet_hours {
            self.quiet_hours_of(org).await?
        } else {
            None
        };
        let started = Instant::now();
        // The first run of a broadcast refreshes the planner's statistics once its first
        // batch is stored (`BroadcastStore::refresh_delivery_statistics` says why).
        let mut refresh_statistics = b.status == BroadcastStatus::Approved;
        let mut after: Option<(Channel, String)> = None;
        let mut quiet_until: Option<Timestamp> = None;
        let mut zones: HashMap<Option<String>, Zone> = HashMap::new();
        loop {
            let page = self
                .store
                .pending_deliveries(
                    org,
                    id,
                    after.as_ref().map(|(c, a)| (*c, a.as_str())),
                    BATCH,
                )
                .await?;
            let Some(last) = page.last() else { break };
            after = Some((last.recipient.channel, last.recipient.address.clone()));
            let now = self.now();
            let mut batch = Vec::with_capacity(page.len());
            for p in &page {
                if let Some((q, org_zone)) = &quiet {
                    let zone = zones.entry(p.time_zone.clone()).or_insert_with(|| {
                        p.time_zone
                            .as_deref()
                            .and_then(|z| Zone::parse(z).ok())
                            .unwrap_or_else(|| org_zone.clone())
                    });
                    if q.is_quiet(zone, now) {
                        let end = q.ends_after(zone, now);
                        quiet_until = Some(quiet_until.map_or(end, |t| t.min(end)));
                        continue;
                    }
                }
                batch.push(self.delivery_of(&renderer, p, now)?);
            }
            if !batch.is_empty()
                && self
                    .store
                    .queue_broadcast_deliveries(org, id, &batch, now)
                    .await?
                    .is_none()
            {
                // Cancelled meanwhile: nothing of this batch was stored.
                return Ok(DeliveryStep::Done);
            }
            if refresh_statistics && !batch.is_empty() {
                self.store.refresh_delivery_statistics().await?;
                refresh_statistics = false;
            }
            if started.elapsed() > STEP_BUDGET {
                return Ok(DeliveryStep::Again(Duration::ZERO));
            }
        }
        let now = self.now();
        if let Some(end) = quiet_until {
            // Some wait for their quiet hours to end; the rest are on their way.
            return Ok(DeliveryStep::Again(until(now, end).max(WATCH_EVERY)));
        }
        if self.store.complete_broadcast_if_done(org, id, now).await? {
            self.broadcast_event(
                &b,
                WebhookEventKind::BroadcastCompleted,
                "broadcast.completed",
            )
            .await?;
            return Ok(DeliveryStep::Done);
        }
        Ok(DeliveryStep::Again(WATCH_EVERY))
    }

    fn renderer<'a>(&self, b: &'a Broadcast, brand: Brand) -> Result<Renderer<'a>, &'static str> {
        let channel = |c: Channel| {
            if b.channels.uses(c) {
                self.broadcast_transport(c).map(Some)
            } else {
                Ok(None)
            }
        };
        let (sms, email) = (channel(Channel::Sms)?, channel(Channel::Email)?);
        Ok(Renderer {
            broadcast: b,
            brand,
            sms,
            email,
        })
    }

    /// The org's quiet window and time zone, when it has one.
    async fn quiet_hours_of(&self, org: OrgId) -> Result<Option<(QuietHours, Zone)>, StoreError> {
        let rules = self.rules_of(org).await?;
        Ok(rules.quiet_hours.map(|q| (q, rules.zone())))
    }

    /// One recipient's message and its job.
    fn delivery_of(
        &self,
        r: &Renderer<'_>,
        p: &PendingDelivery,
        now: Timestamp,
    ) -> Result<(NewMessage, NewJob), StoreError> {
        let b = r.broadcast;
        let rec = &p.recipient;
        let id = MessageId::new();
        // An email's one-click unsubscribe (RFC 8058): in its footer and in its
        // List-Unsubscribe header (`broadcasts/unsubscribe.rs`).
        let list_unsubscribe = (rec.channel == Channel::Email)
            .then(|| self.unsubscribe_url(b.org_id, b.id, rec.contact_id, &rec.address));
        let transport = match rec.channel {
            Channel::Sms => r.sms,
            Channel::Email => r.email,
        }
        .unwrap_or(TransportKind::Outbox);
        let who = Person {
            first_name: &rec.first_name,
            customer: &rec.customer_name,
        };
        // A live sender's message is queued without its bodies and rendered when a worker
        // hands it over (`bodies.rs` says why); the outbox keeps what it shows.
        let (subject, body_text, body_html) = if transport == TransportKind::Outbox {
            let texts = render(b, &r.brand, rec.channel, &who, list_unsubscribe.as_deref())
                .map_err(StoreError::Corrupt)?;
            (texts.subject, texts.text, texts.html)
        } else {
            (subject(b, &r.brand, rec.channel, &who), String::new(), None)
        };
        let message = NewMessage {
            id,
            org_id: b.org_id,
            channel: rec.channel,
            template: TEMPLATE.to_owned(),
            recipient: rec.address.clone(),
            subject,
            body_text,
            body_html,
            transport,
            lane: Lane::Broadcast,
            list_unsubscribe,
            idempotency_key: rec.idempotency_key.clone(),
            created_at: now,
        };
        let job = SendMessage { message_id: id }.new_job(b.org_id, now, &self.settings)?;
        Ok((message, job))
    }

    /// Whether the audit log has the completion of `b` (written after its webhook).
    async fn completion_audited(&self, b: &Broadcast) -> Result<bool, StoreError> {
        let filter = AuditFilter {
            action_prefix: Some("broadcast.completed".into()),
            from: b.completed_at,
            limit: 500,
            ..AuditFilter::default()
        };
        let target = b.id.to_string();
        Ok(self
            .store
            .audit_entries(b.org_id, &filter)
            .await?
            .iter()
            .any(|e| e.entry.target == target))
    }

    /// Emits a broadcast's start or end as a webhook and audits it. Safe to repeat after a
    /// crash: the event id is derived from the broadcast and the kind, so each endpoint gets
    /// it once.
    async fn broadcast_event(
        &self,
        b: &Broadcast,
        kind: WebhookEventKind,
        action: &str,
    ) -> Result<(), StoreError> {
        let counts = self.store.broadcast_delivery_counts(b.org_id, b.id).await?;
        let data = json!({
            "broadcast_id": b.id.to_string(),
            "channels": b.channels.as_str(),
            "recipients": b.frozen.map_or(0, |f| f.recipients),
            "deliveries": counts.total(),
            "sent": counts.sent,
            "delivered": counts.delivered,
            "failed": counts.failed,
            "opted_out": counts.opted_out,
            "cancelled": counts.cancelled,
        });
        let event = WebhookEvent {
            kind,
            id: derived_event_id(&format!("{}:{}", kind.as_str(), b.id)),
            org: b.org_id,
            occurred_at: self.now(),
            data: data.clone(),
        };
        // The webhook before the audit entry: emitted again after a crash, it is queued once.
        self.emit_webhook(&event).await?;
        self.audit(
            &Actor::system(),
            Some(b.org_id),
            action,
            &b.id.to_string(),
            data,
        )
        .await?;
        Ok(())
    }

    /// Cancels an approved or sending broadcast: nothing more goes out; what was handed to a
    /// provider stays recorded.
    ///
    /// # Errors
    /// Without `SendBroadcasts`; not found in the org; not approved or sending; a store
    /// failure.
    pub async fn cancel_broadcast(
        &self,
        by: &Principal,
        id: BroadcastId,
    ) -> Result<Broadcast, BroadcastError> {
        by.require(Permission::SendBroadcasts)?;
        let org = by.org_id();
        let job = crate::jobs::Job::dedup_key(&crate::jobs::DeliverBroadcast { broadcast_id: id })
            .unwrap_or_default();
        match self
            .store
            .cancel_broadcast(org, id, &job, self.now())
            .await?
        {
            CancelOutcome::Cancelled { stopped } => {
                self.audit(
                    &by.actor(),
                    None,
                    "broadcast.cancelled",
                    &id.to_string(),
                    json!({ "stopped": stopped }),
                )
                .await?;
                Ok(self.store.broadcast(org, id).await?)
            }
            CancelOutcome::NotCancellable(status) => Err(BroadcastError::WrongState(status)),
        }
    }

    /// "Retry failed only": every delivery that failed (not for an opt-out, not cancelled)
    /// gets a new message, sent once. Returns how many.
    ///
    /// # Errors
    /// Without `SendBroadcasts`; not found in the org; not sending or completed; a store
    /// failure.
    pub async fn retry_failed_broadcast(
        &self,
        by: &Principal,
        id: BroadcastId,
    ) -> Result<i64, BroadcastError> {
        by.require(Permission::SendBroadcasts)?;
        let org = by.org_id();
        let Some(n) = self
            .store
            .requeue_failed_deliveries(org, id, self.now())
            .await?
        else {
            let b = self.store.broadcast(org, id).await?;
            return Err(BroadcastError::WrongState(b.status));
        };
        if n > 0 {
            self.enqueue(org, &crate::jobs::DeliverBroadcast { broadcast_id: id })
                .await?;
        }
        self.audit(
            &by.actor(),
            None,
            "broadcast.retried",
            &id.to_string(),
            json!({ "deliveries": n }),
        )
        .await?;
        Ok(n)
    }
}

/// The delay from `now` until `at` (zero when it has passed).
fn until(now: Timestamp, at: Timestamp) -> Duration {
    Duration::from_millis(u64::try_from(at.0 - now.0).unwrap_or(0))
}
