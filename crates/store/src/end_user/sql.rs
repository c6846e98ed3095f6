//! [`EndUserStore`] for both backends.

use crate::sql::{SqlStore, expect_changed, sql_impl};
use crate::{ContactLocale, EndUserStore, EndUserText, StoreError, StoreResult};
use countersign_domain::{ContactId, OrgId, Timestamp};

type TextRow = (String, String, String, i64);
/// The contact's language, its customer's language and zone, the org's zone.
type LocaleRow = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

sql_impl! {
impl EndUserStore for SqlStore<DB> {
    async fn end_user_texts(
        &self,
        org: OrgId,
        language: Option<&str>,
    ) -> StoreResult<Vec<EndUserText>> {
        let rows: Vec<TextRow> = sqlx::query_as(
            "SELECT language, message_id, body, updated_at FROM end_user_texts \
             WHERE org_id = $1 AND ($2 IS NULL OR language = $2) \
             ORDER BY language, message_id",
        )
        .bind(org.0)
        .bind(language)
        .fetch_all(&mut *self.reads.acquire().await?)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(language, message_id, body, at)| EndUserText {
                language,
                message_id,
                body,
                updated_at: Timestamp(at),
            })
            .collect())
    }

    async fn set_end_user_text(&self, org: OrgId, t: &EndUserText) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO end_user_texts (org_id, language, message_id, body, updated_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (org_id, language, message_id) DO UPDATE SET \
             body = excluded.body, updated_at = excluded.updated_at",
        )
        .bind(org.0)
        .bind(t.language.as_str())
        .bind(t.message_id.as_str())
        .bind(t.body.as_str())
        .bind(t.updated_at.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(())
    }

    async fn delete_end_user_text(
        &self,
        org: OrgId,
        language: &str,
        message_id: &str,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "DELETE FROM end_user_texts WHERE org_id = $1 AND language = $2 AND message_id = $3",
        )
        .bind(org.0)
        .bind(language)
        .bind(message_id)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(DB::rows_affected(&done) > 0)
    }

    async fn contact_locale(&self, org: OrgId, contact: ContactId) -> StoreResult<ContactLocale> {
        let row: Option<LocaleRow> =
            sqlx::query_as(
                "SELECT c.preferred_language, cu.language, cu.time_zone, bs.time_zone \
                 FROM contacts c \
                 LEFT JOIN customers cu ON cu.org_id = c.org_id AND cu.id = c.customer_id \
                 LEFT JOIN broadcast_settings bs ON bs.org_id = c.org_id \
                 WHERE c.org_id = $1 AND c.id = $2",
            )
            .bind(org.0)
            .bind(contact.0)
            .fetch_optional(&mut *self.reads.acquire().await?)
            .await?;
        let (preferred_language, customer_language, customer_time_zone, org_time_zone) =
            row.ok_or(StoreError::NotFound)?;
        Ok(ContactLocale {
            preferred_language,
            customer_language,
            customer_time_zone,
            org_time_zone,
        })
    }

    async fn set_contact_language(
        &self,
        org: OrgId,
        contact: ContactId,
        language: Option<&str>,
    ) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE contacts SET preferred_language = $3 WHERE org_id = $1 AND id = $2",
        )
        .bind(org.0)
        .bind(contact.0)
        .bind(language)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        expect_changed::<DB>(&done)
    }

    async fn org_time_zone(&self, org: OrgId) -> StoreResult<Option<String>> {
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT time_zone FROM broadcast_settings WHERE org_id = $1")
                .bind(org.0)
                .fetch_optional(&mut *self.reads.acquire().await?)
                .await?;
        Ok(row.and_then(|(tz,)| tz))
    }
}
}
