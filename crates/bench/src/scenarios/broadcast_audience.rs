//! `countersign-bench broadcast-audience`: the audience half of issue 20's `broadcast`
//! benchmark. Seeds contacts with a mobile number and an email address, then measures the
//! preview (`preview_seconds`) and the approval that resolves and freezes the audience in one
//! transaction (`audience_seconds`, target ≤ 2 s for 100,000 contacts on SQLite and on
//! PostgreSQL), through the real use cases. The `broadcast` scenario adds the delivery.

use crate::report::{peak_rss_mb, progress};
use crate::scenarios::setup::on_database;
use anyhow::{Context, bail};
use countersign_app::broadcasts::BroadcastInput;
use countersign_app::{App, Principal, Settings, SystemClock};
use countersign_domain::{BroadcastChannels, Email};
use countersign_store::{Audience, ContactStore, CustomerStore, SourceKind, SyncedContact};
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;

/// Flags of the `broadcast-audience` scenario.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Contacts, each with a mobile number and an email address.
    #[arg(long, default_value_t = 100_000)]
    pub recipients: usize,
    /// Contacts per customer.
    #[arg(long, default_value_t = 1_000)]
    pub per_customer: usize,
    /// PostgreSQL server URL; a fresh database is created on it and dropped afterwards.
    /// Without it, a temporary SQLite file.
    #[arg(long)]
    pub database_url: Option<String>,
}

pub async fn run(args: Args) -> anyhow::Result<serde_json::Value> {
    on_database(args.database_url.as_deref(), async |dir, url| {
        let mut settings = Settings::default();
        settings.storage.data_dir = dir.to_path_buf();
        if let Some(url) = url {
            settings.storage.database_url = url.to_owned();
        }
        let app = App::start(settings, Arc::new(SystemClock))
            .await
            .context("starting the app")?;
        measure(&args, &app).await
    })
    .await
}

async fn measure(args: &Args, app: &App) -> anyhow::Result<serde_json::Value> {
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
    let org = admin.org_id;
    seed(app, org, args.recipients, args.per_customer).await?;

    let started = Instant::now();
    let preview = app
        .preview_broadcast_audience(&by, &Audience::AllCustomers, BroadcastChannels::BOTH)
        .await?;
    let preview_seconds = started.elapsed().as_secs_f64();
    progress(&format!("preview: {preview_seconds:.2} s"));

    let input = BroadcastInput {
        name: "Exchange outage".into(),
        channels: BroadcastChannels::BOTH,
        sms_text: "{msp_name}: Exchange is down for {customer}. We are on it.".into(),
        email_subject: "Exchange outage".into(),
        email_body: "Dear {first_name},\n\nExchange is down. We are on it.\n".into(),
        audience: Audience::AllCustomers,
        scheduled_at: None,
        respect_quiet_hours: false,
    };
    let draft = app.create_broadcast_draft(&by, &input).await?;
    app.request_broadcast_approval(&by, draft.id).await?;
    let started = Instant::now();
    let frozen = app
        .approve_broadcast(&by, draft.id, preview.recipients)
        .await?;
    let audience_seconds = started.elapsed().as_secs_f64();
    progress(&format!(
        "approve (resolve and freeze): {audience_seconds:.2} s"
    ));
    if frozen != preview {
        bail!("the freeze counted {frozen:?}, the preview {preview:?}");
    }
    Ok(json!({
        "recipients": frozen.recipients,
        "messages": frozen.sms + frozen.email,
        "preview_seconds": preview_seconds,
        "audience_seconds": audience_seconds,
        "peak_rss_mb": peak_rss_mb(),
    }))
}

/// Seeds `recipients` synced contacts of `org`, each with a distinct mobile number and email
/// address, `per_customer` to a customer. Returns how many.
///
/// # Errors
/// A store failure.
pub async fn seed(
    app: &App,
    org: countersign_domain::OrgId,
    recipients: usize,
    per_customer: usize,
) -> anyhow::Result<usize> {
    let seeding = Instant::now();
    let mut n = 0;
    while n < recipients {
        let customer = app
            .store()
            .upsert_synced_customer(
                org,
                SourceKind::Microsoft365,
                &format!("tenant-{n}"),
                &format!("Customer {n}"),
                countersign_domain::Timestamp(0),
            )
            .await?;
        let page: Vec<SyncedContact> = (n..(n + per_customer).min(recipients))
            .map(|i| SyncedContact {
                external_id: format!("user-{i}"),
                given_name: format!("Given{i}"),
                surname: "Bench".into(),
                display_name: format!("Given{i} Bench"),
                email: Some(format!("user{i}@customer{n}.example")),
                mobile: Some(format!("+1425{i:07}")),
                mobile_e164: Some(format!("+1425{i:07}")),
                account_enabled: true,
                user_type: "Member".into(),
                ..SyncedContact::default()
            })
            .collect();
        n += page.len();
        app.store()
            .upsert_synced_contacts(
                org,
                customer.id,
                SourceKind::Microsoft365,
                &page,
                countersign_domain::Timestamp(0),
            )
            .await?;
    }
    progress(&format!(
        "seeded {n} contacts in {:.1} s",
        seeding.elapsed().as_secs_f64()
    ));
    Ok(n)
}
