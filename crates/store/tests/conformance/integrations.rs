//! Integrations, linked companies (sync sources) with their sync state, and consent/sign-in
//! round trips.

use crate::fixtures::{at, org, random_bytes};
use crate::harness::concurrently;
use countersign_domain::{IntegrationId, OAuthStateId, OrgId, SessionId};
use countersign_store::{
    ContactStore, CustomerStore, Integration, IntegrationConfig, IntegrationKind, IntegrationStore,
    NewSyncSource, OAuthPurpose, OAuthState, SourceKind, Store, StoreError, SyncProgress,
    SyncSourceStore, SyncState, SyncedContact,
};

/// An integration row of `org` with this id.
pub fn integration(org: OrgId, id: IntegrationId) -> Integration {
    Integration {
        id,
        org_id: org,
        kind: IntegrationKind::Microsoft365,
        name: "Microsoft 365".into(),
        settings: r#"{"cloud":"global"}"#.into(),
        secrets: None,
        revision: 0,
        created_at: at(0),
        updated_at: at(0),
    }
}

/// A round trip of `org` for integration `i`.
pub fn round_trip(org: OrgId, i: IntegrationId, id: OAuthStateId, hash: &[u8]) -> OAuthState {
    OAuthState {
        id,
        org_id: org,
        integration_id: i,
        session_id: SessionId::new(),
        state_hash: hash.to_vec(),
        purpose: OAuthPurpose::Gdap,
        pkce_verifier: Some(random_bytes()),
        tenant_id: None,
        nonce_hash: None,
        expires_at: at(600),
        created_at: at(0),
    }
}

/// How a company is reached: two ways of the same source (Microsoft 365 has two).
const GDAP: &str = "gdap";
const CONSENT: &str = "admin_consent";

/// A source's own descriptor once the company ended (the store keeps whatever it is given).
const CLEARED: &str = r#"{"roles":""}"#;

fn link(org: OrgId, i: IntegrationId, tenant: &str, kind: &str) -> NewSyncSource {
    NewSyncSource {
        org_id: org,
        integration_id: i,
        external_id: tenant.into(),
        link: kind.into(),
        display_name: format!("Tenant {tenant}"),
        descriptor: format!(r#"{{"default_domain":"{tenant}.example"}}"#),
    }
}

pub async fn integrations_are_org_scoped_and_managed(store: &Store) {
    let a = org(store, "a").await;
    let b = org(store, "b").await;
    let i = integration(a.id, IntegrationId::new());
    store.create_integration(&i).await.unwrap();
    assert_eq!(store.integration(a.id, i.id).await.unwrap(), i);
    assert!(matches!(
        store.integration(b.id, i.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(store.integrations(b.id).await.unwrap().is_empty());
    assert!(matches!(
        store.rename_integration(b.id, i.id, "x", at(1)).await,
        Err(StoreError::NotFound)
    ));
    store
        .rename_integration(a.id, i.id, "Renamed", at(1))
        .await
        .unwrap();
    assert_eq!(store.integration(a.id, i.id).await.unwrap().name, "Renamed");

    // The kind's settings and secrets: written only at the revision read (compare-and-swap).
    let sealed = random_bytes();
    let write = |org, revision, settings, secrets, at_ms| async move {
        let config = IntegrationConfig {
            revision,
            settings,
            secrets,
            forget_cursors: false,
        };
        store
            .replace_integration_config(org, i.id, &config, at(at_ms))
            .await
            .unwrap()
    };
    let x = r#"{"cloud":"x"}"#;
    assert!(
        !write(b.id, 0, x, None, 2).await,
        "another org's id changes nothing"
    );
    assert!(
        !write(a.id, 1, x, None, 2).await,
        "a revision nobody read is refused"
    );
    let custom = r#"{"cloud":"custom"}"#;
    assert!(write(a.id, 0, custom, Some(&sealed), 3).await);
    let got = store.integration(a.id, i.id).await.unwrap();
    assert_eq!(
        (
            got.settings.as_str(),
            got.secrets.as_ref(),
            got.revision,
            got.updated_at
        ),
        (custom, Some(&sealed), 1, at(3))
    );
    assert!(
        !write(a.id, 0, x, None, 4).await,
        "the revision it was read at has passed"
    );
    assert_eq!(store.integration(a.id, i.id).await.unwrap(), got);

    // Forgetting cursors: this integration's sync sources start a full round, others not.
    let j = integration(a.id, IntegrationId::new());
    store.create_integration(&j).await.unwrap();
    let mut cursors = Vec::new();
    for (integration, tenant) in [(i.id, "t1"), (i.id, "t2"), (j.id, "t3")] {
        let l = store
            .upsert_sync_source(&link(a.id, integration, tenant, CONSENT), at(5))
            .await
            .unwrap();
        store.start_sync(a.id, l.id, at(5)).await.unwrap();
        store
            .finish_sync(a.id, l.id, true, None, Some("delta-1"), at(6))
            .await
            .unwrap();
        cursors.push(l.id);
    }
    let cursor_of = |id| async move { store.sync_source(a.id, id).await.unwrap().cursor };
    let forget = |revision, forget_cursors| IntegrationConfig {
        revision,
        settings: "{}",
        secrets: None,
        forget_cursors,
    };
    store
        .replace_integration_config(a.id, i.id, &forget(1, false), at(7))
        .await
        .unwrap();
    assert_eq!(cursor_of(cursors[0]).await.as_deref(), Some("delta-1"));
    store
        .replace_integration_config(a.id, i.id, &forget(2, true), at(8))
        .await
        .unwrap();
    assert_eq!(cursor_of(cursors[0]).await, None);
    assert_eq!(cursor_of(cursors[1]).await, None);
    assert_eq!(
        cursor_of(cursors[2]).await.as_deref(),
        Some("delta-1"),
        "another integration's sources keep theirs"
    );
    let got = store.integration(a.id, i.id).await.unwrap();
    assert_eq!((got.secrets, got.revision), (None, 3));
}

/// Concurrent read-modify-writes of one integration's settings, each retrying when another
/// wrote first, lose no change: every writer's increment is in the final value.
pub async fn concurrent_config_writes_lose_nothing(store: &Store) {
    let a = org(store, "a").await;
    let i = integration(a.id, IntegrationId::new());
    store.create_integration(&i).await.unwrap();
    let writers = 8;
    let (org_id, id) = (a.id, i.id);
    let retries = concurrently(writers, |_| {
        let store = store.clone();
        async move {
            let mut retries = 0;
            loop {
                let got = store.integration(org_id, id).await.unwrap();
                let n: u64 = got
                    .settings
                    .trim_matches(|c: char| !c.is_ascii_digit())
                    .parse()
                    .unwrap_or(0);
                let next = format!(r#"{{"n":{}}}"#, n + 1);
                let config = IntegrationConfig {
                    revision: got.revision,
                    settings: &next,
                    secrets: None,
                    forget_cursors: false,
                };
                if store
                    .replace_integration_config(org_id, id, &config, at(1))
                    .await
                    .unwrap()
                {
                    return retries;
                }
                retries += 1;
            }
        }
    })
    .await;
    let got = store.integration(a.id, i.id).await.unwrap();
    assert_eq!(
        got.settings,
        format!(r#"{{"n":{writers}}}"#),
        "retries: {retries:?}"
    );
    assert_eq!(got.revision, i64::try_from(writers).unwrap());
}

pub async fn links_sync_state_and_delete_with_contacts(store: &Store) {
    let a = org(store, "a").await;
    let b = org(store, "b").await;
    let i = integration(a.id, IntegrationId::new());
    store.create_integration(&i).await.unwrap();
    // A link can never point at another org's integration.
    assert!(matches!(
        store
            .upsert_sync_source(&link(b.id, i.id, "t1", GDAP), at(1))
            .await,
        Err(StoreError::NotFound)
    ));
    let l = store
        .upsert_sync_source(&link(a.id, i.id, "t1", GDAP), at(1))
        .await
        .unwrap();
    let again = store
        .upsert_sync_source(
            &NewSyncSource {
                display_name: "New name".into(),
                ..link(a.id, i.id, "t1", GDAP)
            },
            at(2),
        )
        .await
        .unwrap();
    assert_eq!(again.id, l.id, "consenting again updates the link");
    assert_eq!(again.new.display_name, "New name");
    store
        .upsert_sync_source(&link(a.id, i.id, "t1", CONSENT), at(2))
        .await
        .unwrap();
    assert_eq!(store.sync_sources(a.id, i.id).await.unwrap().len(), 2);
    assert!(store.sync_sources(b.id, i.id).await.unwrap().is_empty());
    assert!(matches!(
        store.sync_source(b.id, l.id).await,
        Err(StoreError::NotFound)
    ));

    // Sync state.
    assert!(store.mark_sync_queued(a.id, l.id).await.unwrap());
    assert!(!store.mark_sync_queued(a.id, l.id).await.unwrap());
    assert!(!store.mark_sync_queued(b.id, l.id).await.unwrap());
    store.start_sync(a.id, l.id, at(10)).await.unwrap();
    let p = SyncProgress {
        pages: 2,
        users_seen: 10,
        added: 8,
        changed: 2,
        removed: 1,
    };
    store.record_sync_progress(a.id, l.id, p).await.unwrap();
    store
        .record_sync_progress(b.id, l.id, SyncProgress::default())
        .await
        .unwrap();
    let got = store.sync_source(a.id, l.id).await.unwrap();
    assert_eq!((got.state, got.progress), (SyncState::Running, p));
    store
        .finish_sync(
            a.id,
            l.id,
            true,
            None,
            Some("https://graph/delta?t=1"),
            at(20),
        )
        .await
        .unwrap();
    let got = store.sync_source(a.id, l.id).await.unwrap();
    assert_eq!(got.cursor.as_deref(), Some("https://graph/delta?t=1"));
    assert_eq!(
        (got.state, got.last_ok, got.last_run_at),
        (SyncState::Idle, Some(true), Some(at(20)))
    );
    let due = store.sync_sources_due(at(30), 10).await.unwrap();
    assert!(due.contains(&(a.id, l.id)));
    assert!(
        !store
            .sync_sources_due(at(15), 10)
            .await
            .unwrap()
            .contains(&(a.id, l.id))
    );

    // Contacts of the link's customer go with the integration.
    let c = store
        .upsert_synced_customer(a.id, SourceKind::Microsoft365, "t1", "Tenant", at(1))
        .await
        .unwrap();
    assert!(store.set_source_customer(b.id, l.id, c.id).await.is_err());
    store.set_source_customer(a.id, l.id, c.id).await.unwrap();
    let batch: Vec<SyncedContact> = (0..3)
        .map(|n| SyncedContact {
            external_id: format!("u{n}"),
            display_name: format!("User {n}"),
            account_enabled: true,
            user_type: "Member".into(),
            ..SyncedContact::default()
        })
        .collect();
    store
        .upsert_synced_contacts(a.id, c.id, SourceKind::Microsoft365, &batch, at(2))
        .await
        .unwrap();
    // A removal keeps the contact's fields (history) and hides it.
    let removal = SyncedContact {
        external_id: "u2".into(),
        removed: true,
        ..SyncedContact::default()
    };
    store
        .upsert_synced_contacts(a.id, c.id, SourceKind::Microsoft365, &[removal], at(3))
        .await
        .unwrap();
    assert_eq!(
        store.integration_contact_count(a.id, i.id).await.unwrap(),
        2
    );
    assert_eq!(
        store.integration_contact_count(b.id, i.id).await.unwrap(),
        0
    );
    assert!(matches!(
        store.delete_integration(b.id, i.id).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.delete_integration(a.id, i.id).await.unwrap(), 2);
    assert!(store.sync_sources(a.id, i.id).await.unwrap().is_empty());
    assert!(matches!(
        store.integration(a.id, i.id).await,
        Err(StoreError::NotFound)
    ));
}

pub async fn round_trips_are_single_use_and_expire(store: &Store) {
    let a = org(store, "a").await;
    let i = integration(a.id, IntegrationId::new());
    store.create_integration(&i).await.unwrap();
    let s = round_trip(a.id, i.id, OAuthStateId::new(), b"state-1");
    store.create_oauth_state(&s).await.unwrap();
    assert_eq!(store.take_oauth_state(b"other", at(1)).await.unwrap(), None);
    assert_eq!(
        store.take_oauth_state(b"state-1", at(1)).await.unwrap(),
        Some(s)
    );
    assert_eq!(
        store.take_oauth_state(b"state-1", at(1)).await.unwrap(),
        None
    );
    let late = round_trip(a.id, i.id, OAuthStateId::new(), b"state-2");
    store.create_oauth_state(&late).await.unwrap();
    assert_eq!(
        store.take_oauth_state(b"state-2", at(600)).await.unwrap(),
        None
    );
}

/// The sign-in that proves an admin consent keeps the tenant to prove and the nonce's hash
/// (issue 17.1), and is single use like every round trip.
pub async fn consent_sign_in_round_trips_keep_tenant_and_nonce(store: &Store) {
    let a = org(store, "a").await;
    let i = integration(a.id, IntegrationId::new());
    store.create_integration(&i).await.unwrap();
    let mut s = round_trip(a.id, i.id, OAuthStateId::new(), b"sign-in-1");
    s.purpose = OAuthPurpose::ConsentSignIn;
    s.tenant_id = Some("22222222-2222-4222-8222-222222222222".into());
    s.nonce_hash = Some(random_bytes());
    store.create_oauth_state(&s).await.unwrap();
    let taken = store.take_oauth_state(b"sign-in-1", at(1)).await.unwrap();
    assert_eq!(taken, Some(s));
    assert_eq!(
        store.take_oauth_state(b"sign-in-1", at(1)).await.unwrap(),
        None
    );
}
/// Issue 17.6: an ended link keeps its row (and customer) with the reason, loses its roles
/// (the descriptor its source gives on ending),
/// is neither queued nor scheduled; linking it again (an active relationship) reopens it.
pub async fn ended_links_are_kept_and_not_synced(store: &Store) {
    let a = org(store, "a").await;
    let b = org(store, "b").await;
    let i = integration(a.id, IntegrationId::new());
    store.create_integration(&i).await.unwrap();
    let l = store
        .upsert_sync_source(
            &NewSyncSource {
                descriptor: r#"{"relationships":"Northwind – T","roles":"r1,r2"}"#.into(),
                ..link(a.id, i.id, "t1", GDAP)
            },
            at(1),
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .end_sync_source(b.id, l.id, "expired", CLEARED, at(2))
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(
        store
            .sync_sources_due(at(100), 10)
            .await
            .unwrap()
            .contains(&(a.id, l.id))
    );
    store
        .end_sync_source(a.id, l.id, "the relationship expired", CLEARED, at(2))
        .await
        .unwrap();
    store
        .end_sync_source(
            a.id,
            l.id,
            "the relationship was terminated",
            CLEARED,
            at(3),
        )
        .await
        .unwrap();
    let got = store.sync_source(a.id, l.id).await.unwrap();
    assert_eq!(got.ended_at, Some(at(2)), "the first end is kept");
    assert_eq!(
        got.ended_reason.as_deref(),
        Some("the relationship was terminated")
    );
    assert_eq!(
        got.new.descriptor, CLEARED,
        "the source's descriptor replaces the old one"
    );
    assert!(!store.mark_sync_queued(a.id, l.id).await.unwrap());
    assert!(
        !store
            .sync_sources_due(at(100), 10)
            .await
            .unwrap()
            .contains(&(a.id, l.id))
    );
    assert_eq!(store.sync_sources(a.id, i.id).await.unwrap().len(), 1);
    // A new active relationship links it again.
    let back = store
        .upsert_sync_source(&link(a.id, i.id, "t1", GDAP), at(4))
        .await
        .unwrap();
    assert_eq!(back.id, l.id);
    assert_eq!((back.ended_at, back.ended_reason), (None, None));
    assert!(store.mark_sync_queued(a.id, l.id).await.unwrap());
}
