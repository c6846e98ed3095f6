//! Microsoft 365 delta sync over HTTP against the simulator, on SQLite and PostgreSQL: every
//! kind of change (phone edit, add, soft delete, hard delete, restore, disabled, guest), the
//! integration's filters, real change counters, and the mark-and-sweep after a 410.

use crate::get;
use crate::integrations::{CONTOSO, World, example, world_with};
use crate::m365_support::{
    assert_contacts_equal_simulator, contacts, contoso_linked, simulator_users, sync_via_queue,
};
use countersign_app::microsoft::TenantLink;
use countersign_emulator::UserSpec;
use countersign_store::Contact;
use countersign_testkit::skip_postgres;
use serde_json::json;

/// Whether the Contacts page shows the contact (it hides removed and disabled ones).
async fn listed(w: &World, c: &Contact) -> bool {
    let q = urlencoding::encode(c.email.as_deref().unwrap());
    let (status, html) = get(&w.app, &w.browser, &format!("/contacts?q={q}")).await;
    assert_eq!(status, 200);
    html.contains(&format!("/contacts/{}", c.id))
}

/// Some ordinary (non-admin, cloud-only, enabled member) users of Contoso, by UPN.
fn ordinary(all: &std::collections::HashMap<String, Contact>, n: usize) -> Vec<Contact> {
    let mut v: Vec<Contact> = all
        .values()
        .filter(|c| c.removed_at.is_none() && c.upn.as_deref().is_some_and(|u| u.contains('.')))
        .filter(|c| {
            !c.external_id
                .as_deref()
                .unwrap()
                .starts_with("22222222-0000")
        })
        .cloned()
        .collect();
    v.sort_by(|a, b| a.upn.cmp(&b.upn));
    v.truncate(n);
    assert_eq!(v.len(), n);
    v
}

async fn by_id(w: &World, l: &TenantLink, id: &str) -> Option<Contact> {
    contacts(w, l).await.remove(id)
}

async fn every_kind_of_change(postgres: bool) {
    let w = world_with(postgres, example()).await;
    let (page, l) = contoso_linked(&w).await;
    let first = sync_via_queue(&w, l.id).await;
    assert_eq!(first.last_sync_ok, Some(true), "{:?}", first.last_error);
    let all = contacts(&w, &l).await;
    let [a, b, c, d] = <[Contact; 4]>::try_from(ordinary(&all, 4)).unwrap();
    let upn = |c: &Contact| c.upn.clone().unwrap();
    let id = |c: &Contact| c.external_id.clone().unwrap();
    let ctl = w.sim.control();

    // Round 1: one of each change.
    let taro = "22222222-0000-4000-8000-000000000002";
    ctl.edit_user(CONTOSO, taro, &json!({"mobilePhone": "+1 206 555 0199"}))
        .unwrap();
    let nina = ctl
        .add_user(
            CONTOSO,
            &UserSpec {
                display_name: "Nina Neu".into(),
                given_name: Some("Nina".into()),
                surname: Some("Neu".into()),
                upn: "nina.neu".into(),
                mobile_phone: Some("+49 151 23456789".into()),
                account_enabled: true,
                ..UserSpec::default()
            },
        )
        .unwrap()
        .to_string();
    ctl.soft_delete(CONTOSO, &upn(&a)).unwrap();
    ctl.soft_delete(CONTOSO, &upn(&b)).unwrap();
    ctl.hard_delete(CONTOSO, &upn(&b)).unwrap();
    ctl.edit_user(CONTOSO, &upn(&c), &json!({"accountEnabled": false}))
        .unwrap();
    ctl.edit_user(CONTOSO, &upn(&d), &json!({"userType": "Guest"}))
        .unwrap();
    let after = sync_via_queue(&w, l.id).await;
    assert_eq!(after.last_sync_ok, Some(true), "{:?}", after.last_error);
    let p = after.progress;
    assert_eq!(
        (p.users_seen, p.added, p.changed, p.removed),
        (4, 1, 1, 4),
        "{p:?}"
    );

    let t = by_id(&w, &l, taro).await.unwrap();
    assert_eq!(t.mobile.as_deref(), Some("+1 206 555 0199"));
    assert_eq!(t.mobile_e164.as_deref(), Some("+12065550199"));
    assert!(t.phone_changed_at.is_some(), "a changed number is recorded");
    let n = by_id(&w, &l, &nina)
        .await
        .expect("the added user is a contact");
    assert_eq!(n.mobile_e164.as_deref(), Some("+4915123456789"));
    assert!(listed(&w, &n).await);
    for (who, what) in [
        (&a, "soft-deleted"),
        (&b, "hard-deleted"),
        (&c, "disabled"),
        (&d, "guest"),
    ] {
        let now = by_id(&w, &l, &id(who)).await.unwrap();
        assert!(now.removed_at.is_some(), "{what} user is marked removed");
        assert_eq!(
            now.display_name, who.display_name,
            "{what}: kept for history"
        );
        assert!(!listed(&w, &now).await, "{what} user is hidden");
    }

    // Round 2: the soft-deleted user is restored.
    ctl.restore(CONTOSO, &upn(&a)).unwrap();
    let after = sync_via_queue(&w, l.id).await;
    let p = after.progress;
    assert_eq!(
        (p.users_seen, p.added, p.changed, p.removed),
        (1, 0, 1, 0),
        "{p:?}"
    );
    let back = by_id(&w, &l, &id(&a)).await.unwrap();
    assert_eq!(back.removed_at, None);
    assert!(listed(&w, &back).await, "a restored user is visible again");

    // The filters are the integration's: keeping guests makes the next sync a full round
    // (the delta link is forgotten), which brings the guest back; only real changes count.
    let res = w
        .app
        .post_form(
            &w.browser,
            &page,
            &format!("{page}/settings"),
            &[
                ("cloud", "custom"),
                ("login_base_url", &w.sim.manifest().login_base_url),
                ("graph_base_url", &w.sim.manifest().graph_base_url),
                ("skip_disabled", "on"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    // Guests never stored before arrive as new contacts; the one stored before comes back.
    let guests = simulator_users(&w, CONTOSO)
        .await
        .iter()
        .filter(|u| u["userType"] == "Guest" && u["accountEnabled"] == true)
        .count();
    assert!(guests > 1);
    let after = sync_via_queue(&w, l.id).await;
    let p = after.progress;
    assert!(p.users_seen > 250, "a full round: {p:?}");
    let new_guests = i64::try_from(guests - 1).unwrap();
    assert_eq!((p.added, p.changed, p.removed), (new_guests, 1, 0), "{p:?}");
    let guest = by_id(&w, &l, &id(&d)).await.unwrap();
    assert_eq!(
        (guest.removed_at, guest.user_type.as_str()),
        (None, "Guest")
    );
    assert!(by_id(&w, &l, &id(&b)).await.unwrap().removed_at.is_some());
}

#[tokio::test]
async fn delta_sync_applies_every_kind_of_change() {
    every_kind_of_change(false).await;
}

#[tokio::test]
async fn delta_sync_applies_every_kind_of_change_postgres() {
    if skip_postgres() {
        return;
    }
    every_kind_of_change(true).await;
}

async fn resync_sweeps_users_deleted_meanwhile(postgres: bool) {
    let w = world_with(postgres, example()).await;
    let (_, l) = contoso_linked(&w).await;
    assert_eq!(sync_via_queue(&w, l.id).await.last_sync_ok, Some(true));
    let all = contacts(&w, &l).await;
    let [a, b, c] = <[Contact; 3]>::try_from(ordinary(&all, 3)).unwrap();
    let ctl = w.sim.control();
    // Eight days later the delta link has expired (7 days); meanwhile users left.
    ctl.advance_clock(8 * 24 * 3600);
    ctl.soft_delete(CONTOSO, a.upn.as_deref().unwrap()).unwrap();
    ctl.soft_delete(CONTOSO, b.upn.as_deref().unwrap()).unwrap();
    ctl.hard_delete(CONTOSO, b.upn.as_deref().unwrap()).unwrap();
    ctl.edit_user(
        CONTOSO,
        c.upn.as_deref().unwrap(),
        &json!({"jobTitle": "Chef"}),
    )
    .unwrap();
    let after = sync_via_queue(&w, l.id).await;
    assert_eq!(after.last_sync_ok, Some(true), "{:?}", after.last_error);
    let p = after.progress;
    assert!(
        p.users_seen > 250,
        "the 410 restarted with a full round: {p:?}"
    );
    assert_eq!((p.added, p.changed, p.removed), (0, 1, 2), "{p:?}");
    for gone in [&a, &b] {
        let now = by_id(&w, &l, gone.external_id.as_deref().unwrap())
            .await
            .unwrap();
        assert!(now.removed_at.is_some(), "{:?} was swept", gone.upn);
    }
    assert_contacts_equal_simulator(&w, &l).await;
    // A new delta link works again: nothing changed, nothing counted.
    let again = sync_via_queue(&w, l.id).await;
    assert_eq!(again.progress.users_seen, 0, "{:?}", again.progress);
}

#[tokio::test]
async fn full_resync_after_410_marks_users_deleted_meanwhile_removed() {
    resync_sweeps_users_deleted_meanwhile(false).await;
}

#[tokio::test]
async fn full_resync_after_410_marks_users_deleted_meanwhile_removed_postgres() {
    if skip_postgres() {
        return;
    }
    resync_sweeps_users_deleted_meanwhile(true).await;
}
