//! [`OrgStore`] for both backends.

use crate::Org;
use crate::orgs::rows::{OrgRow, org_columns};
use crate::sql::sql_impl;
use crate::sql::{SqlStore, expect_changed};
use crate::{OrgStore, StoreResult};
use countersign_domain::OrgId;

sql_impl! {
impl OrgStore for SqlStore<DB> {
    async fn create_org(&self, org: &Org) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO orgs (id, name, slug, require_2fa, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(org.id.0)
        .bind(org.name.as_str())
        .bind(org.slug.as_str())
        .bind(org.require_2fa)
        .bind(org.created_at.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(())
    }

    async fn org(&self, id: OrgId) -> StoreResult<Org> {
        let sql = concat!("SELECT ", org_columns!(), " FROM orgs WHERE id = $1");
        let row: OrgRow = sqlx::query_as(sql)
            .bind(id.0)
            .fetch_one(&mut *self.reads.acquire().await?)
            .await?;
        Ok(row.into())
    }

    async fn org_by_slug(&self, slug: &str) -> StoreResult<Option<Org>> {
        let sql = concat!("SELECT ", org_columns!(), " FROM orgs WHERE slug = $1");
        let row: Option<OrgRow> = sqlx::query_as(sql)
            .bind(slug)
            .fetch_optional(&mut *self.reads.acquire().await?)
            .await?;
        Ok(row.map(Into::into))
    }

    async fn update_org_settings(
        &self,
        id: OrgId,
        name: &str,
        require_2fa: bool,
    ) -> StoreResult<()> {
        let done = sqlx::query("UPDATE orgs SET name = $2, require_2fa = $3 WHERE id = $1")
            .bind(id.0)
            .bind(name)
            .bind(require_2fa)
            .execute(&mut *self.pool.acquire().await?)
            .await?;
        expect_changed::<DB>(&done)
    }
}
}
