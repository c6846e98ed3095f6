//! `countersign-bench dashboard` (issue 21.1): an org with many verifications (1,000,000 by
//! default) spread over 90 days, several technicians and customers, a message per
//! verification and a Secure Send link per 20, seeded with multi-row `INSERT`s straight into
//! the database (the rollup's insert trigger counts each ended verification, as it would have
//! when they ended); then the real dashboard page is fetched over HTTP, signed in like a
//! browser, for the 30-day and the 90-day period, and the latencies reported. The message
//! roll-up runs once before (as its schedule would have by then).

use super::contacts::Rng;
use super::serve::percentile;
use anyhow::bail;
use countersign_domain::{CustomerId, Email, OrgId, Permissions, Role, TechnicianId};
use countersign_store::{
    ContactStore, CustomerStore, PhoneStore, SourceKind, SyncedContact, Technician, TechnicianStore,
};
use serde_json::json;
use std::fmt::Write as _;
use std::time::Instant;
use uuid::Uuid;

/// Flags of the `dashboard` scenario.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Verifications to seed (over the last 90 days).
    #[arg(long, default_value_t = 1_000_000)]
    pub verifications: usize,
    /// Technicians they are spread over.
    #[arg(long, default_value_t = 12)]
    pub technicians: usize,
    /// Customers they are spread over (5 contacts each).
    #[arg(long, default_value_t = 300)]
    pub customers: usize,
    /// Renders to time per period (after 10 warm-up renders).
    #[arg(long, default_value_t = 200)]
    pub renders: usize,
    /// PostgreSQL server URL; a fresh database is created on it and dropped afterwards.
    /// Without it, a temporary SQLite file.
    #[arg(long)]
    pub database_url: Option<String>,
}

const DAY_MS: usize = 86_400_000;
const ROWS_PER_INSERT: usize = 500;
const ROWS_PER_TRANSACTION: usize = 20_000;
const CONTACTS_PER_CUSTOMER: usize = 5;

pub async fn run(args: Args) -> anyhow::Result<serde_json::Value> {
    super::setup::on_database(args.database_url.as_deref(), async |dir, url| {
        measure(&args, dir, url).await
    })
    .await
}

/// A direct connection for the seed, and how it writes literals.
enum Seeder {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

impl Seeder {
    async fn connect(
        database_url: Option<&str>,
        sqlite_file: &std::path::Path,
    ) -> anyhow::Result<Self> {
        use sqlx::Connection as _;
        Ok(match database_url {
            Some(url) => Self::Postgres(sqlx::PgConnection::connect(url).await?),
            None => {
                let url = format!("sqlite://{}", sqlite_file.display());
                let mut c = sqlx::SqliteConnection::connect(&url).await?;
                sqlx::query("PRAGMA busy_timeout = 30000")
                    .execute(&mut c)
                    .await?;
                Self::Sqlite(c)
            }
        })
    }

    async fn run(&mut self, sql: &str) -> anyhow::Result<()> {
        match self {
            Self::Sqlite(c) => {
                sqlx::raw_sql(sql).execute(&mut *c).await?;
            }
            Self::Postgres(c) => {
                sqlx::raw_sql(sql).execute(&mut *c).await?;
            }
        }
        Ok(())
    }

    fn uuid(&self, u: Uuid) -> String {
        match self {
            Self::Sqlite(_) => format!("X'{}'", u.simple()),
            Self::Postgres(_) => format!("'{u}'::uuid"),
        }
    }

    fn bytes(&self, hex: &str) -> String {
        match self {
            Self::Sqlite(_) => format!("X'{hex}'"),
            Self::Postgres(_) => format!("'\\x{hex}'::bytea"),
        }
    }

    fn begin(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "BEGIN IMMEDIATE;",
            Self::Postgres(_) => "BEGIN;",
        }
    }

    async fn analyze(&mut self) -> anyhow::Result<()> {
        match self {
            Self::Sqlite(_) => self.run("PRAGMA analysis_limit = 1000; ANALYZE;").await,
            Self::Postgres(_) => self.run("VACUUM (ANALYZE)").await,
        }
    }
}

/// One seeded verification and what came with it.
struct Seed {
    verification: String,
    message: String,
    secret: Option<String>,
}

/// Methods, by share of verifications: most MSPs send SMS codes.
const METHODS: [(&str, &str, usize); 5] = [
    ("sms_code", "sms", 50),
    ("sms_link", "sms", 20),
    ("email_code", "email", 15),
    ("email_link", "email", 10),
    ("technician_verification", "sms", 5),
];

#[allow(clippy::too_many_arguments)]
fn seed_row(
    s: &Seeder,
    rng: &mut Rng,
    i: usize,
    org: OrgId,
    now: i64,
    technicians: &[TechnicianId],
    contacts: &[Uuid],
) -> Seed {
    let at = now - 1 - i64::try_from(rng.below(90 * DAY_MS)).unwrap_or(0);
    let tech = technicians[rng.below(technicians.len())];
    let contact = contacts[rng.below(contacts.len())];
    let mut pick = rng.below(100);
    let (method, channel) = METHODS
        .iter()
        .find(|(_, _, share)| {
            let hit = pick < *share;
            pick = pick.saturating_sub(*share);
            hit
        })
        .map_or(("sms_code", "sms"), |(m, c, _)| (*m, *c));
    let roll = rng.below(100);
    let status = if method == "technician_verification" {
        "sent"
    } else if roll < 80 {
        "verified"
    } else if roll < 86 {
        "failed"
    } else if roll < 88 {
        "denied"
    } else {
        "expired"
    };
    let took = 5_000 + i64::try_from(rng.below(240_000)).unwrap_or(0);
    let completed = if status == "sent" {
        "NULL".to_owned()
    } else {
        (at + took).to_string()
    };
    let id = s.uuid(Uuid::now_v7());
    let org_lit = s.uuid(org.0);
    let verification = format!(
        "({id}, {org_lit}, {}, {}, '{method}', '{channel}', '+•••••••0101', '{status}', {at}, \
         {}, {completed})",
        s.uuid(contact),
        s.uuid(tech.0),
        at + 300_000,
    );
    let state = match (channel, rng.below(100)) {
        (_, 0..=2) => "failed",
        ("sms", _) => "delivered",
        _ => "sent",
    };
    let transport = if channel == "sms" { "twilio" } else { "smtp" };
    let message = format!(
        "({}, {org_lit}, '{channel}', 'verification_code', 'bench', '', 'x', '{transport}', \
         '{state}', 'bench:{i}', {at}, {at})",
        s.uuid(Uuid::now_v7()),
    );
    let secret = i.is_multiple_of(20).then(|| {
        let (state, revealed) = match rng.below(10) {
            0..=5 => ("revealed", (at + 60_000).to_string()),
            6..=7 => ("expired", "NULL".to_owned()),
            8 => ("burned", "NULL".to_owned()),
            _ => ("active", "NULL".to_owned()),
        };
        format!(
            "({}, {org_lit}, 'send', {}, {}, {}, 'sms', '+•••••••0101', 'bench', '{state}', '', \
             0, 0, 1, 0, 0, {at}, {}, {revealed})",
            s.uuid(Uuid::now_v7()),
            s.bytes(&format!("{i:064x}")),
            s.uuid(tech.0),
            s.uuid(contact),
            at + 86_400_000, // links live a day
        )
    });
    Seed {
        verification,
        message,
        secret,
    }
}

async fn seed(
    s: &mut Seeder,
    args: &Args,
    org: OrgId,
    now: i64,
    technicians: &[TechnicianId],
    contacts: &[Uuid],
) -> anyhow::Result<()> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let started = Instant::now();
    let mut done = 0;
    while done < args.verifications {
        let n = ROWS_PER_TRANSACTION.min(args.verifications - done);
        let mut sql = String::from(s.begin());
        for chunk_start in (0..n).step_by(ROWS_PER_INSERT) {
            let rows: Vec<Seed> = (chunk_start..n.min(chunk_start + ROWS_PER_INSERT))
                .map(|k| seed_row(s, &mut rng, done + k, org, now, technicians, contacts))
                .collect();
            let _ = write!(
                sql,
                "INSERT INTO verifications (id, org_id, contact_id, technician_id, method, \
                 channel, destination_masked, status, at, expires_at, completed_at) VALUES {};",
                rows.iter()
                    .map(|r| r.verification.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            );
            let _ = write!(
                sql,
                "INSERT INTO messages (id, org_id, channel, template, recipient, subject, \
                 body_text, transport, state, idempotency_key, created_at, updated_at) \
                 VALUES {};",
                rows.iter()
                    .map(|r| r.message.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            );
            let secrets: Vec<&str> = rows.iter().filter_map(|r| r.secret.as_deref()).collect();
            if !secrets.is_empty() {
                let _ = write!(
                    sql,
                    "INSERT INTO secrets (id, org_id, kind, token_hash, technician_id, \
                     contact_id, channel, recipient_masked, label, state, public_key, \
                     has_passphrase, require_verification, max_views, views_left, \
                     notify_on_reveal, created_at, expires_at, first_revealed_at) VALUES {};",
                    secrets.join(",")
                );
            }
        }
        sql.push_str("COMMIT;");
        s.run(&sql).await?;
        done += n;
        crate::report::progress(&format!(
            "{done} verifications in {:.0} s",
            started.elapsed().as_secs_f64()
        ));
    }
    Ok(())
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
    let now = app.now().0;

    crate::report::progress(&format!(
        "{} technicians, {} customers ({})",
        args.technicians,
        args.customers,
        if database_url.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    ));
    let mut technicians = vec![admin.technician.id];
    for t in 1..args.technicians.max(1) {
        let tech = Technician {
            id: TechnicianId::new(),
            email: format!("tech{t}@msp.example"),
            name: format!("Technician {t:02}"),
            role: Role::Technician,
            permissions: Permissions::none(),
            ..admin.technician.clone()
        };
        app.store().create_technician(&tech).await?;
        technicians.push(tech.id);
    }
    let mut contacts = Vec::new();
    for c in 0..args.customers.max(1) {
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
        let batch: Vec<SyncedContact> = (0..CONTACTS_PER_CUSTOMER).map(|i| contact(c, i)).collect();
        app.store()
            .upsert_synced_contacts(
                org,
                customer.id,
                SourceKind::Microsoft365,
                &batch,
                app.now(),
            )
            .await?;
        contacts.extend(customer_contacts(&app, org, customer.id).await?);
    }

    let mut seeder = Seeder::connect(database_url, &data_dir.join("countersign.db")).await?;
    let started = Instant::now();
    seed(&mut seeder, args, org, now, &technicians, &contacts).await?;
    let seed_seconds = started.elapsed().as_secs_f64();
    // What the scheduled roll-up (every 10 minutes) has done by the time anyone looks: the
    // message days before yesterday are in `message_daily`.
    let started = Instant::now();
    let days = app.roll_up_message_days().await?;
    let rollup_seconds = started.elapsed().as_secs_f64();
    crate::report::progress(&format!(
        "{days} message days rolled up in {rollup_seconds:.1} s"
    ));
    seeder.analyze().await?;

    let state = countersign_web::AppState::new(app.clone());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(countersign_web::serve(state, listener, async {
        let _ = stopped.await;
    }));
    let client = super::contacts::sign_in(&base, "loadtest@msp.example", password).await?;
    let mut figures = serde_json::Map::new();
    for days in [30, 90] {
        let url = format!("{base}/dashboard?days={days}");
        let mut latencies = Vec::with_capacity(args.renders);
        for i in 0..args.renders + 10 {
            let t = Instant::now();
            let res = client.get(&url).send().await?;
            if !res.status().is_success() {
                bail!("GET {url} answered {}", res.status());
            }
            let body = res.text().await?;
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            if !body.contains("Verifications per day") {
                bail!("GET {url} is not the dashboard");
            }
            if i >= 10 {
                latencies.push(ms);
            }
        }
        latencies.sort_by(f64::total_cmp);
        let p50 = percentile(&latencies, 0.50);
        let p95 = percentile(&latencies, 0.95);
        crate::report::progress(&format!(
            "{days} days: {} renders, p50 {p50:.1} ms, p95 {p95:.1} ms, max {:.1} ms",
            latencies.len(),
            latencies.last().copied().unwrap_or(f64::NAN)
        ));
        figures.insert(
            format!("p50_ms_{days}d"),
            json!((p50 * 10.0).round() / 10.0),
        );
        figures.insert(
            format!("p95_ms_{days}d"),
            json!((p95 * 10.0).round() / 10.0),
        );
    }
    let _ = stop.send(());
    let _ = server.await;
    app.store().close().await;
    let mut out = json!({
        "scenario": "dashboard",
        "backend": if database_url.is_some() { "postgres" } else { "sqlite" },
        "verifications": args.verifications,
        "technicians": args.technicians,
        "customers": args.customers,
        "seed_seconds": (seed_seconds * 10.0).round() / 10.0,
        "message_rollup_seconds": (rollup_seconds * 10.0).round() / 10.0,
        "renders_per_period": args.renders,
    });
    if let Some(o) = out.as_object_mut() {
        o.extend(figures);
    }
    Ok(out)
}

fn contact(customer: usize, i: usize) -> SyncedContact {
    let email = format!("user{i}@customer{customer}.example");
    SyncedContact {
        external_id: format!("{customer}-{i}"),
        upn: Some(email.clone()),
        given_name: "User".into(),
        surname: format!("{i}"),
        display_name: format!("User {i}"),
        email: Some(email),
        mobile: Some(format!("+1 555 010 {:04}", customer * 10 + i)),
        mobile_e164: Some(format!("+1555010{:04}", customer * 10 + i)),
        job_title: "Staff".into(),
        account_enabled: true,
        user_type: "Member".into(),
        ..SyncedContact::default()
    }
}

/// The ids of a customer's contacts.
async fn customer_contacts(
    app: &countersign_app::App,
    org: OrgId,
    customer: CustomerId,
) -> anyhow::Result<Vec<Uuid>> {
    Ok(app
        .store()
        .contacts_with_mobile(org, customer, SourceKind::Microsoft365)
        .await?
        .into_iter()
        .map(|c| c.id.0)
        .collect())
}
