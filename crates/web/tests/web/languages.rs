//! End-user pages and messages in the recipient's language (issue 21.8): the contact's own
//! language, else its customer's, else the browser's, else English; an org's overrides of the
//! texts (checked, audited, never shown to another org); times in the customer's zone.

use crate::contacts::{customer, sync, user};
use crate::{PW, get, location, signed_in};
use countersign_domain::{ContactId, CustomerId, OrgId};
use countersign_store::{
    AuditFilter, AuditStore, CustomerStore, EndUserStore, OrgStore, SourceKind,
};
use countersign_testkit::TestApp;
use std::sync::Arc;

struct Fixture {
    /// Shared by the two orgs of the isolation test.
    app: Arc<TestApp>,
    org: OrgId,
    customer: CustomerId,
    contact: ContactId,
    admin: reqwest::Client,
}

async fn fixture_on(app: Arc<TestApp>, org_name: &str, email: &str) -> Fixture {
    let a = app.create_admin(org_name, email, PW).await;
    let cust = customer(&app, a.org.id, "Contoso", SourceKind::Microsoft365).await;
    let contact = sync(
        &app,
        a.org.id,
        &cust,
        &[user("1", "Ann Lee", "ann@c.example", "+1 425 555 0101")],
    )
    .await;
    let admin = signed_in(&app, email).await;
    Fixture {
        org: a.org.id,
        customer: cust.id,
        app,
        contact,
        admin,
    }
}

async fn fixture() -> Fixture {
    fixture_on(Arc::new(TestApp::new().await), "Acme IT", "admin@acme.test").await
}

/// The text of the org's newest message made from `template`.
async fn last_text(app: &TestApp, org: OrgId, template: &str) -> String {
    crate::verification::last_message(app, org, template)
        .await
        .1
}

/// Starts a verification of the fixture's contact from the Pod.
async fn start(f: &Fixture, method: &str) {
    let res = f
        .app
        .post_form(
            &f.admin,
            &format!("/pod/contacts/{}?action=verify", f.contact),
            &format!("/pod/contacts/{}/verify", f.contact),
            &[("method", method)],
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
}

/// Sends an approve link by SMS; returns its token.
async fn approve_link(f: &Fixture) -> String {
    start(f, "sms_link").await;
    let text = last_text(&f.app, f.org, "verification_link").await;
    let start = text.find("/v/").expect("a link") + 3;
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// The page as a browser with this `Accept-Language` (none: `None`) sees it.
async fn page_as(app: &TestApp, path: &str, accept: Option<&str>) -> (u16, String) {
    let mut req = app.client().get(app.url(path));
    if let Some(a) = accept {
        req = req.header("accept-language", a);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn set_contact_language(f: &Fixture, tag: &str) {
    // What the directory sync stores from Microsoft Graph's preferredLanguage.
    f.app
        .app
        .store()
        .set_contact_language(f.org, f.contact, Some(tag))
        .await
        .unwrap();
}

async fn set_customer_language(f: &Fixture, language: &str) -> reqwest::Response {
    f.app
        .post_form(
            &f.admin,
            &format!("/customers/{}", f.customer),
            &format!("/customers/{}/language", f.customer),
            &[("language", language)],
        )
        .await
}

async fn post_override(f: &Fixture, language: &str, id: &str, body: &str) -> reqwest::Response {
    f.app
        .post_form(
            &f.admin,
            &format!("/settings/end-user-texts?language={language}"),
            "/settings/end-user-texts",
            &[("language", language), ("message_id", id), ("body", body)],
        )
        .await
}

#[tokio::test]
async fn a_contact_whose_directory_says_de_gets_a_german_sms_and_approve_page() {
    let f = fixture().await;
    set_contact_language(&f, "de-DE").await;
    f.app
        .app
        .store()
        .set_customer_time_zone(f.org, f.customer, Some("Europe/Berlin"))
        .await
        .unwrap();
    start(&f, "sms_code").await;
    let sms = last_text(&f.app, f.org, "verification_code").await;
    assert!(
        sms.starts_with("Acme IT Helpdesk:")
            && sms.contains("Geben Sie diesen Code nur weiter, wenn SIE Acme IT kontaktiert haben"),
        "{sms}"
    );
    let token = approve_link(&f).await;
    let sms = last_text(&f.app, f.org, "verification_link").await;
    assert!(sms.contains("Öffnen Sie diesen Link"), "{sms}");
    // The contact's own language wins over the browser's.
    let (status, page) = page_as(&f.app, &format!("/v/{token}"), Some("fr")).await;
    assert_eq!(status, 200);
    assert!(page.contains("<html lang=\"de\">"), "{page}");
    assert!(page.contains("Acme IT: Sind Sie das?"), "{page}");
    assert!(page.contains(">Bestätigen</button>"), "{page}");
    assert!(page.contains(">Das war ich nicht</button>"), "{page}");
    // The expiry in the customer's zone, with its abbreviation, written the German way.
    let expiry = page
        .split("id=\"approve-expiry\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap_or_default()
        .to_owned();
    assert!(
        expiry.starts_with("Dieser Link funktioniert einmal, bis ")
            && (expiry.ends_with(" CET.") || expiry.ends_with(" CEST."))
            && expiry.contains('.'),
        "{expiry}"
    );
    // The answer page after the POST (PRG) is German too.
    let choices: Vec<String> = page
        .split("name=\"number\" value=\"")
        .skip(1)
        .map(|s| s.chars().take_while(char::is_ascii_digit).collect())
        .collect();
    let visitor = f.app.client();
    let res = f
        .app
        .post_form(
            &visitor,
            &format!("/v/{token}"),
            &format!("/v/{token}"),
            &[("answer", "deny"), ("number", choices[0].as_str())],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, done) = get(&f.app, &visitor, &location(&res)).await;
    assert!(done.contains("Danke für Ihre Rückmeldung"), "{done}");
    f.app.run_jobs().await;
}

#[tokio::test]
async fn the_customers_language_is_used_when_the_contact_has_none() {
    let f = fixture().await;
    let res = set_customer_language(&f, "fr").await;
    assert_eq!(res.status(), 303);
    let (_, customer_page) = get(&f.app, &f.admin, &location(&res)).await;
    assert!(
        customer_page.contains("id=\"customer-language\">Français<"),
        "{customer_page}"
    );
    // An unknown language is refused with a reason, and nothing changes.
    let res = set_customer_language(&f, "xx").await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("hoose one of the languages listed"), "{body}");
    start(&f, "sms_code").await;
    let sms = last_text(&f.app, f.org, "verification_code").await;
    assert!(sms.contains("Ne donnez ce code que si"), "{sms}");
    let token = approve_link(&f).await;
    let (_, page) = page_as(&f.app, &format!("/v/{token}"), Some("es")).await;
    assert!(page.contains("Acme IT : est-ce bien vous ?"), "{page}");
    // The contact's own language still wins over the customer's.
    set_contact_language(&f, "nl-NL").await;
    let (_, page) = page_as(&f.app, &format!("/v/{token}"), None).await;
    assert!(page.contains("Acme IT: bent u dit?"), "{page}");
    // A language we have no texts for falls through to the customer's.
    set_contact_language(&f, "it-IT").await;
    let (_, page) = page_as(&f.app, &format!("/v/{token}"), None).await;
    assert!(page.contains("est-ce bien vous"), "{page}");
    f.app.run_jobs().await;
}

#[tokio::test]
async fn public_pages_fall_back_to_the_browsers_language_then_english() {
    let f = fixture().await;
    let token = approve_link(&f).await;
    let sms = last_text(&f.app, f.org, "verification_link").await;
    // Messages know no browser: English.
    assert!(sms.contains("Open this link and pick the number"), "{sms}");
    let path = format!("/v/{token}");
    let (_, es) = page_as(&f.app, &path, Some("it-IT, es;q=0.8, en;q=0.5")).await;
    assert!(
        es.contains("<html lang=\"es\">") && es.contains("¿es usted?"),
        "{es}"
    );
    let (_, en) = page_as(&f.app, &path, None).await;
    assert!(
        en.contains("<html lang=\"en\">") && en.contains("is this you?"),
        "{en}"
    );
    // The technician check page knows no contact yet: the browser's language.
    let slug = f.app.app.store().org(f.org).await.unwrap().slug;
    let (status, nl) = page_as(
        &f.app,
        &format!("/t/{slug}/verify-technician"),
        Some("nl-BE"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        nl.contains("Controleer of een technicus voor Acme IT werkt"),
        "{nl}"
    );
    // A link that does not exist: the browser's language too.
    let (status, gone) = page_as(&f.app, "/v/not-a-token", Some("de")).await;
    assert_eq!(status, 410);
    assert!(gone.contains("Dieser Link ist abgelaufen"), "{gone}");
    f.app.run_jobs().await;
}

#[tokio::test]
async fn an_override_is_shown_instead_of_the_default_and_a_bad_one_saves_nothing() {
    let f = fixture().await;
    set_contact_language(&f, "de").await;
    let res = post_override(&f, "de", "approve-button", "Ja, das bin ich").await;
    assert_eq!(res.status(), 303);
    let to = location(&res);
    assert!(
        to.starts_with("/settings/end-user-texts?language=de&notice=saved"),
        "{to}"
    );
    let (_, settings) = get(&f.app, &f.admin, &to).await;
    assert!(
        settings.contains("Ja, das bin ich</textarea>"),
        "{settings}"
    );
    assert!(settings.contains("Deutsch: 1 of "), "{settings}");
    let res = post_override(
        &f,
        "de",
        "sms-verify-code",
        "{ $msp }: Ihr Code lautet { $code }. Gültig { $minutes ->\n[one] eine Minute\n*[other] { $minutes } Minuten\n}.",
    )
    .await;
    assert_eq!(res.status(), 303);
    start(&f, "sms_code").await;
    let sms = last_text(&f.app, f.org, "verification_code").await;
    assert!(
        sms.starts_with("Acme IT: Ihr Code lautet ") && sms.ends_with(" Minuten."),
        "{sms}"
    );
    let token = approve_link(&f).await;
    let (_, page) = page_as(&f.app, &format!("/v/{token}"), None).await;
    assert!(page.contains(">Ja, das bin ich</button>"), "{page}");
    // The override is of German only: an English reader sees the default.
    set_contact_language(&f, "en").await;
    let (_, page) = page_as(&f.app, &format!("/v/{token}"), None).await;
    assert!(page.contains(">Approve</button>"), "{page}");

    // Refused: a placeholder the default does not use, and text that is not Fluent.
    let before = f.app.app.store().end_user_texts(f.org, None).await.unwrap();
    let res = post_override(&f, "de", "approve-button", "Ja { $code }").await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("{ $code } is not a placeholder of this text; it may use no placeholders; nothing was saved"),
        "{body}"
    );
    // The typed text is kept in its field.
    assert!(body.contains("Ja { $code }</textarea>"), "{body}");
    let res = post_override(&f, "de", "sms-verify-code", "Code { $code").await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("is not valid Fluent"));
    let res = post_override(&f, "de", "no-such-text", "x").await;
    assert_eq!(res.status(), 422);
    let res = post_override(&f, "xx", "approve-button", "x").await;
    assert_eq!(res.status(), 422);
    let after = f.app.app.store().end_user_texts(f.org, None).await.unwrap();
    assert_eq!(before, after, "nothing saved");

    // Reset: the default again (PRG), audited both ways.
    let res = f
        .app
        .post_form(
            &f.admin,
            "/settings/end-user-texts?language=de",
            "/settings/end-user-texts/reset",
            &[("language", "de"), ("message_id", "approve-button")],
        )
        .await;
    assert_eq!(res.status(), 303);
    set_contact_language(&f, "de").await;
    let (_, page) = page_as(&f.app, &format!("/v/{token}"), None).await;
    assert!(page.contains(">Bestätigen</button>"), "{page}");
    let audit = f
        .app
        .app
        .store()
        .audit_entries(
            f.org,
            &AuditFilter {
                action_prefix: Some("end_user_text.".into()),
                limit: 100,
                ..AuditFilter::default()
            },
        )
        .await
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.entry.action.as_str()).collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| **a == "end_user_text.set")
            .count(),
        2,
        "{actions:?}"
    );
    assert!(actions.contains(&"end_user_text.reset"), "{actions:?}");
    // A GET of the POST-only address goes to its page.
    let res = f
        .admin
        .get(f.app.url("/settings/end-user-texts/reset"))
        .send()
        .await
        .unwrap();
    assert!(res.url().path().starts_with("/settings/end-user-texts"));
    f.app.run_jobs().await;
}

#[tokio::test]
async fn one_orgs_override_never_shows_for_another() {
    let a = fixture().await;
    let b = fixture_on(a.app.clone(), "Beta IT", "admin@beta.test").await;
    set_contact_language(&a, "de").await;
    set_contact_language(&b, "de").await;
    let res = post_override(&a, "de", "approve-button", "Acme sagt ja").await;
    assert_eq!(res.status(), 303);
    let token_b = approve_link(&b).await;
    let (_, page) = page_as(&b.app, &format!("/v/{token_b}"), None).await;
    assert!(page.contains(">Bestätigen</button>"), "{page}");
    assert!(!page.contains("Acme sagt ja"), "{page}");
    // Org B's admin lists none of org A's overrides and cannot reset them.
    let (_, settings) = get(&b.app, &b.admin, "/settings/end-user-texts?language=de").await;
    assert!(!settings.contains("Acme sagt ja"), "{settings}");
    let res = b
        .app
        .post_form(
            &b.admin,
            "/settings/end-user-texts?language=de",
            "/settings/end-user-texts/reset",
            &[("language", "de"), ("message_id", "approve-button")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        a.app
            .app
            .store()
            .end_user_texts(a.org, Some("de"))
            .await
            .unwrap()
            .len(),
        1
    );
    let token_a = approve_link(&a).await;
    let (_, page) = page_as(&a.app, &format!("/v/{token_a}"), None).await;
    assert!(page.contains(">Acme sagt ja</button>"), "{page}");
    a.app.run_jobs().await;
}

#[tokio::test]
async fn the_directory_sync_brings_a_users_preferred_language_to_their_sms() {
    use crate::integrations::{CONTOSO, example, world_with};
    use crate::m365_support::{contacts, contoso_linked, org_of, sync_via_queue};
    let w = world_with(false, example()).await;
    let (_, l) = contoso_linked(&w).await;
    let first = sync_via_queue(&w, l.id).await;
    assert_eq!(first.last_sync_ok, Some(true), "{:?}", first.last_error);
    let taro = "22222222-0000-4000-8000-000000000002";
    w.sim
        .control()
        .edit_user(
            CONTOSO,
            taro,
            &serde_json::json!({"preferredLanguage": "de-DE", "mobilePhone": "+1 206 555 0199"}),
        )
        .unwrap();
    let after = sync_via_queue(&w, l.id).await;
    assert_eq!(after.last_sync_ok, Some(true), "{:?}", after.last_error);
    let org = org_of(&w).await;
    let contact = contacts(&w, &l).await.remove(taro).expect("synced");
    let locale = w
        .app
        .app
        .store()
        .contact_locale(org, contact.id)
        .await
        .unwrap();
    assert_eq!(locale.preferred_language.as_deref(), Some("de-DE"));
    let res = w
        .app
        .post_form(
            &w.browser,
            &format!("/pod/contacts/{}?action=verify", contact.id),
            &format!("/pod/contacts/{}/verify", contact.id),
            // The number changed just now: the technician says how they confirmed the person.
            &[
                ("method", "sms_code"),
                ("note", "Called back on the desk phone"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let sms = last_text(&w.app, org, "verification_code").await;
    assert!(sms.contains("Geben Sie diesen Code nur weiter"), "{sms}");
    w.run_jobs().await;
}
