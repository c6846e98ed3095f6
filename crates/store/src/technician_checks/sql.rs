//! [`TechnicianCheckStore`] for both backends.

use crate::sql::sql_impl;
use crate::sql::{SqlStore, changed};
use crate::{InboxEntry, TechnicianCheck, TechnicianCheckStatus};
use crate::{StoreError, StoreResult, TechnicianCheckStore};
use countersign_domain::{ContactId, OrgId, TechnicianCheckId, TechnicianId, Timestamp};
use uuid::Uuid;

const CHECK_COLUMNS: &str = "k.id, k.org_id, k.contact_id, k.token_hash, k.technician_id, \
     k.status, k.code, k.created_at, k.expires_at, k.chosen_at, k.confirmed_at";

#[derive(sqlx::FromRow)]
struct CheckRow {
    id: Uuid,
    org_id: Uuid,
    contact_id: Uuid,
    token_hash: Vec<u8>,
    technician_id: Option<Uuid>,
    status: String,
    code: String,
    created_at: i64,
    expires_at: i64,
    chosen_at: Option<i64>,
    confirmed_at: Option<i64>,
}

impl TryFrom<CheckRow> for TechnicianCheck {
    type Error = StoreError;
    fn try_from(r: CheckRow) -> StoreResult<Self> {
        Ok(Self {
            id: r.id.into(),
            org_id: r.org_id.into(),
            contact_id: r.contact_id.into(),
            token_hash: r.token_hash,
            technician_id: r.technician_id.map(Into::into),
            status: TechnicianCheckStatus::parse(&r.status).ok_or_else(|| {
                StoreError::Corrupt(format!("unknown technician check status {:?}", r.status))
            })?,
            code: r.code,
            created_at: Timestamp(r.created_at),
            expires_at: Timestamp(r.expires_at),
            chosen_at: r.chosen_at.map(Timestamp),
            confirmed_at: r.confirmed_at.map(Timestamp),
        })
    }
}

#[derive(sqlx::FromRow)]
struct InboxRow {
    #[sqlx(flatten)]
    check: CheckRow,
    contact_name: String,
    customer_name: String,
}

sql_impl! {
impl TechnicianCheckStore for SqlStore<DB> {
    async fn create_technician_check(&self, c: &TechnicianCheck) -> StoreResult<()> {
        let result = sqlx::query(
            "INSERT INTO technician_checks (id, org_id, contact_id, token_hash, technician_id, \
             status, code, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(c.id.0)
        .bind(c.org_id.0)
        .bind(c.contact_id.0)
        .bind(c.token_hash.as_slice())
        .bind(c.technician_id.map(|t| t.0))
        .bind(c.status.as_str())
        .bind(c.code.as_str())
        .bind(c.created_at.0)
        .bind(c.expires_at.0)
        .execute(&mut *self.pool.acquire().await?)
        .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) => Err(match StoreError::from(e) {
                StoreError::Conflict { constraint } if constraint.contains("fkey") => {
                    StoreError::NotFound
                }
                other => other,
            }),
        }
    }

    async fn technician_check_by_token(
        &self,
        token_hash: &[u8],
    ) -> StoreResult<Option<TechnicianCheck>> {
        let sql =
            format!("SELECT {CHECK_COLUMNS} FROM technician_checks k WHERE k.token_hash = $1");
        let row: Option<CheckRow> = sqlx::query_as(&sql)
            .bind(token_hash)
            .fetch_optional(&mut *self.reads.acquire().await?)
            .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn technician_check(
        &self,
        org: OrgId,
        id: TechnicianCheckId,
    ) -> StoreResult<TechnicianCheck> {
        let sql = format!(
            "SELECT {CHECK_COLUMNS} FROM technician_checks k WHERE k.org_id = $1 AND k.id = $2"
        );
        let row: Option<CheckRow> = sqlx::query_as(&sql)
            .bind(org.0)
            .bind(id.0)
            .fetch_optional(&mut *self.reads.acquire().await?)
            .await?;
        row.ok_or(StoreError::NotFound)?.try_into()
    }

    async fn choose_technician(
        &self,
        org: OrgId,
        id: TechnicianCheckId,
        technician: TechnicianId,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let active: Option<(Uuid,)> = sqlx::query_as(
            "SELECT id FROM technicians WHERE org_id = $1 AND id = $2 AND active = TRUE",
        )
        .bind(org.0)
        .bind(technician.0)
        .fetch_optional(&mut *self.reads.acquire().await?)
        .await?;
        if active.is_none() {
            return Err(StoreError::NotFound);
        }
        let result = sqlx::query(
            "UPDATE technician_checks SET status = 'chosen', technician_id = $3, chosen_at = $4 \
             WHERE org_id = $1 AND id = $2 AND status = 'sent' AND expires_at > $4",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(technician.0)
        .bind(now.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(changed::<DB>(&result))
    }

    async fn confirm_technician_check(
        &self,
        org: OrgId,
        id: TechnicianCheckId,
        technician: TechnicianId,
        code: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let result = sqlx::query(
            "UPDATE technician_checks SET status = 'confirmed', code = $4, confirmed_at = $5 \
             WHERE org_id = $1 AND id = $2 AND technician_id = $3 AND status = 'chosen' \
             AND expires_at > $5",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(technician.0)
        .bind(code)
        .bind(now.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(changed::<DB>(&result))
    }

    async fn technician_inbox(
        &self,
        org: OrgId,
        technician: TechnicianId,
        now: Timestamp,
    ) -> StoreResult<Vec<InboxEntry>> {
        let sql = format!(
            "SELECT {CHECK_COLUMNS}, c.display_name AS contact_name, cu.name AS customer_name \
             FROM technician_checks k \
             JOIN contacts c ON c.org_id = k.org_id AND c.id = k.contact_id \
             JOIN customers cu ON cu.org_id = c.org_id AND cu.id = c.customer_id \
             WHERE k.org_id = $1 AND k.technician_id = $2 AND k.status = 'chosen' \
             AND k.expires_at > $3 ORDER BY k.chosen_at, k.id LIMIT 50"
        );
        let rows: Vec<InboxRow> = sqlx::query_as(&sql)
            .bind(org.0)
            .bind(technician.0)
            .bind(now.0)
            .fetch_all(&mut *self.reads.acquire().await?)
            .await?;
        rows.into_iter()
            .map(|r| {
                Ok(InboxEntry {
                    check: r.check.try_into()?,
                    contact_name: r.contact_name,
                    customer_name: r.customer_name,
                })
            })
            .collect()
    }

    async fn contacts_by_email(&self, org: OrgId, email: &str) -> StoreResult<Vec<ContactId>> {
        let key = crate::email_key(Some(email));
        let rows: Vec<(Uuid,)> = sqlx::query_as(
            "SELECT id FROM contacts WHERE org_id = $1 AND email_key = $2 \
             AND removed_at IS NULL AND unlinked_at IS NULL ORDER BY id LIMIT 2",
        )
        .bind(org.0)
        .bind(key)
        .fetch_all(&mut *self.reads.acquire().await?)
        .await?;
        Ok(rows.into_iter().map(|(id,)| ContactId(id)).collect())
    }

    async fn count_technician_checks(
        &self,
        org: OrgId,
        contact: ContactId,
        since: Timestamp,
    ) -> StoreResult<i64> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM technician_checks WHERE org_id = $1 AND contact_id = $2 \
             AND created_at > $3",
        )
        .bind(org.0)
        .bind(contact.0)
        .bind(since.0)
        .fetch_one(&mut *self.reads.acquire().await?)
        .await?;
        Ok(n)
    }
}
}
