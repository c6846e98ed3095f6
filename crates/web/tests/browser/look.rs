//! Every page as people see it (issue 21.7 and 21.9): axe-core finds no serious or critical
//! accessibility violation on any page (signed-in admin and technician pages, the Pod, the
//! public end-user pages, sign-in and errors); at 390 px nothing scrolls sideways (tables
//! stack into labelled rows); at 1366 px the tenant table fits. Screenshots of every page at
//! 1366 px and 390 px are kept under `$CARGO_TARGET_DIR/browser-artifacts/screens/` (printed
//! at the end, pass or fail) for a person to look at.
//!
//! axe-core comes from npm, pinned by `axe/package-lock.json` (`scripts/test.sh` runs `npm ci`
//! there); the test reads `axe.min.js` from `node_modules` and runs it in the page through
//! WebDriver's execute script, which the page's CSP does not block (no CDN, no change to the
//! CSP).

// Test set-up helpers: a failed `unwrap` is a failed test.
#![allow(clippy::unwrap_used)]

use countersign_app::Principal;
use countersign_app::broadcasts::BroadcastInput;
use countersign_app::contacts::ContactInput;
use countersign_app::microsoft::{LinkKind, NewTenantLink};
use countersign_app::webhooks::EndpointInput;
use countersign_domain::{BroadcastChannels, ContactId, Email, OrgId, Role};
use countersign_store::{Audience, ContactStore, IntegrationKind, MessageFilter, MessageStore};
use countersign_testkit::TestApp;
use countersign_testkit::browser::{self, Session};
use std::io::Write as _;
use std::path::PathBuf;

const EMAIL: &str = "admin@acme.example";
const PASSWORD: &str = "granite orchard lantern seven";
const TECH_EMAIL: &str = "tess@acme.example";
const DESKTOP: u32 = 1366;
const PHONE: u32 = 390;
/// Microsoft's role template ids of Application Administrator and User Administrator.
const GDAP_ROLES: &str =
    "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3,fe930be7-5e62-47db-91af-98c3a49a38b1";

/// `axe.min.js` from the committed npm package (installed by `npm ci`).
fn axe_source() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/browser/axe/node_modules/axe-core/axe.min.js"
    );
    std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "{path}: {e}. Install axe-core: (cd crates/web/tests/browser/axe && npm ci); \
             scripts/test.sh does this"
        )
    })
}

/// An org with something on every page: customers and contacts, an integration with two
/// tenants, a broadcast draft, a webhook endpoint and an open invite.
struct World {
    app: TestApp,
    org: OrgId,
    ann: ContactId,
    customer: String,
    /// Fabrikam: made in Countersign, so contacts may be added to it by hand.
    manual_customer: String,
    integration: String,
    broadcast: String,
    webhook: String,
    technician: String,
    invite_path: String,
    unsubscribe_path: String,
}

async fn world() -> World {
    let app = TestApp::new().await;
    let admin = app.create_admin("Acme IT", EMAIL, PASSWORD).await;
    let org = admin.org.id;
    let by = Principal::technician(&admin.technician, [127, 0, 0, 1].into());
    let ann = crate::support::contoso_with_ann(&app, org).await;
    let customer = app.app.store().contact(org, ann).await.unwrap().customer_id;
    let fabrikam = app
        .app
        .create_customer(&by, "Fabrikam", None)
        .await
        .unwrap();
    for (given, surname, email, mobile) in [
        (
            "Bob",
            "Diaz",
            "bob.diaz@fabrikam.example",
            "+1 425 555 0102",
        ),
        ("Carol", "Nguyen-Fitzgerald", "carol@fabrikam.example", ""),
    ] {
        let input = ContactInput {
            given_name: given.into(),
            surname: surname.into(),
            email: email.into(),
            mobile: mobile.into(),
            job_title: "Office manager".into(),
            ..ContactInput::default()
        };
        app.app
            .create_contact(&by, fabrikam.id, &input)
            .await
            .unwrap();
    }
    let integration = app
        .app
        .create_integration(&by, IntegrationKind::Microsoft365, "Microsoft 365")
        .await
        .unwrap();
    for (tenant, name, domain, link, roles) in [
        (
            "22222222-2222-4222-8222-222222222222",
            "Contoso Pharmaceuticals",
            "contosopharma.onmicrosoft.com",
            LinkKind::Gdap,
            GDAP_ROLES,
        ),
        (
            "33333333-3333-4333-8333-333333333333",
            "Fabrikam Manufacturing",
            "fabrikam.example",
            LinkKind::AdminConsent,
            "",
        ),
    ] {
        app.app
            .upsert_tenant_link(
                &NewTenantLink {
                    org_id: org,
                    integration_id: integration.id,
                    tenant_id: tenant.into(),
                    link,
                    display_name: name.into(),
                    default_domain: domain.into(),
                    relationships: if roles.is_empty() {
                        String::new()
                    } else {
                        "Acme IT default GDAP relationship".into()
                    },
                    roles: roles.into(),
                },
                app.app.now(),
            )
            .await
            .unwrap();
    }
    let broadcast = app
        .app
        .create_broadcast_draft(
            &by,
            &BroadcastInput {
                name: "Exchange outage".into(),
                channels: BroadcastChannels::EMAIL,
                sms_text: String::new(),
                email_subject: "Exchange outage".into(),
                email_body: "Exchange is down; we are on it.".into(),
                audience: Audience::AllCustomers,
                scheduled_at: None,
                respect_quiet_hours: false,
            },
        )
        .await
        .unwrap()
        .id;
    let webhook = app
        .app
        .create_webhook_endpoint(
            &by,
            &EndpointInput {
                url: "https://hooks.example.com/countersign".into(),
                description: "PSA tickets".into(),
                events: vec!["verification.verified".into()],
            },
        )
        .await
        .unwrap()
        .endpoint
        .id;
    let invite = app
        .app
        .invite_technician(&by, &Email::parse(TECH_EMAIL).unwrap(), Role::Technician)
        .await
        .unwrap();
    let unsubscribe = app
        .app
        .unsubscribe_url(org, broadcast, ann, "ann@contoso.example");
    World {
        org,
        ann,
        customer: customer.to_string(),
        manual_customer: fabrikam.id.to_string(),
        integration: integration.id.to_string(),
        broadcast: broadcast.to_string(),
        webhook: webhook.to_string(),
        technician: admin.technician.id.to_string(),
        invite_path: path_of(&invite.link),
        unsubscribe_path: path_of(&unsubscribe),
        app,
    }
}

/// The path (and query and fragment) of a link the app made (absolute or not).
fn path_of(link: &str) -> String {
    if link.starts_with('/') {
        return link.to_owned();
    }
    let url = url::Url::parse(link).unwrap();
    let mut path = url.path().to_owned();
    if let Some(q) = url.query() {
        path = format!("{path}?{q}");
    }
    if let Some(f) = url.fragment() {
        path = format!("{path}#{f}");
    }
    path
}

/// The token after `prefix` in the newest message made from `template`.
async fn token_in_message(app: &TestApp, org: OrgId, template: &str, prefix: &str) -> String {
    let all = MessageFilter {
        transport: None,
        channel: None,
        limit: 100,
    };
    let message = app
        .app
        .store()
        .messages(org, &all)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.template == template)
        .max_by_key(|m| m.created_at)
        .unwrap_or_else(|| panic!("no {template} message"));
    let text = message.body_text.unwrap_or_default();
    let start = text.find(prefix).expect("a link in the message") + prefix.len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// The id of the newest message of the org (for the outbox's message page).
async fn any_message(app: &TestApp, org: OrgId) -> String {
    let all = MessageFilter {
        transport: None,
        channel: None,
        limit: 1,
    };
    app.app.store().messages(org, &all).await.unwrap()[0]
        .id
        .to_string()
}

/// From the Pod of `contact`, a Secure Send or Request (`action`) whose link the technician
/// copies: the link's path (with its key) and the path of its status page.
async fn copied_link(
    s: &Session,
    contact: ContactId,
    action: &str,
) -> anyhow::Result<(String, String)> {
    s.goto(&format!("/pod/contacts/{contact}?action={action}"))
        .await?;
    s.wait_until("the secret form to be ready", async || {
        Ok(s.attr("#secret-submit", "disabled").await?.is_none())
    })
    .await?;
    if action == "send" {
        s.fill("#secret-text", "correct horse battery staple")
            .await?;
    } else {
        s.fill("#secret-label", "the new Wi-Fi password").await?;
    }
    s.click("#secret-channel-copy").await?;
    s.click("#secret-submit").await?;
    s.wait_for_text("#secret-created-text", "Copy this link")
        .await?;
    let status = s
        .attr("#secret-status-link", "href")
        .await?
        .unwrap_or_default();
    Ok((path_of(&s.value("#secret-link").await?), path_of(&status)))
}

/// A page to check: its address and a short name for its screenshots.
struct Page {
    name: String,
    path: String,
    /// An error page on purpose (404, a used link): its status shows in the page.
    error: bool,
}

fn page(name: &str, path: impl Into<String>) -> Page {
    Page {
        name: name.to_owned(),
        path: path.into(),
        error: false,
    }
}

fn error_page(name: &str, path: impl Into<String>) -> Page {
    Page {
        error: true,
        ..page(name, path)
    }
}

/// Resize so the page's viewport (not the window) is `width` px wide.
async fn set_viewport(b: &Session, width: u32, height: u32) -> anyhow::Result<()> {
    b.client().set_window_size(width, height).await?;
    let inner = b
        .client()
        .execute("return window.innerWidth;", vec![])
        .await?
        .as_u64()
        .unwrap_or(u64::from(width));
    let extra = u32::try_from(u64::from(width).saturating_sub(inner)).unwrap_or(0);
    if extra > 0 {
        b.client().set_window_size(width + extra, height).await?;
    }
    Ok(())
}

/// Runs axe-core on the page; returns its serious and critical violations in words.
async fn axe(b: &Session, source: &str) -> anyhow::Result<Vec<String>> {
    let loaded = b
        .client()
        .execute(
            &format!("{source}\n;return typeof window.axe === 'object';"),
            vec![],
        )
        .await?;
    anyhow::ensure!(
        loaded == serde_json::Value::Bool(true),
        "axe-core did not load in the page (CSP?)"
    );
    let script = r"
        const done = arguments[arguments.length - 1];
        window.axe.run(document, { resultTypes: ['violations'] }).then((r) => done(
          r.violations
            .filter((v) => v.impact === 'serious' || v.impact === 'critical')
            .map((v) => v.id + ' (' + v.impact + '): ' + v.help + '. ' + v.nodes.slice(0, 5)
              .map((n) => n.target.join(' ') + ' → ' + (n.failureSummary || '').replace(/\s+/g, ' '))
              .join(' | '))
        )).catch((e) => done(['axe-core failed: ' + e]));
    ";
    let found = b.client().execute_async(script, vec![]).await?;
    Ok(serde_json::from_value(found)?)
}

/// A screenshot of the whole page (the window grown to the page's height, at most 6000 px)
/// as `<artifacts>/screens/<name>-<width>.png`.
async fn screenshot(b: &Session, name: &str, width: u32) -> anyhow::Result<PathBuf> {
    let height = b
        .client()
        .execute(
            "return Math.max(document.documentElement.scrollHeight, 600);",
            vec![],
        )
        .await?
        .as_u64()
        .unwrap_or(900)
        .min(6000);
    set_viewport(b, width, u32::try_from(height)?).await?;
    let png = b.client().screenshot().await?;
    set_viewport(b, width, 900).await?;
    let dir = browser::artifacts_dir().join("screens");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("{name}-{width}.png"));
    std::fs::write(&path, png)?;
    Ok(path)
}

/// How far the page scrolls sideways (0: it fits).
async fn overflow(b: &Session) -> anyhow::Result<i64> {
    let v = b
        .client()
        .execute(
            "return document.documentElement.scrollWidth - window.innerWidth;",
            vec![],
        )
        .await?;
    Ok(v.as_i64().unwrap_or(i64::MAX))
}

/// Opens each page at 1366 px (skip link, axe-core, a screenshot) and at 390 px (no sideways
/// scroll, axe-core, a screenshot). Returns every problem found, in words.
async fn check_pages(b: &Session, who: &str, pages: &[Page]) -> anyhow::Result<Vec<String>> {
    let source = axe_source();
    let mut problems = Vec::new();
    let mut shots = Vec::new();
    set_viewport(b, DESKTOP, 900).await?;
    for p in pages {
        b.goto(&p.path).await?;
        // A page that needs a session and sent the browser to sign in would pass unseen.
        let at = b.current_path().await?;
        if at == "/login" && !p.path.starts_with("/login") {
            problems.push(format!("{who} {} ({}): went to /login", p.name, p.path));
        }
        let html = b.html().await?;
        let is_error = html.contains(">Error 4") || html.contains(">Error 5");
        if is_error != p.error {
            problems.push(format!(
                "{who} {} ({}): {}",
                p.name,
                p.path,
                if is_error {
                    "shows an error page"
                } else {
                    "expected an error page"
                }
            ));
        }
        let skip = b
            .client()
            .execute(
                "const a = document.querySelector('a.skip-link'); \
                 const first = document.querySelector('a[href], button, input:not([type=hidden]), select, textarea'); \
                 return a !== null && a === first && a.textContent.trim() === 'Skip to content' \
                   && document.querySelector(a.getAttribute('href')) !== null;",
                vec![],
            )
            .await?;
        if skip != serde_json::Value::Bool(true) {
            problems.push(format!(
                "{who} {} ({}): no \"Skip to content\" link first, to the content",
                p.name, p.path
            ));
        }
        for v in axe(b, &source).await? {
            problems.push(format!("{who} {} ({}): {v}", p.name, p.path));
        }
        shots.push(screenshot(b, &format!("{who}-{}", p.name), DESKTOP).await?);
    }
    set_viewport(b, PHONE, 900).await?;
    for p in pages {
        b.goto(&p.path).await?;
        let sideways = overflow(b).await?;
        if sideways > 0 {
            problems.push(format!(
                "{who} {} ({}): scrolls {sideways} px sideways at {PHONE} px",
                p.name, p.path
            ));
        }
        // The phone layout (menu button, stacked tables) is a page of its own to axe.
        for v in axe(b, &source).await? {
            problems.push(format!("{who} {} ({}) at {PHONE} px: {v}", p.name, p.path));
        }
        shots.push(screenshot(b, &format!("{who}-{}", p.name), PHONE).await?);
    }
    set_viewport(b, DESKTOP, 900).await?;
    let mut err = std::io::stderr();
    // Straight to stderr, past the test harness's capture: printed whether the test passes.
    let _ = writeln!(
        err,
        "look: {} screenshots of {who} pages in {}",
        shots.len(),
        browser::artifacts_dir().join("screens").display()
    );
    Ok(problems)
}

fn assert_none(problems: &[String]) -> anyhow::Result<()> {
    anyhow::ensure!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
    Ok(())
}

/// The admin's pages, the Pod in each mode, and the pages a made link or message shows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_admin_pages_pass_axe_and_fit_both_widths() {
    let w = world().await;
    browser::run(
        "browser_admin_pages_pass_axe_and_fit_both_widths",
        async |b| {
            b.set_base_url(&w.app.base_url);
            crate::support::sign_in(b, EMAIL, PASSWORD).await?;
            // A Secure Send the admin copies, so the Pod lists it and its status page exists.
            let (_, status) = copied_link(b, w.ann, "send").await?;
            // The created link's field is the width of its row (it was 175 px).
            let wide = b
                .client()
                .execute(
                    "const f = document.getElementById('secret-link'); \
                     return f.getBoundingClientRect().width >= 0.6 * f.parentElement.getBoundingClientRect().width;",
                    vec![],
                )
                .await?;
            anyhow::ensure!(
                wide == serde_json::Value::Bool(true),
                "the created link's field is narrow"
            );
            let message = any_message(&w.app, w.org).await;
            let (i, c, bc, wh, t) = (
                &w.integration,
                &w.customer,
                &w.broadcast,
                &w.webhook,
                &w.technician,
            );
            let ann = w.ann;
            let pages = [
                page("dashboard", "/dashboard"),
                page("contacts", "/contacts"),
                page("contact", format!("/contacts/{ann}")),
                page(
                    "contact-new",
                    format!("/contacts/new?customer={}", w.manual_customer),
                ),
                page("customers", "/customers"),
                page("customer", format!("/customers/{c}")),
                page("integrations", "/integrations/psa"),
                page("integration", format!("/integrations/psa/{i}")),
                page("broadcasts", "/broadcasts"),
                page("broadcast-new", "/broadcasts/new"),
                page("broadcast", format!("/broadcasts/{bc}")),
                page("broadcast-edit", format!("/broadcasts/{bc}/edit")),
                page("broadcast-rules", "/settings/broadcasts"),
                page("audit", "/audit"),
                page("settings", "/settings"),
                page("technicians", "/settings/technicians"),
                page("technician", format!("/settings/technicians/{t}")),
                page("settings-pod", "/settings/pod"),
                page("settings-verification", "/settings/verification"),
                page("technician-verification", "/settings/technician-verification"),
                page("policy-sheet", "/settings/technician-verification/sheet"),
                page("onboarding-email", "/settings/technician-verification/email"),
                page("end-user-texts", "/settings/end-user-texts"),
                page("end-user-texts-de", "/settings/end-user-texts?language=de"),
                page("jobs", "/settings/jobs"),
                page("outbox", "/settings/outbox"),
                page("message", format!("/settings/messages/{message}")),
                page("branding", "/settings/branding"),
                page("webhooks", "/settings/webhooks"),
                page("webhook", format!("/settings/webhooks/{wh}")),
                page("account", "/account"),
                page("two-factor-setup", "/account/2fa/setup"),
                page("my-links", "/secrets"),
                page("secure-send", "/secrets/new"),
                page("style", "/style"),
                page("pod", format!("/pod/contacts/{ann}")),
                page("pod-verify", format!("/pod/contacts/{ann}?action=verify")),
                page("pod-send", format!("/pod/contacts/{ann}?action=send")),
                page("pod-request", format!("/pod/contacts/{ann}?action=request")),
                page(
                    "pod-technician",
                    format!("/pod/contacts/{ann}?action=technician"),
                ),
                page("pod-secret", status),
                page("pod-inbox", "/pod/inbox"),
                error_page("not-found", "/no-such-page"),
            ];
            let mut problems = check_pages(b, "admin", &pages).await?;

            // The tenant table fits at 1366 px (it overflowed), and at 390 px the contact
            // table is stacked rows whose cells say which column they are.
            set_viewport(b, DESKTOP, 900).await?;
            b.goto(&format!("/integrations/psa/{i}")).await?;
            let fits = b
                .client()
                .execute(
                    "const t = document.querySelector('table[data-sync-status]'); \
                     return t.getBoundingClientRect().right <= t.parentElement.getBoundingClientRect().right + 0.5 \
                       && t.scrollWidth <= t.clientWidth + 1;",
                    vec![],
                )
                .await?;
            if fits != serde_json::Value::Bool(true) {
                problems.push(format!("the tenant table overflows at {DESKTOP} px"));
            }
            // No empty red box in a tenant row (an empty last-error), no bullet by a card.
            let quiet = b
                .client()
                .execute(
                    "const boxes = [...document.querySelectorAll('.error, .notice, .warning')] \
                       .filter((e) => e.getClientRects().length > 0 && e.textContent.trim() === ''); \
                     return boxes.length;",
                    vec![],
                )
                .await?;
            if quiet != serde_json::json!(0) {
                problems.push(format!("{quiet} empty message box(es) on the integration page"));
            }
            b.goto("/integrations/psa").await?;
            let bullets = b
                .client()
                .execute(
                    "const li = getComputedStyle(document.querySelector('.integration-card')); \
                     return li.display === 'list-item' && li.listStyleType !== 'none';",
                    vec![],
                )
                .await?;
            if bullets == serde_json::Value::Bool(true) {
                problems.push("the integration card has a list bullet".into());
            }
            set_viewport(b, PHONE, 900).await?;
            b.goto("/contacts").await?;
            let stacked = b
                .client()
                .execute(
                    "const t = document.querySelector('main table'); \
                     const td = t.querySelector('tbody td'); \
                     return [getComputedStyle(td).display, td.getAttribute('data-label'), \
                             t.tHead.getBoundingClientRect().height <= 1, \
                             document.documentElement.scrollWidth <= window.innerWidth];",
                    vec![],
                )
                .await?;
            if stacked != serde_json::json!(["block", "Name", true, true]) {
                problems.push(format!(
                    "the contact table is not stacked at {PHONE} px: {stacked}"
                ));
            }
            set_viewport(b, DESKTOP, 900).await?;
            assert_none(&problems)
        },
    )
    .await;
    w.app.run_jobs().await;
}

/// A technician (not an admin): the pages of the navigation a technician has.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_technician_pages_pass_axe_and_fit_both_widths() {
    let w = world().await;
    browser::run(
        "browser_technician_pages_pass_axe_and_fit_both_widths",
        async |b| {
            b.set_base_url(&w.app.base_url);
            // The invite is accepted in the browser (its page is checked with the public ones).
            b.goto(&w.invite_path).await?;
            b.fill("#name", "Tess Ortiz").await?;
            b.fill("#password", PASSWORD).await?;
            b.fill("#confirm", PASSWORD).await?;
            b.click_and_wait("form button[type=submit]").await?;
            crate::support::sign_in(b, TECH_EMAIL, PASSWORD).await?;
            anyhow::ensure!(
                b.current_path().await? == "/dashboard",
                "the technician is not signed in"
            );
            let ann = w.ann;
            let pages = [
                page("dashboard", "/dashboard"),
                page("contacts", "/contacts"),
                page("contact", format!("/contacts/{ann}")),
                page("customers", "/customers"),
                page("integrations", "/integrations/psa"),
                page(
                    "integration",
                    format!("/integrations/psa/{}", w.integration),
                ),
                page("broadcasts", "/broadcasts"),
                page("account", "/account"),
                page("my-links", "/secrets"),
                page("pod", format!("/pod/contacts/{ann}")),
                page("pod-verify", format!("/pod/contacts/{ann}?action=verify")),
                error_page("settings-forbidden", "/settings"),
            ];
            let problems = check_pages(b, "technician", &pages).await?;
            assert_none(&problems)
        },
    )
    .await;
    w.app.run_jobs().await;
}

/// The pages of people who are not signed in: sign-in, password, invite, the approve page, the
/// technician check, Secure Send and Request, unsubscribe, and error pages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_public_pages_pass_axe_and_fit_both_widths() {
    let w = world().await;
    browser::run(
        "browser_public_pages_pass_axe_and_fit_both_widths",
        async |b| {
            b.set_base_url(&w.app.base_url);
            // The technician makes the links end users open: an approve link by email, a
            // Secure Send and a Secure Request to copy.
            let tech = b.new_session("technician").await?;
            crate::support::sign_in(&tech, EMAIL, PASSWORD).await?;
            tech.goto(&format!("/pod/contacts/{}?action=verify", w.ann))
                .await?;
            tech.click("input[name=method][value=email_link]").await?;
            tech.click_and_wait("#pod-send").await?;
            let approve = token_in_message(&w.app, w.org, "verification_link", "/v/").await;
            let (send, _) = copied_link(&tech, w.ann, "send").await?;
            let (request, _) = copied_link(&tech, w.ann, "request").await?;
            // The end user asks to check a technician: a link to her channel of record.
            b.goto("/t/acme-it/verify-technician").await?;
            b.fill("#email", "ann@contoso.example").await?;
            b.click_and_wait("form button[type=submit]").await?;
            let check = token_in_message(&w.app, w.org, "technician_check", "/check/").await;
            let pages = [
                page("login", "/login"),
                page("forgot-password", "/password/forgot"),
                page("invite", w.invite_path.clone()),
                page("approve", format!("/v/{approve}")),
                page("technician-check-request", "/t/acme-it/verify-technician"),
                page("technician-check", format!("/t/acme-it/check/{check}")),
                page("secret-send", send),
                page("secret-request", request),
                page("unsubscribe", w.unsubscribe_path.clone()),
                page("unsubscribe-invalid", "/unsubscribe/not-a-real-token"),
                page(
                    "password-reset-unusable",
                    "/password/reset/not-a-real-token",
                ),
                error_page("not-found", "/no-such-page"),
            ];
            let problems = check_pages(b, "public", &pages).await?;
            assert_none(&problems)
        },
    )
    .await;
    w.app.run_jobs().await;
}
