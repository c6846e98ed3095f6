//! [`VerificationStore`] and [`PodStore`] for both backends.

use super::contact_writes::value_lists;
use super::directory_rows::VerificationRow;
use super::{Dialect, SqlStore, page_size};
use crate::directory::{PodSettings, Verification, VerificationEntry};
use crate::{PodStore, StoreError, StoreResult, VerificationStore};
use countersign_domain::{ContactId, OrgId, TechnicianId, Timestamp};
use sqlx::query::Query;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Type};
use uuid::Uuid;

/// Most verifications one `verifications` call returns.
pub const MAX_VERIFICATION_PAGE: i64 = 200;

/// Binds a verification's own columns as `$1`…`$9`: id, org_id, contact_id, technician_id,
/// method, channel, destination_masked, status, at (a challenge's start binds more after them).
pub(super) fn bind_verification_row<'q, DB>(
    q: Query<'q, DB, <DB as Database>::Arguments<'q>>,
    v: &'q Verification,
) -> Query<'q, DB, <DB as Database>::Arguments<'q>>
where
    DB: Database,
    Uuid: Encode<'q, DB> + Type<DB>,
    Option<Uuid>: Encode<'q, DB> + Type<DB>,
    i64: Encode<'q, DB> + Type<DB>,
    &'q str: Encode<'q, DB> + Type<DB>,
{
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

impl<DB> VerificationStore for SqlStore<DB>
where
    DB: Dialect,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'r> Uuid: Encode<'r, DB> + Decode<'r, DB> + Type<DB>,
    for<'r> i64: Encode<'r, DB> + Decode<'r, DB> + Type<DB>,
    for<'r> String: Encode<'r, DB> + Decode<'r, DB> + Type<DB>,
    for<'r> &'r str: Encode<'r, DB> + Type<DB> + ColumnIndex<DB::Row>,
    for<'r> Option<Uuid>: Encode<'r, DB>,
    usize: ColumnIndex<DB::Row>,
{
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
             v.destination_masked, v.status, v.at, t.name AS technician_name \
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

type PodRow = (String, i64, i64, i64);

impl<DB> PodStore for SqlStore<DB>
where
    DB: Dialect,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'r> Uuid: Encode<'r, DB> + Decode<'r, DB> + Type<DB>,
    for<'r> i64: Encode<'r, DB> + Decode<'r, DB> + Type<DB>,
    for<'r> String: Encode<'r, DB> + Decode<'r, DB> + Type<DB>,
    for<'r> &'r str: Encode<'r, DB> + Type<DB> + ColumnIndex<DB::Row>,
    usize: ColumnIndex<DB::Row>,
{
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
