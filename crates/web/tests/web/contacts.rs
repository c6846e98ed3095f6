//! Contacts, customers and the Pod through HTTP: search (phone digits, accents, email case),
//! keyset pages that stay stable while a sync writes, edits with validation and write-back,
//! manual contacts, the Pod's headers, warning and history, and Pod-only technicians.

use crate::{PW, get, location, signed_in};
use countersign_domain::{ContactId, Country, CustomerId, OrgId, VerificationId};
use countersign_store::{
    ContactQuery, ContactStore, Customer, CustomerStore, PodSettings, PodStore, SourceKind,
    SyncedContact, Verification, VerificationMethod, VerificationStatus, VerificationStore,
};
use countersign_testkit::TestApp;
use std::time::Duration;

/// Stores a customer of `org` with `source`.
pub async fn customer(app: &TestApp, org: OrgId, name: &str, source: SourceKind) -> Customer {
    let c = Customer {
        id: CustomerId::new(),
        org_id: org,
        name: name.to_owned(),
        source,
        external_id: (source != SourceKind::Manual).then(|| format!("tenant-{name}")),
        default_country: Some(Country::US),
        tenant_country: None,
        last_synced_at: None,
        created_at: app.app.now(),
    };
    app.app.store().create_customer(&c).await.unwrap();
    c
}

/// A synced user.
pub fn user(id: &str, name: &str, email: &str, mobile: &str) -> SyncedContact {
    let digits: String = mobile.chars().filter(char::is_ascii_digit).collect();
    SyncedContact {
        external_id: id.to_owned(),
        upn: Some(email.to_lowercase()),
        given_name: name.split(' ').next().unwrap_or("").to_owned(),
        surname: name.split(' ').nth(1).unwrap_or("").to_owned(),
        display_name: name.to_owned(),
        email: Some(email.to_owned()),
        mobile: Some(mobile.to_owned()),
        mobile_e164: Some(format!("+{digits}")),
        account_enabled: true,
        user_type: "Member".into(),
        ..SyncedContact::default()
    }
}

/// Syncs users into a customer and returns the contact id of the first.
pub async fn sync(app: &TestApp, org: OrgId, c: &Customer, users: &[SyncedContact]) -> ContactId {
    app.app
        .store()
        .upsert_synced_contacts(org, c.id, SourceKind::Microsoft365, users, app.app.now())
        .await
        .unwrap();
    let q = ContactQuery {
        tokens: countersign_domain::search::parse_query(&users[0].display_name),
        include_inactive: true,
        limit: 1,
        ..ContactQuery::default()
    };
    app.app.store().search_contacts(org, &q).await.unwrap()[0].id
}

/// Rows of the contacts table (the name cells), in order.
fn names(body: &str) -> Vec<String> {
    body.split("<td><a href=\"/contacts/")
        .skip(1)
        .filter_map(|s| s.split_once("\">").map(|(_, rest)| rest))
        .filter_map(|s| s.split_once("</a>").map(|(n, _)| n.replace("&#39;", "'")))
        .collect()
}

async fn search(app: &TestApp, c: &reqwest::Client, q: &str) -> Vec<String> {
    let (status, body) = get(app, c, &format!("/contacts?q={}", urlencoding::encode(q))).await;
    assert_eq!(status, 200, "{body}");
    names(&body)
}

#[tokio::test]
async fn search_finds_phone_digits_unicode_names_and_email_in_any_case() {
    let app = TestApp::new().await;
    let a = app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let contoso = customer(&app, a.org.id, "Contoso", SourceKind::Microsoft365).await;
    sync(
        &app,
        a.org.id,
        &contoso,
        &[
            user(
                "1",
                "Zoë Ångström",
                "Zoe.Angstrom@Contoso.example",
                "+1 425 555 0101",
            ),
            user(
                "2",
                "José Álvarez",
                "jose@contoso.example",
                "+1 425 555 0199",
            ),
            user("3", "Ann Lee", "ann@contoso.example", "+44 7700 900123"),
        ],
    )
    .await;
    let c = signed_in(&app, "admin@acme.test").await;
    assert_eq!(search(&app, &c, "0101").await, vec!["Zoë Ångström"]);
    assert_eq!(
        search(&app, &c, "+1 (425) 555-0101").await,
        vec!["Zoë Ångström"]
    );
    assert_eq!(search(&app, &c, "zoe").await, vec!["Zoë Ångström"]);
    assert_eq!(search(&app, &c, "ÅNGSTRÖM").await, vec!["Zoë Ångström"]);
    assert_eq!(search(&app, &c, "jose alv").await, vec!["José Álvarez"]);
    assert_eq!(
        search(&app, &c, "ZOE.ANGSTROM@contoso").await,
        vec!["Zoë Ångström"]
    );
    assert_eq!(search(&app, &c, "7700").await, vec!["Ann Lee"]);
    assert!(search(&app, &c, "nobody").await.is_empty());
    let (_, body) = get(&app, &c, "/contacts").await;
    assert_eq!(
        names(&body),
        vec!["Ann Lee", "José Álvarez", "Zoë Ångström"]
    );
    assert!(
        body.contains("/pod/contacts/"),
        "the Actions column opens the Pod"
    );
    // The customer filter is in the URL.
    let other = customer(&app, a.org.id, "Fabrikam", SourceKind::Microsoft365).await;
    sync(
        &app,
        a.org.id,
        &other,
        &[user(
            "9",
            "Fay Fabri",
            "fay@fabrikam.example",
            "+1 206 555 0101",
        )],
    )
    .await;
    let (_, body) = get(&app, &c, &format!("/contacts?q=0101&customer={}", other.id)).await;
    assert_eq!(names(&body), vec!["Fay Fabri"]);
    let (_, body) = get(&app, &c, "/contacts?source=manual").await;
    assert!(names(&body).is_empty());
}

#[tokio::test]
async fn pages_follow_the_url_and_stay_stable_while_a_sync_writes() {
    let app = TestApp::new().await;
    let a = app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let cust = customer(&app, a.org.id, "Contoso", SourceKind::Microsoft365).await;
    let users: Vec<SyncedContact> = (0..120)
        .map(|i| {
            user(
                &format!("u{i}"),
                &format!("M{i:03} Person"),
                &format!("m{i}@c.example"),
                "+1 425 555 0100",
            )
        })
        .collect();
    sync(&app, a.org.id, &cust, &users).await;
    let c = signed_in(&app, "admin@acme.test").await;
    let (_, body) = get(&app, &c, "/contacts").await;
    let mut seen = names(&body);
    assert_eq!(seen.len(), 50);
    let mut next = body
        .split("href=\"")
        .find_map(|s| {
            s.split_once("\" rel=\"next\"")
                .map(|(u, _)| u.replace("&amp;", "&"))
        })
        .unwrap();
    // A sync adds contacts on both sides of the cursor and rewrites the rest.
    let mut more = users.clone();
    more.push(user(
        "new-a",
        "A000 Early",
        "a@c.example",
        "+1 425 555 0100",
    ));
    more.push(user("new-z", "Z999 Late", "z@c.example", "+1 425 555 0100"));
    app.app
        .store()
        .upsert_synced_contacts(
            a.org.id,
            cust.id,
            SourceKind::Microsoft365,
            &more,
            app.app.now(),
        )
        .await
        .unwrap();
    loop {
        let (status, body) = get(&app, &c, &next).await;
        assert_eq!(status, 200);
        seen.extend(names(&body));
        match body.split("href=\"").find_map(|s| {
            s.split_once("\" rel=\"next\"")
                .map(|(u, _)| u.replace("&amp;", "&"))
        }) {
            Some(n) => next = n,
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "no contact twice");
    assert_eq!(
        seen.len(),
        121,
        "every original once, plus the one added after the cursor"
    );
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "in order");
}

#[tokio::test]
async fn edits_are_validated_and_synced_contacts_are_not_faked() {
    let app = TestApp::new().await;
    let a = app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let c = signed_in(&app, "admin@acme.test").await;
    // A manual customer and contact, through the UI.
    let res = app
        .post_form(
            &c,
            "/customers",
            "/customers",
            &[("name", "Corner Shop"), ("default_country", "GB")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let shop_url = location(&res);
    let shop_id = shop_url
        .trim_start_matches("/customers/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let new_page = format!("/contacts/new?customer={shop_id}");
    let res = app
        .post_form(
            &c,
            &new_page,
            "/contacts",
            &[
                ("customer", &shop_id),
                ("given_name", "Sam"),
                ("surname", "Shop"),
                ("mobile", "12345"),
                ("email", "sam@shop.example"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("not a valid United Kingdom number"), "{body}");
    assert!(
        search(&app, &c, "sam").await.is_empty(),
        "nothing was created"
    );
    let res = app
        .post_form(
            &c,
            &new_page,
            "/contacts",
            &[
                ("customer", &shop_id),
                ("given_name", "Sam"),
                ("surname", "Shop"),
                ("mobile", "07700 900123"),
                ("email", "Sam@Shop.example"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let contact_url = location(&res);
    let contact_path = contact_url.split('?').next().unwrap().to_owned();
    let (_, body) = get(&app, &c, &contact_path).await;
    assert!(
        body.contains("+447700900123") && body.contains("sam@shop.example"),
        "{body}"
    );
    assert_eq!(search(&app, &c, "900123").await, vec!["Sam Shop"]);

    // A bad email is refused with a specific message, and nothing changes.
    let res = app
        .post_form(
            &c,
            &contact_path,
            &contact_path,
            &[
                ("given_name", "Sam"),
                ("surname", "Shop"),
                ("mobile", "+1 425 555 0101"),
                ("email", "not-an-email"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Email address: an email address has the form")
    );
    assert_eq!(search(&app, &c, "0101").await, Vec::<String>::new());
    let res = app
        .post_form(
            &c,
            &contact_path,
            &contact_path,
            &[
                ("given_name", "Sam"),
                ("surname", "Shop"),
                ("mobile", "+1 425 555 0101"),
                ("email", "sam@shop.example"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(search(&app, &c, "0101").await, vec!["Sam Shop"]);

    // A Microsoft 365 contact: the edit would go to Microsoft 365, which is not there yet.
    let m365 = customer(&app, a.org.id, "Contoso", SourceKind::Microsoft365).await;
    let id = sync(
        &app,
        a.org.id,
        &m365,
        &[user(
            "1",
            "Zed Synced",
            "zed@contoso.example",
            "+1 425 555 0177",
        )],
    )
    .await;
    let page = format!("/contacts/{id}");
    let res = app
        .post_form(
            &c,
            &page,
            &page,
            &[
                ("mobile", "+1 425 555 0188"),
                ("email", "zed@contoso.example"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    // The Microsoft 365 write-back port refuses when no integration links the tenant.
    assert!(
        body.contains("so the change cannot reach Microsoft 365; the change was not saved"),
        "{body}"
    );
    let zed = app.app.store().contact(a.org.id, id).await.unwrap();
    assert_eq!(
        zed.mobile_e164.as_deref(),
        Some("+14255550177"),
        "unchanged"
    );
    assert!(zed.phone_changed_at.is_none());

    // Manual contacts can be deleted; synced ones cannot.
    let res = app
        .post_form(&c, &page, &format!("{page}/delete"), &[])
        .await;
    assert_eq!(res.status(), 422);
    let res = app
        .post_form(&c, &contact_path, &format!("{contact_path}/delete"), &[])
        .await;
    assert_eq!(res.status(), 303);
    assert!(search(&app, &c, "sam").await.is_empty());
}

#[tokio::test]
async fn customers_page_lists_counts_sources_and_the_default_country() {
    let app = TestApp::new().await;
    let a = app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let cust = customer(&app, a.org.id, "Contoso", SourceKind::Microsoft365).await;
    sync(
        &app,
        a.org.id,
        &cust,
        &[
            user("1", "Ann Lee", "ann@c.example", "+1 425 555 0101"),
            user("2", "Bo Li", "bo@c.example", "+1 425 555 0102"),
        ],
    )
    .await;
    let c = signed_in(&app, "admin@acme.test").await;
    let (status, body) = get(&app, &c, "/customers").await;
    assert_eq!(status, 200);
    assert!(
        body.contains("Contoso") && body.contains("Microsoft 365") && body.contains(">2</a>"),
        "{body}"
    );
    let (status, body) = get(&app, &c, &format!("/customers/{}", cust.id)).await;
    assert_eq!(status, 200);
    assert!(body.contains("United States") && body.contains("Ann Lee") && body.contains("Bo Li"));
    let res = app
        .post_form(
            &c,
            &format!("/customers/{}", cust.id),
            &format!("/customers/{}", cust.id),
            &[("name", "ignored"), ("default_country", "XX")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(
        app.app
            .store()
            .customer(a.org.id, cust.id)
            .await
            .unwrap()
            .default_country,
        Some(Country::US)
    );
}

fn verification(
    org: OrgId,
    contact: ContactId,
    tech: countersign_domain::TechnicianId,
    at: countersign_domain::Timestamp,
) -> Verification {
    Verification {
        id: VerificationId::new(),
        org_id: org,
        contact_id: contact,
        technician_id: Some(tech),
        method: VerificationMethod::SmsCode,
        channel: "sms".into(),
        destination_masked: "+•••••••0101".into(),
        status: VerificationStatus::Verified,
        at,
    }
}

#[tokio::test]
async fn pod_shows_state_history_and_the_sim_swap_warning() {
    let app = TestApp::new().await;
    let a = app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let cust = customer(&app, a.org.id, "Contoso", SourceKind::Microsoft365).await;
    let id = sync(
        &app,
        a.org.id,
        &cust,
        &[user("1", "Ann Lee", "ann@c.example", "+1 425 555 0101")],
    )
    .await;
    let c = signed_in(&app, "admin@acme.test").await;
    let pod = format!("/pod/contacts/{id}");
    let (status, body) = get(&app, &c, &pod).await;
    assert_eq!(status, 200);
    assert!(
        body.contains("Ann Lee")
            && body.contains("No verifications yet")
            && !body.contains("SIM-swap")
    );
    app.app
        .store()
        .record_verification(&verification(
            a.org.id,
            id,
            a.technician.id,
            app.app.now().minus(Duration::from_secs(180)),
        ))
        .await
        .unwrap();
    let (_, body) = get(&app, &c, &pod).await;
    assert!(
        body.contains(&format!(
            "verified 3 min ago by {}, SMS code",
            a.technician.name
        )),
        "{body}"
    );
    assert!(body.contains("class=\"verified ok\""));
    // After the window (15 min) the state is no longer green; the history keeps it.
    app.clock.advance(Duration::from_secs(16 * 60));
    let (_, body) = get(&app, &c, &pod).await;
    assert!(
        body.contains("Not verified in the last 15 min") && body.contains("pod-history"),
        "{body}"
    );

    // The number changes in a sync: the Pod warns before any verification, for 14 days.
    app.app
        .store()
        .upsert_synced_contacts(
            a.org.id,
            cust.id,
            SourceKind::Microsoft365,
            &[user("1", "Ann Lee", "ann@c.example", "+1 425 555 0199")],
            app.app.now(),
        )
        .await
        .unwrap();
    let (_, body) = get(&app, &c, &pod).await;
    let warning = body.find("SIM-swap risk").expect("warning");
    assert!(
        warning < body.find("?action=verify").unwrap(),
        "the warning comes before the actions"
    );
    assert!(
        body.contains(&format!(
            "changed on {} by the directory sync: confirm by another channel",
            app.app.now().display()
        )),
        "{body}"
    );
    app.clock.advance(Duration::from_secs(15 * 24 * 3600));
    // The session has expired meanwhile: sign in again.
    let c = signed_in(&app, "admin@acme.test").await;
    let (status, body) = get(&app, &c, &pod).await;
    assert_eq!(status, 200);
    assert!(
        body.contains("Ann Lee") && !body.contains("SIM-swap"),
        "{body}"
    );
    // Verify opens its panel (the SMS code to the number of record is the default).
    let (_, body) = get(&app, &c, &format!("{pod}?action=verify")).await;
    assert!(
        body.contains("id=\"pod-verify\"") && body.contains("value=\"sms_code\" checked"),
        "{body}"
    );
}

#[tokio::test]
async fn pod_framing_headers_follow_the_setting() {
    let app = TestApp::new().await;
    let a = app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let cust = customer(&app, a.org.id, "Contoso", SourceKind::Microsoft365).await;
    let id = sync(
        &app,
        a.org.id,
        &cust,
        &[user("1", "Ann Lee", "ann@c.example", "+1 425 555 0101")],
    )
    .await;
    let c = signed_in(&app, "admin@acme.test").await;
    let pod = app.url(&format!("/pod/contacts/{id}"));
    let res = c.get(&pod).send().await.unwrap();
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(res.headers()["x-frame-options"], "DENY");

    let res = app
        .post_form(
            &c,
            "/settings/pod",
            "/settings/pod",
            &[
                ("frame_ancestors", "https://a.example; script-src *"),
                ("verified_window_minutes", "15"),
                ("history_length", "10"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422, "a policy injection is refused");
    let res = app
        .post_form(
            &c,
            "/settings/pod",
            "/settings/pod",
            &[
                (
                    "frame_ancestors",
                    "https://psa.example.com\nhttps://*.halopsa.example",
                ),
                ("verified_window_minutes", "30"),
                ("history_length", "5"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let res = c.get(&pod).send().await.unwrap();
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("frame-ancestors 'self' https://psa.example.com https://*.halopsa.example"),
        "{csp}"
    );
    assert!(res.headers().get("x-frame-options").is_none());
    // Other pages still refuse framing.
    let res = c.get(app.url("/contacts")).send().await.unwrap();
    assert!(
        res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert_eq!(res.headers()["x-frame-options"], "DENY");
    let s = app.app.store().pod_settings(a.org.id).await.unwrap();
    assert_eq!((s.verified_window_minutes, s.history_length), (30, 5));
    assert_ne!(s, PodSettings::defaults(a.org.id));
}

#[tokio::test]
async fn pod_only_technicians_reach_the_pod_and_their_account_only() {
    let app = TestApp::new().await;
    let a = app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let tech = crate::add_technician(&app, "admin@acme.test", "tess@acme.test", "Tess Tech").await;
    let cust = customer(&app, a.org.id, "Contoso", SourceKind::Microsoft365).await;
    let id = sync(
        &app,
        a.org.id,
        &cust,
        &[user("1", "Ann Lee", "ann@c.example", "+1 425 555 0101")],
    )
    .await;
    let admin = signed_in(&app, "admin@acme.test").await;
    let page = format!("/settings/technicians/{}", tech.id);
    let res = app
        .post_form(
            &admin,
            &page,
            &format!("{page}/pod-only"),
            &[("pod_only", "on")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let t = signed_in(&app, "tess@acme.test").await;
    for path in [
        "/contacts",
        "/customers",
        &format!("/contacts/{id}"),
        "/integrations/psa",
    ] {
        let (status, body) = get(&app, &t, path).await;
        assert_eq!(status, 403, "{path}");
        assert!(body.contains("Pod only"), "{path}");
    }
    assert_eq!(get(&app, &t, &format!("/pod/contacts/{id}")).await.0, 200);
    assert_eq!(get(&app, &t, "/account").await.0, 200);
    let (_, body) = get(&app, &t, &format!("/pod/contacts/{id}")).await;
    assert!(!body.contains("Open in Countersign"));
    // Lifted again: the whole UI.
    let res = app
        .post_form(&admin, &page, &format!("{page}/pod-only"), &[])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(get(&app, &t, "/contacts").await.0, 200);
    let (_, audit) = get(&app, &admin, "/audit").await;
    assert!(audit.contains("technician.pod_only_changed"));
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}
