//! `emulator-pages`: how fast a client can list users from the emulator, so the emulator never
//! bottlenecks the sync benchmarks. Starts the emulator in-process with one generated tenant,
//! takes a client-credentials token, then follows `@odata.nextLink` from
//! `GET /users?$select=…&$top=999` to the end, deserializing every page as a sync client would.
//!
//! Throttling stays on with Microsoft's quotas: with `$select` a page costs 1 RU, and a large
//! tenant allows 8,000 RU per 10 s, i.e. 800 pages/s (~800k users/s). A 429 is honoured by
//! sleeping `Retry-After`, and that time counts against the result.
//!
//! `rss_mb` is the peak RSS of this process, which hosts both the emulator and the client; the
//! client holds one page at a time, so this is an upper bound for the emulator.

use crate::report::{peak_rss_mb, progress};
use countersign_emulator::{AppKind, Emulator, Scenario};
use serde::Deserialize;
use std::time::{Duration, Instant};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Users in the tenant.
    #[arg(long, default_value_t = 1_000_000)]
    users: usize,
    /// Page size (`$top`).
    #[arg(long, default_value_t = 999)]
    top: u32,
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

const SELECT: &str = "id,displayName,givenName,surname,mail,userPrincipalName,mobilePhone,businessPhones,jobTitle,accountEnabled,userType,assignedLicenses,onPremisesSyncEnabled";

#[derive(Deserialize)]
#[allow(dead_code)] // fields are read by deserialization, as a sync client would
#[serde(rename_all = "camelCase")]
struct User {
    id: String,
    display_name: Option<String>,
    user_principal_name: Option<String>,
    mobile_phone: Option<String>,
    business_phones: Vec<String>,
    account_enabled: Option<bool>,
}

#[derive(Deserialize)]
struct Page {
    value: Vec<User>,
    #[serde(rename = "@odata.nextLink")]
    next_link: Option<String>,
}

pub async fn run(args: Args) -> anyhow::Result<serde_json::Value> {
    progress(&format!("generating a tenant with {} users", args.users));
    let setup = Instant::now();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let emulator = Emulator::start(Scenario::generate(1, args.users, args.seed), listener).await?;
    let setup_seconds = setup.elapsed().as_secs_f64();
    let m = emulator.manifest().clone();
    let tenant = m
        .tenants
        .first()
        .ok_or_else(|| anyhow::anyhow!("no tenant generated"))?;
    let app = m
        .apps
        .iter()
        .find(|a| a.kind == AppKind::MultiTenant)
        .ok_or_else(|| anyhow::anyhow!("no multi-tenant app"))?;
    progress(&format!(
        "emulator ready in {setup_seconds:.1}s at {}",
        m.graph_base_url
    ));

    let http = reqwest::Client::new();
    let token: serde_json::Value = http
        .post(format!(
            "{}/{}/oauth2/v2.0/token",
            m.login_base_url, tenant.id
        ))
        .form(&[
            ("client_id", app.client_id.to_string().as_str()),
            ("client_secret", app.client_secret.as_str()),
            ("grant_type", "client_credentials"),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let token = token["access_token"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("no access_token"))?
        .to_string();

    let mut url = format!(
        "{}/v1.0/users?$select={SELECT}&$top={}",
        m.graph_base_url, args.top
    );
    let (mut users, mut pages, mut throttled, mut bytes) = (0usize, 0usize, 0usize, 0usize);
    let started = Instant::now();
    loop {
        let resp = http.get(&url).bearer_auth(&token).send().await?;
        if resp.status() == reqwest::StatusCode::TOO_MANY_REQUESTS {
            throttled += 1;
            let wait = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok())
                .unwrap_or(1);
            tokio::time::sleep(Duration::from_secs(wait)).await;
            continue;
        }
        let body = resp.error_for_status()?.bytes().await?;
        bytes += body.len();
        let page: Page = serde_json::from_slice(&body)?;
        users += page.value.len();
        pages += 1;
        if pages % 100 == 0 {
            progress(&format!(
                "{users} users in {pages} pages, {:.1}s",
                started.elapsed().as_secs_f64()
            ));
        }
        match page.next_link {
            Some(next) => url = next,
            None => break,
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    anyhow::ensure!(
        users == tenant.users,
        "listed {users} users, tenant has {}",
        tenant.users
    );
    let rss_mb = peak_rss_mb();
    emulator.shutdown().await;
    Ok(serde_json::json!({
        "scenario": "emulator-pages",
        "users": users,
        "pages": pages,
        "page_size": args.top,
        "seconds": (seconds * 1000.0).round() / 1000.0,
        "users_per_second": (users as f64 / seconds).round(),
        "mb_per_second": ((bytes as f64 / 1_048_576.0 / seconds) * 10.0).round() / 10.0,
        "throttled_responses": throttled,
        "setup_seconds": (setup_seconds * 10.0).round() / 10.0,
        "rss_mb": rss_mb.round(),
    }))
}
