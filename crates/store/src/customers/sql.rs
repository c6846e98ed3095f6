//! [`CustomerStore`] for both backends.

use crate::contacts::writes::value_lists;
use crate::sql::{SqlStore, expect_changed, page_size};
use crate::sql::{corrupt, sql_impl};
use crate::{Customer, CustomerSummary, SourceKind};
use crate::{CustomerStore, StoreError, StoreResult};
use countersign_domain::search::name_key;
use countersign_domain::{Country, CustomerId, OrgId, Timestamp};
use uuid::Uuid;

/// The stored source of a customer or contact.
pub(crate) fn parse_source(s: &str) -> StoreResult<SourceKind> {
    SourceKind::parse(s).ok_or_else(|| corrupt("source", s))
}

/// Columns of [`CustomerRow`], as a literal for `concat!`.
macro_rules! customer_columns {
    () => {
        "id, org_id, name, source, external_id, default_country, last_synced_at, created_at, \
         tenant_country"
    };
}

#[derive(sqlx::FromRow)]
pub(crate) struct CustomerRow {
    id: Uuid,
    org_id: Uuid,
    name: String,
    source: String,
    external_id: Option<String>,
    default_country: Option<String>,
    last_synced_at: Option<i64>,
    created_at: i64,
    tenant_country: Option<String>,
}

/// A stored country code.
pub(crate) fn country(stored: Option<&str>) -> StoreResult<Option<Country>> {
    stored
        .map(|c| c.parse::<Country>().map_err(|_| corrupt("country", c)))
        .transpose()
}

impl TryFrom<CustomerRow> for Customer {
    type Error = StoreError;
    fn try_from(r: CustomerRow) -> StoreResult<Self> {
        Ok(Self {
            id: r.id.into(),
            org_id: r.org_id.into(),
            name: r.name,
            source: parse_source(&r.source)?,
            external_id: r.external_id,
            default_country: country(r.default_country.as_deref())?,
            tenant_country: country(r.tenant_country.as_deref())?,
            last_synced_at: r.last_synced_at.map(Timestamp),
            created_at: Timestamp(r.created_at),
        })
    }
}

/// Most customers one `customers` call returns.
pub const MAX_CUSTOMER_PAGE: i64 = 200;

#[derive(sqlx::FromRow)]
struct SummaryRow {
    #[sqlx(flatten)]
    customer: CustomerRow,
    contact_count: i64,
}

sql_impl! {
impl CustomerStore for SqlStore<DB> {
    async fn create_customer(&self, c: &Customer) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO customers (id, org_id, name, name_key, source, external_id, \
             default_country, last_synced_at, created_at, tenant_country) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(c.id.0)
        .bind(c.org_id.0)
        .bind(c.name.as_str())
        .bind(name_key(&c.name))
        .bind(c.source.as_str())
        .bind(c.external_id.as_deref())
        .bind(c.default_country.map(Country::code))
        .bind(c.last_synced_at.map(|t| t.0))
        .bind(c.created_at.0)
        .bind(c.tenant_country.map(Country::code))
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(())
    }

    async fn customer(&self, org: OrgId, id: CustomerId) -> StoreResult<Customer> {
        let sql = concat!(
            "SELECT ",
            customer_columns!(),
            " FROM customers WHERE org_id = $1 AND id = $2"
        );
        let row: CustomerRow = sqlx::query_as(sql)
            .bind(org.0)
            .bind(id.0)
            .fetch_one(&mut *self.reads.acquire().await?)
            .await?;
        row.try_into()
    }

    async fn update_customer(
        &self,
        org: OrgId,
        id: CustomerId,
        name: &str,
        default_country: Option<Country>,
    ) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE customers SET name = $3, name_key = $4, default_country = $5 \
             WHERE org_id = $1 AND id = $2",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(name)
        .bind(name_key(name))
        .bind(default_country.map(Country::code))
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        expect_changed::<DB>(&done)
    }

    async fn set_customer_time_zone(
        &self,
        org: OrgId,
        id: CustomerId,
        time_zone: Option<&str>,
    ) -> StoreResult<()> {
        let done = sqlx::query("UPDATE customers SET time_zone = $3 WHERE org_id = $1 AND id = $2")
            .bind(org.0)
            .bind(id.0)
            .bind(time_zone)
            .execute(&mut *self.pool.acquire().await?)
            .await?;
        expect_changed::<DB>(&done)
    }

    async fn customer_time_zone(&self, org: OrgId, id: CustomerId) -> StoreResult<Option<String>> {
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT time_zone FROM customers WHERE org_id = $1 AND id = $2")
                .bind(org.0)
                .bind(id.0)
                .fetch_optional(&mut *self.reads.acquire().await?)
                .await?;
        row.map(|(tz,)| tz).ok_or(crate::StoreError::NotFound)
    }

    async fn set_customer_language(
        &self,
        org: OrgId,
        id: CustomerId,
        language: Option<&str>,
    ) -> StoreResult<()> {
        let done = sqlx::query("UPDATE customers SET language = $3 WHERE org_id = $1 AND id = $2")
            .bind(org.0)
            .bind(id.0)
            .bind(language)
            .execute(&mut *self.pool.acquire().await?)
            .await?;
        expect_changed::<DB>(&done)
    }

    async fn customer_language(&self, org: OrgId, id: CustomerId) -> StoreResult<Option<String>> {
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT language FROM customers WHERE org_id = $1 AND id = $2")
                .bind(org.0)
                .bind(id.0)
                .fetch_optional(&mut *self.reads.acquire().await?)
                .await?;
        row.map(|(l,)| l).ok_or(crate::StoreError::NotFound)
    }

    async fn upsert_synced_customer(
        &self,
        org: OrgId,
        source: SourceKind,
        external_id: &str,
        name: &str,
        at: Timestamp,
    ) -> StoreResult<Customer> {
        let sql = concat!(
            "INSERT INTO customers (id, org_id, name, name_key, source, external_id, \
             default_country, last_synced_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $7) \
             ON CONFLICT (org_id, source, external_id) DO UPDATE SET \
             name = excluded.name, name_key = excluded.name_key, \
             last_synced_at = excluded.last_synced_at RETURNING ",
            customer_columns!()
        );
        let row: CustomerRow = sqlx::query_as(sql)
            .bind(CustomerId::new().0)
            .bind(org.0)
            .bind(name)
            .bind(name_key(name))
            .bind(source.as_str())
            .bind(external_id)
            .bind(at.0)
            .fetch_one(&mut *self.pool.acquire().await?)
            .await?;
        row.try_into()
    }

    async fn customers(
        &self,
        org: OrgId,
        after: Option<(&str, CustomerId)>,
        limit: i64,
    ) -> StoreResult<Vec<CustomerSummary>> {
        // The count is a correlated subquery per customer of the page, so a page costs the
        // contacts of its customers (an index range each), never the whole org.
        let count = "(SELECT COUNT(*) FROM contacts k WHERE k.org_id = c.org_id \
                     AND k.customer_id = c.id AND k.removed_at IS NULL AND k.unlinked_at IS NULL) AS contact_count";
        let cols = "c.id, c.org_id, c.name, c.source, c.external_id, c.default_country, \
                    c.last_synced_at, c.created_at, c.tenant_country";
        let limit = page_size(limit, MAX_CUSTOMER_PAGE);
        let rows: Vec<SummaryRow> = match after {
            None => {
                let sql = format!(
                    "SELECT {cols}, {count} FROM customers c WHERE c.org_id = $1 \
                     ORDER BY c.name_key, c.id LIMIT $2"
                );
                sqlx::query_as(&sql)
                    .bind(org.0)
                    .bind(limit)
                    .fetch_all(&mut *self.reads.acquire().await?)
                    .await?
            }
            Some((key, id)) => {
                let sql = format!(
                    "SELECT {cols}, {count} FROM customers c WHERE c.org_id = $1 \
                     AND (c.name_key, c.id) > ($2, $3) ORDER BY c.name_key, c.id LIMIT $4"
                );
                sqlx::query_as(&sql)
                    .bind(org.0)
                    .bind(key)
                    .bind(id.0)
                    .bind(limit)
                    .fetch_all(&mut *self.reads.acquire().await?)
                    .await?
            }
        };
        rows.into_iter()
            .map(|r| {
                Ok(CustomerSummary {
                    customer: r.customer.try_into()?,
                    contacts: r.contact_count,
                })
            })
            .collect()
    }

    async fn set_tenant_country(
        &self,
        org: OrgId,
        id: CustomerId,
        country: Option<Country>,
    ) -> StoreResult<bool> {
        // '' is never a code: NULL to a code and back counts as a change.
        let done = sqlx::query(
            "UPDATE customers SET tenant_country = $3 WHERE org_id = $1 AND id = $2 \
             AND COALESCE(tenant_country, '') <> COALESCE($3, '')",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(country.map(Country::code))
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(DB::rows_affected(&done) > 0)
    }

    async fn customers_by_ids(&self, org: OrgId, ids: &[CustomerId]) -> StoreResult<Vec<Customer>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(MAX_CUSTOMER_PAGE as usize) {
            let sql = format!(
                "SELECT {} FROM customers WHERE org_id = $1 AND id IN {}",
                customer_columns!(),
                value_lists(1, chunk.len(), 2)
            );
            let mut q = sqlx::query_as::<DB, CustomerRow>(&sql).bind(org.0);
            for id in chunk {
                q = q.bind(id.0);
            }
            for row in q.fetch_all(&mut *self.reads.acquire().await?).await? {
                out.push(row.try_into()?);
            }
        }
        Ok(out)
    }
}
}
