//! [`WebhookStore`] for both backends.

use crate::jobs::sql::insert_job;
use crate::sql::sql_impl;
use crate::sql::{SqlStore, changed, expect_changed, page_size};
use crate::{NewJob, StoreError, StoreResult};
use crate::{
    NewWebhookDelivery, WebhookAttempt, WebhookDelivery, WebhookDeliveryState, WebhookEndpoint,
    WebhookStore,
};
use countersign_domain::{OrgId, Timestamp, WebhookDeliveryId, WebhookEndpointId};
use uuid::Uuid;

/// Most deliveries one `webhook_deliveries` call returns.
pub const MAX_WEBHOOK_DELIVERY_PAGE: i64 = 200;

/// The condition "the endpoint's `events` include the kind bound at `$p`": `events` is
/// space-separated, so padding both sides matches whole kinds only.
macro_rules! subscribed_to {
    ($p:literal) => {
        concat!("(' ' || events || ' ') LIKE ('% ' || ", $p, " || ' %')")
    };
}

/// A kind is letters, digits and dots; anything else (a space, a LIKE wildcard such as `%` or
/// `_`) matches nothing rather than something unexpected.
fn is_event_kind(kind: &str) -> bool {
    !kind.is_empty() && kind.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')
}

/// Columns of [`EndpointRow`], as a literal for `concat!`.
macro_rules! endpoint_columns {
    () => {
        "id, org_id, url, description, events, secret, enabled, created_by, created_at, \
         updated_at"
    };
}

/// Columns of [`DeliveryRow`], as a literal for `concat!`.
macro_rules! delivery_columns {
    () => {
        "id, org_id, endpoint_id, event_id, event_kind, payload, state, attempts, last_status, \
         last_error, next_attempt_at, delivered_at, created_at, updated_at"
    };
}

#[derive(sqlx::FromRow)]
struct EndpointRow {
    id: Uuid,
    org_id: Uuid,
    url: String,
    description: String,
    events: String,
    secret: Vec<u8>,
    enabled: bool,
    created_by: Option<Uuid>,
    created_at: i64,
    updated_at: i64,
}

impl From<EndpointRow> for WebhookEndpoint {
    fn from(r: EndpointRow) -> Self {
        Self {
            id: r.id.into(),
            org_id: r.org_id.into(),
            url: r.url,
            description: r.description,
            events: r.events.split_whitespace().map(str::to_owned).collect(),
            sealed_secret: r.secret,
            enabled: r.enabled,
            created_by: r.created_by.map(Into::into),
            created_at: Timestamp(r.created_at),
            updated_at: Timestamp(r.updated_at),
        }
    }
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    id: Uuid,
    org_id: Uuid,
    endpoint_id: Uuid,
    event_id: Uuid,
    event_kind: String,
    payload: String,
    state: String,
    attempts: i64,
    last_status: Option<i64>,
    last_error: Option<String>,
    next_attempt_at: Option<i64>,
    delivered_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<DeliveryRow> for WebhookDelivery {
    type Error = StoreError;
    fn try_from(r: DeliveryRow) -> StoreResult<Self> {
        Ok(Self {
            delivery: NewWebhookDelivery {
                id: r.id.into(),
                org_id: r.org_id.into(),
                endpoint_id: r.endpoint_id.into(),
                event_id: r.event_id.into(),
                event_kind: r.event_kind,
                payload: r.payload,
                created_at: Timestamp(r.created_at),
            },
            state: WebhookDeliveryState::parse(&r.state).ok_or_else(|| {
                StoreError::Corrupt(format!("unknown webhook delivery state {:?}", r.state))
            })?,
            attempts: r.attempts,
            last_status: r.last_status,
            last_error: r.last_error,
            next_attempt_at: r.next_attempt_at.map(Timestamp),
            delivered_at: r.delivered_at.map(Timestamp),
            updated_at: Timestamp(r.updated_at),
        })
    }
}

sql_impl! {
impl WebhookStore for SqlStore<DB> {
    async fn create_webhook_endpoint(&self, e: &WebhookEndpoint) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO webhook_endpoints (id, org_id, url, description, events, secret, \
             enabled, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(e.id.0)
        .bind(e.org_id.0)
        .bind(e.url.as_str())
        .bind(e.description.as_str())
        .bind(e.events.join(" "))
        .bind(e.sealed_secret.as_slice())
        .bind(e.enabled)
        .bind(e.created_by.map(|t| t.0))
        .bind(e.created_at.0)
        .bind(e.updated_at.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(())
    }

    async fn webhook_endpoint(
        &self,
        org: OrgId,
        id: WebhookEndpointId,
    ) -> StoreResult<WebhookEndpoint> {
        let sql = concat!(
            "SELECT ",
            endpoint_columns!(),
            " FROM webhook_endpoints WHERE org_id = $1 AND id = $2"
        );
        let row: EndpointRow = sqlx::query_as(sql)
            .bind(org.0)
            .bind(id.0)
            .fetch_one(&mut *self.reads.acquire().await?)
            .await?;
        Ok(row.into())
    }

    async fn webhook_endpoints(&self, org: OrgId) -> StoreResult<Vec<WebhookEndpoint>> {
        let sql = concat!(
            "SELECT ",
            endpoint_columns!(),
            " FROM webhook_endpoints WHERE org_id = $1 ORDER BY created_at, id"
        );
        let rows: Vec<EndpointRow> = sqlx::query_as(sql)
            .bind(org.0)
            .fetch_all(&mut *self.reads.acquire().await?)
            .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn subscribed_webhook_endpoints(
        &self,
        org: OrgId,
        kind: &str,
    ) -> StoreResult<Vec<WebhookEndpoint>> {
        let sql = concat!(
            "SELECT ",
            endpoint_columns!(),
            " FROM webhook_endpoints WHERE org_id = $1 AND enabled AND ",
            subscribed_to!("$2"),
            " ORDER BY created_at, id"
        );
        if !is_event_kind(kind) {
            return Ok(Vec::new());
        }
        let rows: Vec<EndpointRow> = sqlx::query_as(sql)
            .bind(org.0)
            .bind(kind)
            .fetch_all(&mut *self.reads.acquire().await?)
            .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn orgs_subscribed_to_webhook(&self, kind: &str) -> StoreResult<Vec<OrgId>> {
        let sql = concat!(
            "SELECT DISTINCT org_id FROM webhook_endpoints WHERE enabled AND ",
            subscribed_to!("$1"),
            " ORDER BY org_id"
        );
        if !is_event_kind(kind) {
            return Ok(Vec::new());
        }
        let orgs: Vec<(Uuid,)> = sqlx::query_as(sql)
            .bind(kind)
            .fetch_all(&mut *self.reads.acquire().await?)
            .await?;
        Ok(orgs.into_iter().map(|(o,)| OrgId(o)).collect())
    }

    async fn set_webhook_endpoint_enabled(
        &self,
        org: OrgId,
        id: WebhookEndpointId,
        enabled: bool,
        at: Timestamp,
    ) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE webhook_endpoints SET enabled = $3, updated_at = $4 \
             WHERE org_id = $1 AND id = $2",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(enabled)
        .bind(at.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        expect_changed::<DB>(&done)
    }

    async fn set_webhook_secret(
        &self,
        org: OrgId,
        id: WebhookEndpointId,
        sealed_secret: &[u8],
        at: Timestamp,
    ) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE webhook_endpoints SET secret = $3, updated_at = $4 \
             WHERE org_id = $1 AND id = $2",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(sealed_secret)
        .bind(at.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        expect_changed::<DB>(&done)
    }

    async fn delete_webhook_endpoint(&self, org: OrgId, id: WebhookEndpointId) -> StoreResult<()> {
        let mut writer = self.pool.acquire().await?;
        let mut tx = DB::begin_write(&mut writer).await?;
        sqlx::query("DELETE FROM webhook_deliveries WHERE org_id = $1 AND endpoint_id = $2")
            .bind(org.0)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        let done = sqlx::query("DELETE FROM webhook_endpoints WHERE org_id = $1 AND id = $2")
            .bind(org.0)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        expect_changed::<DB>(&done)?;
        tx.commit().await?;
        Ok(())
    }

    async fn queue_webhook_deliveries(
        &self,
        deliveries: &[(NewWebhookDelivery, NewJob)],
    ) -> StoreResult<u64> {
        if deliveries.is_empty() {
            return Ok(0);
        }
        let mut writer = self.pool.acquire().await?;
        let mut tx = DB::begin_write(&mut writer).await?;
        let mut new = 0;
        for (d, job) in deliveries {
            if job.org_id != d.org_id {
                return Err(StoreError::Unsupported(
                    "a webhook delivery's job must be of the delivery's org".into(),
                ));
            }
            let done = sqlx::query(
                "INSERT INTO webhook_deliveries (id, org_id, endpoint_id, event_id, event_kind, \
                 payload, state, attempts, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $7) \
                 ON CONFLICT (endpoint_id, event_id) DO NOTHING",
            )
            .bind(d.id.0)
            .bind(d.org_id.0)
            .bind(d.endpoint_id.0)
            .bind(d.event_id.0)
            .bind(d.event_kind.as_str())
            .bind(d.payload.as_str())
            .bind(d.created_at.0)
            .execute(&mut *tx)
            .await?;
            if changed::<DB>(&done) {
                insert_job::<DB>(&mut tx, job).await?;
                new += 1;
            }
        }
        tx.commit().await?;
        Ok(new)
    }

    async fn webhook_delivery(
        &self,
        org: OrgId,
        id: WebhookDeliveryId,
    ) -> StoreResult<WebhookDelivery> {
        let sql = concat!(
            "SELECT ",
            delivery_columns!(),
            " FROM webhook_deliveries WHERE org_id = $1 AND id = $2"
        );
        let row: DeliveryRow = sqlx::query_as(sql)
            .bind(org.0)
            .bind(id.0)
            .fetch_one(&mut *self.reads.acquire().await?)
            .await?;
        row.try_into()
    }

    async fn webhook_deliveries(
        &self,
        org: OrgId,
        endpoint: WebhookEndpointId,
        limit: i64,
    ) -> StoreResult<Vec<WebhookDelivery>> {
        let sql = concat!(
            "SELECT ",
            delivery_columns!(),
            " FROM webhook_deliveries WHERE org_id = $1 AND endpoint_id = $2 \
             ORDER BY created_at DESC, id DESC LIMIT $3"
        );
        let rows: Vec<DeliveryRow> = sqlx::query_as(sql)
            .bind(org.0)
            .bind(endpoint.0)
            .bind(page_size(limit, MAX_WEBHOOK_DELIVERY_PAGE))
            .fetch_all(&mut *self.reads.acquire().await?)
            .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn record_webhook_attempt(
        &self,
        org: OrgId,
        id: WebhookDeliveryId,
        a: &WebhookAttempt,
    ) -> StoreResult<bool> {
        let delivered_at = (a.state == WebhookDeliveryState::Delivered).then_some(a.at.0);
        let done = sqlx::query(
            "UPDATE webhook_deliveries SET state = $3, attempts = attempts + 1, \
             last_status = $4, last_error = $5, next_attempt_at = $6, delivered_at = $7, \
             updated_at = $8 WHERE org_id = $1 AND id = $2 AND state = 'pending'",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(a.state.as_str())
        .bind(a.status)
        .bind(a.error.as_deref())
        .bind(a.next_attempt_at.map(|t| t.0))
        .bind(delivered_at)
        .bind(a.at.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(changed::<DB>(&done))
    }
}
}
