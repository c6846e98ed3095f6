//! [`TechnicianStore`] for both backends.

use crate::sql::{SqlStore, changed, expect_changed};
use crate::sql::{convert_all, sql_impl};
use crate::technicians::rows::{TechnicianRow, technician_columns};
use crate::{StoreResult, TechnicianStore};
use crate::{Technician, TechnicianChange};
use countersign_domain::{OrgId, Permissions, Role, TechnicianId, Timestamp};

sql_impl! {
/// Inserts a technician on `conn` (shared by `create_technician` and `accept_invite`).
///
/// The email is lowercased here as well as by `countersign_domain::Email`, so the unique
/// constraint and the login lookup are case-insensitive whatever the caller passed.
pub(crate) async fn insert_technician<DB>(
    conn: &mut DB::Connection,
    t: &Technician,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO technicians (id, org_id, email, name, role, password_hash, active, \
         totp_secret, totp_pending_secret, totp_enabled_at, totp_last_step, created_at, \
         last_login_at, permissions) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(t.id.0)
    .bind(t.org_id.0)
    .bind(t.email.to_lowercase())
    .bind(t.name.as_str())
    .bind(t.role.as_str())
    .bind(t.password_hash.as_str())
    .bind(t.active)
    .bind(t.totp_secret.as_deref())
    .bind(t.totp_pending_secret.as_deref())
    .bind(t.totp_enabled_at.map(|at| at.0))
    .bind(t.totp_last_step)
    .bind(t.created_at.0)
    .bind(t.last_login_at.map(|at| at.0))
    .bind(t.permissions.to_string())
    .execute(conn)
    .await?;
    Ok(())
}
}

sql_impl! {
impl TechnicianStore for SqlStore<DB> {
    async fn create_technician(&self, t: &Technician) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await?;
        insert_technician::<DB>(&mut *conn, t).await
    }

    async fn technician(&self, org: OrgId, id: TechnicianId) -> StoreResult<Technician> {
        let sql = concat!(
            "SELECT ",
            technician_columns!(),
            " FROM technicians WHERE org_id = $1 AND id = $2"
        );
        let row: TechnicianRow = sqlx::query_as(sql)
            .bind(org.0)
            .bind(id.0)
            .fetch_one(&mut *self.reads.acquire().await?)
            .await?;
        row.try_into()
    }

    async fn technician_by_email_for_login(&self, email: &str) -> StoreResult<Option<Technician>> {
        let sql = concat!(
            "SELECT ",
            technician_columns!(),
            " FROM technicians WHERE email = $1"
        );
        let row: Option<TechnicianRow> = sqlx::query_as(sql)
            .bind(email.to_lowercase())
            .fetch_optional(&mut *self.reads.acquire().await?)
            .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn technicians(&self, org: OrgId) -> StoreResult<Vec<Technician>> {
        let sql = concat!(
            "SELECT ",
            technician_columns!(),
            " FROM technicians WHERE org_id = $1 ORDER BY email"
        );
        let rows: Vec<TechnicianRow> = sqlx::query_as(sql)
            .bind(org.0)
            .fetch_all(&mut *self.reads.acquire().await?)
            .await?;
        convert_all(rows)
    }

    async fn count_active_admins(&self, org: OrgId) -> StoreResult<i64> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM technicians \
             WHERE org_id = $1 AND role = 'admin' AND active = TRUE",
        )
        .bind(org.0)
        .fetch_one(&mut *self.reads.acquire().await?)
        .await?;
        Ok(n)
    }

    async fn set_role(&self, org: OrgId, id: TechnicianId, role: Role) -> StoreResult<()> {
        let done = sqlx::query("UPDATE technicians SET role = $3 WHERE org_id = $1 AND id = $2")
            .bind(org.0)
            .bind(id.0)
            .bind(role.as_str())
            .execute(&mut *self.pool.acquire().await?)
            .await?;
        expect_changed::<DB>(&done)
    }

    async fn set_name(&self, org: OrgId, id: TechnicianId, name: &str) -> StoreResult<()> {
        let done = sqlx::query("UPDATE technicians SET name = $3 WHERE org_id = $1 AND id = $2")
            .bind(org.0)
            .bind(id.0)
            .bind(name)
            .execute(&mut *self.pool.acquire().await?)
            .await?;
        expect_changed::<DB>(&done)
    }

    async fn set_active(&self, org: OrgId, id: TechnicianId, active: bool) -> StoreResult<()> {
        let mut writer = self.pool.acquire().await?;
        let mut tx = DB::begin_write(&mut writer).await?;
        let done = sqlx::query("UPDATE technicians SET active = $3 WHERE org_id = $1 AND id = $2")
            .bind(org.0)
            .bind(id.0)
            .bind(active)
            .execute(&mut *tx)
            .await?;
        // Dropping `tx` on the error path rolls back.
        expect_changed::<DB>(&done)?;
        if !active {
            // In the same transaction: a deactivated technician is signed out at once, and no
            // request can slip in between with a session that outlives the deactivation.
            sqlx::query("DELETE FROM sessions WHERE org_id = $1 AND technician_id = $2")
                .bind(org.0)
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn change_keeping_an_admin(
        &self,
        org: OrgId,
        id: TechnicianId,
        change: TechnicianChange,
    ) -> StoreResult<bool> {
        let mut writer = self.pool.acquire().await?;
        crate::technicians::admin_guard::change_keeping_an_admin::<DB>(&mut *writer, org, id, change).await
    }

    async fn set_password_hash(&self, org: OrgId, id: TechnicianId, hash: &str) -> StoreResult<()> {
        let done =
            sqlx::query("UPDATE technicians SET password_hash = $3 WHERE org_id = $1 AND id = $2")
                .bind(org.0)
                .bind(id.0)
                .bind(hash)
                .execute(&mut *self.pool.acquire().await?)
                .await?;
        expect_changed::<DB>(&done)
    }

    async fn set_last_login(&self, org: OrgId, id: TechnicianId, at: Timestamp) -> StoreResult<()> {
        let done =
            sqlx::query("UPDATE technicians SET last_login_at = $3 WHERE org_id = $1 AND id = $2")
                .bind(org.0)
                .bind(id.0)
                .bind(at.0)
                .execute(&mut *self.pool.acquire().await?)
                .await?;
        expect_changed::<DB>(&done)
    }

    async fn set_totp_pending(
        &self,
        org: OrgId,
        id: TechnicianId,
        sealed: Option<&[u8]>,
    ) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE technicians SET totp_pending_secret = $3 WHERE org_id = $1 AND id = $2",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(sealed)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        expect_changed::<DB>(&done)
    }

    async fn enable_totp(
        &self,
        org: OrgId,
        id: TechnicianId,
        sealed: &[u8],
        recovery_code_hashes: &[Vec<u8>],
        at: Timestamp,
    ) -> StoreResult<()> {
        let mut writer = self.pool.acquire().await?;
        let mut tx = DB::begin_write(&mut writer).await?;
        let done = sqlx::query(
            "UPDATE technicians \
             SET totp_secret = $3, totp_pending_secret = NULL, totp_enabled_at = $4 \
             WHERE org_id = $1 AND id = $2",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(sealed)
        .bind(at.0)
        .execute(&mut *tx)
        .await?;
        expect_changed::<DB>(&done)?;
        sqlx::query("DELETE FROM recovery_codes WHERE org_id = $1 AND technician_id = $2")
            .bind(org.0)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        // Each code keeps its number in the list shown once, so the Account page can say
        // which were used (migration 0021).
        for (position, hash) in (1_i64..).zip(recovery_code_hashes) {
            sqlx::query(
                "INSERT INTO recovery_codes (org_id, technician_id, code_hash, used_at, \
                 list_position) VALUES ($1, $2, $3, NULL, $4)",
            )
            .bind(org.0)
            .bind(id.0)
            .bind(hash.as_slice())
            .bind(position)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn disable_totp(&self, org: OrgId, id: TechnicianId) -> StoreResult<()> {
        let mut writer = self.pool.acquire().await?;
        let mut tx = DB::begin_write(&mut writer).await?;
        let done = sqlx::query(
            "UPDATE technicians \
             SET totp_secret = NULL, totp_pending_secret = NULL, totp_enabled_at = NULL \
             WHERE org_id = $1 AND id = $2",
        )
        .bind(org.0)
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        expect_changed::<DB>(&done)?;
        sqlx::query("DELETE FROM recovery_codes WHERE org_id = $1 AND technician_id = $2")
            .bind(org.0)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn claim_totp_step(&self, org: OrgId, id: TechnicianId, step: i64) -> StoreResult<bool> {
        // One conditional UPDATE: of two requests racing with the same code, only one can
        // move `totp_last_step` forward.
        let done = sqlx::query(
            "UPDATE technicians SET totp_last_step = $3 \
             WHERE org_id = $1 AND id = $2 AND totp_last_step < $3",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(step)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(changed::<DB>(&done))
    }

    async fn use_recovery_code(
        &self,
        org: OrgId,
        id: TechnicianId,
        code_hash: &[u8],
        at: Timestamp,
    ) -> StoreResult<bool> {
        // One conditional UPDATE, so a code can be spent once even by racing requests.
        let done = sqlx::query(
            "UPDATE recovery_codes SET used_at = $4 \
             WHERE org_id = $1 AND technician_id = $2 AND code_hash = $3 AND used_at IS NULL",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(code_hash)
        .bind(at.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(changed::<DB>(&done))
    }

    async fn recovery_codes_left(&self, org: OrgId, id: TechnicianId) -> StoreResult<i64> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM recovery_codes \
             WHERE org_id = $1 AND technician_id = $2 AND used_at IS NULL",
        )
        .bind(org.0)
        .bind(id.0)
        .fetch_one(&mut *self.reads.acquire().await?)
        .await?;
        Ok(n)
    }

    async fn set_permissions(
        &self,
        org: OrgId,
        id: TechnicianId,
        permissions: &Permissions,
    ) -> StoreResult<()> {
        let done =
            sqlx::query("UPDATE technicians SET permissions = $3 WHERE org_id = $1 AND id = $2")
                .bind(org.0)
                .bind(id.0)
                .bind(permissions.to_string())
                .execute(&mut *self.pool.acquire().await?)
                .await?;
        expect_changed::<DB>(&done)
    }
}
}
