//! `countersign-bench serve`: start-up time, idle memory, and login-page latency under load,
//! measured on the real `countersign` binary with SQLite, over loopback HTTP.

use anyhow::{Context, bail};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// Flags of the `serve` scenario.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Concurrent connections for the login-page load.
    #[arg(long, default_value_t = 200)]
    pub connections: usize,
    /// Requests to /login in total per phase (after a warm-up of one per connection).
    #[arg(long, default_value_t = 40_000)]
    pub requests: usize,
    /// Aggregate request rate (per second) of the paced phase, spread over all connections.
    /// Latency is measured from each request's scheduled start, so a slow server is not
    /// hidden by the client waiting (no coordinated omission).
    #[arg(long, default_value_t = 2_000)]
    pub rate: u32,
    /// The countersign binary (default: next to this one; build it with
    /// `cargo build --release -p countersign-cli`).
    #[arg(long)]
    pub countersign_bin: Option<PathBuf>,
}

/// The `countersign` binary: `given`, or the one next to this one.
pub(crate) fn countersign_bin(given: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    let bin = match given {
        Some(b) => b,
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

pub async fn run(args: ServeArgs) -> anyhow::Result<serde_json::Value> {
    let bin = countersign_bin(args.countersign_bin)?;
    let dir = tempfile::tempdir()?;
    let first = start(&bin, dir.path()).await?;
    eprintln!(
        "first start (new database and key file): {:.1} ms",
        first.startup_ms
    );
    stop(first.child).await;
    let server = start(&bin, dir.path()).await?;
    eprintln!("start on an existing database: {:.1} ms", server.startup_ms);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle_rss_mb = rss_mb(server.child.id()).unwrap_or(f64::NAN);
    eprintln!("idle RSS: {idle_rss_mb:.1} MB");
    let saturated = login_load(&server.base, args.connections, args.requests, None).await?;
    eprintln!(
        "saturated: GET /login x{} over {} connections as fast as possible: p50 {:.2} ms, p99 {:.2} ms, {:.0} req/s",
        args.requests, args.connections, saturated.p50_ms, saturated.p99_ms, saturated.per_second
    );
    let load = login_load(
        &server.base,
        args.connections,
        args.requests,
        Some(args.rate),
    )
    .await?;
    eprintln!(
        "paced: GET /login x{} over {} connections at {} req/s: p50 {:.2} ms, p99 {:.2} ms",
        args.requests, args.connections, args.rate, load.p50_ms, load.p99_ms
    );
    let loaded_rss_mb = rss_mb(server.child.id()).unwrap_or(f64::NAN);
    stop(server.child).await;
    Ok(json!({
        "startup_ms": round1(server.startup_ms),
        "first_startup_ms": round1(first.startup_ms),
        "idle_rss_mb": round1(idle_rss_mb),
        "login_page_p50_ms": round2(load.p50_ms),
        "login_page_p99_ms": round2(load.p99_ms),
        "login_page_rate": args.rate,
        "saturated_requests_per_second": saturated.per_second.round(),
        "saturated_p50_ms": round2(saturated.p50_ms),
        "saturated_p99_ms": round2(saturated.p99_ms),
        "rss_after_load_mb": round1(loaded_rss_mb),
        "connections": args.connections,
        "requests": args.requests,
    }))
}

pub(crate) struct Started {
    pub(crate) child: Child,
    pub(crate) base: String,
    pub(crate) startup_ms: f64,
}

/// Starts `countersign serve` on a free port and waits for `/readyz`.
async fn start(bin: &Path, data_dir: &Path) -> anyhow::Result<Started> {
    start_with(bin, data_dir, &[]).await
}

/// [`start`] with more `COUNTERSIGN_*` variables.
pub(crate) async fn start_with(
    bin: &Path,
    data_dir: &Path,
    env: &[(&str, String)],
) -> anyhow::Result<Started> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(200))
        .build()?;
    let started = Instant::now();
    let mut child = Command::new(bin)
        .arg("--data-dir")
        .arg(data_dir)
        .arg("serve")
        .env("COUNTERSIGN_SERVER__LISTEN", format!("127.0.0.1:{port}"))
        .env("COUNTERSIGN_SERVER__PUBLIC_URL", &base)
        .env("COUNTERSIGN_METRICS__LISTEN", "")
        .env("COUNTERSIGN_LOG__LEVEL", "warn")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {}", bin.display()))?;
    loop {
        if let Ok(r) = client.get(format!("{base}/readyz")).send().await
            && r.status().is_success()
        {
            break;
        }
        if let Some(status) = child.try_wait()? {
            bail!("countersign serve exited with {status} before it was ready");
        }
        if started.elapsed() > Duration::from_secs(30) {
            bail!("countersign serve was not ready within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    Ok(Started {
        child,
        base,
        startup_ms: started.elapsed().as_secs_f64() * 1000.0,
    })
}

pub(crate) async fn stop(mut child: Child) {
    if let Some(pid) = child.id() {
        // SIGTERM, so the server shuts down as in production.
        let _ = Command::new("kill").arg(pid.to_string()).status().await;
    }
    if tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .is_err()
    {
        let _ = child.kill().await;
    }
}

/// Resident memory of a process, from /proc.
pub(crate) fn rss_mb(pid: Option<u32>) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", pid?)).ok()?;
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

struct Load {
    p50_ms: f64,
    p99_ms: f64,
    per_second: f64,
}

/// Requests `/login` over `connections` keep-alive connections: as fast as possible when `rate`
/// is `None`, else paced so that all connections together send `rate` requests per second.
async fn login_load(
    base: &str,
    connections: usize,
    requests: usize,
    rate: Option<u32>,
) -> anyhow::Result<Load> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .timeout(Duration::from_secs(10))
        .build()?;
    let url = Arc::new(format!("{base}/login"));
    let per_task = requests.div_ceil(connections.max(1));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(connections);
    for index in 0..connections {
        let client = client.clone();
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            let mut samples = Vec::with_capacity(per_task);
            // One warm-up request per connection opens the connection outside the sample.
            let _ = client.get(url.as_str()).send().await?.bytes().await?;
            // Each connection's share of the paced rate; offsets spread them over one period.
            let mut ticker = rate.map(|r| {
                let period = Duration::from_secs_f64(connections as f64 / f64::from(r.max(1)));
                let offset = period.mul_f64(index as f64 / connections as f64);
                let mut t = tokio::time::interval_at(tokio::time::Instant::now() + offset, period);
                t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
                t
            });
            for _ in 0..per_task {
                let t = match ticker.as_mut() {
                    Some(ticker) => ticker.tick().await.into_std(),
                    None => Instant::now(),
                };
                let res = client.get(url.as_str()).send().await?;
                if !res.status().is_success() {
                    anyhow::bail!("GET /login answered {}", res.status());
                }
                res.bytes().await?;
                samples.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            Ok::<_, anyhow::Error>(samples)
        }));
    }
    let mut all = Vec::with_capacity(per_task * connections);
    for t in tasks {
        all.extend(t.await??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_by(f64::total_cmp);
    Ok(Load {
        p50_ms: percentile(&all, 0.50),
        p99_ms: percentile(&all, 0.99),
        per_second: all.len() as f64 / elapsed,
    })
}

pub(crate) fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let idx = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

pub(crate) fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

pub(crate) fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}
