//! [`ThrottleStore`] for both backends.

use crate::sql::SqlStore;
use crate::sql::sql_impl;
use crate::{LockRule, Throttle};
use crate::{StoreResult, ThrottleStore};
use countersign_domain::{OrgId, TechnicianId, Timestamp};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct ThrottleRow {
    key: String,
    failures: i64,
    first_failure_at: i64,
    last_failure_at: i64,
}

impl From<ThrottleRow> for Throttle {
    fn from(r: ThrottleRow) -> Self {
        Self {
            key: r.key,
            failures: r.failures,
            first_failure_at: Timestamp(r.first_failure_at),
            last_failure_at: Timestamp(r.last_failure_at),
        }
    }
}

sql_impl! {
impl ThrottleStore for SqlStore<DB> {
    async fn record_failure(
        &self,
        key: &str,
        at: Timestamp,
        window_start: Timestamp,
    ) -> StoreResult<Throttle> {
        // One upsert, so concurrent failures from many processes are all counted. The SET
        // expressions all see the row as it was before this statement.
        let row: ThrottleRow = sqlx::query_as(
            "INSERT INTO login_throttles (key, failures, first_failure_at, last_failure_at) \
             VALUES ($1, 1, $2, $2) \
             ON CONFLICT (key) DO UPDATE SET \
               failures = CASE WHEN login_throttles.first_failure_at < $3 THEN 1 \
                               ELSE login_throttles.failures + 1 END, \
               first_failure_at = CASE WHEN login_throttles.first_failure_at < $3 THEN $2 \
                                       ELSE login_throttles.first_failure_at END, \
               last_failure_at = $2 \
             RETURNING key, failures, first_failure_at, last_failure_at",
        )
        .bind(key)
        .bind(at.0)
        .bind(window_start.0)
        .fetch_one(&mut *self.pool.acquire().await?)
        .await?;
        Ok(row.into())
    }

    async fn throttle(&self, key: &str) -> StoreResult<Option<Throttle>> {
        let row: Option<ThrottleRow> = sqlx::query_as(
            "SELECT key, failures, first_failure_at, last_failure_at \
             FROM login_throttles WHERE key = $1",
        )
        .bind(key)
        .fetch_optional(&mut *self.reads.acquire().await?)
        .await?;
        Ok(row.map(Into::into))
    }

    async fn clear_throttle(&self, key: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM login_throttles WHERE key = $1")
            .bind(key)
            .execute(&mut *self.pool.acquire().await?)
            .await?;
        Ok(())
    }

    async fn reserve_attempt(
        &self,
        key: &str,
        at: Timestamp,
        rule: &LockRule,
    ) -> StoreResult<Option<Throttle>> {
        // One upsert whose update only happens when the key is not locked: the lock test and
        // the count are one step, so concurrent attempts cannot all pass the test before any
        // of them is counted. The lock is `window << min(failures - max, 20)`, at most
        // `max_lock`, from the last failure (`lock_left` in the app says the same).
        const DOUBLINGS: &str = "CAST(CASE WHEN login_throttles.failures - $3 > 20 THEN 20 \
                 WHEN login_throttles.failures < $3 THEN 0 \
                 ELSE login_throttles.failures - $3 END AS INTEGER)";
        let lock =
            format!("CASE WHEN ($4 << {DOUBLINGS}) > $5 THEN $5 ELSE ($4 << {DOUBLINGS}) END");
        const RESTART: &str = "login_throttles.first_failure_at < \
             (CASE WHEN login_throttles.failures >= $3 THEN $2 - $5 ELSE $2 - $4 END)";
        let q = format!(
            "INSERT INTO login_throttles (key, failures, first_failure_at, last_failure_at) \
             VALUES ($1, 1, $2, $2) \
             ON CONFLICT (key) DO UPDATE SET \
               failures = CASE WHEN {RESTART} THEN 1 ELSE login_throttles.failures + 1 END, \
               first_failure_at = CASE WHEN {RESTART} THEN $2 \
                                       ELSE login_throttles.first_failure_at END, \
               last_failure_at = $2 \
             WHERE $3 = 0 OR login_throttles.failures < $3 \
                OR $2 >= login_throttles.last_failure_at + {lock} \
             RETURNING key, failures, first_failure_at, last_failure_at"
        );
        let row: Option<ThrottleRow> = sqlx::query_as(&q)
            .bind(key)
            .bind(at.0)
            .bind(i64::from(rule.max))
            .bind(millis(rule.window))
            .bind(millis(rule.max_lock))
            .fetch_optional(&mut *self.pool.acquire().await?)
            .await?;
        Ok(row.map(Into::into))
    }

    async fn release_attempt(&self, key: &str, at: Timestamp, rule: &LockRule) -> StoreResult<()> {
        sqlx::query(
            "UPDATE login_throttles SET failures = failures - 1, \
               last_failure_at = CASE WHEN $2 > 0 AND failures - 1 >= $2 THEN $3 \
                                      ELSE last_failure_at END \
             WHERE key = $1 AND failures > 0",
        )
        .bind(key)
        .bind(i64::from(rule.max))
        .bind(at.0.saturating_sub(millis(rule.max_lock)))
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(())
    }

    async fn clear_throttles_with_prefix(&self, prefix: &str) -> StoreResult<u64> {
        // `substr`, not `LIKE`: an email may hold `_` or `%`, which `LIKE` would read as
        // wildcards.
        let done = sqlx::query("DELETE FROM login_throttles WHERE substr(key, 1, length($1)) = $1")
            .bind(prefix)
            .execute(&mut *self.pool.acquire().await?)
            .await?;
        Ok(DB::rows_affected(&done))
    }

    async fn remember_sign_in_address(
        &self,
        org: OrgId,
        technician: TechnicianId,
        address_hash: &[u8],
        at: Timestamp,
        keep: u32,
    ) -> StoreResult<()> {
        let mut writer = self.pool.acquire().await?;
        let mut tx = DB::begin_write(&mut writer).await?;
        // Scoped to the org's technician first, so another org's id is `NotFound` rather than
        // a foreign-key error.
        let found: Option<(Uuid,)> =
            sqlx::query_as("SELECT id FROM technicians WHERE org_id = $1 AND id = $2")
                .bind(org.0)
                .bind(technician.0)
                .fetch_optional(&mut *tx)
                .await?;
        if found.is_none() {
            return Err(crate::StoreError::NotFound);
        }
        sqlx::query(
            "INSERT INTO sign_in_addresses \
               (org_id, technician_id, address_hash, first_seen_at, last_seen_at) \
             VALUES ($1, $2, $3, $4, $4) \
             ON CONFLICT (org_id, technician_id, address_hash) \
             DO UPDATE SET last_seen_at = $4",
        )
        .bind(org.0)
        .bind(technician.0)
        .bind(address_hash)
        .bind(at.0)
        .execute(&mut *tx)
        .await?;
        // Bounded per technician: the least recently seen beyond `keep` go.
        sqlx::query(
            "DELETE FROM sign_in_addresses WHERE org_id = $1 AND technician_id = $2 \
             AND address_hash NOT IN (SELECT address_hash FROM sign_in_addresses \
               WHERE org_id = $1 AND technician_id = $2 \
               ORDER BY last_seen_at DESC, address_hash LIMIT $3)",
        )
        .bind(org.0)
        .bind(technician.0)
        .bind(i64::from(keep))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn is_known_sign_in_address(
        &self,
        org: OrgId,
        technician: TechnicianId,
        address_hash: &[u8],
    ) -> StoreResult<bool> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT last_seen_at FROM sign_in_addresses \
             WHERE org_id = $1 AND technician_id = $2 AND address_hash = $3",
        )
        .bind(org.0)
        .bind(technician.0)
        .bind(address_hash)
        .fetch_optional(&mut *self.reads.acquire().await?)
        .await?;
        Ok(row.is_some())
    }
}
}

fn millis(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}
