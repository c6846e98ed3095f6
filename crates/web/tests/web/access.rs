use crate::{PW, follow, get, location, signed_in};
use countersign_domain::{Email, Role};
use countersign_store::{InviteStore, TechnicianStore};
use countersign_testkit::TestApp;
use std::time::Duration;

#[tokio::test]
async fn technicians_get_403_on_admin_pages() {
    let app = TestApp::new().await;
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let t = crate::add_technician(&app, "admin@acme.test", "tech@acme.test", "Tess").await;
    let c = signed_in(&app, "tech@acme.test").await;
    for path in [
        "/settings",
        "/settings/technicians",
        "/audit",
        &format!("/settings/technicians/{}", t.id),
    ] {
        assert_eq!(get(&app, &c, path).await.0, 403, "{path}");
    }
    let res = app
        .post_form(&c, "/account", "/settings", &[("name", "Mine now")])
        .await;
    assert_eq!(res.status(), 403);
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}

fn link_in(body: &str) -> String {
    let at = body.find("/invite/").unwrap();
    let start = body[..at].rfind('"').unwrap() + 1;
    let end = at + body[at..].find('"').unwrap();
    body[start..end].to_owned()
}

#[tokio::test]
async fn invite_is_one_time_and_get_does_not_consume() {
    let app = TestApp::new().await;
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let admin = signed_in(&app, "admin@acme.test").await;
    let res = app
        .post_form(
            &admin,
            "/settings/technicians",
            "/settings/technicians/invite",
            &[("email", "new@acme.test"), ("role", "technician")],
        )
        .await;
    // PRG: the link is on the page the POST redirects to, once; a refresh shows the list
    // without it and invites no one again.
    let (status, body) = follow(&app, &admin, res).await;
    assert_eq!(status, 200);
    assert!(body.contains("has been emailed"), "{body}");
    let link = link_in(&body);
    let (status, again) = get(&app, &admin, "/settings/technicians").await;
    assert_eq!(status, 200);
    assert!(!again.contains(&link) && !again.contains("has been emailed"));
    assert_eq!(again.matches("new@acme.test").count(), 1, "one invite row");
    // The invite email carries the same link (the test app delivers to the outbox).
    {
        use countersign_store::MessageStore;
        let org = app
            .app
            .store()
            .technician_by_email_for_login("admin@acme.test")
            .await
            .unwrap()
            .unwrap()
            .org_id;
        let filter = countersign_store::MessageFilter {
            limit: 10,
            ..Default::default()
        };
        let sent = app.app.store().messages(org, &filter).await.unwrap();
        let invite = sent
            .iter()
            .find(|m| m.template == "invite")
            .expect("an invite email");
        assert_eq!(invite.recipient, "new@acme.test");
        assert!(
            invite
                .body_text
                .as_deref()
                .unwrap_or_default()
                .contains(&link)
        );
    }
    let path = link.trim_start_matches(&app.base_url).to_owned();
    let visitor = app.client();
    for _ in 0..2 {
        let (status, page) = get(&app, &visitor, &path).await;
        assert_eq!(status, 200);
        assert!(
            page.contains("Acme IT")
                && page.contains("new@acme.test")
                && page.contains("technician")
        );
    }
    // Bad input: re-rendered with the reason, nothing consumed, name kept.
    let res = app
        .post_form(
            &visitor,
            &path,
            &path,
            &[
                ("name", "Nia"),
                ("password", PW),
                ("confirm", "different pass 1"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("do not match") && page.contains("value=\"Nia\""));
    let res = app
        .post_form(
            &visitor,
            &path,
            &path,
            &[("name", "Nia"), ("password", PW), ("confirm", PW)],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/login?notice=welcome");
    let csrf = app.csrf(&visitor, "/login").await;
    let again = visitor
        .post(app.url(&path))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", "Eve"),
            ("password", PW),
            ("confirm", PW),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 410);
    assert_eq!(get(&app, &visitor, &path).await.0, 410);
    let _ = signed_in(&app, "new@acme.test").await;
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}

#[tokio::test]
async fn expired_and_revoked_invites_are_refused() {
    let app = TestApp::new().await;
    let a = app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let e1 = Email::parse("late@acme.test").unwrap();
    let expired = app
        .app
        .invite_technician(&crate::principal(&a.technician), &e1, Role::Technician)
        .await
        .unwrap();
    let e2 = Email::parse("revoked@acme.test").unwrap();
    let revoked = app
        .app
        .invite_technician(&crate::principal(&a.technician), &e2, Role::Admin)
        .await
        .unwrap();
    let admin = signed_in(&app, "admin@acme.test").await;
    let res = app
        .post_form(
            &admin,
            "/settings/technicians",
            &format!("/settings/invites/{}/revoke", revoked.invite.id),
            &[],
        )
        .await;
    assert_eq!(res.status(), 303);
    let visitor = app.client();
    let revoked_path = revoked.link.trim_start_matches(&app.base_url).to_owned();
    assert_eq!(get(&app, &visitor, &revoked_path).await.0, 410);
    app.clock.advance(Duration::from_secs(73 * 3600));
    let path = expired.link.trim_start_matches(&app.base_url).to_owned();
    assert_eq!(get(&app, &visitor, &path).await.0, 410);
    let csrf = app.csrf(&visitor, "/login").await;
    let res = visitor
        .post(app.url(&path))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", "Late"),
            ("password", PW),
            ("confirm", PW),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 410);
    assert!(
        app.app
            .store()
            .technician_by_email_for_login("late@acme.test")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        app.app
            .store()
            .invite(a.org.id, expired.invite.id)
            .await
            .unwrap()
            .accepted_at
            .is_none()
    );
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}

#[tokio::test]
async fn role_change_and_last_admin_protection() {
    let app = TestApp::new().await;
    let a = app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let t = crate::add_technician(&app, "admin@acme.test", "tech@acme.test", "Tess").await;
    let admin = signed_in(&app, "admin@acme.test").await;
    let me = format!("/settings/technicians/{}", a.technician.id);
    // The only admin cannot demote or deactivate themself.
    let res = app
        .post_form(
            &admin,
            &me,
            &format!("{me}/role"),
            &[("role", "technician")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("at least one active admin")
    );
    let res = app
        .post_form(&admin, &me, &format!("{me}/deactivate"), &[])
        .await;
    assert_eq!(res.status(), 422);
    let still = app
        .app
        .store()
        .technician(a.org.id, a.technician.id)
        .await
        .unwrap();
    assert!(still.active && still.role == Role::Admin);
    // Promote the technician; now the first admin may step down.
    let page = format!("/settings/technicians/{}", t.id);
    let res = app
        .post_form(&admin, &page, &format!("{page}/role"), &[("role", "admin")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        app.app
            .store()
            .technician(a.org.id, t.id)
            .await
            .unwrap()
            .role,
        Role::Admin
    );
    let res = app
        .post_form(
            &admin,
            &me,
            &format!("{me}/role"),
            &[("role", "technician")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(get(&app, &admin, "/settings").await.0, 403);
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}

#[tokio::test]
async fn invite_form_validation_keeps_input() {
    let app = TestApp::new().await;
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let admin = signed_in(&app, "admin@acme.test").await;
    let res = app
        .post_form(
            &admin,
            "/settings/technicians",
            "/settings/technicians/invite",
            &[("email", "not-an-email"), ("role", "technician")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("value=\"not-an-email\"") && body.contains("name@example.com"));
    let res = app
        .post_form(
            &admin,
            "/settings/technicians",
            "/settings/technicians/invite",
            &[("email", "admin@acme.test"), ("role", "technician")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("already exists"));
}
