//! The web shell around the features: HSTS under https, the 500 page and its logged id, the
//! metrics listener, and the Audit page's filters.

use crate::{PW, get, location, signed_in};
use countersign_testkit::{Options, TestApp};
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

/// Log lines of this test binary (warnings and errors), captured so a test can find an error
/// id or a security event in them.
fn captured_logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let writer_buf = buf.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::WARN)
            .with_ansi(false)
            .with_writer(move || LogWriter(writer_buf.clone()))
            .finish();
        let _ = tracing::subscriber::set_global_default(subscriber);
        buf
    })
    .clone()
}

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl Write for LogWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Refused requests are security events (issue 18.7): a CSRF refusal and a technician on an
/// admin page each leave a `security` warning with the route template and the address.
#[tokio::test]
async fn refused_requests_are_logged_with_route_and_address() {
    let logs = captured_logs();
    let app = TestApp::new().await;
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    crate::add_technician(&app, "admin@acme.test", "tech@acme.test", "Tech").await;
    let c = signed_in(&app, "tech@acme.test").await;
    let res = c
        .post(app.url("/settings/webhooks/01a24968-e26c-72ef-b22d-2a4e9f7f052a/rotate"))
        .form(&[("confirm", "on")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "no form token");
    let (status, _) = get(&app, &c, "/settings/technicians").await;
    assert_eq!(status, 403, "a technician on an admin page");
    let logged = String::from_utf8(logs.lock().unwrap().clone()).unwrap();
    for (method, route) in [
        ("POST", "/settings/webhooks/{id}/rotate"),
        ("GET", "/settings/technicians"),
    ] {
        assert!(
            logged.lines().any(|l| l.contains("security")
                && l.contains("refused request")
                && l.contains(&format!("method={method}"))
                && l.contains(&format!("route={route}"))
                && l.contains("ip=127.0.0.1")),
            "no security event for {method} {route}:\n{logged}"
        );
    }
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}

/// Signing out tells the browser to drop what it kept of the session (issue 18.7).
/// Issue 21.7: the first link of every app page skips the navigation to the page's content,
/// and links keep a contrast of at least 4.5:1 on the page background (WCAG 1.4.3).
#[tokio::test]
async fn a_skip_link_leads_to_the_content_and_links_are_readable() {
    let app = TestApp::new().await;
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let c = signed_in(&app, "admin@acme.test").await;
    for page in [
        "/contacts",
        "/customers",
        "/integrations/psa",
        "/settings",
        "/account",
    ] {
        let (status, html) = get(&app, &c, page).await;
        assert_eq!(status, 200, "{page}");
        let body = &html[html.find("<body").unwrap()..];
        let first_link = &body[body.find("<a ").unwrap()..];
        assert!(
            first_link.starts_with(r##"<a class="skip-link" href="#main">"##),
            "{page}: {}",
            &first_link[..80.min(first_link.len())]
        );
        assert!(html.contains(r#"<main id="main""#), "{page}");
    }
    let (_, css) = get(&app, &c, "/static/app.css").await;
    let light = &css[css.find(":root {").unwrap()..];
    let colour = |name: &str| {
        let at = light.find(&format!("--{name}: #")).unwrap() + name.len() + 5;
        light[at..at + 6].to_owned()
    };
    let ratio = contrast(&colour("accent"), &colour("bg"));
    assert!(ratio >= 4.5, "link contrast {ratio:.2}:1");
}

/// WCAG contrast ratio of two `rrggbb` colours.
fn contrast(a: &str, b: &str) -> f64 {
    let luminance = |hex: &str| {
        let channel = |i: usize| {
            let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
    };
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[tokio::test]
async fn sign_out_clears_site_data() {
    let app = TestApp::new().await;
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let c = signed_in(&app, "admin@acme.test").await;
    let res = app.post_form(&c, "/account", "/logout", &[]).await;
    assert_eq!(res.status(), 303);
    let csd = res
        .headers()
        .get("clear-site-data")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    for part in ["\"cache\"", "\"cookies\"", "\"storage\""] {
        assert!(csd.contains(part), "Clear-Site-Data {csd:?} lacks {part}");
    }
}

#[tokio::test]
async fn sign_out_everywhere_clears_site_data() {
    let app = TestApp::new().await;
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let c = signed_in(&app, "admin@acme.test").await;
    let res = app
        .post_form(&c, "/account", "/account/sign-out-everywhere", &[])
        .await;
    assert_eq!(res.status(), 303);
    let csd = res
        .headers()
        .get("clear-site-data")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    assert!(
        csd.contains("\"cookies\"") && csd.contains("\"storage\""),
        "{csd:?}"
    );
}

#[tokio::test]
async fn hsts_only_when_the_public_url_is_https() {
    let app = TestApp::with(Options {
        https: true,
        ..Default::default()
    })
    .await;
    let res = app.client().get(app.url("/login")).send().await.unwrap();
    let hsts = res
        .headers()
        .get("strict-transport-security")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(hsts.contains("max-age=31536000"), "{hsts}");
}

#[tokio::test]
async fn an_internal_error_shows_an_id_that_is_in_the_log() {
    let logs = captured_logs();
    let app = TestApp::new().await;
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let c = signed_in(&app, "admin@acme.test").await;
    // The database goes away under a signed-in user.
    app.app.store().close().await;
    let (status, body) = get(&app, &c, "/contacts").await;
    assert_eq!(status, 500, "{body}");
    assert!(body.contains("Something went wrong"), "{body}");
    assert!(
        !body.to_lowercase().contains("sqlx") && !body.contains("pool"),
        "no internals: {body}"
    );
    let id = body
        .split("<code>")
        .nth(1)
        .and_then(|rest| rest.split("</code>").next())
        .expect("an error id on the page")
        .to_owned();
    assert_eq!(id.len(), 32, "{id}");
    let logged = String::from_utf8(logs.lock().unwrap().clone()).unwrap();
    assert!(
        logged.contains(&id),
        "error id {id} not in the log:\n{logged}"
    );
    // A readiness probe carries no cookie.
    assert_eq!(get(&app, &reqwest::Client::new(), "/readyz").await.0, 503);
}

#[tokio::test]
async fn metrics_are_served_on_their_own_listener() {
    let app = TestApp::new().await;
    let state = countersign_web::AppState::new(app.app.clone());
    let web = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let metrics = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (web_addr, metrics_addr) = (web.local_addr().unwrap(), metrics.local_addr().unwrap());
    tokio::spawn(countersign_web::serve(
        state.clone(),
        web,
        std::future::pending(),
    ));
    tokio::spawn(countersign_web::metrics::serve_metrics(
        state.metrics.clone(),
        metrics,
        std::future::pending(),
    ));
    let c = reqwest::Client::new();
    assert!(
        c.get(format!("http://{web_addr}/login"))
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
    );
    // The public listener does not expose metrics.
    assert_eq!(
        c.get(format!("http://{web_addr}/metrics"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let text = c
        .get(format!("http://{metrics_addr}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(
            r#"countersign_http_requests_total{method="GET",route="/login",status="200"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains("countersign_http_request_duration_seconds_bucket"),
        "{text}"
    );
}

#[tokio::test]
async fn audit_page_filters_by_action_and_actor() {
    let app = TestApp::new().await;
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let c = signed_in(&app, "admin@acme.test").await;
    let (status, all) = get(&app, &c, "/audit").await;
    assert_eq!(status, 200);
    assert!(
        all.contains("login.ok") && all.contains("technician.created"),
        "{all}"
    );
    let (_, logins) = get(&app, &c, "/audit?action=login").await;
    assert!(
        logins.contains("login.ok") && !logins.contains("technician.created"),
        "{logins}"
    );
    let (_, future) = get(&app, &c, "/audit?from=2999-01-01").await;
    assert!(future.contains("No entries"), "{future}");
    let (status, bad) = get(&app, &c, "/audit?from=yesterday").await;
    assert_eq!(status, 200);
    assert!(bad.contains("is not a date"), "{bad}");
}

/// Status marks (the brand's check, the verification shield) are inline SVG: a font glyph
/// renders as an empty box where the font lacks it (issue 21.7).
#[tokio::test]
async fn status_marks_are_inline_svg_not_font_glyphs() {
    let app = TestApp::new().await;
    let admin = app
        .create_admin("Acme IT", "admin@acme.test", PW)
        .await
        .technician;
    let by = countersign_app::Principal::technician(&admin, std::net::IpAddr::from([127, 0, 0, 1]));
    let customer = app.app.create_customer(&by, "Alpha", None).await.unwrap();
    let input = countersign_app::contacts::ContactInput {
        given_name: "Ann".into(),
        surname: "Lee".into(),
        email: "ann@alpha.example".into(),
        ..Default::default()
    };
    let ann = app
        .app
        .create_contact(&by, customer.id, &input)
        .await
        .unwrap();
    let c = signed_in(&app, "admin@acme.test").await;
    for page in [
        "/contacts".to_owned(),
        format!("/customers/{}", customer.id),
        format!("/pod/contacts/{}", ann.id),
    ] {
        let (status, html) = get(&app, &c, &page).await;
        assert_eq!(status, 200, "{page}");
        for glyph in ['🛡', '✓'] {
            assert!(!html.contains(glyph), "{page} still has {glyph}");
        }
        assert!(
            html.contains(r#"<span class="brand-mark" aria-hidden="true"><svg class="icon""#)
                || page.starts_with("/pod"),
            "{page}: no brand mark"
        );
        let shield = html.find(r#"class="shield"#).expect("a shield");
        assert!(
            html[shield..].trim_start_matches(|c| c != '>')[1..]
                .trim_start()
                .starts_with("<svg"),
            "{page}: the shield is not an SVG"
        );
    }
}

/// The style page (issue 21.7) shows the visual system to anyone signed in, with class names;
/// signed out, it asks to sign in like every page of the app.
#[tokio::test]
async fn the_style_page_lists_the_components_with_their_class_names() {
    let app = TestApp::new().await;
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let c = signed_in(&app, "admin@acme.test").await;
    let (status, html) = get(&app, &c, "/style").await;
    assert_eq!(status, 200);
    for part in [
        "id=\"style-colours\"",
        "id=\"style-buttons\"",
        "id=\"style-forms\"",
        "id=\"style-badges\"",
        "id=\"style-tables\"",
        "id=\"style-cards\"",
        "<code>--accent</code>",
        "class=\"empty-state\"",
        ".badge.warn",
        ".danger",
    ] {
        assert!(html.contains(part), "the style page lacks {part}");
    }
    assert!(
        html.contains("<svg class=\"icon\""),
        "status marks are inline SVG"
    );
    let visitor = app.client();
    let res = visitor.get(app.url("/style")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert!(location(&res).starts_with("/login"), "{}", location(&res));
}
