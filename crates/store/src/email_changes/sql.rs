//! [`EmailChangeStore`] for both backends.

use crate::StoreResult;
use crate::sql::sql_impl;
use crate::sql::{SqlStore, changed};
use crate::{EmailChange, EmailChangeStore};
use countersign_domain::{OrgId, TechnicianId, Timestamp};
use uuid::Uuid;

type ChangeRow = (Vec<u8>, Uuid, Uuid, String, i64, i64);

const CHANGE_COLUMNS: &str = "token_hash, org_id, technician_id, new_email, created_at, expires_at";

fn change_of(row: ChangeRow) -> EmailChange {
    let (token_hash, org, technician, new_email, created_at, expires_at) = row;
    EmailChange {
        token_hash,
        org_id: org.into(),
        technician_id: technician.into(),
        new_email,
        created_at: Timestamp(created_at),
        expires_at: Timestamp(expires_at),
    }
}

sql_impl! {
impl EmailChangeStore for SqlStore<DB> {
    async fn create_email_change(&self, change: &EmailChange) -> StoreResult<()> {
        let mut writer = self.pool.acquire().await?;
        let mut tx = DB::begin_write(&mut writer).await?;
        sqlx::query("DELETE FROM email_changes WHERE org_id = $1 AND technician_id = $2")
            .bind(change.org_id.0)
            .bind(change.technician_id.0)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO email_changes (token_hash, org_id, technician_id, new_email, \
             created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(change.token_hash.as_slice())
        .bind(change.org_id.0)
        .bind(change.technician_id.0)
        .bind(change.new_email.as_str())
        .bind(change.created_at.0)
        .bind(change.expires_at.0)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn email_change_by_token_hash(
        &self,
        token_hash: &[u8],
    ) -> StoreResult<Option<EmailChange>> {
        let sql = format!("SELECT {CHANGE_COLUMNS} FROM email_changes WHERE token_hash = $1");
        let row: Option<ChangeRow> = sqlx::query_as(&sql)
            .bind(token_hash)
            .fetch_optional(&mut *self.reads.acquire().await?)
            .await?;
        Ok(row.map(change_of))
    }

    async fn pending_email_change(
        &self,
        org: OrgId,
        technician: TechnicianId,
    ) -> StoreResult<Option<EmailChange>> {
        let sql = format!(
            "SELECT {CHANGE_COLUMNS} FROM email_changes WHERE org_id = $1 AND technician_id = $2"
        );
        let row: Option<ChangeRow> = sqlx::query_as(&sql)
            .bind(org.0)
            .bind(technician.0)
            .fetch_optional(&mut *self.reads.acquire().await?)
            .await?;
        Ok(row.map(change_of))
    }

    async fn cancel_email_change(&self, org: OrgId, technician: TechnicianId) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM email_changes WHERE org_id = $1 AND technician_id = $2")
            .bind(org.0)
            .bind(technician.0)
            .execute(&mut *self.pool.acquire().await?)
            .await?;
        Ok(changed::<DB>(&done))
    }

    async fn complete_email_change(
        &self,
        token_hash: &[u8],
        at: Timestamp,
    ) -> StoreResult<Option<EmailChange>> {
        let mut writer = self.pool.acquire().await?;
        let mut tx = DB::begin_write(&mut writer).await?;
        // The claim: one DELETE … RETURNING, so of two requests with the same link only one
        // gets the row; expiry is part of the statement, not only of the caller's check.
        let sql = format!(
            "DELETE FROM email_changes WHERE token_hash = $1 AND expires_at > $2 \
             RETURNING {CHANGE_COLUMNS}"
        );
        let row: Option<ChangeRow> = sqlx::query_as(&sql)
            .bind(token_hash)
            .bind(at.0)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(change) = row.map(change_of) else {
            tx.rollback().await?;
            return Ok(None);
        };
        // A unique violation (the address was taken meanwhile) returns `Conflict` here, and
        // dropping `tx` rolls the claim back with it.
        let done = sqlx::query(
            "UPDATE technicians SET email = $3 WHERE org_id = $1 AND id = $2 AND active = TRUE",
        )
        .bind(change.org_id.0)
        .bind(change.technician_id.0)
        .bind(change.new_email.as_str())
        .execute(&mut *tx)
        .await?;
        if !changed::<DB>(&done) {
            // Deactivated since the request: the link stays (and dies with its expiry).
            tx.rollback().await?;
            return Ok(None);
        }
        tx.commit().await?;
        Ok(Some(change))
    }
}
}
