//! [`BroadcastStore`] for both backends: broadcasts, the preview and the freeze (set-based,
//! over the resolution in `audience.rs`), recipients, opt-outs and settings. Templates are in
//! `templates.rs`.

use super::audience::{RANKED, candidates, frozen_counts, preview_counts, resolution};
use super::{delivery, opt_outs, templates};
use crate::contacts::sql::Param;
use crate::sql::{SqlStore, changed, corrupt, org_lock_key, sql_impl};
use crate::{
    Audience, AudienceCounts, Broadcast, BroadcastDraft, BroadcastSettings, BroadcastStore,
    BroadcastTemplate, Exclusions, Freeze, FreezeOutcome, OptOut, Recipient, StoreError,
    StoreResult,
};
use countersign_domain::{
    BroadcastChannels, BroadcastId, BroadcastStatus, BroadcastTemplateId, Channel, ContactId,
    OrgId, RecipientStatus, TechnicianId, Timestamp,
};
use sqlx::Database;
use sqlx::query::Query;
use std::time::Duration;
use uuid::Uuid;

/// The advisory-lock purpose of an org's freezes ("BRDCST" + 1): the daily cap is a sum over
/// the org's approvals, so two racing approvals must not both pass it.
const FREEZE_LOCK: i64 = 0x4252_4443_5354_0001;

/// The window of the daily recipient cap.
const DAY: Duration = Duration::from_secs(86_400);

/// Columns of [`BroadcastRow`], as a literal for `concat!`.
macro_rules! broadcast_columns {
    () => {
        "id, org_id, name, channels, sms_text, email_subject, email_body, audience, status, \
         author_id, requested_by, approver_id, recipients, sms_recipients, email_recipients, \
         exclusions, scheduled_at, requested_at, approved_at, started_at, completed_at, \
         cancelled_at, created_at, updated_at, respect_quiet_hours"
    };
}

#[derive(sqlx::FromRow)]
struct BroadcastRow {
    id: Uuid,
    org_id: Uuid,
    name: String,
    channels: String,
    sms_text: String,
    email_subject: String,
    email_body: String,
    audience: String,
    status: String,
    author_id: Uuid,
    requested_by: Option<Uuid>,
    approver_id: Option<Uuid>,
    recipients: Option<i64>,
    sms_recipients: Option<i64>,
    email_recipients: Option<i64>,
    exclusions: Option<String>,
    scheduled_at: Option<i64>,
    requested_at: Option<i64>,
    approved_at: Option<i64>,
    started_at: Option<i64>,
    completed_at: Option<i64>,
    cancelled_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
    respect_quiet_hours: bool,
}

pub(super) fn channels(s: &str) -> StoreResult<BroadcastChannels> {
    BroadcastChannels::parse(s).ok_or_else(|| corrupt("broadcast channels", s))
}

impl TryFrom<BroadcastRow> for Broadcast {
    type Error = StoreError;
    fn try_from(r: BroadcastRow) -> StoreResult<Self> {
        let frozen = match (r.recipients, r.sms_recipients, r.email_recipients) {
            (Some(recipients), Some(sms), Some(email)) => {
                let excluded: Exclusions =
                    serde_json::from_str(r.exclusions.as_deref().unwrap_or("{}"))
                        .map_err(|e| StoreError::Corrupt(format!("broadcast exclusions: {e}")))?;
                Some(AudienceCounts {
                    matched: recipients + excluded.total(),
                    recipients,
                    sms,
                    email,
                    both: sms + email - recipients,
                    excluded,
                })
            }
            _ => None,
        };
        Ok(Self {
            id: r.id.into(),
            org_id: r.org_id.into(),
            name: r.name,
            channels: channels(&r.channels)?,
            sms_text: r.sms_text,
            email_subject: r.email_subject,
            email_body: r.email_body,
            audience: Audience::from_json(&r.audience)?,
            status: BroadcastStatus::parse(&r.status)
                .ok_or_else(|| corrupt("broadcast status", &r.status))?,
            author_id: r.author_id.into(),
            requested_by: r.requested_by.map(Into::into),
            approver_id: r.approver_id.map(Into::into),
            frozen,
            scheduled_at: r.scheduled_at.map(Timestamp),
            respect_quiet_hours: r.respect_quiet_hours,
            requested_at: r.requested_at.map(Timestamp),
            approved_at: r.approved_at.map(Timestamp),
            started_at: r.started_at.map(Timestamp),
            completed_at: r.completed_at.map(Timestamp),
            cancelled_at: r.cancelled_at.map(Timestamp),
            created_at: Timestamp(r.created_at),
            updated_at: Timestamp(r.updated_at),
        })
    }
}

/// The row of `tally` (audience.rs): matched, recipients, sms, email, both, exclusions.
type CountsRow = (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64);

fn counts(r: CountsRow) -> AudienceCounts {
    let (matched, recipients, sms, email, both, removed, disabled, no_channel, opted_out, dup) = r;
    AudienceCounts {
        matched,
        recipients,
        sms,
        email,
        both,
        excluded: Exclusions {
            removed,
            disabled,
            no_channel,
            opted_out,
            duplicate_address: dup,
        },
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct RecipientRow {
    broadcast_id: Uuid,
    channel: String,
    contact_id: Uuid,
    customer_id: Uuid,
    address: String,
    first_name: String,
    customer_name: String,
    status: String,
    provider_error: Option<String>,
    idempotency_key: String,
    updated_at: i64,
}

pub(super) fn channel(s: &str) -> StoreResult<Channel> {
    Channel::parse(s).ok_or_else(|| corrupt("channel", s))
}

impl TryFrom<RecipientRow> for Recipient {
    type Error = StoreError;
    fn try_from(r: RecipientRow) -> StoreResult<Self> {
        Ok(Self {
            broadcast_id: r.broadcast_id.into(),
            channel: channel(&r.channel)?,
            contact_id: r.contact_id.into(),
            customer_id: r.customer_id.into(),
            address: r.address,
            first_name: r.first_name,
            customer_name: r.customer_name,
            status: RecipientStatus::parse(&r.status)
                .ok_or_else(|| corrupt("recipient status", &r.status))?,
            provider_error: r.provider_error,
            idempotency_key: r.idempotency_key,
            updated_at: Timestamp(r.updated_at),
        })
    }
}

sql_impl! {
/// Binds `params` to an `INSERT`, in order.
fn bind_all<'q, DB>(
    mut q: Query<'q, DB, <DB as Database>::Arguments<'q>>,
    params: Vec<Param>,
) -> Query<'q, DB, <DB as Database>::Arguments<'q>> {
    for p in params {
        q = match p {
            Param::Id(v) => q.bind(v),
            Param::Text(v) => q.bind(v),
            Param::Int(v) => q.bind(v),
        };
    }
    q
}
}

sql_impl! {
/// `ANALYZE` of `tables` (our own names, never input) where the dialect wants it after a
/// bulk write (`Dialect::ANALYZE_AFTER_BULK_WRITE`); nothing elsewhere.
async fn analyze<DB>(conn: &mut DB::Connection, tables: &str) -> StoreResult<()> {
    if DB::ANALYZE_AFTER_BULK_WRITE {
        sqlx::query(&format!("ANALYZE {tables}"))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
}

sql_impl! {
impl BroadcastStore for SqlStore<DB> {
    async fn create_broadcast(&self, b: &Broadcast) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO broadcasts (id, org_id, name, channels, sms_text, email_subject, \
             email_body, audience, status, author_id, scheduled_at, created_at, updated_at, \
             respect_quiet_hours) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(b.id.0)
        .bind(b.org_id.0)
        .bind(b.name.as_str())
        .bind(b.channels.as_str())
        .bind(b.sms_text.as_str())
        .bind(b.email_subject.as_str())
        .bind(b.email_body.as_str())
        .bind(b.audience.to_json())
        .bind(b.status.as_str())
        .bind(b.author_id.0)
        .bind(b.scheduled_at.map(|t| t.0))
        .bind(b.created_at.0)
        .bind(b.updated_at.0)
        .bind(b.respect_quiet_hours)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(())
    }

    async fn broadcast(&self, org: OrgId, id: BroadcastId) -> StoreResult<Broadcast> {
        let row: BroadcastRow = sqlx::query_as(concat!(
            "SELECT ",
            broadcast_columns!(),
            " FROM broadcasts WHERE org_id = $1 AND id = $2"
        ))
        .bind(org.0)
        .bind(id.0)
        .fetch_optional(&mut *self.reads.acquire().await?)
        .await?
        .ok_or(StoreError::NotFound)?;
        row.try_into()
    }

    async fn broadcasts(&self, org: OrgId, limit: i64) -> StoreResult<Vec<Broadcast>> {
        let rows: Vec<BroadcastRow> = sqlx::query_as(concat!(
            "SELECT ",
            broadcast_columns!(),
            " FROM broadcasts WHERE org_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"
        ))
        .bind(org.0)
        .bind(limit.clamp(0, 500))
        .fetch_all(&mut *self.reads.acquire().await?)
        .await?;
        crate::sql::convert_all(rows)
    }

    async fn update_broadcast_draft(
        &self,
        org: OrgId,
        id: BroadcastId,
        d: &BroadcastDraft,
        at: Timestamp,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE broadcasts SET name = $3, channels = $4, sms_text = $5, email_subject = $6, \
             email_body = $7, audience = $8, scheduled_at = $9, updated_at = $10, \
             respect_quiet_hours = $11 WHERE org_id = $1 AND id = $2 AND status = 'draft'",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(d.name.as_str())
        .bind(d.channels.as_str())
        .bind(d.sms_text.as_str())
        .bind(d.email_subject.as_str())
        .bind(d.email_body.as_str())
        .bind(d.audience.to_json())
        .bind(d.scheduled_at.map(|t| t.0))
        .bind(at.0)
        .bind(d.respect_quiet_hours)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(changed::<DB>(&done))
    }

    async fn request_broadcast_approval(
        &self,
        org: OrgId,
        id: BroadcastId,
        by: TechnicianId,
        at: Timestamp,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE broadcasts SET status = 'awaiting_approval', requested_by = $3, \
             requested_at = $4, updated_at = $4 \
             WHERE org_id = $1 AND id = $2 AND status = 'draft'",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(by.0)
        .bind(at.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(changed::<DB>(&done))
    }

    async fn preview_audience(
        &self,
        org: OrgId,
        audience: &Audience,
        channels: BroadcastChannels,
    ) -> StoreResult<AudienceCounts> {
        let (with, params) = resolution(audience, channels, 2);
        let sql = format!("{with}{}", preview_counts());
        let row: CountsRow =
            crate::contacts::sql::bind_params(sqlx::query_as(&sql).bind(org.0), params)
                .fetch_one(&mut *self.reads.acquire().await?)
                .await?;
        Ok(counts(row))
    }

    async fn freeze_broadcast(
        &self,
        org: OrgId,
        id: BroadcastId,
        f: &Freeze,
    ) -> StoreResult<FreezeOutcome> {
        let mut writer = self.pool.acquire().await?;
        let mut tx = DB::begin_write(&mut writer).await?;
        DB::lock_key(&mut tx, org_lock_key(org, FREEZE_LOCK)).await?;
        let row: BroadcastRow = sqlx::query_as(concat!(
            "SELECT ",
            broadcast_columns!(),
            " FROM broadcasts WHERE org_id = $1 AND id = $2"
        ))
        .bind(org.0)
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let b = Broadcast::try_from(row)?;
        if b.status != BroadcastStatus::AwaitingApproval {
            return Ok(FreezeOutcome::NotAwaiting(b.status));
        }
        // The freeze itself: one statement, set-based, in key order (appending to the key's
        // index keeps 200,000 rows well under a second on PostgreSQL). Of the contacts that
        // share an address, the one with the smallest id keeps it, however the dialect picks.
        let (with, params) = resolution(&b.audience, b.channels, 5);
        let (ranked, source, keep, order, conflict) = if DB::FIRST_BY_CONFLICT {
            (
                "",
                "marked",
                "",
                "channel, address, id",
                "ON CONFLICT (broadcast_id, channel, address) DO NOTHING",
            )
        } else {
            (RANKED, "ranked", " AND rn = 1", "channel, address", "")
        };
        let key = format!(
            "'broadcast:' || $3 || ':' || channel || ':' || {}",
            DB::uuid_hex("id")
        );
        let insert = format!(
            "{with}{ranked}INSERT INTO broadcast_recipients (org_id, broadcast_id, channel, \
             contact_id, customer_id, address, first_name, customer_name, status, \
             idempotency_key, updated_at) \
             SELECT $1, $2, channel, id, customer_id, address, given_name, customer_name, \
             'pending', {key}, $4 FROM {source} WHERE skip IS NULL{keep} \
             ORDER BY {order} {conflict}"
        );
        let q = sqlx::query(&insert)
            .bind(org.0)
            .bind(id.0)
            .bind(id.0.simple().to_string())
            .bind(f.at.0);
        bind_all(q, params).execute(&mut *tx).await?;
        // What was frozen, counted from the rows written and the contacts.
        let (cand, params) = candidates(&b.audience, b.channels, 3);
        let sql = format!("{cand}{}", frozen_counts());
        let row: CountsRow = crate::contacts::sql::bind_params(
            sqlx::query_as(&sql).bind(org.0).bind(id.0),
            params,
        )
        .fetch_one(&mut *tx)
        .await?;
        let frozen = counts(row);
        let recipients = frozen.recipients;
        if f.expected_recipients.is_some_and(|n| n != recipients) {
            tx.rollback().await?;
            return Ok(FreezeOutcome::CountChanged { recipients });
        }
        if f.max_recipients.is_some_and(|max| recipients > max) {
            tx.rollback().await?;
            return Ok(FreezeOutcome::AboveThreshold { recipients });
        }
        if let Some(cap) = f.daily_cap {
            let (used,): (i64,) = sqlx::query_as(
                "SELECT CAST(COALESCE(SUM(recipients), 0) AS BIGINT) FROM broadcasts \
                 WHERE org_id = $1 AND approved_at > $2",
            )
            .bind(org.0)
            .bind(f.at.minus(DAY).0)
            .fetch_one(&mut *tx)
            .await?;
            if used + recipients > cap {
                tx.rollback().await?;
                return Ok(FreezeOutcome::OverDailyCap { used, recipients });
            }
        }
        let exclusions = serde_json::to_string(&frozen.excluded)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query(
            "UPDATE broadcasts SET status = 'approved', approver_id = $3, approved_at = $4, \
             updated_at = $4, recipients = $5, sms_recipients = $6, email_recipients = $7, \
             exclusions = $8 WHERE org_id = $1 AND id = $2",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(f.approver.0)
        .bind(f.at.0)
        .bind(recipients)
        .bind(frozen.sms)
        .bind(frozen.email)
        .bind(exclusions)
        .execute(&mut *tx)
        .await?;
        if let Some(job) = &f.delivery {
            crate::jobs::sql::insert_job::<DB>(&mut tx, job).await?;
        }
        tx.commit().await?;
        // The planner's statistics of the rows written are refreshed by the delivery job
        // before it pages them (`refresh_recipient_statistics`), not here: the approver
        // waits for this.
        Ok(FreezeOutcome::Frozen(frozen))
    }

    async fn broadcast_recipients(
        &self,
        org: OrgId,
        id: BroadcastId,
        after: Option<(Channel, &str)>,
        limit: i64,
    ) -> StoreResult<Vec<Recipient>> {
        let (after_channel, after_address) =
            after.map_or(("", ""), |(c, address)| (c.as_str(), address));
        let rows: Vec<RecipientRow> = sqlx::query_as(
            "SELECT broadcast_id, channel, contact_id, customer_id, address, first_name, \
             customer_name, status, provider_error, idempotency_key, updated_at \
             FROM broadcast_recipients WHERE org_id = $1 AND broadcast_id = $2 \
             AND (channel > $3 OR (channel = $3 AND address > $4)) \
             ORDER BY channel, address LIMIT $5",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(after_channel)
        .bind(after_address)
        .bind(limit.clamp(0, 1000))
        .fetch_all(&mut *self.reads.acquire().await?)
        .await?;
        crate::sql::convert_all(rows)
    }

    async fn save_broadcast_template(&self, t: &BroadcastTemplate) -> StoreResult<()> {
        templates::save::<DB>(&mut *self.pool.acquire().await?, t).await
    }

    async fn broadcast_templates(&self, org: OrgId) -> StoreResult<Vec<BroadcastTemplate>> {
        templates::list::<DB>(&mut *self.reads.acquire().await?, org).await
    }

    async fn broadcast_template(
        &self,
        org: OrgId,
        id: BroadcastTemplateId,
    ) -> StoreResult<BroadcastTemplate> {
        templates::one::<DB>(&mut *self.reads.acquire().await?, org, id).await
    }

    async fn delete_broadcast_template(
        &self,
        org: OrgId,
        id: BroadcastTemplateId,
    ) -> StoreResult<()> {
        templates::delete::<DB>(&mut *self.pool.acquire().await?, org, id).await
    }

    async fn record_opt_out(&self, o: &OptOut) -> StoreResult<()> {
        opt_outs::record::<DB>(&mut *self.pool.acquire().await?, o).await
    }

    async fn remove_opt_out(
        &self,
        org: OrgId,
        contact: ContactId,
        channel: Channel,
    ) -> StoreResult<bool> {
        opt_outs::remove::<DB>(&mut *self.pool.acquire().await?, org, contact, channel).await
    }

    async fn opt_outs_of_contact(
        &self,
        org: OrgId,
        contact: ContactId,
    ) -> StoreResult<Vec<OptOut>> {
        opt_outs::of_contact::<DB>(&mut *self.reads.acquire().await?, org, contact).await
    }

    async fn broadcast_settings(&self, org: OrgId) -> StoreResult<Option<BroadcastSettings>> {
        opt_outs::settings::<DB>(&mut *self.reads.acquire().await?, org).await
    }

    async fn save_broadcast_settings(
        &self,
        org: OrgId,
        s: &BroadcastSettings,
        at: Timestamp,
    ) -> StoreResult<()> {
        opt_outs::save_settings::<DB>(&mut *self.pool.acquire().await?, org, s, at).await
    }

    async fn record_broadcast_lane_keyword(
        &self,
        phone: &str,
        opted_out: bool,
        at: Timestamp,
    ) -> StoreResult<crate::LaneKeywordOutcome> {
        opt_outs::lane_keyword::<DB>(&mut *self.pool.acquire().await?, phone, opted_out, at).await
    }

    async fn broadcast_address_opted_out(
        &self,
        org: OrgId,
        channel: Channel,
        address: &str,
    ) -> StoreResult<bool> {
        opt_outs::address_opted_out::<DB>(&mut *self.reads.acquire().await?, org, channel, address)
            .await
    }

    async fn begin_broadcast_sending(
        &self,
        org: OrgId,
        id: BroadcastId,
        at: Timestamp,
    ) -> StoreResult<bool> {
        delivery::begin_sending::<DB>(&mut *self.pool.acquire().await?, org, id, at).await
    }

    async fn pending_deliveries(
        &self,
        org: OrgId,
        id: BroadcastId,
        after: Option<(Channel, &str)>,
        limit: i64,
    ) -> StoreResult<Vec<crate::PendingDelivery>> {
        // The writer's connection: a batch just committed must not be read as pending from a
        // replica or a stale read connection.
        delivery::pending::<DB>(&mut *self.pool.acquire().await?, org, id, after, limit).await
    }

    async fn recipients_of_messages(
        &self,
        org: OrgId,
        messages: &[super::MessageKey<'_>],
    ) -> StoreResult<Vec<Recipient>> {
        let mut conn = self.pool.acquire().await?;
        let mut found = Vec::with_capacity(messages.len());
        for ((broadcast, channel), addresses) in super::render_inputs::groups(messages) {
            found.extend(
                super::render_inputs::rows::<DB>(&mut conn, org, broadcast, channel, &addresses)
                    .await?,
            );
        }
        Ok(found)
    }

    async fn queue_broadcast_deliveries(
        &self,
        org: OrgId,
        id: BroadcastId,
        messages: &[(crate::NewMessage, crate::NewJob)],
        at: Timestamp,
    ) -> StoreResult<Option<u64>> {
        delivery::queue::<DB>(&mut *self.pool.acquire().await?, org, id, messages, at).await
    }

    async fn broadcast_delivery_counts(
        &self,
        org: OrgId,
        id: BroadcastId,
    ) -> StoreResult<crate::DeliveryCounts> {
        delivery::counts::<DB>(&mut *self.reads.acquire().await?, org, id).await
    }

    async fn refresh_recipient_statistics(&self) -> StoreResult<()> {
        analyze::<DB>(&mut *self.pool.acquire().await?, "broadcast_recipients").await
    }

    async fn refresh_delivery_statistics(&self) -> StoreResult<()> {
        analyze::<DB>(&mut *self.pool.acquire().await?, "messages, message_events, jobs").await
    }

    async fn complete_broadcast_if_done(
        &self,
        org: OrgId,
        id: BroadcastId,
        at: Timestamp,
    ) -> StoreResult<bool> {
        delivery::complete_if_done::<DB>(&mut *self.pool.acquire().await?, org, id, at).await
    }

    async fn cancel_broadcast(
        &self,
        org: OrgId,
        id: BroadcastId,
        delivery_job: &str,
        at: Timestamp,
    ) -> StoreResult<crate::CancelOutcome> {
        delivery::cancel::<DB>(&mut *self.pool.acquire().await?, org, id, delivery_job, at).await
    }

    async fn requeue_failed_deliveries(
        &self,
        org: OrgId,
        id: BroadcastId,
        at: Timestamp,
    ) -> StoreResult<Option<i64>> {
        delivery::requeue_failed::<DB>(&mut *self.pool.acquire().await?, org, id, at).await
    }

    async fn broadcast_deliveries(
        &self,
        org: OrgId,
        id: BroadcastId,
        after: Option<(Channel, &str)>,
        limit: i64,
    ) -> StoreResult<Vec<crate::RecipientDelivery>> {
        delivery::report::<DB>(&mut *self.reads.acquire().await?, org, id, after, limit).await
    }

    async fn record_broadcast_reply(
        &self,
        phone: &str,
        body: &str,
        is_stop: bool,
        provider_id: Option<&str>,
        at: Timestamp,
    ) -> StoreResult<u64> {
        delivery::record_reply::<DB>(
            &mut *self.pool.acquire().await?,
            phone,
            body,
            is_stop,
            provider_id,
            at,
        )
        .await
    }

    async fn broadcast_replies(
        &self,
        org: OrgId,
        id: BroadcastId,
        limit: i64,
    ) -> StoreResult<Vec<crate::BroadcastReply>> {
        delivery::replies::<DB>(&mut *self.reads.acquire().await?, org, id, limit).await
    }
}
}
