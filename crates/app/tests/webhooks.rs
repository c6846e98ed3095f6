//! Outgoing webhooks end to end on a real store and a real HTTP receiver on loopback: emit →
//! delivery + job → signed POST; a 500 is retried after the backoff (moved on a manual
//! clock); out of attempts is recorded; disabled and unsubscribed endpoints get nothing.
//! Each scenario runs on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used)]

mod support;

use countersign_app::audit::verify_chain;
use countersign_app::messages::Transports;
use countersign_app::schedule::{AUDIT_HEADS, Schedule};
use countersign_app::webhooks::{
    EndpointError, EndpointInput, TargetError, WebhookEvent, WebhookEventKind,
};
use countersign_app::{App, ManualClock, Settings};
use countersign_domain::{Email, WebhookEventId};
use countersign_store::{
    AuditFilter, AuditHead, AuditStore, JobState, JobStore, Technician, WebhookDeliveryState,
    WebhookStore,
};
use sqlx::{Connection, Executor, PgConnection};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// An admin as the principal of a use case.
fn by(t: &Technician) -> countersign_app::Principal {
    countersign_app::Principal::technician(t, std::net::IpAddr::from([192, 0, 2, 1]))
}

/// One request the receiver got.
#[derive(Clone, Debug)]
struct Received {
    path: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A minimal HTTP/1.1 server on loopback that records requests and answers each with the
/// next status of its script (200 once the script is used up).
struct Receiver {
    port: u16,
    got: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn receiver(script: &[u16]) -> Receiver {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let got = Arc::new(Mutex::new(Vec::new()));
    let script = Arc::new(Mutex::new(script.iter().copied().collect::<VecDeque<_>>()));
    let (g, s) = (got.clone(), script.clone());
    let task = tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let (head_end, length) = loop {
                let n = sock.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    break (None, 0);
                }
                buf.extend_from_slice(&chunk[..n]);
                if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..i]).to_string();
                    let length = head
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse::<usize>().ok())?
                        })
                        .unwrap_or(0);
                    break (Some(i + 4), length);
                }
            };
            let Some(start) = head_end else { continue };
            while buf.len() < start + length {
                let n = sock.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            let head = String::from_utf8_lossy(&buf[..start]).to_string();
            let mut lines = head.lines();
            let path = lines
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .unwrap_or_default()
                .to_owned();
            let headers = lines
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                .collect();
            let body = String::from_utf8_lossy(&buf[start..]).to_string();
            g.lock().unwrap().push(Received {
                path,
                headers,
                body,
            });
            let status = s.lock().unwrap().pop_front().unwrap_or(200);
            let reply =
                format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            let _ = sock.write_all(reply.as_bytes()).await;
            let _ = sock.shutdown().await;
        }
    });
    Receiver { port, got, task }
}

/// `COUNTERSIGN_SKIP_POSTGRES=1` skips the PostgreSQL variants (local runs only).
fn skip_postgres() -> bool {
    std::env::var("COUNTERSIGN_SKIP_POSTGRES").is_ok_and(|v| v == "1")
}

struct Env {
    app: App,
    clock: ManualClock,
    admin: Technician,
    transports: Transports,
    database: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

impl Env {
    async fn finish(self) {
        self.app.store().close().await;
        if let Some((admin, name)) = &self.database {
            let mut conn = PgConnection::connect(admin).await.unwrap();
            conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                .await
                .unwrap();
            conn.close().await.unwrap();
        }
    }

    /// Claims and runs every due job once; returns how many ran.
    async fn run_due(&self) -> usize {
        support::run_due(&self.app, &self.transports, 100).await
    }

    async fn endpoint(
        &self,
        url: String,
        events: &[&str],
    ) -> (countersign_store::WebhookEndpoint, String) {
        let input = EndpointInput {
            url,
            description: "receiver".into(),
            events: events.iter().map(|e| (*e).to_owned()).collect(),
        };
        let created = self
            .app
            .create_webhook_endpoint(&by(&self.admin), &input)
            .await
            .unwrap();
        (created.endpoint, created.secret)
    }
}

async fn env(postgres: bool, tweak: impl FnOnce(&mut Settings)) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::default();
    settings.storage.data_dir = dir.path().to_path_buf();
    settings.security.argon2_memory_kib = 8192;
    settings.security.argon2_iterations = 1;
    settings.webhooks.allow_private_targets = true;
    let database = if postgres {
        let admin = std::env::var("COUNTERSIGN_TEST_POSTGRES_URL")
            .expect("COUNTERSIGN_TEST_POSTGRES_URL must point at a PostgreSQL server");
        let name = format!("cs_wh_{}", uuid::Uuid::new_v4().simple());
        let mut conn = PgConnection::connect(&admin).await.unwrap();
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap();
        conn.close().await.unwrap();
        settings.storage.database_url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
        Some((admin, name))
    } else {
        None
    };
    tweak(&mut settings);
    settings.validate().unwrap();
    let clock = ManualClock::starting_now();
    let app = App::start(settings, Arc::new(clock.clone())).await.unwrap();
    let admin = app
        .create_admin(
            "Acme IT",
            &Email::parse("admin@acme.test").unwrap(),
            "Webhook-receiver-test-pw-91",
        )
        .await
        .unwrap()
        .technician;
    let transports = Transports::from_settings(&app.settings).unwrap();
    Env {
        app,
        clock,
        admin,
        transports,
        database,
        _dir: dir,
    }
}

fn verified(env: &Env) -> WebhookEvent {
    WebhookEvent::new(
        WebhookEventKind::VerificationVerified,
        env.admin.org_id,
        env.app.now(),
        serde_json::json!({ "verification_id": "v1", "method": "sms_code" }),
    )
}

/// Checks a `Countersign-Signature` header the way docs/webhooks.md tells receivers to.
fn signature_ok(header: &str, secret: &str, body: &str) -> bool {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", x)) => t = Some(x.to_owned()),
            Some(("v1", x)) => v1 = Some(x.to_owned()),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    let mac = countersign_crypto::webhook_signature(
        secret.as_bytes(),
        t.parse().unwrap(),
        body.as_bytes(),
    );
    hex::encode(mac) == v1
}

async fn delivered_signed_and_retried(postgres: bool) {
    let env = env(postgres, |_| {}).await;
    let rx = receiver(&[500]).await;
    let base = format!("http://127.0.0.1:{}", rx.port);
    let (a, secret) = env
        .endpoint(format!("{base}/a"), &["verification.verified"])
        .await;
    let (_b, _) = env
        .endpoint(format!("{base}/b"), &["verification.requested"])
        .await;
    let (c, _) = env
        .endpoint(format!("{base}/c"), &["verification.verified"])
        .await;
    env.app
        .set_webhook_endpoint_enabled(&by(&env.admin), c.id, false)
        .await
        .unwrap();

    let event = verified(&env);
    assert_eq!(env.app.emit_webhook(&event).await.unwrap(), 1, "only a");
    assert_eq!(env.run_due().await, 1);
    let d = &env
        .app
        .store()
        .webhook_deliveries(env.admin.org_id, a.id, 10)
        .await
        .unwrap()[0];
    assert_eq!(
        (d.state, d.attempts, d.last_status),
        (WebhookDeliveryState::Pending, 1, Some(500))
    );
    assert!(d.last_error.as_deref().unwrap().contains("HTTP 500"));
    let backoff = env.app.settings.webhooks.backoff(1);
    assert_eq!(d.next_attempt_at, Some(env.app.now().plus(backoff)));
    // Not due yet: nothing runs.
    assert_eq!(env.run_due().await, 0);
    env.clock.advance(backoff);
    assert_eq!(env.run_due().await, 1);
    let d = env
        .app
        .store()
        .webhook_delivery(env.admin.org_id, d.delivery.id)
        .await
        .unwrap();
    assert_eq!(
        (d.state, d.attempts, d.last_status, d.last_error.clone()),
        (WebhookDeliveryState::Delivered, 2, Some(200), None)
    );
    assert_eq!(
        env.app
            .store()
            .job_counts(env.admin.org_id)
            .await
            .unwrap()
            .queued,
        0
    );

    let got = rx.got.lock().unwrap().clone();
    assert_eq!(got.len(), 2, "two attempts, both to a: {got:?}");
    for r in &got {
        assert_eq!(r.path, "/a");
        assert_eq!(r.header("countersign-event"), Some("verification.verified"));
        assert_eq!(
            r.header("countersign-delivery"),
            Some(d.delivery.id.to_string().as_str())
        );
        assert_eq!(r.header("content-type"), Some("application/json"));
        let sig = r.header("countersign-signature").unwrap();
        assert!(signature_ok(sig, &secret, &r.body), "{sig}");
        assert!(!signature_ok(sig, "whsec_wrong", &r.body));
        assert!(!signature_ok(sig, &secret, &r.body.replace("v1", "v2")));
        let body: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(body["type"], "verification.verified");
        assert_eq!(body["id"], event.id.to_string());
        assert_eq!(body["data"]["verification_id"], "v1");
    }
    // The same event again queues nothing; an unsubscribed kind reaches nobody.
    assert_eq!(env.app.emit_webhook(&event).await.unwrap(), 0);
    let expired = WebhookEvent::new(
        WebhookEventKind::VerificationExpired,
        env.admin.org_id,
        env.app.now(),
        serde_json::json!({}),
    );
    assert_eq!(env.app.emit_webhook(&expired).await.unwrap(), 0);
    assert_eq!(env.run_due().await, 0);
    assert_eq!(rx.got.lock().unwrap().len(), 2);

    // After rotation, attempts are signed with the new secret only.
    let new_secret = env
        .app
        .rotate_webhook_secret(&by(&env.admin), a.id)
        .await
        .unwrap();
    assert_ne!(new_secret, secret);
    env.app
        .send_test_webhook(&by(&env.admin), a.id)
        .await
        .unwrap();
    assert_eq!(env.run_due().await, 1);
    let last = rx.got.lock().unwrap().last().cloned().unwrap();
    assert_eq!(last.header("countersign-event"), Some("webhook.test"));
    let sig = last.header("countersign-signature").unwrap();
    assert!(signature_ok(sig, &new_secret, &last.body));
    assert!(!signature_ok(sig, &secret, &last.body));
    env.finish().await;
}

#[tokio::test]
async fn sqlite_delivered_signed_and_retried() {
    delivered_signed_and_retried(false).await;
}
#[tokio::test]
async fn postgres_delivered_signed_and_retried() {
    if skip_postgres() {
        return;
    }
    delivered_signed_and_retried(true).await;
}

async fn out_of_attempts_is_recorded(postgres: bool) {
    let env = env(postgres, |s| s.webhooks.max_attempts = 2).await;
    let rx = receiver(&[503, 503, 503]).await;
    let (a, _) = env
        .endpoint(
            format!("http://127.0.0.1:{}/a", rx.port),
            &["verification.denied"],
        )
        .await;
    let mut event = verified(&env);
    event.kind = WebhookEventKind::VerificationDenied;
    event.id = WebhookEventId::new();
    assert_eq!(env.app.emit_webhook(&event).await.unwrap(), 1);
    assert_eq!(env.run_due().await, 1);
    env.clock.advance(env.app.settings.webhooks.backoff(1));
    assert_eq!(env.run_due().await, 1);
    let d = &env
        .app
        .store()
        .webhook_deliveries(env.admin.org_id, a.id, 10)
        .await
        .unwrap()[0];
    assert_eq!(
        (d.state, d.attempts, d.last_status, d.next_attempt_at),
        (WebhookDeliveryState::Failed, 2, Some(503), None)
    );
    let dead = env
        .app
        .store()
        .jobs(env.admin.org_id, Some(JobState::Dead), 10)
        .await
        .unwrap();
    assert_eq!(dead.len(), 1);
    env.clock.advance(Duration::from_secs(86_400));
    assert_eq!(env.run_due().await, 0);
    assert_eq!(rx.got.lock().unwrap().len(), 2);
    env.finish().await;
}

#[tokio::test]
async fn sqlite_out_of_attempts_is_recorded() {
    out_of_attempts_is_recorded(false).await;
}
#[tokio::test]
async fn postgres_out_of_attempts_is_recorded() {
    if skip_postgres() {
        return;
    }
    out_of_attempts_is_recorded(true).await;
}

#[tokio::test]
async fn private_targets_are_refused_without_the_setting() {
    let env = env(false, |s| s.webhooks.allow_private_targets = false).await;
    let input = |url: &str| EndpointInput {
        url: url.into(),
        description: String::new(),
        events: vec!["verification.verified".into()],
    };
    for (url, expected) in [
        ("http://127.0.0.1:9/x", TargetError::NotHttps),
        ("https://127.0.0.1:9/x", TargetError::PrivateAddress),
        ("https://10.0.0.5/x", TargetError::PrivateAddress),
        ("https://u:p@hooks.example.com/x", TargetError::UserInfo),
    ] {
        let err = env
            .app
            .create_webhook_endpoint(&by(&env.admin), &input(url))
            .await
            .err()
            .unwrap();
        assert!(
            matches!(&err, EndpointError::Target(t) if *t == expected),
            "{url}: {err}"
        );
        // A user error: the form shows it (and nothing was stored).
        assert_eq!(
            countersign_app::UseCaseError::kind(&err),
            countersign_app::ErrorKind::Invalid
        );
    }
    let none = EndpointInput {
        events: vec![],
        ..input("https://hooks.example.com/x")
    };
    let err = env
        .app
        .create_webhook_endpoint(&by(&env.admin), &none)
        .await
        .err()
        .unwrap();
    assert_eq!(err.to_string(), "choose at least one event to send");
    assert!(
        env.app
            .store()
            .webhook_endpoints(env.admin.org_id)
            .await
            .unwrap()
            .is_empty(),
        "nothing saved"
    );
    env.finish().await;
}

/// Issue 18.6: once an hour, each org subscribed to `audit.head` gets its audit chain head
/// as a signed event, and the head checks the chain with `verify_chain(…, Some(head))`.
async fn audit_head_is_published_signed(postgres: bool) {
    let env = env(postgres, |_| {}).await;
    let rx = receiver(&[]).await;
    let base = format!("http://127.0.0.1:{}", rx.port);
    let (_ep, secret) = env.endpoint(format!("{base}/h"), &["audit.head"]).await;
    let (_other, _) = env
        .endpoint(format!("{base}/v"), &["verification.verified"])
        .await;

    // One job per subscribed org and hour, however often the scheduler ticks.
    let mut schedule = Schedule::of(&[AUDIT_HEADS]);
    schedule.tick(&env.app).await;
    schedule.tick(&env.app).await;
    assert_eq!(
        env.app.enqueue_audit_heads().await.unwrap(),
        0,
        "queued once"
    );
    assert_eq!(env.run_due().await, 1, "the publish job");
    assert_eq!(env.run_due().await, 1, "its delivery");
    let got = rx.got.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "{got:?}");
    let r = &got[0];
    assert_eq!(r.path, "/h");
    assert_eq!(r.header("countersign-event"), Some("audit.head"));
    let sig = r.header("countersign-signature").unwrap();
    assert!(signature_ok(sig, &secret, &r.body), "{sig}");
    let body: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(body["type"], "audit.head");
    let head: AuditHead = body["data"]["head"].as_str().unwrap().parse().unwrap();
    // The head is the org's newest entry (creating the second endpoint was audited).
    let newest = env
        .app
        .store()
        .audit_entries(
            env.admin.org_id,
            &AuditFilter {
                limit: 1,
                ..AuditFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(head, AuditHead::of(Some(env.admin.org_id), &newest[0]));
    assert_eq!(body["data"]["seq"], head.seq);
    let report = verify_chain(env.app.store(), &env.app.keyring, Some(&head))
        .await
        .unwrap();
    assert_eq!(report.broken, None);

    // The head of the whole chain (the hourly log line) names the newest entry of any org.
    let server = env.app.log_audit_head().await.unwrap().unwrap();
    let tail = env.app.store().audit_tail().await.unwrap().unwrap();
    assert_eq!(server, AuditHead::of(None, &tail));
    assert!(server.seq >= head.seq);
    let report = verify_chain(env.app.store(), &env.app.keyring, Some(&server))
        .await
        .unwrap();
    assert_eq!(report.broken, None);
    // Another server process publishing in the same hour delivers nothing new.
    assert_eq!(
        env.app.publish_audit_head(env.admin.org_id).await.unwrap(),
        Some(head)
    );
    assert_eq!(env.run_due().await, 0);
    // The next hour publishes again.
    env.clock.advance(Duration::from_secs(3600));
    assert_eq!(env.app.enqueue_audit_heads().await.unwrap(), 1);
    env.finish().await;
}

#[tokio::test]
async fn sqlite_audit_head_is_published_signed() {
    audit_head_is_published_signed(false).await;
}
#[tokio::test]
async fn postgres_audit_head_is_published_signed() {
    if skip_postgres() {
        return;
    }
    audit_head_is_published_signed(true).await;
}
