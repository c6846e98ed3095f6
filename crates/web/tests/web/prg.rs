//! Every POST ends in a redirect (PRG, issue 21.2), and a GET on a POST-only address goes to
//! its page instead of the browser's raw "405". The routes are read from the routers' source,
//! so a route added tomorrow is walked too, and a POST-only route not declared with
//! `post_only(page, handler)` fails here.

use crate::{PW, get, location, signed_in};
use countersign_testkit::TestApp;
use std::path::{Path, PathBuf};

/// One `.route(path, methods)` of a router's source.
#[derive(Debug)]
struct Route {
    file: String,
    /// The path literal, or `None` when the path is a constant (machine endpoints).
    path: Option<String>,
    methods: String,
}

fn router_sources() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/routes");
    let mut files = vec![root.join("mod.rs")];
    for area in std::fs::read_dir(&root).unwrap() {
        let file = area.unwrap().path().join("mod.rs");
        if file.exists() {
            files.push(file);
        }
    }
    files.sort();
    files
}

/// The text of `s` from just after an opening parenthesis to its matching close.
fn balanced(s: &str) -> &str {
    let mut depth = 1usize;
    for (i, ch) in s.char_indices() {
        match ch {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return &s[..i];
                }
            }
            _ => {}
        }
    }
    s
}

fn routes() -> Vec<Route> {
    let mut out = Vec::new();
    for file in router_sources() {
        let source = std::fs::read_to_string(&file).unwrap();
        for (at, _) in source.match_indices(".route(") {
            let args = balanced(&source[at + ".route(".len()..]);
            let (first, methods) = args.split_once(',').unwrap_or((args, ""));
            let first = first.trim();
            let path = first
                .strip_prefix('"')
                .and_then(|p| p.strip_suffix('"'))
                .map(str::to_owned);
            out.push(Route {
                file: file.display().to_string(),
                path,
                methods: methods.split_whitespace().collect::<Vec<_>>().join(" "),
            });
        }
    }
    out
}

/// An address for `path` with each `{name}` filled with a well-formed id that matches nothing.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|s| match s {
            "{slug}" => "acme-it",
            s if s.starts_with('{') => "0190b8a0-0000-7000-8000-000000000001",
            s => s,
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn posts(r: &Route) -> bool {
    r.methods.contains("post(") || r.methods.contains("post_only(")
}

#[test]
fn every_post_only_route_is_declared_with_its_page() {
    let all = routes();
    let with_post: Vec<&Route> = all.iter().filter(|r| posts(r)).collect();
    // The parser found the routers (about 90 POST routes when this test was written).
    assert!(
        with_post.len() > 80,
        "{} POST routes found",
        with_post.len()
    );
    for r in with_post {
        let bare_post = r.methods.starts_with("post(");
        // Only machine endpoints (the Twilio webhooks, whose paths are constants) may be
        // POST-only without a page: nobody opens them in a browser.
        let machine = r.path.is_none() && r.file.ends_with("webhooks/mod.rs");
        assert!(
            !bare_post || machine,
            "{r:?}: a POST-only browser address must use post_only(page, handler)"
        );
    }
}

#[tokio::test]
async fn a_get_on_any_post_address_never_answers_405() {
    let app = TestApp::new().await;
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let admin = signed_in(&app, "admin@acme.test").await;
    let mut walked = 0;
    for r in routes().iter().filter(|r| posts(r)) {
        let Some(path) = &r.path else { continue };
        let address = concrete(path);
        let res = admin.get(app.url(&address)).send().await.unwrap();
        let status = res.status().as_u16();
        assert_ne!(status, 405, "GET {address}");
        if r.methods.starts_with("post_only(") {
            let page = r
                .methods
                .split('"')
                .nth(1)
                .expect("post_only names its page");
            assert_eq!(status, 303, "GET {address}");
            assert_eq!(location(&res), concrete(page), "GET {address}");
        }
        walked += 1;
    }
    assert!(walked > 80, "{walked} addresses walked");
    // A HEAD (link scanners send them) is redirected the same way.
    let res = admin
        .head(app.url("/settings/jobs/1/retry"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/settings/jobs");
    // A segment that is not a plain id is never copied into the Location.
    let res = admin
        .get(app.url("/contacts/%2F%2Fevil.example/delete"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        (res.status().as_u16(), location(&res)),
        (303, "/contacts".into())
    );
    // The redirect's target page is a real page.
    assert_eq!(get(&app, &admin, "/settings/jobs").await.0, 200);
}

#[tokio::test]
async fn a_secret_link_is_shown_once_and_never_by_a_page() {
    // Secure Send links are made by `static/secrets.js` with a JSON POST (the key stays in the
    // browser): the link comes back once, in that answer. No page shows it afterwards, so
    // neither a refresh nor going back shows or makes it again.
    let f = crate::secrets::fixture(TestApp::new().await, "Acme IT", "tech@acme.test").await;
    let (id, path) = crate::secrets::create(&f, serde_json::json!({})).await;
    let token = path.rsplit('/').next().unwrap();
    assert!(token.len() > 20, "{path}");
    for page in [
        format!("/pod/secrets/{id}"),
        "/secrets".to_owned(),
        "/secrets/new".to_owned(),
        format!("/pod/contacts/{}?action=send", f.contact),
    ] {
        let (status, body) = get(&f.app, &f.tech, &page).await;
        assert_eq!(status, 200, "{page}");
        assert!(!body.contains(token), "{page} shows the link again");
    }
    // Its POST-only address opened in the browser: the form page, not a 405.
    let res = f.tech.get(f.app.url("/pod/secrets")).send().await.unwrap();
    assert_eq!(
        (res.status().as_u16(), location(&res)),
        (303, "/secrets/new".into())
    );
    f.app.run_jobs().await;
}

/// The value of cookie `name` set by `res`.
fn cookie_value(res: &reqwest::Response, name: &str) -> String {
    let set = countersign_testkit::set_cookie(res, name).unwrap_or_else(|| panic!("{name} set"));
    let pair = set.split(';').next().unwrap();
    pair.split_once('=').unwrap().1.to_owned()
}

/// GET /settings/technicians with exactly these cookies (no cookie store).
async fn technicians_with(app: &TestApp, cookies: &str) -> (u16, String, bool) {
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/settings/technicians"))
        .header("cookie", cookies)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let cleared =
        countersign_testkit::set_cookie(&res, "cs_flash").is_some_and(|c| c.contains("Max-Age=0"));
    (status, res.text().await.unwrap(), cleared)
}

#[tokio::test]
async fn the_flash_opens_only_for_its_session_and_page() {
    let app = TestApp::new().await;
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    // Two sessions of the same admin.
    let a = app.client();
    let a_session = cookie_value(&app.login(&a, "admin@acme.test", PW).await, "cs_session");
    let b = app.client();
    let b_session = cookie_value(&app.login(&b, "admin@acme.test", PW).await, "cs_session");
    let res = app
        .post_form(
            &a,
            "/settings/technicians",
            "/settings/technicians/invite",
            &[("email", "new@acme.test"), ("role", "technician")],
        )
        .await;
    assert_eq!(location(&res), "/settings/technicians");
    assert!(!location(&res).contains("invite/"), "never in the URL");
    let flash = cookie_value(&res, "cs_flash");
    assert!(!flash.contains("invite"), "sealed, not readable");

    // Another session (even of the same technician) cannot open it; it is only deleted.
    let (status, body, cleared) =
        technicians_with(&app, &format!("cs_session={b_session}; cs_flash={flash}")).await;
    assert_eq!(status, 200);
    assert!(!body.contains("invite-link") && cleared, "{body}");
    // Tampered: nothing.
    let mut bytes = flash.clone().into_bytes();
    let last = bytes.len() - 2;
    bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(bytes).unwrap();
    let (_, body, _) = technicians_with(
        &app,
        &format!("cs_session={a_session}; cs_flash={tampered}"),
    )
    .await;
    assert!(!body.contains("invite-link"));
    // Its own session, on its page: shown, and deleted in the same answer.
    let (status, body, cleared) =
        technicians_with(&app, &format!("cs_session={a_session}; cs_flash={flash}")).await;
    assert_eq!(status, 200);
    assert!(body.contains("invite-link") && cleared, "{body}");
    // After its two minutes, even the right session gets nothing.
    app.clock.advance(std::time::Duration::from_secs(121));
    let (_, body, _) =
        technicians_with(&app, &format!("cs_session={a_session}; cs_flash={flash}")).await;
    assert!(!body.contains("invite-link"));
    app.run_jobs().await;
}
