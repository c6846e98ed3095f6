//! [`DeliveryStore`] for both backends: a batch's attempts begin in one transaction, and its
//! results are recorded in one transaction. On PostgreSQL each is one statement taking the
//! batch as a JSON recordset (`recordsets.rs`); on SQLite the attempts begin with one
//! `UPDATE … RETURNING` and one multi-row history `INSERT`, and the results are recorded by
//! one multi-statement query (`records.rs`).

use super::recordsets;
use crate::messages::sql::{MESSAGE_COLUMNS, MessageRow, bind_transition, transition_sql};
use crate::sql::SqlStore;
use crate::sql::sql_impl;
use crate::{Attempt, DeliveryRecord, DeliveryStore};
use crate::{Message, MessageState, Transition, TransportKind};
use crate::{StoreError, StoreResult};
use countersign_domain::{MessageId, OrgId, Timestamp};

/// Rows per multi-row statement (5 parameters each, far below both backends' limits).
const CHUNK: usize = 200;

#[derive(sqlx::FromRow)]
struct AttemptRow {
    #[sqlx(flatten)]
    message: MessageRow,
    opted_out: bool,
    broadcast_opted_out: bool,
}

impl TryFrom<AttemptRow> for Attempt {
    type Error = StoreError;
    fn try_from(row: AttemptRow) -> StoreResult<Self> {
        Ok(Self {
            message: Message::try_from(row.message)?,
            sms_opted_out: row.opted_out,
            broadcast_opted_out: row.broadcast_opted_out,
        })
    }
}

/// One history entry to append.
struct Event<'a> {
    org: OrgId,
    id: MessageId,
    at: Timestamp,
    state: MessageState,
    detail: &'a str,
}

/// `(org_id = $n AND id = $n+1) OR …` for `count` pairs, numbered from `first`.
fn pairs_sql(first: usize, count: usize) -> String {
    (0..count)
        .map(|i| {
            format!(
                "(org_id = ${} AND id = ${})",
                first + 2 * i,
                first + 2 * i + 1
            )
        })
        .collect::<Vec<_>>()
        .join(" OR ")
}

/// `$first, …` for `count` parameters.
fn list_sql(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

sql_impl! {
impl DeliveryStore for SqlStore<DB> {
    async fn begin_attempts(
        &self,
        batch: &[(OrgId, MessageId)],
        at: Timestamp,
    ) -> StoreResult<Vec<Attempt>> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let mut writer = self.pool.acquire().await?;
        let mut tx = DB::begin_write(&mut writer).await?;
        // The durable record of the batch is the commit of its results (`record_deliveries`),
        // which flushes the log up to and past this one. Lost in a database crash, this start
        // leaves the messages `queued` where it would have left them `sending`, and the job
        // runs them again after its lease either way (the claim is durable): the same sends
        // as with a flushed start. So this commit does not wait for the disk.
        DB::commit_lazily(&mut tx).await?;
        if DB::JSON_RECORDSETS {
            let rows: Vec<AttemptRow> = sqlx::query_as(&recordsets::begin_sql())
                .persistent(!DB::PLAN_EACH_TIME)
                .bind(at.0)
                .bind(recordsets::attempt_pairs(batch)?)
                .fetch_all(&mut *tx)
                .await?;
            tx.commit().await?;
            return rows.into_iter().map(Attempt::try_from).collect();
        }
        let mut attempts = Vec::with_capacity(batch.len());
        for chunk in batch.chunks(CHUNK) {
            let sql = format!(
                "UPDATE messages SET state = 'sending', attempts = attempts + 1, updated_at = $1 \
                 WHERE state IN ('queued', 'sending') AND ({pairs}) RETURNING {MESSAGE_COLUMNS}, \
                 EXISTS (SELECT 1 FROM sms_opt_outs o WHERE o.org_id = messages.org_id \
                 AND o.phone = messages.recipient AND o.opted_out) AS opted_out, \
                 (messages.lane = 'broadcast' AND EXISTS (SELECT 1 FROM broadcast_opt_outs b \
                 WHERE b.org_id = messages.org_id AND b.channel = messages.channel \
                 AND b.address = messages.recipient)) AS broadcast_opted_out",
                pairs = pairs_sql(2, chunk.len()),
            );
            let mut q = sqlx::query_as::<DB, AttemptRow>(&sql).bind(at.0);
            for (org, id) in chunk {
                q = q.bind(org.0).bind(id.0);
            }
            for row in q.fetch_all(&mut *tx).await? {
                attempts.push(Attempt::try_from(row)?);
            }
        }
        let details: Vec<String> = attempts
            .iter()
            .map(|a| format!("attempt {}", a.message.attempts))
            .collect();
        let events: Vec<Event<'_>> = attempts
            .iter()
            .zip(&details)
            .map(|(a, detail)| Event {
                org: a.message.org_id,
                id: a.message.id,
                at,
                state: MessageState::Sending,
                detail,
            })
            .collect();
        insert_events::<DB>(&mut tx, &events).await?;
        tx.commit().await?;
        Ok(attempts)
    }

    async fn record_deliveries(
        &self,
        worker: &str,
        now: Timestamp,
        records: &[DeliveryRecord],
    ) -> StoreResult<u64> {
        if records.is_empty() {
            return Ok(0);
        }
        let mut writer = self.pool.acquire().await?;
        if DB::JSON_RECORDSETS {
            let (moves, nexts) = recordsets::record_sets(records, now)?;
            let held: i64 = sqlx::query_scalar(&recordsets::record_sql())
                .persistent(!DB::PLAN_EACH_TIME)
                .bind(worker)
                .bind(now.0)
                .bind(moves)
                .bind(nexts)
                .fetch_one(&mut *writer)
                .await?;
            return Ok(u64::try_from(held).unwrap_or(0));
        }
        Self::record_in_one_query(&mut writer, worker, now, records).await
    }

    async fn transition_by_callback(
        &self,
        transport: TransportKind,
        message: MessageId,
        provider_id: &str,
        transition: &Transition,
    ) -> StoreResult<Option<(OrgId, MessageId)>> {
        // `$2` is the provider id: recorded when unknown, and the message must not have
        // another one.
        let sql = transition_sql(
            transition.state,
            "transport = $7 AND id = $8 AND (provider_id IS NULL OR provider_id = $2)",
        );
        let mut t = transition.clone();
        t.provider_id = Some(provider_id.to_owned());
        let mut writer = self.pool.acquire().await?;
        let mut tx = DB::begin_write(&mut writer).await?;
        let row = bind_transition::<DB>(&sql, &t)
            .bind(transport.as_str())
            .bind(message.0)
            .fetch_optional(&mut *tx)
            .await?;
        let Some((org, id)) = row else {
            return Ok(None);
        };
        let (org, id) = (OrgId(org), MessageId(id));
        let event = Event {
            org,
            id,
            at: t.at,
            state: t.state,
            detail: &t.detail,
        };
        insert_events::<DB>(&mut tx, &[event]).await?;
        tx.commit().await?;
        Ok(Some((org, id)))
    }
}
}

sql_impl! {
/// Appends history entries with multi-row `INSERT`s.
async fn insert_events<DB>(conn: &mut DB::Connection, events: &[Event<'_>]) -> StoreResult<()> {
    for chunk in events.chunks(CHUNK) {
        let values = (0..chunk.len())
            .map(|i| format!("({})", list_sql(1 + 5 * i, 5)))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO message_events (org_id, message_id, at, state, detail) VALUES {values}"
        );
        let mut q = sqlx::query::<DB>(&sql);
        for e in chunk {
            q = q
                .bind(e.org.0)
                .bind(e.id.0)
                .bind(e.at.0)
                .bind(e.state.as_str())
                .bind(e.detail);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}
}
