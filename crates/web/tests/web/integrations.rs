//! The seed workflow over HTTP against the Microsoft 365 simulator: add an integration,
//! connect a tenant by admin consent, connect GDAP, Sync Customer, Sync Users — on SQLite
//! and PostgreSQL — plus the refusals along the way.

use crate::{PW, get, location, signed_in};
use countersign_app::microsoft::LinkKind;
use countersign_app::settings::MicrosoftSettings;
use countersign_emulator::{Emulator, RunningEmulator, Scenario};
use countersign_store::{ContactQuery, ContactStore, IntegrationStore, JobStore};
use countersign_testkit::{Options, TestApp, skip_postgres};

pub(crate) const MT_APP: &str = "aaaaaaaa-0000-4000-8000-000000000001";
pub(crate) const MT_SECRET: &str = "mt~secret-value-0001";
pub(crate) const PARTNER_APP: &str = "aaaaaaaa-0000-4000-8000-000000000002";
pub(crate) const PARTNER_SECRET: &str = "partner~secret-value-0002";
pub(crate) const CONTOSO: &str = "22222222-2222-4222-8222-222222222222";
pub(crate) const ZOE_GA: &str = "22222222-0000-4000-8000-000000000001";
pub(crate) const ALEX_GA: &str = "11111111-0000-4000-8000-000000000001";
pub(crate) const ADMIN: &str = "admin@msp.test";

pub(crate) struct World {
    pub(crate) app: TestApp,
    pub(crate) sim: RunningEmulator,
    pub(crate) browser: reqwest::Client,
    /// Plays the person in Microsoft's pages.
    pub(crate) ms: reqwest::Client,
}

/// The example scenario (Contoso, Fabrikam, Tailspin; fixed ids).
pub(crate) fn example() -> Scenario {
    Scenario::from_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../emulator/scenarios/example.toml"
    ))
    .unwrap()
}

async fn world(postgres: bool) -> World {
    world_with(postgres, example()).await
}

/// A signed-in admin, the simulator running `scenario`, and redirect URIs registered.
pub(crate) async fn world_with(postgres: bool, scenario: Scenario) -> World {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sim = Emulator::start(scenario, listener).await.unwrap();
    let m = sim.manifest().clone();
    let options = Options {
        microsoft: Some(MicrosoftSettings {
            client_id: MT_APP.into(),
            client_secret: MT_SECRET.into(),
            custom_login_base_url: m.login_base_url.clone(),
            custom_graph_base_url: m.graph_base_url.clone(),
            ..MicrosoftSettings::default()
        }),
        ..Options::default()
    };
    let app = if postgres {
        TestApp::postgres_with(options).await
    } else {
        TestApp::with(options).await
    };
    // The MSP registers the redirect URIs in Entra ID; here, in the simulator.
    let ctl = sim.control();
    ctl.add_redirect_uri(
        MT_APP.parse().unwrap(),
        &app.url("/integrations/consent/callback"),
    );
    ctl.add_redirect_uri(
        PARTNER_APP.parse().unwrap(),
        &app.url("/integrations/psa/*"),
    );
    app.create_admin("msp", ADMIN, PW).await;
    let browser = signed_in(&app, ADMIN).await;
    let ms = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    World {
        app,
        sim,
        browser,
        ms,
    }
}

impl World {
    /// Add ▸ Microsoft 365 ▸ name ▸ Submit; returns the integration page path.
    pub(crate) async fn add_integration(&self) -> String {
        self.add_integration_as(&self.browser).await
    }

    /// [`World::add_integration`] by the technician signed in on `browser`.
    pub(crate) async fn add_integration_as(&self, browser: &reqwest::Client) -> String {
        let res = self
            .app
            .post_form(
                browser,
                "/integrations/psa",
                "/integrations/psa",
                &[("kind", "microsoft365"), ("name", "Microsoft 365")],
            )
            .await;
        assert_eq!(res.status(), 303);
        let to = location(&res);
        assert!(to.starts_with("/integrations/psa/"), "{to}");
        to.split('?').next().unwrap().to_owned()
    }

    /// Approves (or cancels) on a Microsoft page and returns where Microsoft sends the
    /// browser back to, as a path of ours.
    pub(crate) async fn microsoft_page(&self, url: &str, account: &str, action: &str) -> String {
        let page = self.ms.get(url).send().await.unwrap();
        assert_eq!(page.status(), 200, "{url}");
        let parsed = url::Url::parse(url).unwrap();
        let mut form: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
        form.push(("account".into(), account.into()));
        form.push(("action".into(), action.into()));
        let res = self
            .ms
            .post(url.split('?').next().unwrap())
            .form(&form)
            .send()
            .await
            .unwrap();
        let back = location(&res);
        assert!(back.starts_with(&self.app.base_url), "{back}");
        back[self.app.base_url.len()..].to_owned()
    }

    /// Connect to Microsoft 365 ▸ `account` approves (or cancels) the admin consent and, on
    /// approval, signs in to the tenant that consented (the proof Countersign asks for);
    /// returns Countersign's answer to the last redirect.
    pub(crate) async fn consent(
        &self,
        page: &str,
        account: &str,
        action: &str,
    ) -> reqwest::Response {
        self.consent_as(&self.browser, page, account, action).await
    }

    /// [`World::consent`] by the technician signed in on `browser`.
    pub(crate) async fn consent_as(
        &self,
        browser: &reqwest::Client,
        page: &str,
        account: &str,
        action: &str,
    ) -> reqwest::Response {
        let res = self.admin_consent_as(browser, page, account, action).await;
        if action != "approve" {
            return res;
        }
        let sign_in = self.expect_sign_in(&res);
        let back = self.microsoft_page(&sign_in, account, "approve").await;
        browser.get(self.app.url(&back)).send().await.unwrap()
    }

    /// Step 1 only: the admin consent page, and Countersign's answer to its redirect.
    pub(crate) async fn admin_consent_as(
        &self,
        browser: &reqwest::Client,
        page: &str,
        account: &str,
        action: &str,
    ) -> reqwest::Response {
        let res = self
            .app
            .post_form(browser, page, &format!("{page}/consent"), &[])
            .await;
        assert_eq!(res.status(), 303);
        let back = self.microsoft_page(&location(&res), account, action).await;
        browser.get(self.app.url(&back)).send().await.unwrap()
    }

    /// The OpenID Connect sign-in Countersign sends the browser to after a consent redirect:
    /// Microsoft's authorize endpoint with a nonce and PKCE S256, for `openid profile`.
    pub(crate) fn expect_sign_in(&self, res: &reqwest::Response) -> String {
        assert_eq!(res.status(), 303, "the consent callback asks for a sign-in");
        let to = location(res);
        let login = &self.sim.manifest().login_base_url;
        assert!(
            to.starts_with(login.as_str()) && to.contains("/oauth2/v2.0/authorize?"),
            "a sign-in at Microsoft, not {to}"
        );
        let q: std::collections::HashMap<String, String> = url::Url::parse(&to)
            .unwrap()
            .query_pairs()
            .into_owned()
            .collect();
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["scope"], "openid profile");
        assert_eq!(q["code_challenge_method"], "S256");
        assert!(q["nonce"].len() >= 32 && q["state"].len() >= 32, "{to}");
        to
    }

    /// Submits the GDAP dialog with the partner's domain and app, and `secret`.
    pub(crate) async fn gdap_partner(&self, page: &str, secret: &str) -> reqwest::Response {
        self.gdap(
            page,
            &[
                ("domain", "northwind-msp.onmicrosoft.com"),
                ("client_id", PARTNER_APP),
                ("client_secret", secret),
            ],
        )
        .await
    }

    /// Submits the GDAP dialog with `fields`, `account` approves at Microsoft; the response
    /// of our callback.
    pub(crate) async fn gdap_signed_in(
        &self,
        page: &str,
        fields: &[(&str, &str)],
        account: &str,
    ) -> reqwest::Response {
        let res = self.gdap(page, fields).await;
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
        let back = self
            .microsoft_page(&location(&res), account, "approve")
            .await;
        self.browser.get(self.app.url(&back)).send().await.unwrap()
    }

    pub(crate) async fn gdap(&self, page: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.app
            .post_form(&self.browser, page, &format!("{page}/gdap"), fields)
            .await
    }

    /// Runs the queued jobs (the test app has no workers).
    pub(crate) async fn run_jobs(&self) {
        while self.run_claimed_jobs().await > 0 {}
    }

    /// Claims the jobs due now and runs them (not the ones they queue); how many ran.
    pub(crate) async fn run_claimed_jobs(&self) -> usize {
        {
            let now = self.app.app.now();
            let jobs = self
                .app
                .app
                .store()
                .claim_jobs(
                    "test",
                    now,
                    now.plus(std::time::Duration::from_secs(60)),
                    50,
                )
                .await
                .unwrap();
            let n = jobs.len();
            let transports =
                countersign_app::messages::Transports::from_settings(&self.app.app.settings)
                    .unwrap();
            for j in jobs {
                countersign_app::jobs::run_job(&self.app.app, &transports, &j)
                    .await
                    .unwrap();
            }
            n
        }
    }
}

async fn seed_workflow(postgres: bool) {
    let w = world(postgres).await;
    let page = w.add_integration().await;
    let (status, html) = get(&w.app, &w.browser, &page).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Connect to Microsoft 365") && html.contains("/gdap/callback"),
        "{html}"
    );

    // Tenant by tenant: Contoso's Global Administrator approves.
    let res = w.consent(&page, ZOE_GA, "approve").await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    assert!(location(&res).contains("notice=tenant_linked"));
    let (_, html) = get(&w.app, &w.browser, &page).await;
    assert!(
        html.contains("Contoso Ltd") && html.contains("contoso.com"),
        "{html}"
    );
    // Consenting again updates the same link.
    let res = w.consent(&page, ZOE_GA, "approve").await;
    assert_eq!(res.status(), 303);
    // Cancel: a clear message, nothing saved.
    let res = w.consent(&page, ZOE_GA, "cancel").await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("cancelled or declined"));

    // GDAP: wrong domain, then the real sign-in.
    let res = w
        .gdap(
            &page,
            &[
                ("domain", "nope.example"),
                ("client_id", PARTNER_APP),
                ("client_secret", PARTNER_SECRET),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("no tenant with the domain")
    );
    let res = w.gdap_partner(&page, PARTNER_SECRET).await;
    assert_eq!(res.status(), 303);
    let back = w.microsoft_page(&location(&res), ALEX_GA, "approve").await;
    let res = w.browser.get(w.app.url(&back)).send().await.unwrap();
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let (_, html) = get(&w.app, &w.browser, &page).await;
    assert!(html.contains("GDAP connected"), "{html}");

    let id: countersign_domain::IntegrationId = page.rsplit('/').next().unwrap().parse().unwrap();
    let admin = {
        use countersign_store::TechnicianStore;
        w.app
            .app
            .store()
            .technician_by_email_for_login(ADMIN)
            .await
            .unwrap()
            .unwrap()
    };
    let links = w.app.app.tenant_links(admin.org_id, id).await.unwrap();
    assert_eq!(
        links
            .iter()
            .filter(|l| l.new.link == LinkKind::AdminConsent)
            .count(),
        1
    );
    assert!(
        links
            .iter()
            .any(|l| l.new.link == LinkKind::Gdap && l.new.tenant_id == CONTOSO)
    );
    // The sealed refresh token is stored and never shown.
    let (_, secrets) = w.app.app.inspect_microsoft(admin.org_id, id).await.unwrap();
    assert!(secrets.gdap_refresh_token.is_some());
    assert!(!html.contains(PARTNER_SECRET));

    // Sync Customer: tenants without consent say what to do; the others proceed. The request
    // queues a job; the page shows its result once a worker ran it.
    let res = w
        .app
        .post_form(&w.browser, &page, &format!("{page}/sync-customers"), &[])
        .await;
    assert_eq!(res.status(), 303);
    assert!(location(&res).contains("notice=sync_customers_queued"));
    w.run_jobs().await;
    let (status, html) = get(&w.app, &w.browser, &page).await;
    assert_eq!(status, 200);
    assert!(html.contains("Customers created or updated for"), "{html}");
    assert!(
        html.contains("AADSTS65001") || html.contains("AADSTS90099"),
        "{html}"
    );

    // Sync Users: one job per tenant.
    let res = w
        .app
        .post_form(&w.browser, &page, &format!("{page}/sync-users"), &[])
        .await;
    assert_eq!(res.status(), 303);
    w.run_jobs().await;
    let links = w.app.app.tenant_links(admin.org_id, id).await.unwrap();
    let contoso = links
        .iter()
        .find(|l| l.new.tenant_id == CONTOSO && l.new.link == LinkKind::AdminConsent)
        .unwrap();
    assert_eq!(contoso.last_sync_ok, Some(true), "{:?}", contoso.last_error);
    assert!(contoso.delta_link.is_some());
    assert!(contoso.progress.added > 200, "{:?}", contoso.progress);
    let failed: Vec<_> = links
        .iter()
        .filter(|l| l.last_sync_ok == Some(false))
        .collect();
    assert!(
        !failed.is_empty(),
        "the unconsented tenants fail with a reason"
    );
    let contacts = w
        .app
        .app
        .store()
        .search_contacts(
            admin.org_id,
            &ContactQuery {
                limit: 50,
                ..ContactQuery::default()
            },
        )
        .await
        .unwrap();
    assert!(!contacts.is_empty());

    // A later change arrives by delta; a removal hides the contact.
    w.sim
        .control()
        .edit_user(
            CONTOSO,
            "taro.yamada@contoso.onmicrosoft.com",
            &serde_json::json!({"mobilePhone": "+1 206 555 0199"}),
        )
        .unwrap();
    w.app
        .app
        .enqueue_tenant_sync(admin.org_id, contoso.id)
        .await
        .unwrap();
    w.run_jobs().await;
    let after = w
        .app
        .app
        .tenant_link(admin.org_id, contoso.id)
        .await
        .unwrap();
    assert_eq!(after.last_sync_ok, Some(true));
    assert_eq!(after.progress.users_seen, 1, "{:?}", after.progress);

    // The status JSON feeds the live progress.
    let (status, json) = get(&w.app, &w.browser, &format!("{page}/status.json")).await;
    assert_eq!(status, 200);
    assert!(json.contains("users_seen"));

    // Delete says how many contacts go with it, and removes them.
    let count = w
        .app
        .app
        .store()
        .integration_contact_count(admin.org_id, id)
        .await
        .unwrap();
    let (_, html) = get(&w.app, &w.browser, &page).await;
    assert!(html.contains(&format!("Its {count} contact(s) are deleted with it")));
    let res = w
        .app
        .post_form(&w.browser, &page, &format!("{page}/delete"), &[])
        .await;
    assert_eq!(res.status(), 303);
    assert!(
        w.app
            .app
            .store()
            .integrations(admin.org_id)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn seed_workflow_over_http() {
    seed_workflow(false).await;
}

#[tokio::test]
async fn seed_workflow_over_http_postgres() {
    if skip_postgres() {
        return;
    }
    seed_workflow(true).await;
}

#[tokio::test]
async fn consent_callback_without_state_saves_nothing() {
    let w = world(false).await;
    let page = w.add_integration().await;
    let res = w
        .browser
        .get(w.app.url(&format!(
            "/integrations/consent/callback?admin_consent=True&tenant={CONTOSO}&state=forged"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let (_, html) = get(&w.app, &w.browser, &page).await;
    assert!(
        !html.contains("Contoso Ltd"),
        "a forged tenant parameter links nothing"
    );
}

/// Org isolation: an admin of org A requests every integration URL of org B's integration
/// and tenant; all are 404, leak nothing and change nothing.
pub async fn isolation_matrix(
    app: &TestApp,
    b_org: countersign_domain::OrgId,
    c: &reqwest::Client,
) {
    use countersign_app::microsoft::NewTenantLink;
    use countersign_store::Technician;
    let b_admin: Technician = {
        use countersign_store::TechnicianStore;
        let all = app.app.store().technicians(b_org).await.unwrap();
        all.into_iter().find(|t| t.role.can_manage()).unwrap()
    };
    let i = app
        .app
        .create_integration(
            &countersign_app::Principal::technician(&b_admin, [127, 0, 0, 1].into()),
            countersign_store::IntegrationKind::Microsoft365,
            "Bravo M365",
        )
        .await
        .unwrap();
    let l = app
        .app
        .upsert_tenant_link(
            &NewTenantLink {
                org_id: b_org,
                integration_id: i.id,
                tenant_id: "99999999-9999-4999-8999-999999999999".into(),
                link: LinkKind::Gdap,
                display_name: "Bravo Tenant".into(),
                default_domain: "bravo.example".into(),
                relationships: String::new(),
                roles: String::new(),
            },
            app.app.now(),
        )
        .await
        .unwrap();
    let secrets = [
        "Bravo M365",
        "Bravo Tenant",
        "bravo.example",
        &l.id.to_string(),
    ];
    let page = format!("/integrations/psa/{}", i.id);
    for path in [
        page.clone(),
        format!("{page}/status.json"),
        format!("{page}/gdap/callback?code=x&state=y"),
        format!("{page}/gdap/callback"),
    ] {
        let (status, body) = get(app, c, &path).await;
        assert_eq!(status, 404, "{path}");
        for s in secrets {
            assert!(!body.contains(s), "{path} leaked {s}");
        }
    }
    for (action, fields) in [
        ("rename", vec![("name", "Taken over")]),
        ("settings", vec![("cloud", "global")]),
        ("consent", vec![]),
        (
            "gdap",
            vec![
                ("domain", "x.example"),
                ("client_id", "00000000-0000-4000-8000-000000000000"),
                ("client_secret", "s~ecret"),
            ],
        ),
        ("gdap/refresh", vec![]),
        ("sync-customers", vec![]),
        ("sync-users", vec![]),
        (&format!("tenants/{}/sync", l.id), vec![]),
        (&format!("tenants/{}/unlink", l.id), vec![]),
        (&format!("tenants/{}/relink", l.id), vec![]),
        ("retention", vec![("days", "3")]),
        ("delete", vec![]),
    ] {
        let url = format!("{page}/{action}");
        let res = app.post_form(c, "/integrations/psa", &url, &fields).await;
        let status = res.status().as_u16();
        let body = res.text().await.unwrap();
        assert_eq!(status, 404, "{url}");
        for s in secrets {
            assert!(!body.contains(s), "{url} leaked {s}");
        }
    }
    let (status, body) = get(app, c, "/integrations/psa").await;
    assert_eq!(status, 200);
    assert!(!body.contains("Bravo M365"));
    let (after, _) = app.app.inspect_microsoft(b_org, i.id).await.unwrap();
    assert_eq!(after.name, "Bravo M365");
    assert_eq!(after.settings, i.settings);
    let link = app.app.tenant_link(b_org, l.id).await.unwrap();
    assert_eq!(link.sync_state, countersign_store::SyncState::Idle);
    assert_eq!(link.unlinked_at, None, "another org cannot unlink it");
    // Nor see its sync history or filter by it.
    for q in [format!("integration={}", i.id), format!("tenant={}", l.id)] {
        let (status, body) = get(app, c, &format!("/settings/jobs?{q}")).await;
        assert_eq!(status, 404, "{q}");
        for s in secrets {
            assert!(!body.contains(s), "the jobs page leaked {s}");
        }
    }
    use countersign_store::UnlinkStore;
    assert_eq!(
        app.app.store().unlink_retention_days(b_org).await.unwrap(),
        countersign_store::DEFAULT_RETENTION_DAYS
    );
}
