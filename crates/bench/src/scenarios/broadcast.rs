//! `countersign-bench broadcast`: issue 20's broadcast benchmark. Seeds contacts with a mobile
//! number and an email address, approves a broadcast to all of them on both channels through
//! the real use cases (the approval resolves and freezes the audience: `audience_seconds`),
//! then real `countersign worker` processes deliver it: the delivery job queues one message
//! per recipient and channel, the message workers send the SMS to the emulator's Twilio face
//! and the emails to a loopback SMTP sink. `seconds` runs from the workers' start until both
//! received every message and the broadcast is completed; `duplicates` counts a recipient
//! that got a channel more than once; `peak_rss_mb` is the largest worker's peak RSS.

use crate::report::{peak_rss_mb, progress};
use crate::scenarios::broadcast_audience::seed;
use crate::scenarios::setup::on_database;
use crate::scenarios::sms::{countersign_bin, round3, spawn_worker, stop};
use crate::smtp_sink::SmtpSink;
use anyhow::{Context, bail};
use countersign_app::broadcasts::BroadcastInput;
use countersign_app::settings::{MessagingTransport, SmtpSecuritySetting};
use countersign_app::{App, Principal, Settings, SystemClock};
use countersign_domain::{BroadcastChannels, BroadcastStatus, Email};
use countersign_emulator::{Emulator, RunningEmulator, Scenario};
use countersign_store::Audience;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::process::Child;

/// The broadcast lane's sender (the emulator's account is told it owns it).
const BROADCAST_SENDER: &str = "+15005550199";

/// Flags of the `broadcast` scenario.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Contacts, each with a mobile number and an email address (two messages each).
    #[arg(long, default_value_t = 100_000)]
    pub recipients: usize,
    /// Contacts per customer.
    #[arg(long, default_value_t = 1_000)]
    pub per_customer: usize,
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
    on_database(args.database_url.as_deref(), async |dir, url| {
        measure(&args, &bin, dir, url.unwrap_or_default().to_owned()).await
    })
    .await
}

fn settings(
    args: &Args,
    emu: &RunningEmulator,
    sink: &SmtpSink,
    data_dir: &Path,
    database_url: String,
) -> Settings {
    let sms = &emu.manifest().sms;
    let mut s = Settings::default();
    s.storage.data_dir = data_dir.to_path_buf();
    s.storage.database_url = database_url;
    // Nothing listens here: status callbacks are off in the emulator (see measure).
    s.server.public_url = "http://127.0.0.1:9".into();
    s.messaging.transport = MessagingTransport::Live;
    s.twilio.base_url.clone_from(&sms.base_url);
    s.twilio.account_sid.clone_from(&sms.account_sid);
    s.twilio.auth_token.clone_from(&sms.auth_token);
    s.twilio.from_number.clone_from(&sms.from_number);
    s.twilio.broadcast_from_number = BROADCAST_SENDER.into();
    s.smtp.host = sink.addr().ip().to_string();
    s.smtp.port = sink.addr().port();
    s.smtp.security = SmtpSecuritySetting::Plain;
    s.smtp.from_address = "codes@bench-msp.example".into();
    s.smtp.broadcast_from_address = "news@bench-msp.example".into();
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
    let verification_sender = emu.manifest().sms.from_number.clone();
    emu.sms()
        .update_account(&json!({
            "status_callbacks": false,
            "from_numbers": [verification_sender, BROADCAST_SENDER],
        }))
        .map_err(anyhow::Error::msg)?;
    let sink = SmtpSink::start().await?;
    let settings = settings(args, &emu, &sink, data_dir, database_url);
    let app = App::start(settings.clone(), Arc::new(SystemClock))
        .await
        .context("starting the app")?;
    let admin = app
        .create_admin(
            "Bench MSP",
            &Email::parse("broadcast@msp.example")?,
            "plum orbit velvet 42",
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .technician;
    let by = Principal::technician(&admin, std::net::IpAddr::from([127, 0, 0, 1]));
    seed(&app, admin.org_id, args.recipients, args.per_customer).await?;
    let input = BroadcastInput {
        name: "Exchange outage".into(),
        channels: BroadcastChannels::BOTH,
        sms_text: "{msp_name}: Exchange is down for {customer}. We are on it.".into(),
        email_subject: "Exchange outage at {customer}".into(),
        email_body: "Dear {first_name},\n\nExchange is **down** for {customer}. We are on it.\n"
            .into(),
        audience: Audience::AllCustomers,
        scheduled_at: None,
        respect_quiet_hours: false,
    };
    let draft = app.create_broadcast_draft(&by, &input).await?;
    app.request_broadcast_approval(&by, draft.id).await?;
    let preview = app
        .preview_broadcast_audience(&by, &input.audience, input.channels)
        .await?;
    let started = Instant::now();
    let frozen = app
        .approve_broadcast(&by, draft.id, preview.recipients)
        .await?;
    let audience_seconds = started.elapsed().as_secs_f64();
    let messages = u64::try_from(frozen.sms + frozen.email)?;
    progress(&format!(
        "{backend}: approved {} recipients ({messages} messages) in {audience_seconds:.2} s",
        frozen.recipients
    ));

    let started = Instant::now();
    let mut workers = Vec::with_capacity(args.workers);
    for _ in 0..args.workers {
        workers.push(spawn_worker(bin, data_dir, &settings)?);
    }
    let mut worker_peak_mb = 0.0f64;
    let mut last_report = Instant::now();
    loop {
        for w in &mut workers {
            if let Some(status) = w.try_wait()? {
                bail!("a worker exited with {status}");
            }
            worker_peak_mb = worker_peak_mb.max(child_peak_rss_mb(w));
        }
        let arrived = emu.sms().counts().messages + sink.messages();
        if arrived >= messages {
            let b = app.broadcast(&by, draft.id).await?;
            if b.status == BroadcastStatus::Completed {
                break;
            }
        }
        if last_report.elapsed() > Duration::from_secs(5) {
            progress(&format!(
                "{backend}: {arrived} of {messages} arrived after {:.0} s",
                started.elapsed().as_secs_f64()
            ));
            last_report = Instant::now();
        }
        if started.elapsed() > Duration::from_secs(900) {
            bail!("not delivered within 15 minutes: {arrived} of {messages}");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let seconds = started.elapsed().as_secs_f64();
    for w in &workers {
        worker_peak_mb = worker_peak_mb.max(child_peak_rss_mb(w));
    }
    for mut w in workers {
        stop(&mut w).await;
    }

    let sms_log = emu.sms().log();
    let email_log = sink.take();
    let delivered = sms_log.messages_per_to.len() + email_log.per_recipient.len();
    let duplicates: u64 = sms_log
        .messages_per_to
        .values()
        .chain(email_log.per_recipient.values())
        .map(|n| n.saturating_sub(1))
        .sum();
    let progress_counts = app.broadcast_progress(&by, draft.id).await?.counts;
    app.store().close().await;
    emu.shutdown().await;
    progress(&format!(
        "{backend}: {delivered} delivered in {seconds:.2} s, {duplicates} duplicates, workers' peak RSS {worker_peak_mb:.0} MB; broadcast counts {progress_counts:?}"
    ));
    Ok(json!({
        "scenario": "broadcast",
        "backend": backend,
        "workers": args.workers,
        "recipients": frozen.recipients,
        "messages": messages,
        "delivered": delivered,
        "duplicates": duplicates,
        "failed": progress_counts.failed,
        "one_click_unsubscribe_headers": email_log.one_click_unsubscribe,
        "audience_seconds": round3(audience_seconds),
        "seconds": round3(seconds),
        "messages_per_second": (delivered as f64 / seconds).round(),
        "peak_rss_mb": worker_peak_mb.round(),
        "bench_peak_rss_mb": peak_rss_mb().round(),
    }))
}

/// A child's peak resident set size in MiB (`VmHWM`), Linux only; 0 elsewhere.
fn child_peak_rss_mb(child: &Child) -> f64 {
    child
        .id()
        .and_then(|pid| std::fs::read_to_string(format!("/proc/{pid}/status")).ok())
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}
