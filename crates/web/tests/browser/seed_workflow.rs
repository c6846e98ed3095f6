//! The seed workflow in a real browser against the in-process Microsoft 365 simulator: add the
//! integration, connect a tenant by admin consent, connect GDAP, Sync Customer, Sync Users
//! (job workers running), and find the synced contacts with mobile and email.

use crate::simulator::{
    ALEX_GA, CONTOSO, PARTNER_APP, PARTNER_SECRET, SimApp, ZOE_GA, choose_and_approve,
};
use countersign_app::microsoft::LinkKind;
use countersign_store::TechnicianStore;
use countersign_testkit::TestApp;
use countersign_testkit::browser::{self, Session};

const EMAIL: &str = "admin@northwind.example";
const PASSWORD: &str = "granite orchard lantern seven";

/// On the simulator's consent or sign-in page: `account` (an admin) approves, and Microsoft
/// sends the browser back to Countersign.
async fn approve_at_microsoft(b: &Session, app: &TestApp, account: &str) -> anyhow::Result<()> {
    choose_and_approve(b, account).await?;
    let url = b.client().current_url().await?;
    anyhow::ensure!(
        url.as_str().starts_with(&app.base_url),
        "back at Countersign, not {url}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_seed_workflow_against_the_simulator() {
    let sim_app = SimApp::start("Northwind MSP", EMAIL, PASSWORD).await;
    let app = &sim_app.app;

    browser::run("browser_seed_workflow_against_the_simulator", async |b| {
        b.set_base_url(&app.base_url);
        let s: &Session = b;
        s.goto("/login").await?;
        s.fill("#email", EMAIL).await?;
        s.fill("#password", PASSWORD).await?;
        s.click_and_wait("form[action='/login'] button[type=submit]")
            .await?;

        // Integrations ▸ PSA Integrations ▸ Add ▸ Microsoft 365 ▸ name ▸ Submit.
        s.click_and_wait("#mainnav a[href='/integrations/psa']")
            .await?;
        assert_eq!(s.text("h1").await?, "PSA Integrations");
        s.click("details.dialog summary").await?;
        s.set_checked("input[name=kind][value=microsoft365]", true)
            .await?;
        s.fill("#name", "Microsoft 365").await?;
        s.click_and_wait("form[action='/integrations/psa'] button[type=submit]")
            .await?;
        // The card appears; it opens the integration, whose id ends the URL.
        s.goto("/integrations/psa").await?;
        s.wait_for_text(".integration-card", "Microsoft 365")
            .await?;
        s.click_and_wait(".integration-card a").await?;
        let page = s.current_path().await?;
        let id = page.rsplit('/').next().unwrap_or_default().to_owned();
        anyhow::ensure!(
            page.starts_with("/integrations/psa/") && id.parse::<uuid::Uuid>().is_ok(),
            "{page}"
        );

        // Tenant by tenant: Contoso's admin consents in Microsoft's page, and Countersign
        // sends the browser on to Microsoft's sign-in to Contoso, whose id_token proves the
        // consent (issue 17.1); the same admin signs in.
        s.click_and_wait("form[action$='/consent'] button[type=submit]")
            .await?;
        choose_and_approve(s, ZOE_GA).await?;
        let at = s.client().current_url().await?;
        anyhow::ensure!(
            at.path()
                .ends_with(&format!("/{CONTOSO}/oauth2/v2.0/authorize")),
            "at Microsoft's sign-in to Contoso, not {at}"
        );
        approve_at_microsoft(s, app, ZOE_GA).await?;
        s.wait_for_text("table tbody", "Contoso Ltd").await?;
        s.wait_for_text("table tbody", "contoso.com").await?;

        // CSP / GDAP: primary domain, application ID, secret; sign in with Microsoft.
        s.click("details.dialog summary").await?;
        s.fill("#domain", "northwind-msp.onmicrosoft.com").await?;
        s.fill("#client_id", PARTNER_APP).await?;
        s.fill("#client_secret", PARTNER_SECRET).await?;
        s.click_and_wait("form[action$='/gdap'] button[type=submit]")
            .await?;
        approve_at_microsoft(s, app, ALEX_GA).await?;
        s.wait_for_text(".badge", "GDAP connected").await?;
        s.wait_for_text("table tbody", "Fabrikam GmbH").await?;
        s.wait_for_text("table tbody", "User Administrator").await?;
        s.wait_for_text("table tbody", "Application Administrator")
            .await?;

        // Sync Customer, then Sync Users; the workers run the jobs, the page shows progress.
        s.click_and_wait("form[action$='/sync-customers'] button[type=submit]")
            .await?;
        s.wait_for_text(".notice", "Customers created or updated")
            .await?;
        s.goto(&page).await?;
        s.click_and_wait("form[action$='/sync-users'] button[type=submit]")
            .await?;
        let org = app
            .app
            .store()
            .technician_by_email_for_login(EMAIL)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no admin"))?
            .org_id;
        let links = app.app.tenant_links(org, id.parse()?).await?;
        let contoso = links
            .iter()
            .find(|l| l.new.tenant_id == CONTOSO && l.new.link == LinkKind::AdminConsent)
            .ok_or_else(|| anyhow::anyhow!("no Contoso link"))?;
        let row = format!("tr[data-link='{}']", contoso.id);
        s.wait_for_text(&format!("{row} [data-field=result]"), "ok")
            .await?;
        // Users seen, not added: Contoso is linked twice (consent and GDAP), and whichever
        // link's first sync runs second finds the contacts already stored (added 0). Both
        // first syncs are full rounds, so each sees every user.
        let seen: i64 = s
            .text(&format!("{row} [data-field=users_seen]"))
            .await?
            .trim()
            .parse()?;
        anyhow::ensure!(
            seen > 200,
            "the live counters show the sync: {seen} users seen"
        );

        // Contacts: the synced users with mobile and email.
        s.click_and_wait("#mainnav a[href='/contacts']").await?;
        s.fill("#q", "taro.yamada").await?;
        s.click_and_wait("form[action='/contacts'] button[type=submit]")
            .await?;
        let row = s
            .wait_for_text("table tbody tr", "taro.yamada@contoso.onmicrosoft.com")
            .await?;
        anyhow::ensure!(row.contains("山田 太郎"), "{row}");
        anyhow::ensure!(
            row.contains("555-0142"),
            "the mobile number is listed: {row}"
        );
        Ok(())
    })
    .await;
    sim_app.stop().await;
}
