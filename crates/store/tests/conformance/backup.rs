//! Backups: `VACUUM INTO` on SQLite, refused on PostgreSQL.

use crate::fixtures::{T0, org, technician};
use crate::harness::concurrently;
use countersign_domain::Role;
use countersign_store::{
    AuditStore, Backend, OrgStore, Store, StoreError, TechnicianStore, ThrottleStore,
};

pub async fn backup_while_serving(store: &Store) {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("backup.db");
    let acme = org(store, "acme").await;
    let amy = technician(store, &acme, "amy@acme.test", Role::Admin).await;

    if store.backend() == Backend::Postgres {
        let r = store.backup_to(&dest).await;
        assert!(matches!(r, Err(StoreError::Unsupported(_))), "{r:?}");
        return;
    }

    // Back up while other tasks keep writing.
    let writers = {
        let store = store.clone();
        tokio::spawn(async move {
            concurrently(8, |i| {
                let store = store.clone();
                async move {
                    for _ in 0..20 {
                        store
                            .record_failure(&format!("ip:{i}"), T0, T0)
                            .await
                            .unwrap();
                    }
                }
            })
            .await
        })
    };
    store.backup_to(&dest).await.unwrap();
    writers.await.unwrap();

    // Never overwrites.
    match store.backup_to(&dest).await {
        Err(StoreError::Unsupported(msg)) => assert!(msg.contains("already exists"), "{msg}"),
        r => panic!("expected a refusal, got {r:?}"),
    }

    let copy = Store::open_sqlite(&dest).await.unwrap();
    assert_eq!(copy.migrate().await.unwrap(), 0);
    assert_eq!(copy.org(acme.id).await.unwrap(), acme);
    assert_eq!(copy.technician(acme.id, amy.id).await.unwrap(), amy);
    assert!(copy.audit_chain(0, 10).await.unwrap().is_empty());
    copy.close().await;
}
