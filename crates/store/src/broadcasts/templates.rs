//! The SQL of an org's reusable broadcast templates, called from [`crate::BroadcastStore`]'s
//! implementation in `sql.rs` with the connection it chose (writer or reader).

use super::sql::channels;
use crate::sql::{expect_changed, sql_impl};
use crate::{BroadcastTemplate, StoreError, StoreResult};
use countersign_domain::{BroadcastTemplateId, OrgId, Timestamp};
use uuid::Uuid;

/// Columns of [`TemplateRow`].
const COLUMNS: &str = "id, org_id, name, channels, sms_text, email_subject, email_body, \
                       created_by, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct TemplateRow {
    id: Uuid,
    org_id: Uuid,
    name: String,
    channels: String,
    sms_text: String,
    email_subject: String,
    email_body: String,
    created_by: Uuid,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<TemplateRow> for BroadcastTemplate {
    type Error = StoreError;
    fn try_from(r: TemplateRow) -> StoreResult<Self> {
        Ok(Self {
            id: r.id.into(),
            org_id: r.org_id.into(),
            name: r.name,
            channels: channels(&r.channels)?,
            sms_text: r.sms_text,
            email_subject: r.email_subject,
            email_body: r.email_body,
            created_by: r.created_by.into(),
            created_at: Timestamp(r.created_at),
            updated_at: Timestamp(r.updated_at),
        })
    }
}

sql_impl! {
/// Creates or replaces `t` by id. The update names the org too, so a template id of another
/// org cannot be overwritten: its insert conflicts on the key and its update matches nothing.
pub(super) async fn save<DB>(conn: &mut DB::Connection, t: &BroadcastTemplate) -> StoreResult<()> {
    let done = sqlx::query(
        "INSERT INTO broadcast_templates (id, org_id, name, channels, sms_text, email_subject, \
         email_body, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (id) DO UPDATE SET name = $3, channels = $4, sms_text = $5, \
         email_subject = $6, email_body = $7, updated_at = $10 \
         WHERE broadcast_templates.org_id = $2",
    )
    .bind(t.id.0)
    .bind(t.org_id.0)
    .bind(t.name.as_str())
    .bind(t.channels.as_str())
    .bind(t.sms_text.as_str())
    .bind(t.email_subject.as_str())
    .bind(t.email_body.as_str())
    .bind(t.created_by.0)
    .bind(t.created_at.0)
    .bind(t.updated_at.0)
    .execute(&mut *conn)
    .await?;
    expect_changed::<DB>(&done)
}
}

sql_impl! {
/// The org's templates by name.
pub(super) async fn list<DB>(
    conn: &mut DB::Connection,
    org: OrgId,
) -> StoreResult<Vec<BroadcastTemplate>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM broadcast_templates WHERE org_id = $1 ORDER BY name, id LIMIT 500"
    );
    let rows: Vec<TemplateRow> = sqlx::query_as(&sql)
        .bind(org.0)
        .fetch_all(&mut *conn)
        .await?;
    crate::sql::convert_all(rows)
}
}

sql_impl! {
/// One template of the org.
pub(super) async fn one<DB>(
    conn: &mut DB::Connection,
    org: OrgId,
    id: BroadcastTemplateId,
) -> StoreResult<BroadcastTemplate> {
    let sql = format!("SELECT {COLUMNS} FROM broadcast_templates WHERE org_id = $1 AND id = $2");
    let row: TemplateRow = sqlx::query_as(&sql)
        .bind(org.0)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    row.try_into()
}
}

sql_impl! {
/// Deletes a template of the org.
pub(super) async fn delete<DB>(
    conn: &mut DB::Connection,
    org: OrgId,
    id: BroadcastTemplateId,
) -> StoreResult<()> {
    let done = sqlx::query("DELETE FROM broadcast_templates WHERE org_id = $1 AND id = $2")
        .bind(org.0)
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    expect_changed::<DB>(&done)
}
}
