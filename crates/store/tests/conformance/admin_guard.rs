//! The last active admin of an org is kept, even when two admins demote or deactivate each
//! other at the same moment (issue 18.7).

use crate::fixtures::{at, org, session, technician};
use crate::harness::concurrently;
use countersign_domain::{Role, TechnicianId};
use countersign_store::{
    SessionStore, Store, StoreError, Technician, TechnicianChange, TechnicianStore,
};

/// How many times each race is run.
const ROUNDS: usize = 20;

pub async fn last_admin_is_kept(store: &Store) {
    let acme = org(store, "acme").await;
    let other = org(store, "other").await;
    let a1 = technician(store, &acme, "a1@acme.test", Role::Admin).await;
    let a2 = technician(store, &acme, "a2@acme.test", Role::Admin).await;
    let t = technician(store, &acme, "t@acme.test", Role::Technician).await;
    let o = technician(store, &other, "o@other.test", Role::Admin).await;
    let demote = TechnicianChange::Role(Role::Technician);
    let deactivate = TechnicianChange::Active(false);

    assert!(
        store
            .change_keeping_an_admin(acme.id, a1.id, demote)
            .await
            .unwrap()
    );
    assert_eq!(
        store.technician(acme.id, a1.id).await.unwrap().role,
        Role::Technician
    );
    // a2 is the last active admin: neither demoted nor deactivated, and nothing changes.
    assert!(
        !store
            .change_keeping_an_admin(acme.id, a2.id, demote)
            .await
            .unwrap()
    );
    let s = session(store, &a2, at(1)).await;
    assert!(
        !store
            .change_keeping_an_admin(acme.id, a2.id, deactivate)
            .await
            .unwrap()
    );
    let kept = store.technician(acme.id, a2.id).await.unwrap();
    assert_eq!((kept.role, kept.active), (Role::Admin, true));
    assert!(
        store
            .session_by_token_hash(&s.token_hash)
            .await
            .unwrap()
            .is_some()
    );
    // Changes that take no admin away are not held up, and make room for the next.
    assert!(
        store
            .change_keeping_an_admin(acme.id, t.id, deactivate)
            .await
            .unwrap()
    );
    assert!(
        store
            .change_keeping_an_admin(acme.id, a1.id, TechnicianChange::Role(Role::Admin))
            .await
            .unwrap()
    );
    assert!(
        store
            .change_keeping_an_admin(acme.id, a2.id, deactivate)
            .await
            .unwrap()
    );
    assert!(
        store
            .session_by_token_hash(&s.token_hash)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.count_active_admins(acme.id).await.unwrap(), 1);
    // Another org's admins do not count, and its technicians are not found.
    assert!(
        !store
            .change_keeping_an_admin(other.id, o.id, demote)
            .await
            .unwrap()
    );
    assert!(matches!(
        store.change_keeping_an_admin(acme.id, o.id, demote).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .change_keeping_an_admin(acme.id, TechnicianId::new(), deactivate)
            .await,
        Err(StoreError::NotFound)
    ));
}

/// Two admins each take the other's admin role (or activity) at once: exactly one succeeds.
async fn race(store: &Store, change: TechnicianChange) {
    let acme = org(store, "acme").await;
    let org_id = acme.id;
    for round in 0..ROUNDS {
        let a = technician(store, &acme, &format!("a{round}@acme.test"), Role::Admin).await;
        let b = technician(store, &acme, &format!("b{round}@acme.test"), Role::Admin).await;
        let pair: [Technician; 2] = [b.clone(), a.clone()];
        let results = concurrently(2, |i| {
            let store = store.clone();
            let target = pair[i].id;
            async move {
                store
                    .change_keeping_an_admin(org_id, target, change)
                    .await
                    .unwrap()
            }
        })
        .await;
        assert_eq!(
            results.iter().filter(|ok| **ok).count(),
            1,
            "round {round}: {results:?}"
        );
        assert_eq!(store.count_active_admins(acme.id).await.unwrap(), 1);
        // Back to no admin in the org for the next round: the survivor is demoted directly.
        for t in [&a, &b] {
            store
                .set_role(acme.id, t.id, Role::Technician)
                .await
                .unwrap();
        }
        assert_eq!(store.count_active_admins(acme.id).await.unwrap(), 0);
    }
}

pub async fn admins_demoting_each_other_leave_one(store: &Store) {
    race(store, TechnicianChange::Role(Role::Technician)).await;
}

pub async fn admins_deactivating_each_other_leave_one(store: &Store) {
    race(store, TechnicianChange::Active(false)).await;
}
