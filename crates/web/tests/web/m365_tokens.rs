//! GDAP sign-ins over HTTP against the simulator, on SQLite and PostgreSQL: one tenant
//! without consent (AADSTS65001) fails alone while the others sync; every refresh-token
//! rotation is saved (so the sign-in outlives its first token); a revoked sign-in marks only
//! its own integration "sign in again".

use crate::get;
use crate::integrations::{
    ALEX_GA, CONTOSO, PARTNER_APP, PARTNER_SECRET, World, example, world_with,
};
use crate::location;
use crate::m365_support::{link, org_of, sync_via_queue};
use countersign_app::microsoft::GdapStatus;
use countersign_app::microsoft::LinkKind;
use countersign_domain::IntegrationId;
use countersign_testkit::skip_postgres;

const FABRIKAM: &str = "33333333-3333-4333-8333-333333333333";
const PARTNER_TENANT: &str = "11111111-1111-4111-8111-111111111111";
const MEGAN_UA: &str = "11111111-0000-4000-8000-000000000002";
const DAY: u64 = 24 * 3600;

/// Add ▸ Microsoft 365, then Connect to Microsoft 365 (GDAP) signed in as `account`;
/// returns the integration page.
async fn gdap_connected(w: &World, account: &str) -> String {
    let page = w.add_integration().await;
    gdap_connected_again(w, &page, account).await
}

fn integration_id(page: &str) -> IntegrationId {
    page.rsplit('/').next().unwrap().parse().unwrap()
}

/// The stored refresh token, opened.
async fn refresh_token(w: &World, page: &str) -> String {
    let org = org_of(w).await;
    let id = integration_id(page);
    let (_, secrets) = w.app.app.inspect_microsoft(org, id).await.unwrap();
    secrets.gdap_refresh_token.clone().unwrap()
}

/// Redeems a refresh token at the simulator directly: (status, body).
async fn redeem(w: &World, token: &str) -> (u16, String) {
    let res = reqwest::Client::new()
        .post(format!(
            "{}/{PARTNER_TENANT}/oauth2/v2.0/token",
            w.sim.manifest().login_base_url
        ))
        .form(&[
            ("client_id", PARTNER_APP),
            ("client_secret", PARTNER_SECRET),
            ("grant_type", "refresh_token"),
            ("refresh_token", token),
        ])
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn one_tenant_without_consent(postgres: bool) {
    let w = world_with(postgres, example()).await;
    let page = gdap_connected(&w, ALEX_GA).await;
    let res = w
        .app
        .post_form(&w.browser, &page, &format!("{page}/sync-users"), &[])
        .await;
    assert_eq!(res.status(), 303);
    w.run_jobs().await;
    let contoso = link(&w, &page, CONTOSO, LinkKind::Gdap).await;
    let fabrikam = link(&w, &page, FABRIKAM, LinkKind::Gdap).await;
    assert_eq!(contoso.last_sync_ok, Some(true), "{:?}", contoso.last_error);
    assert!(contoso.progress.added > 200, "{:?}", contoso.progress);
    assert_eq!(fabrikam.last_sync_ok, Some(false));
    let reason = fabrikam.last_error.unwrap();
    assert!(reason.contains("AADSTS65001"), "{reason}");
    let (_, html) = get(&w.app, &w.browser, &page).await;
    assert!(html.contains("AADSTS65001"), "the page says why: {html}");
    // The failure is the tenant's, not the sign-in's.
    let i = w
        .app
        .app
        .inspect_microsoft(org_of(&w).await, integration_id(&page))
        .await
        .unwrap()
        .0;
    assert_eq!(i.settings.gdap_status, GdapStatus::Connected);
}

#[tokio::test]
async fn a_tenant_without_consent_fails_alone_while_others_sync() {
    one_tenant_without_consent(false).await;
}

#[tokio::test]
async fn a_tenant_without_consent_fails_alone_while_others_sync_postgres() {
    if skip_postgres() {
        return;
    }
    one_tenant_without_consent(true).await;
}

async fn rotation_and_sign_in_again(postgres: bool) {
    let w = world_with(postgres, example()).await;
    let a = gdap_connected(&w, ALEX_GA).await;
    let b = gdap_connected(&w, MEGAN_UA).await;
    let a_link = link(&w, &a, CONTOSO, LinkKind::Gdap).await;
    let b_link = link(&w, &b, CONTOSO, LinkKind::Gdap).await;
    let ctl = w.sim.control();

    // Each redemption rotates the refresh token, and the new one is saved.
    let rt0 = refresh_token(&w, &a).await;
    assert_eq!(sync_via_queue(&w, a_link.id).await.last_sync_ok, Some(true));
    let rt1 = refresh_token(&w, &a).await;
    assert_ne!(rt1, rt0, "the rotated token is saved");
    ctl.advance_clock(60 * DAY);
    assert_eq!(sync_via_queue(&w, a_link.id).await.last_sync_ok, Some(true));
    let rt2 = refresh_token(&w, &a).await;
    assert_ne!(rt2, rt1);
    // 100 days on, the first token is unusable (90 days without use); the sign-in lives on
    // because the rotations were saved.
    ctl.advance_clock(40 * DAY);
    let (status, body) = redeem(&w, &rt0).await;
    assert_eq!(status, 400);
    assert!(body.contains("AADSTS700082"), "{body}");
    let after = sync_via_queue(&w, a_link.id).await;
    assert_eq!(after.last_sync_ok, Some(true), "{:?}", after.last_error);
    // (B's sign-in was not used for 100 days: it has expired, like at Microsoft; sign in
    // again for the revocation check below.)
    let b = gdap_connected_again(&w, &b, MEGAN_UA).await;

    // Alex's sessions are revoked (password reset): only integration A must sign in again.
    // Access tokens already issued live on (an hour, as at Microsoft); the next refresh fails.
    ctl.revoke_sessions(PARTNER_TENANT, ALEX_GA).unwrap();
    ctl.advance_clock(2 * 3600);
    let failed = sync_via_queue(&w, a_link.id).await;
    assert_eq!(failed.last_sync_ok, Some(false));
    assert!(
        failed
            .last_error
            .as_deref()
            .unwrap()
            .contains("AADSTS50173"),
        "{:?}",
        failed.last_error
    );
    let org = org_of(&w).await;
    let ia = w
        .app
        .app
        .inspect_microsoft(org, integration_id(&a))
        .await
        .unwrap()
        .0;
    assert_eq!(ia.settings.gdap_status, GdapStatus::SignInAgain);
    let (_, html) = get(&w.app, &w.browser, &a).await;
    assert!(html.contains("sign in again"), "{html}");
    let ok = sync_via_queue(&w, b_link.id).await;
    assert_eq!(ok.last_sync_ok, Some(true), "{:?}", ok.last_error);
    let ib = w
        .app
        .app
        .inspect_microsoft(org, integration_id(&b))
        .await
        .unwrap()
        .0;
    assert_eq!(ib.settings.gdap_status, GdapStatus::Connected);
}

/// Signs an existing integration in again (Connect to Microsoft 365 (GDAP) on its page).
async fn gdap_connected_again(w: &World, page: &str, account: &str) -> String {
    let res = w.gdap_partner(page, PARTNER_SECRET).await;
    assert_eq!(res.status(), 303);
    let back = w.microsoft_page(&location(&res), account, "approve").await;
    let res = w.browser.get(w.app.url(&back)).send().await.unwrap();
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    page.to_owned()
}

#[tokio::test]
async fn refresh_rotation_is_saved_and_a_revoked_sign_in_marks_only_its_integration() {
    rotation_and_sign_in_again(false).await;
}

#[tokio::test]
async fn refresh_rotation_is_saved_and_a_revoked_sign_in_marks_only_its_integration_postgres() {
    if skip_postgres() {
        return;
    }
    rotation_and_sign_in_again(true).await;
}
