//! [`CredentialStore`] for both backends.

use crate::StoreResult;
use crate::sql::sql_impl;
use crate::sql::{SqlStore, changed, expect_changed};
use crate::{CredentialStore, PasswordReset, PasswordResetKind, RecoveryCodeState};
use countersign_domain::{OrgId, SessionId, TechnicianId, Timestamp};
use uuid::Uuid;

type ResetRow = (Vec<u8>, Uuid, Uuid, String, i64, i64);

const RESET_COLUMNS: &str = "token_hash, org_id, technician_id, kind, created_at, expires_at";

fn reset_of(row: ResetRow) -> StoreResult<PasswordReset> {
    let (token_hash, org, technician, kind, created_at, expires_at) = row;
    Ok(PasswordReset {
        token_hash,
        org_id: org.into(),
        technician_id: technician.into(),
        kind: PasswordResetKind::parse(&kind)?,
        created_at: Timestamp(created_at),
        expires_at: Timestamp(expires_at),
    })
}

sql_impl! {
/// Deletes the technician's links and inserts `reset`, on `conn` (inside the caller's
/// transaction).
async fn replace_reset<DB>(conn: &mut DB::Connection, reset: &PasswordReset) -> StoreResult<()> {
    sqlx::query("DELETE FROM password_resets WHERE org_id = $1 AND technician_id = $2")
        .bind(reset.org_id.0)
        .bind(reset.technician_id.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO password_resets (token_hash, org_id, technician_id, kind, created_at, \
         expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(reset.token_hash.as_slice())
    .bind(reset.org_id.0)
    .bind(reset.technician_id.0)
    .bind(reset.kind.as_str())
    .bind(reset.created_at.0)
    .bind(reset.expires_at.0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
}

sql_impl! {
impl CredentialStore for SqlStore<DB> {
    async fn change_password(
        &self,
        org: OrgId,
        id: TechnicianId,
        password_hash: &str,
        keep: SessionId,
    ) -> StoreResult<u64> {
        let mut writer = self.pool.acquire().await?;
        let mut tx = DB::begin_write(&mut writer).await?;
        let done =
            sqlx::query("UPDATE technicians SET password_hash = $3 WHERE org_id = $1 AND id = $2")
                .bind(org.0)
                .bind(id.0)
                .bind(password_hash)
                .execute(&mut *tx)
                .await?;
        // Dropping `tx` on the error path rolls back.
        expect_changed::<DB>(&done)?;
        // In the same transaction: no other session can act between the change and its end.
        let ended = sqlx::query(
            "DELETE FROM sessions WHERE org_id = $1 AND technician_id = $2 AND id <> $3",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(keep.0)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(DB::rows_affected(&ended))
    }

    async fn create_password_reset(&self, reset: &PasswordReset) -> StoreResult<()> {
        let mut writer = self.pool.acquire().await?;
        let mut tx = DB::begin_write(&mut writer).await?;
        replace_reset::<DB>(&mut *tx, reset).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn password_reset_by_token_hash(
        &self,
        token_hash: &[u8],
    ) -> StoreResult<Option<PasswordReset>> {
        let sql = format!("SELECT {RESET_COLUMNS} FROM password_resets WHERE token_hash = $1");
        let row: Option<ResetRow> = sqlx::query_as(&sql)
            .bind(token_hash)
            .fetch_optional(&mut *self.reads.acquire().await?)
            .await?;
        row.map(reset_of).transpose()
    }

    async fn complete_password_reset(
        &self,
        token_hash: &[u8],
        password_hash: &str,
        at: Timestamp,
    ) -> StoreResult<Option<PasswordReset>> {
        let mut writer = self.pool.acquire().await?;
        let mut tx = DB::begin_write(&mut writer).await?;
        // The claim: one DELETE … RETURNING, so of two requests with the same link only one
        // gets the row; expiry is part of the statement, not only of the caller's check.
        let sql = format!(
            "DELETE FROM password_resets WHERE token_hash = $1 AND expires_at > $2 \
             RETURNING {RESET_COLUMNS}"
        );
        let row: Option<ResetRow> = sqlx::query_as(&sql)
            .bind(token_hash)
            .bind(at.0)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(reset) = row.map(reset_of).transpose()? else {
            tx.rollback().await?;
            return Ok(None);
        };
        let done = sqlx::query(
            "UPDATE technicians SET password_hash = $3 \
             WHERE org_id = $1 AND id = $2 AND active = TRUE",
        )
        .bind(reset.org_id.0)
        .bind(reset.technician_id.0)
        .bind(password_hash)
        .execute(&mut *tx)
        .await?;
        if !changed::<DB>(&done) {
            // Deactivated since the link was made: the link stays (and dies with its expiry).
            tx.rollback().await?;
            return Ok(None);
        }
        sqlx::query("DELETE FROM sessions WHERE org_id = $1 AND technician_id = $2")
            .bind(reset.org_id.0)
            .bind(reset.technician_id.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(reset))
    }

    async fn reset_credentials(
        &self,
        reset: &PasswordReset,
        cleared_hash: &str,
    ) -> StoreResult<u64> {
        let (org, id) = (reset.org_id.0, reset.technician_id.0);
        let mut writer = self.pool.acquire().await?;
        let mut tx = DB::begin_write(&mut writer).await?;
        let done = sqlx::query(
            "UPDATE technicians SET password_hash = $3, totp_secret = NULL, \
             totp_pending_secret = NULL, totp_enabled_at = NULL \
             WHERE org_id = $1 AND id = $2",
        )
        .bind(org)
        .bind(id)
        .bind(cleared_hash)
        .execute(&mut *tx)
        .await?;
        expect_changed::<DB>(&done)?;
        sqlx::query("DELETE FROM recovery_codes WHERE org_id = $1 AND technician_id = $2")
            .bind(org)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let ended = sqlx::query("DELETE FROM sessions WHERE org_id = $1 AND technician_id = $2")
            .bind(org)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        replace_reset::<DB>(&mut *tx, reset).await?;
        tx.commit().await?;
        Ok(DB::rows_affected(&ended))
    }

    async fn recovery_code_states(
        &self,
        org: OrgId,
        id: TechnicianId,
    ) -> StoreResult<Vec<RecoveryCodeState>> {
        // `list_position IS NULL` first in the ORDER BY: both backends sort false before true, so
        // codes without a number come last on either.
        let rows: Vec<(Option<i64>, Option<i64>)> = sqlx::query_as(
            "SELECT list_position, used_at FROM recovery_codes \
             WHERE org_id = $1 AND technician_id = $2 \
             ORDER BY list_position IS NULL, list_position, used_at",
        )
        .bind(org.0)
        .bind(id.0)
        .fetch_all(&mut *self.reads.acquire().await?)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(position, used_at)| RecoveryCodeState {
                position,
                used_at: used_at.map(Timestamp),
            })
            .collect())
    }
}
}
