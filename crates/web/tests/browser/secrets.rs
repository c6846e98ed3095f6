//! Secure Send in a real browser. The technician encrypts in the Pod and copies the link; the
//! recipient opens it in a second browser (its own profile), reveals, and reads the secret,
//! decrypted by the page. Every request both browsers make goes through a recording proxy
//! (method, path and query, headers, body), and the server's log is captured at debug level:
//! neither the link's key nor the secret itself appears in any of them. Reloading after the
//! one view shows "already used"; an expired link shows a clear page.

// Test set-up helpers: a failed `unwrap` is a failed test.
#![allow(clippy::unwrap_used)]

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, header};
use axum::response::Response;
use countersign_domain::ContactId;
use countersign_testkit::TestApp;
use countersign_testkit::browser;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

const EMAIL: &str = "admin@acme.example";
const PASSWORD: &str = "granite orchard lantern seven";
const SECRET: &str = "correct-horse-battery-staple-7781";

/// Everything the server process logs (every test of this binary), at debug level.
fn server_log() -> Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = log.clone();
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
            .with_ansi(false)
            .with_writer(move || LogWriter(sink.clone()))
            .try_init();
        log
    })
    .clone()
}

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[derive(Clone)]
struct Proxy {
    upstream: String,
    client: reqwest::Client,
    seen: Arc<Mutex<Vec<String>>>,
}

/// Forwards one request to the server and records all of it.
async fn forward(State(p): State<Proxy>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap();
    let target = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
    p.seen.lock().unwrap().push(format!(
        "{} {target} {:?} {}",
        parts.method,
        parts.headers,
        String::from_utf8_lossy(&bytes)
    ));
    let mut out = p
        .client
        .request(parts.method.clone(), format!("{}{target}", p.upstream))
        .body(bytes.to_vec());
    for (k, v) in &parts.headers {
        if k != header::HOST && k != header::CONTENT_LENGTH {
            out = out.header(k, v);
        }
    }
    let res = out.send().await.unwrap();
    let mut response = Response::builder().status(res.status());
    for (k, v) in res.headers() {
        if k != header::TRANSFER_ENCODING && k != header::CONTENT_LENGTH {
            response = response.header(HeaderName::from(k), v);
        }
    }
    response
        .body(Body::from(res.bytes().await.unwrap()))
        .unwrap()
}

/// A recording proxy in front of `upstream`: its URL and what it saw.
async fn proxy(upstream: &str) -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let state = Proxy {
        upstream: upstream.trim_end_matches('/').to_owned(),
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        seen: seen.clone(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new().fallback(forward).with_state(state);
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

async fn world() -> (TestApp, ContactId) {
    let (app, _, contact) = world_with_org().await;
    (app, contact)
}

async fn world_with_org() -> (TestApp, countersign_domain::OrgId, ContactId) {
    let app = TestApp::new().await;
    let admin = app.create_admin("Acme IT", EMAIL, PASSWORD).await;
    let org = admin.org.id;
    let contact = crate::support::contoso_with_ann(&app, org).await;
    (app, org, contact)
}

/// Waits until the page's script enabled the button `css`.
async fn enabled(b: &browser::Session, css: &str) -> anyhow::Result<()> {
    b.wait_until(&format!("{css} to be enabled"), async || {
        Ok(b.attr(css, "disabled").await?.is_none())
    })
    .await
}

async fn sign_in(b: &browser::Session) -> anyhow::Result<()> {
    crate::support::sign_in(b, EMAIL, PASSWORD).await
}

/// Sends `text` from the Pod with "copy the link" (and `passphrase`, if any); returns the link.
async fn send_from_pod(
    b: &browser::Session,
    contact: ContactId,
    text: &str,
    passphrase: &str,
) -> anyhow::Result<String> {
    b.goto(&format!("/pod/contacts/{contact}?action=send"))
        .await?;
    enabled(b, "#secret-submit").await?;
    b.fill("#secret-text", text).await?;
    b.fill("#secret-label", "VPN password").await?;
    if !passphrase.is_empty() {
        b.fill("#secret-passphrase", passphrase).await?;
    }
    b.click("#secret-channel-copy").await?;
    b.click("#secret-submit").await?;
    b.wait_for_text("#secret-created-text", "Copy this link")
        .await?;
    let link = b.value("#secret-link").await?;
    anyhow::ensure!(link.contains("/s/") && link.contains('#'), "{link}");
    Ok(link)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_secure_send_key_never_reaches_the_server() {
    let log = server_log();
    let (app, contact) = world().await;
    let (base, seen) = proxy(&app.base_url).await;
    browser::run(
        "browser_secure_send_key_never_reaches_the_server",
        async |b| {
            b.set_base_url(&base);
            let tech = b.main();
            sign_in(tech).await?;
            let link = send_from_pod(tech, contact, SECRET, "").await?;
            let key = link.split('#').nth(1).unwrap_or_default().to_owned();
            anyhow::ensure!(key.len() == 43, "a 256-bit key in the fragment: {key}");

            // The recipient: another browser profile, no cookies of the technician.
            let phone = b.new_session("recipient").await?;
            phone.goto(&link).await?;
            phone
                .wait_for_text("h1", "a secure message for you")
                .await?;
            let page = phone.text("main").await?;
            anyhow::ensure!(
                page.contains("Acme IT") && page.contains("VPN password"),
                "{page}"
            );
            // The key is out of the address bar as soon as the page's script ran.
            phone
                .wait_until("the fragment to be stripped", async || {
                    Ok(!phone.client().current_url().await?.as_str().contains('#'))
                })
                .await?;
            // Opening changed nothing: the technician's status says "opened", not "revealed".
            let status_path = tech
                .attr("#secret-status-link", "href")
                .await?
                .unwrap_or_default();
            tech.goto(&status_path).await?;
            tech.wait_for_text("#secret-state", "opened").await?;

            enabled(&phone, "#secret-reveal-button").await?;
            phone.click("#secret-reveal-button").await?;
            phone
                .wait_until("the decrypted secret", async || {
                    Ok(phone.value("#secret-plaintext").await? == SECRET)
                })
                .await?;
            phone.wait_for_text("#secret-after", "last view").await?;
            // The technician's page follows by itself.
            tech.wait_for_text("#secret-state", "revealed").await?;
            tech.wait_for_text("#secret-text", "from 127.0.0.1").await?;

            // A second reveal is impossible: the page now says it was used.
            // (Opening the same link again would only change the fragment: reload instead.)
            phone.client().refresh().await?;
            phone.wait_for_text("#secret-ended", "already used").await?;

            // An expired link: a clear page, nothing to reveal.
            let other = send_from_pod(tech, contact, "expires-before-it-is-opened", "").await?;
            app.clock.advance(Duration::from_secs(86_400 + 1));
            phone.goto(&other).await?;
            phone.wait_for_text("#secret-ended", "expired").await?;
            anyhow::ensure!(!phone.exists("#secret-reveal-button").await?);

            // Neither the key nor the secret was ever sent to the server, in any request of
            // either browser, nor did the server log them.
            let requests = seen.lock().unwrap().clone();
            anyhow::ensure!(
                requests.iter().any(|r| r.starts_with("POST /s/")),
                "the proxy saw the reveal: {requests:#?}"
            );
            let other_key = other.split('#').nth(1).unwrap_or_default();
            for r in &requests {
                for needle in [key.as_str(), other_key, SECRET] {
                    anyhow::ensure!(!r.contains(needle), "{needle} was sent to the server: {r}");
                }
            }
            let logged = String::from_utf8_lossy(&log.lock().unwrap()).into_owned();
            anyhow::ensure!(logged.contains("request"), "the server log was captured");
            for needle in [key.as_str(), other_key, SECRET] {
                anyhow::ensure!(!logged.contains(needle), "{needle} is in the server log");
            }
            Ok(())
        },
    )
    .await;
}

/// Secure Request: the contact's browser encrypts to the request's public key (ECDH P-256),
/// the technician's page follows, and the answer is revealed (decrypted) once in the Pod. A
/// passphrase-protected send is revealed after a wrong try without using another view.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_secure_request_and_a_passphrase() {
    let (app, contact) = world().await;
    browser::run("browser_secure_request_and_a_passphrase", async |b| {
        b.set_base_url(&app.base_url);
        let tech = b.main();
        sign_in(tech).await?;
        tech.goto(&format!("/pod/contacts/{contact}?action=request"))
            .await?;
        enabled(tech, "#secret-submit").await?;
        tech.fill("#secret-label", "the Wi-Fi password").await?;
        tech.click("#secret-channel-copy").await?;
        tech.click("#secret-submit").await?;
        tech.wait_for_text("#secret-created-text", "Copy this link")
            .await?;
        let link = tech.value("#secret-link").await?;
        anyhow::ensure!(link.contains("/r/") && !link.contains('#'), "{link}");
        let status = tech
            .attr("#secret-status-link", "href")
            .await?
            .unwrap_or_default();
        tech.goto(&status).await?;

        let contact_browser = b.new_session("contact").await?;
        contact_browser.goto(&link).await?;
        contact_browser
            .wait_for_text("#request-label", "the Wi-Fi password")
            .await?;
        enabled(&contact_browser, "#request-send").await?;
        contact_browser
            .fill("#request-text", "hunter2-wifi-0042")
            .await?;
        contact_browser.click("#request-send").await?;
        contact_browser
            .wait_for_text("#request-done", "Sent")
            .await?;

        // The technician's page reloads itself once answered and offers the one Reveal.
        tech.wait_for("#request-reveal-button").await?;
        enabled(tech, "#request-reveal-button").await?;
        tech.click("#request-reveal-button").await?;
        tech.wait_until("the decrypted answer", async || {
            Ok(tech.value("#secret-plaintext").await? == "hunter2-wifi-0042")
        })
        .await?;

        // A send with a passphrase: a wrong one can be retried without another view.
        let link = send_from_pod(tech, contact, "behind-a-passphrase", "blue heron").await?;
        contact_browser.goto(&link).await?;
        contact_browser.wait_for("#secret-passphrase").await?;
        enabled(&contact_browser, "#secret-reveal-button").await?;
        contact_browser
            .fill("#secret-passphrase", "green heron")
            .await?;
        contact_browser.click("#secret-reveal-button").await?;
        contact_browser
            .wait_for_text("#secret-reveal-error", "Wrong passphrase")
            .await?;
        contact_browser
            .fill("#secret-passphrase", "blue heron")
            .await?;
        contact_browser.click("#secret-reveal-button").await?;
        contact_browser
            .wait_until("the decrypted secret", async || {
                Ok(contact_browser.value("#secret-plaintext").await? == "behind-a-passphrase")
            })
            .await?;
        Ok(())
    })
    .await;
}

/// Recipient verification: the page asks for the code sent to the phone of record first; only
/// then does the server release its key share, without which the page cannot decrypt.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_recipient_verification_before_reveal() {
    use countersign_store::{MessageFilter, MessageStore};
    let (app, org, contact) = world_with_org().await;
    browser::run("browser_recipient_verification_before_reveal", async |b| {
        b.set_base_url(&app.base_url);
        let tech = b.main();
        sign_in(tech).await?;
        tech.goto(&format!("/pod/contacts/{contact}?action=send"))
            .await?;
        enabled(tech, "#secret-submit").await?;
        tech.fill("#secret-text", "only-after-the-code").await?;
        tech.click("#secret-channel-copy").await?;
        tech.click("#secret-verify").await?;
        tech.click("#secret-submit").await?;
        tech.wait_for_text("#secret-created-text", "Copy this link")
            .await?;
        let link = tech.value("#secret-link").await?;

        let phone = b.new_session("recipient").await?;
        phone.goto(&link).await?;
        phone.wait_for_text("main", "your phone").await?;
        anyhow::ensure!(phone.text("main").await?.contains("0101"));
        anyhow::ensure!(!phone.exists("#secret-reveal-button").await?);
        phone.click_and_wait("#secret-send-code").await?;
        phone.wait_for("#secret-code").await?;
        let filter = MessageFilter {
            transport: None,
            channel: None,
            limit: 20,
        };
        let sms = app
            .app
            .store()
            .messages(org, &filter)
            .await?
            .into_iter()
            .find(|m| m.template == "secret_code")
            .and_then(|m| m.body_text)
            .unwrap_or_default();
        let code: String = sms
            .split(" is ")
            .nth(1)
            .unwrap_or_default()
            .chars()
            .take(6)
            .collect();
        phone.fill("#secret-code", &code).await?;
        phone.click_and_wait("#secret-code-check").await?;
        phone.wait_for_text("#secret-notice", "it is you").await?;
        // The page kept the key (this tab only) across the code step: Reveal works here.
        anyhow::ensure!(!phone.client().current_url().await?.as_str().contains('#'));
        enabled(&phone, "#secret-reveal-button").await?;
        phone.click("#secret-reveal-button").await?;
        phone
            .wait_until("the decrypted secret", async || {
                Ok(phone.value("#secret-plaintext").await? == "only-after-the-code")
            })
            .await?;
        Ok(())
    })
    .await;
    // Deliver what the journey queued, as a server's workers would (none may be left).
    app.run_jobs().await;
}
