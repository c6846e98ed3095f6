//! Secure Send's "My links" and one's own name (issue 21.5) in Chromium: Burn asks first (a
//! dismissed confirmation burns nothing), then burns and lands back on the list with a notice;
//! reloading that page sends nothing again. The name form saves and a reload changes nothing
//! more.

// Test set-up helpers: a failed `unwrap` is a failed test.
#![allow(clippy::unwrap_used)]

use countersign_app::Principal;
use countersign_app::secrets::{Expiry, LinkChannel, NewLink, Payload};
use countersign_store::{AuditFilter, AuditStore, SecretState, SecretStore};
use countersign_testkit::TestApp;
use countersign_testkit::browser::{self, Session};

const EMAIL: &str = "admin@acme.example";
const PASSWORD: &str = "granite orchard lantern seven";

async fn audited(app: &TestApp, org: countersign_domain::OrgId, action: &str) -> usize {
    let filter = AuditFilter {
        limit: 500,
        ..AuditFilter::default()
    };
    let entries = app.app.store().audit_entries(org, &filter).await.unwrap();
    entries.iter().filter(|e| e.entry.action == action).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_links_burn_asks_first_and_a_reload_resends_nothing() {
    let app = TestApp::new().await;
    let admin = app.create_admin("Acme IT", EMAIL, PASSWORD).await;
    let org = admin.org.id;
    let contact = crate::support::contoso_with_ann(&app, org).await;
    let by = Principal::technician(&admin.technician, std::net::IpAddr::from([127, 0, 0, 1]));
    let link = app
        .app
        .create_secret_link(
            &by,
            NewLink {
                contact: Some(contact),
                to: String::new(),
                channel: LinkChannel::Copy,
                label: "wifi for Ann".into(),
                payload: Payload::Send {
                    envelope: b"\x01opaque".to_vec(),
                    server_share: None,
                    has_passphrase: false,
                    link_key: None,
                },
                max_views: 1,
                expiry: Expiry::Day,
                notify_on_reveal: false,
            },
        )
        .await
        .unwrap();
    let state = async || {
        let s = app.app.store().secret(org, link.id).await.unwrap();
        s.state_at(app.app.now())
    };

    browser::run("my_links_burn_asks_first", async |b| {
        b.set_base_url(&app.base_url);
        let tech: &Session = b;
        crate::support::sign_in(tech, EMAIL, PASSWORD).await?;
        tech.goto("/secrets/new").await?;
        tech.click_and_wait("#my-links-link").await?;
        assert_eq!(tech.text("h1").await?, "My links");
        tech.wait_for_text("#my-links", "wifi for Ann").await?;
        tech.wait_for_text("#my-links .badge", "waiting").await?;
        let button = format!("form[action='/secrets/{}/burn'] button", link.id);

        // Dismissed: nothing happens.
        tech.click(&button).await?;
        tech.client().dismiss_alert().await?;
        assert_eq!(state().await, SecretState::Active);
        assert!(tech.exists(&button).await?);

        // Accepted: burned, back on the list, which says so.
        tech.click(&button).await?;
        tech.client().accept_alert().await?;
        tech.wait_for_text(".notice", "Link burned.").await?;
        assert_eq!(tech.current_path().await?, "/secrets");
        tech.wait_for_text("#my-links .badge", "burned").await?;
        assert!(!tech.exists(&button).await?);
        assert_eq!(state().await, SecretState::Burned);

        // A reload is a GET of the list: nothing is sent again.
        tech.client().refresh().await?;
        tech.wait_for_text("#my-links .badge", "burned").await?;
        assert_eq!(audited(&app, org, "secret.burned").await, 1);

        // One's own name, then a reload.
        tech.goto("/account").await?;
        tech.fill("#name", "Alex Morgan").await?;
        tech.click_and_wait("form[action='/account/name'] button[type=submit]")
            .await?;
        tech.wait_for_text(".notice", "Name saved.").await?;
        tech.client().refresh().await?;
        tech.wait_for_text(".usermenu a[href='/account']", "Alex Morgan")
            .await?;
        assert_eq!(audited(&app, org, "technician.name_changed").await, 1);
        Ok(())
    })
    .await;
    app.run_jobs().await;
}
