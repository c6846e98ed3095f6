//! Helpers of the Microsoft 365 tests: the org, links, syncs, contacts by Entra id, and the
//! simulator's users as the truth a sync must reproduce.

use crate::integrations::{ADMIN, CONTOSO, MT_APP, MT_SECRET, World};
use countersign_app::App;
use countersign_app::microsoft::SyncOutcome;
use countersign_app::microsoft::{LinkKind, TenantLink};
use countersign_domain::{OrgId, TenantLinkId};
use countersign_microsoft::{ClientConfig, Microsoft, RetryPolicy, USER_SELECT};
use countersign_store::{Contact, ContactCursor, ContactQuery, ContactStore, TechnicianStore};
use std::collections::HashMap;
use std::time::Duration;

/// The admin's org.
pub async fn org_of(w: &World) -> OrgId {
    org_of_technician(w, ADMIN).await
}

/// The org of the technician with this email.
pub async fn org_of_technician(w: &World, email: &str) -> OrgId {
    w.app
        .app
        .store()
        .technician_by_email_for_login(email)
        .await
        .unwrap()
        .unwrap()
        .org_id
}

/// Every link of the integration (by its page path) in `org`.
pub async fn links_of(w: &World, org: OrgId, page: &str) -> Vec<TenantLink> {
    let id = page.rsplit('/').next().unwrap().parse().unwrap();
    w.app.app.tenant_links(org, id).await.unwrap()
}

/// The integration's link of `kind` to `tenant`.
pub async fn link(w: &World, page: &str, tenant: &str, kind: LinkKind) -> TenantLink {
    links_of(w, org_of(w).await, page)
        .await
        .into_iter()
        .find(|l| l.new.tenant_id == tenant && l.new.link == kind)
        .unwrap_or_else(|| panic!("no {kind:?} link to {tenant}"))
}

/// Add ▸ Microsoft 365, Contoso's admin consents, Sync Customer; the Contoso link.
pub async fn contoso_linked(w: &World) -> (String, TenantLink) {
    let page = w.add_integration().await;
    let res = w
        .consent(&page, crate::integrations::ZOE_GA, "approve")
        .await;
    assert_eq!(res.status(), 303);
    let l = link(w, &page, CONTOSO, LinkKind::AdminConsent).await;
    w.app.app.sync_customer(l.new.org_id, l.id).await.unwrap();
    (page, l)
}

/// Queues a sync of the link, runs the queue, and returns the link afterwards.
pub async fn sync_via_queue(w: &World, link: TenantLinkId) -> TenantLink {
    let org = org_of(w).await;
    w.app.app.enqueue_tenant_sync(org, link).await.unwrap();
    w.run_jobs().await;
    w.app.app.tenant_link(org, link).await.unwrap()
}

/// The same app with a Microsoft client that retries quickly (the tests inject many faults;
/// the product's backoff would make them wait minutes).
pub fn quick_retry(app: &App, max_attempts: u32) -> App {
    let mut quick = app.clone();
    quick.microsoft = Microsoft::new(ClientConfig {
        retry: RetryPolicy {
            max_attempts,
            base_backoff: Duration::from_millis(20),
            max_backoff: Duration::from_millis(200),
            max_retry_after: Duration::from_secs(5),
        },
        ..ClientConfig::default()
    })
    .unwrap();
    quick
}

/// Runs one sync and expects it to finish.
pub async fn sync_done(
    app: &App,
    org: OrgId,
    link: TenantLinkId,
) -> countersign_store::SyncProgress {
    match app.sync_tenant(org, link).await.unwrap() {
        SyncOutcome::Done(p) => p,
        other => panic!("sync did not finish: {other:?}"),
    }
}

/// Every contact of the link's customer (removed ones too), by Entra object id.
pub async fn contacts(w: &World, l: &TenantLink) -> HashMap<String, Contact> {
    let org = l.new.org_id;
    let customer = w
        .app
        .app
        .tenant_link(org, l.id)
        .await
        .unwrap()
        .customer_id
        .unwrap();
    let mut q = ContactQuery {
        customer: Some(customer),
        include_inactive: true,
        limit: 500,
        ..ContactQuery::default()
    };
    let mut out = HashMap::new();
    loop {
        let page = w.app.app.store().search_contacts(org, &q).await.unwrap();
        let Some(last) = page.last() else { break };
        q.after = Some(ContactCursor {
            key: q.sort.key_of(last),
            id: last.id,
        });
        for c in page {
            out.insert(c.external_id.clone().unwrap(), c);
        }
    }
    out
}

/// The tenant's users as Graph lists them now (faults must be off), through the
/// multi-tenant app.
pub async fn simulator_users(w: &World, tenant: &str) -> Vec<serde_json::Value> {
    let m = w.sim.manifest();
    let http = reqwest::Client::new();
    let token: serde_json::Value = http
        .post(format!("{}/{tenant}/oauth2/v2.0/token", m.login_base_url))
        .form(&[
            ("client_id", MT_APP),
            ("client_secret", MT_SECRET),
            ("grant_type", "client_credentials"),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();
    let mut url = Some(format!(
        "{}/v1.0/users?$select={USER_SELECT}&$top=999",
        m.graph_base_url
    ));
    let mut users = Vec::new();
    while let Some(u) = url.take() {
        let page: serde_json::Value = http
            .get(&u)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        users.extend(page["value"].as_array().unwrap().iter().cloned());
        url = page["@odata.nextLink"].as_str().map(str::to_owned);
    }
    users
}

/// Asserts the visible contacts are exactly the simulator's users that the default filters
/// keep (members with sign-in enabled), field by field.
pub async fn assert_contacts_equal_simulator(w: &World, l: &TenantLink) {
    let users = simulator_users(w, &l.new.tenant_id).await;
    let stored = contacts(w, l).await;
    let s = |v: &serde_json::Value| v.as_str().map(str::to_owned);
    let mut kept = 0;
    for u in &users {
        let id = u["id"].as_str().unwrap();
        let guest = u["userType"].as_str() == Some("Guest");
        let disabled = u["accountEnabled"].as_bool() == Some(false);
        let c = stored.get(id);
        if guest || disabled {
            assert!(
                c.is_none_or(|c| c.removed_at.is_some()),
                "{id} is filtered out but visible"
            );
            continue;
        }
        kept += 1;
        let c = c.unwrap_or_else(|| panic!("user {id} was not synced"));
        assert_eq!(c.removed_at, None, "{id}");
        assert_eq!(
            c.display_name,
            u["displayName"].as_str().unwrap_or(""),
            "{id}"
        );
        assert_eq!(c.given_name, u["givenName"].as_str().unwrap_or(""), "{id}");
        assert_eq!(c.surname, u["surname"].as_str().unwrap_or(""), "{id}");
        assert_eq!(c.upn, s(&u["userPrincipalName"]), "{id}");
        let mail = s(&u["mail"]).filter(|m| !m.is_empty());
        assert_eq!(c.email, mail.or_else(|| s(&u["userPrincipalName"])), "{id}");
        let mobile = s(&u["mobilePhone"]).filter(|m| !m.trim().is_empty());
        assert_eq!(c.mobile, mobile, "{id}");
        let phones: Vec<String> = u["businessPhones"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_owned())
            .collect();
        assert_eq!(c.business_phones, phones, "{id}");
        assert_eq!(c.job_title, u["jobTitle"].as_str().unwrap_or(""), "{id}");
        assert!(c.account_enabled, "{id}");
        assert_eq!(c.user_type, "Member", "{id}");
    }
    let visible = stored.values().filter(|c| c.removed_at.is_none()).count();
    assert_eq!(visible, kept, "visible contacts vs kept users");
}
