//! Unlinking one linked company of an integration (issue 21.6): it is no longer synced, its
//! contacts are hidden (`contacts.unlinked_at`) but kept for the audit trail until its purge
//! date, when the purge sweep deletes them. Re-linking before that restores them.
//!
//! The contacts of a company are the synced contacts (not manual ones) of its customer. The
//! same tenant reached two ways (admin consent and GDAP) is two rows with one customer: its
//! contacts are hidden, and purged, only while none of the org's rows for that customer is
//! still linked.

use crate::forwarding::store_trait;
use crate::sql::{SqlStore, expect_changed, page_size, sql_impl};
use crate::{StoreError, StoreResult};
use countersign_domain::{OrgId, SyncSourceId, Timestamp};
use uuid::Uuid;

/// How long an org keeps an unlinked company's contacts unless it says otherwise.
pub const DEFAULT_RETENTION_DAYS: i64 = 30;
/// The longest retention an org may set.
pub const MAX_RETENTION_DAYS: i64 = 365;

/// Hides the synced contacts of company `$2`'s customer, with the company's unlink time,
/// unless another of the org's companies with that customer is still linked.
const HIDE_CONTACTS: &str = "UPDATE contacts SET unlinked_at = \
     (SELECT s.unlinked_at FROM sync_sources s WHERE s.org_id = $1 AND s.id = $2) \
     WHERE org_id = $1 AND unlinked_at IS NULL AND source <> 'manual' \
     AND customer_id = (SELECT s.customer_id FROM sync_sources s \
         WHERE s.org_id = $1 AND s.id = $2 AND s.unlinked_at IS NOT NULL) \
     AND NOT EXISTS (SELECT 1 FROM sync_sources o WHERE o.org_id = $1 \
         AND o.customer_id = contacts.customer_id AND o.unlinked_at IS NULL)";

/// The refusal of unlinking an unlinked company or re-linking a linked one.
fn already(state: &str) -> StoreError {
    StoreError::Conflict {
        constraint: format!("sync_sources already {state}"),
    }
}

store_trait! {
/// Unlinking, re-linking and purging linked companies.
pub trait UnlinkStore {
    /// Unlinks the company: `unlinked_at` and `purge_at` set, its cursor forgotten, a queued
    /// sync no longer counted as queued (its job finds it unlinked and does nothing), and its
    /// contacts hidden, in one transaction. Returns how many contacts were hidden.
    /// `NotFound` unless the org has the company; `Conflict` if it is already unlinked.
    async fn unlink_sync_source(
        &self,
        org: OrgId,
        id: SyncSourceId,
        at: Timestamp,
        purge_at: Timestamp,
    ) -> StoreResult<u64>;
    /// Hides again the contacts of an unlinked company (a sync page committed while it was
    /// being unlinked). Returns how many were hidden now.
    async fn hide_unlinked_contacts(&self, org: OrgId, id: SyncSourceId) -> StoreResult<u64>;
    /// Links the company again: no longer unlinked or due for a purge, and its hidden
    /// contacts shown again, in one transaction (the caller queues a full sync). Returns how
    /// many contacts were restored. `NotFound` unless the org has the company; `Conflict`
    /// unless it is unlinked.
    async fn relink_sync_source(&self, org: OrgId, id: SyncSourceId) -> StoreResult<u64>;
    /// How many days the org keeps an unlinked company's contacts
    /// ([`DEFAULT_RETENTION_DAYS`] unless it set another).
    async fn unlink_retention_days(&self, org: OrgId) -> StoreResult<i64>;
    /// Sets it (1 to [`MAX_RETENTION_DAYS`], checked by the caller and by the table).
    async fn set_unlink_retention_days(
        &self,
        org: OrgId,
        days: i64,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// Of these audit targets, those that name a contact of an unlinked company or a
    /// verification of such a contact, so the audit page can mark them "source unlinked"
    /// (at most 200 are looked at).
    async fn unlinked_targets(&self, org: OrgId, targets: &[Uuid]) -> StoreResult<Vec<Uuid>>;
    /// The purge sweep: for up to `limit` unlinked companies whose purge date is past,
    /// deletes their hidden contacts (with search terms; history rows cascade) and marks
    /// them purged, a transaction per company. Returns each company purged with how many
    /// contacts went. Not org-scoped: the sweep serves every org (each statement is scoped
    /// to the company's).
    async fn purge_unlinked_sources(
        &self,
        now: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<(OrgId, SyncSourceId, u64)>>;
}
}

sql_impl! {
impl UnlinkStore for SqlStore<DB> {
    async fn unlink_sync_source(
        &self,
        org: OrgId,
        id: SyncSourceId,
        at: Timestamp,
        purge_at: Timestamp,
    ) -> StoreResult<u64> {
        let mut writer = self.pool.acquire().await?;
        let mut tx = DB::begin_write(&mut writer).await?;
        let found: Option<(Option<i64>,)> = sqlx::query_as(
            "SELECT unlinked_at FROM sync_sources WHERE org_id = $1 AND id = $2",
        )
        .bind(org.0)
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await?;
        match found {
            None => return Err(StoreError::NotFound),
            Some((Some(_),)) => return Err(already("unlinked")),
            Some((None,)) => {}
        }
        let r = sqlx::query(
            "UPDATE sync_sources SET unlinked_at = $3, purge_at = $4, purged_at = NULL, \
             cursor = NULL, state = CASE WHEN state = 'queued' THEN 'idle' ELSE state END, \
             updated_at = $3 WHERE org_id = $1 AND id = $2 AND unlinked_at IS NULL",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(at.0)
        .bind(purge_at.0)
        .execute(&mut *tx)
        .await?;
        expect_changed::<DB>(&r)?;
        let hidden = sqlx::query(HIDE_CONTACTS)
            .bind(org.0)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(DB::rows_affected(&hidden))
    }

    async fn hide_unlinked_contacts(&self, org: OrgId, id: SyncSourceId) -> StoreResult<u64> {
        let r = sqlx::query(HIDE_CONTACTS)
            .bind(org.0)
            .bind(id.0)
            .execute(&mut *self.pool.acquire().await?)
            .await?;
        Ok(DB::rows_affected(&r))
    }

    async fn relink_sync_source(&self, org: OrgId, id: SyncSourceId) -> StoreResult<u64> {
        let mut writer = self.pool.acquire().await?;
        let mut tx = DB::begin_write(&mut writer).await?;
        let found: Option<(Option<i64>, Option<Uuid>)> = sqlx::query_as(
            "SELECT unlinked_at, customer_id FROM sync_sources WHERE org_id = $1 AND id = $2",
        )
        .bind(org.0)
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await?;
        let customer = match found {
            None => return Err(StoreError::NotFound),
            Some((None, _)) => return Err(already("linked")),
            Some((Some(_), customer)) => customer,
        };
        sqlx::query(
            "UPDATE sync_sources SET unlinked_at = NULL, purge_at = NULL, purged_at = NULL, \
             cursor = NULL WHERE org_id = $1 AND id = $2",
        )
        .bind(org.0)
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        let restored = match customer {
            Some(c) => {
                let r = sqlx::query(
                    "UPDATE contacts SET unlinked_at = NULL WHERE org_id = $1 \
                     AND customer_id = $2 AND unlinked_at IS NOT NULL",
                )
                .bind(org.0)
                .bind(c)
                .execute(&mut *tx)
                .await?;
                DB::rows_affected(&r)
            }
            None => 0,
        };
        tx.commit().await?;
        Ok(restored)
    }

    async fn unlink_retention_days(&self, org: OrgId) -> StoreResult<i64> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT retention_days FROM unlink_settings WHERE org_id = $1")
                .bind(org.0)
                .fetch_optional(&mut *self.reads.acquire().await?)
                .await?;
        Ok(row.map_or(DEFAULT_RETENTION_DAYS, |(d,)| d))
    }

    async fn set_unlink_retention_days(
        &self,
        org: OrgId,
        days: i64,
        at: Timestamp,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO unlink_settings (org_id, retention_days, updated_at) \
             VALUES ($1, $2, $3) ON CONFLICT (org_id) DO UPDATE SET \
             retention_days = excluded.retention_days, updated_at = excluded.updated_at",
        )
        .bind(org.0)
        .bind(days)
        .bind(at.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(())
    }

    async fn unlinked_targets(&self, org: OrgId, targets: &[Uuid]) -> StoreResult<Vec<Uuid>> {
        let targets = &targets[..targets.len().min(200)];
        if targets.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = (0..targets.len()).map(|n| format!("${}", n + 2)).collect();
        let list = list.join(", ");
        let sql = format!(
            "SELECT c.id FROM contacts c WHERE c.org_id = $1 AND c.unlinked_at IS NOT NULL \
             AND c.id IN ({list}) \
             UNION SELECT v.id FROM verifications v JOIN contacts c \
             ON c.org_id = v.org_id AND c.id = v.contact_id \
             WHERE v.org_id = $1 AND c.unlinked_at IS NOT NULL AND v.id IN ({list})"
        );
        let mut q = sqlx::query_as::<DB, (Uuid,)>(&sql).bind(org.0);
        for t in targets {
            q = q.bind(*t);
        }
        let rows = q.fetch_all(&mut *self.reads.acquire().await?).await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    async fn purge_unlinked_sources(
        &self,
        now: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<(OrgId, SyncSourceId, u64)>> {
        let due: Vec<(Uuid, Uuid, Option<Uuid>)> = sqlx::query_as(
            "SELECT org_id, id, customer_id FROM sync_sources WHERE purge_at IS NOT NULL \
             AND purged_at IS NULL AND purge_at <= $1 AND unlinked_at IS NOT NULL \
             ORDER BY purge_at LIMIT $2",
        )
        .bind(now.0)
        .bind(page_size(limit, 1000))
        .fetch_all(&mut *self.reads.acquire().await?)
        .await?;
        let mut purged = Vec::new();
        for (org, id, customer) in due {
            let mut deleted = 0;
            let mut writer = self.pool.acquire().await?;
            let mut tx = DB::begin_write(&mut writer).await?;
            // Only hidden contacts go, and only while no linked company of the org still
            // reaches the customer (a re-link in between shows them again).
            let hidden = "SELECT c.id FROM contacts c WHERE c.org_id = $1 \
                 AND c.customer_id = $2 AND c.unlinked_at IS NOT NULL \
                 AND NOT EXISTS (SELECT 1 FROM sync_sources o WHERE o.org_id = $1 \
                     AND o.customer_id = $2 AND o.unlinked_at IS NULL)";
            if let Some(customer) = customer {
                // Search terms have no foreign key (see 0003_contacts.sql): first.
                sqlx::query(&format!(
                    "DELETE FROM contact_terms WHERE org_id = $1 AND contact_id IN ({hidden})"
                ))
                .bind(org)
                .bind(customer)
                .execute(&mut *tx)
                .await?;
                let r = sqlx::query(&format!(
                    "DELETE FROM contacts WHERE org_id = $1 AND id IN ({hidden})"
                ))
                .bind(org)
                .bind(customer)
                .execute(&mut *tx)
                .await?;
                deleted += DB::rows_affected(&r);
            }
            sqlx::query(
                "UPDATE sync_sources SET purged_at = $3 WHERE org_id = $1 AND id = $2 \
                 AND unlinked_at IS NOT NULL AND purged_at IS NULL",
            )
            .bind(org)
            .bind(id)
            .bind(now.0)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            purged.push((OrgId(org), SyncSourceId(id), deleted));
        }
        Ok(purged)
    }
}
}
