//! `countersign-bench secrets`: Secure Send create + reveal cycles over HTTP, the server's
//! work only. The bench stands in for both browsers: it makes the ciphertext envelope itself
//! (random bytes, as opaque to the server as real AES-256-GCM output), POSTs it as the Pod's
//! script does ("copy the link": no message), opens the recipient page (GET: the interstitial
//! and its per-render nonce) and POSTs the reveal (the one-time claim, audited). The recipient
//! side runs in its own client without a session, as a recipient's browser does.

use anyhow::{Context, bail};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use countersign_domain::Email;
use std::sync::Arc;
use std::time::Instant;

/// Flags of the `secrets` scenario.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Create + reveal cycles.
    #[arg(long, default_value_t = 20_000)]
    pub count: usize,
    /// Cycles in flight at once.
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

async fn measure(
    args: &Args,
    data_dir: &std::path::Path,
    database_url: Option<&str>,
) -> anyhow::Result<serde_json::Value> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let (app, base) = super::setup::local_app(&listener, data_dir, database_url, |_| {}).await?;
    let password = "plum orbit velvet 42";
    app.create_admin("Bench MSP", &Email::parse("secrets@msp.example")?, password)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let state = countersign_web::AppState::new(app.clone());
    let (stop, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(countersign_web::serve(state, listener, async {
        let _ = stop_rx.await;
    }));
    let client = super::contacts::sign_in(&base, "secrets@msp.example", password).await?;
    let page = client
        .get(format!("{base}/secrets/new"))
        .send()
        .await?
        .text()
        .await?;
    let csrf: Arc<str> = attr(&page, "data-csrf")?.into();
    // The recipient: no session, only the pre-session cookie its first page sets.
    let recipient = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    // Its cookie first, so concurrent first pages do not each make a different one.
    recipient.get(format!("{base}/login")).send().await?;

    crate::report::progress(&format!(
        "{} create + reveal cycles, {} in flight",
        args.count, args.concurrency
    ));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    let mut latencies = Vec::with_capacity(args.count);
    for n in 0..args.count {
        let (clients, base, csrf) = (
            (client.clone(), recipient.clone()),
            base.clone(),
            csrf.clone(),
        );
        tasks.spawn(async move { cycle(&clients, &base, &csrf, n).await });
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
    latencies.sort_by(f64::total_cmp);
    let p99 = latencies[((latencies.len() as f64 - 1.0) * 0.99).round() as usize];
    let per_second = args.count as f64 / seconds;
    crate::report::progress(&format!(
        "{} cycles in {seconds:.2} s: {per_second:.0}/s, p99 {p99:.1} ms",
        args.count
    ));
    Ok(serde_json::json!({
        "scenario": "secrets",
        "backend": if database_url.is_some() { "postgres" } else { "sqlite" },
        "count": args.count,
        "seconds": (seconds * 100.0).round() / 100.0,
        "cycles_per_second": per_second.round(),
        "p99_ms": (p99 * 100.0).round() / 100.0,
    }))
}

/// The value of the first `name="…"` attribute in `html`.
fn attr(html: &str, name: &str) -> anyhow::Result<String> {
    let marker = format!("{name}=\"");
    let at = html
        .find(&marker)
        .with_context(|| format!("no {name} on the page"))?
        + marker.len();
    let end = html[at..].find('"').context("unterminated attribute")?;
    Ok(html[at..at + end].to_owned())
}

/// One cycle: create, open, reveal. Returns milliseconds.
async fn cycle(
    (client, recipient): &(reqwest::Client, reqwest::Client),
    base: &str,
    csrf: &str,
    n: usize,
) -> anyhow::Result<f64> {
    let t = Instant::now();
    // A 200-byte envelope: version, flags, then bytes the server cannot tell from ciphertext.
    let mut envelope = vec![1u8, 0];
    while envelope.len() < 200 {
        envelope.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    }
    let res = client
        .post(format!("{base}/pod/secrets"))
        .header("x-csrf-token", csrf)
        .json(&serde_json::json!({
            "kind": "send",
            "channel": "copy",
            "label": format!("bench {n}"),
            "envelope": URL_SAFE_NO_PAD.encode(&envelope),
            "expiry": "1h",
            "views": 1,
        }))
        .send()
        .await?;
    if res.status() != 200 {
        bail!("create: {} {}", res.status(), res.text().await?);
    }
    let created: serde_json::Value = res.json().await?;
    let path = created["path"].as_str().context("no path")?.to_owned();
    let page = recipient.get(format!("{base}{path}")).send().await?;
    if page.status() != 200 {
        bail!("open: {}", page.status());
    }
    let html = page.text().await?;
    let (form_token, nonce) = (attr(&html, "data-csrf")?, attr(&html, "data-nonce")?);
    let res = recipient
        .post(format!("{base}{path}/reveal"))
        .header("x-csrf-token", form_token)
        .json(&serde_json::json!({ "nonce": nonce }))
        .send()
        .await?;
    if res.status() != 200 {
        bail!("reveal: {} {}", res.status(), res.text().await?);
    }
    let revealed: serde_json::Value = res.json().await?;
    if revealed["envelope"].as_str() != Some(URL_SAFE_NO_PAD.encode(&envelope).as_str()) {
        bail!("the revealed envelope differs from the one stored");
    }
    Ok(t.elapsed().as_secs_f64() * 1000.0)
}
