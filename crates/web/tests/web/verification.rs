//! End-user and technician verification over HTTP: codes (single use, five attempts, limits),
//! approve links (GET/HEAD never consume, number matching, one winner), "This wasn't me",
//! technician checks from the public page, and another org's ids.

use crate::contacts::{customer, sync, user};
use crate::{PW, add_technician, get, location, signed_in};
use countersign_domain::{ContactId, OrgId};
use countersign_store::{
    AuditFilter, AuditStore, ChallengeStore, MessageFilter, MessageStore, SourceKind,
    TechnicianCheckStatus, TechnicianCheckStore, VerificationSettings, VerificationStatus,
};
use countersign_testkit::TestApp;
use std::time::Duration;

pub(crate) struct Fixture {
    pub app: TestApp,
    pub org: OrgId,
    pub contact: ContactId,
    pub other: ContactId,
    pub admin: reqwest::Client,
}

async fn fixture() -> Fixture {
    fixture_on(TestApp::new().await).await
}

/// Ann Lee and Bob Ray of Contoso (Microsoft 365) in Acme IT, whose admin is signed in.
pub(crate) async fn fixture_on(app: TestApp) -> Fixture {
    let a = app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let cust = customer(&app, a.org.id, "Contoso", SourceKind::Microsoft365).await;
    let contact = sync(
        &app,
        a.org.id,
        &cust,
        &[user("1", "Ann Lee", "ann@c.example", "+1 425 555 0101")],
    )
    .await;
    let other = sync(
        &app,
        a.org.id,
        &cust,
        &[user("2", "Bob Ray", "bob@c.example", "+1 425 555 0102")],
    )
    .await;
    let admin = signed_in(&app, "admin@acme.test").await;
    Fixture {
        org: a.org.id,
        app,
        contact,
        other,
        admin,
    }
}

/// The newest message queued for the org with this template: (recipient, text).
/// The org's messages made from `template` (the last 100 messages).
async fn messages_of(app: &TestApp, org: OrgId, template: &str) -> Vec<countersign_store::Message> {
    let all = MessageFilter {
        transport: None,
        channel: None,
        limit: 100,
    };
    app.app
        .store()
        .messages(org, &all)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.template == template)
        .collect()
}

pub(crate) async fn last_message(app: &TestApp, org: OrgId, template: &str) -> (String, String) {
    let m = messages_of(app, org, template)
        .await
        .into_iter()
        .max_by_key(|m| m.created_at)
        .unwrap_or_else(|| panic!("no {template} message"));
    (m.recipient, m.body_text.unwrap_or_default())
}

/// How many messages of `template` the org has made.
pub(crate) async fn count_messages(app: &TestApp, org: OrgId, template: &str) -> usize {
    messages_of(app, org, template).await.len()
}

pub(crate) fn code_in(text: &str) -> String {
    text.split("Code ")
        .nth(1)
        .map(|r| r.chars().take(6).collect())
        .expect("a code in the SMS")
}

pub(crate) fn link_token(text: &str, prefix: &str) -> String {
    let start = text.find(prefix).expect("a link") + prefix.len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// Starts a verification from the Pod; returns the verification id from the redirect.
pub(crate) async fn start(f: &Fixture, method: &str, extra: &[(&str, &str)]) -> String {
    let pod = format!("/pod/contacts/{}?action=verify", f.contact);
    let mut fields = vec![("method", method)];
    fields.extend_from_slice(extra);
    let res = f
        .app
        .post_form(
            &f.admin,
            &pod,
            &format!("/pod/contacts/{}/verify", f.contact),
            &fields,
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    location(&res)
        .split("verification=")
        .nth(1)
        .expect("verification id in the redirect")
        .to_owned()
}

pub(crate) async fn enter_code(f: &Fixture, vid: &str, code: &str) -> (u16, String) {
    let res = f
        .app
        .post_form(
            &f.admin,
            &format!(
                "/pod/contacts/{}?action=verify&verification={vid}",
                f.contact
            ),
            &format!("/pod/contacts/{}/verifications/{vid}/code", f.contact),
            &[("code", code)],
        )
        .await;
    let status = res.status().as_u16();
    if status == 303 {
        // PRG: what the Pod shows after the redirect (a refused code's reason, once).
        let (_, body) = get(&f.app, &f.admin, &location(&res)).await;
        return (status, body);
    }
    (status, res.text().await.unwrap())
}

fn wrong(code: &str) -> String {
    let last = (code.as_bytes()[5] - b'0' + 1) % 10;
    format!("{}{last}", &code[..5])
}

#[tokio::test]
async fn sms_code_verifies_once_and_the_shield_turns_green() {
    let f = fixture().await;
    let vid = start(&f, "sms_code", &[]).await;
    let (to, text) = last_message(&f.app, f.org, "verification_code").await;
    assert_eq!(to, "+14255550101", "the number of record");
    assert!(
        text.contains("Acme IT") && text.contains("Only give this code if YOU contacted"),
        "{text}"
    );
    let code = code_in(&text);
    assert!(code.bytes().all(|b| b.is_ascii_digit()));
    // The code itself is stored nowhere but in the message: the verification holds an HMAC.
    let c = f
        .app
        .app
        .store()
        .challenge(f.org, vid.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(c.secret_hash.len(), 32);
    assert!(!c.secret_hash.windows(6).any(|w| w == code.as_bytes()));

    let (status, body) = enter_code(&f, &vid, &wrong(&code)).await;
    // The attempt was counted: a redirect, so a refresh counts no other.
    assert_eq!(status, 303);
    assert!(body.contains("Wrong code. 4 attempts left."), "{body}");
    let (_, again) = get(&f.app, &f.admin, &format!("/pod/contacts/{}", f.contact)).await;
    assert!(!again.contains("Wrong code."), "the reason is shown once");
    let (status, _) = enter_code(&f, &vid, &code).await;
    assert_eq!(status, 303);
    let (_, pod) = get(&f.app, &f.admin, &format!("/pod/contacts/{}", f.contact)).await;
    assert!(pod.contains("class=\"verified ok\""), "{pod}");
    assert!(pod.contains("verified just now by"), "{pod}");
    // Used: the same code again is refused.
    let (status, body) = enter_code(&f, &vid, &code).await;
    assert_eq!(
        status, 303,
        "a refused code redirects to the Pod, which says why"
    );
    assert!(
        body.contains("already verified: a code works once"),
        "{body}"
    );
    // Deliver what the test queued, as a server's workers would (none may be left).
    f.app.run_jobs().await;
}

#[tokio::test]
async fn a_thousand_guessed_codes_stop_after_five() {
    let f = fixture().await;
    let vid = start(&f, "sms_code", &[]).await;
    let code = code_in(&last_message(&f.app, f.org, "verification_code").await.1);
    let csrf = f
        .app
        .csrf(
            &f.admin,
            &format!(
                "/pod/contacts/{}?action=verify&verification={vid}",
                f.contact
            ),
        )
        .await;
    let action = f.app.url(&format!(
        "/pod/contacts/{}/verifications/{vid}/code",
        f.contact
    ));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..1000u32 {
        let (client, action, csrf) = (f.admin.clone(), action.clone(), csrf.clone());
        // Every guess but the real code, in parallel waves.
        let guess = format!("{:06}", (i * 7919) % 1_000_000);
        let guess = if guess == code { wrong(&code) } else { guess };
        tasks.spawn(async move {
            client
                .post(action)
                .form(&[("_csrf", csrf.as_str()), ("code", guess.as_str())])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        });
        if tasks.len() >= 32 {
            tasks.join_next().await;
        }
    }
    while tasks.join_next().await.is_some() {}
    let c = f
        .app
        .app
        .store()
        .challenge(f.org, vid.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(
        c.attempts, 5,
        "no more than five comparisons, however many guesses race"
    );
    assert_eq!(c.verification.status, VerificationStatus::Failed);
    // Even the right code is refused now.
    let (status, body) = enter_code(&f, &vid, &code).await;
    assert_eq!(status, 303);
    assert!(body.contains("already failed"), "{body}");
    // The recipient's failures carried over: a new code does not reset them.
    let vid2 = start(&f, "sms_code", &[]).await;
    let code2 = code_in(&last_message(&f.app, f.org, "verification_code").await.1);
    for _ in 0..5 {
        enter_code(&f, &vid2, &wrong(&code2)).await;
    }
    let res = f
        .app
        .post_form(
            &f.admin,
            &format!("/pod/contacts/{}?action=verify", f.contact),
            &format!("/pod/contacts/{}/verify", f.contact),
            &[("method", "sms_code")],
        )
        .await;
    // A rate limit keeps its status on the re-rendered Pod (the error taxonomy, issue 19.2).
    assert_eq!(
        res.status(),
        429,
        "ten wrong codes in a row lock the recipient"
    );
    assert!(res.text().await.unwrap().contains("too many wrong codes"));
    // Deliver what the test queued, as a server's workers would (none may be left).
    f.app.run_jobs().await;
}

#[tokio::test]
async fn codes_expire_and_send_limits_hold() {
    let f = fixture().await;
    let vid = start(&f, "sms_code", &[]).await;
    let code = code_in(&last_message(&f.app, f.org, "verification_code").await.1);
    f.app.clock.advance(Duration::from_secs(5 * 60 + 1));
    let (status, body) = enter_code(&f, &vid, &code).await;
    assert_eq!(status, 303);
    assert!(body.contains("This code expired"), "{body}");
    // Three sends to one number per 10 minutes; the fourth is refused and nothing is sent.
    start(&f, "sms_code", &[]).await;
    start(&f, "sms_code", &[]).await;
    let before = f
        .app
        .app
        .store()
        .messages(
            f.org,
            &MessageFilter {
                transport: None,
                channel: None,
                limit: 100,
            },
        )
        .await
        .unwrap()
        .len();
    let res = f
        .app
        .post_form(
            &f.admin,
            &format!("/pod/contacts/{}?action=verify", f.contact),
            &format!("/pod/contacts/{}/verify", f.contact),
            &[("method", "sms_code")],
        )
        .await;
    assert_eq!(res.status(), 429, "a send limit is a rate limit");
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("the most verifications allowed in 10 minutes")
    );
    let after = f
        .app
        .app
        .store()
        .messages(
            f.org,
            &MessageFilter {
                transport: None,
                channel: None,
                limit: 100,
            },
        )
        .await
        .unwrap()
        .len();
    assert_eq!(before, after);
    f.app.clock.advance(Duration::from_secs(10 * 60 + 1));
    start(&f, "sms_code", &[]).await;
    // Deliver what the test queued, as a server's workers would (none may be left).
    f.app.run_jobs().await;
}

#[tokio::test]
async fn typed_numbers_need_an_admin_and_notes_follow_the_setting() {
    let f = fixture().await;
    add_technician(&f.app, "admin@acme.test", "tess@acme.test", "Tess").await;
    let tess = signed_in(&f.app, "tess@acme.test").await;
    let pod = format!("/pod/contacts/{}?action=verify", f.contact);
    let action = format!("/pod/contacts/{}/verify", f.contact);
    let res = f
        .app
        .post_form(
            &tess,
            &pod,
            &action,
            &[("method", "sms_code"), ("destination", "+14255550199")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("nly admins may send"));
    start(&f, "sms_code", &[("destination", "+1 425 555 0199")]).await;
    let (to, _) = last_message(&f.app, f.org, "verification_code").await;
    assert_eq!(to, "+14255550199");

    let mut s = VerificationSettings::defaults(f.org);
    s.require_note_for_other = true;
    s.updated_at = Some(f.app.app.now());
    f.app
        .app
        .store()
        .save_verification_settings(&s)
        .await
        .unwrap();
    let other = f.other.to_string();
    let res = f
        .app
        .post_form(
            &tess,
            &pod,
            &action,
            &[("method", "sms_code"), ("target", other.as_str())],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("add a note"));
    f.app.clock.advance(Duration::from_secs(1));
    let res = f
        .app
        .post_form(
            &tess,
            &pod,
            &action,
            &[
                ("method", "sms_code"),
                ("target", other.as_str()),
                ("note", "manager approval"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (to, _) = last_message(&f.app, f.org, "verification_code").await;
    assert_eq!(to, "+14255550102", "the other contact's number of record");
    let entries = f
        .app
        .app
        .store()
        .audit_entries(
            f.org,
            &AuditFilter {
                action_prefix: Some("verification.".into()),
                limit: 100,
                ..AuditFilter::default()
            },
        )
        .await
        .unwrap();
    let typed = entries.iter().find(|e| {
        e.entry.action == "verification.requested"
            && e.entry.detail.contains("\"typed_destination\":true")
    });
    assert!(typed.is_some(), "the typed number is audited");
    assert!(
        entries
            .iter()
            .all(|e| !e.entry.detail.contains("+14255550199")),
        "audit holds masked numbers only"
    );
    // Deliver what the test queued, as a server's workers would (none may be left).
    f.app.run_jobs().await;
}

/// The stored challenge of verification `vid` (from a redirect).
pub(crate) async fn challenge_of(f: &Fixture, vid: &str) -> countersign_store::Challenge {
    f.app
        .app
        .store()
        .challenge(f.org, vid.parse().unwrap())
        .await
        .unwrap()
}

pub(crate) async fn start_link(f: &Fixture) -> (String, String, i64) {
    let vid = start(f, "email_link", &[]).await;
    let (to, text) = last_message(&f.app, f.org, "verification_link").await;
    assert_eq!(to, "ann@c.example");
    let token = link_token(&text, "/v/");
    assert!(token.len() >= 43, "a 256-bit token");
    let c = f
        .app
        .app
        .store()
        .challenge(f.org, vid.parse().unwrap())
        .await
        .unwrap();
    (vid, token, c.match_number.unwrap())
}

#[tokio::test]
async fn approve_link_get_and_head_never_consume_and_number_matching_decides() {
    let f = fixture().await;
    let (vid, token, number) = start_link(&f).await;
    // The technician's Pod shows the number to read out.
    let (_, pod) = get(
        &f.app,
        &f.admin,
        &format!("/pod/contacts/{}?verification={vid}", f.contact),
    )
    .await;
    assert!(
        pod.contains(&format!("id=\"pod-match-number\">{number}<")),
        "{pod}"
    );
    let visitor = f.app.client();
    for _ in 0..100 {
        let res = visitor
            .get(f.app.url(&format!("/v/{token}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["cache-control"], "no-store");
        assert_eq!(res.headers()["referrer-policy"], "no-referrer");
        let res = visitor
            .head(f.app.url(&format!("/v/{token}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    let c = f
        .app
        .app
        .store()
        .challenge(f.org, vid.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(c.verification.status, VerificationStatus::Pending);
    let page = visitor
        .get(f.app.url(&format!("/v/{token}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Acme IT") && page.contains("Which number"),
        "{page}"
    );
    assert!(c.match_choices.len() >= 3 && c.match_choices.contains(&number));
    // Approve without a number: refused, still pending.
    let res = f
        .app
        .post_form(
            &visitor,
            &format!("/v/{token}"),
            &format!("/v/{token}"),
            &[("answer", "approve")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let n = number.to_string();
    let res = f
        .app
        .post_form(
            &visitor,
            &format!("/v/{token}"),
            &format!("/v/{token}"),
            &[("answer", "approve"), ("number", n.as_str())],
        )
        .await;
    // PRG: the outcome on the link's page; a refresh there answers nothing again.
    assert_eq!(location(&res), format!("/v/{token}?answered=1"));
    let (status, body) = crate::follow(&f.app, &visitor, res).await;
    assert_eq!(status, 200);
    assert!(body.contains("you are verified"), "{body}");
    let (_, status) = get(
        &f.app,
        &f.admin,
        &format!("/pod/verifications/{vid}/status"),
    )
    .await;
    assert_eq!(status, r#"{"status":"verified"}"#);
    // Deliver what the test queued, as a server's workers would (none may be left).
    f.app.run_jobs().await;
}

#[tokio::test]
async fn a_wrong_number_fails_the_link() {
    let f = fixture().await;
    let (vid, token, number) = start_link(&f).await;
    let c = f
        .app
        .app
        .store()
        .challenge(f.org, vid.parse().unwrap())
        .await
        .unwrap();
    let wrong = c
        .match_choices
        .iter()
        .find(|n| **n != number)
        .unwrap()
        .to_string();
    let visitor = f.app.client();
    let res = f
        .app
        .post_form(
            &visitor,
            &format!("/v/{token}"),
            &format!("/v/{token}"),
            &[("answer", "approve"), ("number", wrong.as_str())],
        )
        .await;
    let (_, body) = crate::follow(&f.app, &visitor, res).await;
    assert!(body.contains("did not match"), "{body}");
    let c = f
        .app
        .app
        .store()
        .challenge(f.org, vid.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(c.verification.status, VerificationStatus::Failed);
    // Deliver what the test queued, as a server's workers would (none may be left).
    f.app.run_jobs().await;
}

#[tokio::test]
async fn concurrent_approvals_exactly_one_wins() {
    let f = fixture().await;
    let (_, token, number) = start_link(&f).await;
    let visitor = f.app.client();
    let csrf = f.app.csrf(&visitor, &format!("/v/{token}")).await;
    let url = f.app.url(&format!("/v/{token}"));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (c, url, csrf) = (visitor.clone(), url.clone(), csrf.clone());
        let n = number.to_string();
        tasks.spawn(async move {
            c.post(url)
                .form(&[
                    ("_csrf", csrf.as_str()),
                    ("answer", "approve"),
                    ("number", n.as_str()),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        });
    }
    let mut statuses = Vec::new();
    while let Some(s) = tasks.join_next().await {
        statuses.push(s.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 303).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        19,
        "{statuses:?}"
    );
    // Deliver what the test queued, as a server's workers would (none may be left).
    f.app.run_jobs().await;
}

#[tokio::test]
async fn this_wasnt_me_denies_and_alerts_the_technician_and_admins() {
    let f = fixture().await;
    let (vid, token, _) = start_link(&f).await;
    let visitor = f.app.client();
    let res = f
        .app
        .post_form(
            &visitor,
            &format!("/v/{token}"),
            &format!("/v/{token}"),
            &[("answer", "deny")],
        )
        .await;
    let (status, body) = crate::follow(&f.app, &visitor, res).await;
    assert_eq!(status, 200);
    assert!(body.contains("Thank you for telling us"), "{body}");
    let c = f
        .app
        .app
        .store()
        .challenge(f.org, vid.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(c.verification.status, VerificationStatus::Denied);
    let (to, text) = last_message(&f.app, f.org, "denied_alert").await;
    assert_eq!(to, "admin@acme.test");
    assert!(
        text.contains("Ann Lee") && text.contains("This wasn't me"),
        "{text}"
    );
    let (_, pod) = get(&f.app, &f.admin, &format!("/pod/contacts/{}", f.contact)).await;
    assert!(pod.contains(">denied<"), "the history shows it: {pod}");
    // The link is used up: GET says so and changes nothing.
    let res = visitor
        .get(f.app.url(&format!("/v/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 410);
    // Deliver what the test queued, as a server's workers would (none may be left).
    f.app.run_jobs().await;
}

#[tokio::test]
async fn another_orgs_verification_ids_are_not_found() {
    let f = fixture().await;
    let vid = start(&f, "sms_code", &[]).await;
    f.app
        .create_admin("Other MSP", "admin@other.test", PW)
        .await;
    let other = signed_in(&f.app, "admin@other.test").await;
    let (status, _) = get(&f.app, &other, &format!("/pod/verifications/{vid}/status")).await;
    assert_eq!(status, 404);
    let (status, _) = get(
        &f.app,
        &other,
        &format!("/pod/contacts/{}?verification={vid}", f.contact),
    )
    .await;
    assert_eq!(status, 404);
    let csrf = f.app.csrf(&other, "/account").await;
    let res = other
        .post(f.app.url(&format!(
            "/pod/contacts/{}/verifications/{vid}/code",
            f.contact
        )))
        .form(&[("_csrf", csrf.as_str()), ("code", "123456")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let res = other
        .post(f.app.url(&format!("/pod/contacts/{}/verify", f.contact)))
        .form(&[("_csrf", csrf.as_str()), ("method", "sms_code")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let c = f
        .app
        .app
        .store()
        .challenge(f.org, vid.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(
        c.attempts, 0,
        "nothing was counted against the real org's verification"
    );
    // Deliver what the test queued, as a server's workers would (none may be left).
    f.app.run_jobs().await;
}

#[tokio::test]
async fn who_i_am_and_the_public_technician_check() {
    let f = fixture().await;
    // Who I am: the contact gets the technician's name and the code shown in the Pod.
    let res = f
        .app
        .post_form(
            &f.admin,
            &format!("/pod/contacts/{}?action=technician", f.contact),
            &format!("/pod/contacts/{}/who-i-am", f.contact),
            &[],
        )
        .await;
    // PRG: the code is on the Pod the POST redirects to, once; a refresh sends nothing.
    let (status, body) = crate::follow(&f.app, &f.admin, res).await;
    assert_eq!(status, 200);
    let code: String = body
        .split("id=\"pod-who-code\">")
        .nth(1)
        .unwrap()
        .chars()
        .take(4)
        .collect();
    let (to, text) = last_message(&f.app, f.org, "who_i_am").await;
    assert_eq!(to, "+14255550101");
    assert!(
        text.contains(&code) && text.contains("works for Acme IT"),
        "{text}"
    );
    let sent = count_messages(&f.app, f.org, "who_i_am").await;
    let (status, again) = get(&f.app, &f.admin, &format!("/pod/contacts/{}", f.contact)).await;
    assert_eq!(status, 200);
    assert!(
        !again.contains("id=\"pod-who-code\""),
        "the code is shown once"
    );
    assert_eq!(count_messages(&f.app, f.org, "who_i_am").await, sent);

    // The public page answers the same for a contact's email and for anything else.
    let visitor = f.app.client();
    let page = "/t/acme-it/verify-technician";
    let known = f
        .app
        .post_form(&visitor, page, page, &[("email", "ANN@c.example")])
        .await;
    // PRG: a 303 to the page saying a link went out; a refresh of it sends nothing.
    assert_eq!(location(&known), format!("{page}?sent=1"));
    let (status, known) = crate::follow(&f.app, &visitor, known).await;
    assert_eq!(status, 200);
    assert!(known.contains("id=\"request-sent\""), "{known}");
    let checks = count_messages(&f.app, f.org, "technician_check").await;
    assert_eq!(checks, 1);
    let (status, again) = get(&f.app, &visitor, &format!("{page}?sent=1")).await;
    assert_eq!((status, again.contains("request-sent")), (200, true));
    assert_eq!(
        count_messages(&f.app, f.org, "technician_check").await,
        checks
    );
    let unknown = f
        .app
        .post_form(&visitor, page, page, &[("email", "nobody@c.example")])
        .await;
    let (status, unknown) = crate::follow(&f.app, &visitor, unknown).await;
    assert_eq!(status, 200);
    let strip = |s: &str| s.split("name=\"_csrf\"").next().unwrap().to_owned();
    assert_eq!(strip(&known), strip(&unknown));
    let (to, text) = last_message(&f.app, f.org, "technician_check").await;
    assert_eq!(to, "+14255550101", "the link goes to the channel of record");
    let token = link_token(&text, "/check/");
    let check = format!("/t/acme-it/check/{token}");
    let (status, body) = get(&f.app, &visitor, &check).await;
    assert_eq!(status, 200);
    // A choice that is not one of the listed technicians is refused in the contact's words.
    let res = f
        .app
        .post_form(&visitor, &check, &check, &[("technician", "not-an-id")])
        .await;
    assert_eq!(res.status(), 422);
    let refused = res.text().await.unwrap();
    assert!(
        refused.contains("Choose one of the listed technicians."),
        "{refused}"
    );
    let tech_id: String = body
        .split("<option value=\"")
        .nth(2)
        .unwrap()
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    let res = f
        .app
        .post_form(
            &visitor,
            &check,
            &check,
            &[("technician", tech_id.as_str())],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, body) = get(&f.app, &visitor, &check).await;
    assert!(body.contains("check-waiting"), "{body}");
    // It waits in the technician's inbox.
    let (_, count) = get(&f.app, &f.admin, "/pod/inbox/status").await;
    assert_eq!(count, r#"{"count":1}"#);
    let (_, inbox) = get(&f.app, &f.admin, "/pod/inbox").await;
    let check_id: String = inbox
        .split("action=\"/pod/inbox/")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(|c| *c != '/')
        .collect();
    let res = f
        .app
        .post_form(
            &f.admin,
            "/pod/inbox",
            &format!("/pod/inbox/{check_id}/confirm"),
            &[],
        )
        .await;
    // PRG: the code is on the inbox the POST redirects to, once; a refresh confirms nothing.
    let (status, body) = crate::follow(&f.app, &f.admin, res).await;
    assert_eq!(status, 200);
    let code: String = body
        .split("id=\"inbox-code\">")
        .nth(1)
        .unwrap()
        .chars()
        .take(4)
        .collect();
    let (_, again) = get(&f.app, &f.admin, "/pod/inbox").await;
    assert!(
        !again.contains("id=\"inbox-code\""),
        "the code is shown once"
    );
    let (_, page) = get(&f.app, &visitor, &check).await;
    assert!(
        page.contains("check-confirmed") && page.contains(&code),
        "{page}"
    );
    // The code is not stored in clear: the row holds a key id and an HMAC.
    let stored = f
        .app
        .app
        .store()
        .technician_check(f.org, check_id.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(stored.status, TechnicianCheckStatus::Confirmed);
    assert!(!stored.code.contains(&code), "{}", stored.code);
    assert!(stored.code.len() > 64, "{}", stored.code);
    // Rate limited per source address.
    let mut last = 200;
    for _ in 0..12 {
        last = f
            .app
            .post_form(
                &visitor,
                page_path(),
                page_path(),
                &[("email", "nobody@c.example")],
            )
            .await
            .status()
            .as_u16();
    }
    assert_eq!(last, 429);
    // Deliver what the test queued, as a server's workers would (none may be left).
    f.app.run_jobs().await;
}

fn page_path() -> &'static str {
    "/t/acme-it/verify-technician"
}

#[tokio::test]
async fn verification_settings_validate_and_apply() {
    let f = fixture().await;
    let page = "/settings/verification";
    let fields = |code: &'static str| {
        vec![
            ("code_minutes", code),
            ("link_minutes", "5"),
            ("per_recipient_10min", "3"),
            ("per_technician_hour", "30"),
            ("per_org_day", "1000"),
        ]
    };
    let res = f.app.post_form(&f.admin, page, page, &fields("11")).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("from 1 to 10"));
    let s = f
        .app
        .app
        .store()
        .verification_settings(f.org)
        .await
        .unwrap();
    assert_eq!((s.code_minutes, s.updated_at), (5, None), "nothing saved");
    let mut with_expiry = fields("2");
    with_expiry.push(("secret_max_expiry", "2y"));
    let res = f.app.post_form(&f.admin, page, page, &with_expiry).await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("1 hour, 1 day or 7 days")
    );
    let mut with_expiry = fields("2");
    with_expiry.push(("secret_max_expiry", "1d"));
    let res = f.app.post_form(&f.admin, page, page, &with_expiry).await;
    assert_eq!(res.status(), 303);
    let s = f
        .app
        .app
        .store()
        .verification_settings(f.org)
        .await
        .unwrap();
    assert_eq!(s.secret_max_hours, 24);
    let (_, shown) = crate::get(&f.app, &f.admin, page).await;
    assert!(shown.contains(r#"<option value="1d" selected>"#), "{shown}");
    let res = f.app.post_form(&f.admin, page, page, &fields("2")).await;
    assert_eq!(res.status(), 303);
    let vid = start(&f, "sms_code", &[]).await;
    let c = f
        .app
        .app
        .store()
        .challenge(f.org, vid.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(c.expires_at.0 - c.verification.at.0, 2 * 60 * 1000);
    // Deliver what the test queued, as a server's workers would (none may be left).
    f.app.run_jobs().await;
}

#[tokio::test]
async fn verification_events_reach_subscribed_webhooks_without_codes() {
    use countersign_store::WebhookStore;
    let f = fixture().await;
    let page = "/settings/webhooks";
    let res = f
        .app
        .post_form(
            &f.admin,
            page,
            page,
            &[
                ("url", "https://hooks.example.com/countersign"),
                ("description", "PSA"),
                ("events", "verification.requested"),
                ("events", "verification.verified"),
            ],
        )
        .await;
    assert!(res.status().is_success() || res.status() == 303);
    let vid = start(&f, "sms_code", &[]).await;
    let code = code_in(&last_message(&f.app, f.org, "verification_code").await.1);
    enter_code(&f, &vid, &code).await;
    let endpoint = &f.app.app.store().webhook_endpoints(f.org).await.unwrap()[0];
    let deliveries = f
        .app
        .app
        .store()
        .webhook_deliveries(f.org, endpoint.id, 10)
        .await
        .unwrap();
    let kinds: Vec<&str> = deliveries
        .iter()
        .map(|d| d.delivery.event_kind.as_str())
        .collect();
    assert!(
        kinds.contains(&"verification.requested") && kinds.contains(&"verification.verified"),
        "{kinds:?}"
    );
    for d in &deliveries {
        assert!(
            d.delivery.payload.contains(&vid)
                && !d.delivery.payload.contains(&code)
                && !d.delivery.payload.contains("4255550101"),
            "{}",
            d.delivery.payload
        );
    }
    f.app.expect_jobs_left(
        "deliver_webhook",
        "the endpoint (hooks.example.com) does not exist: the test checks what was queued",
    );
    // Deliver the rest of what the test queued, as a server's workers would.
    f.app.run_jobs().await;
}
