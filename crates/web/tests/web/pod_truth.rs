//! Issue 21.3: the Pod tells the truth and keeps the technician oriented. Its header follows
//! the latest way a check of the contact ended (a later denial, failure or expiry turns the
//! green off and says why); outside a PSA's frame it keeps the app's navigation and a way
//! back to the contacts; "Who" tells contacts of the same name apart; the send limit says when
//! the next send is allowed, and "who I am" has limits of its own. Scenarios take a `TestApp`
//! and run on SQLite and PostgreSQL.

use crate::contacts::{customer, user};
use crate::verification::{
    Fixture, challenge_of, code_in, enter_code, fixture_on, last_message, start, start_link,
};
use crate::{PW, get, location, signed_in};
use countersign_domain::{ContactId, Timestamp};
use countersign_store::{
    ChallengeStore, ContactStore, SourceKind, TechnicianCheckStore, TechnicianStore,
};
use countersign_testkit::{TestApp, skip_postgres};
use std::time::Duration;

const MINUTE: Duration = Duration::from_secs(60);

fn pod(f: &Fixture) -> String {
    format!("/pod/contacts/{}", f.contact)
}

/// The Pod header's verified line (`<p … id="pod-verified">…</p>`).
async fn header(f: &Fixture) -> String {
    let (status, body) = get(&f.app, &f.admin, &pod(f)).await;
    assert_eq!(status, 200);
    let start = body.find("<p class=\"verified").expect("a verified line");
    let end = body[start..].find("</p>").unwrap() + start;
    body[start..end].to_owned()
}

/// Verifies the Pod's contact by an SMS code.
async fn verify_by_code(f: &Fixture) {
    let vid = start(f, "sms_code", &[]).await;
    let code = code_in(&last_message(&f.app, f.org, "verification_code").await.1);
    let (status, _) = enter_code(f, &vid, &code).await;
    assert_eq!(status, 303);
}

/// The contact answers an approve link: `deny`, or `approve` with `number`.
async fn answer_link(f: &Fixture, token: &str, fields: &[(&str, &str)]) {
    let visitor = f.app.client();
    let page = format!("/v/{token}");
    let res = f.app.post_form(&visitor, &page, &page, fields).await;
    assert_eq!(res.status(), 303);
}

fn now(f: &Fixture) -> Timestamp {
    f.app.app.now()
}

pub async fn the_header_follows_the_latest_outcome(app: TestApp) {
    let f = fixture_on(app).await;
    verify_by_code(&f).await;
    let h = header(&f).await;
    assert!(
        h.contains("verified ok") && h.contains("verified just now by"),
        "{h}"
    );

    // A later check stays green while it waits for the contact…
    f.app.clock.advance(MINUTE);
    let (_, token, _) = start_link(&f).await;
    assert!(
        header(&f).await.contains("verified ok"),
        "a pending check is no outcome"
    );
    // …and the contact's "This wasn't me" turns it off, saying why and when.
    answer_link(&f, &token, &[("answer", "deny")]).await;
    let h = header(&f).await;
    assert!(!h.contains("verified ok"), "{h}");
    assert!(h.contains("verified refuted"), "{h}");
    assert!(
        h.contains(&format!(
            "Not verified: last check denied by the contact at {} (just now; email approve link by admin).",
            now(&f).display_near(now(&f))
        )),
        "{h}"
    );
    assert!(h.contains("Last success: verified 1 min ago"), "{h}");

    // A new success is the latest outcome again.
    f.app.clock.advance(MINUTE);
    verify_by_code(&f).await;
    assert!(header(&f).await.contains("verified ok"));

    // A check that runs out unanswered turns it off, before the sweep has marked it.
    f.app.clock.advance(10 * MINUTE);
    let vid = start(&f, "sms_code", &[]).await;
    let expires = challenge_of(&f, &vid).await.expires_at;
    f.app.clock.advance(5 * MINUTE + Duration::from_secs(1));
    let h = header(&f).await;
    assert!(
        h.contains(&format!(
            "last check expired unanswered at {}",
            expires.display_near(now(&f))
        )),
        "{h}"
    );
    let (_, body) = get(&f.app, &f.admin, &pod(&f)).await;
    assert!(body.contains(">expired</span>"), "the history says it too");

    // A check replaced by a newer one before it was answered says nothing: the newer one
    // decides.
    start(&f, "sms_code", &[]).await;
    f.app.clock.advance(Duration::from_secs(1));
    verify_by_code(&f).await;
    assert!(header(&f).await.contains("verified ok"));

    // A wrong number on the approve page fails the link, and the header says so.
    f.app.clock.advance(10 * MINUTE);
    let (vid, token, number) = start_link(&f).await;
    let c = challenge_of(&f, &vid).await;
    let wrong = c.match_choices.iter().find(|n| **n != number).unwrap();
    answer_link(
        &f,
        &token,
        &[("answer", "approve"), ("number", &wrong.to_string())],
    )
    .await;
    let h = header(&f).await;
    assert!(
        !h.contains("verified ok")
            && h.contains("last check failed (a wrong number was picked on the approve page)"),
        "{h}"
    );
    // Deliver what the test queued, as a server's workers would (none may be left).
    f.app.run_jobs().await;
}

#[tokio::test]
async fn the_header_follows_the_latest_outcome_sqlite() {
    the_header_follows_the_latest_outcome(TestApp::new().await).await;
}

#[tokio::test]
async fn pg_the_header_follows_the_latest_outcome() {
    if skip_postgres() {
        return;
    }
    the_header_follows_the_latest_outcome(TestApp::postgres().await).await;
}

pub async fn the_pod_keeps_the_navigation_outside_a_frame(app: TestApp) {
    let f = fixture_on(app).await;
    // Opened on its own: the app's top bar, Contacts current, and a way back to the list.
    let (status, body) = get(&f.app, &f.admin, &pod(&f)).await;
    assert_eq!(status, 200);
    assert!(body.contains(r#"<header class="topbar">"#), "{body}");
    assert!(body.contains(r#"<a href="/contacts" aria-current="page">Contacts</a>"#));
    assert!(body.contains(r#"<a href="/contacts" id="pod-back">"#));
    assert!(body.contains(r##"<a class="skip-link" href="#main">"##));
    assert!(!body.contains(r#"<body class="pod">"#));
    // Inside a frame (a PSA's): the compact Pod, as before.
    let framed = f
        .admin
        .get(f.app.url(&pod(&f)))
        .header("sec-fetch-dest", "iframe")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(framed.contains(r#"<body class="pod">"#));
    assert!(!framed.contains("topbar") && !framed.contains("pod-back"));
    // A refused action shown again from a framed POST stays compact too.
    let csrf = f.app.csrf(&f.admin, &pod(&f)).await;
    let res = f
        .admin
        .post(f.app.url(&format!("{}/verify", pod(&f))))
        .header("sec-fetch-dest", "iframe")
        .form(&[("_csrf", csrf.as_str()), ("method", "carrier pigeon")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let again = res.text().await.unwrap();
    assert!(again.contains(r#"<body class="pod">"#) && !again.contains("topbar"));

    // A technician restricted to the Pod has no app to go back to: compact everywhere.
    let tess = crate::add_technician(&f.app, "admin@acme.test", "tess@acme.test", "Tess").await;
    let admin = f
        .app
        .app
        .store()
        .technician_by_email_for_login("admin@acme.test")
        .await
        .unwrap()
        .unwrap();
    f.app
        .app
        .set_pod_only(&crate::principal(&admin), tess.id, true)
        .await
        .unwrap();
    let t = signed_in(&f.app, "tess@acme.test").await;
    let (status, body) = get(&f.app, &t, &pod(&f)).await;
    assert_eq!(status, 200);
    assert!(body.contains(r#"<body class="pod">"#) && !body.contains("topbar"));
    // Deliver what the test queued (the invite), as a server's workers would.
    f.app.run_jobs().await;
}

#[tokio::test]
async fn the_pod_keeps_the_navigation_outside_a_frame_sqlite() {
    the_pod_keeps_the_navigation_outside_a_frame(TestApp::new().await).await;
}

#[tokio::test]
async fn pg_the_pod_keeps_the_navigation_outside_a_frame() {
    if skip_postgres() {
        return;
    }
    the_pod_keeps_the_navigation_outside_a_frame(TestApp::postgres().await).await;
}

/// The contact of the org with this email address.
async fn by_email(app: &TestApp, org: countersign_domain::OrgId, email: &str) -> ContactId {
    let found = app.app.store().contacts_by_email(org, email).await.unwrap();
    assert_eq!(found.len(), 1, "{email}");
    found[0]
}

pub async fn who_tells_contacts_of_one_name_apart(app: TestApp) {
    let a = app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let cust = customer(&app, a.org.id, "Contoso", SourceKind::Microsoft365).await;
    app.app
        .store()
        .upsert_synced_contacts(
            a.org.id,
            cust.id,
            SourceKind::Microsoft365,
            &[
                user("1", "Ann Lee", "ann@c.example", "+1 425 555 0101"),
                user("2", "Ann Lee", "ann.lee@c.example", "+1 425 555 0103"),
                user("3", "Bob Ray", "bob@c.example", "+1 425 555 0102"),
            ],
            app.app.now(),
        )
        .await
        .unwrap();
    let ann = by_email(&app, a.org.id, "ann@c.example").await;
    let other_ann = by_email(&app, a.org.id, "ann.lee@c.example").await;
    let bob = by_email(&app, a.org.id, "bob@c.example").await;
    let c = signed_in(&app, "admin@acme.test").await;
    let page = format!("/pod/contacts/{ann}?action=verify");
    let (status, body) = get(&app, &c, &page).await;
    assert_eq!(status, 200);
    assert!(
        body.contains(
            r#"<option value="">Ann Lee — ann@c.example · Contoso (this contact)</option>"#
        ),
        "{body}"
    );
    assert!(body.contains(&format!(
        r#"<option value="{other_ann}">Ann Lee — ann.lee@c.example · Contoso</option>"#
    )));
    // A name nobody else has stays as it is.
    assert!(body.contains(&format!(r#"<option value="{bob}">Bob Ray</option>"#)));
    // Picking the other Ann sends to her number, not this Pod's contact's.
    let res = app
        .post_form(
            &c,
            &page,
            &format!("/pod/contacts/{ann}/verify"),
            &[
                ("method", "sms_code"),
                ("target", &other_ann.to_string()),
                ("note", "asked by her manager"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let (to, _) = last_message(&app, a.org.id, "verification_code").await;
    assert_eq!(to, "+14255550103");
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}

#[tokio::test]
async fn who_tells_contacts_of_one_name_apart_sqlite() {
    who_tells_contacts_of_one_name_apart(TestApp::new().await).await;
}

#[tokio::test]
async fn pg_who_tells_contacts_of_one_name_apart() {
    if skip_postgres() {
        return;
    }
    who_tells_contacts_of_one_name_apart(TestApp::postgres().await).await;
}

/// POSTs "who I am" from the Pod.
async fn who_i_am(f: &Fixture) -> reqwest::Response {
    f.app
        .post_form(
            &f.admin,
            &format!("{}?action=technician", pod(f)),
            &format!("{}/who-i-am", pod(f)),
            &[],
        )
        .await
}

/// The Pod's refusal (`id="pod-error"`) in a re-rendered page.
fn pod_error(body: &str) -> String {
    let start = body.find(r#"id="pod-error">"#).expect("an error") + r#"id="pod-error">"#.len();
    body[start..start + body[start..].find("</p>").unwrap()].to_owned()
}

pub async fn the_send_limit_says_when_and_who_i_am_has_its_own(app: TestApp) {
    let f = fixture_on(app).await;
    // Three sends to one number per 10 minutes (the default), a minute apart.
    let first = now(&f);
    for _ in 0..3 {
        start(&f, "sms_code", &[]).await;
        f.app.clock.advance(MINUTE);
    }
    f.app.clock.advance(Duration::from_secs(30));
    // The fourth is refused and says when the next is allowed: when the first leaves the
    // window, 10 minutes after it (6 min 30 s from now, "in 7 min").
    let res = f
        .app
        .post_form(
            &f.admin,
            &format!("{}?action=verify", pod(&f)),
            &format!("{}/verify", pod(&f)),
            &[("method", "sms_code")],
        )
        .await;
    assert_eq!(res.status(), 429);
    assert_eq!(res.headers()["retry-after"], "390");
    let next = Timestamp(first.0 + 600_000);
    let text = pod_error(&res.text().await.unwrap());
    assert_eq!(
        text,
        format!(
            "This contact was sent the most verifications allowed in 10 minutes: the next send is allowed at {} (in 7 min); or verify them another way.",
            next.display_near(now(&f))
        )
    );

    // "Who I am" is not blocked by the verification limit, and uses none of it.
    let res = who_i_am(&f).await;
    assert_eq!(location(&res), pod(&f));
    let (_, body) = crate::follow(&f.app, &f.admin, res).await;
    assert!(body.contains(r#"id="pod-who-code""#), "{body}");
    // It has limits of its own, of the same sizes: three per number per 10 minutes.
    let who_first = now(&f);
    for _ in 0..2 {
        f.app.clock.advance(Duration::from_secs(10));
        assert_eq!(who_i_am(&f).await.status(), 303);
    }
    let res = who_i_am(&f).await;
    assert_eq!(res.status(), 429);
    let text = pod_error(&res.text().await.unwrap());
    let who_next = Timestamp(who_first.0 + 600_000);
    assert_eq!(
        text,
        format!(
            "This contact was sent the most “who I am” messages allowed in 10 minutes: the next send is allowed at {} (in 10 min).",
            who_next.display_near(now(&f))
        )
    );
    // Once the first verification has left the window, verifying works again, the "who I
    // am" messages since notwithstanding.
    f.app.clock.advance(Duration::from_millis(
        u64::try_from(next.0 - now(&f).0).unwrap(),
    ));
    start(&f, "sms_code", &[]).await;
    // Deliver what the test queued, as a server's workers would (none may be left).
    f.app.run_jobs().await;
}

#[tokio::test]
async fn the_send_limit_says_when_and_who_i_am_has_its_own_sqlite() {
    the_send_limit_says_when_and_who_i_am_has_its_own(TestApp::new().await).await;
}

#[tokio::test]
async fn pg_the_send_limit_says_when_and_who_i_am_has_its_own() {
    if skip_postgres() {
        return;
    }
    the_send_limit_says_when_and_who_i_am_has_its_own(TestApp::postgres().await).await;
}

/// The technician's hourly limit says when too: its counts are per-minute buckets, so the
/// next send is allowed when the oldest bucket that must go leaves the hour.
#[tokio::test]
async fn the_technician_limit_says_when() {
    let f = fixture_on(TestApp::new().await).await;
    let mut settings = f
        .app
        .app
        .store()
        .verification_settings(f.org)
        .await
        .unwrap();
    settings.per_technician_hour = 2;
    f.app
        .app
        .store()
        .save_verification_settings(&settings)
        .await
        .unwrap();
    let first = now(&f);
    start(&f, "sms_code", &[]).await;
    f.app.clock.advance(5 * MINUTE);
    start(&f, "sms_code", &[]).await;
    f.app.clock.advance(5 * MINUTE);
    let res = f
        .app
        .post_form(
            &f.admin,
            &format!("{}?action=verify", pod(&f)),
            &format!("{}/verify", pod(&f)),
            &[("method", "sms_code")],
        )
        .await;
    assert_eq!(res.status(), 429);
    let bucket = first.0 - first.0.rem_euclid(60_000);
    let next = Timestamp(bucket + 60_000 + 3_600_000);
    let text = pod_error(&res.text().await.unwrap());
    assert!(
        text.starts_with(
            "You sent the most verifications allowed per hour: the next send is allowed at "
        ) && text.contains(&next.display_near(now(&f)))
            && text.contains(&next.wait_from(now(&f))),
        "{text}"
    );
    // Deliver what the test queued, as a server's workers would (none may be left).
    f.app.run_jobs().await;
}
