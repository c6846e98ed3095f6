//! Limits that must hold under concurrency (issue 17.3, 17.4): login and second-factor
//! throttles count an attempt before checking it, and password checks are bounded.

use crate::{LOCKED, PW, WRONG, get, location, signed_in};
use countersign_app::settings::SecuritySettings;
use countersign_testkit::{Options, TestApp};
use std::sync::Arc;

/// Sends `forms` to `action` all at once, each from its own client with its own CSRF token
/// (fetched from `page` beforehand), and returns each client with its answer.
async fn burst_answers(
    app: &TestApp,
    clients: Vec<reqwest::Client>,
    page: &str,
    action: &str,
    forms: Vec<Vec<(&'static str, String)>>,
) -> Vec<(reqwest::Client, reqwest::Response)> {
    let barrier = Arc::new(tokio::sync::Barrier::new(forms.len()));
    let mut set = tokio::task::JoinSet::new();
    for (c, form) in clients.into_iter().zip(forms) {
        let csrf = app.csrf(&c, page).await;
        let mut fields = vec![("_csrf", csrf)];
        fields.extend(form);
        let url = app.url(action);
        let barrier = barrier.clone();
        set.spawn(async move {
            barrier.wait().await;
            let res = c.post(url).form(&fields).send().await.unwrap();
            (c, res)
        });
    }
    set.join_all().await
}

/// [`burst_answers`]' statuses.
async fn burst(
    app: &TestApp,
    clients: Vec<reqwest::Client>,
    page: &str,
    action: &str,
    forms: Vec<Vec<(&'static str, String)>>,
) -> Vec<u16> {
    burst_answers(app, clients, page, action, forms)
        .await
        .into_iter()
        .map(|(_, res)| res.status().as_u16())
        .collect()
}

/// Sign-ins all at once, each from its own client; returns why each was refused (each is
/// refused: PRG, a 303 back to the form that shows the reason, issue 21.2).
async fn burst_sign_ins(
    app: &TestApp,
    clients: Vec<reqwest::Client>,
    forms: Vec<Vec<(&'static str, String)>>,
) -> Vec<String> {
    let mut reasons = Vec::new();
    for (c, res) in burst_answers(app, clients, "/login", "/login", forms).await {
        reasons.push(crate::refused(app, &c, res, "/login").await);
    }
    reasons
}

fn count_reasons(reasons: &[String], start: &str) -> usize {
    reasons.iter().filter(|r| r.starts_with(start)).count()
}

fn count(statuses: &[u16], status: u16) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

/// 30 parallel wrong passwords for one account: exactly the limit (5) are checked, the rest
/// refused unchecked, and then the right password is refused too.
pub async fn parallel_logins_check_no_more_than_the_limit(app: TestApp) {
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let before = app.app.password_gate.checks();
    let clients = (0..30).map(|_| app.client()).collect();
    let forms = (0..30)
        .map(|i| {
            vec![
                ("email", "admin@acme.test".to_owned()),
                ("password", format!("wrong password {i}")),
            ]
        })
        .collect();
    let reasons = burst_sign_ins(&app, clients, forms).await;
    assert_eq!(app.app.password_gate.checks() - before, 5, "{reasons:?}");
    assert_eq!(count_reasons(&reasons, WRONG), 5, "{reasons:?}");
    assert_eq!(count_reasons(&reasons, LOCKED), 25, "{reasons:?}");
    let c = app.client();
    assert!(
        crate::login_refused(&app, &c, "admin@acme.test", PW)
            .await
            .starts_with(LOCKED)
    );
    assert_eq!(app.app.password_gate.checks() - before, 5);
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_logins_check_no_more_than_the_limit_sqlite() {
    parallel_logins_check_no_more_than_the_limit(TestApp::new().await).await;
}

/// A technician with TOTP on, signed in by password only (the second step due) in `c`.
async fn second_factor_due(app: &TestApp) -> (reqwest::Client, countersign_crypto::TotpSecret) {
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let c = signed_in(app, "admin@acme.test").await;
    let (secret, _) = crate::totp::enroll(app, &c, "admin@acme.test").await;
    let c2 = app.client();
    let res = app.login(&c2, "admin@acme.test", PW).await;
    assert_eq!(location(&res), "/login/2fa");
    (c2, secret)
}

/// 30 parallel wrong codes on one pending second factor: 5 checked, then even the right code
/// is refused.
pub async fn parallel_second_factors_stop_at_the_limit(app: TestApp) {
    let (c, secret) = second_factor_due(&app).await;
    let clients = (0..30).map(|_| c.clone()).collect();
    let now = app.app.now().unix_seconds();
    let forms = (100_000..)
        .map(|i: u32| i.to_string())
        .filter(|code| countersign_crypto::verify_totp(&secret, code, now).is_none())
        .take(30)
        .map(|code| vec![("code", code)])
        .collect();
    let answers = burst_answers(&app, clients, "/login/2fa", "/login/2fa", forms).await;
    // Every one goes back to the form (PRG): the audit says how many codes were checked.
    assert!(
        answers
            .iter()
            .all(|(_, r)| r.status() == 303 && location(r) == "/login/2fa")
    );
    assert_eq!(second_factor_failures(&app).await, 5);
    let res = app
        .post_form(
            &c,
            "/login/2fa",
            "/login/2fa",
            &[("code", &crate::totp::code_now(&app, &secret))],
        )
        .await;
    let reason = crate::refused(&app, &c, res, "/login/2fa").await;
    assert!(reason.starts_with(LOCKED), "{reason}");
    assert_eq!(second_factor_failures(&app).await, 5, "refused unchecked");
}

/// Second-factor codes checked and found wrong (each is audited as it is checked).
async fn second_factor_failures(app: &TestApp) -> usize {
    crate::chain_entries(app, "login.failed")
        .await
        .iter()
        .filter(|e| e.detail.contains("second factor"))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_second_factors_stop_at_the_limit_sqlite() {
    parallel_second_factors_stop_at_the_limit(TestApp::new().await).await;
}

/// Turning 2FA off is throttled like the second factor: 30 parallel wrong proofs check 5
/// passwords, and the right password is then refused.
pub async fn disabling_2fa_is_throttled(app: TestApp) {
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let c = signed_in(&app, "admin@acme.test").await;
    crate::totp::enroll(&app, &c, "admin@acme.test").await;
    let before = app.app.password_gate.checks();
    let clients = (0..30).map(|_| c.clone()).collect();
    let forms = (0..30)
        .map(|i| vec![("proof", format!("wrong password {i}"))])
        .collect();
    let statuses = burst(&app, clients, "/account", "/account/2fa/disable", forms).await;
    assert_eq!(app.app.password_gate.checks() - before, 5, "{statuses:?}");
    assert_eq!(count(&statuses, 422), 5, "{statuses:?}");
    assert_eq!(count(&statuses, 429), 25, "{statuses:?}");
    let res = app
        .post_form(&c, "/account", "/account/2fa/disable", &[("proof", PW)])
        .await;
    assert_eq!(res.status(), 429);
    assert!(res.text().await.unwrap().contains("Too many attempts"));
    let (_, account) = get(&app, &c, "/account").await;
    assert!(account.contains("Recovery codes left"), "2FA is still on");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn disabling_2fa_is_throttled_sqlite() {
    disabling_2fa_is_throttled(TestApp::new().await).await;
}

fn one_check_at_a_time(queue_ms: u32) -> Options {
    Options {
        security: Some(SecuritySettings {
            argon2_max_concurrent: 1,
            argon2_queue_ms: queue_ms,
            ..SecuritySettings::default()
        }),
        ..Options::default()
    }
}

/// Past the queue deadline a login is refused with 503 and Retry-After, unchecked and not
/// counted against the account.
#[tokio::test]
async fn logins_past_the_password_bound_are_refused_with_retry_after() {
    let app = TestApp::with(one_check_at_a_time(50)).await;
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let c = app.client();
    // Every slot is taken (as by a burst of logins).
    let slot = app.app.password_gate.enter().await.unwrap();
    let before = app.app.password_gate.checks();
    for _ in 0..6 {
        let res = app.login(&c, "admin@acme.test", PW).await;
        assert_eq!(res.status(), 503);
        assert_eq!(res.headers()["retry-after"], "1");
        let body = res.text().await.unwrap();
        assert!(
            body.contains("The server is busy checking other sign-ins."),
            "{body}"
        );
    }
    assert_eq!(app.app.password_gate.checks(), before);
    drop(slot);
    // Six refusals did not lock the account (limit 5): nothing was checked.
    let res = app.login(&c, "admin@acme.test", PW).await;
    assert_eq!(location(&res), "/");
}

/// 40 parallel logins with one check allowed at a time: never two Argon2 checks at once, and
/// with a generous deadline every one is answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_logins_hash_one_at_a_time() {
    let app = TestApp::with(one_check_at_a_time(60_000)).await;
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let clients = (0..40).map(|_| app.client()).collect();
    let forms = (0..40)
        .map(|i| {
            vec![
                ("email", format!("user{i}@acme.test")),
                ("password", "wrong password 1".to_owned()),
            ]
        })
        .collect();
    let reasons = burst_sign_ins(&app, clients, forms).await;
    // 20 failures lock the address: the rest are refused before any check.
    assert_eq!(count_reasons(&reasons, WRONG), 20, "{reasons:?}");
    assert_eq!(count_reasons(&reasons, LOCKED), 20, "{reasons:?}");
    assert_eq!(app.app.password_gate.peak(), 1);
}
