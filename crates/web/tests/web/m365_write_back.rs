//! Write-back of a mobile number to Microsoft 365 over HTTP, against the simulator, on
//! SQLite and PostgreSQL: a success updates the contact and the simulator received the
//! PATCH; an on-premises-synced user is refused before any PATCH, with the reason; a
//! privileged user's 403 shows Microsoft's reason and the role needed; each is audited.

use crate::integrations::{CONTOSO, example, world_with};
use crate::m365_support::{contacts, contoso_linked, org_of, sync_via_queue};
use countersign_store::{AuditFilter, AuditStore, ContactStore};
use countersign_testkit::skip_postgres;

const TARO: &str = "22222222-0000-4000-8000-000000000002";
const BJOERN_ON_PREM: &str = "22222222-0000-4000-8000-000000000003";
const ZOE_GA: &str = "22222222-0000-4000-8000-000000000001";

async fn write_back(postgres: bool) {
    let w = world_with(postgres, example()).await;
    let (_, l) = contoso_linked(&w).await;
    assert_eq!(sync_via_queue(&w, l.id).await.last_sync_ok, Some(true));
    let org = org_of(&w).await;
    let all = contacts(&w, &l).await;
    let ctl = w.sim.control();
    ctl.clear_writes();
    let edit = |id: &str, mobile: &'static str| {
        let c = all[id].clone();
        let w = &w;
        async move {
            let page = format!("/contacts/{}", c.id);
            let email = c.email.clone().unwrap_or_default();
            let res = w
                .app
                .post_form(
                    &w.browser,
                    &page,
                    &page,
                    &[("mobile", mobile), ("email", &email)],
                )
                .await;
            let status = res.status().as_u16();
            (status, res.text().await.unwrap())
        }
    };

    // Success: Graph took it, the contact has it.
    let (status, body) = edit(TARO, "+1 206 555 0123").await;
    assert_eq!(status, 303, "{body}");
    let taro = w.app.app.store().contact(org, all[TARO].id).await.unwrap();
    assert_eq!(taro.mobile_e164.as_deref(), Some("+12065550123"));
    let writes = ctl.writes();
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert_eq!(writes[0].method, "PATCH");
    assert_eq!(writes[0].status, 204);
    assert_eq!(writes[0].target_user_id.unwrap().to_string(), TARO);
    assert_eq!(writes[0].body["mobilePhone"], "+1 206 555 0123");
    assert_eq!(
        ctl.user(CONTOSO, TARO).unwrap()["mobilePhone"],
        "+1 206 555 0123"
    );

    // On-premises-synced: refused before any PATCH, with the reason; nothing saved.
    let (status, body) = edit(BJOERN_ON_PREM, "+49 151 99999999").await;
    assert_eq!(status, 422);
    assert!(body.contains("on-premises Active Directory"), "{body}");
    assert_eq!(ctl.writes().len(), 1, "no PATCH was sent");
    let bjoern = w
        .app
        .app
        .store()
        .contact(org, all[BJOERN_ON_PREM].id)
        .await
        .unwrap();
    assert_eq!(bjoern.mobile, all[BJOERN_ON_PREM].mobile);

    // A Global Administrator: the app-only sign-in may not change it; Microsoft's reason and
    // the role needed are shown; nothing saved.
    let (status, body) = edit(ZOE_GA, "+33 6 98 76 54 32").await;
    assert_eq!(status, 422);
    assert!(body.contains("Authorization_RequestDenied"), "{body}");
    assert!(
        body.contains("Privileged Authentication Administrator"),
        "{body}"
    );
    let writes = ctl.writes();
    assert_eq!(writes.len(), 2);
    assert_eq!(writes[1].status, 403);
    let zoe = w
        .app
        .app
        .store()
        .contact(org, all[ZOE_GA].id)
        .await
        .unwrap();
    assert_eq!(zoe.mobile_e164, all[ZOE_GA].mobile_e164);

    // Each attempt is audited with its result.
    let entries = w
        .app
        .app
        .store()
        .audit_entries(
            org,
            &AuditFilter {
                action_prefix: Some("contact.write_back".into()),
                limit: 10,
                ..AuditFilter::default()
            },
        )
        .await
        .unwrap();
    let mut seen: Vec<(String, bool)> = entries
        .iter()
        .map(|e| {
            (
                e.entry.target.clone(),
                e.entry.detail.contains("\"written\""),
            )
        })
        .collect();
    seen.sort();
    let mut expected = vec![
        (all[TARO].id.to_string(), true),
        (all[BJOERN_ON_PREM].id.to_string(), false),
        (all[ZOE_GA].id.to_string(), false),
    ];
    expected.sort();
    assert_eq!(seen, expected);
    assert!(
        entries
            .iter()
            .all(|e| !e.entry.detail.contains("12065550123")),
        "numbers are masked in the audit log"
    );
}

#[tokio::test]
async fn write_back_succeeds_refuses_on_premises_and_explains_403() {
    write_back(false).await;
}

#[tokio::test]
async fn write_back_succeeds_refuses_on_premises_and_explains_403_postgres() {
    if skip_postgres() {
        return;
    }
    write_back(true).await;
}
