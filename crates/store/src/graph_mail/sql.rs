//! [`GraphMailStore`] for both backends.

use crate::sql::SqlStore;
use crate::sql::sql_impl;
use crate::{GraphMail, GraphMailStore, StoreResult};
use countersign_domain::{IntegrationId, OrgId, Timestamp};
use uuid::Uuid;

sql_impl! {
impl GraphMailStore for SqlStore<DB> {
    async fn graph_mail(&self, org: OrgId) -> StoreResult<Option<GraphMail>> {
        let row: Option<(Uuid, String, i64)> = sqlx::query_as(
            "SELECT integration_id, mailbox, updated_at FROM graph_mail WHERE org_id = $1",
        )
        .bind(org.0)
        .fetch_optional(&mut *self.reads.acquire().await?)
        .await?;
        Ok(row.map(|(integration, mailbox, updated_at)| GraphMail {
            org_id: org,
            integration_id: IntegrationId(integration),
            mailbox,
            updated_at: Timestamp(updated_at),
        }))
    }

    async fn save_graph_mail(&self, g: &GraphMail) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO graph_mail (org_id, integration_id, mailbox, updated_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (org_id) DO UPDATE SET \
             integration_id = excluded.integration_id, mailbox = excluded.mailbox, \
             updated_at = excluded.updated_at",
        )
        .bind(g.org_id.0)
        .bind(g.integration_id.0)
        .bind(g.mailbox.as_str())
        .bind(g.updated_at.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(())
    }

    async fn clear_graph_mail(&self, org: OrgId) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM graph_mail WHERE org_id = $1")
            .bind(org.0)
            .execute(&mut *self.pool.acquire().await?)
            .await?;
        Ok(DB::rows_affected(&done) > 0)
    }
}
}
