//! [`SyncSourceStore`] for both backends.

use crate::sql::sql_impl;
use crate::sql::{SqlStore, changed, expect_changed, page_size};
use crate::sync_sources::{NewSyncSource, SyncProgress, SyncSource, SyncState, runs};
use crate::{StoreError, StoreResult, SyncSourceStore};
use countersign_domain::{CustomerId, IntegrationId, OrgId, SyncSourceId, Timestamp};
use uuid::Uuid;

macro_rules! source_columns {
    () => {
        "id, org_id, integration_id, external_id, link, display_name, descriptor, \
         customer_id, cursor, state, started_at, last_run_at, last_ok, last_error, pages, \
         seen, added, changed, removed, created_at, ended_at, ended_reason, unlinked_at, \
         purge_at, purged_at"
    };
}

#[derive(sqlx::FromRow)]
struct SourceRow {
    id: Uuid,
    org_id: Uuid,
    integration_id: Uuid,
    external_id: String,
    link: String,
    display_name: String,
    descriptor: String,
    customer_id: Option<Uuid>,
    cursor: Option<String>,
    state: String,
    started_at: Option<i64>,
    last_run_at: Option<i64>,
    last_ok: Option<bool>,
    last_error: Option<String>,
    pages: i64,
    seen: i64,
    added: i64,
    changed: i64,
    removed: i64,
    created_at: i64,
    ended_at: Option<i64>,
    ended_reason: Option<String>,
    unlinked_at: Option<i64>,
    purge_at: Option<i64>,
    purged_at: Option<i64>,
}

impl TryFrom<SourceRow> for SyncSource {
    type Error = StoreError;
    fn try_from(r: SourceRow) -> StoreResult<Self> {
        Ok(Self {
            id: r.id.into(),
            new: NewSyncSource {
                org_id: r.org_id.into(),
                integration_id: r.integration_id.into(),
                external_id: r.external_id,
                link: r.link,
                display_name: r.display_name,
                descriptor: r.descriptor,
            },
            customer_id: r.customer_id.map(CustomerId),
            cursor: r.cursor,
            state: SyncState::parse(&r.state)
                .ok_or_else(|| StoreError::Corrupt(format!("sync state {:?}", r.state)))?,
            started_at: r.started_at.map(Timestamp),
            last_run_at: r.last_run_at.map(Timestamp),
            last_ok: r.last_ok,
            last_error: r.last_error,
            progress: SyncProgress {
                pages: r.pages,
                users_seen: r.seen,
                added: r.added,
                changed: r.changed,
                removed: r.removed,
            },
            created_at: Timestamp(r.created_at),
            ended_at: r.ended_at.map(Timestamp),
            ended_reason: r.ended_reason,
            unlinked_at: r.unlinked_at.map(Timestamp),
            purge_at: r.purge_at.map(Timestamp),
            purged_at: r.purged_at.map(Timestamp),
        })
    }
}

sql_impl! {
impl SyncSourceStore for SqlStore<DB> {
    async fn upsert_sync_source(
        &self,
        s: &NewSyncSource,
        at: Timestamp,
    ) -> StoreResult<SyncSource> {
        // The integration must be the org's: checked in the same statement, so a linked
        // company can never point at another org's integration.
        let row: Option<SourceRow> = sqlx::query_as(concat!(
            "INSERT INTO sync_sources (id, org_id, integration_id, external_id, link, \
             display_name, descriptor, state, created_at, updated_at) \
             SELECT $1, $2, $3, $4, $5, $6, $7, 'idle', $8, $8 \
             WHERE EXISTS (SELECT 1 FROM integrations WHERE org_id = $2 AND id = $3) \
             ON CONFLICT (integration_id, external_id, link) DO UPDATE SET \
             display_name = excluded.display_name, descriptor = excluded.descriptor, \
             ended_at = NULL, ended_reason = NULL, updated_at = excluded.updated_at RETURNING ",
            source_columns!()
        ))
        .bind(Uuid::now_v7())
        .bind(s.org_id.0)
        .bind(s.integration_id.0)
        .bind(s.external_id.as_str())
        .bind(s.link.as_str())
        .bind(s.display_name.as_str())
        .bind(s.descriptor.as_str())
        .bind(at.0)
        .fetch_optional(&mut *self.pool.acquire().await?)
        .await?;
        row.ok_or(StoreError::NotFound)?.try_into()
    }

    async fn sync_source(&self, org: OrgId, id: SyncSourceId) -> StoreResult<SyncSource> {
        let row: SourceRow = sqlx::query_as(concat!(
            "SELECT ",
            source_columns!(),
            " FROM sync_sources WHERE org_id = $1 AND id = $2"
        ))
        .bind(org.0)
        .bind(id.0)
        .fetch_one(&mut *self.reads.acquire().await?)
        .await?;
        row.try_into()
    }

    async fn sync_sources(
        &self,
        org: OrgId,
        integration: IntegrationId,
    ) -> StoreResult<Vec<SyncSource>> {
        let rows: Vec<SourceRow> = sqlx::query_as(concat!(
            "SELECT ",
            source_columns!(),
            " FROM sync_sources WHERE org_id = $1 AND integration_id = $2 \
             ORDER BY lower(display_name), link, id"
        ))
        .bind(org.0)
        .bind(integration.0)
        .fetch_all(&mut *self.reads.acquire().await?)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn set_source_customer(
        &self,
        org: OrgId,
        id: SyncSourceId,
        customer: CustomerId,
    ) -> StoreResult<()> {
        let r = sqlx::query(
            "UPDATE sync_sources SET customer_id = $3 WHERE org_id = $1 AND id = $2 \
             AND EXISTS (SELECT 1 FROM customers WHERE org_id = $1 AND id = $3)",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(customer.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        expect_changed::<DB>(&r)
    }

    async fn end_sync_source(
        &self,
        org: OrgId,
        id: SyncSourceId,
        reason: &str,
        descriptor: &str,
        at: Timestamp,
    ) -> StoreResult<()> {
        let r = sqlx::query(
            "UPDATE sync_sources SET ended_at = COALESCE(ended_at, $5), ended_reason = $3, \
             descriptor = $4, updated_at = $5 WHERE org_id = $1 AND id = $2",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(reason)
        .bind(descriptor)
        .bind(at.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        expect_changed::<DB>(&r)
    }

    async fn mark_sync_queued(&self, org: OrgId, id: SyncSourceId) -> StoreResult<bool> {
        let r = sqlx::query(
            "UPDATE sync_sources SET state = 'queued' \
             WHERE org_id = $1 AND id = $2 AND state = 'idle' AND ended_at IS NULL \
             AND unlinked_at IS NULL",
        )
        .bind(org.0)
        .bind(id.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(changed::<DB>(&r))
    }

    async fn start_sync(&self, org: OrgId, id: SyncSourceId, at: Timestamp) -> StoreResult<()> {
        let r = sqlx::query(
            "UPDATE sync_sources SET state = 'running', started_at = $3, pages = 0, \
             seen = 0, added = 0, changed = 0, removed = 0 WHERE org_id = $1 AND id = $2",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(at.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        expect_changed::<DB>(&r)
    }

    async fn record_sync_progress(
        &self,
        org: OrgId,
        id: SyncSourceId,
        p: SyncProgress,
    ) -> StoreResult<bool> {
        let row: Option<(Option<i64>,)> = sqlx::query_as(
            "UPDATE sync_sources SET pages = $3, seen = $4, added = $5, changed = $6, \
             removed = $7 WHERE org_id = $1 AND id = $2 RETURNING unlinked_at",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(p.pages)
        .bind(p.users_seen)
        .bind(p.added)
        .bind(p.changed)
        .bind(p.removed)
        .fetch_optional(&mut *self.pool.acquire().await?)
        .await?;
        Ok(matches!(row, Some((None,))))
    }

    async fn finish_sync(
        &self,
        org: OrgId,
        id: SyncSourceId,
        ok: bool,
        error: Option<&str>,
        cursor: Option<&str>,
        at: Timestamp,
    ) -> StoreResult<()> {
        let mut writer = self.pool.acquire().await?;
        let mut tx = DB::begin_write(&mut writer).await?;
        // An unlinked company's delta token is forgotten even when a run that was going on
        // at the unlink finishes after it.
        let r = sqlx::query(
            "UPDATE sync_sources SET state = 'idle', last_ok = $3, last_error = $4, \
             cursor = CASE WHEN unlinked_at IS NULL THEN $5 ELSE NULL END, last_run_at = $6, \
             updated_at = $6 WHERE org_id = $1 AND id = $2",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(ok)
        .bind(error)
        .bind(cursor)
        .bind(at.0)
        .execute(&mut *tx)
        .await?;
        expect_changed::<DB>(&r)?;
        runs::record_run::<DB>(&mut *tx, org, id, at).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn sync_sources_due(
        &self,
        before: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<(OrgId, SyncSourceId)>> {
        let rows: Vec<(Uuid, Uuid)> = sqlx::query_as(
            "SELECT org_id, id FROM sync_sources WHERE state = 'idle' AND ended_at IS NULL \
             AND unlinked_at IS NULL AND (last_run_at IS NULL OR last_run_at < $1) ORDER BY last_run_at LIMIT $2",
        )
        .bind(before.0)
        .bind(page_size(limit, 1000))
        .fetch_all(&mut *self.reads.acquire().await?)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(o, i)| (OrgId(o), SyncSourceId(i)))
            .collect())
    }
}
}
