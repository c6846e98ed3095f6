//! `countersign demo`: a throwaway instance for a first look. Everything lives in a temporary
//! directory that is deleted when the demo stops.

use crate::cli::DemoArgs;
use anyhow::Context;
use countersign_app::{App, Settings, SystemClock};
use countersign_domain::Email;
use std::process::ExitCode;
use std::sync::Arc;
use tokio::net::TcpListener;

/// The demo admin's login name.
pub const DEMO_EMAIL: &str = "admin@demo.test";
/// The demo admin's display name: a person's, as in a real MSP, so pages, messages and the
/// audit log read as they would there (not "admin").
pub const DEMO_ADMIN_NAME: &str = "Alex Morgan";

pub async fn run(mut settings: Settings, args: DemoArgs) -> anyhow::Result<ExitCode> {
    let dir = tempfile::Builder::new()
        .prefix("countersign-demo-")
        .tempdir()?;
    let listener = match TcpListener::bind(&args.listen).await {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(listen = %args.listen, error = %e, "address taken; using a free port");
            TcpListener::bind("127.0.0.1:0")
                .await
                .context("cannot listen on 127.0.0.1")?
        }
    };
    let addr = listener.local_addr()?;
    settings.storage.data_dir = dir.path().to_path_buf();
    settings.storage.database_url.clear();
    settings.security.master_key_file.clear();
    settings.server.listen = addr.to_string();
    settings.server.public_url = format!("http://{addr}");
    // The demo must not collide with a real instance's metrics port.
    settings.metrics.listen.clear();
    // Nothing leaves a demo: messages go to the Outbox page.
    settings.messaging.transport = countersign_app::settings::MessagingTransport::Outbox;
    // So webhooks can be tried against a receiver on this machine (`http://127.0.0.1:…`).
    settings.webhooks.allow_private_targets = true;
    let sim = start_simulator(&format!("http://{addr}")).await?;
    let manifest = sim.manifest().clone();
    let multi = manifest
        .apps
        .iter()
        .find(|a| a.kind == countersign_emulator::AppKind::MultiTenant)
        .context("simulator has no multi-tenant app")?;
    let partner_app = manifest
        .apps
        .iter()
        .find(|a| a.kind == countersign_emulator::AppKind::Partner)
        .context("simulator has no partner app")?
        .clone();
    // Countersign's own app (tenant by tenant) is the simulator's multi-tenant app, and new
    // integrations start on the Custom cloud pointing at the simulator.
    settings.microsoft.client_id = multi.client_id.to_string();
    settings.microsoft.client_secret = multi.client_secret.clone();
    settings.microsoft.custom_login_base_url = manifest.login_base_url.clone();
    settings.microsoft.custom_graph_base_url = manifest.graph_base_url.clone();
    let app = App::start(settings, Arc::new(SystemClock)).await?;
    let password = demo_password();
    let email = Email::parse(DEMO_EMAIL).context("demo email")?;
    app.create_admin_named("Demo MSP", DEMO_ADMIN_NAME, &email, &password)
        .await
        .context("creating the demo admin")?;
    println!("Countersign demo is running at http://{addr}/login");
    println!("Login: {DEMO_EMAIL}  Password: {password}");
    println!();
    println!(
        "Microsoft 365 simulator: {}",
        manifest.login_base_url.trim_end_matches("/login")
    );
    println!(
        "  New integrations use the Custom cloud pointing at it (login {}, Graph {}).",
        manifest.login_base_url, manifest.graph_base_url
    );
    println!(
        "  Tenant by tenant: Connect to Microsoft 365, approve as an admin of one of these, then sign in as that admin:"
    );
    for t in manifest.tenants.iter().skip(GDAP_CUSTOMERS) {
        println!("    {} ({}, {} users)", t.display_name, t.domain, t.users);
    }
    println!("  CSP / GDAP: Connect to Microsoft 365 (GDAP) and enter");
    println!("    CSP primary domain: {}", manifest.partner.domain);
    println!("    Application ID:     {}", partner_app.client_id);
    println!("    Client secret:      {}", partner_app.client_secret);
    println!(
        "    (the simulator accepts the redirect URI of every integration, as if you had registered it)"
    );
    println!("  GDAP customers:");
    for t in manifest.tenants.iter().take(GDAP_CUSTOMERS) {
        println!("    {} ({}, {} users)", t.display_name, t.domain, t.users);
    }
    println!();
    println!(
        "Data lives in {} and is deleted when you stop the demo (Ctrl-C).",
        dir.path().display()
    );
    super::serve::serve_app(app, listener, true).await?;
    sim.shutdown().await;
    drop(dir);
    Ok(ExitCode::SUCCESS)
}

/// Customers reached through the partner's GDAP relationships; the others are for
/// tenant-by-tenant consent.
const GDAP_CUSTOMERS: usize = 3;

/// The simulator with the demo's world: a partner tenant with GDAP relationships to three
/// customers, and two more customers to connect tenant by tenant (25–200 users each).
async fn start_simulator(
    public_url: &str,
) -> anyhow::Result<countersign_emulator::RunningEmulator> {
    let mut scenario = countersign_emulator::Scenario::generate(5, 100, 2024);
    for (t, users) in scenario.tenants.iter_mut().zip([150, 60, 200, 40, 90]) {
        t.generate_users = users;
    }
    let consent_domains: Vec<String> = scenario
        .tenants
        .iter()
        .skip(GDAP_CUSTOMERS)
        .map(|t| t.domain.clone())
        .collect();
    // The tenant-by-tenant customers have no GDAP relationship and have not consented yet:
    // the newcomer does that in the simulator's consent page.
    scenario
        .gdap
        .retain(|g| !consent_domains.contains(&g.customer));
    scenario
        .consents
        .retain(|c| !consent_domains.contains(&c.tenant));
    let callback = countersign_app::microsoft::consent_redirect_uri_for(public_url);
    for a in &mut scenario.apps {
        a.redirect_uris.push(callback.clone());
    }
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .context("cannot listen for the simulator")?;
    let sim = countersign_emulator::Emulator::start(scenario, listener)
        .await
        .context("starting the Microsoft 365 simulator")?;
    // Stands for registering each integration's GDAP redirect URI in the partner app.
    for a in &sim.manifest().apps {
        if a.kind == countersign_emulator::AppKind::Partner {
            sim.control()
                .add_redirect_uri(a.client_id, &format!("{public_url}/integrations/psa/*"));
        }
    }
    Ok(sim)
}

/// A random, readable password (the demo prints it; it is not a real account).
fn demo_password() -> String {
    let (token, _) = countersign_crypto::random_token();
    let clean: String = token
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(16)
        .collect();
    format!("demo-{clean}")
}
