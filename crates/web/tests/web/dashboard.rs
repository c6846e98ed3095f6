//! The dashboard (issue 21.1) over HTTP: sign-in lands on it, the period picker is links,
//! the charts are inline SVG with classes (no style attribute) and their numbers in tables,
//! the CSV, who sees the per-technician breakdown, and one org never sees another's figures.

use crate::{PW, add_technician, get, location, principal, signed_in};
use countersign_domain::{OrgId, TechnicianId, VerificationId};
use countersign_store::{
    ContactStore, CustomerStore, IntegrationKind, NewSyncSource, PhoneStore, SourceKind,
    SyncSourceStore, SyncedContact, Verification, VerificationMethod, VerificationStatus,
    VerificationStore,
};
use countersign_testkit::TestApp;

/// One verified verification of a contact of a customer named `customer`, just now.
async fn a_verification(app: &TestApp, org: OrgId, technician: TechnicianId, customer: &str) {
    let store = app.app.store();
    let c = store
        .upsert_synced_customer(
            org,
            SourceKind::Microsoft365,
            customer,
            customer,
            app.app.now(),
        )
        .await
        .unwrap();
    let contact = SyncedContact {
        external_id: "u1".into(),
        upn: None,
        given_name: "Ann".into(),
        surname: "Lee".into(),
        display_name: "Ann Lee".into(),
        email: None,
        mobile: Some("+1 425 555 0101".into()),
        mobile_e164: Some("+14255550101".into()),
        account_enabled: true,
        user_type: "Member".into(),
        ..SyncedContact::default()
    };
    store
        .upsert_synced_contacts(
            org,
            c.id,
            SourceKind::Microsoft365,
            &[contact],
            app.app.now(),
        )
        .await
        .unwrap();
    let contact = store
        .contacts_with_mobile(org, c.id, SourceKind::Microsoft365)
        .await
        .unwrap()[0]
        .id;
    store
        .record_verification(&Verification {
            id: VerificationId::new(),
            org_id: org,
            contact_id: contact,
            technician_id: Some(technician),
            method: VerificationMethod::SmsCode,
            channel: "sms".into(),
            destination_masked: "+•••••••0101".into(),
            status: VerificationStatus::Verified,
            at: app.app.now(),
        })
        .await
        .unwrap();
}

pub async fn the_dashboard(app: TestApp) {
    let admin = app.create_admin("Acme IT", "admin@acme.test", PW).await;
    a_verification(&app, admin.org.id, admin.technician.id, "Alpha Dental").await;
    let other = app.create_admin("Other MSP", "admin@other.test", PW).await;
    a_verification(&app, other.org.id, other.technician.id, "Zulu Secret Corp").await;

    // A tenant of an integration whose last sync failed.
    let integration = app
        .app
        .create_integration(
            &principal(&admin.technician),
            IntegrationKind::Microsoft365,
            "M365",
        )
        .await
        .unwrap();
    let store = app.app.store();
    let source = store
        .upsert_sync_source(
            &NewSyncSource {
                org_id: admin.org.id,
                integration_id: integration.id,
                external_id: "t-fabrikam".into(),
                link: "admin_consent".into(),
                display_name: "Fabrikam Tenant".into(),
                descriptor: "{}".into(),
            },
            app.app.now(),
        )
        .await
        .unwrap();
    store
        .finish_sync(
            admin.org.id,
            source.id,
            false,
            Some("Microsoft is throttling"),
            None,
            app.app.now(),
        )
        .await
        .unwrap();

    // Sign-in lands on the dashboard; the contact list stays in the navigation.
    let c = app.client();
    let res = app.login(&c, "admin@acme.test", PW).await;
    assert_eq!(location(&res), "/");
    let res = c.get(app.url("/")).send().await.unwrap();
    assert_eq!(
        (res.status().as_u16(), location(&res)),
        (303, "/dashboard".into())
    );
    let (status, html) = get(&app, &c, "/dashboard").await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"<a href="/dashboard" aria-current="page">Dashboard</a>"#));
    assert!(html.contains(r#"<a href="/contacts">Contacts</a>"#));

    // The default period is 30 days; the picker is three links and the CSV.
    assert!(html.contains(r#"<a href="/dashboard?days=30" aria-current="page">30 days</a>"#));
    assert!(html.contains(r#"<a href="/dashboard?days=7">7 days</a>"#));
    assert!(html.contains(r#"href="/dashboard.csv?days=30""#));
    // Charts: inline SVG drawn with classes (the CSP forbids style attributes), values
    // written, numbers in tables; "approx." beside the median.
    assert!(html.contains(r#"<svg class="chart""#));
    assert!(html.contains(r#"<rect class="seg-verified""#));
    assert!(
        !html.contains(" style="),
        "a style attribute on the dashboard"
    );
    assert!(html.contains("<th scope=\"row\">Alpha Dental</th><td>1</td>"));
    assert!(html.contains("Median time to verify (approx.)"));
    // Admins compare technicians; org B's data is nowhere.
    assert!(html.contains(r#"id="by-technician""#));
    assert!(!html.contains("Zulu Secret Corp"));
    // Sync health: the tenant, its failed run and the error, linked to its integration.
    assert!(html.contains("<td>Fabrikam Tenant</td>"), "{html}");
    assert!(html.contains(r#"<span class="badge bad">failed</span>"#));
    assert!(html.contains("Microsoft is throttling"));
    assert!(html.contains(&format!(
        r#"<a href="/integrations/psa/{}">M365</a>"#,
        integration.id
    )));

    let (status, week) = get(&app, &c, "/dashboard?days=7").await;
    assert_eq!(status, 200);
    assert!(week.contains(r#"<a href="/dashboard?days=7" aria-current="page">7 days</a>"#));
    let (status, bad) = get(&app, &c, "/dashboard?days=31").await;
    assert_eq!(status, 422);
    assert!(
        bad.contains("The period must be 7, 30 or 90 days."),
        "{bad}"
    );

    let res = c
        .get(app.url("/dashboard.csv?days=90"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "text/csv; charset=utf-8"
    );
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("dashboard-90-days.csv")
    );
    let csv = res.text().await.unwrap();
    assert!(csv.starts_with("section,day,name,figure,value\r\n"));
    assert!(csv.contains("period,,,days,90\r\n"));
    assert!(
        csv.contains("by_customer,,Alpha Dental,verified,1\r\n"),
        "{csv}"
    );
    assert!(!csv.contains("Zulu"));

    // A technician sees the dashboard, without colleagues compared (page and CSV).
    add_technician(&app, "admin@acme.test", "tess@acme.test", "Tess Tech").await;
    let t = signed_in(&app, "tess@acme.test").await;
    let (status, html) = get(&app, &t, "/dashboard").await;
    assert_eq!(status, 200);
    assert!(!html.contains(r#"id="by-technician""#));
    assert!(html.contains("Alpha Dental"));
    let (_, csv) = get(&app, &t, "/dashboard.csv").await;
    assert!(!csv.contains("by_technician"));

    // Org B's admin sees its own figures only.
    let b = signed_in(&app, "admin@other.test").await;
    let (_, html) = get(&app, &b, "/dashboard").await;
    assert!(html.contains("Zulu Secret Corp"));
    assert!(!html.contains("Alpha Dental"));
    assert!(!html.contains("Fabrikam Tenant"));

    // Signed out: to the sign-in page.
    let (status, _) = get(&app, &app.client(), "/dashboard").await;
    assert_eq!(status, 303);
    // Deliver the invite's email, as a server's workers would.
    app.run_jobs().await;
}

#[tokio::test]
async fn the_dashboard_sqlite() {
    the_dashboard(TestApp::new().await).await;
}
