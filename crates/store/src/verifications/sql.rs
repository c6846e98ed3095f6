//! [`VerificationStore`] for both backends.

use crate::contacts::writes::value_lists;
use crate::sql::{SqlStore, page_size};
use crate::sql::{corrupt, sql_impl};
use crate::{StoreError, StoreResult, Verification, VerificationEntry, VerificationStore};
use countersign_domain::{ContactId, OrgId, Timestamp, VerificationMethod, VerificationStatus};
use sqlx::Database;
use sqlx::query::Query;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct VerificationRow {
    id: Uuid,
    org_id: Uuid,
    contact_id: Uuid,
    technician_id: Option<Uuid>,
    method: String,
    channel: String,
    destination_masked: String,
    status: String,
    at: i64,
    expires_at: i64,
    completed_at: Option<i64>,
    technician_name: Option<String>,
}

impl TryFrom<&VerificationRow> for Verification {
    type Error = StoreError;
    fn try_from(r: &VerificationRow) -> StoreResult<Self> {
        Ok(Self {
            id: r.id.into(),
            org_id: r.org_id.into(),
            contact_id: r.contact_id.into(),
            technician_id: r.technician_id.map(Into::into),
            method: VerificationMethod::parse(&r.method)
                .ok_or_else(|| corrupt("verification method", &r.method))?,
            channel: r.channel.clone(),
            destination_masked: r.destination_masked.clone(),
            status: VerificationStatus::parse(&r.status)
                .ok_or_else(|| corrupt("verification status", &r.status))?,
            at: Timestamp(r.at),
        })
    }
}

/// Most verifications one `verifications` call returns.
pub const MAX_VERIFICATION_PAGE: i64 = 200;

sql_impl! {
/// Binds a verification's own columns as `$1`…`$9`: id, org_id, contact_id, technician_id,
/// method, channel, destination_masked, status, at (a challenge's start binds more after them).
pub(crate) fn bind_verification_row<'q, DB>(
    q: Query<'q, DB, <DB as Database>::Arguments<'q>>,
    v: &'q Verification,
) -> Query<'q, DB, <DB as Database>::Arguments<'q>> {
    q.bind(v.id.0)
        .bind(v.org_id.0)
        .bind(v.contact_id.0)
        .bind(v.technician_id.map(|t| t.0))
        .bind(v.method.as_str())
        .bind(v.channel.as_str())
        .bind(v.destination_masked.as_str())
        .bind(v.status.as_str())
        .bind(v.at.0)
}
}

sql_impl! {
impl VerificationStore for SqlStore<DB> {
    async fn record_verification(&self, v: &Verification) -> StoreResult<()> {
        // The composite foreign keys refuse another org's contact or technician; both
        // backends report that as a conflict, which for the caller means "no such contact".
        let result = bind_verification_row(
            sqlx::query(
                "INSERT INTO verifications (id, org_id, contact_id, technician_id, method, \
                 channel, destination_masked, status, at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            ),
            v,
        )
        .execute(&mut *self.pool.acquire().await?)
        .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) => match StoreError::from(e) {
                StoreError::Conflict { constraint } if !constraint.contains("pkey") => {
                    Err(StoreError::NotFound)
                }
                other => Err(other),
            },
        }
    }

    async fn verifications(
        &self,
        org: OrgId,
        contact: ContactId,
        limit: i64,
    ) -> StoreResult<Vec<VerificationEntry>> {
        let rows: Vec<VerificationRow> = sqlx::query_as(
            "SELECT v.id, v.org_id, v.contact_id, v.technician_id, v.method, v.channel, \
             v.destination_masked, v.status, v.at, v.expires_at, v.completed_at, \
             t.name AS technician_name \
             FROM verifications v LEFT JOIN technicians t \
             ON t.org_id = v.org_id AND t.id = v.technician_id \
             WHERE v.org_id = $1 AND v.contact_id = $2 ORDER BY v.at DESC, v.id DESC LIMIT $3",
        )
        .bind(org.0)
        .bind(contact.0)
        .bind(page_size(limit, MAX_VERIFICATION_PAGE))
        .fetch_all(&mut *self.reads.acquire().await?)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(VerificationEntry {
                    verification: Verification::try_from(r)?,
                    technician_name: r.technician_name.clone(),
                    expires_at: Timestamp(r.expires_at),
                    completed_at: r.completed_at.map(Timestamp),
                })
            })
            .collect()
    }

    async fn last_verified(
        &self,
        org: OrgId,
        contacts: &[ContactId],
    ) -> StoreResult<Vec<(ContactId, Timestamp)>> {
        let mut out = Vec::with_capacity(contacts.len());
        for chunk in contacts.chunks(MAX_VERIFICATION_PAGE as usize) {
            let sql = format!(
                "SELECT contact_id, MAX(at) FROM verifications WHERE org_id = $1 \
                 AND status = 'verified' \
                 AND method <> 'technician_verification' AND contact_id IN {} GROUP BY contact_id",
                value_lists(1, chunk.len(), 2)
            );
            let mut q = sqlx::query_as::<DB, (Uuid, i64)>(&sql).bind(org.0);
            for id in chunk {
                q = q.bind(id.0);
            }
            for (id, at) in q.fetch_all(&mut *self.reads.acquire().await?).await? {
                out.push((ContactId(id), Timestamp(at)));
            }
        }
        Ok(out)
    }
}
}
