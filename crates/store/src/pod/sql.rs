//! [`PodStore`] for both backends.

use crate::sql::{SqlStore, sql_impl};
use crate::{PodSettings, PodStore, StoreError, StoreResult};
use countersign_domain::{OrgId, TechnicianId, Timestamp};
use uuid::Uuid;

type PodRow = (String, i64, i64, i64);

sql_impl! {
impl PodStore for SqlStore<DB> {
    async fn pod_settings(&self, org: OrgId) -> StoreResult<PodSettings> {
        let row: Option<PodRow> = sqlx::query_as(
            "SELECT frame_ancestors, verified_window_minutes, history_length, updated_at \
             FROM pod_settings WHERE org_id = $1",
        )
        .bind(org.0)
        .fetch_optional(&mut *self.reads.acquire().await?)
        .await?;
        Ok(match row {
            None => PodSettings::defaults(org),
            Some((ancestors, window, history, updated_at)) => PodSettings {
                org_id: org,
                frame_ancestors: ancestors.split_whitespace().map(str::to_owned).collect(),
                verified_window_minutes: window,
                history_length: history,
                updated_at: Some(Timestamp(updated_at)),
            },
        })
    }

    async fn save_pod_settings(&self, s: &PodSettings) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO pod_settings (org_id, frame_ancestors, verified_window_minutes, \
             history_length, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (org_id) DO UPDATE SET frame_ancestors = excluded.frame_ancestors, \
             verified_window_minutes = excluded.verified_window_minutes, \
             history_length = excluded.history_length, updated_at = excluded.updated_at",
        )
        .bind(s.org_id.0)
        .bind(s.frame_ancestors.join(" "))
        .bind(s.verified_window_minutes)
        .bind(s.history_length)
        .bind(s.updated_at.map_or(0, |t| t.0))
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(())
    }

    async fn set_pod_only(&self, org: OrgId, id: TechnicianId, pod_only: bool) -> StoreResult<()> {
        let known: Option<(Uuid,)> =
            sqlx::query_as("SELECT id FROM technicians WHERE org_id = $1 AND id = $2")
                .bind(org.0)
                .bind(id.0)
                .fetch_optional(&mut *self.reads.acquire().await?)
                .await?;
        if known.is_none() {
            return Err(StoreError::NotFound);
        }
        let sql = if pod_only {
            "INSERT INTO pod_only_technicians (org_id, technician_id) VALUES ($1, $2) \
             ON CONFLICT DO NOTHING"
        } else {
            "DELETE FROM pod_only_technicians WHERE org_id = $1 AND technician_id = $2"
        };
        // Changing nothing is fine: the technician already had that permission.
        sqlx::query(sql)
            .bind(org.0)
            .bind(id.0)
            .execute(&mut *self.pool.acquire().await?)
            .await?;
        Ok(())
    }

    async fn is_pod_only(&self, org: OrgId, id: TechnicianId) -> StoreResult<bool> {
        let row: Option<(Uuid,)> = sqlx::query_as(
            "SELECT technician_id FROM pod_only_technicians WHERE org_id = $1 AND technician_id = $2",
        )
        .bind(org.0)
        .bind(id.0)
        .fetch_optional(&mut *self.reads.acquire().await?)
        .await?;
        Ok(row.is_some())
    }
}
}
