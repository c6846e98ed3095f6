//! [`SessionStore`] for both backends.

use crate::sessions::rows::{SessionOwnerRow, SessionRow, session_columns, session_owner_columns};
use crate::sql::SqlStore;
use crate::sql::{convert_all, sql_impl};
use crate::{Org, Session, Technician};
use crate::{SessionStore, StoreResult};
use countersign_domain::{OrgId, SessionId, TechnicianId, Timestamp};

sql_impl! {
impl SessionStore for SqlStore<DB> {
    async fn create_session(&self, s: &Session) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (id, token_hash, org_id, technician_id, stage, created_at, \
             last_seen_at, expires_at, ip, user_agent, reauthenticated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(s.id.0)
        .bind(s.token_hash.as_slice())
        .bind(s.org_id.0)
        .bind(s.technician_id.0)
        .bind(s.stage.as_str())
        .bind(s.created_at.0)
        .bind(s.last_seen_at.0)
        .bind(s.expires_at.0)
        .bind(s.ip.as_str())
        .bind(s.user_agent.as_str())
        .bind(s.reauthenticated_at.map(|t| t.0))
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(())
    }

    async fn session_by_token_hash(&self, token_hash: &[u8]) -> StoreResult<Option<Session>> {
        let sql = concat!(
            "SELECT ",
            session_columns!(),
            " FROM sessions WHERE token_hash = $1"
        );
        let row: Option<SessionRow> = sqlx::query_as(sql)
            .bind(token_hash)
            .fetch_optional(&mut *self.reads.acquire().await?)
            .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn session_with_owner(
        &self,
        token_hash: &[u8],
    ) -> StoreResult<Option<(Session, Technician, Org)>> {
        let sql = concat!(
            "SELECT ",
            session_owner_columns!(),
            " FROM sessions s JOIN technicians t ON t.org_id = s.org_id \
             AND t.id = s.technician_id JOIN orgs o ON o.id = s.org_id \
             WHERE s.token_hash = $1"
        );
        let row: Option<SessionOwnerRow> = sqlx::query_as(sql)
            .bind(token_hash)
            .fetch_optional(&mut *self.reads.acquire().await?)
            .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn touch_session(&self, id: SessionId, at: Timestamp) -> StoreResult<()> {
        // Never moves `last_seen_at` backwards (requests can finish out of order), and a
        // session deleted meanwhile is not an error: its next lookup misses.
        sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2")
            .bind(id.0)
            .bind(at.0)
            .execute(&mut *self.pool.acquire().await?)
            .await?;
        Ok(())
    }

    async fn delete_session(&self, id: SessionId) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id.0)
            .execute(&mut *self.pool.acquire().await?)
            .await?;
        Ok(())
    }

    async fn delete_sessions_of(&self, org: OrgId, technician: TechnicianId) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE org_id = $1 AND technician_id = $2")
            .bind(org.0)
            .bind(technician.0)
            .execute(&mut *self.pool.acquire().await?)
            .await?;
        Ok(DB::rows_affected(&done))
    }

    async fn sessions_of(&self, org: OrgId, technician: TechnicianId) -> StoreResult<Vec<Session>> {
        let sql = concat!(
            "SELECT ",
            session_columns!(),
            " FROM sessions WHERE org_id = $1 AND technician_id = $2 \
             ORDER BY created_at DESC, id DESC"
        );
        let rows: Vec<SessionRow> = sqlx::query_as(sql)
            .bind(org.0)
            .bind(technician.0)
            .fetch_all(&mut *self.reads.acquire().await?)
            .await?;
        convert_all(rows)
    }

    async fn purge_sessions(&self, now: Timestamp, idle_before: Timestamp) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at < $2")
            .bind(now.0)
            .bind(idle_before.0)
            .execute(&mut *self.pool.acquire().await?)
            .await?;
        Ok(DB::rows_affected(&done))
    }
}
}
