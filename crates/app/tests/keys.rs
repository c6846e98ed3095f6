//! Key rotation with real sealed values: everything ends up under the new key and still opens,
//! and an interrupted rotation is finished by the next run without adding another key.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use countersign_app::{App, ManualClock, Settings};
use countersign_crypto::{Keyring, SealAad, TotpSecret, sealed_key_id, totp_at};
use countersign_domain::Email;
use countersign_store::{SealedColumn, SealedStore, TechnicianStore};
use std::sync::Arc;

async fn app_in(dir: &std::path::Path) -> App {
    let mut settings = Settings::default();
    settings.storage.data_dir = dir.to_path_buf();
    settings.security.argon2_memory_kib = 8192;
    settings.security.argon2_iterations = 1;
    App::start(settings, Arc::new(ManualClock::starting_now()))
        .await
        .unwrap()
}

/// Creates `n` admins with TOTP enabled, so `technicians.totp_secret` holds sealed values.
async fn enrolled_admins(app: &App, n: usize) {
    for i in 0..n {
        let email = Email::parse(&format!("admin{i}@acme.test")).unwrap();
        let created = app
            .create_admin("Acme IT", &email, "correct plum orbit 42")
            .await
            .unwrap();
        let t = created.technician;
        let me = countersign_app::Principal::technician(&t, std::net::IpAddr::from([192, 0, 2, 1]));
        app.begin_totp_enrollment(&me).await.unwrap();
        let t = app.store().technician(t.org_id, t.id).await.unwrap();
        let enrollment_secret = {
            let sealed = t.totp_pending_secret.clone().unwrap();
            let row = t.id.to_string();
            let aad = SealAad {
                org_id: Some(t.org_id),
                table: "technicians",
                column: "totp_pending_secret",
                row_id: &row,
            };
            TotpSecret::from_bytes(&app.keyring.open(&sealed, &aad).unwrap())
        };
        let code = totp_at(&enrollment_secret, app.now().unix_seconds() / 30);
        app.confirm_totp_enrollment(&me, &code).await.unwrap();
    }
}

async fn sealed_totp(app: &App) -> Vec<countersign_store::SealedValue> {
    app.store()
        .sealed_values(SealedColumn::TechnicianTotpSecret, None, 1000)
        .await
        .unwrap()
}

fn opens(keyring: &Keyring, v: &countersign_store::SealedValue) -> bool {
    let aad = SealAad {
        org_id: Some(v.org_id),
        table: "technicians",
        column: "totp_secret",
        row_id: &v.row_id,
    };
    keyring.open(&v.value, &aad).is_ok()
}

#[tokio::test]
async fn rotation_reseals_every_value_under_the_new_key() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_in(dir.path()).await;
    enrolled_admins(&app, 3).await;
    let path = app.settings.master_key_path();
    let old_key = app.keyring.active_key_id().to_owned();
    let before = sealed_totp(&app).await;
    assert_eq!(before.len(), 3);
    assert!(
        before
            .iter()
            .all(|v| sealed_key_id(&v.value) == Some(old_key.as_str()))
    );

    let mut keyring = Keyring::load(&path).unwrap();
    let report = app.rotate_keys(&mut keyring, &path).await.unwrap();
    assert!(!report.resumed);
    assert_eq!(report.resealed, 3);
    assert_ne!(report.active_key_id, old_key);
    let after = sealed_totp(&app).await;
    for v in &after {
        assert_eq!(sealed_key_id(&v.value), Some(report.active_key_id.as_str()));
        assert!(opens(&keyring, v));
    }
    // The file on disk holds both keys, and a restarted app accepts it.
    drop(app);
    let restarted = app_in(dir.path()).await;
    assert_eq!(restarted.keyring.active_key_id(), report.active_key_id);
    assert!(restarted.keyring.has_key(&old_key));
}

#[tokio::test]
async fn an_interrupted_rotation_is_finished_by_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_in(dir.path()).await;
    enrolled_admins(&app, 2).await;
    let path = app.settings.master_key_path();
    // The crash: the new key reached the file, no row was re-sealed yet.
    let mut keyring = Keyring::load(&path).unwrap();
    let new_key = keyring.rotate_in_place(&path).unwrap();

    let report = app.rotate_keys(&mut keyring, &path).await.unwrap();
    assert!(
        report.resumed,
        "the next run finishes instead of adding a key"
    );
    assert_eq!(report.active_key_id, new_key);
    assert_eq!(report.resealed, 2);
    assert_eq!(Keyring::load(&path).unwrap().key_ids().count(), 2);
    assert!(
        sealed_totp(&app)
            .await
            .iter()
            .all(|v| sealed_key_id(&v.value) == Some(new_key.as_str()))
    );

    // A value moved to another row does not open (the AAD binds the row).
    let values = sealed_totp(&app).await;
    let moved = countersign_store::SealedValue {
        row_id: values[1].row_id.clone(),
        ..values[0].clone()
    };
    assert!(!opens(&keyring, &moved));
}

/// An unsubscribe link names the key that MACs it, so one sent before `keys rotate` still
/// works after it (the old key stays in the file); links made afterwards use the new key.
#[tokio::test]
async fn unsubscribe_links_outlive_a_key_rotation() {
    use countersign_app::broadcasts::unsubscribe::UnsubscribeOutcome;
    use countersign_domain::{BroadcastId, Channel, ContactId};
    use countersign_store::BroadcastStore;
    let dir = tempfile::tempdir().unwrap();
    let app = app_in(dir.path()).await;
    let email = Email::parse("admin@acme.test").unwrap();
    let org = app
        .create_admin("Acme IT", &email, "correct plum orbit 42")
        .await
        .unwrap()
        .org
        .id;
    let (broadcast, contact) = (BroadcastId::new(), ContactId::new());
    let before = app.unsubscribe_url(org, broadcast, contact, "amy@customer.test");
    let path = app.settings.master_key_path();
    let mut keyring = Keyring::load(&path).unwrap();
    let report = app.rotate_keys(&mut keyring, &path).await.unwrap();
    drop(app);
    let restarted = app_in(dir.path()).await;
    assert_eq!(restarted.keyring.active_key_id(), report.active_key_id);
    let after = restarted.unsubscribe_url(org, broadcast, contact, "amy@customer.test");
    assert_ne!(after, before, "a new link names the new key");
    let token = before.rsplit('/').next().unwrap();
    let outcome = restarted.unsubscribe(token, "192.0.2.1").await.unwrap();
    assert!(matches!(outcome, UnsubscribeOutcome::Unsubscribed(_)));
    assert!(
        restarted
            .store()
            .broadcast_address_opted_out(org, Channel::Email, "amy@customer.test")
            .await
            .unwrap()
    );
}
