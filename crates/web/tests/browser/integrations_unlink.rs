//! Issue 21.6 in a real browser against the simulator: unlink a tenant (confirmed, then a
//! reload after the POST), its contacts gone from the list and the purge date on the page,
//! link it again; a GDAP sign-in with a customer's domain explains which domain to use; the
//! Jobs page shows the sync history.

use crate::simulator::{
    CONTOSO, PARTNER_APP, PARTNER_SECRET, SimApp, ZOE_GA, choose_and_approve as approve,
};
use countersign_store::{
    AuditFilter, AuditStore, SyncRunFilter, SyncRunStore, SyncSourceStore, TechnicianStore,
};
use countersign_testkit::browser::{self, Session};

const EMAIL: &str = "admin@northwind.example";
const PASSWORD: &str = "granite orchard lantern seven";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_unlink_a_tenant_and_link_it_again() {
    let sim_app = SimApp::start("Northwind MSP", EMAIL, PASSWORD).await;
    let app = &sim_app.app;

    browser::run("browser_unlink_a_tenant_and_link_it_again", async |b| {
        b.set_base_url(&app.base_url);
        let s: &Session = b;
        crate::support::sign_in(s, EMAIL, PASSWORD).await?;
        let org = app
            .app
            .store()
            .technician_by_email_for_login(EMAIL)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no admin"))?
            .org_id;

        // An integration; GDAP entered with a customer's domain explains what to enter.
        s.goto("/integrations/psa").await?;
        s.click("details.dialog summary").await?;
        s.set_checked("input[name=kind][value=microsoft365]", true)
            .await?;
        s.fill("#name", "Microsoft 365").await?;
        s.click_and_wait("form[action='/integrations/psa'] button[type=submit]")
            .await?;
        let page = s.current_path().await?;
        let id = page.rsplit('/').next().unwrap_or_default().to_owned();
        s.click("details.dialog summary").await?;
        s.fill("#domain", "contoso.com").await?;
        s.fill("#client_id", PARTNER_APP).await?;
        s.fill("#client_secret", PARTNER_SECRET).await?;
        s.click_and_wait("form[action$='/gdap'] button[type=submit]")
            .await?;
        approve(s, ZOE_GA).await?;
        let said = s
            .wait_for_text("p.error", "no customer relationships")
            .await?;
        anyhow::ensure!(
            said.contains("contoso.com (Contoso Ltd)") && said.contains(".onmicrosoft.com"),
            "{said}"
        );

        // Contoso by admin consent, synced by the workers.
        s.goto(&page).await?;
        s.click_and_wait("form[action$='/consent'] button[type=submit]")
            .await?;
        approve(s, ZOE_GA).await?;
        approve(s, ZOE_GA).await?;
        s.wait_for_text("table tbody", "Contoso Ltd").await?;
        s.click_and_wait("form[action$='/sync-users'] button[type=submit]")
            .await?;
        let link = app
            .app
            .tenant_links(org, id.parse()?)
            .await?
            .into_iter()
            .find(|l| l.new.tenant_id == CONTOSO)
            .ok_or_else(|| anyhow::anyhow!("no Contoso link"))?;
        let row = format!("tr[data-link='{}']", link.id);
        s.wait_for_text(&format!("{row} [data-field=result]"), "ok")
            .await?;
        s.goto("/contacts?q=taro.yamada").await?;
        s.wait_for_text("table tbody", "山田 太郎").await?;

        // The Jobs page shows the run.
        s.goto("/settings/jobs").await?;
        s.wait_for_text("table[data-sync-history]", "Contoso Ltd")
            .await?;
        s.wait_for_text("table[data-sync-history]", "succeeded")
            .await?;

        // Unlink asks first; dismissed, nothing happens.
        s.goto(&page).await?;
        let unlink = format!("form[action$='/tenants/{}/unlink'] button", link.id);
        s.click(&unlink).await?;
        s.client().dismiss_alert().await?;
        anyhow::ensure!(
            app.app
                .store()
                .sync_source(org, link.id)
                .await?
                .unlinked_at
                .is_none(),
            "a dismissed confirmation unlinks nothing"
        );
        // Accepted: back on the page with the purge date.
        s.click(&unlink).await?;
        s.client().accept_alert().await?;
        s.wait_for_text(".notice", "Tenant unlinked").await?;
        let purge_at = app
            .app
            .store()
            .sync_source(org, link.id)
            .await?
            .purge_at
            .ok_or_else(|| anyhow::anyhow!("no purge date"))?;
        s.wait_for_text(
            &format!("{row} [data-field=unlinked]"),
            &format!("contacts will be deleted on {}", purge_at.display()),
        )
        .await?;
        // A reload after the POST repeats nothing.
        s.client().refresh().await?;
        s.wait_for_text(&format!("{row} [data-field=unlinked]"), "deleted on")
            .await?;
        let unlinks = app
            .app
            .store()
            .audit_entries(
                org,
                &AuditFilter {
                    action_prefix: Some("integration.tenant_unlinked".into()),
                    limit: 10,
                    ..AuditFilter::default()
                },
            )
            .await?;
        anyhow::ensure!(unlinks.len() == 1, "one unlink audited: {}", unlinks.len());
        // The contacts are gone from the list.
        s.goto("/contacts?q=taro.yamada").await?;
        anyhow::ensure!(
            !s.html().await?.contains("山田 太郎"),
            "an unlinked tenant's contact is not listed"
        );

        // Link again: the contacts are back.
        s.goto(&page).await?;
        s.click_and_wait(&format!(
            "form[action$='/tenants/{}/relink'] button",
            link.id
        ))
        .await?;
        s.wait_for_text(".notice", "Tenant linked again").await?;
        s.client().refresh().await?;
        s.wait_for_text(".notice", "Tenant linked again").await?;
        s.goto("/contacts?q=taro.yamada").await?;
        s.wait_for_text("table tbody", "山田 太郎").await?;
        // Linking again queued a full sync of the tenant: the workers run it to the end.
        let filter = SyncRunFilter {
            source: Some(link.id),
            ..SyncRunFilter::default()
        };
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let runs = app.app.store().sync_runs(org, filter, 10).await?;
            if runs.len() >= 2 {
                anyhow::ensure!(runs[0].ok, "the sync after linking again: {:?}", runs[0]);
                break;
            }
            anyhow::ensure!(
                tokio::time::Instant::now() < deadline,
                "the tenant was not synced again after linking it again: {runs:?}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        Ok(())
    })
    .await;
    sim_app.stop().await;
}
