//! Unlinking a linked company (issue 21.6): its contacts hidden from every search and
//! audience but kept, its sync stopped and cursor forgotten, re-linking restoring them, the
//! purge deleting only what is due, the org's retention, and the sync history.

use crate::contacts::{names, user};
use crate::fixtures::{at, org};
use crate::integrations::integration;
use countersign_domain::{ContactId, CustomerId, IntegrationId, OrgId, SyncSourceId};
use countersign_store::{
    Contact, ContactQuery, ContactStore, CustomerStore, DEFAULT_RETENTION_DAYS, IntegrationStore,
    NewSyncSource, SourceKind, Store, StoreError, SyncProgress, SyncRunFilter, SyncRunStore,
    SyncSourceStore, SyncState, UnlinkStore,
};

/// A linked tenant `tenant` of `i` reached by `link`, with a customer and `users` synced
/// contacts named "<prefix> <n>".
async fn linked(
    store: &Store,
    org: OrgId,
    i: IntegrationId,
    tenant: &str,
    link: &str,
    users: &[&str],
) -> (SyncSourceId, CustomerId) {
    let s = store
        .upsert_sync_source(
            &NewSyncSource {
                org_id: org,
                integration_id: i,
                external_id: tenant.into(),
                link: link.into(),
                display_name: format!("Tenant {tenant}"),
                descriptor: "{}".into(),
            },
            at(1),
        )
        .await
        .unwrap();
    let c = store
        .upsert_synced_customer(org, SourceKind::Microsoft365, tenant, tenant, at(1))
        .await
        .unwrap();
    store.set_source_customer(org, s.id, c.id).await.unwrap();
    let batch: Vec<_> = users
        .iter()
        .enumerate()
        .map(|(n, name)| {
            user(
                &format!("{tenant}-{n}"),
                name,
                &format!("u{n}@{tenant}.example"),
                None,
            )
        })
        .collect();
    store
        .upsert_synced_contacts(org, c.id, SourceKind::Microsoft365, &batch, at(1))
        .await
        .unwrap();
    (s.id, c.id)
}

/// Every contact of the org that a technician may find (removed ones too).
async fn findable(store: &Store, org: OrgId) -> Vec<Contact> {
    store
        .search_contacts(
            org,
            &ContactQuery {
                include_inactive: true,
                limit: 500,
                ..ContactQuery::default()
            },
        )
        .await
        .unwrap()
}

async fn ids_of(store: &Store, org: OrgId, customer: CustomerId) -> Vec<ContactId> {
    store
        .search_contacts(
            org,
            &ContactQuery {
                customer: Some(customer),
                include_inactive: true,
                limit: 500,
                ..ContactQuery::default()
            },
        )
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect()
}

pub async fn unlinking_hides_contacts_and_relinking_restores_them(store: &Store) {
    let a = org(store, "a").await;
    let b = org(store, "b").await;
    let i = integration(a.id, IntegrationId::new());
    store.create_integration(&i).await.unwrap();
    let (t1, c1) = linked(store, a.id, i.id, "t1", "gdap", &["Ann One", "Bob One"]).await;
    let (_, c2) = linked(store, a.id, i.id, "t2", "gdap", &["Cat Two"]).await;
    let hidden_ids = ids_of(store, a.id, c1).await;
    assert_eq!(hidden_ids.len(), 2);
    store.start_sync(a.id, t1, at(2)).await.unwrap();
    store
        .finish_sync(a.id, t1, true, None, Some("https://graph/delta?t=1"), at(3))
        .await
        .unwrap();
    assert!(store.mark_sync_queued(a.id, t1).await.unwrap());

    // Another org can neither unlink nor re-link it.
    assert!(matches!(
        store.unlink_sync_source(b.id, t1, at(10), at(100)).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store
            .unlink_sync_source(a.id, t1, at(10), at(100))
            .await
            .unwrap(),
        2
    );
    assert!(matches!(
        store.unlink_sync_source(a.id, t1, at(11), at(101)).await,
        Err(StoreError::Conflict { .. })
    ));
    let s = store.sync_source(a.id, t1).await.unwrap();
    assert_eq!(
        (
            s.unlinked_at,
            s.purge_at,
            s.purged_at,
            s.cursor.as_deref(),
            s.state
        ),
        (Some(at(10)), Some(at(100)), None, None, SyncState::Idle),
        "unlinked: the delta token is forgotten and a queued sync no longer counts"
    );
    // Hidden from every search, even with removed ones, and from the name search.
    let left: Vec<String> = findable(store, a.id)
        .await
        .into_iter()
        .map(|c| c.display_name)
        .collect();
    assert_eq!(left, vec!["Cat Two".to_owned()]);
    assert!(names(store, a.id, "Ann").await.is_empty());
    assert!(ids_of(store, a.id, c1).await.is_empty());
    // Kept for history: the row still opens by id, marked.
    for id in &hidden_ids {
        assert_eq!(
            store.contact(a.id, *id).await.unwrap().unlinked_at,
            Some(at(10))
        );
    }
    // Customers count visible contacts only.
    let counts = store.customers(a.id, None, 10).await.unwrap();
    let count_of = |c: CustomerId| {
        counts
            .iter()
            .find(|s| s.customer.id == c)
            .map(|s| s.contacts)
    };
    assert_eq!((count_of(c1), count_of(c2)), (Some(0), Some(1)));
    // Not synced any more.
    assert!(!store.mark_sync_queued(a.id, t1).await.unwrap());
    assert!(
        !store
            .sync_sources_due(at(1_000_000), 100)
            .await
            .unwrap()
            .contains(&(a.id, t1))
    );

    // Re-linked: back, and the next sync is a full round.
    assert!(matches!(
        store.relink_sync_source(b.id, t1).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.relink_sync_source(a.id, t1).await.unwrap(), 2);
    assert!(matches!(
        store.relink_sync_source(a.id, t1).await,
        Err(StoreError::Conflict { .. })
    ));
    let s = store.sync_source(a.id, t1).await.unwrap();
    assert_eq!((s.unlinked_at, s.purge_at, s.cursor), (None, None, None));
    assert_eq!(ids_of(store, a.id, c1).await.len(), 2);
    assert_eq!(names(store, a.id, "Ann").await, vec!["Ann One".to_owned()]);
    assert!(store.mark_sync_queued(a.id, t1).await.unwrap());
}

pub async fn a_tenant_reached_two_ways_stays_visible_while_one_link_remains(store: &Store) {
    let a = org(store, "a").await;
    let i = integration(a.id, IntegrationId::new());
    store.create_integration(&i).await.unwrap();
    let (gdap, c) = linked(store, a.id, i.id, "t1", "gdap", &["Ann One"]).await;
    let (consent, c_again) = linked(store, a.id, i.id, "t1", "admin_consent", &[]).await;
    assert_eq!(c, c_again, "one customer per tenant");
    assert_eq!(
        store
            .unlink_sync_source(a.id, gdap, at(10), at(20))
            .await
            .unwrap(),
        0,
        "still reached by admin consent"
    );
    assert_eq!(ids_of(store, a.id, c).await.len(), 1);
    // Due, but the customer is still linked the other way: nothing is deleted.
    let purged = store.purge_unlinked_sources(at(30), 10).await.unwrap();
    assert_eq!(purged, vec![(a.id, gdap, 0)]);
    assert_eq!(ids_of(store, a.id, c).await.len(), 1);
    // Unlinking the other way too hides them.
    assert_eq!(
        store
            .unlink_sync_source(a.id, consent, at(40), at(50))
            .await
            .unwrap(),
        1
    );
    assert!(ids_of(store, a.id, c).await.is_empty());
}

pub async fn the_purge_deletes_only_expired_unlinked_contacts(store: &Store) {
    let a = org(store, "a").await;
    let b = org(store, "b").await;
    let ia = integration(a.id, IntegrationId::new());
    let ib = integration(b.id, IntegrationId::new());
    store.create_integration(&ia).await.unwrap();
    store.create_integration(&ib).await.unwrap();
    let (due, c_due) = linked(store, a.id, ia.id, "t1", "gdap", &["Ann Due", "Bob Due"]).await;
    let (later, c_later) = linked(store, a.id, ia.id, "t2", "gdap", &["Cat Later"]).await;
    let (_, c_kept) = linked(store, a.id, ia.id, "t3", "gdap", &["Dan Linked"]).await;
    // Org b: the same tenant ids, unlinked but not yet due, and one still linked.
    let (b_later, c_b_later) = linked(store, b.id, ib.id, "t1", "gdap", &["Eve Bravo"]).await;
    let (_, c_b_kept) = linked(store, b.id, ib.id, "t2", "gdap", &["Fay Bravo"]).await;
    let hidden = ids_of(store, a.id, c_due).await;
    store
        .unlink_sync_source(a.id, due, at(10), at(100))
        .await
        .unwrap();
    store
        .unlink_sync_source(a.id, later, at(10), at(1000))
        .await
        .unwrap();
    store
        .unlink_sync_source(b.id, b_later, at(10), at(1000))
        .await
        .unwrap();

    assert!(
        store
            .purge_unlinked_sources(at(99), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let purged = store.purge_unlinked_sources(at(200), 10).await.unwrap();
    assert_eq!(purged, vec![(a.id, due, 2)]);
    for id in hidden {
        assert!(matches!(
            store.contact(a.id, id).await,
            Err(StoreError::NotFound)
        ));
    }
    let s = store.sync_source(a.id, due).await.unwrap();
    assert_eq!((s.unlinked_at, s.purged_at), (Some(at(10)), Some(at(200))));
    // The search terms went with them (a re-sync must not find stale terms).
    store.relink_sync_source(a.id, due).await.unwrap();
    assert!(names(store, a.id, "Due").await.is_empty());
    // Not yet due, still linked, or another org's: all kept.
    let count = |o: OrgId, c: CustomerId| async move {
        store
            .search_contacts(
                o,
                &ContactQuery {
                    customer: Some(c),
                    include_inactive: true,
                    limit: 10,
                    ..ContactQuery::default()
                },
            )
            .await
            .unwrap()
            .len()
    };
    assert_eq!(count(a.id, c_kept).await, 1);
    assert_eq!(count(b.id, c_b_kept).await, 1);
    store.relink_sync_source(a.id, later).await.unwrap();
    store.relink_sync_source(b.id, b_later).await.unwrap();
    assert_eq!(count(a.id, c_later).await, 1, "not yet due: restored");
    assert_eq!(count(b.id, c_b_later).await, 1, "another org's: restored");
    // A purge that ran once does not run again.
    assert!(
        store
            .purge_unlinked_sources(at(5000), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn retention_days_default_and_are_per_org(store: &Store) {
    let a = org(store, "a").await;
    let b = org(store, "b").await;
    assert_eq!(
        store.unlink_retention_days(a.id).await.unwrap(),
        DEFAULT_RETENTION_DAYS
    );
    store
        .set_unlink_retention_days(a.id, 7, at(1))
        .await
        .unwrap();
    store
        .set_unlink_retention_days(a.id, 90, at(2))
        .await
        .unwrap();
    assert_eq!(store.unlink_retention_days(a.id).await.unwrap(), 90);
    assert_eq!(
        store.unlink_retention_days(b.id).await.unwrap(),
        DEFAULT_RETENTION_DAYS
    );
    assert!(
        store
            .set_unlink_retention_days(a.id, 0, at(3))
            .await
            .is_err(),
        "the table refuses a retention outside 1..=365"
    );
}

pub async fn runs_are_recorded_per_source_and_org(store: &Store) {
    let a = org(store, "a").await;
    let b = org(store, "b").await;
    let i = integration(a.id, IntegrationId::new());
    let other = integration(a.id, IntegrationId::new());
    store.create_integration(&i).await.unwrap();
    store.create_integration(&other).await.unwrap();
    let (t1, _) = linked(store, a.id, i.id, "t1", "gdap", &[]).await;
    let (t2, _) = linked(store, a.id, other.id, "t2", "admin_consent", &[]).await;
    let p = SyncProgress {
        pages: 2,
        users_seen: 9,
        added: 5,
        changed: 3,
        removed: 1,
    };
    store.start_sync(a.id, t1, at(10)).await.unwrap();
    assert!(store.record_sync_progress(a.id, t1, p).await.unwrap());
    store
        .finish_sync(
            a.id,
            t1,
            true,
            None,
            Some("https://graph/delta?t=2"),
            at(14),
        )
        .await
        .unwrap();
    store.start_sync(a.id, t2, at(20)).await.unwrap();
    store
        .finish_sync(a.id, t2, false, Some("consent missing"), None, at(21))
        .await
        .unwrap();
    let all = store
        .sync_runs(a.id, SyncRunFilter::default(), 10)
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(
        (all[0].source_id, all[0].ok, all[0].error.as_deref()),
        (t2, false, Some("consent missing")),
        "newest first"
    );
    let r = &all[1];
    assert_eq!(
        (
            r.started_at,
            r.finished_at,
            r.ok,
            r.progress,
            r.source_name.as_str()
        ),
        (at(10), at(14), true, p, "Tenant t1")
    );
    assert_eq!((r.integration_id, r.link.as_str()), (i.id, "gdap"));
    let only = |integration, source| SyncRunFilter {
        integration,
        source,
    };
    assert_eq!(
        store
            .sync_runs(a.id, only(Some(i.id), None), 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store
            .sync_runs(a.id, only(None, Some(t2)), 10)
            .await
            .unwrap()[0]
            .source_id,
        t2
    );
    assert!(
        store
            .sync_runs(b.id, SyncRunFilter::default(), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .sync_runs(b.id, only(Some(i.id), Some(t1)), 10)
            .await
            .unwrap()
            .is_empty()
    );

    // Unlinked while running: the progress says so, and the run's cursor is not kept.
    store.start_sync(a.id, t1, at(30)).await.unwrap();
    store
        .unlink_sync_source(a.id, t1, at(31), at(99))
        .await
        .unwrap();
    assert!(!store.record_sync_progress(a.id, t1, p).await.unwrap());
    store
        .finish_sync(
            a.id,
            t1,
            false,
            Some("unlinked"),
            Some("https://graph/delta?t=3"),
            at(32),
        )
        .await
        .unwrap();
    assert_eq!(store.sync_source(a.id, t1).await.unwrap().cursor, None);

    // Only the newest runs of a source are kept.
    for n in 0..55u64 {
        store.start_sync(a.id, t2, at(100 + n)).await.unwrap();
        store
            .finish_sync(a.id, t2, true, None, None, at(100 + n))
            .await
            .unwrap();
    }
    let runs = store
        .sync_runs(a.id, only(None, Some(t2)), 500)
        .await
        .unwrap();
    assert_eq!(runs.len(), 50);
    assert_eq!(runs[0].finished_at, at(154));
}
