//! [`SealedStore`] for both backends.

use crate::sql::sql_impl;
use crate::sql::{SqlStore, changed, page_size};
use crate::{SealedColumn, SealedValue};
use crate::{SealedStore, StoreError, StoreResult};
use uuid::Uuid;

/// Most values one `sealed_values` call returns.
pub const MAX_SEALED_PAGE: i64 = 1_000;

/// The two statements of a sealed column: list (keyset by `id`) and compare-and-swap.
struct SealedSql {
    list: &'static str,
    reseal: &'static str,
}

/// Builds a column's statements from its table and column names, as literals.
macro_rules! sealed_sql {
    ($table:literal, $column:literal) => {
        SealedSql {
            list: concat!(
                "SELECT org_id, id, ",
                $column,
                " FROM ",
                $table,
                " WHERE ",
                $column,
                " IS NOT NULL AND ($1 IS NULL OR id > $1) ORDER BY id LIMIT $2"
            ),
            reseal: concat!(
                "UPDATE ",
                $table,
                " SET ",
                $column,
                " = $3 WHERE id = $1 AND ",
                $column,
                " = $2"
            ),
        }
    };
}

/// The statements of each sealed column (the table and column agree with
/// [`SealedColumn::table_column`]; a unit test checks it).
fn statements(column: SealedColumn) -> SealedSql {
    match column {
        SealedColumn::TechnicianTotpSecret => sealed_sql!("technicians", "totp_secret"),
        SealedColumn::TechnicianTotpPendingSecret => {
            sealed_sql!("technicians", "totp_pending_secret")
        }
        SealedColumn::IntegrationSecrets => sealed_sql!("integrations", "secrets"),
        SealedColumn::OAuthStatePkceVerifier => sealed_sql!("oauth_states", "pkce_verifier"),
        SealedColumn::WebhookEndpointSecret => sealed_sql!("webhook_endpoints", "secret"),
        SealedColumn::SecretServerShare => sealed_sql!("secrets", "server_share"),
        SealedColumn::SecretPrivateKey => sealed_sql!("secrets", "private_key"),
    }
}

sql_impl! {
impl SealedStore for SqlStore<DB> {
    async fn key_canaries(&self) -> StoreResult<Vec<(String, Vec<u8>)>> {
        let rows: Vec<(String, Vec<u8>)> =
            sqlx::query_as("SELECT key_id, sealed FROM key_canaries ORDER BY key_id")
                .fetch_all(&mut *self.reads.acquire().await?)
                .await?;
        Ok(rows)
    }

    async fn add_key_canary(&self, key_id: &str, sealed: &[u8]) -> StoreResult<()> {
        sqlx::query("INSERT INTO key_canaries (key_id, sealed) VALUES ($1, $2)")
            .bind(key_id)
            .bind(sealed)
            .execute(&mut *self.pool.acquire().await?)
            .await?;
        Ok(())
    }

    async fn sealed_values(
        &self,
        column: SealedColumn,
        after_row: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<SealedValue>> {
        let after = after_row
            .map(|row| {
                Uuid::parse_str(row).map_err(|_| {
                    StoreError::Unsupported(format!(
                        "after_row {row:?} is not a row id returned by sealed_values"
                    ))
                })
            })
            .transpose()?;
        let rows: Vec<(Uuid, Uuid, Vec<u8>)> = sqlx::query_as(statements(column).list)
            .bind(after)
            .bind(page_size(limit, MAX_SEALED_PAGE))
            .fetch_all(&mut *self.pool.acquire().await?)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(org_id, id, value)| SealedValue {
                org_id: org_id.into(),
                row_id: id.to_string(),
                value,
            })
            .collect())
    }

    async fn reseal(
        &self,
        column: SealedColumn,
        row_id: &str,
        old: &[u8],
        new: &[u8],
    ) -> StoreResult<bool> {
        // A row id that is not a UUID names no row: nothing to replace.
        let Ok(id) = Uuid::parse_str(row_id) else {
            return Ok(false);
        };
        let done = sqlx::query(statements(column).reseal)
            .bind(id)
            .bind(old)
            .bind(new)
            .execute(&mut *self.pool.acquire().await?)
            .await?;
        Ok(changed::<DB>(&done))
    }
}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_name_the_documented_table_and_column() {
        for &column in SealedColumn::ALL {
            let (table, col) = column.table_column();
            let sql = statements(column);
            assert!(sql.list.contains(&format!(" FROM {table} ")), "{column:?}");
            assert!(
                sql.list.contains(&format!("SELECT org_id, id, {col} FROM")),
                "{column:?}"
            );
            assert!(
                sql.reseal
                    .starts_with(&format!("UPDATE {table} SET {col} = $3 ")),
                "{column:?}"
            );
            assert!(
                sql.reseal.ends_with(&format!("AND {col} = $2")),
                "{column:?}"
            );
        }
    }
}
