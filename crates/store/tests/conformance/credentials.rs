//! Credential recovery (issue 18.1): a password change ends the other sessions only; a reset
//! link is replaced by a newer one, works once (also under racing requests), not after its
//! expiry and not for a deactivated technician; an admin's reset clears the password, turns
//! TOTP off and ends every session; recovery codes are listed by number with their use.
//! Every org-scoped method ignores another org's technician.

use crate::fixtures::{at, org, random_bytes, session, technician};
use crate::harness::concurrently;
use countersign_domain::Role;
use countersign_store::{
    CredentialStore, PasswordReset, PasswordResetKind, RecoveryCodeState, SessionStore, Store,
    StoreError, Technician, TechnicianStore,
};
use std::time::Duration;

/// The stored password hash of `t`.
async fn password_of(store: &Store, t: &Technician) -> String {
    store
        .technician(t.org_id, t.id)
        .await
        .unwrap()
        .password_hash
}

/// Uses the link with `token_hash` at `at`.
async fn claim(
    store: &Store,
    token_hash: &[u8],
    password_hash: &str,
    at: countersign_domain::Timestamp,
) -> Option<PasswordReset> {
    store
        .complete_password_reset(token_hash, password_hash, at)
        .await
        .unwrap()
}

/// The stored link with `token_hash`, if any.
async fn lookup(store: &Store, token_hash: &[u8]) -> Option<PasswordReset> {
    store
        .password_reset_by_token_hash(token_hash)
        .await
        .unwrap()
}

fn reset(t: &Technician, kind: PasswordResetKind, created_s: u64, minutes: u64) -> PasswordReset {
    PasswordReset {
        token_hash: random_bytes(),
        org_id: t.org_id,
        technician_id: t.id,
        kind,
        created_at: at(created_s),
        expires_at: at(created_s).plus(Duration::from_secs(minutes * 60)),
    }
}

pub async fn change_password_ends_the_other_sessions(store: &Store) {
    let acme = org(store, "acme").await;
    let other = org(store, "other").await;
    let amy = technician(store, &acme, "amy@acme.test", Role::Technician).await;
    let this = session(store, &amy, at(0)).await;
    let laptop = session(store, &amy, at(1)).await;
    let ended = store
        .change_password(acme.id, amy.id, "new-hash", this.id)
        .await
        .unwrap();
    assert_eq!(ended, 1);
    let left = store.sessions_of(acme.id, amy.id).await.unwrap();
    assert_eq!(left.iter().map(|s| s.id).collect::<Vec<_>>(), vec![this.id]);
    assert!(
        store
            .session_by_token_hash(&laptop.token_hash)
            .await
            .unwrap()
            .is_none()
    );
    let amy_now = store.technician(acme.id, amy.id).await.unwrap();
    assert_eq!(amy_now.password_hash, "new-hash");
    // Another org's id changes nothing.
    assert!(matches!(
        store.change_password(other.id, amy.id, "x", this.id).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(password_of(store, &amy).await, "new-hash");
}

pub async fn a_reset_link_works_once_and_a_newer_one_replaces_it(store: &Store) {
    let acme = org(store, "acme").await;
    let amy = technician(store, &acme, "amy@acme.test", Role::Technician).await;
    session(store, &amy, at(0)).await;
    let first = reset(&amy, PasswordResetKind::Forgot, 0, 30);
    store.create_password_reset(&first).await.unwrap();
    assert_eq!(lookup(store, &first.token_hash).await, Some(first.clone()));
    let second = reset(&amy, PasswordResetKind::Forgot, 10, 30);
    store.create_password_reset(&second).await.unwrap();
    // The older link is gone.
    assert_eq!(lookup(store, &first.token_hash).await, None);
    assert_eq!(claim(store, &first.token_hash, "h1", at(20)).await, None);
    // Past its expiry it does not work, and nothing changes.
    assert_eq!(
        claim(store, &second.token_hash, "h1", at(10 + 30 * 60)).await,
        None
    );
    assert_eq!(
        password_of(store, &amy).await,
        crate::fixtures::PASSWORD_HASH
    );
    assert_eq!(store.sessions_of(acme.id, amy.id).await.unwrap().len(), 1);
    // Used: the password is set and every session ends; a replay fails.
    let used = claim(store, &second.token_hash, "h2", at(20)).await;
    assert_eq!(used, Some(second.clone()));
    assert_eq!(password_of(store, &amy).await, "h2");
    assert!(store.sessions_of(acme.id, amy.id).await.unwrap().is_empty());
    assert_eq!(claim(store, &second.token_hash, "h3", at(21)).await, None);
    assert_eq!(password_of(store, &amy).await, "h2");
}

pub async fn racing_uses_of_a_link_have_one_winner(store: &Store) {
    let acme = org(store, "acme").await;
    let amy = technician(store, &acme, "amy@acme.test", Role::Technician).await;
    let link = reset(&amy, PasswordResetKind::Forgot, 0, 30);
    store.create_password_reset(&link).await.unwrap();
    let results = concurrently(8, |i| {
        let (store, hash) = (store.clone(), link.token_hash.clone());
        async move {
            let mine = format!("hash-{i}");
            let won = claim(&store, &hash, &mine, at(5)).await.is_some();
            won.then_some(mine)
        }
    })
    .await;
    let winners: Vec<&String> = results.iter().flatten().collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    // The winner's password is the one stored.
    assert_eq!(&password_of(store, &amy).await, winners[0]);
}

pub async fn a_deactivated_technician_cannot_use_a_link(store: &Store) {
    let acme = org(store, "acme").await;
    let amy = technician(store, &acme, "amy@acme.test", Role::Technician).await;
    let link = reset(&amy, PasswordResetKind::Admin, 0, 24 * 60);
    store.create_password_reset(&link).await.unwrap();
    store.set_active(acme.id, amy.id, false).await.unwrap();
    assert_eq!(claim(store, &link.token_hash, "h", at(5)).await, None);
    assert_eq!(
        password_of(store, &amy).await,
        crate::fixtures::PASSWORD_HASH
    );
}

pub async fn an_admin_reset_clears_password_second_factor_and_sessions(store: &Store) {
    let acme = org(store, "acme").await;
    let other = org(store, "other").await;
    let amy = technician(store, &acme, "amy@acme.test", Role::Technician).await;
    let bob = technician(store, &acme, "bob@acme.test", Role::Technician).await;
    let codes: Vec<Vec<u8>> = (0..3).map(|_| random_bytes()).collect();
    store
        .enable_totp(acme.id, amy.id, b"sealed", &codes, at(0))
        .await
        .unwrap();
    session(store, &amy, at(0)).await;
    session(store, &amy, at(1)).await;
    let bobs = session(store, &bob, at(1)).await;
    let older = reset(&amy, PasswordResetKind::Forgot, 0, 30);
    store.create_password_reset(&older).await.unwrap();

    // Another org's admin names amy: not found, nothing changes.
    let foreign = PasswordReset {
        org_id: other.id,
        ..reset(&amy, PasswordResetKind::Admin, 2, 24 * 60)
    };
    assert!(matches!(
        store.reset_credentials(&foreign, "").await,
        Err(StoreError::NotFound)
    ));
    assert!(
        store
            .technician(acme.id, amy.id)
            .await
            .unwrap()
            .totp_enabled_at
            .is_some()
    );

    let link = reset(&amy, PasswordResetKind::Admin, 2, 24 * 60);
    assert_eq!(store.reset_credentials(&link, "").await.unwrap(), 2);
    let amy_now = store.technician(acme.id, amy.id).await.unwrap();
    assert_eq!(amy_now.password_hash, "");
    assert_eq!(amy_now.totp_enabled_at, None);
    assert_eq!(amy_now.totp_secret, None);
    assert_eq!(store.recovery_codes_left(acme.id, amy.id).await.unwrap(), 0);
    assert!(store.sessions_of(acme.id, amy.id).await.unwrap().is_empty());
    // Bob is untouched; the older link is replaced by the admin's.
    assert!(
        store
            .session_by_token_hash(&bobs.token_hash)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(lookup(store, &older.token_hash).await, None);
    let stored = lookup(store, &link.token_hash).await.unwrap();
    assert_eq!(stored.kind, PasswordResetKind::Admin);
}

pub async fn recovery_codes_are_listed_by_number_with_their_use(store: &Store) {
    let acme = org(store, "acme").await;
    let other = org(store, "other").await;
    let amy = technician(store, &acme, "amy@acme.test", Role::Technician).await;
    let codes: Vec<Vec<u8>> = (0..4).map(|_| random_bytes()).collect();
    store
        .enable_totp(acme.id, amy.id, b"sealed", &codes, at(0))
        .await
        .unwrap();
    assert!(
        store
            .use_recovery_code(acme.id, amy.id, &codes[2], at(60))
            .await
            .unwrap()
    );
    // Used once only: the row is kept (marked), not deleted.
    assert!(
        !store
            .use_recovery_code(acme.id, amy.id, &codes[2], at(61))
            .await
            .unwrap()
    );
    let states = store.recovery_code_states(acme.id, amy.id).await.unwrap();
    let want: Vec<RecoveryCodeState> = (1..=4)
        .map(|n| RecoveryCodeState {
            position: Some(n),
            used_at: (n == 3).then(|| at(60)),
        })
        .collect();
    assert_eq!(states, want);
    assert_eq!(store.recovery_codes_left(acme.id, amy.id).await.unwrap(), 3);
    assert!(
        store
            .recovery_code_states(other.id, amy.id)
            .await
            .unwrap()
            .is_empty()
    );
}
