//! [`AuditStore`] for both backends.

use crate::audit::rows::{AuditRow, audit_columns};
use crate::sql::sql_impl;
use crate::sql::{SqlStore, page_size};
use crate::{AUDIT_GENESIS, AuditKey, audit_mac};
use crate::{AuditEntry, AuditFilter, NewAuditEntry};
use crate::{AuditStore, StoreError, StoreResult};
use countersign_domain::OrgId;

/// Most entries one `audit_entries` call returns.
pub const MAX_AUDIT_PAGE: i64 = 1_000;
/// Rows of one multi-row audit INSERT (12 parameters each, far under both backends' caps).
const AUDIT_INSERT_ROWS: usize = 64;
/// Most entries one `audit_chain` call returns.
pub const MAX_AUDIT_CHAIN_PAGE: i64 = 10_000;

sql_impl! {
impl AuditStore for SqlStore<DB> {
    async fn append_audit(&self, key: &AuditKey, entry: &NewAuditEntry) -> StoreResult<AuditEntry> {
        let mut appended = self
            .append_audit_batch(key, std::slice::from_ref(entry))
            .await?;
        appended
            .pop()
            .ok_or_else(|| StoreError::Corrupt("an audit append returned no entry".into()))
    }

    async fn append_audit_batch(
        &self,
        key: &AuditKey,
        entries: &[NewAuditEntry],
    ) -> StoreResult<Vec<AuditEntry>> {
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        let mut writer = self.pool.acquire().await?;
        let mut tx = DB::begin_write(&mut writer).await?;
        // Until commit, no other appender (in any process) can read the tail, so each entry
        // links to the one committed just before it and `seq` has no gaps. The first keyed
        // entry links to the last unkeyed one, so the keyed chain covers the legacy part too.
        DB::lock_audit_chain(&mut *tx).await?;
        let last: Option<(i64, Vec<u8>)> =
            sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                .fetch_optional(&mut *tx)
                .await?;
        let (mut seq, mut prev_hash) = match last {
            Some((seq, hash)) => (seq + 1, hash),
            None => (1, AUDIT_GENESIS.to_vec()),
        };
        let mut appended = Vec::with_capacity(entries.len());
        for entry in entries {
            let hash = audit_mac(key, &prev_hash, entry);
            appended.push(AuditEntry {
                seq,
                entry: entry.clone(),
                prev_hash: std::mem::replace(&mut prev_hash, hash.clone()),
                hash,
                key_id: Some(key.id.clone()),
            });
            seq += 1;
        }
        // One statement for the whole batch (a group commit is only as cheap as its number
        // of round trips to the database); chunks keep within the backends' parameter caps.
        for chunk in appended.chunks(AUDIT_INSERT_ROWS) {
            let mut sql = String::from(
                "INSERT INTO audit_log (seq, org_id, at, actor_id, actor_label, action, target, \
                 detail, ip, prev_hash, hash, key_id) VALUES ",
            );
            for row in 0..chunk.len() {
                let p = row * 12;
                if row > 0 {
                    sql.push_str(", ");
                }
                sql.push('(');
                sql.push_str(
                    &(1..=12)
                        .map(|c| format!("${}", p + c))
                        .collect::<Vec<_>>()
                        .join(", "),
                );
                sql.push(')');
            }
            let mut query = sqlx::query(&sql);
            for a in chunk {
                let e = &a.entry;
                query = query
                    .bind(a.seq)
                    .bind(e.org_id.map(|o| o.0))
                    .bind(e.at.0)
                    .bind(e.actor_id.map(|a| a.0))
                    .bind(e.actor_label.as_str())
                    .bind(e.action.as_str())
                    .bind(e.target.as_str())
                    .bind(e.detail.as_str())
                    .bind(e.ip.as_deref())
                    .bind(a.prev_hash.as_slice())
                    .bind(a.hash.as_slice())
                    .bind(key.id.as_str());
            }
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(appended)
    }

    async fn audit_entries(
        &self,
        org: OrgId,
        filter: &AuditFilter,
    ) -> StoreResult<Vec<AuditEntry>> {
        // One statement for every combination of filters: an absent filter binds NULL and its
        // condition is true. The prefix test uses substr/length rather than LIKE, whose case
        // rules and wildcards differ between the backends.
        let sql = concat!(
            "SELECT ",
            audit_columns!(),
            " FROM audit_log WHERE org_id = $1 \
             AND ($2 IS NULL OR actor_id = $2) \
             AND ($3 IS NULL OR substr(action, 1, length($3)) = $3) \
             AND ($4 IS NULL OR at >= $4) \
             AND ($5 IS NULL OR at < $5) \
             AND ($6 IS NULL OR seq < $6) \
             ORDER BY seq DESC LIMIT $7"
        );
        let rows: Vec<AuditRow> = sqlx::query_as(sql)
            .bind(org.0)
            .bind(filter.actor_id.map(|a| a.0))
            .bind(filter.action_prefix.as_deref())
            .bind(filter.from.map(|t| t.0))
            .bind(filter.to.map(|t| t.0))
            .bind(filter.before_seq)
            .bind(page_size(filter.limit, MAX_AUDIT_PAGE))
            .fetch_all(&mut *self.reads.acquire().await?)
            .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn audit_chain(&self, after_seq: i64, limit: i64) -> StoreResult<Vec<AuditEntry>> {
        let sql = concat!(
            "SELECT ",
            audit_columns!(),
            " FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"
        );
        let rows: Vec<AuditRow> = sqlx::query_as(sql)
            .bind(after_seq)
            .bind(page_size(limit, MAX_AUDIT_CHAIN_PAGE))
            .fetch_all(&mut *self.reads.acquire().await?)
            .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn audit_tail(&self) -> StoreResult<Option<AuditEntry>> {
        let sql = concat!(
            "SELECT ",
            audit_columns!(),
            " FROM audit_log ORDER BY seq DESC LIMIT 1"
        );
        let row: Option<AuditRow> = sqlx::query_as(sql)
            .fetch_optional(&mut *self.reads.acquire().await?)
            .await?;
        Ok(row.map(Into::into))
    }
}
}
