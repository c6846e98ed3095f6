//! Secure Send's "My links" (issue 21.5): a technician lists the links they made (status,
//! times, recipient hint; never the secret or the link's token) and burns a live one (POST,
//! then back to the list). Another technician of the org neither lists nor burns them; an
//! admin may list the org's links and burn any (as on a link's own page); another org sees
//! and burns nothing.

use crate::secrets::{Fixture, audit_log, fixture};
use crate::{add_technician, get, location, signed_in};
use countersign_app::secrets::{CreatedLink, Payload};
use countersign_store::{SecretState, SecretStore, Technician};
use countersign_testkit::TestApp;

async fn make(f: &Fixture, owner: &Technician, label: &str) -> CreatedLink {
    let payload = Payload::Send {
        envelope: b"\x01opaque-ciphertext".to_vec(),
        server_share: None,
        has_passphrase: false,
        link_key: None,
    };
    crate::secret_owner::make_labelled(f, owner, label, payload).await
}

async fn state_of(f: &Fixture, link: &CreatedLink) -> SecretState {
    let s = f.app.app.store().secret(f.org, link.id).await.unwrap();
    s.state_at(f.app.app.now())
}

async fn burn(f: &Fixture, c: &reqwest::Client, id: &str, list: &str) -> reqwest::Response {
    f.app
        // The form token of the session (the account page always has a form).
        .post_form(
            c,
            "/account",
            &format!("/secrets/{id}/burn"),
            &[("list", list)],
        )
        .await
}

pub async fn my_links(app: TestApp) {
    let f = fixture(app, "Acme IT", "admin@acme.test").await;
    let bob = add_technician(&f.app, "admin@acme.test", "bob@acme.test", "Bob").await;
    let carol = add_technician(&f.app, "admin@acme.test", "carol@acme.test", "Carol").await;
    let first = make(&f, &bob, "bob-wifi").await;
    f.app.clock.advance(std::time::Duration::from_secs(1));
    let second = make(&f, &bob, "bob-vpn").await;
    let carols = make(&f, &carol, "carol-note").await;
    f.app
        .create_admin("Bravo IT", "eve@bravo.test", crate::PW)
        .await;

    // Bob lists his own links, newest first, with status and recipient hint.
    let bob_c = signed_in(&f.app, "bob@acme.test").await;
    let (status, page) = get(&f.app, &bob_c, "/secrets").await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("bob-wifi") && page.contains("bob-vpn"),
        "{page}"
    );
    assert!(!page.contains("carol-note"), "Carol's link on Bob's list");
    assert!(page.find("bob-vpn") < page.find("bob-wifi"), "newest first");
    assert!(
        page.contains(">waiting<") && page.contains("link copied"),
        "{page}"
    );
    for link in [&first, &second] {
        let token = link.path.rsplit('/').next().unwrap();
        assert!(!page.contains(token), "the list shows a link's token");
        assert!(
            page.contains(&format!("/secrets/{}/burn", link.id)),
            "{page}"
        );
    }
    assert!(!page.contains("opaque-ciphertext"));
    assert!(
        !page.contains("list=org"),
        "a technician is offered the org's list"
    );

    // Carol: neither lists nor burns Bob's links; nor may she ask for the org's list.
    let carol_c = signed_in(&f.app, "carol@acme.test").await;
    let (_, page) = get(&f.app, &carol_c, "/secrets").await;
    assert!(
        page.contains("carol-note") && !page.contains("bob-wifi"),
        "{page}"
    );
    let (status, page) = get(&f.app, &carol_c, "/secrets?list=org").await;
    assert_eq!(status, 403);
    assert!(!page.contains("bob-wifi"));
    let res = burn(&f, &carol_c, &first.id.to_string(), "mine").await;
    assert_eq!(res.status(), 403);
    assert_eq!(state_of(&f, &first).await, SecretState::Active);

    // Another org's admin: nothing of Acme's, listed or burned.
    let eve_c = signed_in(&f.app, "eve@bravo.test").await;
    for path in ["/secrets", "/secrets?list=org"] {
        let (status, page) = get(&f.app, &eve_c, path).await;
        assert_eq!(status, 200, "{path}");
        assert!(
            !page.contains("bob-wifi") && !page.contains("carol-note"),
            "{path}"
        );
    }
    let res = burn(&f, &eve_c, &first.id.to_string(), "org").await;
    assert_eq!(res.status(), 404);
    assert_eq!(state_of(&f, &first).await, SecretState::Active);

    // Bob burns his link: back to his list with a notice; it shows as burned, without Burn.
    let res = burn(&f, &bob_c, &first.id.to_string(), "mine").await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/secrets?notice=burned");
    assert_eq!(state_of(&f, &first).await, SecretState::Burned);
    let (_, page) = get(&f.app, &bob_c, "/secrets?notice=burned").await;
    assert!(page.contains("Link burned."), "{page}");
    assert!(page.contains(">burned<"), "{page}");
    assert!(!page.contains(&format!("/secrets/{}/burn", first.id)));
    // Again (a refresh of the POST, another tab): nothing left to burn, said so.
    let res = burn(&f, &bob_c, &first.id.to_string(), "mine").await;
    assert_eq!(location(&res), "/secrets?notice=already_ended");
    // A GET on the POST-only address goes to the list; a malformed id is not found.
    let res = bob_c
        .get(f.app.url(&format!("/secrets/{}/burn", second.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/secrets");
    assert_eq!(burn(&f, &bob_c, "not-an-id", "mine").await.status(), 404);

    // The admin lists every technician's links and burns Carol's, audited as an admin's.
    let (status, page) = get(&f.app, &f.tech, "/secrets?list=org").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("bob-vpn") && page.contains("carol-note"),
        "{page}"
    );
    assert!(page.contains("Made by") && page.contains("Carol"), "{page}");
    let res = burn(&f, &f.tech, &carols.id.to_string(), "org").await;
    assert_eq!(location(&res), "/secrets?list=org&notice=burned");
    assert_eq!(state_of(&f, &carols).await, SecretState::Burned);
    let entry = audit_log(&f)
        .await
        .into_iter()
        .find(|e| e.entry.action == "secret.burned" && e.entry.target == carols.id.to_string())
        .expect("the admin's burn is audited");
    assert!(
        entry.entry.detail.contains("by_admin"),
        "{}",
        entry.entry.detail
    );
    // The admin's own list holds only the admin's links (none).
    let (_, page) = get(&f.app, &f.tech, "/secrets").await;
    assert!(page.contains("id=\"no-links\""), "{page}");
    assert!(
        page.contains("list=org"),
        "an admin is offered the org's list"
    );
    f.app.run_jobs().await;
}

#[tokio::test]
async fn my_links_are_the_technicians_own_and_burn_with_a_redirect() {
    my_links(TestApp::new().await).await;
}
