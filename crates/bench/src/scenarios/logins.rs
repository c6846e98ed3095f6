//! `countersign-bench logins`: the peak resident memory of the real `countersign serve`
//! (SQLite, production Argon2 cost) while `--concurrency` clients post password logins at
//! once, and how they were answered. Every login checks a password (an unknown email is checked
//! against the dummy hash), so each holds `argon2_memory_kib` while it runs; the password gate
//! bounds how many run at once. The login throttles are raised for the run so that they do not
//! answer first (they would lock the loopback address after 20 failures).

use super::serve::{countersign_bin, percentile, round1, round2, rss_mb, start_with, stop};
use anyhow::{Context as _, bail};
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Flags of the `logins` scenario.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Clients posting logins at once.
    #[arg(long, default_value_t = 200)]
    pub concurrency: usize,
    /// Logins each client posts, one after another.
    #[arg(long, default_value_t = 3)]
    pub rounds: usize,
    /// `[security] argon2_max_concurrent` of the server (0: one per core, the default).
    #[arg(long, default_value_t = 0)]
    pub argon2_max_concurrent: u32,
    /// `[security] argon2_queue_ms` of the server.
    #[arg(long, default_value_t = 5000)]
    pub argon2_queue_ms: u32,
    /// The countersign binary (default: next to this one).
    #[arg(long)]
    pub countersign_bin: Option<PathBuf>,
}

pub async fn run(args: Args) -> anyhow::Result<serde_json::Value> {
    let bin = countersign_bin(args.countersign_bin)?;
    let dir = tempfile::tempdir()?;
    let env = [
        (
            "COUNTERSIGN_SECURITY__ARGON2_MAX_CONCURRENT",
            args.argon2_max_concurrent.to_string(),
        ),
        (
            "COUNTERSIGN_SECURITY__ARGON2_QUEUE_MS",
            args.argon2_queue_ms.to_string(),
        ),
        (
            "COUNTERSIGN_SECURITY__LOGIN_MAX_FAILURES_PER_IP",
            "1000000".to_owned(),
        ),
        (
            "COUNTERSIGN_SECURITY__LOGIN_MAX_FAILURES_PER_ACCOUNT",
            "1000000".to_owned(),
        ),
    ];
    let server = start_with(&bin, dir.path(), &env).await?;
    let pid = server.child.id();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle_rss_mb = rss_mb(pid).unwrap_or(f64::NAN);
    eprintln!("idle RSS: {idle_rss_mb:.1} MB");

    // Sample the server's RSS every 5 ms while the burst runs.
    let running = Arc::new(AtomicBool::new(true));
    let sampler = {
        let running = running.clone();
        tokio::spawn(async move {
            let mut peak: f64 = 0.0;
            while running.load(Ordering::Relaxed) {
                if let Some(mb) = rss_mb(pid) {
                    peak = peak.max(mb);
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            peak
        })
    };
    let started = Instant::now();
    let outcomes = burst(&server.base, args.concurrency, args.rounds).await?;
    let elapsed = started.elapsed().as_secs_f64();
    running.store(false, Ordering::Relaxed);
    let peak_rss_mb = sampler.await?;
    let after_rss_mb = rss_mb(pid).unwrap_or(f64::NAN);
    stop(server.child).await;

    let count = |status: u16| outcomes.iter().filter(|(s, _)| *s == status).count();
    let (checked, busy) = (count(422), count(503));
    let other = outcomes.len() - checked - busy;
    let mut latencies: Vec<f64> = outcomes.iter().map(|(_, ms)| *ms).collect();
    latencies.sort_by(f64::total_cmp);
    eprintln!(
        "{} logins from {} clients in {elapsed:.1} s: {checked} checked (422), {busy} busy (503), {other} other; peak RSS {peak_rss_mb:.1} MB (idle {idle_rss_mb:.1} MB)",
        outcomes.len(),
        args.concurrency
    );
    if other > 0 {
        bail!("{other} logins were answered neither 422 nor 503");
    }
    Ok(json!({
        "concurrency": args.concurrency,
        "rounds": args.rounds,
        "argon2_max_concurrent": args.argon2_max_concurrent,
        "argon2_queue_ms": args.argon2_queue_ms,
        "idle_rss_mb": round1(idle_rss_mb),
        "peak_rss_mb": round1(peak_rss_mb),
        "rss_after_mb": round1(after_rss_mb),
        "checked": checked,
        "busy_503": busy,
        "login_p50_ms": round2(percentile(&latencies, 0.50)),
        "login_p99_ms": round2(percentile(&latencies, 0.99)),
        "seconds": round2(elapsed),
    }))
}

/// `concurrency` clients, each with its own cookie jar and CSRF token, post `rounds` logins of
/// unknown emails, all starting together. Returns each answer's status and latency (ms).
async fn burst(base: &str, concurrency: usize, rounds: usize) -> anyhow::Result<Vec<(u16, f64)>> {
    let barrier = Arc::new(tokio::sync::Barrier::new(concurrency));
    let mut tasks = Vec::with_capacity(concurrency);
    for i in 0..concurrency {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(120))
            .build()?;
        let base = base.to_owned();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            let res = client.get(format!("{base}/login")).send().await?;
            let csrf = csrf_of(&res.text().await?).context("no _csrf on /login")?;
            barrier.wait().await;
            let mut out = Vec::with_capacity(rounds);
            for r in 0..rounds {
                let email = format!("nobody{i}-{r}@bench.test");
                let t = Instant::now();
                let res = client
                    .post(format!("{base}/login"))
                    .header("origin", &base)
                    .header("sec-fetch-site", "same-origin")
                    .form(&[
                        ("_csrf", csrf.as_str()),
                        ("email", email.as_str()),
                        ("password", "not the password 1"),
                    ])
                    .send()
                    .await?;
                let status = res.status().as_u16();
                res.bytes().await?;
                out.push((status, t.elapsed().as_secs_f64() * 1000.0));
            }
            Ok::<_, anyhow::Error>(out)
        }));
    }
    let mut all = Vec::with_capacity(concurrency * rounds);
    for t in tasks {
        all.extend(t.await??);
    }
    Ok(all)
}

/// The value of the first `_csrf` hidden field.
fn csrf_of(html: &str) -> Option<String> {
    let marker = "name=\"_csrf\" value=\"";
    let rest = &html[html.find(marker)? + marker.len()..];
    Some(rest[..rest.find('"')?].to_owned())
}
