//! [`BrandingStore`] for both backends.

use crate::Branding;
use crate::sql::SqlStore;
use crate::sql::sql_impl;
use crate::{BrandingStore, StoreResult};
use countersign_domain::{OrgId, Timestamp};

type BrandingRow = (String, String, String, String, String, i64);

sql_impl! {
impl BrandingStore for SqlStore<DB> {
    async fn branding(&self, org: OrgId) -> StoreResult<Option<Branding>> {
        let row: Option<BrandingRow> = sqlx::query_as(
            "SELECT display_name, logo_url, colour, footer, reply_to, updated_at \
             FROM branding WHERE org_id = $1",
        )
        .bind(org.0)
        .fetch_optional(&mut *self.reads.acquire().await?)
        .await?;
        Ok(row.map(
            |(display_name, logo_url, colour, footer, reply_to, updated_at)| Branding {
                org_id: org,
                display_name,
                logo_url,
                colour,
                footer,
                reply_to,
                updated_at: Timestamp(updated_at),
            },
        ))
    }

    async fn save_branding(&self, b: &Branding) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO branding (org_id, display_name, logo_url, colour, footer, reply_to, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (org_id) DO UPDATE SET \
             display_name = excluded.display_name, logo_url = excluded.logo_url, \
             colour = excluded.colour, footer = excluded.footer, reply_to = excluded.reply_to, \
             updated_at = excluded.updated_at",
        )
        .bind(b.org_id.0)
        .bind(b.display_name.as_str())
        .bind(b.logo_url.as_str())
        .bind(b.colour.as_str())
        .bind(b.footer.as_str())
        .bind(b.reply_to.as_str())
        .bind(b.updated_at.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(())
    }
}
}
