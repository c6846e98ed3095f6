//! Issue 17, Microsoft 365 behaviour, over HTTP against the simulator: endpoints are the
//! server's, never an org's (17.2); a GDAP refresh ends tenants whose relationships ended
//! (17.6); a token Graph rejects is dropped and replaced on the interactive paths (17.7); a
//! failed re-connection keeps the working one (17.8); a 410 in the middle of a full round
//! queues the full round again (17.9); advice names where the fix is made (17.10).

use crate::integrations::{
    ALEX_GA, CONTOSO, MT_APP, PARTNER_APP, PARTNER_SECRET, World, ZOE_GA, example, world_with,
};
use crate::m365_resilience::big_contoso;
use crate::m365_support::{
    assert_contacts_equal_simulator, contacts, contoso_linked, link, org_of, sync_via_queue,
};
use crate::{get, location};
use countersign_app::microsoft::{GdapStatus, LinkKind, MicrosoftIntegration};
use countersign_domain::{IntegrationId, OrgId};
use countersign_store::{AuditStore, JobStore, SyncSourceStore};
use countersign_testkit::skip_postgres;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const FABRIKAM: &str = "33333333-3333-4333-8333-333333333333";
const TARO: &str = "22222222-0000-4000-8000-000000000002";
const HOURS_2: u64 = 2 * 3600;

fn integration_id(page: &str) -> IntegrationId {
    page.rsplit('/').next().unwrap().parse().unwrap()
}

/// A loopback listener that counts every connection made to it (and answers none).
async fn recording_listener() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    tokio::spawn(async move {
        while let Ok((conn, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            drop(conn);
        }
    });
    (url, hits)
}

/// Submits the GDAP dialog with `secret` and approves (or cancels) at Microsoft as Alex;
/// the response of our callback.
async fn gdap_sign_in(w: &World, page: &str, secret: &str, action: &str) -> reqwest::Response {
    let res = w.gdap_partner(page, secret).await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let back = w.microsoft_page(&location(&res), ALEX_GA, action).await;
    w.browser.get(w.app.url(&back)).send().await.unwrap()
}

async fn gdap_connected(w: &World) -> String {
    let page = w.add_integration().await;
    let res = gdap_sign_in(w, &page, PARTNER_SECRET, "approve").await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    page
}

/// The stored GDAP secret `which` of the integration, opened.
async fn opened(w: &World, page: &str, which: Secret) -> Option<String> {
    let (_, secrets) = w
        .app
        .app
        .inspect_microsoft(org_of(w).await, integration_id(page))
        .await
        .unwrap();
    match which {
        Secret::RefreshToken => secrets.gdap_refresh_token.clone(),
        Secret::ClientSecret => secrets.gdap_client_secret.clone(),
    }
}

/// Which GDAP secret [`opened`] reads.
enum Secret {
    RefreshToken,
    ClientSecret,
}

/// The integration as stored.
async fn stored(w: &World, org: OrgId, id: IntegrationId) -> MicrosoftIntegration {
    w.app.app.inspect_microsoft(org, id).await.unwrap().0
}

// 17.2 ------------------------------------------------------------------------------------

async fn forged_hosts_are_never_contacted(postgres: bool) {
    let w = world_with(postgres, example()).await;
    let page = w.add_integration().await;
    let (html_status, html) = get(&w.app, &w.browser, &page).await;
    assert_eq!(html_status, 200);
    assert!(
        !html.contains("login_base_url") && !html.contains("graph_base_url"),
        "the form has no host fields"
    );
    // A forged POST carrying hosts: they are ignored, whatever the cloud.
    let (evil, hits) = recording_listener().await;
    let res = w
        .app
        .post_form(
            &w.browser,
            &page,
            &format!("{page}/settings"),
            &[
                ("cloud", "custom"),
                ("login_base_url", &evil),
                ("graph_base_url", &evil),
                ("skip_guests", "on"),
                ("skip_disabled", "on"),
            ],
        )
        .await;
    let status = res.status().as_u16();
    assert!(status == 303 || status == 422, "{status}");
    // Every outbound path of the integration: GDAP domain discovery and sign-in, consent.
    let res = w.gdap_partner(&page, PARTNER_SECRET).await;
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "the typed host was contacted"
    );
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let to = location(&res);
    assert!(
        to.starts_with(&w.sim.manifest().login_base_url),
        "the sign-in goes to the server's Custom cloud: {to}"
    );
    let res = w
        .app
        .post_form(&w.browser, &page, &format!("{page}/consent"), &[])
        .await;
    assert_eq!(res.status(), 303);
    assert!(location(&res).starts_with(&w.sim.manifest().login_base_url));
    let res = w.consent(&page, ZOE_GA, "approve").await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let l = link(&w, &page, CONTOSO, LinkKind::AdminConsent).await;
    assert_eq!(sync_via_queue(&w, l.id).await.last_sync_ok, Some(true));
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "the typed host was contacted"
    );

    // A cloud the server does not offer is refused with a specific message.
    let res = w
        .app
        .post_form(
            &w.browser,
            &page,
            &format!("{page}/settings"),
            &[("cloud", "somewhere")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Pick a cloud from the list")
    );
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn issue17_forged_custom_hosts_are_ignored_and_never_contacted() {
    forged_hosts_are_never_contacted(false).await;
}

#[tokio::test]
async fn issue17_forged_custom_hosts_are_ignored_and_never_contacted_postgres() {
    if skip_postgres() {
        return;
    }
    forged_hosts_are_never_contacted(true).await;
}

// 17.6 ------------------------------------------------------------------------------------

async fn ended_relationships(postgres: bool) {
    let w = world_with(postgres, example()).await;
    let page = gdap_connected(&w).await;
    let contoso = link(&w, &page, CONTOSO, LinkKind::Gdap).await;
    assert_eq!(contoso.ended_at, None);
    assert!(!contoso.new.roles.is_empty());
    let synced = sync_via_queue(&w, contoso.id).await;
    assert_eq!(synced.last_sync_ok, Some(true), "{:?}", synced.last_error);
    let before = contacts(&w, &contoso).await;
    assert!(before.len() > 200);

    // Contoso's relationship expires (its MLT_ one stays active); Fabrikam's is terminated.
    let ctl = w.sim.control();
    ctl.set_relationship_status("Northwind – Contoso", "expired")
        .unwrap();
    ctl.set_relationship_status("Northwind – Fabrikam", "terminated")
        .unwrap();
    let res = w
        .app
        .post_form(&w.browser, &page, &format!("{page}/gdap/refresh"), &[])
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());

    let ended = link(&w, &page, CONTOSO, LinkKind::Gdap).await;
    assert!(ended.ended_at.is_some(), "{ended:?}");
    let reason = ended.ended_reason.clone().unwrap();
    assert!(
        reason.contains("“Northwind – Contoso” expired") && reason.contains("MLT_"),
        "{reason}"
    );
    assert_eq!(ended.new.roles, "", "no active relationship grants a role");
    let audited = w
        .app
        .app
        .store()
        .audit_entries(
            org_of(&w).await,
            &countersign_store::AuditFilter {
                action_prefix: Some("integration.tenant_ended".into()),
                limit: 10,
                ..countersign_store::AuditFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        audited.len(),
        2,
        "Contoso and Fabrikam ended, each audited once"
    );
    let fabrikam = link(&w, &page, FABRIKAM, LinkKind::Gdap).await;
    assert!(
        fabrikam
            .ended_reason
            .as_deref()
            .unwrap()
            .contains("“Northwind – Fabrikam” was terminated"),
        "{fabrikam:?}"
    );
    // Its contacts are kept, shown as before.
    let after = contacts(&w, &contoso).await;
    assert_eq!(after.len(), before.len());
    assert!(
        before
            .iter()
            .all(|(id, c)| after[id].removed_at == c.removed_at)
    );
    // The page says so in words, and so does its live status.
    let (_, html) = get(&w.app, &w.browser, &page).await;
    assert!(html.contains("ended") && html.contains("expired"), "{html}");
    let (_, json) = get(&w.app, &w.browser, &format!("{page}/status.json")).await;
    let live: serde_json::Value = serde_json::from_str(&json).unwrap();
    let row = live
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == ended.id.to_string())
        .unwrap();
    assert_eq!(row["status"], "ended");
    // Syncing stopped: neither Sync Users nor the schedule queue it.
    let res = w
        .app
        .post_form(&w.browser, &page, &format!("{page}/sync-users"), &[])
        .await;
    assert_eq!(res.status(), 303);
    w.run_jobs().await;
    let still = link(&w, &page, CONTOSO, LinkKind::Gdap).await;
    assert_eq!(still.last_sync_at, synced.last_sync_at, "no sync ran");
    assert_eq!(still.last_sync_ok, Some(true));
    let org = org_of(&w).await;
    assert!(
        !w.app
            .app
            .enqueue_tenant_sync(org, contoso.id)
            .await
            .unwrap()
    );
    let due = w
        .app
        .app
        .store()
        .sync_sources_due(
            w.app
                .app
                .now()
                .plus(std::time::Duration::from_secs(1 << 30)),
            100,
        )
        .await
        .unwrap();
    assert!(!due.contains(&(org, contoso.id)));
    assert!(!due.contains(&(org, fabrikam.id)));

    // A renewed relationship brings the tenant back with its roles.
    ctl.set_relationship_status("Northwind – Contoso", "active")
        .unwrap();
    let res = w
        .app
        .post_form(&w.browser, &page, &format!("{page}/gdap/refresh"), &[])
        .await;
    assert_eq!(res.status(), 303);
    let back = link(&w, &page, CONTOSO, LinkKind::Gdap).await;
    assert_eq!((back.ended_at, back.ended_reason), (None, None));
    assert_eq!(back.new.roles, contoso.new.roles);
    assert_eq!(back.new.relationships, "Northwind – Contoso");
    assert!(
        link(&w, &page, FABRIKAM, LinkKind::Gdap)
            .await
            .ended_at
            .is_some()
    );
}

#[tokio::test]
async fn issue17_gdap_refresh_ends_tenants_whose_relationships_ended() {
    ended_relationships(false).await;
}

#[tokio::test]
async fn issue17_gdap_refresh_ends_tenants_whose_relationships_ended_postgres() {
    if skip_postgres() {
        return;
    }
    ended_relationships(true).await;
}

// 17.7 ------------------------------------------------------------------------------------

/// Contoso linked by consent and synced; then Graph's clock moves on two hours, so the app
/// token this server cached has expired there (401) while the cache still holds it.
async fn cached_token_rejected() -> (World, String, countersign_app::microsoft::TenantLink) {
    let w = world_with(false, example()).await;
    let (page, l) = contoso_linked(&w).await;
    assert_eq!(sync_via_queue(&w, l.id).await.last_sync_ok, Some(true));
    w.sim.control().advance_clock(HOURS_2);
    (w, page, l)
}

#[tokio::test]
async fn issue17_sync_customer_replaces_a_token_graph_rejects() {
    let (w, page, _) = cached_token_rejected().await;
    let res = w
        .app
        .post_form(&w.browser, &page, &format!("{page}/sync-customers"), &[])
        .await;
    assert_eq!(res.status(), 303);
    w.run_jobs().await;
    let (_, html) = get(&w.app, &w.browser, &page).await;
    assert!(
        html.contains("Customers created or updated for 1 of 1 tenants"),
        "{html}"
    );
    assert!(!html.contains("did not accept the access token"), "{html}");
}

/// Issue 19.3: Sync Customer is a job. The request only queues it (one at a time per
/// integration); the page shows its progress until a worker ran it, then the result in the
/// same words as before.
#[tokio::test]
async fn issue19_sync_customer_is_a_job_with_progress() {
    let (w, page, l) = cached_token_rejected().await;
    let action = format!("{page}/sync-customers");
    let res = w.app.post_form(&w.browser, &page, &action, &[]).await;
    assert_eq!(res.status(), 303);
    assert!(location(&res).contains("notice=sync_customers_queued"));
    let (_, html) = get(&w.app, &w.browser, &page).await;
    assert!(
        html.contains("Sync Customer: 0 of 1 tenants so far."),
        "{html}"
    );
    assert!(html.contains("data-reload-while-running"), "{html}");
    assert!(!html.contains("Customers created or updated"), "{html}");
    // Asked again while it waits: still one job.
    let res = w.app.post_form(&w.browser, &page, &action, &[]).await;
    assert_eq!(res.status(), 303);
    let jobs = w
        .app
        .app
        .store()
        .jobs(l.new.org_id, None, 50)
        .await
        .unwrap();
    let kinds: Vec<&str> = jobs.iter().map(|j| j.job.kind.as_str()).collect();
    assert_eq!(kinds, vec!["microsoft.sync_customers"]);
    assert_eq!(w.run_claimed_jobs().await, 1);
    let (_, html) = get(&w.app, &w.browser, &page).await;
    assert!(
        html.contains("Customers created or updated for 1 of 1 tenants."),
        "{html}"
    );
    assert!(!html.contains("data-reload-while-running"), "{html}");
    assert!(
        w.app
            .app
            .store()
            .jobs(l.new.org_id, None, 50)
            .await
            .unwrap()
            .is_empty(),
        "the job is done"
    );
}

#[tokio::test]
async fn issue17_write_back_replaces_a_token_graph_rejects() {
    let (w, _, l) = cached_token_rejected().await;
    let taro = contacts(&w, &l).await[TARO].clone();
    w.app
        .app
        .write_back_mobile(&taro, Some("+1 206 555 0142"))
        .await
        .unwrap();
    assert_eq!(
        w.sim.control().user(CONTOSO, TARO).unwrap()["mobilePhone"],
        "+1 206 555 0142"
    );
}

#[tokio::test]
async fn issue17_consenting_again_replaces_a_token_graph_rejects() {
    // Not by the clock as the others: the sign-in's id_token is checked against the app's
    // clock, so Graph rejects the cached token by a revocation instead.
    let w = world_with(false, example()).await;
    let (page, l) = contoso_linked(&w).await;
    assert_eq!(sync_via_queue(&w, l.id).await.last_sync_ok, Some(true));
    w.sim.control().revoke_tokens(CONTOSO).unwrap();
    let res = w.consent(&page, ZOE_GA, "approve").await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    assert!(location(&res).contains("notice=tenant_linked"));
}

#[tokio::test]
async fn issue17_gdap_refresh_replaces_a_token_graph_rejects() {
    let w = world_with(false, example()).await;
    let gdap = gdap_connected(&w).await;
    // The first refresh caches the partner tenant's delegated token.
    let res = w
        .app
        .post_form(&w.browser, &gdap, &format!("{gdap}/gdap/refresh"), &[])
        .await;
    assert_eq!(res.status(), 303);
    w.sim.control().advance_clock(HOURS_2);
    let res = w
        .app
        .post_form(&w.browser, &gdap, &format!("{gdap}/gdap/refresh"), &[])
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
}

// 17.8 ------------------------------------------------------------------------------------

async fn failed_reconnection(postgres: bool) {
    let w = world_with(postgres, example()).await;
    // A first sign-in shows as pending until it succeeds; a cancelled one goes back to none
    // with nothing of it kept.
    let page = w.add_integration().await;
    let org = org_of(&w).await;
    let id = integration_id(&page);
    let res = w.gdap_partner(&page, PARTNER_SECRET).await;
    assert_eq!(res.status(), 303);
    let (i, secrets) = w.app.app.inspect_microsoft(org, id).await.unwrap();
    assert_eq!(i.settings.gdap_status, GdapStatus::Pending);
    assert_eq!(
        i.settings.gdap_pending.map(|p| p.client_id),
        Some(PARTNER_APP.to_owned())
    );
    assert_eq!(i.settings.gdap_client_id, None);
    assert_eq!(
        secrets.gdap_pending_client_secret.as_deref(),
        Some(PARTNER_SECRET)
    );
    let res = gdap_sign_in(&w, &page, PARTNER_SECRET, "cancel").await;
    assert_eq!(res.status(), 422);
    let (i, secrets) = w.app.app.inspect_microsoft(org, id).await.unwrap();
    assert_eq!(
        (i.settings.gdap_status, i.settings.gdap_pending),
        (GdapStatus::None, None)
    );
    assert!(secrets.gdap_pending_client_secret.is_none() && secrets.gdap_client_secret.is_none());
    let res = gdap_sign_in(&w, &page, PARTNER_SECRET, "approve").await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let contoso = link(&w, &page, CONTOSO, LinkKind::Gdap).await;

    // The dialog is submitted again and the technician has not come back from Microsoft
    // yet: the stored sign-in keeps working meanwhile.
    let res = w.gdap_partner(&page, "not~yet-known").await;
    assert_eq!(res.status(), 303);
    let i = stored(&w, org, id).await;
    assert_eq!(i.settings.gdap_status, GdapStatus::Connected);
    assert!(i.settings.gdap_pending.is_some());
    let ok = sync_via_queue(&w, contoso.id).await;
    assert_eq!(ok.last_sync_ok, Some(true), "{:?}", ok.last_error);
    let rt = opened(&w, &page, Secret::RefreshToken).await.unwrap();

    // A wrong secret: Microsoft refuses the code redemption; the working sign-in stays.
    let res = gdap_sign_in(&w, &page, "wrong~secret-value", "approve").await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("AADSTS7000215"), "{body}");
    let i = stored(&w, org, id).await;
    assert_eq!(i.settings.gdap_status, GdapStatus::Connected);
    assert_eq!(
        i.settings.gdap_pending, None,
        "nothing of the attempt is kept"
    );
    assert_eq!(
        opened(&w, &page, Secret::RefreshToken).await,
        Some(rt.clone())
    );
    assert_eq!(
        opened(&w, &page, Secret::ClientSecret).await,
        Some(PARTNER_SECRET.to_owned())
    );
    let ok = sync_via_queue(&w, contoso.id).await;
    assert_eq!(ok.last_sync_ok, Some(true), "{:?}", ok.last_error);

    // A cancel: "nothing was saved" is true.
    let rt = opened(&w, &page, Secret::RefreshToken).await.unwrap();
    let res = gdap_sign_in(&w, &page, "other~secret-value", "cancel").await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("nothing was saved"));
    let i = stored(&w, org, id).await;
    assert_eq!(
        (i.settings.gdap_status, i.settings.gdap_pending),
        (GdapStatus::Connected, None)
    );
    assert_eq!(opened(&w, &page, Secret::RefreshToken).await, Some(rt));
    assert_eq!(
        opened(&w, &page, Secret::ClientSecret).await,
        Some(PARTNER_SECRET.to_owned())
    );
    let (_, html) = get(&w.app, &w.browser, &page).await;
    assert!(html.contains("GDAP connected"), "{html}");
    let ok = sync_via_queue(&w, contoso.id).await;
    assert_eq!(ok.last_sync_ok, Some(true), "{:?}", ok.last_error);

    // A successful re-connection replaces it.
    let res = gdap_sign_in(&w, &page, PARTNER_SECRET, "approve").await;
    assert_eq!(res.status(), 303);
    let i = stored(&w, org, id).await;
    assert_eq!(
        (i.settings.gdap_status, i.settings.gdap_pending),
        (GdapStatus::Connected, None)
    );
}

#[tokio::test]
async fn issue17_a_failed_reconnection_keeps_the_working_one() {
    failed_reconnection(false).await;
}

#[tokio::test]
async fn issue17_a_failed_reconnection_keeps_the_working_one_postgres() {
    if skip_postgres() {
        return;
    }
    failed_reconnection(true).await;
}

// 17.9 ------------------------------------------------------------------------------------

async fn gone_mid_full_round(postgres: bool) {
    let w = world_with(postgres, big_contoso()).await;
    let (_, l) = contoso_linked(&w).await;
    let org = l.new.org_id;
    // Graph loses the sync state once the first page of the full round is served.
    w.sim.control().reset_delta_state(CONTOSO, 1).unwrap();
    assert!(w.app.app.enqueue_tenant_sync(org, l.id).await.unwrap());
    // The one queued job runs: it ends with the 410 and queues the full round again, now.
    assert_eq!(w.run_claimed_jobs().await, 1);
    let interrupted = w.app.app.tenant_link(org, l.id).await.unwrap();
    assert_eq!(interrupted.last_sync_ok, Some(false));
    assert!(
        interrupted.last_error.as_deref().unwrap().contains("410"),
        "{:?}",
        interrupted.last_error
    );
    let queued = w
        .app
        .app
        .store()
        .jobs(org, Some(countersign_store::JobState::Queued), 10)
        .await
        .unwrap();
    assert_eq!(queued.len(), 1, "a new full round is queued at once");
    assert!(queued[0].job.run_at <= w.app.app.now());
    // …and it completes.
    w.run_jobs().await;
    let done = w.app.app.tenant_link(org, l.id).await.unwrap();
    assert_eq!(done.last_sync_ok, Some(true), "{:?}", done.last_error);
    assert!(done.delta_link.is_some());
    assert!(done.progress.users_seen > 2_500, "{:?}", done.progress);
    assert_contacts_equal_simulator(&w, &l).await;
}

#[tokio::test]
async fn issue17_a_410_mid_full_round_queues_the_full_round_again() {
    gone_mid_full_round(false).await;
}

#[tokio::test]
async fn issue17_a_410_mid_full_round_queues_the_full_round_again_postgres() {
    if skip_postgres() {
        return;
    }
    gone_mid_full_round(true).await;
}

// 17.10 -----------------------------------------------------------------------------------

#[tokio::test]
async fn issue17_an_expired_server_secret_sends_the_technician_to_the_operator() {
    let mut s = example();
    let mt = s
        .apps
        .iter_mut()
        .find(|a| a.client_id.to_string() == MT_APP)
        .unwrap();
    for secret in &mut mt.secrets {
        secret.expires = Some("2020-01-01T00:00:00Z".into());
    }
    let w = world_with(false, s).await;
    let page = w.add_integration().await;
    let res = w.consent(&page, ZOE_GA, "approve").await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("AADSTS7000222"), "{body}");
    assert!(body.contains("[microsoft] client_secret"), "{body}");
    assert!(body.contains("operator"), "{body}");
    assert!(!body.contains("enter its Value here"), "{body}");
}

// 17.2, carried across: an integration left on Custom by the migration, on a server without
// a Custom cloud, is flagged and must be given a cloud again; it reaches no host meanwhile.

async fn custom_without_server_entry(postgres: bool) {
    use countersign_store::{IntegrationKind, TechnicianStore};
    let app = if postgres {
        countersign_testkit::TestApp::postgres_with(countersign_testkit::Options::default()).await
    } else {
        countersign_testkit::TestApp::with(countersign_testkit::Options::default()).await
    };
    app.create_admin("msp", crate::integrations::ADMIN, crate::PW)
        .await;
    let browser = crate::signed_in(&app, crate::integrations::ADMIN).await;
    let admin = app
        .app
        .store()
        .technician_by_email_for_login(crate::integrations::ADMIN)
        .await
        .unwrap()
        .unwrap();
    let i = app
        .app
        .create_integration(
            &countersign_app::Principal::technician(&admin, [127, 0, 0, 1].into()),
            IntegrationKind::Microsoft365,
            "Old custom",
        )
        .await
        .unwrap();
    assert_eq!(
        i.settings.cloud, "global",
        "a server without Custom starts on Global"
    );
    // What migration 0017 leaves of an integration that stored its own hosts.
    app.app
        .seed_microsoft(admin.org_id, i.id, |settings, _| {
            settings.cloud = "custom".into();
        })
        .await
        .unwrap();
    let page = format!("/integrations/psa/{}", i.id);
    let (_, html) = get(&app, &browser, &page).await;
    assert!(html.contains("pick the integration"), "{html}");
    assert!(
        !html.contains(r#"value="custom""#),
        "Custom is not offered: {html}"
    );
    let res = app
        .post_form(
            &browser,
            &page,
            &format!("{page}/gdap"),
            &[
                ("domain", "northwind-msp.onmicrosoft.com"),
                ("client_id", PARTNER_APP),
                ("client_secret", PARTNER_SECRET),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("does not offer"));
    let res = app
        .post_form(
            &browser,
            &page,
            &format!("{page}/settings"),
            &[("cloud", "custom")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let res = app
        .post_form(
            &browser,
            &page,
            &format!("{page}/settings"),
            &[("cloud", "global")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, html) = get(&app, &browser, &page).await;
    assert!(!html.contains("pick the integration"), "{html}");
}

#[tokio::test]
async fn issue17_a_custom_cloud_the_server_no_longer_offers_is_flagged() {
    custom_without_server_entry(false).await;
}

#[tokio::test]
async fn issue17_a_custom_cloud_the_server_no_longer_offers_is_flagged_postgres() {
    if skip_postgres() {
        return;
    }
    custom_without_server_entry(true).await;
}
