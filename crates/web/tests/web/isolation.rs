//! Org isolation matrix: an admin of org A requests every org-B resource URL; all are 404,
//! leak nothing, and change nothing.

use crate::{PW, get, signed_in};
use countersign_domain::{Email, Role};
use countersign_store::{InviteStore, SessionStore, TechnicianStore};
use countersign_testkit::TestApp;

pub async fn matrix(app: TestApp) {
    let a = app.create_admin("Org A", "alice@a.test", PW).await;
    let b = app.create_admin("Org B", "bob@b.test", PW).await;
    let b_tech = crate::add_technician(&app, "bob@b.test", "bea@b.test", "Bea Bravo").await;
    let b_invite = app
        .app
        .invite_technician(
            &b.technician,
            &Email::parse("pending@b.test").unwrap(),
            Role::Admin,
            None,
        )
        .await
        .unwrap();
    let _b_session = signed_in(&app, "bea@b.test").await;
    let before_tech = app.app.store.technician(b.org.id, b_tech.id).await.unwrap();
    let before_sessions = app
        .app
        .store
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

    // B is unchanged.
    assert_eq!(
        app.app.store.technician(b.org.id, b_tech.id).await.unwrap(),
        before_tech
    );
    assert_eq!(
        app.app
            .store
            .sessions_of(b.org.id, b_tech.id)
            .await
            .unwrap()
            .len(),
        before_sessions
    );
    let invite = app
        .app
        .store
        .invite(b.org.id, b_invite.invite.id)
        .await
        .unwrap();
    assert!(invite.revoked_at.is_none() && invite.accepted_at.is_none());
    let b_admin = app
        .app
        .store
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
}

#[tokio::test]
async fn org_isolation_matrix_sqlite() {
    matrix(TestApp::new().await).await;
}
