//! Changing where codes go is privileged (issue 18.5, ASVS 8.2.3): a technician changes a
//! contact's mobile number or email address only with the admin role or the "Edit contacts"
//! permission (403 otherwise, nothing saved or written back); granting and revoking is
//! audited; a number changed within 14 days shows who changed it on the Pod, and an SMS
//! verification to it needs a note, which the audit log keeps.

use crate::contacts::customer;
use crate::integrations::{ADMIN, example, world_with};
use crate::m365_support::{contacts, contoso_linked, org_of, sync_via_queue};
use crate::{PW, add_technician, get, location, signed_in};
use countersign_app::contacts::ContactInput;
use countersign_domain::{OrgId, Permission};
use countersign_store::{
    AuditFilter, AuditStore, Channel, ContactStore, MessageFilter, MessageStore, SourceKind,
    TechnicianStore,
};
use countersign_testkit::{TestApp, skip_postgres};
use std::time::Duration;

const TARO: &str = "22222222-0000-4000-8000-000000000002";

/// The details of the org's audit entries of `action` (in no particular order: the manual
/// clock may give them one time).
async fn audited(app: &TestApp, org: OrgId, action: &str) -> Vec<String> {
    let entries = app
        .app
        .store()
        .audit_entries(
            org,
            &AuditFilter {
                action_prefix: Some(action.into()),
                limit: 50,
                ..AuditFilter::default()
            },
        )
        .await
        .unwrap();
    entries
        .into_iter()
        .filter(|e| e.entry.action == action)
        .map(|e| e.entry.detail)
        .collect()
}

async fn edit_permission(postgres: bool) {
    let w = world_with(postgres, example()).await;
    let (_, l) = contoso_linked(&w).await;
    assert_eq!(sync_via_queue(&w, l.id).await.last_sync_ok, Some(true));
    let org = org_of(&w).await;
    let taro = contacts(&w, &l).await[TARO].clone();
    let ctl = w.sim.control();
    ctl.clear_writes();
    let tina = add_technician(&w.app, ADMIN, "tina@msp.test", "Tina Tech").await;
    let tc = signed_in(&w.app, "tina@msp.test").await;
    let page = format!("/contacts/{}", taro.id);
    let email = taro.email.clone().unwrap_or_default();
    let edit = |c: &reqwest::Client, mobile: &str, email: &str| {
        let (c, page, mobile, email) =
            (c.clone(), page.clone(), mobile.to_owned(), email.to_owned());
        let app = &w.app;
        async move {
            let res = app
                .post_form(&c, &page, &page, &[("mobile", &mobile), ("email", &email)])
                .await;
            let status = res.status().as_u16();
            (status, res.text().await.unwrap())
        }
    };

    // The form says so up front; the server refuses a changed mobile or email with a 403.
    let (_, body) = get(&w.app, &tc, &page).await;
    assert!(body.contains("id=\"channels-locked\""), "{body}");
    let (status, body) = edit(&tc, "+1 206 555 0123", &email).await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("Edit contacts"), "{body}");
    let (status, body) = edit(&tc, taro.mobile.as_deref().unwrap(), "tina@evil.example").await;
    assert_eq!(status, 403, "{body}");
    let now = w.app.app.store().contact(org, taro.id).await.unwrap();
    assert_eq!(
        (now.mobile_e164, now.email),
        (taro.mobile_e164.clone(), taro.email.clone()),
        "nothing saved"
    );
    assert!(ctl.writes().is_empty(), "nothing written back");
    assert_eq!(audited(&w.app, org, "contact.edit_refused").await.len(), 2);

    // An admin grants the permission on Settings ▸ Technicians: Tina may now.
    let tpage = format!("/settings/technicians/{}", tina.id);
    let grant = |fields: &'static [(&'static str, &'static str)]| {
        let (app, b, tpage) = (&w.app, &w.browser, tpage.clone());
        async move {
            let res = app
                .post_form(b, &tpage, &format!("{tpage}/permissions"), fields)
                .await;
            assert_eq!(res.status(), 303);
            assert!(location(&res).ends_with("notice=permissions_changed"));
        }
    };
    grant(&[("edit_contacts", "on")]).await;
    let (_, body) = get(&w.app, &w.browser, &tpage).await;
    assert!(
        body.contains("name=\"edit_contacts\" value=\"on\" checked"),
        "{body}"
    );
    let (status, body) = edit(&tc, "+1 206 555 0123", &email).await;
    assert_eq!(status, 303, "{body}");
    let now = w.app.app.store().contact(org, taro.id).await.unwrap();
    assert_eq!(now.mobile_e164.as_deref(), Some("+12065550123"));
    assert_eq!(ctl.writes().len(), 1, "written back once");

    // Revoked: refused again. Both changes are audited.
    grant(&[]).await;
    let (status, _) = edit(&tc, "+1 206 555 0199", &email).await;
    assert_eq!(status, 403);
    assert_eq!(ctl.writes().len(), 1);
    let changes = audited(&w.app, org, "technician.permissions_changed").await;
    assert_eq!(changes.len(), 2, "{changes:?}");
    for change in [
        "\"granted\":[\"edit_contacts\"]",
        "\"revoked\":[\"edit_contacts\"]",
    ] {
        assert!(changes.iter().any(|c| c.contains(change)), "{changes:?}");
    }
    let tina = w.app.app.store().technician(org, tina.id).await.unwrap();
    assert!(!tina.permissions.contains(Permission::EditContacts));

    // An admin needs no grant.
    let (status, body) = edit(&w.browser, "+1 206 555 0145", &email).await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(ctl.writes().len(), 2);
    // Deliver what the test queued, as a server's workers would (none may be left).
    w.app.run_jobs().await;
}

#[tokio::test]
async fn changing_mobile_or_email_needs_the_edit_contacts_permission() {
    edit_permission(false).await;
}

#[tokio::test]
async fn changing_mobile_or_email_needs_the_edit_contacts_permission_postgres() {
    if skip_postgres() {
        return;
    }
    edit_permission(true).await;
}

/// An org with a manual customer, its contact Ann Lee (created by the admin with a mobile
/// number and an email address), and Tom, a technician without permissions, signed in.
struct Shop {
    app: TestApp,
    admin: countersign_app::accounts::CreatedAdmin,
    customer: countersign_store::Customer,
    ann: countersign_store::Contact,
    tom: reqwest::Client,
}

async fn corner_shop() -> Shop {
    let app = TestApp::new().await;
    let admin = app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let customer = customer(&app, admin.org.id, "Corner Shop", SourceKind::Manual).await;
    let ann = app
        .app
        .create_contact(
            &countersign_app::Principal::technician(
                &admin.technician,
                std::net::IpAddr::from([127, 0, 0, 1]),
            ),
            customer.id,
            &ContactInput {
                display_name: "Ann Lee".into(),
                mobile: "+1 425 555 0101".into(),
                email: "ann@shop.example".into(),
                ..ContactInput::default()
            },
        )
        .await
        .unwrap();
    add_technician(&app, "admin@acme.test", "tom@acme.test", "Tom Tech").await;
    let tom = signed_in(&app, "tom@acme.test").await;
    Shop {
        app,
        admin,
        customer,
        ann,
        tom,
    }
}

#[tokio::test]
async fn technicians_still_edit_other_fields_and_create_contacts_without_channels() {
    let Shop {
        app,
        admin: a,
        customer: cust,
        ann,
        tom: tc,
    } = corner_shop().await;
    let page = format!("/contacts/{}", ann.id);
    let form = |mobile: &'static str, job: &'static str| {
        [
            ("display_name", "Ann Lee"),
            ("mobile", mobile),
            ("email", "ann@shop.example"),
            ("job_title", job),
        ]
    };
    let res = app
        .post_form(&tc, &page, &page, &form("+1 425 555 0101", "Owner"))
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let res = app
        .post_form(&tc, &page, &page, &form("+1 425 555 0199", "Cashier"))
        .await;
    assert_eq!(res.status(), 403);
    let now = app.app.store().contact(a.org.id, ann.id).await.unwrap();
    assert_eq!(now.job_title, "Owner", "the refused form changed nothing");
    assert_eq!(now.mobile_e164.as_deref(), Some("+14255550101"));

    // Creating: with a number refused; without, as before.
    let new = format!("/contacts/new?customer={}", cust.id);
    let customer_id = cust.id.to_string();
    let res = app
        .post_form(
            &tc,
            &new,
            "/contacts",
            &[
                ("customer", &customer_id),
                ("display_name", "Bob Ray"),
                ("mobile", "+1 425 555 0177"),
            ],
        )
        .await;
    assert_eq!(res.status(), 403);
    let res = app
        .post_form(
            &tc,
            &new,
            "/contacts",
            &[("customer", &customer_id), ("display_name", "Bob Ray")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, body) = get(&app, &tc, "/contacts?q=bob").await;
    assert!(body.contains("Bob Ray"), "{body}");
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}

#[tokio::test]
async fn a_recently_changed_number_needs_a_note_for_14_days() {
    let Shop {
        app,
        admin: a,
        ann,
        tom: tc,
        ..
    } = corner_shop().await;
    let org = a.org.id;
    let pod = format!("/pod/contacts/{}", ann.id);
    let verify = |c: &reqwest::Client, note: &'static str| {
        let (c, pod) = (c.clone(), pod.clone());
        let app = &app;
        async move {
            let res = app
                .post_form(
                    &c,
                    &format!("{pod}?action=verify"),
                    &format!("{pod}/verify"),
                    &[("method", "sms_code"), ("note", note)],
                )
                .await;
            let status = res.status().as_u16();
            (status, res.text().await.unwrap())
        }
    };
    let sent = || async {
        let all = MessageFilter {
            transport: None,
            channel: Some(Channel::Sms),
            limit: 100,
        };
        app.app.store().messages(org, &all).await.unwrap().len()
    };

    // A number of record never changed (created with it): no note needed.
    let (status, body) = verify(&tc, "").await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(sent().await, 1);

    // The admin changes the number: the Pod says when and who, and SMS needs a note.
    app.clock.advance(Duration::from_secs(3600));
    let admin = signed_in(&app, "admin@acme.test").await;
    let page = format!("/contacts/{}", ann.id);
    let res = app
        .post_form(
            &admin,
            &page,
            &page,
            &[
                ("display_name", "Ann Lee"),
                ("mobile", "+1 425 555 0188"),
                ("email", "ann@shop.example"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let changed = app.app.now();
    let tc = signed_in(&app, "tom@acme.test").await;
    let (_, body) = get(&app, &tc, &pod).await;
    assert!(
        body.contains(&format!(
            "The mobile number was changed on {} by {}: confirm by another channel",
            changed.display(),
            a.technician.name
        )),
        "{body}"
    );
    let (status, body) = verify(&tc, "").await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("add a note saying how"), "{body}");
    assert_eq!(sent().await, 1, "nothing sent");
    let (status, body) = verify(&tc, "called back on the desk phone of record").await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(sent().await, 2);
    let started = audited(&app, org, "verification.requested").await;
    assert_eq!(started.len(), 2, "{started:?}");
    let first = started
        .iter()
        .filter(|d| d.contains("\"changed_number\":false"));
    assert_eq!(
        first.count(),
        1,
        "the first number was never changed: {started:?}"
    );
    assert!(
        started.iter().any(|d| d.contains("\"changed_number\":true")
            && d.contains("\"note_text\":\"called back on the desk phone of record\"")),
        "{started:?}"
    );

    // Ten days on the warning still shows (a week is not enough); after 14 days, no note.
    app.clock.advance(Duration::from_secs(10 * 24 * 3600));
    let tc = signed_in(&app, "tom@acme.test").await;
    let (_, body) = get(&app, &tc, &pod).await;
    assert!(body.contains("confirm by another channel"), "{body}");
    app.clock.advance(Duration::from_secs(5 * 24 * 3600));
    let tc = signed_in(&app, "tom@acme.test").await;
    let (_, body) = get(&app, &tc, &pod).await;
    assert!(!body.contains("confirm by another channel"), "{body}");
    let (status, body) = verify(&tc, "").await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(sent().await, 3);
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}
