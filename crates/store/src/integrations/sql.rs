//! [`IntegrationStore`] for both backends.

use crate::sql::sql_impl;
use crate::sql::{SqlStore, changed, expect_changed};
use crate::{
    GdapCredentials, GdapStatus, Integration, IntegrationKind, IntegrationSettings, OAuthPurpose,
    OAuthState, SyncFilters,
};
use crate::{IntegrationStore, StoreError, StoreResult};
use countersign_domain::{IntegrationId, OrgId, Timestamp};
use uuid::Uuid;

macro_rules! integration_columns {
    () => {
        "id, org_id, kind, name, cloud, skip_guests, skip_disabled, skip_unlicensed, \
         gdap_domain, gdap_partner_tenant_id, gdap_client_id, gdap_client_secret, \
         gdap_refresh_token, gdap_status, gdap_error, created_at, updated_at, \
         gdap_pending_domain, gdap_pending_partner_tenant_id, gdap_pending_client_id, \
         gdap_pending_client_secret"
    };
}

#[derive(sqlx::FromRow)]
struct IntegrationRow {
    id: Uuid,
    org_id: Uuid,
    kind: String,
    name: String,
    cloud: String,
    skip_guests: bool,
    skip_disabled: bool,
    skip_unlicensed: bool,
    gdap_domain: Option<String>,
    gdap_partner_tenant_id: Option<String>,
    gdap_client_id: Option<String>,
    gdap_client_secret: Option<Vec<u8>>,
    gdap_refresh_token: Option<Vec<u8>>,
    gdap_status: String,
    gdap_error: Option<String>,
    created_at: i64,
    updated_at: i64,
    gdap_pending_domain: Option<String>,
    gdap_pending_partner_tenant_id: Option<String>,
    gdap_pending_client_id: Option<String>,
    gdap_pending_client_secret: Option<Vec<u8>>,
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
            cloud: r.cloud,
            filters: SyncFilters {
                skip_guests: r.skip_guests,
                skip_disabled: r.skip_disabled,
                skip_unlicensed: r.skip_unlicensed,
            },
            gdap_domain: r.gdap_domain,
            gdap_partner_tenant_id: r.gdap_partner_tenant_id,
            gdap_client_id: r.gdap_client_id,
            gdap_client_secret: r.gdap_client_secret,
            gdap_refresh_token: r.gdap_refresh_token,
            gdap_status: GdapStatus::parse(&r.gdap_status)
                .ok_or_else(|| StoreError::Corrupt(format!("gdap status {:?}", r.gdap_status)))?,
            gdap_error: r.gdap_error,
            created_at: Timestamp(r.created_at),
            updated_at: Timestamp(r.updated_at),
            gdap_pending: match (
                r.gdap_pending_domain,
                r.gdap_pending_partner_tenant_id,
                r.gdap_pending_client_id,
                r.gdap_pending_client_secret,
            ) {
                (Some(domain), Some(partner_tenant_id), Some(client_id), Some(sealed_secret)) => {
                    Some(GdapCredentials {
                        domain,
                        partner_tenant_id,
                        client_id,
                        sealed_secret,
                    })
                }
                _ => None,
            },
        })
    }
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
        let pending = i.gdap_pending.as_ref();
        // The base URL columns stay empty: no host is stored with an integration (17.2).
        sqlx::query(concat!(
            "INSERT INTO integrations (login_base_url, graph_base_url, ",
            integration_columns!(),
            ") VALUES ('', '', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
             $16, $17, $18, $19, $20, $21)"
        ))
        .bind(i.id.0)
        .bind(i.org_id.0)
        .bind(i.kind.as_str())
        .bind(i.name.as_str())
        .bind(i.cloud.as_str())
        .bind(i.filters.skip_guests)
        .bind(i.filters.skip_disabled)
        .bind(i.filters.skip_unlicensed)
        .bind(i.gdap_domain.as_deref())
        .bind(i.gdap_partner_tenant_id.as_deref())
        .bind(i.gdap_client_id.as_deref())
        .bind(i.gdap_client_secret.as_deref())
        .bind(i.gdap_refresh_token.as_deref())
        .bind(i.gdap_status.as_str())
        .bind(i.gdap_error.as_deref())
        .bind(i.created_at.0)
        .bind(i.updated_at.0)
        .bind(pending.map(|p| p.domain.as_str()))
        .bind(pending.map(|p| p.partner_tenant_id.as_str()))
        .bind(pending.map(|p| p.client_id.as_str()))
        .bind(pending.map(|p| p.sealed_secret.as_slice()))
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

    async fn update_integration_settings(
        &self,
        org: OrgId,
        id: IntegrationId,
        settings: &IntegrationSettings,
        at: Timestamp,
    ) -> StoreResult<()> {
        let filters = settings.filters;
        let mut writer = self.pool.acquire().await?;
        let mut tx = DB::begin_write(&mut writer).await?;
        // Other filters change which users are contacts, but a delta round only returns
        // users that changed: the next sync of each tenant must be a full round.
        sqlx::query(
            "UPDATE sync_sources SET cursor = NULL WHERE org_id = $1 AND integration_id = $2 \
             AND EXISTS (SELECT 1 FROM integrations WHERE org_id = $1 AND id = $2 \
             AND (skip_guests <> $3 OR skip_disabled <> $4 OR skip_unlicensed <> $5))",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(filters.skip_guests)
        .bind(filters.skip_disabled)
        .bind(filters.skip_unlicensed)
        .execute(&mut *tx)
        .await?;
        let r = sqlx::query(
            "UPDATE integrations SET cloud = $3, login_base_url = '', graph_base_url = '', \
             skip_guests = $4, skip_disabled = $5, skip_unlicensed = $6, updated_at = $7 \
             WHERE org_id = $1 AND id = $2",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(settings.cloud.as_str())
        .bind(filters.skip_guests)
        .bind(filters.skip_disabled)
        .bind(filters.skip_unlicensed)
        .bind(at.0)
        .execute(&mut *tx)
        .await?;
        expect_changed::<DB>(&r)?;
        tx.commit().await?;
        Ok(())
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

    async fn set_gdap_credentials(
        &self,
        org: OrgId,
        id: IntegrationId,
        c: &GdapCredentials,
        at: Timestamp,
    ) -> StoreResult<()> {
        let r = sqlx::query(
            "UPDATE integrations SET gdap_domain = $3, gdap_partner_tenant_id = $4, \
             gdap_client_id = $5, gdap_client_secret = $6, gdap_refresh_token = NULL, \
             gdap_status = 'pending', gdap_error = NULL, updated_at = $7 \
             WHERE org_id = $1 AND id = $2",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(c.domain.as_str())
        .bind(c.partner_tenant_id.as_str())
        .bind(c.client_id.as_str())
        .bind(c.sealed_secret.as_slice())
        .bind(at.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        expect_changed::<DB>(&r)
    }

    async fn save_gdap_sign_in(
        &self,
        org: OrgId,
        id: IntegrationId,
        sealed_refresh_token: &[u8],
        at: Timestamp,
    ) -> StoreResult<()> {
        let r = sqlx::query(
            "UPDATE integrations SET gdap_refresh_token = $3, gdap_status = 'connected', \
             gdap_error = NULL, updated_at = $4 WHERE org_id = $1 AND id = $2",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(sealed_refresh_token)
        .bind(at.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        expect_changed::<DB>(&r)
    }

    async fn set_gdap_pending(
        &self,
        org: OrgId,
        id: IntegrationId,
        pending: Option<&GdapCredentials>,
        at: Timestamp,
    ) -> StoreResult<()> {
        // A first sign-in shows as pending; a connected integration stays as it is.
        let r = sqlx::query(
            "UPDATE integrations SET gdap_pending_domain = $3, \
             gdap_pending_partner_tenant_id = $4, gdap_pending_client_id = $5, \
             gdap_pending_client_secret = $6, \
             gdap_status = CASE WHEN gdap_status = 'none' AND $6 IS NOT NULL THEN 'pending' \
             WHEN gdap_status = 'pending' AND $6 IS NULL AND gdap_client_id IS NULL THEN 'none' \
             ELSE gdap_status END, updated_at = $7 WHERE org_id = $1 AND id = $2",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(pending.map(|p| p.domain.as_str()))
        .bind(pending.map(|p| p.partner_tenant_id.as_str()))
        .bind(pending.map(|p| p.client_id.as_str()))
        .bind(pending.map(|p| p.sealed_secret.as_slice()))
        .bind(at.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        expect_changed::<DB>(&r)
    }

    async fn connect_gdap(
        &self,
        org: OrgId,
        id: IntegrationId,
        c: &GdapCredentials,
        sealed_refresh_token: &[u8],
        at: Timestamp,
    ) -> StoreResult<()> {
        let r = sqlx::query(
            "UPDATE integrations SET gdap_domain = $3, gdap_partner_tenant_id = $4, \
             gdap_client_id = $5, gdap_client_secret = $6, gdap_refresh_token = $7, \
             gdap_status = 'connected', gdap_error = NULL, gdap_pending_domain = NULL, \
             gdap_pending_partner_tenant_id = NULL, gdap_pending_client_id = NULL, \
             gdap_pending_client_secret = NULL, updated_at = $8 \
             WHERE org_id = $1 AND id = $2",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(c.domain.as_str())
        .bind(c.partner_tenant_id.as_str())
        .bind(c.client_id.as_str())
        .bind(c.sealed_secret.as_slice())
        .bind(sealed_refresh_token)
        .bind(at.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        expect_changed::<DB>(&r)
    }

    async fn rotate_gdap_refresh_token(
        &self,
        org: OrgId,
        id: IntegrationId,
        old: &[u8],
        new: &[u8],
    ) -> StoreResult<bool> {
        let r = sqlx::query(
            "UPDATE integrations SET gdap_refresh_token = $4 \
             WHERE org_id = $1 AND id = $2 AND gdap_refresh_token = $3",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(old)
        .bind(new)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        Ok(changed::<DB>(&r))
    }

    async fn mark_gdap_sign_in_again(
        &self,
        org: OrgId,
        id: IntegrationId,
        error: &str,
        at: Timestamp,
    ) -> StoreResult<()> {
        let r = sqlx::query(
            "UPDATE integrations SET gdap_refresh_token = NULL, gdap_status = 'sign_in_again', \
             gdap_error = $3, updated_at = $4 WHERE org_id = $1 AND id = $2",
        )
        .bind(org.0)
        .bind(id.0)
        .bind(error)
        .bind(at.0)
        .execute(&mut *self.pool.acquire().await?)
        .await?;
        expect_changed::<DB>(&r)
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
