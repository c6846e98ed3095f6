//! [`IntegrationStore`] for both backends.

use crate::sql::sql_impl;
use crate::sql::{SqlStore, changed, expect_changed};
use crate::{
    Integration, IntegrationConfig, IntegrationKind, LegacyIntegrationSecrets, OAuthPurpose,
    OAuthState,
};
use crate::{IntegrationStore, StoreError, StoreResult};
use countersign_domain::{IntegrationId, OrgId, Timestamp};
use uuid::Uuid;

macro_rules! integration_columns {
    () => {
        "id, org_id, kind, name, settings, secrets, revision, created_at, updated_at"
    };
}

#[derive(sqlx::FromRow)]
struct IntegrationRow {
    id: Uuid,
    org_id: Uuid,
    kind: String,
    name: String,
    settings: String,
    secrets: Option<Vec<u8>>,
    revision: i64,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<IntegrationRow> for Integration {
    type Error = StoreError;
    fn try_from(r: IntegrationRow) -> StoreResult<Self> {
        Ok(Self {
            id: r.id.into(),
            org_id: r.org_id.into(),
            kind: IntegrationKind::parse(&r.kind)
                .ok_or_else(|| StoreError::Corrupt(format!("integration kind {:?}", r.kind)))?,
            name: r.name,
            settings: r.settings,
            secrets: r.secrets,
            revision: r.revision,
            created_at: Timestamp(r.created_at),
            updated_at: Timestamp(r.updated_at),
        })
    }
}

#[derive(sqlx::FromRow)]
struct LegacyRow {
    org_id: Uuid,
    id: Uuid,
    revision: i64,
    secrets: Option<Vec<u8>>,
    gdap_client_secret: Option<Vec<u8>>,
    gdap_refresh_token: Option<Vec<u8>>,
    gdap_pending_client_secret: Option<Vec<u8>>,
}

#[derive(sqlx::FromRow)]
struct OAuthStateRow {
    id: Uuid,
    org_id: Uuid,
    integration_id: Uuid,
    session_id: Uuid,
    state_hash: Vec<u8>,
    purpose: String,
    pkce_verifier: Option<Vec<u8>>,
    tenant_id: Option<String>,
    nonce_hash: Option<Vec<u8>>,
    expires_at: i64,
    created_at: i64,
}

/// Customers (by id) whose tenant only integration `$2` of org `$1` links: their contacts go
/// with the integration.
const OWNED_CUSTOMERS: &str = "SELECT c.id FROM customers c WHERE c.org_id = $1 \
     AND c.source = 'microsoft365' \
     AND c.external_id IN (SELECT external_id FROM sync_sources WHERE org_id = $1 AND integration_id = $2) \
     AND c.external_id NOT IN (SELECT external_id FROM sync_sources WHERE org_id = $1 AND integration_id <> $2)";

sql_impl! {
impl IntegrationStore for SqlStore<DB> {
    async fn create_integration(&self, i: &Integration) -> StoreResult<()> {
        sqlx::query(concat!(
            "INSERT INTO integrations (",
            integration_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ))
        .bind(i.id.0)
        .bind(i.org_id.0)
        .bind(i.kind.as_str())
        .bind(i.name.as_str())
        .bind(i.settings.as_str())
        .bind(i.secrets.as_deref())
        .bind(i.revision)
        .bind(i.created_at.0)
        .bind(i.updated_at.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(())
    }

    async fn integration(&self, org: OrgId, id: IntegrationId) -> StoreResult<Integration> {
        let row: IntegrationRow = sqlx::query_as(concat!(
            "SELECT ",
            integration_columns!(),
            " FROM integrations WHERE org_id = $1 AND id = $2"
        ))
        .bind(org.0)
        .bind(id.0)
        .fetch_one(&mut *self.reads.acquire().await?)
        .await?;
        row.try_into()
    }

    async fn integrations(&self, org: OrgId) -> StoreResult<Vec<Integration>> {
        let rows: Vec<IntegrationRow> = sqlx::query_as(concat!(
            "SELECT ",
            integration_columns!(),
            " FROM integrations WHERE org_id = $1 ORDER BY created_at, id"
        ))
        .bind(org.0)
        .fetch_all(&mut *self.reads.acquire().await?)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn rename_integration(
        &self,
        org: OrgId,
        id: IntegrationId,
        name: &str,
        at: Timestamp,
    ) -> StoreResult<()> {
        let r = sqlx::query(
            "UPDATE integrations SET name = $3, updated_at = $4 WHERE org_id = $1 AND id = $2",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(name)
        .bind(at.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        expect_changed::<DB>(&r)
    }

    async fn replace_integration_config(
        &self,
        org: OrgId,
        id: IntegrationId,
        config: &IntegrationConfig<'_>,
        at: Timestamp,
    ) -> StoreResult<bool> {
        let mut writer = self.pool.acquire().await?;
        let mut tx = DB::begin_write(&mut writer).await?;
        let r = sqlx::query(
            "UPDATE integrations SET settings = $4, secrets = $5, revision = revision + 1, \
             updated_at = $6 WHERE org_id = $1 AND id = $2 AND revision = $3",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(config.revision)
        .bind(config.settings)
        .bind(config.secrets)
        .bind(at.0)
        .execute(&mut *tx)
        .await?;
        if !changed::<DB>(&r) {
            return Ok(false);
        }
        if config.forget_cursors {
            sqlx::query(
                "UPDATE sync_sources SET cursor = NULL WHERE org_id = $1 AND integration_id = $2",
            )
            .bind(org.0)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn integration_contact_count(&self, org: OrgId, id: IntegrationId) -> StoreResult<i64> {
        let sql = format!(
            "SELECT COUNT(*) FROM contacts WHERE org_id = $1 AND removed_at IS NULL \
             AND customer_id IN ({OWNED_CUSTOMERS})"
        );
        let (n,): (i64,) = sqlx::query_as(&sql)
            .bind(org.0)
            .bind(id.0)
            .fetch_one(&mut *self.reads.acquire().await?)
            .await?;
        Ok(n)
    }

    async fn delete_integration(&self, org: OrgId, id: IntegrationId) -> StoreResult<u64> {
        let mut writer = self.pool.acquire().await?;
        let mut tx = DB::begin_write(&mut writer).await?;
        let (n,): (i64,) = sqlx::query_as(&format!(
            "SELECT COUNT(*) FROM contacts WHERE org_id = $1 AND removed_at IS NULL \
             AND customer_id IN ({OWNED_CUSTOMERS})"
        ))
        .bind(org.0)
        .bind(id.0)
        .fetch_one(&mut *tx)
        .await?;
        // Search terms have no foreign key (see 0003_contacts.sql): delete them first.
        sqlx::query(&format!(
            "DELETE FROM contact_terms WHERE org_id = $1 AND contact_id IN \
             (SELECT id FROM contacts WHERE org_id = $1 AND customer_id IN ({OWNED_CUSTOMERS}))"
        ))
        .bind(org.0)
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        sqlx::query(&format!(
            "DELETE FROM contacts WHERE org_id = $1 AND customer_id IN ({OWNED_CUSTOMERS})"
        ))
        .bind(org.0)
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        for table in ["oauth_states", "sync_sources"] {
            sqlx::query(&format!(
                "DELETE FROM {table} WHERE org_id = $1 AND integration_id = $2"
            ))
            .bind(org.0)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        }
        let r = sqlx::query("DELETE FROM integrations WHERE org_id = $1 AND id = $2")
            .bind(org.0)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        expect_changed::<DB>(&r)?;
        tx.commit().await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn legacy_integration_secrets(
        &self,
        limit: i64,
    ) -> StoreResult<Vec<LegacyIntegrationSecrets>> {
        let rows: Vec<LegacyRow> = sqlx::query_as(
            "SELECT org_id, id, revision, secrets, gdap_client_secret, gdap_refresh_token, \
             gdap_pending_client_secret FROM integrations WHERE gdap_client_secret IS NOT NULL \
             OR gdap_refresh_token IS NOT NULL OR gdap_pending_client_secret IS NOT NULL \
             ORDER BY id LIMIT $1",
        )
        .bind(limit.max(0))
        .fetch_all(&mut *self.reads.acquire().await?)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| LegacyIntegrationSecrets {
                org_id: r.org_id.into(),
                id: r.id.into(),
                revision: r.revision,
                secrets: r.secrets,
                gdap_client_secret: r.gdap_client_secret,
                gdap_refresh_token: r.gdap_refresh_token,
                gdap_pending_client_secret: r.gdap_pending_client_secret,
            })
            .collect())
    }

    async fn carry_legacy_integration_secrets(
        &self,
        legacy: &LegacyIntegrationSecrets,
        secrets: &[u8],
    ) -> StoreResult<bool> {
        // Both backends know `IS NOT DISTINCT FROM` (SQLite since 3.39): NULL equals NULL.
        let r = sqlx::query(
            "UPDATE integrations SET secrets = $3, revision = revision + 1, \
             gdap_client_secret = NULL, gdap_refresh_token = NULL, \
             gdap_pending_client_secret = NULL \
             WHERE org_id = $1 AND id = $2 AND revision = $4 \
             AND gdap_client_secret IS NOT DISTINCT FROM $5 \
             AND gdap_refresh_token IS NOT DISTINCT FROM $6 \
             AND gdap_pending_client_secret IS NOT DISTINCT FROM $7",
        )
            .bind(legacy.org_id.0)
            .bind(legacy.id.0)
            .bind(secrets)
            .bind(legacy.revision)
            .bind(legacy.gdap_client_secret.as_deref())
            .bind(legacy.gdap_refresh_token.as_deref())
            .bind(legacy.gdap_pending_client_secret.as_deref())
            .execute(&mut *self.pool.acquire().await?)
            .await?;
        Ok(changed::<DB>(&r))
    }

    async fn create_oauth_state(&self, s: &OAuthState) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO oauth_states (id, org_id, integration_id, session_id, state_hash, \
             purpose, pkce_verifier, tenant_id, nonce_hash, expires_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(s.id.0)
        .bind(s.org_id.0)
        .bind(s.integration_id.0)
        .bind(s.session_id.0)
        .bind(s.state_hash.as_slice())
        .bind(s.purpose.as_str())
        .bind(s.pkce_verifier.as_deref())
        .bind(s.tenant_id.as_deref())
        .bind(s.nonce_hash.as_deref())
        .bind(s.expires_at.0)
        .bind(s.created_at.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(())
    }

    async fn take_oauth_state(
        &self,
        state_hash: &[u8],
        now: Timestamp,
    ) -> StoreResult<Option<OAuthState>> {
        let mut writer = self.pool.acquire().await?;
        let mut tx = DB::begin_write(&mut writer).await?;
        // Expired round trips of anyone are purged on the way: they can never be used.
        sqlx::query("DELETE FROM oauth_states WHERE expires_at <= $1")
            .bind(now.0)
            .execute(&mut *tx)
            .await?;
        let row: Option<OAuthStateRow> = sqlx::query_as(
            "DELETE FROM oauth_states WHERE state_hash = $1 RETURNING id, org_id, \
             integration_id, session_id, state_hash, purpose, pkce_verifier, tenant_id, \
             nonce_hash, expires_at, created_at",
        )
        .bind(state_hash)
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        row.map(|r| {
            Ok(OAuthState {
                id: r.id.into(),
                org_id: r.org_id.into(),
                integration_id: r.integration_id.into(),
                session_id: r.session_id.into(),
                state_hash: r.state_hash,
                purpose: OAuthPurpose::parse(&r.purpose)
                    .ok_or_else(|| StoreError::Corrupt(format!("oauth purpose {:?}", r.purpose)))?,
                pkce_verifier: r.pkce_verifier,
                tenant_id: r.tenant_id,
                nonce_hash: r.nonce_hash,
                expires_at: Timestamp(r.expires_at),
                created_at: Timestamp(r.created_at),
            })
        })
        .transpose()
    }
}
}
