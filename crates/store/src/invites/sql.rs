//! [`InviteStore`] for both backends.

use crate::invites::rows::{InviteRow, invite_columns};
use crate::sql::{SqlStore, changed, expect_changed};
use crate::sql::{convert_all, sql_impl};
use crate::technicians::sql::insert_technician;
use crate::{Invite, Technician};
use crate::{InviteStore, StoreResult};
use countersign_domain::{InviteId, OrgId, Timestamp};

sql_impl! {
impl InviteStore for SqlStore<DB> {
    async fn create_invite(&self, invite: &Invite) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO invites (id, org_id, email, role, token_hash, invited_by, created_at, \
             expires_at, accepted_at, revoked_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(invite.id.0)
        .bind(invite.org_id.0)
        .bind(invite.email.to_lowercase())
        .bind(invite.role.as_str())
        .bind(invite.token_hash.as_slice())
        .bind(invite.invited_by.0)
        .bind(invite.created_at.0)
        .bind(invite.expires_at.0)
        .bind(invite.accepted_at.map(|at| at.0))
        .bind(invite.revoked_at.map(|at| at.0))
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(())
    }

    async fn invite(&self, org: OrgId, id: InviteId) -> StoreResult<Invite> {
        let sql = concat!(
            "SELECT ",
            invite_columns!(),
            " FROM invites WHERE org_id = $1 AND id = $2"
        );
        let row: InviteRow = sqlx::query_as(sql)
            .bind(org.0)
            .bind(id.0)
            .fetch_one(&mut *self.reads.acquire().await?)
            .await?;
        row.try_into()
    }

    async fn invite_by_token_hash(&self, token_hash: &[u8]) -> StoreResult<Option<Invite>> {
        let sql = concat!(
            "SELECT ",
            invite_columns!(),
            " FROM invites WHERE token_hash = $1"
        );
        let row: Option<InviteRow> = sqlx::query_as(sql)
            .bind(token_hash)
            .fetch_optional(&mut *self.reads.acquire().await?)
            .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn open_invites(&self, org: OrgId) -> StoreResult<Vec<Invite>> {
        let sql = concat!(
            "SELECT ",
            invite_columns!(),
            " FROM invites WHERE org_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL \
             ORDER BY created_at DESC, id DESC"
        );
        let rows: Vec<InviteRow> = sqlx::query_as(sql)
            .bind(org.0)
            .fetch_all(&mut *self.reads.acquire().await?)
            .await?;
        convert_all(rows)
    }

    async fn revoke_invite(&self, org: OrgId, id: InviteId, at: Timestamp) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE invites SET revoked_at = $3 \
             WHERE org_id = $1 AND id = $2 AND accepted_at IS NULL AND revoked_at IS NULL",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(at.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        expect_changed::<DB>(&done)
    }

    async fn accept_invite(
        &self,
        invite_id: InviteId,
        technician: &Technician,
        at: Timestamp,
    ) -> StoreResult<bool> {
        let mut writer = self.pool.acquire().await?;
        let mut tx = DB::begin_write(&mut writer).await?;
        // One conditional UPDATE consumes the invite: of several racing accepts only one can
        // match `accepted_at IS NULL`. The org condition stops an invite of one org from
        // creating a technician in another.
        let consumed = sqlx::query(
            "UPDATE invites SET accepted_at = $3 \
             WHERE id = $1 AND org_id = $2 \
             AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $3",
        )
        .bind(invite_id.0)
        .bind(technician.org_id.0)
        .bind(at.0)
        .execute(&mut *tx)
        .await?;
        if !changed::<DB>(&consumed) {
            tx.rollback().await?;
            return Ok(false);
        }
        // An error here (the email is taken) drops `tx`, which rolls the consumption back.
        insert_technician::<DB>(&mut *tx, technician).await?;
        tx.commit().await?;
        Ok(true)
    }
}
}
