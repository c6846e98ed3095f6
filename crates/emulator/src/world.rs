//! The emulated Microsoft cloud: tenants with their directories, app registrations, consents,
//! GDAP relationships and partner contracts. Built once from a [`crate::Scenario`].

use crate::model::directory::Directory;
use crate::model::{App, Consent, Contract, Relationship};
use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use uuid::Uuid;

#[derive(Debug)]
pub struct Tenant {
    pub id: Uuid,
    /// The initial `*.onmicrosoft.com`-style domain, used as the default verified domain.
    pub domain: String,
    pub extra_domains: Vec<String>,
    pub display_name: String,
    pub is_partner: bool,
    /// The tenant's country, two letters (`/organization` `countryLetterCode`); `None`
    /// answers `null`. An admin can change it (control API).
    country: RwLock<Option<String>>,
    /// One lock per tenant: a million-user page scan in one tenant never blocks another.
    dir: RwLock<Directory>,
}

impl Tenant {
    #[must_use]
    pub fn new(
        id: Uuid,
        domain: String,
        extra_domains: Vec<String>,
        display_name: String,
        is_partner: bool,
        dir: Directory,
    ) -> Self {
        Tenant {
            id,
            domain,
            extra_domains,
            display_name,
            is_partner,
            country: RwLock::new(Some("US".into())),
            dir: RwLock::new(dir),
        }
    }

    /// A poisoned lock only means a panic elsewhere mid-request; the data is still usable.
    pub fn read(&self) -> RwLockReadGuard<'_, Directory> {
        self.dir.read().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn write(&self) -> RwLockWriteGuard<'_, Directory> {
        self.dir.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// The tenant's country (`countryLetterCode`).
    pub fn country(&self) -> Option<String> {
        self.country
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Changes the tenant's country, as its admin would in the portal.
    pub fn set_country(&self, country: Option<String>) {
        *self.country.write().unwrap_or_else(PoisonError::into_inner) = country;
    }

    pub fn verified_domains(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.domain.as_str()).chain(self.extra_domains.iter().map(String::as_str))
    }
}

#[derive(Debug)]
pub struct World {
    pub partner_id: Uuid,
    tenants: HashMap<Uuid, Arc<Tenant>>,
    /// Customer tenants in scenario order (the partner is kept apart).
    customer_order: Vec<Uuid>,
    domains: HashMap<String, Uuid>,
    apps: Vec<App>,
    consents: RwLock<HashMap<(Uuid, Uuid), Consent>>,
    /// Redirect URIs added after start (control API), per client id: the portal step of
    /// registering a URI that only exists once the product created its integration.
    added_redirect_uris: RwLock<HashMap<Uuid, Vec<String>>>,
    /// GDAP relationships; their status changes as they expire or are terminated.
    relationships: RwLock<Vec<Relationship>>,
    contracts: Vec<Contract>,
}

pub struct WorldParts {
    pub partner: Tenant,
    pub customers: Vec<Tenant>,
    pub apps: Vec<App>,
    pub consents: HashMap<(Uuid, Uuid), Consent>,
    pub relationships: Vec<Relationship>,
    pub contracts: Vec<Contract>,
}

impl World {
    #[must_use]
    pub fn new(parts: WorldParts) -> World {
        let partner_id = parts.partner.id;
        let mut tenants = HashMap::new();
        let mut domains = HashMap::new();
        let mut customer_order = Vec::new();
        for t in std::iter::once(parts.partner).chain(parts.customers) {
            for d in t.verified_domains() {
                domains.insert(d.to_ascii_lowercase(), t.id);
            }
            if !t.is_partner {
                customer_order.push(t.id);
            }
            tenants.insert(t.id, Arc::new(t));
        }
        World {
            partner_id,
            tenants,
            customer_order,
            domains,
            apps: parts.apps,
            consents: RwLock::new(parts.consents),
            added_redirect_uris: RwLock::new(HashMap::new()),
            relationships: RwLock::new(parts.relationships),
            contracts: parts.contracts,
        }
    }

    #[must_use]
    pub fn tenant(&self, id: Uuid) -> Option<Arc<Tenant>> {
        self.tenants.get(&id).cloned()
    }

    /// `{tenant}` in a login URL: a tenant GUID or any verified domain, case-insensitive.
    #[must_use]
    pub fn resolve_tenant(&self, key: &str) -> Option<Arc<Tenant>> {
        let id = Uuid::parse_str(key)
            .ok()
            .or_else(|| self.domains.get(&key.to_ascii_lowercase()).copied())?;
        self.tenant(id)
    }

    #[must_use]
    pub fn partner(&self) -> Option<Arc<Tenant>> {
        self.tenant(self.partner_id)
    }

    pub fn customers(&self) -> impl Iterator<Item = Arc<Tenant>> + '_ {
        self.customer_order.iter().filter_map(|id| self.tenant(*id))
    }

    #[must_use]
    pub fn apps(&self) -> &[App] {
        &self.apps
    }

    #[must_use]
    pub fn app(&self, client_id: &str) -> Option<&App> {
        let id = Uuid::parse_str(client_id).ok()?;
        self.apps.iter().find(|a| a.client_id == id)
    }

    /// Registers one more redirect URI for an app. A URI ending in `*` allows every URI that
    /// starts with the part before it (Entra's wildcard redirect URIs).
    pub fn add_redirect_uri(&self, client_id: Uuid, uri: &str) {
        self.added_redirect_uris
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(client_id)
            .or_default()
            .push(uri.to_owned());
    }

    /// Whether `uri` is registered for `app` (exactly, or under an added wildcard).
    #[must_use]
    pub fn redirect_uri_registered(&self, app: &App, uri: &str) -> bool {
        if app.redirect_uris.iter().any(|u| u == uri) {
            return true;
        }
        let added = self
            .added_redirect_uris
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        added.get(&app.client_id).is_some_and(|list| {
            list.iter().any(|u| match u.strip_suffix('*') {
                Some(prefix) => uri.starts_with(prefix),
                None => u == uri,
            })
        })
    }

    /// What `tenant` granted `app`. The home tenant counts as fully consented: the
    /// registration lives there and the MSP admin consented while registering it.
    #[must_use]
    pub fn consent(&self, tenant: Uuid, app: &App) -> Option<Consent> {
        if tenant == app.home_tenant {
            return Some(Consent {
                application_permissions: app.application_permissions.clone(),
                delegated_permissions: app.delegated_permissions.clone(),
                directory_roles: Vec::new(),
            });
        }
        let map = self.consents.read().unwrap_or_else(PoisonError::into_inner);
        map.get(&(tenant, app.client_id)).cloned()
    }

    pub fn grant_consent(&self, tenant: Uuid, client_id: Uuid, consent: Consent) {
        let mut map = self
            .consents
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        map.insert((tenant, client_id), consent);
    }

    pub fn revoke_consent(&self, tenant: Uuid, client_id: Uuid) -> bool {
        let mut map = self
            .consents
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        map.remove(&(tenant, client_id)).is_some()
    }

    #[must_use]
    pub fn relationships(&self) -> Vec<Relationship> {
        self.relationships
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Sets the status of the relationship with this id or display name (`expired`,
    /// `terminated`, `active`, ...), as when it reaches its end date or the partner or the
    /// customer terminates it. Returns whether one was found.
    pub fn set_relationship_status(&self, key: &str, status: &str) -> bool {
        let mut all = self
            .relationships
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let mut found = false;
        for r in all
            .iter_mut()
            .filter(|r| r.id == key || r.display_name == key)
        {
            r.status = status.to_owned();
            found = true;
        }
        found
    }

    /// Union of roles over the partner's active GDAP relationships with `customer`;
    /// `None` when no active relationship exists.
    #[must_use]
    pub fn gdap_roles(&self, customer: Uuid) -> Option<Vec<Uuid>> {
        let mut roles: Vec<Uuid> = Vec::new();
        let mut any = false;
        for r in self
            .relationships
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .filter(|r| r.customer_tenant == customer)
        {
            if r.status == "active" {
                any = true;
                for role in &r.roles {
                    if !roles.contains(role) {
                        roles.push(*role);
                    }
                }
            }
        }
        any.then_some(roles)
    }

    #[must_use]
    pub fn contracts(&self) -> &[Contract] {
        &self.contracts
    }
}
