//! `countersign-bench sms`: queues SMS messages, then real `countersign worker` processes
//! deliver them to the emulator's Twilio face. Measures from the workers' start until the
//! emulator has every message and every job is finished; counts duplicates at the handset
//! (a recipient that got more than one message) and repeated idempotency keys.

use anyhow::{Context, bail};
use countersign_app::audit::Actor;
use countersign_app::messages::MessageRequest;
use countersign_app::settings::MessagingTransport;
use countersign_app::{App, Settings, SystemClock};
use countersign_domain::OrgId;
use countersign_emulator::{Emulator, RunningEmulator, Scenario};
use countersign_messaging::TemplateName;
use countersign_store::{JobStore, MessageState, MessageStore, Org, OrgStore};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// Flags of the `sms` scenario.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Messages to queue and deliver.
    #[arg(long, default_value_t = 10_000)]
    pub messages: usize,
    /// `countersign worker` processes.
    #[arg(long, default_value_t = 2)]
    pub workers: usize,
    /// Worker loops per process (`workers.concurrency`).
    #[arg(long, default_value_t = 4)]
    pub concurrency: u32,
    /// Jobs claimed at once per loop (`workers.batch_size`).
    #[arg(long, default_value_t = 50)]
    pub batch_size: u32,
    /// PostgreSQL server URL; a fresh database is created on it and dropped afterwards.
    /// Without it, a temporary SQLite file.
    #[arg(long)]
    pub database_url: Option<String>,
    /// The countersign binary (default: next to this one).
    #[arg(long)]
    pub countersign_bin: Option<PathBuf>,
}

pub async fn run(args: Args) -> anyhow::Result<serde_json::Value> {
    let bin = countersign_bin(args.countersign_bin.as_ref())?;
    let dir = tempfile::tempdir()?;
    let pg = match &args.database_url {
        Some(admin) => Some((admin.clone(), create_database(admin).await?)),
        None => None,
    };
    let url = pg
        .as_ref()
        .map(|(_, (url, _))| url.clone())
        .unwrap_or_default();
    let result = measure(&args, &bin, dir.path(), url).await;
    if let Some((admin, (_, name))) = &pg {
        drop_database(admin, name).await;
    }
    result
}

async fn create_database(admin_url: &str) -> anyhow::Result<(String, String)> {
    use sqlx::Connection as _;
    let name = format!("cs_bench_sms_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(admin_url).await?;
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(&mut conn)
        .await?;
    let mut url = url::Url::parse(admin_url)?;
    url.set_path(&format!("/{name}"));
    Ok((url.to_string(), name))
}

async fn drop_database(admin_url: &str, name: &str) {
    use sqlx::Connection as _;
    if let Ok(mut conn) = sqlx::PgConnection::connect(admin_url).await {
        let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        let _ = sqlx::query(&sql).execute(&mut conn).await;
    }
}

fn settings(args: &Args, emu: &RunningEmulator, data_dir: &Path, database_url: String) -> Settings {
    let sms = &emu.manifest().sms;
    let mut s = Settings::default();
    s.storage.data_dir = data_dir.to_path_buf();
    s.storage.database_url = database_url;
    // Nothing listens here: status callbacks are off in the emulator (see run).
    s.server.public_url = "http://127.0.0.1:9".into();
    s.messaging.transport = MessagingTransport::Live;
    s.twilio.base_url.clone_from(&sms.base_url);
    s.twilio.account_sid.clone_from(&sms.account_sid);
    s.twilio.auth_token.clone_from(&sms.auth_token);
    s.twilio.from_number.clone_from(&sms.from_number);
    s.workers.concurrency = args.concurrency;
    s.workers.batch_size = args.batch_size;
    s.workers.poll_interval_ms = 20;
    s
}

async fn measure(
    args: &Args,
    bin: &Path,
    data_dir: &Path,
    database_url: String,
) -> anyhow::Result<serde_json::Value> {
    let backend = if database_url.is_empty() {
        "sqlite"
    } else {
        "postgres"
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let emu = Emulator::start(Scenario::generate(1, 1, 7), listener).await?;
    // The sending path only: no web server takes status callbacks here.
    emu.sms()
        .update_account(&json!({"status_callbacks": false}))
        .map_err(anyhow::Error::msg)?;
    let settings = settings(args, &emu, data_dir, database_url);
    let app = App::start(settings.clone(), Arc::new(SystemClock))
        .await
        .context("starting the app")?;
    let org = Org {
        id: OrgId::new(),
        name: "Bench IT".into(),
        slug: format!("bench-{}", uuid::Uuid::new_v4().simple()),
        require_2fa: false,
        created_at: app.now(),
    };
    app.store().create_org(&org).await?;
    let queue_started = Instant::now();
    let ids = queue(&app, org.id, args.messages).await?;
    let queue_seconds = queue_started.elapsed().as_secs_f64();
    crate::report::progress(&format!(
        "{backend}: queued {} messages in {queue_seconds:.2} s",
        ids.len()
    ));

    let started = Instant::now();
    let mut workers = Vec::with_capacity(args.workers);
    for _ in 0..args.workers {
        workers.push(spawn_worker(bin, data_dir, &settings)?);
    }
    let target = args.messages as u64;
    while emu.sms().counts().messages < target {
        for w in &mut workers {
            if let Some(status) = w.try_wait()? {
                bail!("a worker exited with {status}");
            }
        }
        if started.elapsed() > Duration::from_secs(600) {
            bail!("not delivered within 10 minutes: {:?}", emu.sms().counts());
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    loop {
        let jobs = app.store().job_counts(org.id).await?;
        if jobs.queued == 0 && jobs.running == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let seconds = started.elapsed().as_secs_f64();
    for mut w in workers {
        stop(&mut w).await;
    }

    let log = emu.sms().log();
    let delivered = log.messages_per_to.len();
    let duplicates: u64 = log
        .messages_per_to
        .values()
        .map(|n| n.saturating_sub(1))
        .sum();
    let mut handed_over = 0usize;
    for id in &ids {
        let m = app.store().message(org.id, *id).await?;
        if matches!(
            m.state,
            MessageState::Accepted | MessageState::Sent | MessageState::Delivered
        ) {
            handed_over += 1;
        }
    }
    let dead = app.store().job_counts(org.id).await?.dead;
    app.store().close().await;
    emu.shutdown().await;
    crate::report::progress(&format!(
        "{backend}: {delivered} delivered in {seconds:.2} s ({} requests, {} key replays, {handed_over} recorded as handed over, {dead} dead jobs)",
        log.counts.requests, log.counts.replays
    ));
    Ok(json!({
        "scenario": "sms",
        "backend": backend,
        "messages": args.messages,
        "workers": args.workers,
        "concurrency": args.concurrency,
        "batch_size": args.batch_size,
        "delivered": delivered,
        "duplicates": duplicates,
        "replays": log.counts.replays,
        "recorded": handed_over,
        "dead_jobs": dead,
        "queue_seconds": round3(queue_seconds),
        "seconds": round3(seconds),
        "messages_per_second": (delivered as f64 / seconds).round(),
    }))
}

/// Queues `n` messages to distinct numbers, 8 at a time.
async fn queue(
    app: &App,
    org: OrgId,
    n: usize,
) -> anyhow::Result<Vec<countersign_domain::MessageId>> {
    let mut tasks = tokio::task::JoinSet::new();
    let lanes = 8;
    for lane in 0..lanes {
        let app = app.clone();
        tasks.spawn(async move {
            let mut ids = Vec::new();
            for i in (lane..n).step_by(lanes) {
                let req = MessageRequest {
                    org,
                    channel: countersign_store::Channel::Sms,
                    recipient: format!("+1415{i:07}"),
                    template: TemplateName::Test {
                        sender: "Bench".into(),
                    },
                    idempotency_key: format!("bench-{i}"),
                    lane: countersign_domain::Lane::Verification,
                };
                ids.push(app.queue_message(&Actor::system(), req).await?.id);
            }
            Ok::<_, anyhow::Error>(ids)
        });
    }
    let mut all = Vec::with_capacity(n);
    while let Some(r) = tasks.join_next().await {
        all.extend(r??);
    }
    Ok(all)
}

/// The `countersign` binary the workers run: `explicit`, or the one next to this benchmark.
///
/// # Errors
/// It does not exist (with how to build it).
pub(crate) fn countersign_bin(explicit: Option<&PathBuf>) -> anyhow::Result<PathBuf> {
    let bin = match explicit {
        Some(b) => b.clone(),
        None => std::env::current_exe()?.with_file_name("countersign"),
    };
    if !bin.is_file() {
        bail!(
            "{} not found: build it with `cargo build --release -p countersign-cli` or pass --countersign-bin",
            bin.display()
        );
    }
    Ok(bin)
}

pub(crate) fn spawn_worker(bin: &Path, data_dir: &Path, s: &Settings) -> anyhow::Result<Child> {
    let mut env = s.worker_env();
    env.push(("COUNTERSIGN_METRICS__LISTEN", String::new()));
    env.push(("COUNTERSIGN_LOG__LEVEL", "warn".into()));
    Command::new(bin)
        .arg("--data-dir")
        .arg(data_dir)
        .arg("worker")
        .envs(env)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {} worker", bin.display()))
}

/// SIGTERM (a worker finishes its batch and stops), SIGKILL after 10 s.
pub(crate) async fn stop(child: &mut Child) {
    if let Some(pid) = child.id() {
        let _ = Command::new("kill").arg(pid.to_string()).status().await;
    }
    if tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .is_err()
    {
        let _ = child.kill().await;
    }
}

pub(crate) fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}
