//! The world of a test: the emulator (in-process), a database (SQLite file or a fresh
//! PostgreSQL database), an in-process `App` and web server on it (status callbacks and
//! inbound messages arrive there), and `countersign worker` processes.

use countersign_app::audit::Actor;
use countersign_app::messages::{MessageRequest, TWILIO_INBOUND_PATH};
use countersign_app::settings::MessagingTransport;
use countersign_app::{App, Settings, SystemClock};
use countersign_domain::OrgId;
use countersign_emulator::{Emulator, Inbound, RunningEmulator, Scenario};
use countersign_messaging::TemplateName;
use countersign_store::{
    Channel, JobStore, Message, MessageFilter, MessageState, MessageStore, Org, OrgStore,
};
use sqlx::{Connection, Executor, PgConnection};
use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_countersign");

pub struct World {
    pub emu: RunningEmulator,
    pub app: App,
    pub org: OrgId,
    pub settings: Settings,
    pub dir: tempfile::TempDir,
    /// (admin URL, database name) of the PostgreSQL database to drop.
    database: Option<(String, String)>,
    web: tokio::task::JoinHandle<()>,
}

/// Whether a PostgreSQL test should be skipped (only with `COUNTERSIGN_SKIP_POSTGRES=1`).
pub fn skip_postgres() -> bool {
    if std::env::var("COUNTERSIGN_TEST_POSTGRES_URL").is_ok_and(|v| !v.is_empty()) {
        return false;
    }
    if std::env::var("COUNTERSIGN_SKIP_POSTGRES").is_ok_and(|v| v == "1") {
        eprintln!("skipping a PostgreSQL test: COUNTERSIGN_SKIP_POSTGRES=1");
        return true;
    }
    panic!("COUNTERSIGN_TEST_POSTGRES_URL is not set (or set COUNTERSIGN_SKIP_POSTGRES=1)");
}

async fn create_postgres_database() -> (String, String) {
    let admin = std::env::var("COUNTERSIGN_TEST_POSTGRES_URL").unwrap();
    let name = format!("cs_sms_{}", uuid::Uuid::new_v4().simple());
    let mut conn = PgConnection::connect(&admin).await.unwrap();
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    conn.close().await.unwrap();
    (admin, name)
}

impl World {
    /// Kills `worker` with SIGKILL if it holds leased jobs, and says whether it did. Asked
    /// while the worker is stopped (SIGSTOP), after a pause in which a statement it had
    /// already sent finishes on the server, so the answer is what the kill leaves: a worker
    /// caught between batches (its loops waiting to poll again) has nothing in flight, and is
    /// let go on (SIGCONT).
    pub async fn kill_if_leased(&self, worker: &mut Child) -> bool {
        signal(worker, "STOP");
        tokio::time::sleep(Duration::from_millis(100)).await;
        let jobs = self.app.store().job_counts(self.org).await.unwrap();
        if jobs.running == 0 {
            signal(worker, "CONT");
            return false;
        }
        sigkill(worker);
        true
    }

    /// Emulator, database, app and web server; `tweak` adjusts the settings (the worker
    /// processes get the same ones).
    pub async fn start(postgres: bool, tweak: impl FnOnce(&mut Settings)) -> World {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let emu = Emulator::start(Scenario::generate(1, 1, 7), listener)
            .await
            .unwrap();
        let web_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let public_url = format!("http://{}", web_listener.local_addr().unwrap());
        // Status callbacks at the emulator's default pace: they may arrive before the worker
        // recorded the SID; the message id in the callback URL finds the message anyway.
        emu.sms()
            .update_account(&serde_json::json!({
                "inbound_url": format!("{public_url}{TWILIO_INBOUND_PATH}"),
            }))
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let sms = emu.manifest().sms.clone();
        let mut settings = Settings::default();
        settings.storage.data_dir = dir.path().to_path_buf();
        settings.server.public_url = public_url;
        settings.security.argon2_memory_kib = 8192;
        settings.security.argon2_iterations = 1;
        settings.messaging.transport = MessagingTransport::Live;
        settings.twilio.base_url = sms.base_url;
        settings.twilio.account_sid = sms.account_sid;
        settings.twilio.auth_token = sms.auth_token;
        settings.twilio.from_number = sms.from_number;
        settings.workers.poll_interval_ms = 50;
        settings.workers.lease_seconds = 2;
        settings.workers.backoff_base_seconds = 1;
        let database = if postgres {
            let (admin, name) = create_postgres_database().await;
            settings.storage.database_url = url_with_database(&admin, &name);
            Some((admin, name))
        } else {
            None
        };
        tweak(&mut settings);
        settings.validate().unwrap();
        let app = App::start(settings.clone(), Arc::new(SystemClock))
            .await
            .unwrap();
        let org = Org {
            id: OrgId::new(),
            name: "Acme IT".into(),
            slug: format!("acme-{}", uuid::Uuid::new_v4().simple()),
            require_2fa: false,
            created_at: app.now(),
        };
        app.store().create_org(&org).await.unwrap();
        let state = countersign_web::AppState::new(app.clone());
        let web = tokio::spawn(async move {
            let _ = countersign_web::serve(state, web_listener, std::future::pending()).await;
        });
        World {
            emu,
            app,
            org: org.id,
            settings,
            dir,
            database,
            web,
        }
    }

    /// Queues one SMS to `to`.
    pub async fn queue(&self, to: &str, key: &str) -> Message {
        let req = MessageRequest {
            org: self.org,
            channel: Channel::Sms,
            recipient: to.into(),
            template: TemplateName::Test {
                sender: "Amy".into(),
            },
            idempotency_key: key.into(),
            lane: countersign_domain::Lane::Verification,
        };
        self.app.queue_message(&Actor::system(), req).await.unwrap()
    }

    /// `n` messages to distinct numbers `+1415555xxxx`.
    pub async fn queue_many(&self, n: usize) -> Vec<Message> {
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            out.push(
                self.queue(&format!("+1415555{i:04}"), &format!("bulk-{i}"))
                    .await,
            );
        }
        out
    }

    pub async fn state(&self, m: &Message) -> Message {
        self.app.store().message(self.org, m.id).await.unwrap()
    }

    /// Waits until `done` holds for the message's state (30 s at most).
    pub async fn wait_for(&self, m: &Message, want: MessageState) -> Message {
        let started = Instant::now();
        loop {
            let row = self.state(m).await;
            if row.state == want {
                return row;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "message to {} stayed {:?}, wanted {want:?} (error {:?})",
                row.recipient,
                row.state,
                row.last_error
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Messages of the org by state (at most 500 messages).
    pub async fn states(&self) -> BTreeMap<&'static str, usize> {
        let filter = MessageFilter {
            transport: None,
            channel: None,
            limit: 500,
        };
        let mut counts = BTreeMap::new();
        for m in self.app.store().messages(self.org, &filter).await.unwrap() {
            *counts.entry(m.state.as_str()).or_default() += 1;
        }
        counts
    }

    /// Waits until no job is queued or running and the emulator has posted every callback.
    pub async fn wait_idle(&self, limit: Duration) {
        let started = Instant::now();
        loop {
            let jobs = self.app.store().job_counts(self.org).await.unwrap();
            let sms = self.emu.sms().counts();
            if jobs.queued == 0 && jobs.running == 0 && sms.callbacks_pending == 0 {
                return;
            }
            assert!(
                started.elapsed() < limit,
                "still busy: {jobs:?}, emulator {sms:?}, messages {:?}",
                self.states().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A handset texts `body` to the account; the emulator posts it to the web server.
    pub async fn inbound(&self, from: &str, body: &str) -> u16 {
        self.inbound_to(from, None, body).await
    }

    /// A handset texts `body` to the account's number `to` (default its first).
    pub async fn inbound_to(&self, from: &str, to: Option<&str>, body: &str) -> u16 {
        let r = self
            .emu
            .sms()
            .inbound(&Inbound {
                from: from.into(),
                to: to.map(str::to_owned),
                messaging_service_sid: None,
                body: body.into(),
                url: None,
            })
            .await
            .unwrap();
        r.http_status
    }

    /// A `countersign worker` process with this world's settings.
    pub fn spawn_worker(&self) -> Child {
        let s = &self.settings;
        let mut cmd = Command::new(BIN);
        cmd.arg("--data-dir").arg(self.dir.path()).arg("worker");
        let mut env = s.worker_env();
        env.push(("COUNTERSIGN_METRICS__LISTEN", String::new()));
        env.push(("COUNTERSIGN_LOG__LEVEL", "warn".into()));
        cmd.envs(env)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        cmd.spawn().expect("spawn countersign worker")
    }

    /// Stops the web server, closes the store and drops the PostgreSQL database.
    pub async fn finish(self) {
        self.web.abort();
        self.app.store().close().await;
        self.emu.shutdown().await;
        if let Some((admin, name)) = &self.database {
            let mut conn = PgConnection::connect(admin).await.unwrap();
            conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                .await
                .unwrap();
            conn.close().await.unwrap();
        }
    }
}

fn url_with_database(admin: &str, name: &str) -> String {
    let (base, _) = admin.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

/// Sends `name` (`STOP`, `CONT`) to `child` with kill(1).
fn signal(child: &Child, name: &str) {
    let pid = child.id().to_string();
    let status = Command::new("kill")
        .args([&format!("-{name}"), &pid])
        .status()
        .unwrap();
    assert!(status.success(), "kill -{name} {pid} failed");
}

/// SIGKILL (what `std::process::Child::kill` sends on Unix), then reap.
pub fn sigkill(child: &mut Child) {
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "the worker was killed, not stopped");
}
