//! `countersign-bench sync`: a full Microsoft 365 sync of many tenants from the in-process
//! simulator through the real sync engine (`App::sync_tenant`: Graph client, delta paging,
//! contact upserts) into the real store (a temporary SQLite file, or a fresh PostgreSQL
//! database created from `--database-url` and dropped afterwards). Then 1 % of the users
//! change through the simulator's control API and every tenant runs a delta sync.
//!
//! `fetch_only_seconds` is the floor: a plain HTTP client fetching the same delta pages
//! (tokens included) with the same concurrency, reading the bodies without parsing or storing.

use crate::report::{peak_rss_mb, progress};
use crate::scenarios::contacts::{drop_database, fresh_database};
use anyhow::{Context, bail};
use countersign_app::microsoft::SyncOutcome;
use countersign_app::microsoft::{LinkKind, NewTenantLink};
use countersign_app::{App, Settings, SystemClock};
use countersign_domain::{Email, OrgId, TenantLinkId};
use countersign_emulator::{AppKind, ConsentSpec, Emulator, Manifest, Scenario};
use countersign_microsoft::USER_SELECT;
use countersign_store::{
    ContactQuery, ContactStore, IntegrationKind, IntegrationStore, SyncProgress,
};
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// Flags of the `sync` scenario.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Customer tenants.
    #[arg(long, default_value_t = 200)]
    pub tenants: usize,
    /// Users per tenant.
    #[arg(long, default_value_t = 1_000)]
    pub users_per_tenant: usize,
    /// Tenants synced at the same time (as many worker jobs in flight). SQLite has one
    /// writer: 8 queues page transactions past the 5 s busy timeout (see docs/benchmarks.md).
    #[arg(long, default_value_t = 2)]
    pub concurrency: usize,
    /// PostgreSQL server URL; a fresh database is created on it and dropped afterwards.
    /// Without it, a temporary SQLite file.
    #[arg(long)]
    pub database_url: Option<String>,
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
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

/// A generated world where the multi-tenant app is consented in every customer (the
/// generated gaps — every 7th tenant unconsented — are for the functional tests).
fn world(args: &Args) -> Scenario {
    let mut s = Scenario::generate(args.tenants, args.users_per_tenant, args.seed);
    let multi = s
        .apps
        .iter()
        .find(|a| a.kind == AppKind::MultiTenant)
        .map(|a| a.client_id);
    if let Some(client_id) = multi {
        for t in &s.tenants {
            let consented = s
                .consents
                .iter()
                .any(|c| c.client_id == client_id && c.tenant == t.domain);
            if !consented {
                s.consents.push(ConsentSpec {
                    tenant: t.domain.clone(),
                    client_id,
                    application_permissions: None,
                    delegated_permissions: None,
                    directory_roles: Vec::new(),
                });
            }
        }
    }
    s
}

async fn measure(
    args: &Args,
    data_dir: &std::path::Path,
    database_url: Option<&str>,
) -> anyhow::Result<serde_json::Value> {
    progress(&format!(
        "generating {} tenants × {} users",
        args.tenants, args.users_per_tenant
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let sim = Emulator::start(world(args), listener).await?;
    let m = sim.manifest().clone();
    let multi = m
        .apps
        .iter()
        .find(|a| a.kind == AppKind::MultiTenant)
        .context("no multi-tenant app")?
        .clone();

    let mut settings = Settings::default();
    settings.storage.data_dir = data_dir.to_path_buf();
    if let Some(url) = database_url {
        settings.storage.database_url = url.to_owned();
    }
    settings.microsoft.client_id = multi.client_id.to_string();
    settings.microsoft.client_secret = multi.client_secret.clone();
    settings.microsoft.custom_login_base_url = m.login_base_url.clone();
    settings.microsoft.custom_graph_base_url = m.graph_base_url.clone();
    let app = App::start(settings, Arc::new(SystemClock))
        .await
        .context("starting the app")?;
    let admin = app
        .create_admin(
            "Bench MSP",
            &Email::parse("sync@msp.example")?,
            "plum orbit velvet 42",
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let org = admin.org.id;
    let integration = app
        .create_integration(
            &countersign_app::Principal::cli(org),
            IntegrationKind::Microsoft365,
            "Microsoft 365",
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut links = Vec::with_capacity(m.tenants.len());
    for t in &m.tenants {
        let l = app
            .upsert_tenant_link(
                &NewTenantLink {
                    org_id: org,
                    integration_id: integration.id,
                    tenant_id: t.id.to_string(),
                    link: LinkKind::AdminConsent,
                    display_name: t.display_name.clone(),
                    default_domain: t.domain.clone(),
                    relationships: String::new(),
                    roles: String::new(),
                },
                app.now(),
            )
            .await?;
        links.push(l.id);
    }
    // Sync Customer comes first in the workflow; it is not part of the users sync.
    progress("creating the customers (Sync Customer)");
    for l in &links {
        app.sync_customer(org, *l)
            .await
            .map_err(|e| anyhow::anyhow!("sync customer: {e}"))?;
    }

    progress(&format!(
        "full sync ({}, {} tenants at a time)",
        if database_url.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        args.concurrency
    ));
    let started = Instant::now();
    let full = sync_all(&app, org, &links, args.concurrency).await?;
    let full_seconds = started.elapsed().as_secs_f64();
    let expected: usize = m.tenants.iter().map(|t| t.users).sum();
    let users_seen = usize::try_from(full.users_seen).unwrap_or(0);
    if users_seen != expected {
        bail!("the full sync saw {users_seen} users; the simulator has {expected}");
    }
    let contacts_stored = app
        .store()
        .integration_contact_count(org, integration.id)
        .await?;
    progress(&format!(
        "full sync: {users_seen} users, {contacts_stored} contacts in {full_seconds:.2} s"
    ));

    let changed = change_one_percent(&app, org, &sim, &links, args.users_per_tenant).await?;
    progress(&format!("changed {changed} users; delta sync"));
    let started = Instant::now();
    let delta = sync_all(&app, org, &links, args.concurrency).await?;
    let delta_seconds = started.elapsed().as_secs_f64();
    if usize::try_from(delta.changed).unwrap_or(0) != changed {
        bail!(
            "the delta sync changed {} contacts; {changed} users changed",
            delta.changed
        );
    }

    progress("fetch only (plain HTTP client)");
    let fetch_only_seconds = fetch_only(
        &m,
        &multi.client_id.to_string(),
        &multi.client_secret,
        args.concurrency,
    )
    .await?;
    let rss = peak_rss_mb();
    sim.shutdown().await;
    let round = |x: f64| (x * 1000.0).round() / 1000.0;
    Ok(json!({
        "scenario": "sync",
        "backend": if database_url.is_some() { "postgres" } else { "sqlite" },
        "tenants": m.tenants.len(),
        "users_seen": users_seen,
        "contacts_stored": contacts_stored,
        "full_seconds": round(full_seconds),
        "users_per_second": (users_seen as f64 / full_seconds).round(),
        "delta_users_changed": changed,
        "delta_seconds": round(delta_seconds),
        "fetch_only_seconds": round(fetch_only_seconds),
        "peak_rss_mb": rss.round(),
    }))
}

/// Syncs every link, `concurrency` at a time, and adds up their counters. Any failure
/// fails the benchmark (a benchmark of a sync that did not happen measures nothing).
async fn sync_all(
    app: &App,
    org: OrgId,
    links: &[TenantLinkId],
    concurrency: usize,
) -> anyhow::Result<SyncProgress> {
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut set = JoinSet::new();
    for l in links {
        let (app, l, permits) = (app.clone(), *l, permits.clone());
        set.spawn(async move {
            let _permit = permits.acquire_owned().await?;
            match app.sync_tenant(org, l).await {
                Ok(SyncOutcome::Done(p)) => Ok(p),
                Ok(other) => bail!("tenant sync did not finish: {other:?}"),
                Err(e) => bail!("tenant sync failed: {e}"),
            }
        });
    }
    let mut total = SyncProgress::default();
    while let Some(r) = set.join_next().await {
        let p = r??;
        total.pages += p.pages;
        total.users_seen += p.users_seen;
        total.added += p.added;
        total.changed += p.changed;
        total.removed += p.removed;
    }
    Ok(total)
}

/// Gives 1 % of each tenant's stored contacts a new mobile number in the simulator.
async fn change_one_percent(
    app: &App,
    org: OrgId,
    sim: &countersign_emulator::RunningEmulator,
    links: &[TenantLinkId],
    users_per_tenant: usize,
) -> anyhow::Result<usize> {
    let per_tenant = (users_per_tenant / 100).max(1);
    let control = sim.control();
    let mut n = 0usize;
    for l in links {
        let link = app.tenant_link(org, *l).await?;
        let customer = link.customer_id.context("a synced link has a customer")?;
        let q = ContactQuery {
            customer: Some(customer),
            limit: i64::try_from(per_tenant).unwrap_or(1),
            ..ContactQuery::default()
        };
        for contact in app.store().search_contacts(org, &q).await? {
            let Some(user) = contact.external_id else {
                continue;
            };
            control.edit_user(
                &link.new.tenant_id,
                &user,
                &json!({"mobilePhone": format!("+1 425 555 {:04}", n % 10_000)}),
            )?;
            n += 1;
        }
    }
    Ok(n)
}

/// The same full delta round with a plain client: a token per tenant, then every page body
/// read to the end; the next link is found by text search, nothing is deserialized.
async fn fetch_only(
    m: &Manifest,
    client_id: &str,
    secret: &str,
    concurrency: usize,
) -> anyhow::Result<f64> {
    let http = reqwest::Client::new();
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let started = Instant::now();
    let mut set = JoinSet::new();
    for t in &m.tenants {
        let (http, permits) = (http.clone(), permits.clone());
        let token_url = format!("{}/{}/oauth2/v2.0/token", m.login_base_url, t.id);
        let first = format!(
            "{}/v1.0/users/delta?$select={}",
            m.graph_base_url, USER_SELECT
        );
        let (client_id, secret) = (client_id.to_owned(), secret.to_owned());
        set.spawn(async move {
            let _permit = permits.acquire_owned().await?;
            let token: serde_json::Value = http
                .post(token_url)
                .form(&[
                    ("client_id", client_id.as_str()),
                    ("client_secret", secret.as_str()),
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
                .context("no access_token")?
                .to_owned();
            let mut url = Some(first);
            while let Some(u) = url.take() {
                let body = http
                    .get(&u)
                    .bearer_auth(&token)
                    .header("Prefer", "odata.maxpagesize=999")
                    .send()
                    .await?
                    .error_for_status()?
                    .text()
                    .await?;
                url = next_link(&body);
            }
            anyhow::Ok(())
        });
    }
    while let Some(r) = set.join_next().await {
        r??;
    }
    Ok(started.elapsed().as_secs_f64())
}

/// `@odata.nextLink` of a page, found as text (URLs in JSON have no escapes to undo but
/// `\/`, which Graph does not use).
fn next_link(body: &str) -> Option<String> {
    let key = "\"@odata.nextLink\":\"";
    let at = body.find(key)? + key.len();
    let rest = &body[at..];
    Some(rest[..rest.find('"')?].to_owned())
}
