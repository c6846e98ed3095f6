//! The one-click unsubscribe of broadcast emails over HTTP (issue 20, RFC 8058): opening the
//! link changes nothing; a POST with no cookie and no form token (what a mail provider's
//! button sends) opts the address out, which excludes every contact sharing it from later
//! broadcasts, and a second POST changes nothing; forged and altered links are refused with a
//! page of their own and change nothing. The contact page lists the opt-outs and lets an admin
//! (only) remove one, within the admin's org. Each scenario is a function of a `TestApp`, run
//! on SQLite here and on PostgreSQL in `postgres.rs`.

use crate::{PW, add_technician, get, location, principal, signed_in};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use countersign_app::broadcasts::BroadcastInput;
use countersign_app::contacts::ContactInput;
use countersign_domain::{BroadcastChannels, BroadcastId, OptOutSource, OrgId};
use countersign_store::{
    Audience, AuditFilter, AuditStore, BroadcastStore, Channel, Contact, MessageStore, Technician,
};
use countersign_testkit::TestApp;

/// An org with its admin, a broadcast draft, and three contacts: Amy, Amy again under another
/// customer (same address, different case), and Bob.
struct Org {
    id: OrgId,
    admin: Technician,
    broadcast: BroadcastId,
    amy: Contact,
    amy_again: Contact,
    bob: Contact,
}

async fn contact(
    app: &TestApp,
    admin: &Technician,
    customer: &str,
    name: &str,
    email: &str,
) -> Contact {
    let by = principal(admin);
    let c = app.app.create_customer(&by, customer, None).await.unwrap();
    let input = ContactInput {
        given_name: name.into(),
        surname: "Lee".into(),
        email: email.into(),
        ..ContactInput::default()
    };
    app.app.create_contact(&by, c.id, &input).await.unwrap()
}

async fn org(app: &TestApp, name: &str, admin_email: &str, domain: &str) -> Org {
    let admin = app.create_admin(name, admin_email, PW).await.technician;
    let amy = contact(app, &admin, "Contoso", "Amy", &format!("amy@{domain}")).await;
    let amy_again = contact(app, &admin, "Fabrikam", "Amy", &format!("AMY@{domain}")).await;
    let bob = contact(app, &admin, "Northwind", "Bob", &format!("bob@{domain}")).await;
    let draft = BroadcastInput {
        name: "Exchange outage".into(),
        channels: BroadcastChannels::EMAIL,
        sms_text: String::new(),
        email_subject: "Exchange outage".into(),
        email_body: "Exchange is down.".into(),
        audience: Audience::AllCustomers,
        scheduled_at: None,
        respect_quiet_hours: false,
    };
    let broadcast = app
        .app
        .create_broadcast_draft(&principal(&admin), &draft)
        .await
        .unwrap()
        .id;
    Org {
        id: admin.org_id,
        admin,
        broadcast,
        amy,
        amy_again,
        bob,
    }
}

impl Org {
    /// The unsubscribe link of the broadcast's email to `c`, as the fan-out builds it.
    fn link(&self, app: &TestApp, c: &Contact) -> String {
        let address = c.email.as_deref().unwrap();
        app.app
            .unsubscribe_url(self.id, self.broadcast, c.id, address)
    }

    /// Contacts an email broadcast to everyone would leave out because they opted out.
    async fn opted_out(&self, app: &TestApp) -> i64 {
        app.app
            .preview_broadcast_audience(
                &principal(&self.admin),
                &Audience::AllCustomers,
                BroadcastChannels::EMAIL,
            )
            .await
            .unwrap()
            .excluded
            .opted_out
    }

    /// How many times someone unsubscribed through a link (audit entries).
    async fn unsubscribes(&self, app: &TestApp) -> usize {
        let filter = AuditFilter {
            action_prefix: Some("broadcast.unsubscribed".into()),
            limit: 50,
            ..AuditFilter::default()
        };
        app.app
            .store()
            .audit_entries(self.id, &filter)
            .await
            .unwrap()
            .len()
    }
}

/// The path of a link (the test server's public URL is its base URL).
fn path_of(app: &TestApp, link: &str) -> String {
    link.strip_prefix(&app.base_url).unwrap().to_owned()
}

/// Options of the tests' servers: clients may name their address (`TestApp::client_from`),
/// so refused links counted against one address do not throttle the next check.
#[must_use]
pub fn options() -> countersign_testkit::Options {
    countersign_testkit::Options {
        trusted_proxies: vec!["127.0.0.1".into()],
        ..countersign_testkit::Options::default()
    }
}

/// What a mail provider's one-click button sends: a form POST with the one key/value pair,
/// no cookie, no form token, no browser headers.
async fn one_click(app: &TestApp, path: &str) -> (u16, String) {
    one_click_from(app, &app.bare_client(), path).await
}

/// [`one_click`] from `client` (e.g. one with its own address).
async fn one_click_from(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, String) {
    let res = client
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

/// GET shows the org's page with one button and changes nothing; the one-click POST opts the
/// address out (Amy and the other contact with her address are excluded from the next
/// broadcast, Bob is not); a second POST says so and changes nothing; our page's button
/// answers with a redirect to the result page.
pub async fn one_click_unsubscribes_and_get_does_not(app: TestApp) {
    let acme = org(&app, "Acme IT", "admin@acme.test", "contoso.example").await;
    let path = path_of(&app, &acme.link(&app, &acme.amy));
    assert!(path.starts_with("/unsubscribe/"), "{path}");

    let scanner = app.bare_client();
    for _ in 0..2 {
        let (status, body) = get(&app, &scanner, &path).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("Acme IT"), "{body}");
        assert!(body.contains("a•••@contoso.example"), "{body}");
        assert!(body.contains("id=\"unsubscribe\""), "{body}");
        assert!(
            !body.contains("amy@contoso.example"),
            "the address is masked"
        );
    }
    let head = scanner.head(app.url(&path)).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(
        acme.opted_out(&app).await,
        0,
        "GET and HEAD changed nothing"
    );
    assert_eq!(acme.unsubscribes(&app).await, 0);

    let (status, body) = one_click(&app, &path).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("You are unsubscribed"), "{body}");
    assert_eq!(acme.opted_out(&app).await, 2, "Amy, and Amy under Fabrikam");
    let opt_outs = app
        .app
        .store()
        .opt_outs_of_contact(acme.id, acme.amy.id)
        .await
        .unwrap();
    assert_eq!(opt_outs.len(), 1);
    assert_eq!(
        (
            opt_outs[0].channel,
            opt_outs[0].address.as_str(),
            opt_outs[0].source
        ),
        (
            Channel::Email,
            "amy@contoso.example",
            OptOutSource::UnsubscribeLink
        )
    );
    assert_eq!(acme.unsubscribes(&app).await, 1);

    let (status, body) = one_click(&app, &path).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("already unsubscribed"), "{body}");
    assert_eq!(
        acme.unsubscribes(&app).await,
        1,
        "nothing more was recorded"
    );
    assert_eq!(acme.opted_out(&app).await, 2);

    // The link of the other contact with Amy's address finds it opted out already.
    let other = path_of(&app, &acme.link(&app, &acme.amy_again));
    let (_, body) = get(&app, &scanner, &other).await;
    assert!(body.contains("already unsubscribed"), "{body}");

    // Bob, from our page in a browser: POST, then a redirect to the result page.
    let bob = path_of(&app, &acme.link(&app, &acme.bob));
    let browser = app.client();
    let res = browser
        .post(app.url(&bob))
        .form(&[("List-Unsubscribe", "One-Click"), ("from", "page")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("{bob}?done=unsubscribed"));
    let (status, body) = get(&app, &browser, &location(&res)).await;
    assert_eq!(status, 200);
    assert!(body.contains("You are unsubscribed"), "{body}");
    assert_eq!(acme.opted_out(&app).await, 3);
    assert_eq!(acme.unsubscribes(&app).await, 2);
}

/// `link` with its token's bytes changed by `change`, the MAC kept.
fn altered(link: &str, change: impl FnOnce(&mut Vec<u8>)) -> String {
    let (base, token) = link.rsplit_once('/').unwrap();
    let mut bytes = URL_SAFE_NO_PAD.decode(token).unwrap();
    change(&mut bytes);
    format!("{base}/{}", URL_SAFE_NO_PAD.encode(&bytes))
}

/// Offsets of the token's fields (version byte, then org, broadcast and contact ids).
const ORG: usize = 1;
const BROADCAST: usize = 17;
const CONTACT: usize = 33;

/// Forged, altered and foreign links are refused on GET and POST with a page that says so
/// and a 404, and change nothing: a link moved onto another contact, org or broadcast, an
/// address changed, a MAC flipped, a link another server MAC'd, garbage.
pub async fn forged_and_altered_links_change_nothing(app: TestApp) {
    let acme = org(&app, "Acme IT", "admin@acme.test", "contoso.example").await;
    let globex = org(&app, "Globex IT", "admin@globex.test", "initech.example").await;
    let link = acme.link(&app, &acme.amy);
    let onto = |at: usize, id: uuid::Uuid| {
        altered(&link, |b| b[at..at + 16].copy_from_slice(id.as_bytes()))
    };
    let other_server = TestApp::new().await;
    let mut forged = vec![
        onto(CONTACT, acme.bob.id.0),
        onto(CONTACT, acme.amy_again.id.0),
        onto(ORG, globex.id.0),
        onto(BROADCAST, globex.broadcast.0),
        altered(&link, |b| {
            let at = b.len() - 33;
            b[at] ^= 0x20;
        }),
        altered(&link, |b| {
            let last = b.len() - 1;
            b[last] ^= 1;
        }),
        altered(&link, |b| b.truncate(b.len() - 1)),
        // Org A's link for Amy, MAC'd by another server (another keyring).
        path_of(&other_server, &acme.link(&other_server, &acme.amy)),
        "/unsubscribe/AAAA".into(),
        "/unsubscribe/not-a-token!".into(),
    ];
    // Globex's own valid link replayed with Acme's contact in it.
    forged.push(altered(&globex.link(&app, &globex.amy), |b| {
        b[CONTACT..CONTACT + 16].copy_from_slice(acme.amy.id.0.as_bytes());
    }));
    for (i, f) in forged.iter().enumerate() {
        let path = if f.starts_with("http") {
            path_of(&app, f)
        } else {
            f.clone()
        };
        // A client address of its own for each: refused links count against an address.
        let client = app.client_from(&format!("203.0.113.{i}"));
        let (status, body) = get(&app, &client, &path).await;
        assert_eq!(status, 404, "GET {path}: {body}");
        assert!(
            body.contains("This unsubscribe link is not valid"),
            "{body}"
        );
        let (status, body) = one_click_from(&app, &client, &path).await;
        assert_eq!(status, 404, "POST {path}: {body}");
        assert!(body.contains("Nothing was changed"), "{body}");
    }
    assert_eq!(acme.opted_out(&app).await, 0);
    assert_eq!(globex.opted_out(&app).await, 0);
    assert_eq!(acme.unsubscribes(&app).await, 0);
    assert_eq!(globex.unsubscribes(&app).await, 0);
    // The untouched link still works.
    let (status, _) = one_click(&app, &path_of(&app, &link)).await;
    assert_eq!(status, 200);
    assert_eq!(acme.opted_out(&app).await, 2);
    assert_eq!(globex.opted_out(&app).await, 0);
}

/// After 20 refused links from one address in an hour, that address is refused (429) before
/// its links are read, a valid one included; other addresses are not.
pub async fn refused_links_are_throttled_per_address(app: TestApp) {
    let acme = org(&app, "Acme IT", "admin@acme.test", "contoso.example").await;
    let from = app.client_from("198.51.100.7");
    for i in 0..20 {
        let (status, _) = get(&app, &from, &format!("/unsubscribe/AAAA{i}")).await;
        assert_eq!(status, 404);
    }
    let valid = path_of(&app, &acme.link(&app, &acme.amy));
    let (status, body) = get(&app, &from, &valid).await;
    assert_eq!(status, 429, "{body}");
    let (status, _) = get(&app, &app.client_from("198.51.100.8"), &valid).await;
    assert_eq!(status, 200);
    assert_eq!(acme.opted_out(&app).await, 0);
}

/// The contact page lists the opt-outs that exclude the contact (its own, and the one of
/// another contact with its address); an admin removes one (audited, POST/redirect/GET); a
/// technician sees no button and is refused; another org's admin can neither see nor remove
/// them.
pub async fn contact_page_shows_and_admin_removes_opt_outs(app: TestApp) {
    let acme = org(&app, "Acme IT", "admin@acme.test", "contoso.example").await;
    let globex = org(&app, "Globex IT", "admin@globex.test", "initech.example").await;
    let (status, _) = one_click(&app, &path_of(&app, &acme.link(&app, &acme.amy))).await;
    assert_eq!(status, 200);
    let (status, _) = one_click(&app, &path_of(&app, &globex.link(&app, &globex.amy))).await;
    assert_eq!(status, 200);

    let admin = signed_in(&app, "admin@acme.test").await;
    let page = format!("/contacts/{}", acme.amy_again.id);
    let (status, body) = get(&app, &admin, &page).await;
    assert_eq!(status, 200);
    let table = &body[body.find("id=\"opt-outs\"").expect("opt-outs table")..];
    assert!(table.contains("a•••@contoso.example"), "{table}");
    assert!(table.contains("Unsubscribe link"), "{table}");
    assert!(table.contains("through another contact"), "{table}");
    assert!(table.contains("/opt-outs/remove"), "{table}");
    let (_, bob_page) = get(&app, &admin, &format!("/contacts/{}", acme.bob.id)).await;
    assert!(!bob_page.contains("id=\"opt-outs\""), "Bob did not opt out");

    // Another org's admin: not Acme's contact page, not its opt-outs, not even through a
    // contact of Globex's own.
    let other = signed_in(&app, "admin@globex.test").await;
    let (status, _) = get(&app, &other, &page).await;
    assert_eq!(status, 404);
    let owner = acme.amy.id.to_string();
    let fields = [("contact", owner.as_str()), ("channel", "email")];
    let res = app
        .post_form(
            &other,
            "/settings",
            &format!("{page}/opt-outs/remove"),
            &fields,
        )
        .await;
    assert_eq!(res.status(), 404);
    let own = format!("/contacts/{}/opt-outs/remove", globex.amy.id);
    let res = app.post_form(&other, "/settings", &own, &fields).await;
    assert_eq!(res.status(), 404);
    assert_eq!(acme.opted_out(&app).await, 2);

    // A technician of Acme sees the opt-outs but may not remove them.
    add_technician(&app, "admin@acme.test", "tech@acme.test", "Tess").await;
    app.run_jobs().await; // the invite email
    let tech = signed_in(&app, "tech@acme.test").await;
    let (status, body) = get(&app, &tech, &page).await;
    assert_eq!(status, 200);
    assert!(body.contains("id=\"opt-outs\""), "{body}");
    assert!(!body.contains("/opt-outs/remove"), "{body}");
    let res = app
        .post_form(&tech, &page, &format!("{page}/opt-outs/remove"), &fields)
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(acme.opted_out(&app).await, 2);

    // Acme's admin removes it from the page of the contact it reaches through the address.
    let res = app
        .post_form(&admin, &page, &format!("{page}/opt-outs/remove"), &fields)
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("{page}?notice=opt_out_removed"));
    let (_, body) = get(&app, &admin, &location(&res)).await;
    assert!(body.contains("Opt-out removed"), "{body}");
    assert!(!body.contains("id=\"opt-outs\""), "{body}");
    assert_eq!(acme.opted_out(&app).await, 0);
    assert_eq!(globex.opted_out(&app).await, 2, "Globex's opt-out stays");
    let filter = AuditFilter {
        action_prefix: Some("broadcast.opt_out_removed".into()),
        limit: 10,
        ..AuditFilter::default()
    };
    let entries = app
        .app
        .store()
        .audit_entries(acme.id, &filter)
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].entry.target, acme.amy.id.to_string());
    // Gone now: removing it again finds nothing.
    let res = app
        .post_form(&admin, &page, &format!("{page}/opt-outs/remove"), &fields)
        .await;
    assert_eq!(res.status(), 404);
}

/// The delivery engine gives every broadcast email its own link, in the List-Unsubscribe
/// value stored with the message and in the email's footer; following it opts the address
/// out, and the next broadcast leaves out both contacts with that address.
pub async fn a_delivered_broadcast_email_carries_its_link(app: TestApp) {
    let acme = org(&app, "Acme IT", "admin@acme.test", "contoso.example").await;
    let by = principal(&acme.admin);
    let recipients = app
        .app
        .preview_broadcast_audience(&by, &Audience::AllCustomers, BroadcastChannels::EMAIL)
        .await
        .unwrap()
        .recipients;
    assert_eq!(recipients, 2, "Amy once for her address, and Bob");
    app.app
        .request_broadcast_approval(&by, acme.broadcast)
        .await
        .unwrap();
    app.app
        .approve_broadcast(&by, acme.broadcast, recipients)
        .await
        .unwrap();
    // The delivery job runs again a few seconds later until the broadcast is done.
    for _ in 0..40 {
        app.run_jobs().await;
        let b = app.app.broadcast(&by, acme.broadcast).await.unwrap();
        if b.status.is_final() {
            break;
        }
        app.clock.advance(std::time::Duration::from_secs(3));
    }
    let emails = app
        .app
        .store()
        .messages(
            acme.id,
            &countersign_store::MessageFilter {
                channel: Some(Channel::Email),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(emails.len(), 2);
    let amy = emails
        .iter()
        .find(|m| m.recipient == "amy@contoso.example")
        .unwrap();
    let link = amy.list_unsubscribe.clone().expect("an unsubscribe link");
    assert!(
        [&acme.amy, &acme.amy_again]
            .iter()
            .any(|c| acme.link(&app, c) == link),
        "{link}"
    );
    assert!(amy.body_text.as_deref().unwrap().contains(&link));
    let bob = emails.iter().find(|m| m.recipient == "bob@contoso.example");
    assert_ne!(
        bob.unwrap().list_unsubscribe.as_deref(),
        Some(link.as_str())
    );

    let (status, body) = one_click(&app, &path_of(&app, &link)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(acme.opted_out(&app).await, 2);
}

#[tokio::test]
async fn unsubscribe_a_delivered_broadcast_email_carries_its_link() {
    a_delivered_broadcast_email_carries_its_link(TestApp::new().await).await;
}

#[tokio::test]
async fn unsubscribe_one_click_and_get_does_not() {
    one_click_unsubscribes_and_get_does_not(TestApp::new().await).await;
}

#[tokio::test]
async fn unsubscribe_forged_and_altered_links_change_nothing() {
    forged_and_altered_links_change_nothing(TestApp::with(options()).await).await;
}

#[tokio::test]
async fn unsubscribe_refused_links_are_throttled_per_address() {
    refused_links_are_throttled_per_address(TestApp::with(options()).await).await;
}

#[tokio::test]
async fn unsubscribe_contact_page_shows_and_admin_removes_opt_outs() {
    contact_page_shows_and_admin_removes_opt_outs(TestApp::new().await).await;
}
