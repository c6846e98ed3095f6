//! [`DashboardStore`] for both backends.

use crate::DAY_MS;
use crate::sql::{SqlStore, page_size};
use crate::sql::{corrupt, sql_impl};
use crate::{
    ChannelFigures, CustomerFigures, DashboardStore, MethodDay, OutcomeCounts, SecretFigures,
    StoreError, StoreResult, TechnicianFigures,
};
use countersign_domain::{Channel, OrgId, Timestamp, VerificationMethod};
use uuid::Uuid;

/// The summed counts of rollup rows `d`, named as [`CountsRow`]'s fields. `CAST`: PostgreSQL
/// sums a `BIGINT` into a `NUMERIC`.
const SUMS: &str = "CAST(SUM(d.verified) AS BIGINT) AS verified, \
     CAST(SUM(d.failed) AS BIGINT) AS failed, CAST(SUM(d.denied) AS BIGINT) AS denied, \
     CAST(SUM(d.expired) AS BIGINT) AS expired, CAST(SUM(d.sent) AS BIGINT) AS sent, \
     CAST(SUM(d.within_15s) AS BIGINT) AS within_15s, \
     CAST(SUM(d.within_30s) AS BIGINT) AS within_30s, \
     CAST(SUM(d.within_1m) AS BIGINT) AS within_1m, \
     CAST(SUM(d.within_2m) AS BIGINT) AS within_2m, \
     CAST(SUM(d.within_3m) AS BIGINT) AS within_3m, \
     CAST(SUM(d.within_5m) AS BIGINT) AS within_5m, \
     CAST(SUM(d.within_10m) AS BIGINT) AS within_10m, \
     CAST(SUM(d.over_10m) AS BIGINT) AS over_10m";

/// Messages by where they stand, summed, named as [`ChannelRow`]'s counts.
const MESSAGE_SUMS: &str = "\
     CAST(SUM(CASE WHEN state = 'delivered' THEN 1 ELSE 0 END) AS BIGINT) AS delivered, \
     CAST(SUM(CASE WHEN state IN ('accepted', 'sent', 'outbox') THEN 1 ELSE 0 END) \
     AS BIGINT) AS sent, \
     CAST(SUM(CASE WHEN state IN ('failed', 'undelivered') THEN 1 ELSE 0 END) AS BIGINT) \
     AS failed, \
     CAST(SUM(CASE WHEN state IN ('queued', 'sending') THEN 1 ELSE 0 END) AS BIGINT) \
     AS waiting";

/// Every verification of rollup rows `d`, summed, as `total`: the per-technician and
/// per-customer lists show the most first.
const TOTAL: &str =
    "CAST(SUM(d.verified + d.failed + d.denied + d.expired + d.sent) AS BIGINT) AS total";

/// The rollup's "no technician" / "no customer" value.
const NONE: Uuid = Uuid::nil();

#[derive(sqlx::FromRow)]
struct CountsRow {
    verified: i64,
    failed: i64,
    denied: i64,
    expired: i64,
    sent: i64,
    within_15s: i64,
    within_30s: i64,
    within_1m: i64,
    within_2m: i64,
    within_3m: i64,
    within_5m: i64,
    within_10m: i64,
    over_10m: i64,
}

impl From<CountsRow> for OutcomeCounts {
    fn from(r: CountsRow) -> Self {
        Self {
            verified: r.verified,
            failed: r.failed,
            denied: r.denied,
            expired: r.expired,
            sent: r.sent,
            time_to_verify: [
                r.within_15s,
                r.within_30s,
                r.within_1m,
                r.within_2m,
                r.within_3m,
                r.within_5m,
                r.within_10m,
                r.over_10m,
            ],
        }
    }
}

#[derive(sqlx::FromRow)]
struct MethodDayRow {
    day: i64,
    method: String,
    #[sqlx(flatten)]
    counts: CountsRow,
}

#[derive(sqlx::FromRow)]
struct TechnicianRow {
    technician_id: Uuid,
    name: Option<String>,
    #[sqlx(flatten)]
    counts: CountsRow,
}

#[derive(sqlx::FromRow)]
struct CustomerRow {
    customer_id: Uuid,
    name: Option<String>,
    #[sqlx(flatten)]
    counts: CountsRow,
}

#[derive(sqlx::FromRow)]
struct SecretRow {
    sent: i64,
    revealed: i64,
    expired: i64,
    burned: i64,
    open: i64,
}

#[derive(sqlx::FromRow)]
struct ChannelRow {
    channel: String,
    delivered: i64,
    sent: i64,
    failed: i64,
    waiting: i64,
}

/// Most customers one `verification_customers` call returns.
pub const MAX_DASHBOARD_CUSTOMERS: i64 = 500;

sql_impl! {
impl DashboardStore for SqlStore<DB> {
    async fn verification_days(
        &self,
        org: OrgId,
        from_day: i64,
        to_day: i64,
    ) -> StoreResult<Vec<MethodDay>> {
        let sql = format!(
            "SELECT d.day, d.method, {SUMS} FROM verification_daily d WHERE d.org_id = $1 \
             AND d.day >= $2 AND d.day <= $3 AND d.method <> '' \
             GROUP BY d.day, d.method ORDER BY d.day, d.method"
        );
        let rows: Vec<MethodDayRow> = sqlx::query_as(&sql)
            .bind(org.0)
            .bind(from_day)
            .bind(to_day)
            .fetch_all(&mut *self.reads.acquire().await?)
            .await?;
        rows.into_iter()
            .map(|r| {
                Ok(MethodDay {
                    day: r.day,
                    method: VerificationMethod::parse(&r.method)
                        .ok_or_else(|| corrupt("verification method", &r.method))?,
                    counts: r.counts.into(),
                })
            })
            .collect::<Result<_, StoreError>>()
    }

    async fn verification_technicians(
        &self,
        org: OrgId,
        from_day: i64,
        to_day: i64,
    ) -> StoreResult<Vec<TechnicianFigures>> {
        // Summed first, named after: one name lookup per technician, not per day.
        let sql = format!(
            "SELECT a.*, t.name FROM (SELECT d.technician_id, {SUMS}, {TOTAL} \
             FROM verification_daily d WHERE d.org_id = $1 AND d.day >= $2 AND d.day <= $3 \
             AND d.method = '' AND d.customer_id = $4 GROUP BY d.technician_id) a \
             LEFT JOIN technicians t ON t.org_id = $1 AND t.id = a.technician_id \
             ORDER BY a.total DESC, t.name"
        );
        let rows: Vec<TechnicianRow> = sqlx::query_as(&sql)
            .bind(org.0)
            .bind(from_day)
            .bind(to_day)
            .bind(NONE)
            .fetch_all(&mut *self.reads.acquire().await?)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| TechnicianFigures {
                technician_id: (r.technician_id != NONE).then_some(r.technician_id.into()),
                name: r.name,
                counts: r.counts.into(),
            })
            .collect())
    }

    async fn verification_customers(
        &self,
        org: OrgId,
        from_day: i64,
        to_day: i64,
        limit: i64,
    ) -> StoreResult<Vec<CustomerFigures>> {
        // Summed first, named after: one name lookup per customer shown, not per day.
        let sql = format!(
            "SELECT a.*, c.name FROM (SELECT d.customer_id, {SUMS}, {TOTAL} \
             FROM verification_daily d WHERE d.org_id = $1 AND d.day >= $2 AND d.day <= $3 \
             AND d.method = '' AND d.technician_id = $4 AND d.customer_id <> $4 \
             GROUP BY d.customer_id ORDER BY total DESC, d.customer_id LIMIT $5) a \
             LEFT JOIN customers c ON c.org_id = $1 AND c.id = a.customer_id \
             ORDER BY a.total DESC, c.name"
        );
        let rows: Vec<CustomerRow> = sqlx::query_as(&sql)
            .bind(org.0)
            .bind(from_day)
            .bind(to_day)
            .bind(NONE)
            .bind(page_size(limit, MAX_DASHBOARD_CUSTOMERS))
            .fetch_all(&mut *self.reads.acquire().await?)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| CustomerFigures {
                customer_id: r.customer_id.into(),
                name: r.name.unwrap_or_default(),
                counts: r.counts.into(),
            })
            .collect())
    }

    async fn secret_figures(&self, org: OrgId, since: Timestamp) -> StoreResult<SecretFigures> {
        // `kind = 'send'` as a literal: the partial index secrets_send_org_id_created_at_idx
        // covers only Secure Send links.
        let row: SecretRow = sqlx::query_as(
            "SELECT CAST(COUNT(*) AS BIGINT) AS sent, \
             CAST(COALESCE(SUM(CASE WHEN first_revealed_at IS NOT NULL THEN 1 ELSE 0 END), 0) \
             AS BIGINT) AS revealed, \
             CAST(COALESCE(SUM(CASE WHEN first_revealed_at IS NULL AND state = 'expired' \
             THEN 1 ELSE 0 END), 0) AS BIGINT) AS expired, \
             CAST(COALESCE(SUM(CASE WHEN first_revealed_at IS NULL AND state = 'burned' \
             THEN 1 ELSE 0 END), 0) AS BIGINT) AS burned, \
             CAST(COALESCE(SUM(CASE WHEN first_revealed_at IS NULL \
             AND state IN ('waiting', 'active') THEN 1 ELSE 0 END), 0) AS BIGINT) AS open \
             FROM secrets WHERE org_id = $1 AND kind = 'send' AND created_at >= $2",
        )
        .bind(org.0)
        .bind(since.0)
        .fetch_one(&mut *self.reads.acquire().await?)
        .await?;
        Ok(SecretFigures {
            sent: row.sent,
            revealed: row.revealed,
            expired: row.expired,
            burned: row.burned,
            open: row.open,
        })
    }

    async fn message_figures(&self, org: OrgId, from_day: i64) -> StoreResult<Vec<ChannelFigures>> {
        let mut reads = self.reads.acquire().await?;
        let mark: Option<(i64,)> =
            sqlx::query_as("SELECT rolled_to_day FROM message_daily_marks WHERE org_id = $1")
                .bind(org.0)
                .fetch_optional(&mut *reads)
                .await?;
        // Days before the mark are rolled up; from it on, counted live.
        let live_from = mark.map_or(from_day, |(m,)| m.max(from_day));
        let mut rows: Vec<ChannelRow> = if live_from > from_day {
            sqlx::query_as(
                "SELECT channel, CAST(SUM(delivered) AS BIGINT) AS delivered, \
                 CAST(SUM(sent) AS BIGINT) AS sent, CAST(SUM(failed) AS BIGINT) AS failed, \
                 CAST(SUM(waiting) AS BIGINT) AS waiting FROM message_daily \
                 WHERE org_id = $1 AND day >= $2 AND day < $3 GROUP BY channel",
            )
            .bind(org.0)
            .bind(from_day)
            .bind(live_from)
            .fetch_all(&mut *reads)
            .await?
        } else {
            Vec::new()
        };
        let sql = format!(
            "SELECT channel, {MESSAGE_SUMS} FROM messages WHERE org_id = $1 \
             AND created_at >= $2 GROUP BY channel"
        );
        let live: Vec<ChannelRow> = sqlx::query_as(&sql)
            .bind(org.0)
            .bind(live_from * DAY_MS)
            .fetch_all(&mut *reads)
            .await?;
        for l in live {
            match rows.iter_mut().find(|r| r.channel == l.channel) {
                Some(r) => {
                    r.delivered += l.delivered;
                    r.sent += l.sent;
                    r.failed += l.failed;
                    r.waiting += l.waiting;
                }
                None => rows.push(l),
            }
        }
        // SMS first, then email.
        rows.sort_by(|a, b| b.channel.cmp(&a.channel));
        rows.into_iter()
            .map(|r| {
                Ok(ChannelFigures {
                    channel: Channel::parse(&r.channel)
                        .ok_or_else(|| corrupt("channel", &r.channel))?,
                    delivered: r.delivered,
                    sent: r.sent,
                    failed: r.failed,
                    waiting: r.waiting,
                })
            })
            .collect::<Result<_, StoreError>>()
    }

    async fn message_rollup_orgs(&self) -> StoreResult<Vec<OrgId>> {
        let rows: Vec<(Uuid,)> = sqlx::query_as("SELECT id FROM orgs ORDER BY id")
            .fetch_all(&mut *self.reads.acquire().await?)
            .await?;
        Ok(rows.into_iter().map(|(id,)| OrgId(id)).collect())
    }

    async fn roll_up_message_days(
        &self,
        org: OrgId,
        before_day: i64,
        max_days: i64,
    ) -> StoreResult<i64> {
        let mut writer = self.pool.acquire().await?;
        let mut tx = DB::begin_write(&mut writer).await?;
        let mark: Option<(i64,)> =
            sqlx::query_as("SELECT rolled_to_day FROM message_daily_marks WHERE org_id = $1")
                .bind(org.0)
                .fetch_optional(&mut *tx)
                .await?;
        let from = match mark {
            // The last day rolled up is rolled up again: receipts of its late messages may
            // have come in since.
            Some((m,)) => m - 1,
            // Never rolled up: from the org's first message (none: nothing to do).
            None => {
                let first: (Option<i64>,) =
                    sqlx::query_as("SELECT MIN(created_at) FROM messages WHERE org_id = $1")
                        .bind(org.0)
                        .fetch_one(&mut *tx)
                        .await?;
                match first.0 {
                    Some(at) => at.div_euclid(DAY_MS),
                    None => return Ok(0),
                }
            }
        };
        let to = before_day.min(from.saturating_add(max_days.max(1)));
        if to <= from {
            return Ok(0);
        }
        let sql = format!(
            "INSERT INTO message_daily (org_id, day, channel, delivered, sent, failed, \
             waiting) SELECT org_id, created_at / 86400000, channel, {MESSAGE_SUMS} \
             FROM messages WHERE org_id = $1 AND created_at >= $2 AND created_at < $3 \
             GROUP BY org_id, created_at / 86400000, channel \
             ON CONFLICT (org_id, day, channel) DO UPDATE SET \
             delivered = excluded.delivered, sent = excluded.sent, failed = excluded.failed, \
             waiting = excluded.waiting"
        );
        sqlx::query(&sql)
            .bind(org.0)
            .bind(from * DAY_MS)
            .bind(to * DAY_MS)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO message_daily_marks (org_id, rolled_to_day) VALUES ($1, $2) \
             ON CONFLICT (org_id) DO UPDATE SET rolled_to_day = excluded.rolled_to_day",
        )
        .bind(org.0)
        .bind(to)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        // Progress: the days newly rolled up (0 when the run only rolled the last one again).
        Ok(mark.map_or(to - from, |(m,)| (to - m).max(0)))
    }
}
}
