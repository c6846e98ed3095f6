//! The re-authentication rule lives in the app (issue 18.2): any front end asks
//! `require_recent_proof` about a session, and only a sign-in or `reauthenticate` makes one.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use countersign_app::accounts::AccountError;
use countersign_app::{App, ManualClock, Principal, Settings};
use countersign_crypto::hash_token;
use countersign_domain::Email;
use countersign_store::SessionStore;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

const PW: &str = "correct plum orbit 42";

#[tokio::test]
async fn a_sign_in_is_a_proof_for_the_window_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::default();
    settings.storage.data_dir = dir.path().to_path_buf();
    settings.security.argon2_memory_kib = 8192;
    settings.security.argon2_iterations = 1;
    settings.security.reauth_window_seconds = 120;
    let clock = ManualClock::starting_now();
    let app = App::start(settings, Arc::new(clock.clone())).await.unwrap();
    let email = Email::parse("admin@acme.test").unwrap();
    app.create_admin("Acme IT", &email, PW).await.unwrap();
    let signed_in = app
        .authenticate("admin@acme.test", PW, "192.0.2.1", "test")
        .await
        .unwrap();
    app.require_recent_proof(&signed_in.session).unwrap();

    clock.advance(Duration::from_secs(120));
    let session = |token: String| {
        let app = app.clone();
        async move {
            app.store()
                .session_by_token_hash(&hash_token(&token))
                .await
                .unwrap()
                .unwrap()
        }
    };
    let now = session(signed_in.token.clone()).await;
    assert!(matches!(
        app.require_recent_proof(&now),
        Err(AccountError::ReauthRequired)
    ));
    let by = Principal::technician(&signed_in.technician, IpAddr::from([192, 0, 2, 1]));
    assert!(matches!(
        app.reauthenticate(&by, &now, "wrong wrong wrong", "test")
            .await,
        Err(AccountError::WrongPassword)
    ));
    assert!(matches!(
        app.reauthenticate(&by, &now, "", "test").await,
        Err(AccountError::ProofMissing)
    ));
    let token = app.reauthenticate(&by, &now, PW, "test").await.unwrap();
    // A new session carries the proof (ASVS 7.2.4); the old token no longer signs in.
    assert_ne!(token, signed_in.token);
    app.require_recent_proof(&session(token).await).unwrap();
    assert!(
        app.store()
            .session_by_token_hash(&hash_token(&signed_in.token))
            .await
            .unwrap()
            .is_none()
    );
}
