//! A Microsoft 365 tenant linked through an integration: the Microsoft 365 reading of a
//! generic sync-source row (`countersign_store::SyncSource`). The row's `external_id` is the
//! tenant id, its `link` how the tenant is reached, and its descriptor (JSON) the tenant's
//! default domain and, for GDAP, the relationships and roles it is reached through.

use super::MicrosoftError;
use crate::App;
use countersign_domain::{CustomerId, IntegrationId, OrgId, Timestamp};
use countersign_store::{
    NewSyncSource, StoreError, SyncProgress, SyncSource, SyncSourceStore, SyncState,
};
use serde::{Deserialize, Serialize};

pub use countersign_domain::TenantLinkId;

/// How a tenant is reached (the `link` of its sync-source row).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LinkKind {
    /// Tenant by tenant: the Countersign app is admin-consented in the tenant (app-only).
    AdminConsent,
    /// Through the MSP's partner tenant (delegated, GDAP).
    Gdap,
}

impl LinkKind {
    /// The stored text.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AdminConsent => "admin_consent",
            Self::Gdap => "gdap",
        }
    }

    /// Parses the stored text.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "admin_consent" => Some(Self::AdminConsent),
            "gdap" => Some(Self::Gdap),
            _ => None,
        }
    }

    /// What the UI calls it.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::AdminConsent => "Admin consent",
            Self::Gdap => "GDAP",
        }
    }
}

/// What a tenant link is created or refreshed with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTenantLink {
    /// The org.
    pub org_id: OrgId,
    /// The integration.
    pub integration_id: IntegrationId,
    /// The Microsoft tenant id (GUID text, lower case).
    pub tenant_id: String,
    /// How it is reached.
    pub link: LinkKind,
    /// Tenant name.
    pub display_name: String,
    /// Default domain.
    pub default_domain: String,
    /// GDAP relationship names (comma separated; empty for consent).
    pub relationships: String,
    /// GDAP role template ids (comma separated; empty for consent).
    pub roles: String,
}

/// The descriptor of a tenant's sync-source row: what only Microsoft 365 knows of it.
#[derive(Serialize, Deserialize)]
struct Descriptor {
    default_domain: String,
    relationships: String,
    roles: String,
}

impl NewTenantLink {
    /// The generic row it is stored as.
    #[must_use]
    pub fn to_source(&self) -> NewSyncSource {
        NewSyncSource {
            org_id: self.org_id,
            integration_id: self.integration_id,
            external_id: self.tenant_id.clone(),
            link: self.link.as_str().to_owned(),
            display_name: self.display_name.clone(),
            descriptor: descriptor(&self.default_domain, &self.relationships, &self.roles),
        }
    }
}

/// The descriptor's JSON text.
fn descriptor(default_domain: &str, relationships: &str, roles: &str) -> String {
    serde_json::json!({
        "default_domain": default_domain,
        "relationships": relationships,
        "roles": roles,
    })
    .to_string()
}

/// A tenant linked through an integration, with its sync state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantLink {
    /// Primary key (its sync-source row's).
    pub id: TenantLinkId,
    /// Identity of the link.
    pub new: NewTenantLink,
    /// The customer created for it by Sync Customer (or the first sync).
    pub customer_id: Option<CustomerId>,
    /// Where the next delta round starts (`None`: the next sync is a full one).
    pub delta_link: Option<String>,
    /// Sync state.
    pub sync_state: SyncState,
    /// When the current or last run started.
    pub sync_started_at: Option<Timestamp>,
    /// When the last run ended.
    pub last_sync_at: Option<Timestamp>,
    /// Whether it succeeded.
    pub last_sync_ok: Option<bool>,
    /// Its error, in words for the technician.
    pub last_error: Option<String>,
    /// Counters of the current or last run.
    pub progress: SyncProgress,
    /// When the link ended (GDAP relationships expired, terminated, or only `MLT_` ones
    /// left): it is kept with its contacts, but no longer synced.
    pub ended_at: Option<Timestamp>,
    /// Why it ended, in words for the technician.
    pub ended_reason: Option<String>,
    /// When an admin unlinked it (issue 21.6): not synced, its contacts hidden.
    pub unlinked_at: Option<Timestamp>,
    /// When the purge deletes its contacts (unlinked only).
    pub purge_at: Option<Timestamp>,
    /// When the purge deleted them.
    pub purged_at: Option<Timestamp>,
    /// Created.
    pub created_at: Timestamp,
}

impl TryFrom<SyncSource> for TenantLink {
    type Error = MicrosoftError;
    fn try_from(s: SyncSource) -> Result<Self, MicrosoftError> {
        let corrupt = |what: &str| {
            MicrosoftError::Store(StoreError::Corrupt(format!(
                "{what} of Microsoft 365 link {}",
                s.id
            )))
        };
        let link = LinkKind::parse(&s.new.link).ok_or_else(|| corrupt("link kind"))?;
        let d: Descriptor =
            serde_json::from_str(&s.new.descriptor).map_err(|_| corrupt("descriptor"))?;
        Ok(Self {
            id: s.id,
            new: NewTenantLink {
                org_id: s.new.org_id,
                integration_id: s.new.integration_id,
                tenant_id: s.new.external_id,
                link,
                display_name: s.new.display_name,
                default_domain: d.default_domain,
                relationships: d.relationships,
                roles: d.roles,
            },
            customer_id: s.customer_id,
            delta_link: s.cursor,
            sync_state: s.state,
            sync_started_at: s.started_at,
            last_sync_at: s.last_run_at,
            last_sync_ok: s.last_ok,
            last_error: s.last_error,
            progress: s.progress,
            ended_at: s.ended_at,
            ended_reason: s.ended_reason,
            unlinked_at: s.unlinked_at,
            purge_at: s.purge_at,
            purged_at: s.purged_at,
            created_at: s.created_at,
        })
    }
}

impl App {
    /// The org's tenant link, or `NotFound`.
    ///
    /// # Errors
    /// `NotFound`; a store failure or a row that is not a Microsoft 365 link.
    pub async fn tenant_link(
        &self,
        org: OrgId,
        id: TenantLinkId,
    ) -> Result<TenantLink, MicrosoftError> {
        self.store.sync_source(org, id).await?.try_into()
    }

    /// The tenant links of an integration of the org, by name.
    ///
    /// # Errors
    /// A store failure or a row that is not a Microsoft 365 link.
    pub async fn tenant_links(
        &self,
        org: OrgId,
        integration: IntegrationId,
    ) -> Result<Vec<TenantLink>, MicrosoftError> {
        self.store
            .sync_sources(org, integration)
            .await?
            .into_iter()
            .map(TryInto::try_into)
            .collect()
    }

    /// Creates the link, or refreshes name, domain, relationships and roles of the existing
    /// one (same integration, tenant and kind), which is then no longer ended.
    ///
    /// # Errors
    /// `NotFound` unless the org has the integration; a store failure.
    pub async fn upsert_tenant_link(
        &self,
        link: &NewTenantLink,
        at: Timestamp,
    ) -> Result<TenantLink, MicrosoftError> {
        self.store
            .upsert_sync_source(&link.to_source(), at)
            .await?
            .try_into()
    }

    /// Marks the link ended (its GDAP relationships expired or were terminated): the reason
    /// in words, its roles and relationships cleared; its customer and contacts are kept.
    pub(crate) async fn end_tenant_link(
        &self,
        link: &TenantLink,
        reason: &str,
    ) -> Result<(), MicrosoftError> {
        let cleared = descriptor(&link.new.default_domain, "", "");
        Ok(self
            .store
            .end_sync_source(link.new.org_id, link.id, reason, &cleared, self.now())
            .await?)
    }
}
