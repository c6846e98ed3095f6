//! Broadcast pages through HTTP (issue 20): compose → preview → ask for approval → approve,
//! the confirmation that repeats the count, the second admin above the threshold, who may
//! do what, templates, the rules form, a GET on each POST-only address, and org isolation of
//! every broadcast URL. The scenarios are `pub async fn(TestApp)` run on SQLite here and on
//! PostgreSQL (`pg_*` at the end).

use crate::{PW, get, location, signed_in};
use countersign_domain::{BroadcastId, ContactId, OrgId};
use countersign_store::{
    BroadcastStore, ContactStore, Customer, SourceKind, SyncedContact, TechnicianStore,
};
use countersign_testkit::{TestApp, skip_postgres};

const AUTHOR: &str = "author@acme.test";
const SECOND: &str = "second@acme.test";
const SMS: &str = "Hello {first_name} at {customer}: Exchange is down. {msp_name}";

/// An org with two admins and a customer whose six contacts cover every reason: Alice and
/// Bob have both channels, Carol email only, Dave is disabled, Erin shares Alice's email
/// address and has no mobile, Frank has no address at all.
pub struct World {
    pub app: TestApp,
    pub org: OrgId,
    pub customer: Customer,
    pub alice: ContactId,
}

fn contact(id: &str, name: &str, email: Option<&str>, mobile: Option<&str>) -> SyncedContact {
    let mut c = crate::contacts::user(id, name, email.unwrap_or("x@x.test"), "+1 206 555 0100");
    c.email = email.map(str::to_owned);
    c.upn = email.map(str::to_owned);
    c.mobile = mobile.map(str::to_owned);
    c.mobile_e164 = mobile.map(|m| {
        let digits: String = m.chars().filter(char::is_ascii_digit).collect();
        format!("+{digits}")
    });
    c
}

pub async fn world(app: TestApp) -> World {
    let org = app.create_admin("Acme IT", AUTHOR, PW).await.org.id;
    app.create_admin("Acme IT", SECOND, PW).await;
    let customer = crate::contacts::customer(&app, org, "Contoso", SourceKind::Microsoft365).await;
    let mut dave = contact(
        "d",
        "Dave Disabled",
        Some("dave@contoso.test"),
        Some("+1 206 555 0104"),
    );
    dave.account_enabled = false;
    let alice = crate::contacts::sync(
        &app,
        org,
        &customer,
        &[
            contact(
                "a",
                "Alice Able",
                Some("alice@contoso.test"),
                Some("+1 206 555 0101"),
            ),
            contact(
                "b",
                "Bob Baker",
                Some("bob@contoso.test"),
                Some("+1 206 555 0102"),
            ),
            contact("c", "Carol Clark", Some("carol@contoso.test"), None),
            dave,
        ],
    )
    .await;
    // Later, so their ids are newer: the older contact keeps a shared address.
    app.app
        .store()
        .upsert_synced_contacts(
            org,
            customer.id,
            SourceKind::Microsoft365,
            &[
                contact("e", "Erin Echo", Some("alice@contoso.test"), None),
                contact("f", "Frank Fox", None, None),
            ],
            app.app.now(),
        )
        .await
        .unwrap();
    World {
        app,
        org,
        customer,
        alice,
    }
}

/// The compose form's fields for an SMS + email broadcast to every customer.
fn draft_fields(name: &str) -> Vec<(&str, &str)> {
    vec![
        ("name", name),
        ("channels", "sms,email"),
        ("sms_text", SMS),
        ("email_subject", "Exchange outage for {customer}"),
        (
            "email_body",
            "Dear {first_name},\n\nExchange is down.\n\n{msp_name}",
        ),
        ("audience", "all"),
        ("scheduled_at", ""),
    ]
}

/// [`draft_fields`] with each of `changes` replacing the field of its name.
fn draft_with<'a>(name: &'a str, changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = draft_fields(name);
    fields.retain(|(k, _)| !changes.iter().any(|(c, _)| c == k));
    fields.extend_from_slice(changes);
    fields
}

/// POSTs the compose form of a new broadcast.
async fn compose(app: &TestApp, c: &reqwest::Client, fields: &[(&str, &str)]) -> reqwest::Response {
    app.post_form(c, "/broadcasts/new", "/broadcasts", fields)
        .await
}

/// The broadcast id a create redirected to.
fn created_id(res: &reqwest::Response) -> BroadcastId {
    let loc = location(res);
    let rest = loc
        .strip_prefix("/broadcasts/")
        .unwrap_or_else(|| panic!("not a broadcast page: {loc}"));
    rest.split(['?', '/']).next().unwrap().parse().unwrap()
}

/// Creates a draft through the form and returns its id.
pub async fn create_draft(app: &TestApp, c: &reqwest::Client, name: &str) -> BroadcastId {
    let res = compose(app, c, &draft_fields(name)).await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    created_id(&res)
}

/// POSTs a form-less action (the page's token only).
async fn post(app: &TestApp, c: &reqwest::Client, path: &str) -> reqwest::Response {
    app.post_form(c, "/broadcasts", path, &[]).await
}

/// Runs the queue as workers would, moving the clock past each wait of the delivery job,
/// until the broadcast is completed or cancelled.
pub async fn until_final(app: &TestApp, org: OrgId, id: BroadcastId) {
    for _ in 0..40 {
        app.run_jobs().await;
        let b = app.app.store().broadcast(org, id).await.unwrap();
        if b.status.is_final() {
            return;
        }
        app.clock.advance(std::time::Duration::from_secs(3));
    }
    panic!("the broadcast did not finish");
}

/// Asks for approval of `id` (the page's button).
async fn submit(app: &TestApp, c: &reqwest::Client, id: BroadcastId) -> reqwest::Response {
    post(app, c, &format!("/broadcasts/{id}/request-approval")).await
}

/// Approves on `approve` (the approval page) confirming `count` recipients.
async fn confirm(
    app: &TestApp,
    c: &reqwest::Client,
    approve: &str,
    count: &str,
) -> reqwest::Response {
    app.post_form(c, approve, approve, &[("confirmed_recipients", count)])
        .await
}

/// GET `path` as JSON.
async fn json(app: &TestApp, c: &reqwest::Client, path: &str) -> serde_json::Value {
    c.get(app.url(path))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The recipient count a page states in its counts table.
fn recipients_shown(body: &str) -> i64 {
    let at = body
        .find("id=\"count-recipients\">")
        .unwrap_or_else(|| panic!("no recipient count on the page:\n{body}"))
        + "id=\"count-recipients\">".len();
    body[at..].split('<').next().unwrap().parse().unwrap()
}

/// Compose, preview, ask for approval and approve as a second admin, all through HTTP; a
/// wrong confirmation is refused and changes nothing.
pub async fn compose_to_approval(app: TestApp) {
    let w = world(app).await;
    let app = &w.app;
    let author = signed_in(app, AUTHOR).await;
    let (status, body) = get(app, &author, "/broadcasts").await;
    assert_eq!(status, 200);
    assert!(body.contains("No broadcasts yet"), "{body}");

    // Refused forms are shown again with the field's message, and nothing is stored.
    let res = compose(app, &author, &draft_with("Outage", &[("sms_text", "")])).await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("Enter the SMS text."), "{body}");
    assert!(body.contains("id=\"sms_text-error\""), "{body}");
    assert!(body.contains("value=\"Outage\""), "what was typed stays");
    let late = draft_with("Outage", &[("scheduled_at", "not a time")]);
    let res = compose(app, &author, &late).await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("id=\"scheduled_at-error\"")
    );
    let unknown = draft_with("Outage", &[("sms_text", "Hi {nickname}")]);
    let res = compose(app, &author, &unknown).await;
    assert_eq!(res.status(), 422, "an unknown merge field");
    let (_, body) = get(app, &author, "/broadcasts").await;
    assert!(body.contains("No broadcasts yet"), "nothing was created");

    // The live count the compose page's script asks for.
    let counts = json(
        app,
        &author,
        "/broadcasts/audience?channels=sms%2Cemail&audience=all",
    )
    .await;
    let expect = serde_json::json!({
        "matched": 6, "recipients": 3, "sms": 2, "email": 3, "both": 2, "excluded": 3,
        "removed": 0, "disabled": 1, "no_channel": 1, "opted_out": 0, "duplicate_address": 1,
    });
    assert_eq!(counts, expect);
    let sms_only = json(
        app,
        &author,
        &format!(
            "/broadcasts/audience?channels=sms&audience=customers&customer={}",
            w.customer.id
        ),
    )
    .await;
    assert_eq!(
        (
            sms_only["recipients"].as_i64(),
            sms_only["no_channel"].as_i64()
        ),
        (Some(2), Some(3)),
        "{sms_only}"
    );
    let res = author
        .get(app.url("/broadcasts/audience?channels=sms&audience=customers"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422, "no customer chosen");

    // A draft, its page: the honest count and the message as Alice gets it.
    let id = create_draft(app, &author, "Exchange outage").await;
    let (status, body) = get(app, &author, &format!("/broadcasts/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(recipients_shown(&body), 3);
    assert!(body.contains("Draft"), "{body}");
    assert!(body.contains("Written by "), "{body}");
    assert!(
        body.contains(" (you) on "),
        "the author reads their own name: {body}"
    );
    let (_, body) = get(
        app,
        &author,
        &format!("/broadcasts/{id}?contact={}", w.alice),
    )
    .await;
    assert!(
        body.contains("Hello Alice at Contoso: Exchange is down. Acme IT"),
        "{body}"
    );
    assert!(body.contains("Exchange outage for Contoso"), "{body}");

    // Edit: the form shows the draft; a change is saved.
    let (status, body) = get(app, &author, &format!("/broadcasts/{id}/edit")).await;
    assert_eq!(status, 200);
    assert!(body.contains("Exchange outage"), "{body}");
    let changed = draft_with(
        "Exchange outage",
        &[("sms_text", "Exchange is down for {customer}.")],
    );
    let edit = format!("/broadcasts/{id}/edit");
    let res = app.post_form(&author, &edit, &edit, &changed).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("/broadcasts/{id}?notice=saved"));
    let (_, body) = get(app, &author, &format!("/broadcasts/{id}")).await;
    assert!(body.contains("Exchange is down for {customer}."), "{body}");

    // Ask for approval: locked from then on.
    let res = submit(app, &author, id).await;
    assert_eq!(res.status(), 303);
    let (_, body) = get(app, &author, &format!("/broadcasts/{id}")).await;
    assert!(body.contains("Awaiting approval"), "{body}");
    let res = app.post_form(&author, "/broadcasts", &edit, &changed).await;
    assert_eq!(res.status(), 422, "a submitted broadcast cannot change");
    let res = author.get(app.url(&edit)).send().await.unwrap();
    assert_eq!(location(&res), format!("/broadcasts/{id}"));

    // The second admin sees exactly what goes out and to how many.
    let second = signed_in(app, SECOND).await;
    let approve = format!("/broadcasts/{id}/approve");
    let (status, body) = get(app, &second, &approve).await;
    assert_eq!(status, 200);
    assert!(body.contains("Exchange is down for {customer}."), "{body}");
    assert!(body.contains("Exchange outage for {customer}"), "{body}");
    assert_eq!(recipients_shown(&body), 3);
    for wrong in ["2", "three", ""] {
        let res = confirm(app, &second, &approve, wrong).await;
        assert_eq!(res.status(), 422, "confirmed {wrong:?}");
        let body = res.text().await.unwrap();
        assert!(body.contains("id=\"approve-errors\""), "{body}");
    }
    let b = w.app.app.store().broadcast(w.org, id).await.unwrap();
    assert_eq!(b.frozen, None, "a wrong confirmation froze nothing");
    let res = confirm(app, &second, &approve, "3").await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    assert_eq!(location(&res), format!("/broadcasts/{id}?notice=approved"));
    let b = w.app.app.store().broadcast(w.org, id).await.unwrap();
    assert_eq!(b.frozen.map(|c| c.recipients), Some(3));
    let (_, body) = get(app, &second, &format!("/broadcasts/{id}")).await;
    assert!(!body.contains("Awaiting approval"), "{body}");
    assert!(body.contains("Frozen at approval"), "{body}");
    // The list shows it with its recipients.
    let (_, body) = get(app, &author, "/broadcasts").await;
    assert!(body.contains("Exchange outage"), "{body}");

    // It goes out (to the outbox here): the progress route, the page's report, the CSV.
    until_final(app, w.org, id).await;
    let progress = json(app, &author, &format!("/broadcasts/{id}/progress")).await;
    assert_eq!(progress["status"], "completed", "{progress}");
    assert_eq!(progress["done"], true, "{progress}");
    assert_eq!(progress["recipients"], 3, "{progress}");
    assert_eq!(progress["messages"], 5, "2 SMS and 3 emails: {progress}");
    assert_eq!(progress["finished"], 5, "{progress}");
    assert_eq!(progress["failed"], 0, "{progress}");
    let (_, body) = get(app, &author, &format!("/broadcasts/{id}")).await;
    assert!(body.contains("id=\"progress\""), "{body}");
    assert!(body.contains("data-done=\"true\""), "{body}");
    assert_eq!(body.matches("<tr><td>SMS</td>").count(), 2, "{body}");
    assert_eq!(body.matches("<tr><td>Email</td>").count(), 3, "{body}");
    assert!(
        !body.contains("alice@contoso.test"),
        "the page masks addresses"
    );
    assert!(!body.contains("id=\"retry-failed\""), "nothing failed");
    assert!(
        !body.contains("id=\"cancel\""),
        "a completed broadcast is not cancelled"
    );
    let res = author
        .get(app.url(&format!("/broadcasts/{id}/report.csv")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment"),
        "a download"
    );
    let csv = res.text().await.unwrap();
    assert_eq!(csv.lines().count(), 6, "a header and 5 deliveries:\n{csv}");
    assert!(
        csv.contains("alice@contoso.test"),
        "the CSV has full addresses"
    );

    // Replies to the SMS (what the inbound webhook records) are listed, STOP marked.
    for (body, stop, sid) in [("Thanks, seen it", false, "SM1"), ("STOP", true, "SM2")] {
        let n = app
            .app
            .store()
            .record_broadcast_reply("+12065550101", body, stop, Some(sid), app.app.now())
            .await
            .unwrap();
        assert_eq!(n, 1);
    }
    let progress = json(app, &author, &format!("/broadcasts/{id}/progress")).await;
    assert_eq!(
        (
            progress["replies"].as_i64(),
            progress["stop_replies"].as_i64()
        ),
        (Some(2), Some(1)),
        "{progress}"
    );
    let (_, body) = get(app, &author, &format!("/broadcasts/{id}")).await;
    let replies = &body[body.find("id=\"replies-table\"").expect("a replies table")..];
    assert!(replies.contains("Thanks, seen it"), "{replies}");
    assert!(replies.contains("opted out</span>"), "{replies}");
    assert!(!replies.contains("+12065550101"), "the number is masked");

    // A technician without "Send broadcasts" watches it but gets no sending buttons, and
    // the CSV (every full address) is refused.
    crate::add_technician(app, AUTHOR, "tech@acme.test", "Tech").await;
    let tech = signed_in(app, "tech@acme.test").await;
    let (status, body) = get(app, &tech, &format!("/broadcasts/{id}")).await;
    assert_eq!(status, 200);
    assert!(body.contains("id=\"progress\""), "{body}");
    assert!(!body.contains("id=\"export-csv\""), "{body}");
    let (status, _) = get(app, &tech, &format!("/broadcasts/{id}/report.csv")).await;
    assert_eq!(status, 403);
    app.run_jobs().await;
}

/// The count an approver confirms is the frozen one: when a sync added a recipient after the
/// page was shown, the old count is refused with the new one, and the new one is accepted.
pub async fn changed_count_is_refused(app: TestApp) {
    let w = world(app).await;
    let app = &w.app;
    let author = signed_in(app, AUTHOR).await;
    let id = create_draft(app, &author, "Planned work").await;
    let res = submit(app, &author, id).await;
    assert_eq!(res.status(), 303);
    let second = signed_in(app, SECOND).await;
    let approve = format!("/broadcasts/{id}/approve");
    let (_, body) = get(app, &second, &approve).await;
    assert_eq!(recipients_shown(&body), 3);
    app.app
        .store()
        .upsert_synced_contacts(
            w.org,
            w.customer.id,
            SourceKind::Microsoft365,
            &[contact(
                "g",
                "Gina Green",
                Some("gina@contoso.test"),
                Some("+1 206 555 0107"),
            )],
            app.app.now(),
        )
        .await
        .unwrap();
    let res = confirm(app, &second, &approve, "3").await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert_eq!(recipients_shown(&body), 4, "the page counts again");
    assert_eq!(
        app.app.store().broadcast(w.org, id).await.unwrap().frozen,
        None
    );
    let res = confirm(app, &second, &approve, "4").await;
    assert_eq!(res.status(), 303);
    until_final(app, w.org, id).await;
}

/// Above the org's threshold the author (an admin) cannot approve their own broadcast; a
/// second admin can. The refusal is a page that says why, never a 500.
pub async fn self_approval_above_threshold_is_refused(app: TestApp) {
    let w = world(app).await;
    let app = &w.app;
    let author = signed_in(app, AUTHOR).await;
    let res = app
        .post_form(
            &author,
            "/settings/broadcasts",
            "/settings/broadcasts",
            &[("approval_threshold", "2"), ("daily_recipient_cap", "")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let id = create_draft(app, &author, "Phishing wave").await;
    let res = submit(app, &author, id).await;
    assert_eq!(res.status(), 303);
    let approve = format!("/broadcasts/{id}/approve");
    let (status, body) = get(app, &author, &approve).await;
    assert_eq!(status, 200);
    assert!(
        body.contains("id=\"own-broadcast\""),
        "the page warns: {body}"
    );
    let res = confirm(app, &author, &approve, "3").await;
    assert_eq!(res.status(), 403);
    let body = res.text().await.unwrap();
    assert!(body.contains("another admin"), "{body}");
    assert_eq!(
        app.app.store().broadcast(w.org, id).await.unwrap().frozen,
        None
    );
    let second = signed_in(app, SECOND).await;
    let res = confirm(app, &second, &approve, "3").await;
    assert_eq!(res.status(), 303);
    until_final(app, w.org, id).await;
}

/// A technician drafts but does not see or get the sending steps; granted "Send broadcasts"
/// they do. The rules are for admins.
#[tokio::test]
async fn broadcasts_technicians_draft_and_sending_needs_the_permission() {
    let w = world(TestApp::new().await).await;
    let app = &w.app;
    let tech = crate::add_technician(app, AUTHOR, "tech@acme.test", "Tech").await;
    let c = signed_in(app, "tech@acme.test").await;
    let id = create_draft(app, &c, "Heads-up").await;
    let (_, body) = get(app, &c, &format!("/broadcasts/{id}")).await;
    assert!(!body.contains("id=\"request-approval\""), "{body}");
    assert!(body.contains("id=\"needs-sender\""), "{body}");
    assert!(body.contains("id=\"edit\""), "the author edits");
    let res = submit(app, &c, id).await;
    assert_eq!(res.status(), 403);
    let (status, _) = get(app, &c, "/settings/broadcasts").await;
    assert_eq!(status, 403);
    // Another technician's draft: not theirs to change.
    let mine = create_draft(app, &signed_in(app, AUTHOR).await, "Admin's").await;
    let (_, body) = get(app, &c, &format!("/broadcasts/{mine}")).await;
    assert!(!body.contains("id=\"edit\""), "{body}");
    let edit = format!("/broadcasts/{mine}/edit");
    let res = app
        .post_form(&c, "/broadcasts", &edit, &draft_fields("Hijacked"))
        .await;
    assert_eq!(res.status(), 403);
    // Granted: the button is there and works.
    let admin = app
        .app
        .store()
        .technician_by_email_for_login(AUTHOR)
        .await
        .unwrap()
        .unwrap();
    app.app
        .set_technician_permissions(
            &crate::principal(&admin),
            tech.id,
            [countersign_domain::Permission::SendBroadcasts]
                .into_iter()
                .collect(),
        )
        .await
        .unwrap();
    let c = signed_in(app, "tech@acme.test").await;
    let (_, body) = get(app, &c, &format!("/broadcasts/{id}")).await;
    assert!(body.contains("id=\"request-approval\""), "{body}");
    let res = submit(app, &c, id).await;
    assert_eq!(res.status(), 303);
    app.run_jobs().await;
}

/// Templates: saved from the form (back to the form with the texts), loaded, a taken name
/// refused beside its field, deleted.
#[tokio::test]
async fn broadcasts_templates_save_load_and_delete() {
    let w = world(TestApp::new().await).await;
    let app = &w.app;
    let c = signed_in(app, AUTHOR).await;
    let mut fields = draft_fields("Outage");
    fields.push(("template_name", "Outage notice"));
    let res = app
        .post_form(&c, "/broadcasts/new", "/broadcasts/templates", &fields)
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let to = location(&res);
    assert!(to.starts_with("/broadcasts/new?template="), "{to}");
    let (status, body) = get(app, &c, &to).await;
    assert_eq!(status, 200);
    assert!(body.contains("Template saved."), "{body}");
    assert!(body.contains("Outage notice"), "{body}");
    assert!(body.contains("Exchange outage for {customer}"), "{body}");
    let res = app
        .post_form(&c, "/broadcasts/new", "/broadcasts/templates", &fields)
        .await;
    assert_eq!(res.status(), 422, "the name is taken");
    let body = res.text().await.unwrap();
    assert!(
        body.contains("another template has this name")
            || body.contains("Another template has this name"),
        "{body}"
    );
    let tid = to
        .split("template=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    let res = app
        .post_form(
            &c,
            "/broadcasts/new",
            &format!("/broadcasts/templates/{tid}/delete"),
            &[],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (status, _) = get(app, &c, &to).await;
    assert_eq!(status, 404, "a deleted template does not load");
}

/// The rules form: numbers or empty; a refusal says which field, and the page shows what
/// was saved.
#[tokio::test]
async fn broadcasts_rules_form() {
    let w = world(TestApp::new().await).await;
    let app = &w.app;
    let c = signed_in(app, AUTHOR).await;
    let page = "/settings/broadcasts";
    let rules = |threshold, cap, zone, start, end| {
        [
            ("approval_threshold", threshold),
            ("daily_recipient_cap", cap),
            ("time_zone", zone),
            ("quiet_start", start),
            ("quiet_end", end),
        ]
    };
    for (fields, field) in [
        (rules("many", "", "", "", ""), "approval_threshold"),
        (rules("-1", "", "", "", ""), "approval_threshold"),
        (rules("", "1.5", "", "", ""), "daily_recipient_cap"),
        (rules("", "", "Mars/Olympus", "", ""), "time_zone"),
        (rules("", "", "", "21:00", ""), "quiet_hours"),
        (rules("", "", "", "21:00", "21:00"), "quiet_hours"),
    ] {
        let res = app.post_form(&c, page, page, &fields).await;
        assert_eq!(res.status(), 422, "{fields:?}");
        let body = res.text().await.unwrap();
        assert!(
            body.contains(&format!(
                "<label for=\"{}",
                field.replace("quiet_hours", "quiet_start")
            )) && body.contains("class=\"field-error\""),
            "{fields:?}: {body}"
        );
        assert!(
            body.contains(&format!("id=\"{field}-error\""))
                || !["time_zone", "quiet_hours"].contains(&field),
            "the message stands beside {field}: {body}"
        );
    }
    let res = app
        .post_form(
            &c,
            page,
            page,
            &rules("50", "5,000", "Europe/Berlin", "21:00", "08:00"),
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, body) = get(app, &c, page).await;
    for v in ["50", "5000", "Europe/Berlin", "21:00", "08:00"] {
        assert!(body.contains(&format!("value=\"{v}\"")), "{v}: {body}");
    }
    let (_, body) = get(app, &c, "/broadcasts/new").await;
    assert!(body.contains("Above 50 recipients"), "{body}");
    assert!(body.contains("Times are in Europe/Berlin"), "{body}");
    assert!(body.contains("21:00–08:00"), "{body}");

    // A schedule is typed and shown in the org's time zone.
    let fields = draft_with(
        "Planned work",
        &[
            ("scheduled_at", "2099-01-05T09:00"),
            ("respect_quiet_hours", "1"),
        ],
    );
    let res = compose(app, &c, &fields).await;
    assert_eq!(res.status(), 303);
    let id = created_id(&res);
    let (_, body) = get(app, &c, &format!("/broadcasts/{id}")).await;
    assert!(body.contains("Goes out at 2099-01-05 09:00 CET."), "{body}");
    assert!(
        body.contains("waits for the end of the quiet hours"),
        "{body}"
    );
    let b = app.app.store().broadcast(w.org, id).await.unwrap();
    let at = b.scheduled_at.unwrap();
    assert_eq!(
        countersign_domain::Zone::utc().input_value(at),
        "2099-01-05T08:00",
        "09:00 in Berlin is 08:00 UTC in winter"
    );
    assert!(b.respect_quiet_hours);
    let (_, body) = get(app, &c, &format!("/broadcasts/{id}/edit")).await;
    assert!(body.contains("value=\"2099-01-05T09:00\""), "{body}");
    // A time in the past is refused beside the field.
    let past = draft_with("Too late", &[("scheduled_at", "2001-01-01T09:00")]);
    let res = compose(app, &c, &past).await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("id=\"scheduled_at-error\"")
    );
}

/// The POST-only addresses of a broadcast, for `id` and template `tid`.
fn post_only(id: BroadcastId, tid: &str) -> Vec<(String, String)> {
    vec![
        (
            format!("/broadcasts/{id}/request-approval"),
            format!("/broadcasts/{id}"),
        ),
        ("/broadcasts/templates".into(), "/broadcasts/new".into()),
        (
            format!("/broadcasts/templates/{tid}/delete"),
            "/broadcasts/new".into(),
        ),
        (
            format!("/broadcasts/{id}/cancel"),
            format!("/broadcasts/{id}"),
        ),
        (
            format!("/broadcasts/{id}/retry-failed"),
            format!("/broadcasts/{id}"),
        ),
        (
            format!("/broadcasts/{id}/test"),
            format!("/broadcasts/{id}"),
        ),
    ]
}

/// A GET on each POST-only address goes to its page and changes nothing.
#[tokio::test]
async fn broadcasts_get_on_a_post_only_address_redirects() {
    let w = world(TestApp::new().await).await;
    let app = &w.app;
    let c = signed_in(app, AUTHOR).await;
    let id = create_draft(app, &c, "Outage").await;
    let tid = countersign_domain::BroadcastTemplateId::new().to_string();
    for (path, page) in post_only(id, &tid) {
        let res = c.get(app.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), 303, "GET {path}");
        assert_eq!(location(&res), page, "GET {path}");
    }
    let b = app.app.store().broadcast(w.org, id).await.unwrap();
    assert_eq!(b.status, countersign_domain::BroadcastStatus::Draft);
}

/// Org B's admin and technician get 404 for every URL of org A's broadcasts and templates,
/// GET and POST, and nothing of A's leaks or changes.
pub async fn isolation(app: TestApp) {
    let w = world(app).await;
    let app = &w.app;
    let a = signed_in(app, AUTHOR).await;
    let draft = create_draft(app, &a, "Alpha secret outage").await;
    let waiting = create_draft(app, &a, "Alpha waiting outage").await;
    assert_eq!(submit(app, &a, waiting).await.status(), 303);
    let sent = create_draft(app, &a, "Alpha sent outage").await;
    assert_eq!(submit(app, &a, sent).await.status(), 303);
    let second = signed_in(app, SECOND).await;
    let approve = format!("/broadcasts/{sent}/approve");
    let res = confirm(app, &second, &approve, "3").await;
    assert_eq!(res.status(), 303);
    until_final(app, w.org, sent).await;
    let mut fields = draft_fields("Alpha template");
    fields.push(("template_name", "Alpha template"));
    let res = app
        .post_form(&a, "/broadcasts/new", "/broadcasts/templates", &fields)
        .await;
    let tid = location(&res)
        .split("template=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();

    let b_org = app.create_admin("Bravo IT", "admin@bravo.test", PW).await;
    crate::add_technician(app, "admin@bravo.test", "tech@bravo.test", "Bravo Tech").await;
    let leaks = [
        "Alpha secret outage",
        "Alpha waiting outage",
        "Alpha template",
        "Alpha sent outage",
        "alice@contoso.test",
        "•••0101",
        "Contoso",
        "Alice",
        "Exchange is down",
    ];
    for who in ["admin@bravo.test", "tech@bravo.test"] {
        let b = signed_in(app, who).await;
        let check = |what: &str, status: u16, body: &str, expected: u16| {
            assert_eq!(status, expected, "{who}: {what}");
            for s in leaks {
                assert!(!body.contains(s), "{who}: {what} leaked {s}");
            }
        };
        for id in [draft, waiting, sent] {
            for path in [
                format!("/broadcasts/{id}"),
                format!("/broadcasts/{id}?contact={}", w.alice),
                format!("/broadcasts/{id}/edit"),
                format!("/broadcasts/{id}/approve"),
                format!("/broadcasts/{id}/progress"),
                format!("/broadcasts/{id}/report.csv"),
            ] {
                let (status, body) = get(app, &b, &path).await;
                check(&path, status, &body, 404);
            }
            for (path, fields) in [
                (format!("/broadcasts/{id}/edit"), draft_fields("Hijacked")),
                (format!("/broadcasts/{id}/request-approval"), vec![]),
                (
                    format!("/broadcasts/{id}/approve"),
                    vec![("confirmed_recipients", "3")],
                ),
                (format!("/broadcasts/{id}/cancel"), vec![]),
                (format!("/broadcasts/{id}/retry-failed"), vec![]),
                (
                    format!("/broadcasts/{id}/test"),
                    vec![("sms_to", "+1 206 555 0199")],
                ),
            ] {
                let res = app.post_form(&b, "/broadcasts", &path, &fields).await;
                let status = res.status().as_u16();
                check(&path, status, &res.text().await.unwrap(), 404);
            }
        }
        let path = format!("/broadcasts/new?template={tid}");
        let (status, body) = get(app, &b, &path).await;
        check(&path, status, &body, 404);
        let path = format!("/broadcasts/templates/{tid}/delete");
        let res = app.post_form(&b, "/broadcasts", &path, &[]).await;
        let status = res.status().as_u16();
        check(&path, status, &res.text().await.unwrap(), 404);
        // Lists and the compose page of B show nothing of A.
        for path in ["/broadcasts", "/broadcasts/new"] {
            let (status, body) = get(app, &b, path).await;
            check(path, status, &body, 200);
        }
        // A's customer in B's audience is refused without a word of it.
        let path = format!(
            "/broadcasts/audience?channels=sms&audience=customers&customer={}",
            w.customer.id
        );
        let res = b.get(app.url(&path)).send().await.unwrap();
        let status = res.status().as_u16();
        check(&path, status, &res.text().await.unwrap(), 422);
        // B's own draft naming A's customer is refused.
        let customer = w.customer.id.to_string();
        let fields = [
            ("name", "Bravo"),
            ("channels", "sms"),
            ("sms_text", "Bravo's own words"),
            ("audience", "customers"),
            ("customer", customer.as_str()),
        ];
        let res = compose(app, &b, &fields).await;
        let status = res.status().as_u16();
        check(
            "a draft naming A's customer",
            status,
            &res.text().await.unwrap(),
            422,
        );
    }
    // Nothing of A changed.
    let store = app.app.store();
    let d = store.broadcast(w.org, draft).await.unwrap();
    assert_eq!(d.name, "Alpha secret outage");
    assert_eq!(d.status, countersign_domain::BroadcastStatus::Draft);
    let st = store.broadcast(w.org, sent).await.unwrap();
    assert_eq!(st.status, countersign_domain::BroadcastStatus::Completed);
    let wt = store.broadcast(w.org, waiting).await.unwrap();
    assert_eq!(
        wt.status,
        countersign_domain::BroadcastStatus::AwaitingApproval
    );
    assert_eq!(store.broadcast_templates(w.org).await.unwrap().len(), 1);
    assert!(
        store.broadcasts(b_org.org.id, 10).await.unwrap().is_empty(),
        "B has no broadcast"
    );
    app.run_jobs().await;
}

/// A scheduled broadcast waits; cancelling it sends nothing, and the page says so without
/// the buttons of a running one.
#[tokio::test]
async fn broadcasts_cancel_a_scheduled_broadcast() {
    let w = world(TestApp::new().await).await;
    let app = &w.app;
    let c = signed_in(app, AUTHOR).await;
    let fields = draft_with(
        "Maintenance window",
        &[("scheduled_at", "2099-01-05T09:00")],
    );
    let res = compose(app, &c, &fields).await;
    let id = created_id(&res);
    assert_eq!(submit(app, &c, id).await.status(), 303);
    let second = signed_in(app, SECOND).await;
    let approve = format!("/broadcasts/{id}/approve");
    let res = confirm(app, &second, &approve, "3").await;
    assert_eq!(res.status(), 303);
    app.run_jobs().await;
    let (_, body) = get(app, &c, &format!("/broadcasts/{id}")).await;
    assert!(body.contains("Scheduled"), "{body}");
    assert!(body.contains("id=\"cancel\""), "{body}");
    assert!(body.contains("data-done=\"false\""), "{body}");
    let res = post(app, &c, &format!("/broadcasts/{id}/cancel")).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("/broadcasts/{id}?notice=cancelled"));
    let (_, body) = get(app, &c, &format!("/broadcasts/{id}?notice=cancelled")).await;
    assert!(body.contains("Cancelled."), "{body}");
    assert!(!body.contains("id=\"cancel\""), "{body}");
    assert!(body.contains("data-done=\"true\""), "{body}");
    // Cancelling twice is refused on the page, not with an error page.
    let res = post(app, &c, &format!("/broadcasts/{id}/cancel")).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("id=\"action-errors\""));
    until_final(app, w.org, id).await;
    let p = json(app, &c, &format!("/broadcasts/{id}/progress")).await;
    assert_eq!(p["status"], "cancelled", "{p}");
    assert_eq!(p["sent"], 0, "{p}");
    assert_eq!(p["cancelled"], 5, "{p}");
}

/// A test send goes to the technician (email to their address, SMS to the number typed); a
/// malformed number is refused beside the field.
#[tokio::test]
async fn broadcasts_test_send_goes_to_the_technician() {
    use countersign_store::MessageStore;
    let w = world(TestApp::new().await).await;
    let app = &w.app;
    let c = signed_in(app, AUTHOR).await;
    let id = create_draft(app, &c, "Outage").await;
    let page = format!("/broadcasts/{id}");
    let test = format!("/broadcasts/{id}/test");
    let (_, body) = get(app, &c, &page).await;
    assert!(body.contains("id=\"send-test\""), "{body}");
    let res = app
        .post_form(&c, &page, &test, &[("sms_to", "not a number")])
        .await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("id=\"sms_to-error\""), "{body}");
    assert!(
        body.contains("value=\"not a number\""),
        "what was typed stays"
    );
    let res = app
        .post_form(&c, &page, &test, &[("sms_to", "+1 206 555 0199")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("{page}?notice=test_sent_both"));
    app.run_jobs().await;
    let sent = app
        .app
        .store()
        .messages(
            w.org,
            &countersign_store::MessageFilter {
                transport: None,
                channel: None,
                limit: 50,
            },
        )
        .await
        .unwrap();
    let to: Vec<&str> = sent.iter().map(|m| m.recipient.as_str()).collect();
    assert!(to.contains(&AUTHOR), "{to:?}");
    assert!(to.contains(&"+12065550199"), "{to:?}");
    assert!(
        !to.iter().any(|t| t.contains("contoso")),
        "no contact gets a test: {to:?}"
    );
    let b = app.app.store().broadcast(w.org, id).await.unwrap();
    assert_eq!(
        b.status,
        countersign_domain::BroadcastStatus::Draft,
        "nothing changed"
    );
}

/// A scenario as two tests: on SQLite, and on PostgreSQL.
macro_rules! on_both_backends {
    ($($sqlite:ident, $pg:ident => $scenario:path;)+) => {$(
        #[tokio::test]
        async fn $sqlite() {
            $scenario(TestApp::new().await).await;
        }

        #[tokio::test]
        async fn $pg() {
            if skip_postgres() {
                return;
            }
            $scenario(TestApp::postgres().await).await;
        }
    )+};
}

on_both_backends! {
    broadcasts_compose_preview_request_approve, pg_broadcasts_compose_preview_request_approve => compose_to_approval;
    broadcasts_changed_count_is_refused, pg_broadcasts_changed_count_is_refused => changed_count_is_refused;
    broadcasts_self_approval_above_threshold_is_refused, pg_broadcasts_self_approval_above_threshold_is_refused => self_approval_above_threshold_is_refused;
    broadcasts_isolation_of_every_url, pg_broadcasts_isolation_of_every_url => isolation;
}

/// The report on a broadcast's page comes 50 rows a page: "Next" leads on, "First page"
/// back, and a malformed cursor starts at the top.
#[tokio::test]
async fn broadcasts_report_pages() {
    let app = TestApp::new().await;
    let org = app.create_admin("Acme IT", AUTHOR, PW).await.org.id;
    app.create_admin("Acme IT", SECOND, PW).await;
    let customer = crate::contacts::customer(&app, org, "Contoso", SourceKind::Microsoft365).await;
    let users: Vec<SyncedContact> = (0..30)
        .map(|i| {
            contact(
                &format!("u{i}"),
                &format!("User{i} Lee"),
                Some(&format!("user{i}@contoso.test")),
                Some(&format!("+1 206 555 {:04}", 1000 + i)),
            )
        })
        .collect();
    crate::contacts::sync(&app, org, &customer, &users).await;
    let c = signed_in(&app, AUTHOR).await;
    let id = create_draft(&app, &c, "Everyone").await;
    assert_eq!(submit(&app, &c, id).await.status(), 303);
    let second = signed_in(&app, SECOND).await;
    let res = confirm(&app, &second, &format!("/broadcasts/{id}/approve"), "30").await;
    assert_eq!(res.status(), 303);
    until_final(&app, org, id).await;
    let rows = |body: &str| {
        body.matches("<tr><td>SMS</td>").count() + body.matches("<tr><td>Email</td>").count()
    };
    let (_, first) = get(&app, &c, &format!("/broadcasts/{id}")).await;
    assert_eq!(rows(&first), 50, "{first}");
    assert!(!first.contains("First page"), "{first}");
    let link = &first[..first
        .find("#report\" id=\"report-next\"")
        .expect("a Next link")];
    let next = link[link.rfind("href=\"").unwrap() + 6..].replace("&amp;", "&");
    assert!(
        !next.contains("contoso.test"),
        "no address in a URL: {next}"
    );
    assert!(!next.contains("+1206"), "no address in a URL: {next}");
    let (status, second_page) = get(&app, &c, &next).await;
    assert_eq!(status, 200);
    assert_eq!(rows(&second_page), 10, "{second_page}");
    assert!(second_page.contains("First page"), "{second_page}");
    assert!(!second_page.contains("id=\"report-next\""), "{second_page}");
    let (_, garbled) = get(&app, &c, &format!("/broadcasts/{id}?after=nonsense")).await;
    assert_eq!(rows(&garbled), 50);
}

/// A customer's own time zone (for quiet hours) is set on its page by an admin; an unknown
/// name is refused on the page, and empty goes back to the org's.
#[tokio::test]
async fn broadcasts_customer_time_zone_on_the_customer_page() {
    let w = world(TestApp::new().await).await;
    let app = &w.app;
    let c = signed_in(app, AUTHOR).await;
    let page = format!("/customers/{}", w.customer.id);
    let action = format!("{page}/time-zone");
    let (_, body) = get(app, &c, &page).await;
    assert!(
        body.contains("your organisation&#39;s") || body.contains("your organisation's"),
        "{body}"
    );
    let res = app
        .post_form(&c, &page, &action, &[("time_zone", "Mars/Olympus")])
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Mars/Olympus"));
    let res = app
        .post_form(&c, &page, &action, &[("time_zone", "Europe/Berlin")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("{page}?notice=saved"));
    let (_, body) = get(app, &c, &page).await;
    assert!(body.contains("id=\"time-zone\">Europe/Berlin<"), "{body}");
    let res = c.get(app.url(&action)).send().await.unwrap();
    assert_eq!((res.status().as_u16(), location(&res)), (303, page.clone()));
    let res = app
        .post_form(&c, &page, &action, &[("time_zone", "")])
        .await;
    assert_eq!(res.status(), 303);
    let (_, body) = get(app, &c, &page).await;
    assert!(!body.contains("id=\"time-zone\">Europe/Berlin<"), "{body}");
    // A technician sees it but cannot change it; another org's customer is not found.
    crate::add_technician(app, AUTHOR, "tech@acme.test", "Tech").await;
    let t = signed_in(app, "tech@acme.test").await;
    let res = app
        .post_form(&t, &page, &action, &[("time_zone", "Europe/Paris")])
        .await;
    assert_eq!(res.status(), 403);
    app.create_admin("Bravo IT", "admin@bravo.test", PW).await;
    let b = signed_in(app, "admin@bravo.test").await;
    let res = app
        .post_form(&b, "/customers", &action, &[("time_zone", "Europe/Paris")])
        .await;
    assert_eq!(res.status(), 404);
    app.run_jobs().await;
}
