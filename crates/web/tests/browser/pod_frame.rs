//! The Pod inside a PSA's iframe in a real browser (docs/security.md "The Pod inside a PSA"):
//! a page served from another site (`http://localhost:PORT`, while Countersign is
//! `http://127.0.0.1:PORT`) frames the Pod; the technician, not signed in, presses "Sign in to
//! Countersign" in the frame, signs in in the popup window, confirms, and the Pod renders
//! inside the frame with its own partitioned cookie.

// Test set-up helpers: a failed `unwrap` is a failed test.
#![allow(clippy::unwrap_used)]

use axum::Router;
use axum::response::Html;
use axum::routing::get;
use countersign_store::{
    ContactQuery, ContactStore, PodSettings, PodStore, SessionStage, SessionStore, SyncedContact,
};
use countersign_testkit::TestApp;
use countersign_testkit::browser;
use std::time::Duration;

const EMAIL: &str = "admin@acme.example";
const PASSWORD: &str = "granite orchard lantern seven";

/// The PSA: one ticket page that frames `pod_url`. Returns its origin.
async fn serve_psa(pod_url: String) -> String {
    let page = format!(
        "<!doctype html><title>PSA</title><h1 id=ticket>Ticket 1234</h1>\
         <iframe id=pod src=\"{pod_url}\" width=640 height=720></iframe>"
    );
    let app = Router::new().route("/", get(move || async move { Html(page.clone()) }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://localhost:{port}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pod_frame_signs_in_through_the_popup_and_renders_in_the_psa() {
    let app = TestApp::new().await;
    let admin = app.create_admin("Acme IT", EMAIL, PASSWORD).await;
    let org = admin.org.id;
    let ann = SyncedContact {
        external_id: "1".into(),
        given_name: "Ann".into(),
        surname: "Lee".into(),
        display_name: "Ann Lee".into(),
        email: Some("ann@contoso.example".into()),
        account_enabled: true,
        user_type: "Member".into(),
        ..SyncedContact::default()
    };
    crate::support::contoso(&app, org, &[ann]).await;
    let contact = app
        .app
        .store()
        .search_contacts(
            org,
            &ContactQuery {
                limit: 1,
                ..ContactQuery::default()
            },
        )
        .await
        .unwrap()[0]
        .id;
    let psa = serve_psa(app.url(&format!("/pod/contacts/{contact}"))).await;
    let mut settings = PodSettings::defaults(org);
    settings.frame_ancestors = vec![psa.clone()];
    app.app.store().save_pod_settings(&settings).await.unwrap();

    browser::run(
        "pod_frame_signs_in_through_the_popup_and_renders_in_the_psa",
        async |b| {
            b.set_base_url(&app.base_url);
            b.goto(&format!("{psa}/")).await?;
            b.wait_for("#ticket").await?;
            let main = b.client().window().await?;
            b.client().enter_frame(Some(0)).await?;
            b.wait_for_text("#pod-sign-in h1", "Sign in to Countersign")
                .await?;
            b.click("#pod-connect").await?;

            // The popup: the normal login, then back to /pod/connect, then confirm.
            let mut window = None;
            for _ in 0..100 {
                window = b.client().windows().await?.into_iter().find(|w| *w != main);
                if window.is_some() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            let window = window.ok_or_else(|| anyhow::anyhow!("no popup window opened"))?;
            b.client().switch_to_window(window).await?;
            b.wait_for("#email").await?;
            b.fill("#email", EMAIL).await?;
            b.fill("#password", PASSWORD).await?;
            b.click("button[type=submit]").await?;
            b.wait_for("#pod-connect-confirm").await?;
            assert!(b.text("main").await?.contains(&psa));
            b.click("#pod-connect-confirm").await?;

            // The popup hands the code over and closes; the frame signs in and reloads.
            for _ in 0..100 {
                if b.client().windows().await?.len() == 1 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            b.client().switch_to_window(main).await?;
            b.client().enter_frame(Some(0)).await?;
            b.wait_for_text("#pod-name", "Ann Lee").await?;
            Ok(())
        },
    )
    .await;
    // The frame is signed in by a Pod session (the popup's login made the full one).
    let stages: Vec<SessionStage> = app
        .app
        .store()
        .sessions_of(org, admin.technician.id)
        .await
        .unwrap()
        .iter()
        .map(|s| s.stage)
        .collect();
    assert!(
        stages.contains(&SessionStage::Pod) && stages.contains(&SessionStage::Full),
        "{stages:?}"
    );
}
