//! Orgs: create, read, update, unique slug.

use crate::fixtures::{new_org, org};
use countersign_domain::OrgId;
use countersign_store::{OrgStore, Store, StoreError, constraints};

pub async fn crud(store: &Store) {
    let acme = org(store, "acme").await;
    assert_eq!(store.org(acme.id).await.unwrap(), acme);
    assert_eq!(store.org_by_slug("acme").await.unwrap(), Some(acme.clone()));
    assert_eq!(store.org_by_slug("nope").await.unwrap(), None);
    assert!(matches!(
        store.org(OrgId::new()).await,
        Err(StoreError::NotFound)
    ));

    store
        .update_org_settings(acme.id, "Acme Ltd", true)
        .await
        .unwrap();
    let updated = store.org(acme.id).await.unwrap();
    assert_eq!(updated.name, "Acme Ltd");
    assert!(updated.require_2fa);
    assert_eq!(
        (updated.slug.as_str(), updated.created_at),
        ("acme", acme.created_at)
    );

    let missing = store.update_org_settings(OrgId::new(), "x", false).await;
    assert!(matches!(missing, Err(StoreError::NotFound)));
}

pub async fn slug_conflict(store: &Store) {
    let first = org(store, "acme").await;
    let mut second = new_org("acme");
    second.name = "Impostor".into();
    match store.create_org(&second).await {
        Err(StoreError::Conflict { constraint }) => assert_eq!(constraint, constraints::ORG_SLUG),
        other => panic!("expected a slug conflict, got {other:?}"),
    }
    assert_eq!(store.org_by_slug("acme").await.unwrap(), Some(first));
    assert!(matches!(
        store.org(second.id).await,
        Err(StoreError::NotFound)
    ));
}

pub async fn hostile_text_is_stored_verbatim(store: &Store) {
    let mut o = new_org("bobby-tables");
    o.name = "Robert'); DROP TABLE orgs;-- $1 ? %_ \u{e9}\u{1f600}".into();
    store.create_org(&o).await.unwrap();
    assert_eq!(store.org(o.id).await.unwrap(), o);
    assert_eq!(store.org_by_slug("' OR '1'='1").await.unwrap(), None);
}
