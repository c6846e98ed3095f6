//! [`PodHandoffStore`] for both backends.

use crate::StoreResult;
use crate::sql::SqlStore;
use crate::sql::sql_impl;
use crate::{PodHandoff, PodHandoffStore};
use countersign_domain::Timestamp;
use uuid::Uuid;

type HandoffRow = (Vec<u8>, Uuid, Uuid, String, i64, i64);

sql_impl! {
impl PodHandoffStore for SqlStore<DB> {
    async fn create_pod_handoff(&self, h: &PodHandoff) -> StoreResult<()> {
        sqlx::query("DELETE FROM pod_handoffs WHERE expires_at <= $1")
            .bind(h.created_at.0)
            .execute(&mut *self.pool.acquire().await?)
            .await?;
        sqlx::query(
            "INSERT INTO pod_handoffs (code_hash, org_id, technician_id, frame_origin, \
             created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(h.code_hash.as_slice())
        .bind(h.org_id.0)
        .bind(h.technician_id.0)
        .bind(h.frame_origin.as_str())
        .bind(h.created_at.0)
        .bind(h.expires_at.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(())
    }

    async fn take_pod_handoff(&self, code_hash: &[u8]) -> StoreResult<Option<PodHandoff>> {
        let row: Option<HandoffRow> = sqlx::query_as(
            "DELETE FROM pod_handoffs WHERE code_hash = $1 RETURNING code_hash, org_id, \
             technician_id, frame_origin, created_at, expires_at",
        )
        .bind(code_hash)
        .fetch_optional(&mut *self.pool.acquire().await?)
        .await?;
        Ok(row.map(
            |(code_hash, org, technician, frame_origin, created_at, expires_at)| PodHandoff {
                code_hash,
                org_id: org.into(),
                technician_id: technician.into(),
                frame_origin,
                created_at: Timestamp(created_at),
                expires_at: Timestamp(expires_at),
            },
        ))
    }

    async fn all_frame_ancestors(&self) -> StoreResult<Vec<String>> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT frame_ancestors FROM pod_settings WHERE frame_ancestors <> ''")
                .fetch_all(&mut *self.reads.acquire().await?)
                .await?;
        let mut all: Vec<String> = rows
            .iter()
            .flat_map(|(list,)| list.split_whitespace().map(str::to_owned))
            .collect();
        all.sort();
        all.dedup();
        Ok(all)
    }
}
}
