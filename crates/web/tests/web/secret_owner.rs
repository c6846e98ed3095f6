//! Ownership inside an org (issue 18.4, ASVS 8.2.2): a Secure Send link's status, burn and
//! notify, and a Secure Request's answer, belong to the technician who made them. Another
//! technician of the org is refused every one (and nothing changes); an admin may see the
//! status and burn (audited as an admin's burn), never reveal; the Pod lists other
//! technicians' links without their actions.

use crate::secrets::{Fixture, fixture, post_json};
use crate::{add_technician, get, signed_in};
use countersign_app::Principal;
use countersign_app::secrets::{CreatedLink, Expiry, LinkChannel, NewLink, Payload};
use countersign_store::{SecretState, SecretStore, Technician};
use countersign_testkit::TestApp;
use serde_json::json;

#[tokio::test]
async fn only_the_maker_reveals_burns_or_changes_a_link() {
    ownership(TestApp::new().await).await;
}

async fn make(f: &Fixture, owner: &Technician, payload: Payload) -> CreatedLink {
    make_labelled(f, owner, "bob-note", payload).await
}

/// A link of `owner` to the fixture's contact, copied rather than sent, with `label`.
pub async fn make_labelled(
    f: &Fixture,
    owner: &Technician,
    label: &str,
    payload: Payload,
) -> CreatedLink {
    f.app
        .app
        .create_secret_link(
            &Principal::technician(owner, std::net::IpAddr::from([127, 0, 0, 1])),
            NewLink {
                contact: Some(f.contact),
                to: String::new(),
                channel: LinkChannel::Copy,
                label: label.into(),
                payload,
                max_views: 1,
                expiry: Expiry::Day,
                notify_on_reveal: false,
            },
        )
        .await
        .unwrap()
}

/// (state, views left, notify) of a link, straight from the store.
async fn facts(f: &Fixture, link: &CreatedLink) -> (SecretState, i64, bool) {
    let s = f.app.app.store().secret(f.org, link.id).await.unwrap();
    (
        s.state_at(f.app.app.now()),
        s.views_left,
        s.notify_on_reveal,
    )
}

/// Every owner-only action of `c` on `link`: all refused with 403, nothing changed.
async fn refused(f: &Fixture, c: &reqwest::Client, link: &CreatedLink, who: &str, admin: bool) {
    let before = facts(f, link).await;
    let id = link.id;
    let pod = format!("/pod/contacts/{}?action=verify", f.contact);
    let csrf = f.app.csrf(c, &pod).await;
    if link.path.starts_with("/r/") {
        let (status, v) = post_json(
            f,
            c,
            &csrf,
            &format!("/pod/secrets/{id}/reveal"),
            &json!({}),
        )
        .await;
        assert_eq!(status, 403, "{who}: reveal of {id}: {v}");
    }
    let res = f
        .app
        .post_form(
            c,
            &pod,
            &format!("/pod/secrets/{id}/notify"),
            &[("notify", "on")],
        )
        .await;
    assert_eq!(res.status(), 403, "{who}: notify");
    if !admin {
        for path in [
            format!("/pod/secrets/{id}"),
            format!("/pod/secrets/{id}/status"),
        ] {
            let (status, body) = get(&f.app, c, &path).await;
            assert_eq!(status, 403, "{who}: {path}");
            assert!(!body.contains("bob-note"), "{who}: {path} showed the link");
        }
        let res = f
            .app
            .post_form(c, &pod, &format!("/pod/secrets/{id}/burn"), &[])
            .await;
        assert_eq!(res.status(), 403, "{who}: burn");
    }
    assert_eq!(facts(f, link).await, before, "{who} changed {id}");
}

pub async fn ownership(app: TestApp) {
    let f = fixture(app, "Acme IT", "admin@acme.test").await;
    let bob = add_technician(&f.app, "admin@acme.test", "bob@acme.test", "Bob").await;
    add_technician(&f.app, "admin@acme.test", "carol@acme.test", "Carol").await;
    let send = make(
        &f,
        &bob,
        Payload::Send {
            envelope: b"\x01opaque".to_vec(),
            server_share: None,
            has_passphrase: false,
            link_key: None,
        },
    )
    .await;
    let request = make(
        &f,
        &bob,
        Payload::Request {
            public_key: "BPUB".into(),
            private_key: zeroize::Zeroizing::new(b"pkcs8".to_vec()),
        },
    )
    .await;
    let token = request.path.rsplit('/').next().unwrap();
    f.app
        .app
        .submit_secret_request(token, b"\x02answer", "192.0.2.9", |_| true)
        .await
        .unwrap();

    // Carol, a technician of the same org: every action refused, nothing changed.
    let carol = signed_in(&f.app, "carol@acme.test").await;
    for link in [&send, &request] {
        refused(&f, &carol, link, "carol", false).await;
    }
    // The Pod lists Bob's links to Carol without their actions.
    let (status, pod) = get(
        &f.app,
        &carol,
        &format!("/pod/contacts/{}?action=send", f.contact),
    )
    .await;
    assert_eq!(status, 200);
    assert!(pod.contains("bob-note"), "Bob's links are listed: {pod}");
    for link in [&send, &request] {
        assert!(
            !pod.contains(&format!("/pod/secrets/{}", link.id)),
            "Carol sees an action of Bob's link: {pod}"
        );
    }

    // The admin: may see the status and burn, never reveal or change notify.
    refused(&f, &f.tech, &request, "admin", true).await;
    let (status, _) = get(&f.app, &f.tech, &format!("/pod/secrets/{}", send.id)).await;
    assert_eq!(status, 200);
    let pod = format!("/pod/contacts/{}?action=verify", f.contact);
    let res = f
        .app
        .post_form(
            &f.tech,
            &pod,
            &format!("/pod/secrets/{}/burn", send.id),
            &[],
        )
        .await;
    assert_eq!(res.status(), 303, "the admin burns Bob's send");
    assert_eq!(facts(&f, &send).await.0, SecretState::Burned);
    let burned = crate::secrets::audit_log(&f)
        .await
        .into_iter()
        .find(|e| e.entry.action == "secret.burned" && e.entry.target == send.id.to_string())
        .expect("the admin's burn is audited");
    let detail: serde_json::Value = serde_json::from_str(&burned.entry.detail).unwrap();
    assert_eq!(detail["by_admin"], true, "{detail}");
    assert_eq!(detail["owner"], bob.id.to_string());

    // Bob, the maker: reveals his request's answer.
    let bob_c = signed_in(&f.app, "bob@acme.test").await;
    let csrf = f
        .app
        .csrf(
            &bob_c,
            &format!("/pod/contacts/{}?action=verify", f.contact),
        )
        .await;
    let (status, v) = post_json(
        &f,
        &bob_c,
        &csrf,
        &format!("/pod/secrets/{}/reveal", request.id),
        &json!({}),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    // Deliver what the test queued, as a server's workers would (none may be left).
    f.app.run_jobs().await;
}
