//! [`TenantLinkStore`] for both backends.

use crate::sql::sql_impl;
use crate::sql::{SqlStore, changed, expect_changed, page_size};
use crate::{LinkKind, NewTenantLink, SyncProgress, SyncState, TenantLink};
use crate::{StoreError, StoreResult, TenantLinkStore};
use countersign_domain::{CustomerId, IntegrationId, OrgId, TenantLinkId, Timestamp};
use uuid::Uuid;

macro_rules! link_columns {
    () => {
        "id, org_id, integration_id, tenant_id, link, display_name, default_domain, \
         relationships, roles, customer_id, delta_link, sync_state, sync_started_at, \
         last_sync_at, last_sync_ok, last_error, pages, users_seen, added, changed, removed, \
         created_at, ended_at, ended_reason"
    };
}

#[derive(sqlx::FromRow)]
struct LinkRow {
    id: Uuid,
    org_id: Uuid,
    integration_id: Uuid,
    tenant_id: String,
    link: String,
    display_name: String,
    default_domain: String,
    relationships: String,
    roles: String,
    customer_id: Option<Uuid>,
    delta_link: Option<String>,
    sync_state: String,
    sync_started_at: Option<i64>,
    last_sync_at: Option<i64>,
    last_sync_ok: Option<bool>,
    last_error: Option<String>,
    pages: i64,
    users_seen: i64,
    added: i64,
    changed: i64,
    removed: i64,
    created_at: i64,
    ended_at: Option<i64>,
    ended_reason: Option<String>,
}

impl TryFrom<LinkRow> for TenantLink {
    type Error = StoreError;
    fn try_from(r: LinkRow) -> StoreResult<Self> {
        Ok(Self {
            id: r.id.into(),
            new: NewTenantLink {
                org_id: r.org_id.into(),
                integration_id: r.integration_id.into(),
                tenant_id: r.tenant_id,
                link: LinkKind::parse(&r.link)
                    .ok_or_else(|| StoreError::Corrupt(format!("link kind {:?}", r.link)))?,
                display_name: r.display_name,
                default_domain: r.default_domain,
                relationships: r.relationships,
                roles: r.roles,
            },
            customer_id: r.customer_id.map(CustomerId),
            delta_link: r.delta_link,
            sync_state: SyncState::parse(&r.sync_state)
                .ok_or_else(|| StoreError::Corrupt(format!("sync state {:?}", r.sync_state)))?,
            sync_started_at: r.sync_started_at.map(Timestamp),
            last_sync_at: r.last_sync_at.map(Timestamp),
            last_sync_ok: r.last_sync_ok,
            last_error: r.last_error,
            progress: SyncProgress {
                pages: r.pages,
                users_seen: r.users_seen,
                added: r.added,
                changed: r.changed,
                removed: r.removed,
            },
            created_at: Timestamp(r.created_at),
            ended_at: r.ended_at.map(Timestamp),
            ended_reason: r.ended_reason,
        })
    }
}

sql_impl! {
impl TenantLinkStore for SqlStore<DB> {
    async fn upsert_tenant_link(
        &self,
        l: &NewTenantLink,
        at: Timestamp,
    ) -> StoreResult<TenantLink> {
        // The integration must be the org's: checked in the same statement, so a link can
        // never point at another org's integration.
        let row: Option<LinkRow> = sqlx::query_as(concat!(
            "INSERT INTO tenant_links (id, org_id, integration_id, tenant_id, link, display_name, \
             default_domain, relationships, roles, sync_state, created_at, updated_at) \
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, 'idle', $10, $10 \
             WHERE EXISTS (SELECT 1 FROM integrations WHERE org_id = $2 AND id = $3) \
             ON CONFLICT (integration_id, tenant_id, link) DO UPDATE SET \
             display_name = excluded.display_name, default_domain = excluded.default_domain, \
             relationships = excluded.relationships, roles = excluded.roles, \
             ended_at = NULL, ended_reason = NULL, updated_at = excluded.updated_at RETURNING ",
            link_columns!()
        ))
        .bind(Uuid::now_v7())
        .bind(l.org_id.0)
        .bind(l.integration_id.0)
        .bind(l.tenant_id.as_str())
        .bind(l.link.as_str())
        .bind(l.display_name.as_str())
        .bind(l.default_domain.as_str())
        .bind(l.relationships.as_str())
        .bind(l.roles.as_str())
        .bind(at.0)
        .fetch_optional(&mut *self.pool.acquire().await?)
        .await?;
        row.ok_or(StoreError::NotFound)?.try_into()
    }

    async fn tenant_link(&self, org: OrgId, id: TenantLinkId) -> StoreResult<TenantLink> {
        let row: LinkRow = sqlx::query_as(concat!(
            "SELECT ",
            link_columns!(),
            " FROM tenant_links WHERE org_id = $1 AND id = $2"
        ))
        .bind(org.0)
        .bind(id.0)
        .fetch_one(&mut *self.reads.acquire().await?)
        .await?;
        row.try_into()
    }

    async fn tenant_links(
        &self,
        org: OrgId,
        integration: IntegrationId,
    ) -> StoreResult<Vec<TenantLink>> {
        let rows: Vec<LinkRow> = sqlx::query_as(concat!(
            "SELECT ",
            link_columns!(),
            " FROM tenant_links WHERE org_id = $1 AND integration_id = $2 \
             ORDER BY lower(display_name), link, id"
        ))
        .bind(org.0)
        .bind(integration.0)
        .fetch_all(&mut *self.reads.acquire().await?)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn set_link_customer(
        &self,
        org: OrgId,
        id: TenantLinkId,
        customer: CustomerId,
    ) -> StoreResult<()> {
        let r = sqlx::query(
            "UPDATE tenant_links SET customer_id = $3 WHERE org_id = $1 AND id = $2 \
             AND EXISTS (SELECT 1 FROM customers WHERE org_id = $1 AND id = $3)",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(customer.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        expect_changed::<DB>(&r)
    }

    async fn end_tenant_link(
        &self,
        org: OrgId,
        id: TenantLinkId,
        reason: &str,
        at: Timestamp,
    ) -> StoreResult<()> {
        let r = sqlx::query(
            "UPDATE tenant_links SET ended_at = COALESCE(ended_at, $4), ended_reason = $3, \
             roles = '', relationships = '', updated_at = $4 WHERE org_id = $1 AND id = $2",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(reason)
        .bind(at.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        expect_changed::<DB>(&r)
    }

    async fn mark_sync_queued(&self, org: OrgId, id: TenantLinkId) -> StoreResult<bool> {
        let r = sqlx::query(
            "UPDATE tenant_links SET sync_state = 'queued' \
             WHERE org_id = $1 AND id = $2 AND sync_state = 'idle' AND ended_at IS NULL",
        )
        .bind(org.0)
        .bind(id.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(changed::<DB>(&r))
    }

    async fn start_sync(&self, org: OrgId, id: TenantLinkId, at: Timestamp) -> StoreResult<()> {
        let r = sqlx::query(
            "UPDATE tenant_links SET sync_state = 'running', sync_started_at = $3, pages = 0, \
             users_seen = 0, added = 0, changed = 0, removed = 0 WHERE org_id = $1 AND id = $2",
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
        id: TenantLinkId,
        p: SyncProgress,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE tenant_links SET pages = $3, users_seen = $4, added = $5, changed = $6, \
             removed = $7 WHERE org_id = $1 AND id = $2",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(p.pages)
        .bind(p.users_seen)
        .bind(p.added)
        .bind(p.changed)
        .bind(p.removed)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(())
    }

    async fn finish_sync(
        &self,
        org: OrgId,
        id: TenantLinkId,
        ok: bool,
        error: Option<&str>,
        delta_link: Option<&str>,
        at: Timestamp,
    ) -> StoreResult<()> {
        let r = sqlx::query(
            "UPDATE tenant_links SET sync_state = 'idle', last_sync_ok = $3, last_error = $4, \
             delta_link = $5, last_sync_at = $6, updated_at = $6 WHERE org_id = $1 AND id = $2",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(ok)
        .bind(error)
        .bind(delta_link)
        .bind(at.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        expect_changed::<DB>(&r)
    }

    async fn links_due_for_sync(
        &self,
        before: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<(OrgId, TenantLinkId)>> {
        let rows: Vec<(Uuid, Uuid)> = sqlx::query_as(
            "SELECT org_id, id FROM tenant_links WHERE sync_state = 'idle' AND ended_at IS NULL \
             AND (last_sync_at IS NULL OR last_sync_at < $1) ORDER BY last_sync_at LIMIT $2",
        )
        .bind(before.0)
        .bind(page_size(limit, 1000))
        .fetch_all(&mut *self.reads.acquire().await?)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(o, i)| (OrgId(o), TenantLinkId(i)))
            .collect())
    }
}
}
