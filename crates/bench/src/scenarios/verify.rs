//! `countersign-bench verify`: SMS-code verifications end to end over HTTP. Each cycle is
//! what a technician does in the Pod: POST "Send code" (send limits, HMAC, the message and
//! its job in the store), the handset's side (the code read from the queued message, as the
//! outbox keeps it), then POST the code (attempt claimed, compared, verified, audited). Job
//! workers deliver the messages to the outbox meanwhile, as in production.

use anyhow::{Context, bail};
use countersign_app::App;
use countersign_app::jobs::WorkerPool;
use countersign_app::messages::Transports;
use countersign_domain::{ContactId, Email};
use countersign_store::{
    ChallengeStore, ContactQuery, ContactStore, CustomerStore, MessageStore, SourceKind,
    SyncedContact, VerificationSettings,
};
use std::sync::Arc;
use std::time::Instant;

/// Flags of the `verify` scenario.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Verifications to create and complete.
    #[arg(long, default_value_t = 20_000)]
    pub count: usize,
    /// Verifications in flight at once.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// PostgreSQL server URL; a fresh database is created on it and dropped afterwards.
    /// Without it, a temporary SQLite file.
    #[arg(long)]
    pub database_url: Option<String>,
}

pub async fn run(args: Args) -> anyhow::Result<serde_json::Value> {
    super::setup::on_database(args.database_url.as_deref(), async |dir, url| {
        measure(&args, dir, url).await
    })
    .await
}

fn contact(i: usize) -> SyncedContact {
    SyncedContact {
        external_id: format!("u{i}"),
        given_name: format!("User{i}"),
        surname: "Bench".into(),
        display_name: format!("User{i} Bench"),
        email: Some(format!("user{i}@bench.example")),
        mobile: Some(format!("+1 425 {:03} {:04}", 200 + i / 10_000, i % 10_000)),
        mobile_e164: Some(format!("+1425{:03}{:04}", 200 + i / 10_000, i % 10_000)),
        account_enabled: true,
        user_type: "Member".into(),
        ..SyncedContact::default()
    }
}

async fn measure(
    args: &Args,
    data_dir: &std::path::Path,
    database_url: Option<&str>,
) -> anyhow::Result<serde_json::Value> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let (app, base) = super::setup::local_app(&listener, data_dir, database_url, |s| {
        s.workers.poll_interval_ms = 20;
    })
    .await?;
    let password = "plum orbit velvet 42";
    let admin = app
        .create_admin("Bench MSP", &Email::parse("verify@msp.example")?, password)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let org = admin.org.id;
    // The per-recipient limit (3 per 10 minutes) stays as shipped: every contact gets at most
    // two codes. The technician and daily caps are an org's settings; a load test raises them.
    let mut rules = VerificationSettings::defaults(org);
    rules.per_technician_hour = 1_000_000;
    rules.per_org_day = 100_000_000;
    rules.updated_at = Some(app.now());
    app.store().save_verification_settings(&rules).await?;
    let contacts = args.count.div_ceil(2).max(1);
    let customer = app
        .store()
        .upsert_synced_customer(
            org,
            SourceKind::Microsoft365,
            "tenant-bench",
            "Bench Co",
            app.now(),
        )
        .await?;
    for chunk in (0..contacts).collect::<Vec<_>>().chunks(1000) {
        let batch: Vec<SyncedContact> = chunk.iter().map(|i| contact(*i)).collect();
        app.store()
            .upsert_synced_contacts(
                org,
                customer.id,
                SourceKind::Microsoft365,
                &batch,
                app.now(),
            )
            .await?;
    }
    let mut ids: Vec<ContactId> = Vec::with_capacity(contacts);
    let mut after = None;
    loop {
        let page = app
            .store()
            .search_contacts(
                org,
                &ContactQuery {
                    limit: 500,
                    after: after.clone(),
                    ..ContactQuery::default()
                },
            )
            .await?;
        let Some(last) = page.last() else { break };
        after = Some(countersign_store::ContactCursor {
            key: countersign_store::ContactSort::default().key_of(last),
            id: last.id,
        });
        ids.extend(page.iter().map(|c| c.id));
    }
    crate::report::progress(&format!("{} contacts ready", ids.len()));

    let transports = Transports::from_settings(&app.settings)?;
    let (stop_workers, stopped) = tokio::sync::watch::channel(false);
    let workers = WorkerPool::start(app.clone(), transports, stopped);
    let state = countersign_web::AppState::new(app.clone());
    let (stop, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(countersign_web::serve(state, listener, async {
        let _ = stop_rx.await;
    }));
    let client = super::contacts::sign_in(&base, "verify@msp.example", password).await?;
    let pod = client
        .get(format!("{base}/pod/contacts/{}?action=verify", ids[0]))
        .send()
        .await?
        .text()
        .await?;
    let marker = "name=\"_csrf\" value=\"";
    let at = pod.find(marker).context("no _csrf on the Pod")? + marker.len();
    let csrf: Arc<str> = pod[at..at + pod[at..].find('"').context("bad _csrf")?].into();

    crate::report::progress(&format!(
        "{} verifications, {} in flight",
        args.count, args.concurrency
    ));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    let mut latencies = Vec::with_capacity(args.count);
    for n in 0..args.count {
        let contact = ids[n % ids.len()];
        let (client, base, csrf, app) = (client.clone(), base.clone(), csrf.clone(), app.clone());
        tasks.spawn(async move { cycle(&client, &base, &csrf, &app, org, contact).await });
        if tasks.len() >= args.concurrency
            && let Some(r) = tasks.join_next().await
        {
            latencies.push(r??);
        }
    }
    while let Some(r) = tasks.join_next().await {
        latencies.push(r??);
    }
    let seconds = started.elapsed().as_secs_f64();
    let _ = stop.send(());
    let _ = server.await;
    let _ = stop_workers.send(true);
    workers.join().await;
    latencies.sort_by(f64::total_cmp);
    let p99 = latencies[((latencies.len() as f64 - 1.0) * 0.99).round() as usize];
    let per_second = args.count as f64 / seconds;
    crate::report::progress(&format!(
        "{} verified in {seconds:.2} s: {per_second:.0}/s, p99 {p99:.1} ms",
        args.count
    ));
    Ok(serde_json::json!({
        "scenario": "verify",
        "backend": if database_url.is_some() { "postgres" } else { "sqlite" },
        "count": args.count,
        "seconds": (seconds * 100.0).round() / 100.0,
        "verifications_per_second": per_second.round(),
        "p99_ms": (p99 * 100.0).round() / 100.0,
    }))
}

/// One verification: send, read the code at the "handset", enter it. Returns milliseconds.
async fn cycle(
    client: &reqwest::Client,
    base: &str,
    csrf: &str,
    app: &App,
    org: countersign_domain::OrgId,
    contact: ContactId,
) -> anyhow::Result<f64> {
    let t = Instant::now();
    let res = client
        .post(format!("{base}/pod/contacts/{contact}/verify"))
        .form(&[("_csrf", csrf), ("method", "sms_code")])
        .send()
        .await?;
    if res.status() != 303 {
        bail!("send code: {} {}", res.status(), res.text().await?);
    }
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let vid = location.rsplit("verification=").next().unwrap_or_default();
    let message = app
        .store()
        .message_by_key(org, &format!("verification:{vid}"))
        .await?
        .context("the code's message was not queued")?;
    let text = message.body_text.unwrap_or_default();
    let code: String = text
        .split("Code ")
        .nth(1)
        .context("no code in the SMS")?
        .chars()
        .take(6)
        .collect();
    let res = client
        .post(format!(
            "{base}/pod/contacts/{contact}/verifications/{vid}/code"
        ))
        .form(&[("_csrf", csrf), ("code", code.as_str())])
        .send()
        .await?;
    if res.status() != 303 {
        bail!("check code: {} {}", res.status(), res.text().await?);
    }
    Ok(t.elapsed().as_secs_f64() * 1000.0)
}
