//! Turns a [`Scenario`] into the runtime [`World`], validating references on the way.

use super::generate::generate_users;
use super::{Scenario, ScenarioError, TenantSpec, UserSpec, stable_uuid};
use crate::model::directory::Directory;
use crate::model::roles::parse_role;
use crate::model::user::{User, UserType};
use crate::model::{App, Consent, Contract, Relationship, Secret};
use crate::world::{Tenant, World, WorldParts};
use countersign_domain::Timestamp;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

fn invalid(msg: String) -> ScenarioError {
    ScenarioError::Invalid(msg)
}

fn roles(list: &[String], context: &str) -> Result<Vec<Uuid>, ScenarioError> {
    list.iter()
        .map(|r| parse_role(r).ok_or_else(|| invalid(format!("{context}: unknown role '{r}'"))))
        .collect()
}

fn parse_time(text: &str) -> Result<Timestamp, ScenarioError> {
    let t = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map_err(|e| invalid(format!("bad timestamp '{text}': {e}")))?;
    let ms = t.unix_timestamp_nanos() / 1_000_000;
    Ok(Timestamp(i64::try_from(ms).unwrap_or(i64::MAX)))
}

fn tenant_id(seed: u64, spec: &TenantSpec) -> Uuid {
    spec.id
        .unwrap_or_else(|| stable_uuid(seed, &["tenant", &spec.domain.to_ascii_lowercase()]))
}

pub(crate) fn user_from_spec(
    seed: u64,
    domain: &str,
    spec: &UserSpec,
) -> Result<User, ScenarioError> {
    let upn = if spec.upn.contains('@') {
        spec.upn.clone()
    } else {
        format!("{}@{domain}", spec.upn)
    };
    let user_type = match spec.user_type.as_deref() {
        None | Some("Member") => UserType::Member,
        Some("Guest") => UserType::Guest,
        Some(other) => return Err(invalid(format!("user {upn}: unknown userType '{other}'"))),
    };
    let mail = spec
        .mail
        .clone()
        .or_else(|| (user_type == UserType::Member).then(|| upn.clone()));
    Ok(User {
        id: spec
            .id
            .unwrap_or_else(|| stable_uuid(seed, &["user", &upn.to_ascii_lowercase()])),
        display_name: spec.display_name.as_str().into(),
        given_name: spec.given_name.as_deref().map(Into::into),
        surname: spec.surname.as_deref().map(Into::into),
        mail: mail.map(Into::into),
        roles: roles(&spec.roles, &upn)?,
        user_principal_name: upn.into(),
        mobile_phone: spec.mobile_phone.as_deref().map(Into::into),
        usage_location: spec.usage_location.as_deref().map(Into::into),
        country: spec.country.as_deref().map(Into::into),
        business_phones: spec
            .business_phones
            .iter()
            .map(|p| p.as_str().into())
            .collect(),
        job_title: spec.job_title.as_deref().map(Into::into),
        office_location: spec.office_location.as_deref().map(Into::into),
        preferred_language: spec.preferred_language.as_deref().map(Into::into),
        account_enabled: spec.account_enabled,
        user_type,
        licenses: spec.licenses.clone(),
        on_premises_sync_enabled: spec.on_premises_sync.then_some(true),
    })
}

fn build_tenant(
    s: &Scenario,
    index: usize,
    spec: &TenantSpec,
    is_partner: bool,
) -> Result<Tenant, ScenarioError> {
    let id = tenant_id(s.seed, spec);
    let mut users = spec
        .users
        .iter()
        .map(|u| user_from_spec(s.seed, &spec.domain, u))
        .collect::<Result<Vec<_>, _>>()?;
    if spec.generate_users > 0 {
        let taken: HashSet<String> = users
            .iter()
            .map(|u| u.user_principal_name.to_ascii_lowercase())
            .collect();
        users.extend(generate_users(
            &spec.domain,
            spec.generate_users,
            s.seed,
            index,
            spec.hybrid,
            taken,
        ));
    }
    let mut seen = HashSet::new();
    for u in &users {
        if !seen.insert(u.id) {
            return Err(invalid(format!(
                "tenant {}: duplicate user id {}",
                spec.domain, u.id
            )));
        }
    }
    let tenant = Tenant::new(
        id,
        spec.domain.clone(),
        spec.extra_domains.clone(),
        spec.display_name.clone(),
        is_partner,
        Directory::new(users),
    );
    if let Some(country) = &spec.country {
        tenant.set_country(Some(country.clone()).filter(|c| !c.is_empty()));
    }
    Ok(tenant)
}

/// Builds the world; `now` dates the GDAP relationships.
pub(crate) fn build_world(s: &Scenario, now: Timestamp) -> Result<World, ScenarioError> {
    let partner = build_tenant(s, usize::MAX, &s.partner, true)?;
    let partner_id = partner.id;
    let mut customers = Vec::with_capacity(s.tenants.len());
    let mut domains: HashMap<String, Uuid> = partner
        .verified_domains()
        .map(|d| (d.to_ascii_lowercase(), partner_id))
        .collect();
    let mut ids = HashSet::from([partner_id]);
    for (i, spec) in s.tenants.iter().enumerate() {
        let t = build_tenant(s, i, spec, false)?;
        if !ids.insert(t.id) {
            return Err(invalid(format!("duplicate tenant id {}", t.id)));
        }
        for d in t.verified_domains() {
            if domains.insert(d.to_ascii_lowercase(), t.id).is_some() {
                return Err(invalid(format!("domain {d} is declared twice")));
            }
        }
        customers.push(t);
    }
    let resolve = |key: &str| -> Result<Uuid, ScenarioError> {
        Uuid::parse_str(key)
            .ok()
            .filter(|id| ids.contains(id))
            .or_else(|| domains.get(&key.to_ascii_lowercase()).copied())
            .ok_or_else(|| invalid(format!("unknown tenant '{key}'")))
    };

    let mut apps = Vec::new();
    for a in &s.apps {
        if apps.iter().any(|x: &App| x.client_id == a.client_id) {
            return Err(invalid(format!("duplicate app client_id {}", a.client_id)));
        }
        let secrets = a
            .secrets
            .iter()
            .map(|sec| {
                Ok(Secret {
                    value: sec.value.clone(),
                    expires: sec.expires.as_deref().map(parse_time).transpose()?,
                })
            })
            .collect::<Result<Vec<_>, ScenarioError>>()?;
        apps.push(App {
            client_id: a.client_id,
            display_name: a.display_name.clone(),
            kind: a.kind,
            home_tenant: partner_id,
            secrets,
            redirect_uris: a.redirect_uris.clone(),
            application_permissions: a.application_permissions.clone(),
            delegated_permissions: a.delegated_permissions.clone(),
        });
    }

    let mut consents = HashMap::new();
    for c in &s.consents {
        let tenant = resolve(&c.tenant)?;
        let app = apps
            .iter()
            .find(|a| a.client_id == c.client_id)
            .ok_or_else(|| invalid(format!("consent for unknown app {}", c.client_id)))?;
        let consent = Consent {
            application_permissions: c
                .application_permissions
                .clone()
                .unwrap_or_else(|| app.application_permissions.clone()),
            delegated_permissions: c
                .delegated_permissions
                .clone()
                .unwrap_or_else(|| app.delegated_permissions.clone()),
            directory_roles: roles(&c.directory_roles, "consent")?,
        };
        consents.insert((tenant, c.client_id), consent);
    }

    let mut relationships = Vec::new();
    for (i, g) in s.gdap.iter().enumerate() {
        let customer = resolve(&g.customer)?;
        let customer_name = customers
            .iter()
            .find(|t| t.id == customer)
            .map(|t| t.display_name.clone())
            .ok_or_else(|| invalid(format!("GDAP customer '{}' is the partner", g.customer)))?;
        let id = g.id.clone().unwrap_or_else(|| {
            let a = stable_uuid(s.seed, &["gdap", &i.to_string()]);
            format!("{a}-{customer}")
        });
        relationships.push(Relationship {
            id,
            display_name: g.display_name.clone(),
            customer_tenant: customer,
            customer_name,
            status: g.status.clone(),
            roles: roles(&g.roles, &g.display_name)?,
            duration: g.duration.clone(),
            created: now,
        });
    }

    let contracts = s
        .tenants
        .iter()
        .zip(&customers)
        .filter_map(|(spec, t)| {
            spec.contract.as_ref().map(|kind| Contract {
                id: stable_uuid(s.seed, &["contract", &t.id.to_string()]),
                customer_id: t.id,
                default_domain_name: t.domain.clone(),
                display_name: t.display_name.clone(),
                contract_type: kind.clone(),
            })
        })
        .collect();

    Ok(World::new(WorldParts {
        partner,
        customers,
        apps,
        consents,
        relationships,
        contracts,
    }))
}
