//! Issue 21.6 over HTTP against the simulator: unlinking one tenant hides its contacts
//! (kept for the audit trail, purged after the org's retention by the purge job), re-linking
//! restores them; a GDAP sign-in to a customer's tenant explains which domain to use;
//! "Refresh GDAP tenants" keeps domains; the Jobs page shows the sync history. On SQLite and
//! PostgreSQL, with the refusals for technicians and other orgs.

use crate::integrations::{
    ADMIN, ALEX_GA, CONTOSO, PARTNER_APP, PARTNER_SECRET, World, ZOE_GA, example, world_with,
};
use crate::m365_support::{contacts, contoso_linked, link, org_of, sync_via_queue};
use crate::{PW, add_technician, follow, get, location, signed_in};
use countersign_app::microsoft::{GdapStatus, LinkKind};
use countersign_domain::IntegrationId;
use countersign_store::{AuditFilter, AuditStore, ContactStore, StoreError, SyncSourceStore};
use countersign_testkit::skip_postgres;
use std::time::Duration;

const PARTNER_DOMAIN: &str = "northwind-msp.onmicrosoft.com";
const DAY: Duration = Duration::from_secs(24 * 3600);

fn integration_id(page: &str) -> IntegrationId {
    page.rsplit('/').next().unwrap().parse().unwrap()
}

/// How many audit entries of the org start with `action`.
async fn audited(w: &World, action: &str) -> usize {
    w.app
        .app
        .store()
        .audit_entries(
            org_of(w).await,
            &AuditFilter {
                action_prefix: Some(action.into()),
                limit: 50,
                ..AuditFilter::default()
            },
        )
        .await
        .unwrap()
        .len()
}

async fn unlink_purge_relink(postgres: bool) {
    let w = world_with(postgres, example()).await;
    let (page, l) = contoso_linked(&w).await;
    let l = sync_via_queue(&w, l.id).await;
    assert_eq!(l.last_sync_ok, Some(true), "{:?}", l.last_error);
    let org = l.new.org_id;
    let zoe = contacts(&w, &l).await[ZOE_GA].clone();
    let pod = format!("/pod/contacts/{}", zoe.id);
    assert_eq!(get(&w.app, &w.browser, &pod).await.0, 200);
    let (_, list) = get(&w.app, &w.browser, "/contacts?q=Lef%C3%A8vre").await;
    assert!(list.contains("Zoë Lefèvre"), "{list}");

    // The page offers Unlink with a confirmation naming what happens.
    let (_, html) = get(&w.app, &w.browser, &page).await;
    assert!(html.contains(&format!("tenants/{}/unlink", l.id)), "{html}");
    assert!(
        html.contains("data-confirm=\"Unlink Contoso Ltd?"),
        "{html}"
    );

    // A technician may look but not unlink.
    add_technician(&w.app, ADMIN, "tech@msp.test", "Tess Tech").await;
    let tech = signed_in(&w.app, "tech@msp.test").await;
    let res = w
        .app
        .post_form(
            &tech,
            &page,
            &format!("{page}/tenants/{}/unlink", l.id),
            &[],
        )
        .await;
    assert_eq!(res.status(), 403);
    let res = w
        .app
        .post_form(&tech, &page, &format!("{page}/retention"), &[("days", "5")])
        .await;
    assert_eq!(res.status(), 403);

    // Unlink: a redirect (PRG) to the page, which shows the purge date.
    let res = w
        .app
        .post_form(
            &w.browser,
            &page,
            &format!("{page}/tenants/{}/unlink", l.id),
            &[],
        )
        .await;
    assert!(location(&res).contains("notice=tenant_unlinked"));
    let (status, html) = follow(&w.app, &w.browser, res).await;
    assert_eq!(status, 200);
    let s = w.app.app.store().sync_source(org, l.id).await.unwrap();
    let purge_at = s.purge_at.unwrap();
    assert_eq!(purge_at.0 - s.unlinked_at.unwrap().0, 30 * 24 * 3600 * 1000);
    assert!(
        html.contains(&format!(
            "contacts will be deleted on {}",
            purge_at.display()
        )),
        "{html}"
    );
    assert!(html.contains("Link again"), "{html}");
    assert_eq!(s.cursor, None, "the delta token is forgotten");
    // A refresh of the page repeats nothing; unlinking twice is refused with words.
    let (status, _) = get(&w.app, &w.browser, &page).await;
    assert_eq!(status, 200);
    assert_eq!(audited(&w, "integration.tenant_unlinked").await, 1);
    let res = w
        .app
        .post_form(
            &w.browser,
            &page,
            &format!("{page}/tenants/{}/unlink", l.id),
            &[],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("already unlinked"));

    // Hidden from the list, search and the Pod; kept for the record.
    let (_, list) = get(&w.app, &w.browser, "/contacts?q=Lef%C3%A8vre").await;
    assert!(!list.contains("Zoë Lefèvre"), "{list}");
    let (_, list) = get(&w.app, &w.browser, "/contacts").await;
    assert!(!list.contains(&zoe.id.to_string()));
    assert_eq!(get(&w.app, &w.browser, &pod).await.0, 404);
    let kept = w.app.app.store().contact(org, zoe.id).await.unwrap();
    assert!(kept.unlinked_at.is_some());
    // Verification cannot start for it.
    let res = w
        .app
        .post_form(
            &w.browser,
            "/contacts",
            &format!("{pod}/verify"),
            &[("method", "sms_code")],
        )
        .await;
    assert_eq!(res.status(), 404);
    // Its sync is not queued any more (Sync Users leaves it alone too).
    assert!(!w.app.app.enqueue_tenant_sync(org, l.id).await.unwrap());
    let res = w
        .app
        .post_form(&w.browser, &page, &format!("{page}/sync-users"), &[])
        .await;
    assert_eq!(res.status(), 303);
    w.run_jobs().await;
    assert_eq!(
        w.app
            .app
            .store()
            .sync_source(org, l.id)
            .await
            .unwrap()
            .cursor,
        None
    );

    // The retention is an org setting shown on the page; a bad one says why.
    let res = w
        .app
        .post_form(
            &w.browser,
            &page,
            &format!("{page}/retention"),
            &[("days", "0")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("from 1 to 365"));
    let res = w
        .app
        .post_form(
            &w.browser,
            &page,
            &format!("{page}/retention"),
            &[("days", "7")],
        )
        .await;
    let (_, html) = follow(&w.app, &w.browser, res).await;
    assert!(html.contains("<strong>7 days</strong>"), "{html}");
    // Contoso keeps the date it was given.
    assert_eq!(
        w.app
            .app
            .store()
            .sync_source(org, l.id)
            .await
            .unwrap()
            .purge_at,
        Some(purge_at)
    );

    // Re-linked within the retention: the contacts are back and a full sync runs.
    let res = w
        .app
        .post_form(
            &w.browser,
            &page,
            &format!("{page}/tenants/{}/relink", l.id),
            &[],
        )
        .await;
    let (_, html) = follow(&w.app, &w.browser, res).await;
    assert!(html.contains("Tenant linked again"), "{html}");
    assert_eq!(get(&w.app, &w.browser, &pod).await.0, 200);
    w.run_jobs().await;
    let again = w.app.app.tenant_link(org, l.id).await.unwrap();
    assert_eq!(again.last_sync_ok, Some(true), "{:?}", again.last_error);
    assert!(again.delta_link.is_some());
    assert_eq!(audited(&w, "integration.tenant_relinked").await, 1);

    // Unlinked again, past its retention (7 days now): the purge job deletes the contacts.
    let res = w
        .app
        .post_form(
            &w.browser,
            &page,
            &format!("{page}/tenants/{}/unlink", l.id),
            &[],
        )
        .await;
    assert_eq!(res.status(), 303);
    w.app.clock.advance(6 * DAY);
    w.app
        .app
        .enqueue(
            countersign_app::jobs::SERVER_ORG,
            &countersign_app::jobs::PurgeUnlinkedContacts { slot: 1 },
        )
        .await
        .unwrap();
    w.run_jobs().await;
    assert!(
        w.app.app.store().contact(org, zoe.id).await.is_ok(),
        "not yet"
    );
    w.app.clock.advance(2 * DAY);
    w.app
        .app
        .enqueue(
            countersign_app::jobs::SERVER_ORG,
            &countersign_app::jobs::PurgeUnlinkedContacts { slot: 2 },
        )
        .await
        .unwrap();
    w.run_jobs().await;
    assert!(matches!(
        w.app.app.store().contact(org, zoe.id).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(audited(&w, "integration.tenant_purged").await, 1);
    // Eight days on, the session is over: sign in again to look.
    let browser = signed_in(&w.app, ADMIN).await;
    let (status, html) = get(&w.app, &browser, &page).await;
    assert_eq!(status, 200);
    assert!(html.contains("Its contacts were deleted on"), "{html}");
    assert!(html.contains("Link again"), "{html}");
}

#[tokio::test]
async fn issue21_unlink_hides_purges_and_relinks() {
    unlink_purge_relink(false).await;
}

#[tokio::test]
async fn issue21_unlink_hides_purges_and_relinks_postgres() {
    if skip_postgres() {
        return;
    }
    unlink_purge_relink(true).await;
}

/// The GDAP dialog filled in with Contoso's domain: the sign-in works (Contoso's admin, the
/// partner app consented there), but Graph lists no relationship for Contoso. The page says
/// so and names the domain to use; nothing is saved.
async fn customer_domain(postgres: bool) {
    let w = world_with(postgres, example()).await;
    let page = w.add_integration().await;
    let partner = |domain| {
        [
            ("domain", domain),
            ("client_id", PARTNER_APP),
            ("client_secret", PARTNER_SECRET),
        ]
    };
    let res = w
        .gdap_signed_in(&page, &partner("contoso.com"), ZOE_GA)
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("no customer relationships")
            && html.contains("contoso.com (Contoso Ltd)")
            && html.contains("one of your customers")
            && html.contains(".onmicrosoft.com"),
        "{html}"
    );
    let (settings, secrets) = w
        .app
        .app
        .inspect_microsoft(org_of(&w).await, integration_id(&page))
        .await
        .unwrap();
    assert_eq!(settings.settings.gdap_status, GdapStatus::None);
    assert!(secrets.gdap_refresh_token.is_none());
    assert!(
        w.app
            .app
            .tenant_links(org_of(&w).await, integration_id(&page))
            .await
            .unwrap()
            .is_empty()
    );
    // The partner's own domain then works.
    let res = w
        .gdap_signed_in(&page, &partner(PARTNER_DOMAIN), ALEX_GA)
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
}

#[tokio::test]
async fn issue21_gdap_with_a_customer_domain_explains() {
    customer_domain(false).await;
}

#[tokio::test]
async fn issue21_gdap_with_a_customer_domain_explains_postgres() {
    if skip_postgres() {
        return;
    }
    customer_domain(true).await;
}

/// Sync Customer reads each GDAP tenant's domain; "Refresh GDAP tenants" keeps it.
async fn refresh_keeps_domains(postgres: bool) {
    let w = world_with(postgres, example()).await;
    let page = w.add_integration().await;
    let fields = [
        ("domain", PARTNER_DOMAIN),
        ("client_id", PARTNER_APP),
        ("client_secret", PARTNER_SECRET),
    ];
    let res = w.gdap_signed_in(&page, &fields, ALEX_GA).await;
    assert_eq!(res.status(), 303);
    let contoso = link(&w, &page, CONTOSO, LinkKind::Gdap).await;
    assert_eq!(contoso.new.default_domain, "");
    w.app
        .app
        .sync_customer(contoso.new.org_id, contoso.id)
        .await
        .unwrap();
    let contoso = link(&w, &page, CONTOSO, LinkKind::Gdap).await;
    assert_eq!(contoso.new.default_domain, "contoso.com");
    let res = w
        .app
        .post_form(&w.browser, &page, &format!("{page}/gdap/refresh"), &[])
        .await;
    let (_, html) = follow(&w.app, &w.browser, res).await;
    assert!(html.contains("GDAP tenants refreshed"), "{html}");
    let after = link(&w, &page, CONTOSO, LinkKind::Gdap).await;
    assert_eq!(after.new.default_domain, "contoso.com");
    assert!(!after.new.roles.is_empty(), "roles are refreshed");
    assert!(html.contains("contoso.com"), "{html}");
}

#[tokio::test]
async fn issue21_gdap_refresh_keeps_domains() {
    refresh_keeps_domains(false).await;
}

#[tokio::test]
async fn issue21_gdap_refresh_keeps_domains_postgres() {
    if skip_postgres() {
        return;
    }
    refresh_keeps_domains(true).await;
}

/// The Jobs page lists the runs per integration, tenant and source, filterable, for admins
/// of the org only.
async fn sync_history(postgres: bool) {
    let w = world_with(postgres, example()).await;
    let (page, l) = contoso_linked(&w).await;
    let synced = sync_via_queue(&w, l.id).await;
    let id = integration_id(&page);
    let (status, html) = get(&w.app, &w.browser, "/settings/jobs").await;
    assert_eq!(status, 200);
    assert!(html.contains("Sync history"), "{html}");
    assert!(
        html.contains("Contoso Ltd") && html.contains("succeeded"),
        "{html}"
    );
    assert!(
        html.contains(&format!("<td>{}</td>", synced.progress.added)),
        "{html}"
    );
    let (status, html) = get(
        &w.app,
        &w.browser,
        &format!("/settings/jobs?integration={id}&tenant={}", l.id),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Contoso Ltd") && html.contains("selected"),
        "{html}"
    );
    // A failing run says why in words.
    // Contoso withdraws the consent; the cached token is revoked too.
    let ctl = w.sim.control();
    ctl.revoke_consent(CONTOSO, crate::integrations::MT_APP.parse().unwrap())
        .unwrap();
    ctl.revoke_tokens(CONTOSO).unwrap();
    let failed = sync_via_queue(&w, l.id).await;
    assert_eq!(failed.last_sync_ok, Some(false));
    let (_, html) = get(&w.app, &w.browser, "/settings/jobs").await;
    assert!(html.contains("failed"), "{html}");
    // Malformed ids, and ids of another org, are not found; technicians may not look.
    for bad in ["integration=nope", "tenant=1234"] {
        let (status, _) = get(&w.app, &w.browser, &format!("/settings/jobs?{bad}")).await;
        assert_eq!(status, 404, "{bad}");
    }
    w.app.create_admin("other", "admin@other.test", PW).await;
    let c = signed_in(&w.app, "admin@other.test").await;
    for q in [format!("integration={id}"), format!("tenant={}", l.id)] {
        let (status, body) = get(&w.app, &c, &format!("/settings/jobs?{q}")).await;
        assert_eq!(status, 404, "{q}");
        assert!(!body.contains("Contoso"));
    }
    let (_, body) = get(&w.app, &c, "/settings/jobs").await;
    assert!(
        !body.contains("Contoso"),
        "another org's history is not listed"
    );
    add_technician(&w.app, ADMIN, "tech@msp.test", "Tess Tech").await;
    let tech = signed_in(&w.app, "tech@msp.test").await;
    assert_eq!(get(&w.app, &tech, "/settings/jobs").await.0, 403);
    w.run_jobs().await;
}

#[tokio::test]
async fn issue21_jobs_page_shows_sync_history() {
    sync_history(false).await;
}

#[tokio::test]
async fn issue21_jobs_page_shows_sync_history_postgres() {
    if skip_postgres() {
        return;
    }
    sync_history(true).await;
}
