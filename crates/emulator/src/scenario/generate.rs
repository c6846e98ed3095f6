//! Deterministic generation: `--tenants N --users-per-tenant M --seed S`.
//!
//! Generated customer tenants vary on purpose so the product meets the awkward cases:
//! every 3rd tenant is hybrid (most users synced from on-premises AD), every 5th has no
//! consent for the partner app (GDAP redemption fails with AADSTS65001/90099), every 7th
//! has no consent for the multi-tenant app (client credentials fail with AADSTS700016), and
//! every 9th has only an expired GDAP relationship. Tenant 0 is always fully reachable.

use super::names::{
    COMPANY_SUFFIXES, COMPANY_WORDS, GUEST_DOMAINS, JOB_TITLES, LICENSE_SKUS, LOCALES, OFFICES,
    SHARED_MAILBOXES,
};
use super::phones;
use super::{
    AppSpec, ConsentSpec, GdapSpec, Scenario, SecretSpec, TenantSpec, UserSpec, stable_uuid,
};
use crate::model::AppKind;
use crate::model::roles;
use crate::model::user::{Text, User, UserType};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use uuid::Uuid;

pub const PARTNER_DOMAIN: &str = "northwind-msp.onmicrosoft.com";

fn secret(seed: u64, label: &str) -> String {
    let id = stable_uuid(seed, &["secret", label]).simple().to_string();
    // Shape of a real secret value: ~40 chars with a `~` and a `Q` in the 4th position.
    format!("{}Q~{}", &id[..3], &id[3..])
}

/// The full generated scenario.
#[must_use]
pub fn scenario(tenants: usize, users_per_tenant: usize, seed: u64) -> Scenario {
    let multi = stable_uuid(seed, &["app", "multi-tenant"]);
    let partner_app = stable_uuid(seed, &["app", "partner"]);
    let apps = vec![
        AppSpec {
            client_id: multi,
            display_name: "Countersign".into(),
            kind: AppKind::MultiTenant,
            secrets: vec![SecretSpec {
                value: secret(seed, "multi"),
                expires: None,
            }],
            redirect_uris: vec!["http://localhost:8080/integrations/consent/callback".into()],
            application_permissions: vec![
                "User.ReadWrite.All".into(),
                "Organization.Read.All".into(),
            ],
            delegated_permissions: vec![],
        },
        AppSpec {
            client_id: partner_app,
            display_name: "Northwind MSP – Countersign".into(),
            kind: AppKind::Partner,
            secrets: vec![SecretSpec {
                value: secret(seed, "partner"),
                expires: None,
            }],
            redirect_uris: vec!["http://localhost:8080/integrations/gdap/callback".into()],
            // Mail.Send: email from a mailbox of the MSP's own tenant (Settings ▸ Branding).
            application_permissions: vec!["Mail.Send".into()],
            delegated_permissions: vec![
                "User.ReadWrite.All".into(),
                "Organization.Read.All".into(),
                "DelegatedAdminRelationship.Read.All".into(),
                "Directory.Read.All".into(),
            ],
        },
    ];
    let tech = |name: &str, upn: &str, role: &str| UserSpec {
        display_name: name.into(),
        given_name: name.split(' ').next().map(Into::into),
        surname: name.split(' ').nth(1).map(Into::into),
        upn: upn.into(),
        roles: vec![role.into()],
        mobile_phone: Some("+1 425 555 0100".into()),
        account_enabled: true,
        ..UserSpec::default()
    };
    let partner = TenantSpec {
        id: None,
        domain: PARTNER_DOMAIN.into(),
        extra_domains: vec!["northwind-msp.example".into()],
        display_name: "Northwind MSP".into(),
        users: vec![
            tech("Alex Wilber", "alex.wilber", "Global Administrator"),
            tech("Megan Bowen", "megan.bowen", "User Administrator"),
            tech("Isaiah Langer", "isaiah.langer", "Helpdesk Administrator"),
        ],
        generate_users: 0,
        hybrid: false,
        contract: None,
        country: None,
    };
    let mut specs = Vec::with_capacity(tenants);
    let mut gdap = Vec::new();
    let mut consents = Vec::new();
    let mut rng = StdRng::seed_from_u64(seed);
    for i in 0..tenants {
        let word = COMPANY_WORDS[i % COMPANY_WORDS.len()];
        let suffix = COMPANY_SUFFIXES[rng.gen_range(0..COMPANY_SUFFIXES.len())];
        let slug: String = word
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_lowercase();
        let domain = format!("{slug}{i}.onmicrosoft.com");
        let display_name = format!("{word} {suffix}");
        specs.push(TenantSpec {
            id: None,
            domain: domain.clone(),
            extra_domains: vec![format!("{slug}{i}.example")],
            display_name: display_name.clone(),
            users: vec![],
            generate_users: users_per_tenant,
            hybrid: i % 3 == 2,
            contract: Some("ResellerPartner".into()),
            country: None,
        });
        let status = if i % 9 == 8 { "expired" } else { "active" };
        gdap.push(GdapSpec {
            id: None,
            customer: domain.clone(),
            display_name: format!("Northwind – {display_name}"),
            status: status.into(),
            roles: vec![
                "User Administrator".into(),
                "Application Administrator".into(),
            ],
            duration: "P730D".into(),
        });
        if i % 4 == 1 {
            // Several relationships per customer, including a Microsoft-led transition one.
            gdap.push(GdapSpec {
                id: None,
                customer: domain.clone(),
                display_name: format!("MLT_{}", stable_uuid(seed, &["mlt", &domain]).simple()),
                status: "active".into(),
                roles: vec!["Directory Readers".into(), "Global Reader".into()],
                duration: "P730D".into(),
            });
        }
        if i % 7 != 6 {
            consents.push(ConsentSpec {
                tenant: domain.clone(),
                client_id: multi,
                application_permissions: None,
                delegated_permissions: None,
                directory_roles: vec![],
            });
        }
        if i % 5 != 4 {
            consents.push(ConsentSpec {
                tenant: domain,
                client_id: partner_app,
                application_permissions: None,
                delegated_permissions: None,
                directory_roles: vec![],
            });
        }
    }
    Scenario {
        seed,
        partner,
        apps,
        tenants: specs,
        gdap,
        consents,
        throttling: crate::throttle::ThrottleConfig::default(),
        faults: crate::faults::FaultConfig::default(),
        sms: crate::sms::config::SmsScenario::default(),
    }
}

fn pool(items: &[&str]) -> Vec<Text> {
    items.iter().map(|s| Arc::<str>::from(*s)).collect()
}

/// `count` realistic users on `domain`, deterministic in (`seed`, `tenant_index`).
/// `taken` holds UPNs (lowercase) already used by declared users.
#[must_use]
pub fn generate_users(
    domain: &str,
    count: usize,
    seed: u64,
    tenant_index: usize,
    hybrid: bool,
    taken: HashSet<String>,
) -> Vec<User> {
    let mut rng =
        StdRng::seed_from_u64(seed ^ (tenant_index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let jobs = pool(JOB_TITLES);
    let offices = pool(OFFICES);
    let skus: Vec<Uuid> = LICENSE_SKUS
        .iter()
        .filter_map(|s| Uuid::parse_str(s).ok())
        .collect();
    let locales: Vec<(Vec<Text>, Vec<Text>, Text)> = LOCALES
        .iter()
        .map(|l| {
            (
                l.given.iter().map(|(n, _)| Arc::<str>::from(*n)).collect(),
                l.surnames
                    .iter()
                    .map(|(n, _)| Arc::<str>::from(*n))
                    .collect(),
                Arc::<str>::from(l.language),
            )
        })
        .collect();
    let total_weight: u32 = LOCALES.iter().map(|l| l.weight).sum();
    let mut used: HashMap<String, u32> = taken.into_iter().map(|u| (u, 1)).collect();
    let mut unique = |local: String| -> String {
        let n = used.entry(format!("{local}@{domain}")).or_insert(0);
        *n += 1;
        if *n == 1 {
            format!("{local}@{domain}")
        } else {
            format!("{local}{n}@{domain}")
        }
    };
    let admin_roles = [
        roles::GLOBAL_ADMIN,
        roles::USER_ADMIN,
        roles::HELPDESK_ADMIN,
        roles::AUTH_ADMIN,
        roles::EXCHANGE_ADMIN,
    ];
    let mut users = Vec::with_capacity(count);
    for i in 0..count {
        let mut bytes = [0u8; 16];
        rng.fill(&mut bytes);
        let id = uuid::Builder::from_random_bytes(bytes).into_uuid();
        let kind = rng.gen_range(0..1000);
        let mut pick = rng.gen_range(0..total_weight);
        let li = LOCALES
            .iter()
            .position(|l| {
                if pick < l.weight {
                    true
                } else {
                    pick -= l.weight;
                    false
                }
            })
            .unwrap_or(0);
        let locale = &LOCALES[li];
        let gi = rng.gen_range(0..locale.given.len());
        let si = rng.gen_range(0..locale.surnames.len());
        let (given, surname, language) = (&locales[li].0[gi], &locales[li].1[si], &locales[li].2);
        let display: Text = if locale.family_first {
            format!("{surname} {given}").into()
        } else {
            format!("{given} {surname}").into()
        };
        let ascii = format!("{}.{}", locale.given[gi].1, locale.surnames[si].1);
        let (mobile, mut location) =
            match (rng.gen_range(0..10) >= 3).then(|| phones::mobile(&mut rng)) {
                Some((number, country)) => (Some(Text::from(number)), country),
                None => (None, "US"),
            };
        let business: Vec<Text> = if rng.gen_range(0..10) < 6 {
            vec![phones::business(&mut rng).into()]
        } else {
            vec![]
        };
        let job = (rng.gen_range(0..100) < 85).then(|| jobs[rng.gen_range(0..jobs.len())].clone());
        let office =
            (rng.gen_range(0..100) < 60).then(|| offices[rng.gen_range(0..offices.len())].clone());
        let licensed = rng.gen_range(0..100) >= 8;
        let synced = hybrid && rng.gen_range(0..10) < 7;
        let mut user = User {
            id,
            display_name: display,
            given_name: Some(given.clone()),
            surname: Some(surname.clone()),
            mail: None,
            user_principal_name: Text::from(""),
            mobile_phone: mobile,
            business_phones: business,
            job_title: job,
            office_location: office,
            preferred_language: (rng.gen_range(0..10) < 7).then(|| language.clone()),
            account_enabled: true,
            user_type: UserType::Member,
            licenses: if licensed {
                vec![skus[i % skus.len()]]
            } else {
                vec![]
            },
            on_premises_sync_enabled: synced.then_some(true),
            usage_location: None,
            country: None,
            roles: vec![],
        };
        if i < admin_roles.len().min(count.div_ceil(20).max(1)) {
            // The first users are the tenant's admins; a few more get low roles below.
            user.roles = vec![admin_roles[i]];
            user.on_premises_sync_enabled = None;
            let (number, country) = phones::mobile(&mut rng);
            user.mobile_phone = Some(number.into());
            location = country;
        } else if kind < 50 {
            let ext = GUEST_DOMAINS[rng.gen_range(0..GUEST_DOMAINS.len())];
            user.user_type = UserType::Guest;
            user.mail = Some(format!("{ascii}@{ext}").into());
            user.user_principal_name = unique(format!("{ascii}_{ext}#EXT#")).into();
            user.licenses.clear();
            user.on_premises_sync_enabled = None;
            user.job_title = None;
        } else if kind < 80 {
            let (name, local) = SHARED_MAILBOXES[rng.gen_range(0..SHARED_MAILBOXES.len())];
            user.display_name = name.into();
            user.given_name = None;
            user.surname = None;
            user.mobile_phone = None;
            user.job_title = None;
            user.account_enabled = false;
            user.licenses.clear();
            user.user_principal_name = unique(local.to_string()).into();
        } else if kind < 120 {
            user.account_enabled = false;
        } else if kind < 123 {
            user.roles = vec![roles::DIRECTORY_READERS];
        }
        // Licensed users have a usage location (Microsoft requires one to assign a licence),
        // the country of their number; the others at most name their country, in words.
        if user.licenses.is_empty() {
            user.country =
                countersign_domain::Country::from_directory(location).map(|c| Text::from(c.name()));
        } else {
            user.usage_location = Some(Text::from(location));
        }
        if user.user_principal_name.is_empty() {
            user.user_principal_name = unique(ascii).into();
        }
        if user.mail.is_none() && user.user_type == UserType::Member {
            user.mail = Some(user.user_principal_name.clone());
        }
        users.push(user);
    }
    users
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_users_and_unique_upns() {
        let a = generate_users("contoso.onmicrosoft.com", 2000, 7, 0, true, HashSet::new());
        let b = generate_users("contoso.onmicrosoft.com", 2000, 7, 0, true, HashSet::new());
        assert_eq!(a.len(), 2000);
        assert!(
            a.iter()
                .zip(&b)
                .all(|(x, y)| x.id == y.id && x.mobile_phone == y.mobile_phone)
        );
        let upns: HashSet<_> = a
            .iter()
            .map(|u| u.user_principal_name.to_lowercase())
            .collect();
        assert_eq!(upns.len(), 2000);
        assert!(
            a.iter()
                .all(|u| u.user_principal_name.ends_with("@contoso.onmicrosoft.com"))
        );
        assert!(a.iter().any(|u| u.user_type == UserType::Guest));
        assert!(a.iter().any(|u| !u.account_enabled));
        assert!(a.iter().any(|u| u.mobile_phone.is_none()));
        assert!(a.iter().any(|u| u.on_premises_sync_enabled == Some(true)));
        assert!(a.iter().any(|u| u.roles.contains(&roles::GLOBAL_ADMIN)));
        assert!(a.iter().any(|u| !u.display_name.is_ascii()));
        let other = generate_users("contoso.onmicrosoft.com", 10, 8, 0, true, HashSet::new());
        assert_ne!(other[0].id, a[0].id);
    }

    #[test]
    fn a_national_mobile_comes_with_its_users_country() {
        use countersign_domain::{Country, Phone};
        let users = generate_users("contoso.onmicrosoft.com", 2000, 7, 0, false, HashSet::new());
        let national: Vec<_> = users
            .iter()
            .filter_map(|u| Some((u, u.mobile_phone.as_deref()?)))
            .filter(|(_, m)| !m.starts_with('+') && !m.starts_with("00"))
            .collect();
        assert!(national.len() > 200, "the demo has national numbers");
        for (u, mobile) in national {
            // Licensed users have a usage location; the others name their country.
            let country = [u.usage_location.as_deref(), u.country.as_deref()]
                .into_iter()
                .flatten()
                .find_map(Country::from_directory);
            assert!(country.is_some(), "{mobile}: no country");
            assert_eq!(u.usage_location.is_some(), !u.licenses.is_empty());
            assert!(
                Phone::parse(mobile, country).is_ok(),
                "{mobile} {country:?}"
            );
        }
    }
}
