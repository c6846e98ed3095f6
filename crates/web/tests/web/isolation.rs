//! Org isolation matrix: an admin of org A requests every org-B resource URL; all are 404,
//! leak nothing, and change nothing.

use crate::{PW, get, signed_in};
use countersign_domain::{Email, Role};
use countersign_store::{InviteStore, MessageStore, SessionStore, TechnicianStore};
use countersign_testkit::TestApp;

/// Org B's customer, synced contact and manual contact; A requests every URL of them.
async fn directory_matrix(
    app: &TestApp,
    a_org: countersign_domain::OrgId,
    b_org: countersign_domain::OrgId,
    c: &reqwest::Client,
) {
    use crate::contacts::{customer, sync, user};
    use countersign_store::{ContactStore, CustomerStore, SourceKind};
    let b_synced = customer(app, b_org, "Bravo Holdings", SourceKind::Microsoft365).await;
    let b_contact = sync(
        app,
        b_org,
        &b_synced,
        &[user(
            "b1",
            "Bianca Bravo",
            "bianca@bravo.example",
            "+1 425 555 0142",
        )],
    )
    .await;
    let b_manual = customer(app, b_org, "Bravo Corner", SourceKind::Manual).await;
    let secrets = [
        "Bravo Holdings".to_owned(),
        "Bravo Corner".to_owned(),
        "Bianca".to_owned(),
        "bianca@bravo.example".to_owned(),
        "555 0142".to_owned(),
        b_synced.id.to_string(),
        b_manual.id.to_string(),
        b_contact.to_string(),
    ];
    let check = |what: &str, status: u16, body: &str, expected: u16| {
        assert_eq!(status, expected, "{what}");
        for s in &secrets {
            assert!(!body.contains(s.as_str()), "{what} leaked {s}");
        }
    };
    for path in [
        format!("/contacts/{b_contact}"),
        format!("/pod/contacts/{b_contact}"),
        format!("/pod/contacts/{b_contact}?action=verify"),
        format!("/customers/{}", b_synced.id),
        format!("/customers/{}", b_manual.id),
        format!("/contacts/new?customer={}", b_manual.id),
    ] {
        let (status, body) = get(app, c, &path).await;
        check(&path, status, &body, 404);
    }
    // Lists and searches of A show nothing of B (200, empty), even when asked for B's ids.
    for path in [
        "/contacts".to_owned(),
        "/contacts?q=bianca".to_owned(),
        "/contacts?q=0142".to_owned(),
        "/contacts?q=bravo.example&inactive=1".to_owned(),
        format!("/contacts?customer={}", b_synced.id),
        "/customers".to_owned(),
    ] {
        let (status, body) = get(app, c, &path).await;
        check(&path, status, &body, 200);
    }
    let b_contact_id = b_contact.to_string();
    let writes: Vec<(String, Vec<(&str, &str)>)> = vec![
        (
            format!("/contacts/{b_contact}"),
            vec![("mobile", "+1 206 555 0100"), ("email", "x@a.example")],
        ),
        (format!("/contacts/{b_contact}/delete"), vec![]),
        (
            format!("/contacts/{b_contact}/opt-outs/remove"),
            vec![("contact", b_contact_id.as_str()), ("channel", "email")],
        ),
        (
            format!("/pod/contacts/{b_contact}/verify"),
            vec![("method", "sms_code")],
        ),
        (
            format!("/pod/contacts/{b_contact}/verify"),
            vec![("method", "email_link")],
        ),
        (format!("/pod/contacts/{b_contact}/who-i-am"), vec![]),
        (
            format!("/customers/{}", b_synced.id),
            vec![("name", "Hijacked"), ("default_country", "GB")],
        ),
        (
            format!("/customers/{}", b_manual.id),
            vec![("name", "Hijacked"), ("default_country", "GB")],
        ),
    ];
    let b_admin = countersign_store::TechnicianStore::technicians(app.app.store(), b_org)
        .await
        .unwrap()
        .remove(0);
    crate::secrets::isolation_matrix(app, &b_admin, b_contact, c).await;
    let manual_id = b_manual.id.to_string();
    let mut all = writes;
    all.push((
        "/contacts".to_owned(),
        vec![
            ("customer", manual_id.as_str()),
            ("given_name", "Evil"),
            ("mobile", "+1 206 555 0100"),
        ],
    ));
    for (url, fields) in &all {
        let res = app.post_form(c, "/contacts", url, fields).await;
        let status = res.status().as_u16();
        check(url, status, &res.text().await.unwrap(), 404);
    }
    // Nothing was sent to B's contact.
    let sent = app
        .app
        .store()
        .messages(
            b_org,
            &countersign_store::MessageFilter {
                transport: None,
                channel: None,
                limit: 10,
            },
        )
        .await
        .unwrap();
    assert!(
        sent.iter().all(|m| m.template == "invite"),
        "only B's own invites: {sent:?}"
    );
    // B is unchanged.
    let contact = app.app.store().contact(b_org, b_contact).await.unwrap();
    assert_eq!(contact.mobile_e164.as_deref(), Some("+14255550142"));
    assert!(contact.phone_changed_at.is_none());
    assert_eq!(
        app.app.store().customer(b_org, b_synced.id).await.unwrap(),
        b_synced
    );
    assert_eq!(
        app.app.store().customer(b_org, b_manual.id).await.unwrap(),
        b_manual
    );
    let q = countersign_store::ContactQuery {
        include_inactive: true,
        limit: 10,
        ..Default::default()
    };
    assert_eq!(
        app.app
            .store()
            .search_contacts(b_org, &q)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        app.app
            .store()
            .search_contacts(a_org, &q)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn matrix(app: TestApp) {
    let a = app.create_admin("Org A", "alice@a.test", PW).await;
    let b = app.create_admin("Org B", "bob@b.test", PW).await;
    let b_tech = crate::add_technician(&app, "bob@b.test", "bea@b.test", "Bea Bravo").await;
    let b_invite = app
        .app
        .invite_technician(
            &crate::principal(&b.technician),
            &Email::parse("pending@b.test").unwrap(),
            Role::Admin,
        )
        .await
        .unwrap();
    let _b_session = signed_in(&app, "bea@b.test").await;
    let before_tech = app
        .app
        .store()
        .technician(b.org.id, b_tech.id)
        .await
        .unwrap();
    let before_sessions = app
        .app
        .store()
        .sessions_of(b.org.id, b_tech.id)
        .await
        .unwrap()
        .len();
    assert_eq!(before_sessions, 1);

    let c = signed_in(&app, "alice@a.test").await;
    let secrets = [
        "bob@b.test".to_owned(),
        "bea@b.test".to_owned(),
        "pending@b.test".to_owned(),
        "Bea Bravo".to_owned(),
        "Org B".to_owned(),
        b.technician.id.to_string(),
        b_tech.id.to_string(),
        b_invite.invite.id.to_string(),
    ];
    let check = |what: &str, status: u16, body: &str| {
        assert_eq!(status, 404, "{what}");
        for s in &secrets {
            assert!(!body.contains(s.as_str()), "{what} leaked {s}");
        }
    };
    let (status, body) = get(&app, &c, "/settings/technicians").await;
    assert_eq!(status, 200);
    for s in &secrets {
        assert!(!body.contains(s.as_str()), "list leaked {s}");
    }
    for id in [b.technician.id, b_tech.id] {
        let page = format!("/settings/technicians/{id}");
        let (status, body) = get(&app, &c, &page).await;
        check(&page, status, &body);
        for (action, fields) in [
            ("role", vec![("role", "technician")]),
            ("role", vec![("role", "admin")]),
            ("deactivate", vec![]),
            ("reactivate", vec![]),
            ("sign-out", vec![]),
            ("permissions", vec![("edit_contacts", "on")]),
        ] {
            let url = format!("{page}/{action}");
            let res = app
                .post_form(&c, "/settings/technicians", &url, &fields)
                .await;
            let status = res.status().as_u16();
            check(&url, status, &res.text().await.unwrap());
        }
    }
    let url = format!("/settings/invites/{}/revoke", b_invite.invite.id);
    let res = app.post_form(&c, "/settings/technicians", &url, &[]).await;
    let status = res.status().as_u16();
    check(&url, status, &res.text().await.unwrap());

    directory_matrix(&app, a.org.id, b.org.id, &c).await;
    crate::integrations::isolation_matrix(&app, b.org.id, &c).await;
    crate::messaging_pages::isolation_matrix(&app, b.org.id, &c).await;
    crate::webhook_endpoints::isolation_matrix(&app, &b.technician, &c).await;
    let url = format!("/settings/technicians/{}/pod-only", b_tech.id);
    let res = app
        .post_form(&c, "/settings/technicians", &url, &[("pod_only", "on")])
        .await;
    let status = res.status().as_u16();
    check(&url, status, &res.text().await.unwrap());
    assert!(
        !countersign_store::PodStore::is_pod_only(app.app.store(), b.org.id, b_tech.id)
            .await
            .unwrap()
    );

    // B is unchanged.
    assert_eq!(
        app.app
            .store()
            .technician(b.org.id, b_tech.id)
            .await
            .unwrap(),
        before_tech
    );
    assert_eq!(
        app.app
            .store()
            .sessions_of(b.org.id, b_tech.id)
            .await
            .unwrap()
            .len(),
        before_sessions
    );
    let invite = app
        .app
        .store()
        .invite(b.org.id, b_invite.invite.id)
        .await
        .unwrap();
    assert!(invite.revoked_at.is_none() && invite.accepted_at.is_none());
    let b_admin = app
        .app
        .store()
        .technician(b.org.id, b.technician.id)
        .await
        .unwrap();
    assert!(b_admin.active && b_admin.role == Role::Admin);
    // And A's own resources still work, so the 404s above are about the org, not the routes.
    assert_eq!(
        get(
            &app,
            &c,
            &format!("/settings/technicians/{}", a.technician.id)
        )
        .await
        .0,
        200
    );
    app.expect_jobs_left(
        "send_message",
        "the messaging part of the matrix buries a delivery of org B to show it on its Jobs page",
    );
    app.expect_jobs_left(
        "deliver_webhook",
        "org B's endpoint in the matrix does not exist: the matrix checks what was queued",
    );
    // Deliver the rest of what the test queued, as a server's workers would.
    app.run_jobs().await;
}

#[tokio::test]
async fn org_isolation_matrix_sqlite() {
    matrix(TestApp::new().await).await;
}
