//! Issue 17.1: the `tenant` of Microsoft's admin-consent redirect proves nothing. A tenant is
//! linked only after the same browser flow signs in to it and the signed id_token says so;
//! a forged callback naming another org's tenant links nothing (SQLite and PostgreSQL).

use crate::integrations::{ADMIN, ALEX_GA, CONTOSO, World, ZOE_GA, example, world_with};
use crate::m365_support::{links_of, org_of_technician};
use crate::{PW, location, signed_in};
use countersign_domain::OrgId;
use countersign_store::{AuditFilter, AuditStore};
use countersign_testkit::skip_postgres;

const PARTNER: &str = "11111111-1111-4111-8111-111111111111";
const OTHER_ADMIN: &str = "admin@other-msp.test";

/// The tenants linked to an integration (by its page path).
async fn linked(w: &World, org: OrgId, page: &str) -> Vec<String> {
    let mut t: Vec<String> = links_of(w, org, page)
        .await
        .into_iter()
        .map(|l| l.new.tenant_id)
        .collect();
    t.sort();
    t
}

/// Org A links Contoso by a real consent; org B (another MSP on the same server) is signed
/// in with an integration of its own.
async fn two_orgs(postgres: bool) -> (World, OrgId, String, OrgId, reqwest::Client, String) {
    let w = world_with(postgres, example()).await;
    let a_page = w.add_integration().await;
    let res = w.consent(&a_page, ZOE_GA, "approve").await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    assert!(location(&res).contains("notice=tenant_linked"));
    let a_org = org_of_technician(&w, ADMIN).await;
    assert_eq!(linked(&w, a_org, &a_page).await, vec![CONTOSO.to_owned()]);
    let b = w.app.create_admin("Other MSP", OTHER_ADMIN, PW).await;
    let b_browser = signed_in(&w.app, OTHER_ADMIN).await;
    let b_page = w.add_integration_as(&b_browser).await;
    (w, a_org, a_page, b.org.id, b_browser, b_page)
}

async fn forged_callback_links_nothing(postgres: bool) {
    let (w, a_org, a_page, b_org, b, b_page) = two_orgs(postgres).await;
    // Org B starts a consent, but instead of consenting edits the redirect back: the state is
    // its own, the tenant is the one org A linked.
    let res = w
        .app
        .post_form(&b, &b_page, &format!("{b_page}/consent"), &[])
        .await;
    assert_eq!(res.status(), 303);
    let consent_url = url::Url::parse(&location(&res)).unwrap();
    let state = consent_url
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let forged = format!(
        "/integrations/consent/callback?admin_consent=True&tenant={CONTOSO}&scope=https%3A%2F%2Fgraph.microsoft.com%2FUser.ReadWrite.All&state={state}"
    );
    let res = b.get(w.app.url(&forged)).send().await.unwrap();
    assert!(
        !location(&res).contains("tenant_linked"),
        "a forged tenant parameter is not a consent"
    );
    assert!(
        linked(&w, b_org, &b_page).await.is_empty(),
        "nothing is linked on the redirect's word"
    );
    // Countersign asks Microsoft for proof: a sign-in to the named tenant.
    let sign_in = w.expect_sign_in(&res);
    assert!(
        sign_in.contains(&format!("/{CONTOSO}/oauth2/v2.0/authorize?")),
        "{sign_in}"
    );
    // B's admin has no account in Contoso: Microsoft does not sign it in there...
    let mut form: Vec<(String, String)> = url::Url::parse(&sign_in)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    form.push(("account".into(), ALEX_GA.into()));
    form.push(("action".into(), "approve".into()));
    let res =
        w.ms.post(sign_in.split('?').next().unwrap())
            .form(&form)
            .send()
            .await
            .unwrap();
    assert_eq!(res.status(), 400, "Microsoft refuses a foreign account");
    assert!(location(&res).is_empty());
    // ...and a real sign-in to B's own tenant, fed to this flow, does not prove Contoso.
    let own = sign_in.replace(&format!("/{CONTOSO}/"), &format!("/{PARTNER}/"));
    let back = w.microsoft_page(&own, ALEX_GA, "approve").await;
    assert!(back.contains("code="), "{back}");
    let res = b.get(w.app.url(&back)).send().await.unwrap();
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("Nothing was linked"), "{page}");
    assert!(linked(&w, b_org, &b_page).await.is_empty());
    // The flow is used up: the same callbacks again find nothing.
    for again in [&forged, &back] {
        let res = b.get(w.app.url(again)).send().await.unwrap();
        assert_eq!(res.status(), 422, "{again}");
        assert!(
            res.text().await.unwrap().contains("already used"),
            "{again}"
        );
    }
    assert!(linked(&w, b_org, &b_page).await.is_empty());
    // Org A's link is untouched.
    assert_eq!(linked(&w, a_org, &a_page).await, vec![CONTOSO.to_owned()]);
}

#[tokio::test]
async fn a_forged_consent_callback_naming_another_orgs_tenant_links_nothing() {
    forged_callback_links_nothing(false).await;
}

#[tokio::test]
async fn a_forged_consent_callback_naming_another_orgs_tenant_links_nothing_postgres() {
    if skip_postgres() {
        return;
    }
    forged_callback_links_nothing(true).await;
}

async fn second_org_links_by_its_own_consent(postgres: bool) {
    let (w, a_org, a_page, b_org, b, b_page) = two_orgs(postgres).await;
    // Contoso's admin consents for org B too and signs in: the tenant is linked to both.
    let res = w.consent_as(&b, &b_page, ZOE_GA, "approve").await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    assert!(location(&res).contains("notice=tenant_linked"));
    assert_eq!(linked(&w, b_org, &b_page).await, vec![CONTOSO.to_owned()]);
    assert_eq!(linked(&w, a_org, &a_page).await, vec![CONTOSO.to_owned()]);
    // The link rests on the verified sign-in: its audit entry names who signed in (the oid
    // of the id_token), Contoso's admin.
    let entries = w
        .app
        .app
        .store()
        .audit_entries(
            b_org,
            &AuditFilter {
                action_prefix: Some("integration.tenant_consented".into()),
                limit: 10,
                ..AuditFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert!(
        entries[0]
            .entry
            .detail
            .contains(&format!("\"signed_in_oid\":\"{ZOE_GA}\"")),
        "{}",
        entries[0].entry.detail
    );
}

#[tokio::test]
async fn a_second_org_links_the_same_tenant_through_its_own_consent() {
    second_org_links_by_its_own_consent(false).await;
}

#[tokio::test]
async fn a_second_org_links_the_same_tenant_through_its_own_consent_postgres() {
    if skip_postgres() {
        return;
    }
    second_org_links_by_its_own_consent(true).await;
}

/// Contoso's admin consents, then approves or cancels the sign-in that proves it; returns
/// the path Microsoft sends the browser back to.
async fn consented_then_at_sign_in(action: &str) -> (World, String, String) {
    let w = world_with(false, example()).await;
    let page = w.add_integration().await;
    let res = w
        .admin_consent_as(&w.browser, &page, ZOE_GA, "approve")
        .await;
    let sign_in = w.expect_sign_in(&res);
    let back = w.microsoft_page(&sign_in, ZOE_GA, action).await;
    (w, page, back)
}

#[tokio::test]
async fn a_cancelled_sign_in_links_nothing() {
    let (w, page, back) = consented_then_at_sign_in("cancel").await;
    let res = w.browser.get(w.app.url(&back)).send().await.unwrap();
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("sign-in that proves the consent was cancelled")
    );
    assert!(
        linked(&w, org_of_technician(&w, ADMIN).await, &page)
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn the_sign_in_callback_in_another_session_links_nothing() {
    let (w, page, back) = consented_then_at_sign_in("approve").await;
    // The same admin, signed in on another browser, receives the redirect.
    let other = signed_in(&w.app, ADMIN).await;
    let res = other.get(w.app.url(&back)).send().await.unwrap();
    assert_eq!(res.status(), 422);
    let res = w.browser.get(w.app.url(&back)).send().await.unwrap();
    assert_eq!(res.status(), 422, "used up by the first attempt");
    assert!(
        linked(&w, org_of_technician(&w, ADMIN).await, &page)
            .await
            .is_empty()
    );
}
