//! [`ThrottleStore`] for both backends.

use super::{Dialect, SqlStore};
use crate::model::Throttle;
use crate::{StoreResult, ThrottleStore};
use countersign_domain::Timestamp;
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};
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

impl<DB> ThrottleStore for SqlStore<DB>
where
    DB: Dialect,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'r> Uuid: Encode<'r, DB> + Decode<'r, DB> + Type<DB>,
    for<'r> i64: Encode<'r, DB> + Decode<'r, DB> + Type<DB>,
    for<'r> bool: Encode<'r, DB> + Decode<'r, DB> + Type<DB>,
    for<'r> String: Encode<'r, DB> + Decode<'r, DB> + Type<DB>,
    for<'r> Vec<u8>: Decode<'r, DB> + Type<DB>,
    for<'r> &'r str: Encode<'r, DB> + Type<DB> + ColumnIndex<DB::Row>,
    for<'r> &'r [u8]: Encode<'r, DB> + Type<DB>,
    for<'r> Option<Uuid>: Encode<'r, DB>,
    for<'r> Option<i64>: Encode<'r, DB>,
    for<'r> Option<&'r str>: Encode<'r, DB>,
    for<'r> Option<&'r [u8]>: Encode<'r, DB>,
    usize: ColumnIndex<DB::Row>,
{
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
}
