//! `countersign-bench contacts`: loads contacts across customers through the store's sync
//! upsert (what a Microsoft 365 sync calls), then runs a mixed set of searches (name prefix,
//! phone digits, email, customer filter) against the real HTTP server, signed in like a
//! browser, and reports the latency of `GET /contacts?…`.

use anyhow::{Context, bail};
use countersign_domain::Email;
use countersign_store::{ContactStore, CustomerStore, SourceKind, SyncedContact};
use serde_json::json;
use std::time::Instant;

/// Flags of the `contacts` scenario.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Contacts to load.
    #[arg(long, default_value_t = 1_000_000)]
    pub contacts: usize,
    /// Customers they are spread over.
    #[arg(long, default_value_t = 2_000)]
    pub customers: usize,
    /// Searches to time (after 100 warm-up searches).
    #[arg(long, default_value_t = 2_000)]
    pub searches: usize,
    /// PostgreSQL server URL; a fresh database is created on it and dropped afterwards.
    /// Without it, a temporary SQLite file.
    #[arg(long)]
    pub database_url: Option<String>,
}

const GIVEN: [&str; 24] = [
    "Ann", "Bo", "Chloé", "David", "Élodie", "Farid", "Grace", "Hannah", "Ivan", "José", "Kai",
    "Lena", "Mia", "Noah", "Olivia", "Pål", "Quinn", "Raúl", "Sofia", "Tom", "Uma", "Zoë", "Björn",
    "Amélie",
];
const SURNAMES: [&str; 30] = [
    "Smith",
    "Jones",
    "Müller",
    "García",
    "Martin",
    "Bernard",
    "de Vries",
    "Jansen",
    "Brown",
    "Wilson",
    "Taylor",
    "Nguyen",
    "Kowalski",
    "Ångström",
    "O'Brien",
    "Schmidt",
    "Dubois",
    "Rossi",
    "Novak",
    "Lee",
    "Walker",
    "Hall",
    "Young",
    "King",
    "Wright",
    "Scott",
    "Green",
    "Baker",
    "Adams",
    "Nelson",
];

/// A small deterministic generator (xorshift64*), so every run loads the same data.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn user(rng: &mut Rng, customer: usize, i: usize) -> SyncedContact {
    let given = GIVEN[rng.below(GIVEN.len())];
    let surname = SURNAMES[rng.below(SURNAMES.len())];
    let email = format!(
        "{}.{}{i}@customer{customer}.example",
        countersign_domain::search::fold(given),
        countersign_domain::search::fold(surname).replace([' ', '\''], "")
    );
    let mobile = format!(
        "+1 {} {} {:04}",
        200 + rng.below(800),
        200 + rng.below(800),
        rng.below(10_000)
    );
    let digits: String = mobile.chars().filter(char::is_ascii_digit).collect();
    let business_phones = if rng.below(10) < 3 {
        vec![format!(
            "+1 {} 555 {:04}",
            200 + rng.below(800),
            rng.below(10_000)
        )]
    } else {
        Vec::new()
    };
    SyncedContact {
        external_id: format!("{customer}-{i}"),
        upn: Some(email.clone()),
        given_name: given.to_owned(),
        surname: surname.to_owned(),
        display_name: format!("{given} {surname}"),
        email: Some(email),
        mobile: Some(mobile),
        mobile_e164: Some(format!("+{digits}")),
        phone_country: None,
        business_phones,
        job_title: "Staff".into(),
        department: String::new(),
        account_enabled: rng.below(50) != 0,
        user_type: "Member".into(),
        removed: false,
        broadcast_opt_out: None,
        preferred_language: None,
    }
}

/// Creates a fresh database on the server and returns its URL.
pub(crate) async fn fresh_database(admin_url: &str) -> anyhow::Result<(String, String)> {
    use sqlx::Connection as _;
    let name = format!("cs_bench_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(admin_url).await?;
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(&mut conn)
        .await?;
    let mut url = url::Url::parse(admin_url)?;
    url.set_path(&format!("/{name}"));
    Ok((url.to_string(), name))
}

pub(crate) async fn drop_database(admin_url: &str, name: &str) {
    use sqlx::Connection as _;
    if let Ok(mut conn) = sqlx::PgConnection::connect(admin_url).await {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .execute(&mut conn)
            .await;
    }
}

pub async fn run(args: Args) -> anyhow::Result<serde_json::Value> {
    let dir = tempfile::tempdir()?;
    let pg = match &args.database_url {
        Some(admin) => Some((admin.clone(), fresh_database(admin).await?)),
        None => None,
    };
    let result = measure(
        &args,
        dir.path(),
        pg.as_ref().map(|(_, (url, _))| url.as_str()),
    )
    .await;
    if let Some((admin, (_, name))) = &pg {
        drop_database(admin, name).await;
    }
    result
}

async fn measure(
    args: &Args,
    data_dir: &std::path::Path,
    database_url: Option<&str>,
) -> anyhow::Result<serde_json::Value> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let (app, base) = super::setup::local_app(&listener, data_dir, database_url, |_| {}).await?;
    let password = "plum orbit velvet 42";
    let admin = app
        .create_admin(
            "Bench MSP",
            &Email::parse("loadtest@msp.example")?,
            password,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let org = admin.org.id;

    crate::report::progress(&format!(
        "loading {} contacts across {} customers ({})",
        args.contacts,
        args.customers,
        if database_url.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    ));
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let per_customer = args.contacts.div_ceil(args.customers.max(1));
    let started = Instant::now();
    let mut customer_ids = Vec::with_capacity(args.customers);
    let mut samples: Vec<SyncedContact> = Vec::new();
    let mut loaded = 0;
    for c in 0..args.customers {
        let customer = app
            .store()
            .upsert_synced_customer(
                org,
                SourceKind::Microsoft365,
                &format!("tenant-{c}"),
                &format!("Customer {c:04}"),
                app.now(),
            )
            .await?;
        customer_ids.push(customer.id);
        let n = per_customer.min(args.contacts - loaded);
        let batch: Vec<SyncedContact> = (0..n).map(|i| user(&mut rng, c, loaded + i)).collect();
        if c % 10 == 0 {
            samples.push(batch[0].clone());
        }
        app.store()
            .upsert_synced_contacts(
                org,
                customer.id,
                SourceKind::Microsoft365,
                &batch,
                app.now(),
            )
            .await?;
        loaded += n;
        if c % 200 == 199 {
            crate::report::progress(&format!(
                "{loaded} contacts in {:.0} s",
                started.elapsed().as_secs_f64()
            ));
        }
    }
    let load_seconds = started.elapsed().as_secs_f64();
    crate::report::progress(&format!("loaded in {load_seconds:.1} s"));
    analyze(database_url, &data_dir.join("countersign.db")).await?;

    let state = countersign_web::AppState::new(app.clone());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(countersign_web::serve(state, listener, async {
        let _ = stopped.await;
    }));
    let client = sign_in(&base, "loadtest@msp.example", password).await?;

    // The mix: name prefixes, phone digits (last 4, or 7), emails, a customer's contacts.
    let mut queries = Vec::with_capacity(args.searches + 100);
    let mut qrng = Rng(0xD1B5_4A32_D192_ED03);
    for i in 0..args.searches + 100 {
        let s = &samples[qrng.below(samples.len())];
        let q = match i % 4 {
            0 => {
                let word = if qrng.below(2) == 0 {
                    &s.given_name
                } else {
                    &s.surname
                };
                format!(
                    "q={}",
                    urlencoding::encode(&word.chars().take(4).collect::<String>())
                )
            }
            1 => {
                let digits: String = s
                    .mobile
                    .as_deref()
                    .unwrap_or("")
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect();
                let take = if qrng.below(2) == 0 { 4 } else { 7 };
                format!("q={}", &digits[digits.len() - take..])
            }
            2 => format!(
                "q={}",
                urlencoding::encode(s.email.as_deref().unwrap_or(""))
            ),
            _ => format!("customer={}", customer_ids[qrng.below(customer_ids.len())]),
        };
        queries.push(format!("{base}/contacts?{q}"));
    }
    let mut latencies = Vec::with_capacity(args.searches);
    let mut empty = 0;
    for (i, url) in queries.iter().enumerate() {
        let t = Instant::now();
        let res = client.get(url).send().await?;
        if !res.status().is_success() {
            bail!("GET {url} answered {}", res.status());
        }
        let body = res.text().await?;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        if i >= 100 {
            latencies.push(ms);
            if !body.contains("/pod/contacts/") {
                empty += 1;
            }
        }
    }
    let _ = stop.send(());
    let _ = server.await;
    app.store().close().await;
    latencies.sort_by(f64::total_cmp);
    let p50 = percentile(&latencies, 0.50);
    let p99 = percentile(&latencies, 0.99);
    crate::report::progress(&format!(
        "{} searches: p50 {p50:.2} ms, p99 {p99:.2} ms, max {:.2} ms ({empty} without results)",
        latencies.len(),
        latencies.last().copied().unwrap_or(f64::NAN)
    ));
    Ok(json!({
        "scenario": "contacts",
        "backend": if database_url.is_some() { "postgres" } else { "sqlite" },
        "contacts": args.contacts,
        "customers": args.customers,
        "load_seconds": (load_seconds * 10.0).round() / 10.0,
        "searches": latencies.len(),
        "searches_without_results": empty,
        "search_p50_ms": (p50 * 100.0).round() / 100.0,
        "search_p99_ms": (p99 * 100.0).round() / 100.0,
    }))
}

/// Gives the planner statistics of the bulk-loaded tables, as autovacuum (PostgreSQL: which
/// also marks the freshly written pages all-visible, so index-only scans stay index-only) or
/// `PRAGMA optimize` (SQLite) would in time: bench only, not part of the load time.
async fn analyze(database_url: Option<&str>, sqlite_file: &std::path::Path) -> anyhow::Result<()> {
    use sqlx::Connection as _;
    let started = Instant::now();
    if let Some(url) = database_url {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        sqlx::query("VACUUM (ANALYZE)").execute(&mut conn).await?;
    } else {
        let url = format!("sqlite://{}", sqlite_file.display());
        let mut conn = sqlx::SqliteConnection::connect(&url).await?;
        sqlx::query("PRAGMA analysis_limit = 1000")
            .execute(&mut conn)
            .await?;
        sqlx::query("ANALYZE").execute(&mut conn).await?;
    }
    crate::report::progress(&format!(
        "analysed in {:.1} s",
        started.elapsed().as_secs_f64()
    ));
    Ok(())
}

/// A client signed in through the login form, with the headers a browser sends.
pub(crate) async fn sign_in(
    base: &str,
    email: &str,
    password: &str,
) -> anyhow::Result<reqwest::Client> {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("origin", base.parse()?);
    headers.insert("sec-fetch-site", "same-origin".parse()?);
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()?;
    let page = client
        .get(format!("{base}/login"))
        .send()
        .await?
        .text()
        .await?;
    let marker = "name=\"_csrf\" value=\"";
    let at = page.find(marker).context("no _csrf on /login")? + marker.len();
    let csrf = &page[at..at + page[at..].find('"').context("bad _csrf")?];
    let res = client
        .post(format!("{base}/login"))
        .form(&[("_csrf", csrf), ("email", email), ("password", password)])
        .send()
        .await?;
    if res.status() != 303 {
        bail!("sign-in failed: {}", res.status());
    }
    Ok(client)
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let idx = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}
