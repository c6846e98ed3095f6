//! The Pod inside a PSA's iframe over HTTP (docs/security.md "The Pod inside a PSA"): the
//! framed sign-in page, the `/pod/connect` window's one-time code, `/pod/session` trading it
//! for a Pod session in the Pod's own cookie, and what such a session may (not) open.

use crate::contacts::{customer, sync, user};
use crate::{PW, add_technician, get, location, signed_in};
use countersign_domain::{ContactId, OrgId};
use countersign_store::{PodSettings, PodStore, SourceKind};
use countersign_testkit::TestApp;
use std::time::Duration;

const PSA: &str = "https://psa.example.com";
const OTHER_PSA: &str = "https://other-psa.example.com";

/// Lets `origins` frame the Pod of `org`.
async fn allow(app: &TestApp, org: OrgId, origins: &[&str]) {
    let mut s = PodSettings::defaults(org);
    s.frame_ancestors = origins.iter().map(|o| (*o).to_owned()).collect();
    app.app.store().save_pod_settings(&s).await.unwrap();
}

/// An org ("Acme IT", admin@acme.test) whose Pod [`PSA`] and [`OTHER_PSA`] may frame, with one
/// contact; returns the org and the contact.
async fn acme(app: &TestApp) -> (OrgId, ContactId) {
    let a = app.create_admin("Acme IT", "admin@acme.test", PW).await;
    allow(app, a.org.id, &[PSA, OTHER_PSA]).await;
    let cust = customer(app, a.org.id, "Contoso", SourceKind::Microsoft365).await;
    let id = sync(
        app,
        a.org.id,
        &cust,
        &[user("1", "Ann Lee", "ann@c.example", "+1 425 555 0101")],
    )
    .await;
    (a.org.id, id)
}

/// The `/pod/connect` window of signed-in client `c`: confirm, and read the code the page
/// hands to the framed Pod.
async fn handoff_code(app: &TestApp, c: &reqwest::Client, origin: &str) -> String {
    let page = format!("/pod/connect?origin={}", urlencoding::encode(origin));
    let res = app
        .post_form(c, &page, "/pod/connect", &[("origin", origin)])
        .await;
    // PRG: the code is on the window the POST redirects to, once.
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), page);
    let res = c.get(app.url(&page)).send().await.unwrap();
    assert_eq!(res.headers()["cross-origin-opener-policy"], "unsafe-none");
    let body = res.text().await.unwrap();
    let start = body.find("data-pod-code=\"").expect("code") + "data-pod-code=\"".len();
    body[start..start + 43].to_owned()
}

/// The framed page: no cookie store (the PSA's partition holds only the Pod's cookie, which
/// the tests carry by hand), no redirects followed.
fn frame_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// POST /pod/session as the framed page's `fetch` does.
async fn trade(app: &TestApp, code: &str, frame_origin: &str) -> reqwest::Response {
    frame_client()
        .post(app.url("/pod/session"))
        .header("origin", app.url(""))
        .header("sec-fetch-site", "same-origin")
        .form(&[("code", code), ("frame_origin", frame_origin)])
        .send()
        .await
        .unwrap()
}

/// The `cs_pod=…` pair of a response's Pod cookie.
fn pod_cookie(res: &reqwest::Response) -> String {
    let set = res.headers()["set-cookie"].to_str().unwrap();
    set.split(';').next().unwrap().to_owned()
}

/// GET `path` from inside the PSA's frame with `cookie`.
async fn framed(app: &TestApp, path: &str, cookie: &str) -> reqwest::Response {
    frame_client()
        .get(app.url(path))
        .header("sec-fetch-dest", "iframe")
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
}

/// A signed-in admin's code traded for a Pod session: its cookie.
async fn pod_session(app: &TestApp, c: &reqwest::Client) -> String {
    let code = handoff_code(app, c, PSA).await;
    let res = trade(app, &code, PSA).await;
    assert_eq!(res.status(), 204);
    pod_cookie(&res)
}

#[tokio::test]
async fn pod_frame_without_a_session_shows_the_sign_in_page() {
    let app = TestApp::new().await;
    let a = app.create_admin("Acme IT", "admin@acme.test", PW).await;
    let pod = "/pod/contacts/0190a0b0-0000-7000-8000-000000000000";
    // No org allows any origin yet: the page refuses framing like every other.
    let res = framed(&app, pod, "").await;
    assert_eq!(res.status(), 401);
    let csp = res.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    allow(&app, a.org.id, &[PSA]).await;
    let res = framed(&app, pod, "").await;
    assert_eq!(res.status(), 401);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains(&format!("frame-ancestors 'self' {PSA}")),
        "{csp}"
    );
    assert!(res.headers().get("x-frame-options").is_none());
    let body = res.text().await.unwrap();
    assert!(
        body.contains("Sign in to Countersign")
            && body.contains("data-pod-connect")
            && body.contains("/static/pod-handoff.js")
            && !body.contains("<script>"),
        "{body}"
    );
    // Not framed: the normal login.
    let res = frame_client().get(app.url(pod)).send().await.unwrap();
    assert_eq!(
        (res.status().as_u16(), location(&res)),
        (303, "/login".into())
    );
    let (status, js) = get(&app, &app.client(), "/static/pod-handoff.js").await;
    assert!(status == 200 && js.contains("postMessage"));
}

#[tokio::test]
async fn pod_frame_code_works_once_and_opens_the_pod() {
    code_works_once(TestApp::new().await).await;
}

/// A handoff code opens the Pod once, on either backend.
pub async fn code_works_once(app: TestApp) {
    let (_, id) = acme(&app).await;
    let c = signed_in(&app, "admin@acme.test").await;
    let code = handoff_code(&app, &c, PSA).await;
    let res = trade(&app, &code, PSA).await;
    assert_eq!(res.status(), 204);
    let set = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    for attribute in [
        "cs_pod=",
        "Path=/pod",
        "HttpOnly",
        "Secure",
        "SameSite=None",
        "Partitioned",
    ] {
        assert!(set.contains(attribute), "{attribute} in {set}");
    }
    let cookie = pod_cookie(&res);
    let res = framed(&app, &format!("/pod/contacts/{id}"), &cookie).await;
    assert_eq!(res.status(), 200);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains(PSA), "{csp}");
    assert!(res.text().await.unwrap().contains("Ann Lee"));
    // The live-status endpoint and the inbox take it too.
    let res = framed(&app, "/pod/inbox/status", &cookie).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "{\"count\":0}");

    // The same code again: gone (410 since the one error taxonomy, issue 19.2).
    let res = trade(&app, &code, PSA).await;
    assert_eq!(res.status(), 410);
    let body = res.text().await.unwrap();
    assert!(body.contains("already used"), "{body}");

    // Audited with ids only: never the code.
    let (_, audit) = get(&app, &c, "/audit").await;
    assert!(
        audit.contains("pod.handoff_created") && audit.contains("pod.session_started"),
        "{audit}"
    );
    assert!(!audit.contains(&code));
}

#[tokio::test]
async fn pod_frame_refuses_expired_codes_other_origins_and_bad_input() {
    let app = TestApp::new().await;
    let (_, _) = acme(&app).await;
    let c = signed_in(&app, "admin@acme.test").await;

    let code = handoff_code(&app, &c, PSA).await;
    app.clock.advance(Duration::from_secs(61));
    let res = trade(&app, &code, PSA).await;
    assert_eq!(res.status(), 410);
    assert!(res.text().await.unwrap().contains("expired"));
    // Refused or not, a code is used up.
    assert_eq!(trade(&app, &code, PSA).await.status(), 410);

    // A code made for one PSA does not work in another's frame (both allowed).
    let c = signed_in(&app, "admin@acme.test").await;
    let code = handoff_code(&app, &c, PSA).await;
    let res = trade(&app, &code, OTHER_PSA).await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("another site"));
    assert_eq!(trade(&app, &code, PSA).await.status(), 410);

    // A cross-site POST never reaches the handler, so the code survives it.
    let code = handoff_code(&app, &c, PSA).await;
    for (origin, site) in [(PSA, "cross-site"), (app.url("").as_str(), "cross-site")] {
        let res = frame_client()
            .post(app.url("/pod/session"))
            .header("origin", origin)
            .header("sec-fetch-site", site)
            .form(&[("code", code.as_str()), ("frame_origin", PSA)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
    }
    let res = frame_client()
        .post(app.url("/pod/session"))
        .form(&[("code", code.as_str()), ("frame_origin", PSA)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "no Origin: not a browser's fetch");
    assert_eq!(trade(&app, &code, PSA).await.status(), 204);

    // Bad input: a clear message, never a 500 (an invalid input is 422 since issue 19.2).
    let res = trade(&app, "not-a-code", PSA).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("malformed"));
    let code = handoff_code(&app, &c, PSA).await;
    let res = trade(&app, &code, "https://psa.example.com/path").await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("not the origin"));
    let (status, body) = get(&app, &c, "/pod/connect?origin=javascript:alert(1)").await;
    assert_eq!(status, 422);
    assert!(body.contains("not the origin"), "{body}");
    let (status, body) = get(&app, &c, "/pod/connect?origin=https://evil.example").await;
    assert_eq!(status, 403);
    assert!(body.contains("does not allow the Pod inside https://evil.example"));
    let res = app
        .post_form(
            &c,
            "/pod/connect?origin=https://psa.example.com",
            "/pod/connect",
            &[("origin", "https://evil.example")],
        )
        .await;
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn pod_frame_session_opens_only_the_pod() {
    let app = TestApp::new().await;
    let (_, id) = acme(&app).await;
    let c = signed_in(&app, "admin@acme.test").await;
    let cookie = pod_session(&app, &c).await;
    let token = cookie.split_once('=').unwrap().1.to_owned();
    assert_eq!(
        framed(&app, &format!("/pod/contacts/{id}"), &cookie)
            .await
            .status(),
        200
    );
    // Sent to any other page (a browser would not even send it: Path=/pod), it is nobody;
    // nor does the token work in the main session cookie.
    for path in [
        "/",
        "/contacts",
        &format!("/contacts/{id}"),
        "/account",
        "/settings/pod",
        "/audit",
    ] {
        for cookie in [cookie.clone(), format!("cs_session={token}")] {
            let res = frame_client()
                .get(app.url(path))
                .header("cookie", &cookie)
                .send()
                .await
                .unwrap();
            assert_eq!(
                (res.status().as_u16(), location(&res)),
                (303, "/login".into()),
                "{path} with {cookie}"
            );
        }
    }
    // A Pod session cannot make handoff codes (/pod/connect wants a full session).
    let res = framed(&app, "/pod/connect?origin=https://psa.example.com", &cookie).await;
    assert_eq!(
        (res.status().as_u16(), location(&res)),
        (303, "/login".into())
    );
    // In the main cookie the Pod token does not open the Pod either.
    let res = framed(
        &app,
        &format!("/pod/contacts/{id}"),
        &format!("cs_session={token}"),
    )
    .await;
    assert_eq!(res.status(), 401);
    // A POST from the Pod carries the session's form token like any other.
    let body = framed(&app, &format!("/pod/contacts/{id}?action=verify"), &cookie)
        .await
        .text()
        .await
        .unwrap();
    let csrf = countersign_testkit::extract_csrf(&body).expect("_csrf");
    let verify = |fields: Vec<(&'static str, String)>| {
        frame_client()
            .post(app.url(&format!("/pod/contacts/{id}/verify")))
            .header("cookie", &cookie)
            .header("origin", app.url(""))
            .header("sec-fetch-site", "same-origin")
            .form(&fields)
            .send()
    };
    let res = verify(vec![("method", "bogus".into())]).await.unwrap();
    assert_eq!(res.status(), 403, "no _csrf");
    let res = verify(vec![("_csrf", csrf), ("method", "bogus".into())])
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("hoose how to verify"));
}

#[tokio::test]
async fn pod_frame_session_of_one_org_cannot_open_another_orgs_pod() {
    pod_session_is_org_scoped(TestApp::new().await).await;
}

/// A Pod session of org A gets 404 for org B's contact, on either backend.
pub async fn pod_session_is_org_scoped(app: TestApp) {
    let (_, _) = acme(&app).await;
    let b = app.create_admin("Bravo IT", "admin@bravo.test", PW).await;
    allow(&app, b.org.id, &[PSA]).await;
    let cust = customer(&app, b.org.id, "Fabrikam", SourceKind::Microsoft365).await;
    let theirs = sync(
        &app,
        b.org.id,
        &cust,
        &[user("1", "Bo Berg", "bo@f.example", "+1 425 555 0102")],
    )
    .await;
    let c = signed_in(&app, "admin@acme.test").await;
    let cookie = pod_session(&app, &c).await;
    let res = framed(&app, &format!("/pod/contacts/{theirs}"), &cookie).await;
    assert_eq!(res.status(), 404);
    assert!(!res.text().await.unwrap().contains("Bo Berg"));
}

#[tokio::test]
async fn pod_frame_sessions_end_with_sign_out_everywhere_and_deactivation() {
    let app = TestApp::new().await;
    let (_, id) = acme(&app).await;
    let pod = format!("/pod/contacts/{id}");
    let admin = signed_in(&app, "admin@acme.test").await;
    let cookie = pod_session(&app, &admin).await;
    assert_eq!(framed(&app, &pod, &cookie).await.status(), 200);
    let res = app
        .post_form(&admin, "/account", "/account/sign-out-everywhere", &[])
        .await;
    assert_eq!(res.status(), 303);
    let res = framed(&app, &pod, &cookie).await;
    assert_eq!(res.status(), 401, "back to the sign-in page");
    let cleared = res.headers()["set-cookie"].to_str().unwrap();
    assert!(cleared.starts_with("cs_pod=;") && cleared.contains("Max-Age=0"));

    let t = add_technician(&app, "admin@acme.test", "tess@acme.test", "Tess").await;
    let tess = signed_in(&app, "tess@acme.test").await;
    let cookie = pod_session(&app, &tess).await;
    assert_eq!(framed(&app, &pod, &cookie).await.status(), 200);
    let admin = signed_in(&app, "admin@acme.test").await;
    let page = format!("/settings/technicians/{}", t.id);
    let res = app
        .post_form(&admin, &page, &format!("{page}/deactivate"), &[])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(framed(&app, &pod, &cookie).await.status(), 401);
    // Deliver what the test queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}

#[tokio::test]
async fn pod_frame_connect_window_signs_in_then_comes_back() {
    let app = TestApp::new().await;
    let (_, _) = acme(&app).await;
    let c = app.client();
    let connect = "/pod/connect?origin=https%3A%2F%2Fpsa.example.com";
    let res = c.get(app.url(connect)).send().await.unwrap();
    assert_eq!(
        (res.status().as_u16(), location(&res)),
        (303, "/login".into())
    );
    // The login keeps the window's link to its opener, and returns to the window.
    let res = c.get(app.url("/login")).send().await.unwrap();
    assert_eq!(res.headers()["cross-origin-opener-policy"], "unsafe-none");
    let res = app.login(&c, "admin@acme.test", PW).await;
    assert_eq!(
        (res.status().as_u16(), location(&res)),
        (303, connect.into())
    );
    let res = c.get(app.url(connect)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cross-origin-opener-policy"], "unsafe-none");
    assert!(res.text().await.unwrap().contains("psa.example.com"));
    // Used once: the next login goes home, and other pages keep their opener policy.
    let res = app.post_form(&c, "/account", "/logout", &[]).await;
    assert_eq!(res.status(), 303);
    let res = app.login(&c, "admin@acme.test", PW).await;
    assert_eq!(location(&res), "/");
    let res = app.post_form(&c, "/account", "/logout", &[]).await;
    assert_eq!(res.status(), 303);
    let res = c.get(app.url("/login")).send().await.unwrap();
    assert_eq!(res.headers()["cross-origin-opener-policy"], "same-origin");
}

#[tokio::test]
async fn pod_frame_sign_out_ends_the_pod_session_only() {
    let app = TestApp::new().await;
    let (_, id) = acme(&app).await;
    let pod = format!("/pod/contacts/{id}");
    let c = signed_in(&app, "admin@acme.test").await;
    let (_, body) = get(&app, &c, &pod).await;
    assert!(
        !body.contains("pod-sign-out"),
        "a full session has no Pod sign-out"
    );
    let cookie = pod_session(&app, &c).await;
    let body = framed(&app, &pod, &cookie).await.text().await.unwrap();
    assert!(body.contains("id=\"pod-sign-out\""), "{body}");
    let csrf = countersign_testkit::extract_csrf(&body).expect("_csrf");
    let res = frame_client()
        .post(app.url(&format!("{pod}/sign-out")))
        .header("cookie", &cookie)
        .header("origin", app.url(""))
        .header("sec-fetch-site", "same-origin")
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!((res.status().as_u16(), location(&res)), (303, pod.clone()));
    assert!(
        res.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(framed(&app, &pod, &cookie).await.status(), 401);
    // The technician's own session is untouched.
    assert_eq!(get(&app, &c, &pod).await.0, 200);
}
