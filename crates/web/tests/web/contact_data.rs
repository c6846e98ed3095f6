//! Contact data over HTTP (issue 17.11–17.13): a removed contact cannot be verified or sent
//! to and the Pod says where and when it was removed; every name field refuses a text over
//! its limit with a clear message and changes nothing; national numbers of a synced tenant
//! are read with the user's, the tenant's and the customer's country, and read again when one
//! of them changes, without a resync.

use crate::contacts::{customer, sync, user};
use crate::integrations::{CONTOSO, World, example, world_with};
use crate::m365_support::{contacts, contoso_linked, sync_via_queue};
use crate::{PW, get, signed_in};
use countersign_app::microsoft::TenantLink;
use countersign_domain::{CustomerId, Email, OrgId, Role};
use countersign_emulator::UserSpec;
use countersign_store::{
    ContactStore, CustomerStore, IntegrationStore, MessageFilter, MessageStore, OrgStore,
    SourceKind, SyncedContact,
};
use countersign_testkit::{TestApp, skip_postgres};

/// Templates of every message queued for the org.
async fn templates(app: &TestApp, org: OrgId) -> Vec<String> {
    let all = MessageFilter {
        transport: None,
        channel: None,
        limit: 100,
    };
    let messages = app.app.store().messages(org, &all).await.unwrap();
    messages.into_iter().map(|m| m.template).collect()
}

/// Status and body of a refused form: not a redirect (nothing saved), not a server error.
async fn refused(res: reqwest::Response) -> String {
    let status = res.status().as_u16();
    let body = res.text().await.unwrap();
    assert!((400..500).contains(&status), "{status}: {body}");
    body
}

/// A page with the session's form token (the Pod of a removed contact has no form).
const FORM_PAGE: &str = "/settings";

#[tokio::test]
async fn a_removed_contact_cannot_be_verified_or_sent_to_and_the_pod_says_when() {
    let app = TestApp::new().await;
    let a = app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let org = a.org.id;
    let cust = customer(&app, org, "Contoso", SourceKind::Microsoft365).await;
    let ann = user("1", "Ann Lee", "ann@c.example", "+1 425 555 0101");
    let id = sync(&app, org, &cust, std::slice::from_ref(&ann)).await;
    let c = signed_in(&app, "admin@acme.test").await;
    let pod = format!("/pod/contacts/{id}");

    // A Secure Send with recipient verification, made while the contact was current.
    let csrf = app.csrf(&c, &format!("{pod}?action=verify")).await;
    let body = serde_json::json!({
        "kind": "send",
        "contact": id.to_string(),
        "channel": "copy",
        "envelope": "AQBvcGFxdWUtY2lwaGVydGV4dC1ieXRlcy1tYWRlLWJ5LXRoZS1icm93c2Vy",
        "server_share": "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc",
        "expiry": "1h",
        "views": 1,
    });
    let res = c
        .post(app.url("/pod/secrets"))
        .header("x-csrf-token", &csrf)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let link: serde_json::Value = res.json().await.unwrap();
    let path = link["path"].as_str().unwrap().to_owned();

    // Microsoft 365 removes the user.
    let removed_at = app.app.now();
    app.app
        .store()
        .upsert_synced_contacts(
            org,
            cust.id,
            SourceKind::Microsoft365,
            &[SyncedContact {
                removed: true,
                ..ann
            }],
            removed_at,
        )
        .await
        .unwrap();
    let when = removed_at.display();

    let (status, page) = get(&app, &c, &pod).await;
    assert_eq!(status, 200);
    assert!(
        page.contains(&format!("was removed in Microsoft 365 on {when}")),
        "{page}"
    );
    assert!(!page.contains("?action=verify\""), "no action is offered");
    let (_, page) = get(&app, &c, &format!("{pod}?action=verify")).await;
    assert!(!page.contains("id=\"pod-verify\""), "no verify form");

    let before = templates(&app, org).await;
    // Verify: refused with the reason.
    let res = app
        .post_form(
            &c,
            FORM_PAGE,
            &format!("{pod}/verify"),
            &[("method", "sms_code")],
        )
        .await;
    let body = refused(res).await;
    assert!(body.contains("removed in Microsoft 365"), "{body}");
    // "Who I am": refused.
    let res = app
        .post_form(&c, FORM_PAGE, &format!("{pod}/who-i-am"), &[])
        .await;
    let body = refused(res).await;
    assert!(body.contains("removed in Microsoft 365"), "{body}");
    // A new Secure Send: refused.
    let csrf = app.csrf(&c, FORM_PAGE).await;
    let res = c
        .post(app.url("/pod/secrets"))
        .header("x-csrf-token", &csrf)
        .json(&body_json(&id.to_string()))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    assert!((400..500).contains(&status), "{status}: {text}");
    assert!(text.contains("removed in Microsoft 365"), "{text}");
    // The code of the link made before: not sent to the removed contact's phone.
    let r = app.client();
    let (_, page) = get(&app, &r, &path).await;
    let csrf = countersign_testkit::extract_csrf(&page).unwrap();
    let res = r
        .post(app.url(&format!("{path}/code")))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert!(res.status().as_u16() < 500);
    let text = res.text().await.unwrap();
    assert!(text.contains("removed in Microsoft 365"), "{text}");
    assert_eq!(templates(&app, org).await, before, "nothing was sent");
}

fn body_json(contact: &str) -> serde_json::Value {
    serde_json::json!({
        "kind": "send",
        "contact": contact,
        "channel": "sms",
        "envelope": "AQBvcGFxdWUtY2lwaGVydGV4dC1ieXRlcy1tYWRlLWJ5LXRoZS1icm93c2Vy",
        "expiry": "1h",
        "views": 1,
    })
}

#[tokio::test]
async fn every_name_field_refuses_a_text_over_its_limit_and_changes_nothing() {
    let app = TestApp::new().await;
    let a = app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let org = a.org.id;
    let c = signed_in(&app, "admin@acme.test").await;
    let long = "x".repeat(5000);
    let long = long.as_str();
    let too_long = |field: &str, max: usize| {
        // Pages start the message with a capital; the words after "the" are the same.
        format!("{field} is too long: {max} characters at most (this one has 5000)")
    };

    // The org: Settings, and a new org (the CLI's create-admin).
    let res = app
        .post_form(&c, "/settings", "/settings", &[("name", long)])
        .await;
    let body = refused(res).await;
    assert!(body.contains(&too_long("organisation name", 100)), "{body}");
    assert_eq!(app.app.store().org(org).await.unwrap().name, "Acme IT");
    let err = app
        .app
        .create_admin(long, &Email::parse("new@new.test").unwrap(), PW)
        .await
        .expect_err("a 5,000-character org name is refused");
    assert_eq!(
        err.to_string(),
        format!("the {}", too_long("organisation name", 100))
    );

    // Customers: new and renamed.
    let res = app
        .post_form(&c, "/customers", "/customers", &[("name", long)])
        .await;
    let body = refused(res).await;
    assert!(body.contains(&too_long("customer name", 256)), "{body}");
    assert!(
        app.app
            .store()
            .customers(org, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let shop = customer(&app, org, "Corner Shop", SourceKind::Manual).await;
    let res = app
        .post_form(
            &c,
            &format!("/customers/{}", shop.id),
            &format!("/customers/{}", shop.id),
            &[("name", long), ("default_country", "US")],
        )
        .await;
    let body = refused(res).await;
    assert!(body.contains(&too_long("customer name", 256)), "{body}");
    assert_eq!(
        app.app.store().customer(org, shop.id).await.unwrap().name,
        "Corner Shop"
    );

    // Contacts: each field of a new one, and an edit.
    let new_page = format!("/contacts/new?customer={}", shop.id);
    let shop_id = shop.id.to_string();
    for (field, label, max) in [
        ("given_name", "given name", 64),
        ("surname", "surname", 64),
        ("display_name", "display name", 256),
        ("job_title", "job title", 128),
        ("department", "department", 64),
        ("email", "email address", 254),
        ("mobile", "phone number", 64),
    ] {
        let mut fields = vec![("customer", shop_id.as_str()), ("given_name", "Sam")];
        fields.retain(|(k, _)| *k != field);
        fields.push((field, long));
        let res = app.post_form(&c, &new_page, "/contacts", &fields).await;
        let body = refused(res).await;
        assert!(body.contains(&too_long(label, max)), "{field}: {body}");
    }
    let manual = only_contact(&app, org, shop.id).await;
    assert!(manual.is_none(), "no contact was created");
    let res = app
        .post_form(
            &c,
            &new_page,
            "/contacts",
            &[("customer", shop_id.as_str()), ("given_name", "Sam")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let sam = only_contact(&app, org, shop.id).await.unwrap();
    let res = app
        .post_form(
            &c,
            &format!("/contacts/{sam}"),
            &format!("/contacts/{sam}"),
            &[("given_name", "Sam"), ("display_name", long)],
        )
        .await;
    let body = refused(res).await;
    assert!(body.contains(&too_long("display name", 256)), "{body}");
    let stored = app.app.store().contact(org, sam).await.unwrap();
    assert_eq!(stored.display_name, "Sam");

    // A technician's name, when accepting an invite: refused, and the invite still works.
    let created = app
        .app
        .invite_technician(
            &crate::principal(&a.technician),
            &Email::parse("tech@acme.test").unwrap(),
            Role::Technician,
        )
        .await
        .unwrap();
    let invite = format!("/invite/{}", created.link.rsplit('/').next().unwrap());
    let t = app.client();
    let res = app
        .post_form(
            &t,
            &invite,
            &invite,
            &[("name", long), ("password", PW), ("confirm", PW)],
        )
        .await;
    let body = refused(res).await;
    assert!(body.contains(&too_long("name", 100)), "{body}");
    let res = app
        .post_form(
            &t,
            &invite,
            &invite,
            &[("name", "Tess"), ("password", PW), ("confirm", PW)],
        )
        .await;
    assert_eq!(res.status(), 303, "the invite was not used up");

    // An integration's name.
    let res = app
        .post_form(
            &c,
            "/integrations/psa",
            "/integrations/psa",
            &[("kind", "microsoft365"), ("name", long)],
        )
        .await;
    let body = refused(res).await;
    assert!(body.contains("too long"), "{body}");
    assert!(app.app.store().integrations(org).await.unwrap().is_empty());
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}

/// The only contact of a customer, if any.
async fn only_contact(
    app: &TestApp,
    org: OrgId,
    customer: CustomerId,
) -> Option<countersign_domain::ContactId> {
    let q = countersign_store::ContactQuery {
        customer: Some(customer),
        include_inactive: true,
        limit: 10,
        ..countersign_store::ContactQuery::default()
    };
    let found = app.app.store().search_contacts(org, &q).await.unwrap();
    assert!(found.len() <= 1);
    found.first().map(|k| k.id)
}

/// A user of Contoso with a mobile number and, maybe, a usage location or country.
fn contoso_user(name: &str, mobile: &str, usage: Option<&str>, country: Option<&str>) -> UserSpec {
    UserSpec {
        display_name: name.into(),
        upn: name.to_lowercase().replace(' ', "."),
        mobile_phone: Some(mobile.into()),
        usage_location: usage.map(Into::into),
        country: country.map(Into::into),
        account_enabled: true,
        ..UserSpec::default()
    }
}

/// The example scenario, with Contoso naming no country (`countryLetterCode` null).
fn countryless_contoso() -> countersign_emulator::Scenario {
    let mut scenario = example();
    let contoso = scenario
        .tenants
        .iter_mut()
        .find(|t| t.domain == "contoso.onmicrosoft.com")
        .unwrap();
    contoso.country = Some(String::new());
    scenario
}

/// The E.164 form of each named contact's mobile.
async fn e164s(w: &World, l: &TenantLink, names: &[&str]) -> Vec<Option<String>> {
    let all = contacts(w, l).await;
    names
        .iter()
        .map(|n| {
            all.values()
                .find(|c| c.display_name == *n)
                .unwrap_or_else(|| panic!("no {n}"))
                .mobile_e164
                .clone()
        })
        .collect()
}

async fn national_numbers_follow_microsofts_countries(postgres: bool) {
    // The tenant names no country at first (`countryLetterCode` null).
    let w = world_with(postgres, countryless_contoso()).await;
    let ctl = w.sim.control();
    for u in [
        contoso_user("Uma Usage", "0151 23456789", Some("DE"), Some("France")),
        contoso_user("Cora Country", "06 12 34 56 78", None, Some("France")),
        contoso_user("Tess Tenant", "07700 900634", None, None),
        contoso_user("Fay Fixed", "020 7946 0000", Some("GB"), None),
    ] {
        ctl.add_user(CONTOSO, &u).unwrap();
    }
    let names = ["Uma Usage", "Cora Country", "Tess Tenant", "Fay Fixed"];
    let (_, l) = contoso_linked(&w).await;
    let synced = sync_via_queue(&w, l.id).await;
    assert_eq!(synced.last_sync_ok, Some(true), "{:?}", synced.last_error);
    // The user's usage location first, else its country; a fixed line is no mobile of
    // record; a national number with no country known stays unparsed.
    assert_eq!(
        e164s(&w, &l, &names).await,
        vec![
            Some("+4915123456789".into()),
            Some("+33612345678".into()),
            None,
            None
        ]
    );
    let org = l.new.org_id;
    let customer = synced.customer_id.unwrap();

    // The tenant's country is set in Microsoft 365; Sync Customer reads it and Tess's
    // number is read again, without a sync of the users.
    ctl.set_tenant_country(CONTOSO, Some("GB")).unwrap();
    w.app.app.sync_customer(org, l.id).await.unwrap();
    let stored = w.app.app.store().customer(org, customer).await.unwrap();
    assert_eq!(stored.tenant_country.map(|c| c.code()), Some("GB"));
    let tess = e164s(&w, &l, &names).await;
    assert_eq!(tess[2].as_deref(), Some("+447700900634"));
    assert_eq!(
        tess[0].as_deref(),
        Some("+4915123456789"),
        "the user's own first"
    );
    let all = contacts(&w, &l).await;
    let tess = all
        .values()
        .find(|c| c.display_name == "Tess Tenant")
        .unwrap();
    assert_eq!(tess.phone_changed_at, None, "no SIM-swap warning");
    // Searching the E.164 form finds the national text; the Pod can send SMS.
    let (_, html) = get(&w.app, &w.browser, "/contacts?q=%2B447700900634").await;
    assert!(html.contains(&format!("/contacts/{}", tess.id)), "{html}");
    let (_, pod) = get(
        &w.app,
        &w.browser,
        &format!("/pod/contacts/{}?action=verify", tess.id),
    )
    .await;
    assert!(!pod.contains("no mobile of record"), "{pod}");
    assert!(pod.contains("(+44 7700 900634)"), "shown as read: {pod}");

    // The tenant's country is cleared: the number is unread again; the customer's default
    // country, set by an admin, reads it once more, at once.
    ctl.set_tenant_country(CONTOSO, None).unwrap();
    w.app.app.sync_customer(org, l.id).await.unwrap();
    assert_eq!(e164s(&w, &l, &names).await[2], None);
    let page = format!("/customers/{customer}");
    let res = w
        .app
        .post_form(
            &w.browser,
            &page,
            &page,
            &[("name", stored.name.as_str()), ("default_country", "GB")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        e164s(&w, &l, &names).await[2].as_deref(),
        Some("+447700900634")
    );
}

#[tokio::test]
async fn national_numbers_follow_microsofts_countries_sqlite() {
    national_numbers_follow_microsofts_countries(false).await;
}

#[tokio::test]
async fn national_numbers_follow_microsofts_countries_postgres() {
    if skip_postgres() {
        return;
    }
    national_numbers_follow_microsofts_countries(true).await;
}

async fn a_full_round_reads_a_tenant_country_not_known_yet(postgres: bool) {
    let w = world_with(postgres, countryless_contoso()).await;
    let ctl = w.sim.control();
    ctl.add_user(
        CONTOSO,
        &contoso_user("Tess Tenant", "07700 900634", None, None),
    )
    .unwrap();
    // Linked while the tenant named no country; its admin sets one before the first sync.
    let (_, l) = contoso_linked(&w).await;
    ctl.set_tenant_country(CONTOSO, Some("GB")).unwrap();
    let synced = sync_via_queue(&w, l.id).await;
    assert_eq!(synced.last_sync_ok, Some(true), "{:?}", synced.last_error);
    let customer = w
        .app
        .app
        .store()
        .customer(l.new.org_id, synced.customer_id.unwrap())
        .await
        .unwrap();
    assert_eq!(customer.tenant_country.map(|c| c.code()), Some("GB"));
    assert_eq!(
        e164s(&w, &l, &["Tess Tenant"]).await,
        vec![Some("+447700900634".to_owned())]
    );
}

#[tokio::test]
async fn a_full_round_reads_a_tenant_country_not_known_yet_sqlite() {
    a_full_round_reads_a_tenant_country_not_known_yet(false).await;
}

#[tokio::test]
async fn a_full_round_reads_a_tenant_country_not_known_yet_postgres() {
    if skip_postgres() {
        return;
    }
    a_full_round_reads_a_tenant_country_not_known_yet(true).await;
}
