//! The SQL of delivering a frozen broadcast, called from [`crate::BroadcastStore`]'s
//! implementation in `sql.rs` with the connection it chose.
//!
//! A recipient row is queued when a message carries its idempotency key (the unique
//! `(org_id, idempotency_key)` index of `messages` is the record of it, so a job that dies
//! after committing a batch finds those rows queued and never queues them twice). Until then
//! its own status says `pending`, or a decision taken without a message (`opted_out`,
//! `cancelled`); after, the message's state is the delivery's.
//!
//! Messages of a batch go in as multi-row `INSERT`s: 200,000 messages are queued in seconds,
//! where one statement per row would cost PostgreSQL a round trip each.

use super::sql::RecipientRow;
use crate::sql::{changed, corrupt, sql_impl, values_rows};
use crate::{
    BroadcastReply, CancelOutcome, DeliveryCounts, MessageState, NewJob, NewMessage,
    PendingDelivery, Recipient, RecipientDelivery, StoreResult,
};
use countersign_domain::{
    BroadcastId, BroadcastStatus, Channel, OrgId, RecipientStatus, Timestamp,
};
use uuid::Uuid;

/// Messages per multi-row `INSERT` (14 parameters each: well under SQLite's 32,766; written
/// with [`values_rows`], whose anonymous placeholders SQLite binds in linear time).
const CHUNK: usize = 250;

/// The error code of a delivery that failed because the address opted out (Twilio's
/// "unsubscribed recipient", also used for broadcast opt-outs found before sending).
pub const OPTED_OUT_CODE: &str = "21610";

/// Joins a recipient row `r` to its message `m`, if queued.
const JOIN_MESSAGE: &str = "LEFT JOIN messages m ON m.org_id = r.org_id \
     AND m.idempotency_key = r.idempotency_key";

/// The recipient columns of [`Recipient`] read as `r`.
const RECIPIENT_COLUMNS: &str = "r.broadcast_id, r.channel, r.contact_id, r.customer_id, \
     r.address, r.first_name, r.customer_name, r.status, r.provider_error, r.idempotency_key, \
     r.updated_at";

#[derive(sqlx::FromRow)]
struct PendingRow {
    #[sqlx(flatten)]
    recipient: RecipientRow,
    time_zone: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ReportRow {
    #[sqlx(flatten)]
    recipient: RecipientRow,
    message_state: Option<String>,
    last_error: Option<String>,
    error_code: Option<String>,
    message_at: Option<i64>,
}

/// `(channel, address) > after` as SQL over `r`, with its two parameters at `$n`, `$n+1`. A
/// row-value comparison: PostgreSQL walks the key's index from it (the `OR` form made it scan
/// and sort every row of the broadcast for each page).
fn after_clause(n: usize) -> String {
    format!("(r.channel, r.address) > (${n}, ${})", n + 1)
}

fn after_values(after: Option<(Channel, &str)>) -> (&'static str, &str) {
    after.map_or(("", ""), |(c, a)| (c.as_str(), a))
}

impl RecipientDelivery {
    /// Where the delivery stands, as [`DeliveryCounts`] counts it: `pending`, `queued`,
    /// `sent`, `delivered`, `failed`, `opted_out` or `cancelled`.
    #[must_use]
    pub fn word(&self) -> &'static str {
        if self.recipient.status != RecipientStatus::Pending {
            return self.recipient.status.as_str();
        }
        match self.state {
            None => "pending",
            Some(MessageState::Queued | MessageState::Sending) => "queued",
            Some(MessageState::Accepted | MessageState::Sent | MessageState::Outbox) => "sent",
            Some(MessageState::Delivered) => "delivered",
            Some(MessageState::Failed | MessageState::Undelivered) => {
                if self.error_code.as_deref() == Some(OPTED_OUT_CODE) {
                    "opted_out"
                } else if self.error.as_deref() == Some(CANCELLED_ERROR) {
                    "cancelled"
                } else {
                    "failed"
                }
            }
        }
    }
}

sql_impl! {
/// Approved → sending.
pub(super) async fn begin_sending<DB>(
    conn: &mut DB::Connection,
    org: OrgId,
    id: BroadcastId,
    at: Timestamp,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE broadcasts SET status = 'sending', started_at = $3, updated_at = $3 \
         WHERE org_id = $1 AND id = $2 AND status = 'approved'",
    )
    .bind(org.0)
    .bind(id.0)
    .bind(at.0)
    .execute(&mut *conn)
    .await?;
    Ok(changed::<DB>(&done))
}
}

sql_impl! {
/// Pending rows without a message, with their customer's time zone.
pub(super) async fn pending<DB>(
    conn: &mut DB::Connection,
    org: OrgId,
    id: BroadcastId,
    after: Option<(Channel, &str)>,
    limit: i64,
) -> StoreResult<Vec<PendingDelivery>> {
    let sql = format!(
        "SELECT {RECIPIENT_COLUMNS}, c.time_zone FROM broadcast_recipients r \
         LEFT JOIN customers c ON c.org_id = r.org_id AND c.id = r.customer_id \
         WHERE r.org_id = $1 AND r.broadcast_id = $2 AND r.status = 'pending' AND {} \
         AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.org_id = r.org_id \
             AND m.idempotency_key = r.idempotency_key) \
         ORDER BY r.channel, r.address LIMIT $5",
        after_clause(3)
    );
    let (after_channel, after_address) = after_values(after);
    let rows: Vec<PendingRow> = sqlx::query_as(&sql)
        .bind(org.0)
        .bind(id.0)
        .bind(after_channel)
        .bind(after_address)
        .bind(limit.clamp(0, 5000))
        .fetch_all(&mut *conn)
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok(PendingDelivery {
                recipient: r.recipient.try_into()?,
                time_zone: r.time_zone,
            })
        })
        .collect()
}
}

sql_impl! {
/// Stores a batch of a sending broadcast's messages with their jobs.
pub(super) async fn queue<DB>(
    conn: &mut DB::Connection,
    org: OrgId,
    id: BroadcastId,
    messages: &[(NewMessage, NewJob)],
    at: Timestamp,
) -> StoreResult<Option<u64>> {
    let mut tx = DB::begin_write(conn).await?;
    // Takes the broadcast's row lock first, so a cancel waits for this batch and then
    // cancels its messages, or this batch sees the cancel and stores nothing.
    let sending = sqlx::query(
        "UPDATE broadcasts SET updated_at = $3 WHERE org_id = $1 AND id = $2 \
         AND status = 'sending'",
    )
    .bind(org.0)
    .bind(id.0)
    .bind(at.0)
    .execute(&mut *tx)
    .await?;
    if !changed::<DB>(&sending) {
        tx.rollback().await?;
        return Ok(None);
    }
    let mut new = 0u64;
    for chunk in messages.chunks(CHUNK) {
        let rows = values_rows::<DB>(
            chunk.len(),
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?)",
        );
        let sql = format!(
            "INSERT INTO messages (id, org_id, channel, template, recipient, subject, \
             body_text, body_html, transport, lane, list_unsubscribe, state, attempts, \
             idempotency_key, created_at, updated_at) VALUES {rows} \
             ON CONFLICT (org_id, idempotency_key) DO NOTHING RETURNING id"
        );
        let mut q = sqlx::query_as::<DB, (Uuid,)>(&sql);
        for (m, _) in chunk {
            q = q
                .bind(m.id.0)
                .bind(m.org_id.0)
                .bind(m.channel.as_str())
                .bind(m.template.as_str())
                .bind(m.recipient.as_str())
                .bind(m.subject.as_str())
                .bind(m.body_text.as_str())
                .bind(m.body_html.as_deref())
                .bind(m.transport.as_str())
                .bind(m.lane.as_str())
                .bind(m.list_unsubscribe.as_deref())
                .bind(m.idempotency_key.as_str())
                .bind(m.created_at.0)
                .bind(m.created_at.0);
        }
        let inserted: std::collections::HashSet<Uuid> =
            q.fetch_all(&mut *tx).await?.into_iter().map(|(i,)| i).collect();
        let fresh: Vec<&(NewMessage, NewJob)> =
            chunk.iter().filter(|(m, _)| inserted.contains(&m.id.0)).collect();
        if fresh.is_empty() {
            continue;
        }
        new += u64::try_from(fresh.len()).unwrap_or(0);
        let events = values_rows::<DB>(fresh.len(), "(?, ?, ?, 'queued', 'queued')");
        let sql = format!(
            "INSERT INTO message_events (org_id, message_id, at, state, detail) VALUES {events}"
        );
        let mut q = sqlx::query(&sql);
        for (m, _) in &fresh {
            q = q.bind(org.0).bind(m.id.0).bind(at.0);
        }
        q.execute(&mut *tx).await?;
        // One job per new message (the dedup key `message:{id}` is new with the message).
        let jobs = values_rows::<DB>(
            fresh.len(),
            "(?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?, ?)",
        );
        let sql = format!(
            "INSERT INTO jobs (id, org_id, kind, payload, state, attempts, max_attempts, \
             run_at, dedup_key, created_at, updated_at) VALUES {jobs} \
             ON CONFLICT (org_id, dedup_key) DO NOTHING"
        );
        let mut q = sqlx::query(&sql);
        for (_, j) in &fresh {
            q = q
                .bind(j.id.0)
                .bind(org.0)
                .bind(j.kind.as_str())
                .bind(j.payload.as_str())
                .bind(j.max_attempts)
                .bind(j.run_at.0)
                .bind(j.dedup_key.as_deref())
                .bind(j.created_at.0)
                .bind(j.created_at.0);
        }
        q.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(Some(new))
}
}

/// What a delivery counts as (the words of [`DeliveryCounts`]), from its row's status and
/// its message's state, error code and last error (NULL without a message).
fn delivery_word() -> String {
    format!(
        "CASE WHEN r.status <> 'pending' THEN r.status \
         WHEN m.state IS NULL THEN 'pending' \
         WHEN m.state IN ('queued', 'sending') THEN 'queued' \
         WHEN m.state IN ('accepted', 'sent', 'outbox') THEN 'sent' \
         WHEN m.state = 'delivered' THEN 'delivered' \
         WHEN m.error_code = '{OPTED_OUT_CODE}' THEN 'opted_out' \
         WHEN m.last_error = '{CANCELLED_ERROR}' THEN 'cancelled' \
         ELSE 'failed' END"
    )
}

/// The last error of a queued message that a cancel stopped.
pub const CANCELLED_ERROR: &str = "not sent: the broadcast was cancelled";

sql_impl! {
/// Deliveries by where they stand, and the reply counts.
pub(super) async fn counts<DB>(
    conn: &mut DB::Connection,
    org: OrgId,
    id: BroadcastId,
) -> StoreResult<DeliveryCounts> {
    let sql = format!(
        "SELECT {word} AS word, COUNT(*) FROM broadcast_recipients r {JOIN_MESSAGE} \
         WHERE r.org_id = $1 AND r.broadcast_id = $2 GROUP BY word",
        word = delivery_word()
    );
    let rows: Vec<(String, i64)> = sqlx::query_as(&sql)
        .bind(org.0)
        .bind(id.0)
        .fetch_all(&mut *conn)
        .await?;
    let mut c = DeliveryCounts::default();
    for (word, n) in rows {
        let slot = match word.as_str() {
            "pending" => &mut c.pending,
            "queued" => &mut c.queued,
            "sent" => &mut c.sent,
            "delivered" => &mut c.delivered,
            "opted_out" => &mut c.opted_out,
            "cancelled" => &mut c.cancelled,
            _ => &mut c.failed,
        };
        *slot += n;
    }
    let (replies, stops): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN is_stop THEN 1 ELSE 0 END), 0) AS BIGINT) \
         FROM broadcast_replies WHERE org_id = $1 AND broadcast_id = $2",
    )
    .bind(org.0)
    .bind(id.0)
    .fetch_one(&mut *conn)
    .await?;
    c.replies = replies;
    c.stop_replies = stops;
    Ok(c)
}
}

sql_impl! {
/// Sending → completed when nothing is pending, queued or being sent.
pub(super) async fn complete_if_done<DB>(
    conn: &mut DB::Connection,
    org: OrgId,
    id: BroadcastId,
    at: Timestamp,
) -> StoreResult<bool> {
    let done = sqlx::query(&format!(
        "UPDATE broadcasts SET status = 'completed', completed_at = $3, updated_at = $3 \
         WHERE org_id = $1 AND id = $2 AND status = 'sending' AND NOT EXISTS ( \
             SELECT 1 FROM broadcast_recipients r {JOIN_MESSAGE} \
             WHERE r.org_id = $1 AND r.broadcast_id = $2 AND r.status = 'pending' \
             AND (m.id IS NULL OR m.state IN ('queued', 'sending')))"
    ))
    .bind(org.0)
    .bind(id.0)
    .bind(at.0)
    .execute(&mut *conn)
    .await?;
    Ok(changed::<DB>(&done))
}
}

sql_impl! {
/// Cancels an approved or sending broadcast (see the trait).
pub(super) async fn cancel<DB>(
    conn: &mut DB::Connection,
    org: OrgId,
    id: BroadcastId,
    delivery_job: &str,
    at: Timestamp,
) -> StoreResult<CancelOutcome> {
    let mut tx = DB::begin_write(conn).await?;
    let done = sqlx::query(
        "UPDATE broadcasts SET status = 'cancelled', cancelled_at = $3, updated_at = $3 \
         WHERE org_id = $1 AND id = $2 AND status IN ('approved', 'sending')",
    )
    .bind(org.0)
    .bind(id.0)
    .bind(at.0)
    .execute(&mut *tx)
    .await?;
    if !changed::<DB>(&done) {
        let status: Option<(String,)> =
            sqlx::query_as("SELECT status FROM broadcasts WHERE org_id = $1 AND id = $2")
                .bind(org.0)
                .bind(id.0)
                .fetch_optional(&mut *tx)
                .await?;
        tx.rollback().await?;
        let (status,) = status.ok_or(crate::StoreError::NotFound)?;
        return Ok(CancelOutcome::NotCancellable(
            BroadcastStatus::parse(&status).ok_or_else(|| corrupt("broadcast status", &status))?,
        ));
    }
    // Queued messages first (workers skip a message that is not queued), with a history
    // entry each, then the rows that have none.
    sqlx::query(
        "INSERT INTO message_events (org_id, message_id, at, state, detail) \
         SELECT m.org_id, m.id, $3, 'failed', 'cancelled with its broadcast' FROM messages m \
         WHERE m.org_id = $1 AND m.state = 'queued' AND m.idempotency_key IN ( \
             SELECT r.idempotency_key FROM broadcast_recipients r \
             WHERE r.org_id = $1 AND r.broadcast_id = $2 AND r.status = 'pending')",
    )
    .bind(org.0)
    .bind(id.0)
    .bind(at.0)
    .execute(&mut *tx)
    .await?;
    let stopped_messages = sqlx::query(
        "UPDATE messages SET state = 'failed', last_error = $3, updated_at = $4 \
         WHERE org_id = $1 AND state = 'queued' AND idempotency_key IN ( \
             SELECT r.idempotency_key FROM broadcast_recipients r \
             WHERE r.org_id = $1 AND r.broadcast_id = $2 AND r.status = 'pending')",
    )
    .bind(org.0)
    .bind(id.0)
    .bind(CANCELLED_ERROR)
    .bind(at.0)
    .execute(&mut *tx)
    .await?;
    let stopped_rows = sqlx::query(
        "UPDATE broadcast_recipients SET status = 'cancelled', updated_at = $3 \
         WHERE org_id = $1 AND broadcast_id = $2 AND status = 'pending' AND NOT EXISTS ( \
             SELECT 1 FROM messages m WHERE m.org_id = $1 \
             AND m.idempotency_key = broadcast_recipients.idempotency_key)",
    )
    .bind(org.0)
    .bind(id.0)
    .bind(at.0)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE jobs SET run_at = $3, updated_at = $3 WHERE org_id = $1 AND dedup_key = $2 \
         AND state = 'queued' AND run_at > $3",
    )
    .bind(org.0)
    .bind(delivery_job)
    .bind(at.0)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    let stopped = DB::rows_affected(&stopped_messages) + DB::rows_affected(&stopped_rows);
    Ok(CancelOutcome::Cancelled {
        stopped: i64::try_from(stopped).unwrap_or(i64::MAX),
    })
}
}

sql_impl! {
/// "Retry failed only" (see the trait).
pub(super) async fn requeue_failed<DB>(
    conn: &mut DB::Connection,
    org: OrgId,
    id: BroadcastId,
    at: Timestamp,
) -> StoreResult<Option<i64>> {
    let mut tx = DB::begin_write(conn).await?;
    let status: Option<(String,)> =
        sqlx::query_as("SELECT status FROM broadcasts WHERE org_id = $1 AND id = $2")
            .bind(org.0)
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await?;
    if !matches!(status.as_ref().map(|s| s.0.as_str()), Some("sending" | "completed")) {
        tx.rollback().await?;
        return Ok(None);
    }
    let key = format!(
        "'broadcast:' || {} || ':' || channel || ':' || {} || ':r' || \
         CAST(attempt + 1 AS TEXT)",
        DB::uuid_hex("broadcast_id"),
        DB::uuid_hex("contact_id")
    );
    let done = sqlx::query(&format!(
        "UPDATE broadcast_recipients SET attempt = attempt + 1, idempotency_key = {key}, \
         updated_at = $3 WHERE org_id = $1 AND broadcast_id = $2 AND status = 'pending' \
         AND idempotency_key IN (SELECT m.idempotency_key FROM messages m \
             WHERE m.org_id = $1 AND m.state IN ('failed', 'undelivered') \
             AND (m.error_code IS NULL OR m.error_code <> '{OPTED_OUT_CODE}') \
             AND (m.last_error IS NULL OR m.last_error <> '{CANCELLED_ERROR}'))"
    ))
    .bind(org.0)
    .bind(id.0)
    .bind(at.0)
    .execute(&mut *tx)
    .await?;
    let requeued = DB::rows_affected(&done);
    if requeued > 0 {
        sqlx::query(
            "UPDATE broadcasts SET status = 'sending', completed_at = NULL, updated_at = $3 \
             WHERE org_id = $1 AND id = $2",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(at.0)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(Some(i64::try_from(requeued).unwrap_or(i64::MAX)))
}
}

sql_impl! {
/// The per-recipient report.
pub(super) async fn report<DB>(
    conn: &mut DB::Connection,
    org: OrgId,
    id: BroadcastId,
    after: Option<(Channel, &str)>,
    limit: i64,
) -> StoreResult<Vec<RecipientDelivery>> {
    let sql = format!(
        "SELECT {RECIPIENT_COLUMNS}, m.state AS message_state, m.last_error, m.error_code, \
         m.updated_at AS message_at \
         FROM broadcast_recipients r {JOIN_MESSAGE} \
         WHERE r.org_id = $1 AND r.broadcast_id = $2 AND {} \
         ORDER BY r.channel, r.address LIMIT $5",
        after_clause(3)
    );
    let (after_channel, after_address) = after_values(after);
    let rows: Vec<ReportRow> = sqlx::query_as(&sql)
        .bind(org.0)
        .bind(id.0)
        .bind(after_channel)
        .bind(after_address)
        .bind(limit.clamp(0, 1000))
        .fetch_all(&mut *conn)
        .await?;
    rows.into_iter()
        .map(|r| {
            let recipient: Recipient = r.recipient.try_into()?;
            let state = r
                .message_state
                .map(|s| MessageState::parse(&s).ok_or_else(|| corrupt("message state", &s)))
                .transpose()?;
            let at = r.message_at.map_or(recipient.updated_at, Timestamp);
            Ok(RecipientDelivery {
                recipient,
                state,
                error: r.last_error,
                error_code: r.error_code,
                at,
            })
        })
        .collect()
}
}

sql_impl! {
/// Records a reply from `phone` against each org's latest broadcast that texted it.
pub(super) async fn record_reply<DB>(
    conn: &mut DB::Connection,
    phone: &str,
    body: &str,
    is_stop: bool,
    provider_id: Option<&str>,
    at: Timestamp,
) -> StoreResult<u64> {
    let mut tx = DB::begin_write(conn).await?;
    // The broadcast SMS sent to the number, newest first (messages_broadcast_sms_recipient_idx);
    // the broadcast is named by the message's key, `broadcast:{id}:sms:{contact}[:r{n}]`.
    let sent: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT org_id, idempotency_key FROM messages WHERE lane = 'broadcast' \
         AND channel = 'sms' AND recipient = $1 AND idempotency_key LIKE 'broadcast:%' \
         ORDER BY created_at DESC",
    )
    .bind(phone)
    .fetch_all(&mut *tx)
    .await?;
    let mut seen = std::collections::HashSet::new();
    let mut recorded = 0;
    for (org, key) in sent {
        if !seen.insert(org) {
            continue;
        }
        let Some(broadcast) = broadcast_of_key(&key) else {
            continue;
        };
        let done = sqlx::query(
            "INSERT INTO broadcast_replies (id, org_id, broadcast_id, from_address, body, \
             is_stop, provider_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (org_id, provider_id) DO NOTHING",
        )
        .bind(Uuid::now_v7())
        .bind(org)
        .bind(broadcast)
        .bind(phone)
        .bind(body)
        .bind(is_stop)
        .bind(provider_id)
        .bind(at.0)
        .execute(&mut *tx)
        .await?;
        recorded += DB::rows_affected(&done);
    }
    tx.commit().await?;
    Ok(recorded)
}
}

/// The broadcast a delivery's idempotency key names.
pub(super) fn broadcast_of_key(key: &str) -> Option<Uuid> {
    let hex = key.strip_prefix("broadcast:")?.split(':').next()?;
    Uuid::try_parse(hex).ok()
}

sql_impl! {
/// A broadcast's replies, newest first.
pub(super) async fn replies<DB>(
    conn: &mut DB::Connection,
    org: OrgId,
    id: BroadcastId,
    limit: i64,
) -> StoreResult<Vec<BroadcastReply>> {
    let rows: Vec<(String, String, bool, Option<String>, i64)> = sqlx::query_as(
        "SELECT from_address, body, is_stop, provider_id, at FROM broadcast_replies \
         WHERE org_id = $1 AND broadcast_id = $2 ORDER BY at DESC, id DESC LIMIT $3",
    )
    .bind(org.0)
    .bind(id.0)
    .bind(limit.clamp(0, 500))
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(from_address, body, is_stop, provider_id, at)| BroadcastReply {
            org_id: org,
            broadcast_id: id,
            from_address,
            body,
            is_stop,
            provider_id,
            at: Timestamp(at),
        })
        .collect())
}
}

#[cfg(test)]
mod tests {
    use super::broadcast_of_key;

    #[test]
    fn the_broadcast_is_read_from_a_delivery_key() {
        let id = uuid::Uuid::now_v7();
        let key = format!(
            "broadcast:{}:sms:{}",
            id.simple(),
            uuid::Uuid::nil().simple()
        );
        assert_eq!(broadcast_of_key(&key), Some(id));
        assert_eq!(broadcast_of_key(&format!("{key}:r2")), Some(id));
        assert_eq!(broadcast_of_key("broadcast-test:abc"), None);
        assert_eq!(broadcast_of_key("verification:x"), None);
    }
}
