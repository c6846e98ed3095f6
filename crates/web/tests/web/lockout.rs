//! Issue 18.3 (ASVS 6.3.1): wrong passwords lock one account from one address, not the
//! account; account-wide they slow sign-ins down, except from an address the technician has
//! signed in from; the technician is emailed once an hour; an admin can unlock.
//!
//! Clients name their address in X-Forwarded-For, which the server trusts from loopback.

use crate::{LOCKED, PW, WRONG, add_technician, location, login_refused, signed_in};
use countersign_app::accounts::{MAX_SLOW_DOWN, slow_down};
use countersign_domain::OrgId;
use countersign_store::{AuditFilter, AuditStore, MessageFilter, MessageStore};
use countersign_testkit::{Options, TestApp, skip_postgres};
use std::time::Duration;

const OWNER: &str = "admin@acme.test";
/// The owner's usual address.
const HOME: &str = "198.51.100.7";
/// The limit per account and address, and the account-wide slow-down threshold (defaults).
const LIMIT: usize = 5;

fn options() -> Options {
    Options {
        trusted_proxies: vec!["127.0.0.1".into()],
        ..Options::default()
    }
}

/// `n` wrong passwords for `email` from each of `addresses`; returns why each was refused.
async fn guess(app: &TestApp, email: &str, addresses: &[&str], n: usize) -> Vec<String> {
    let mut reasons = Vec::new();
    for address in addresses {
        let c = app.client_from(address);
        for i in 0..n {
            reasons.push(login_refused(app, &c, email, &format!("wrong password {i}")).await);
        }
    }
    reasons
}

/// Attack emails queued for the org.
async fn attack_emails(app: &TestApp, org: OrgId) -> usize {
    let all = app
        .app
        .store()
        .messages(
            org,
            &MessageFilter {
                limit: 100,
                ..MessageFilter::default()
            },
        )
        .await
        .unwrap();
    all.iter()
        .filter(|m| m.template == "sign_in_attack")
        .count()
}

/// Attackers at four addresses each guess the limit of wrong passwords: each address is then
/// locked for this account (even with the right password), but the owner, from the address
/// they signed in from before, signs in at once, without slow-down.
pub async fn attackers_elsewhere_do_not_keep_the_owner_out(app: TestApp) {
    app.create_admin("Acme IT", OWNER, PW).await;
    let home = app.client_from(HOME);
    assert_eq!(location(&app.login(&home, OWNER, PW).await), "/");

    let attackers = ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"];
    let reasons = guess(&app, OWNER, &attackers, LIMIT).await;
    assert!(reasons.iter().all(|r| r == WRONG), "{reasons:?}");
    // The attacker's pair is locked, even with the right password.
    let a = app.client_from(attackers[0]);
    assert!(login_refused(&app, &a, OWNER, PW).await.starts_with(LOCKED));

    let before = app.clock.paused();
    let home = app.client_from(HOME);
    let res = app.login(&home, OWNER, PW).await;
    assert_eq!(res.status(), 303, "the owner is kept out");
    assert_eq!(location(&res), "/");
    assert_eq!(
        app.clock.paused(),
        before,
        "a known address is not slowed down"
    );
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}

#[tokio::test]
async fn attackers_elsewhere_do_not_keep_the_owner_out_sqlite() {
    attackers_elsewhere_do_not_keep_the_owner_out(TestApp::with(options()).await).await;
}

#[tokio::test]
async fn pg_attackers_elsewhere_do_not_keep_the_owner_out() {
    if skip_postgres() {
        return;
    }
    attackers_elsewhere_do_not_keep_the_owner_out(TestApp::postgres_with(options()).await).await;
}

/// From an address it has not signed in from, the account under attack still signs in with
/// the right password, after the growing wait; the same wait for an email that has no
/// account. Below the threshold nobody waits.
#[tokio::test]
async fn an_unknown_address_gets_the_slow_down() {
    let app = TestApp::with(options()).await;
    app.create_admin("Acme IT", OWNER, PW).await;
    let before = app.clock.paused();
    let c = app.client_from("192.0.2.10");
    assert_eq!(location(&app.login(&c, OWNER, PW).await), "/");
    assert_eq!(app.clock.paused(), before, "no failures, no wait");

    let attackers = ["203.0.113.1", "203.0.113.2", "203.0.113.3"];
    guess(&app, OWNER, &attackers, LIMIT).await;
    guess(&app, "ghost@acme.test", &attackers, LIMIT).await;
    let failures = i64::try_from(attackers.len() * LIMIT).unwrap();
    let expected = slow_down(failures, 5);
    assert!(!expected.is_zero() && expected <= MAX_SLOW_DOWN);

    let before = app.clock.paused();
    let c = app.client_from("192.0.2.20");
    assert_eq!(location(&app.login(&c, OWNER, PW).await), "/");
    assert_eq!(app.clock.paused() - before, expected);

    // An email without an account waits the same.
    let before = app.clock.paused();
    let c = app.client_from("192.0.2.30");
    assert_eq!(login_refused(&app, &c, "ghost@acme.test", PW).await, WRONG);
    assert_eq!(app.clock.paused() - before, expected);
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}

/// An admin unlocks a technician: the locked address may sign in at once, without wait, and
/// the unlock is audited. A technician may not unlock.
#[tokio::test]
async fn an_admin_unlocks_sign_in() {
    let app = TestApp::with(options()).await;
    let admin = app.create_admin("Acme IT", OWNER, PW).await;
    let tess = add_technician(&app, OWNER, "tess@acme.test", "Tess").await;
    let attacker = "203.0.113.9";
    guess(&app, "tess@acme.test", &[attacker], LIMIT + 1).await;
    let a = app.client_from(attacker);
    assert!(
        login_refused(&app, &a, "tess@acme.test", PW)
            .await
            .starts_with(LOCKED)
    );

    let page = format!("/settings/technicians/{}", tess.id);
    let action = format!("{page}/unlock");
    let as_tess = signed_in(&app, "tess@acme.test").await;
    let res = app.post_form(&as_tess, "/account", &action, &[]).await;
    assert_eq!(res.status(), 403);

    let c = signed_in(&app, OWNER).await;
    let res = app.post_form(&c, &page, &action, &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("{page}?notice=sign_in_unlocked"));

    let before = app.clock.paused();
    assert_eq!(location(&app.login(&a, "tess@acme.test", PW).await), "/");
    assert_eq!(app.clock.paused(), before, "the slow-down ended");
    let entries = app
        .app
        .store()
        .audit_entries(
            admin.org.id,
            &AuditFilter {
                action_prefix: Some("technician.sign_in_unlocked".into()),
                limit: 10,
                ..AuditFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].entry.target, tess.id.to_string());
    assert_eq!(entries[0].entry.actor_id, Some(admin.technician.id));
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}

/// The technician is emailed when the account-wide failures reach the threshold, once
/// however many follow within the hour, and again after the hour if the attack goes on.
pub async fn the_attack_email_is_queued_once_an_hour(app: TestApp) {
    let admin = app.create_admin("Acme IT", OWNER, PW).await;
    let org = admin.org.id;
    guess(&app, OWNER, &["203.0.113.1"], LIMIT - 1).await;
    assert_eq!(attack_emails(&app, org).await, 0, "below the threshold");
    guess(&app, OWNER, &["203.0.113.2", "203.0.113.3"], LIMIT).await;
    assert_eq!(attack_emails(&app, org).await, 1);
    // The slow-downs moved the clock by minutes, not an hour.
    app.clock.advance(Duration::from_secs(61 * 60));
    guess(&app, OWNER, &["203.0.113.4"], 1).await;
    assert_eq!(attack_emails(&app, org).await, 2);
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}

#[tokio::test]
async fn the_attack_email_is_queued_once_an_hour_sqlite() {
    the_attack_email_is_queued_once_an_hour(TestApp::with(options()).await).await;
}

#[tokio::test]
async fn pg_the_attack_email_is_queued_once_an_hour() {
    if skip_postgres() {
        return;
    }
    the_attack_email_is_queued_once_an_hour(TestApp::postgres_with(options()).await).await;
}
