//! End-user texts and locales (issue 21.8): an org's overrides per language and message, and
//! what decides a contact's language and time zone; every method scoped to its org.

use crate::contacts::{customer, user};
use crate::fixtures::{at, org};
use countersign_domain::search::parse_query;
use countersign_domain::{ContactId, CustomerId, OrgId};
use countersign_store::{
    ContactLocale, ContactQuery, ContactStore, CustomerStore, EndUserStore, EndUserText,
    SourceKind, Store, StoreError, SyncedContact,
};

/// Syncs one user into the customer; its contact id.
async fn synced(store: &Store, org: OrgId, customer: CustomerId, u: SyncedContact) -> ContactId {
    store
        .upsert_synced_contacts(
            org,
            customer,
            SourceKind::Microsoft365,
            std::slice::from_ref(&u),
            at(1),
        )
        .await
        .unwrap();
    let q = ContactQuery {
        tokens: parse_query(&u.display_name),
        limit: 1,
        ..ContactQuery::default()
    };
    store.search_contacts(org, &q).await.unwrap()[0].id
}

fn text(language: &str, id: &str, body: &str, second: u64) -> EndUserText {
    EndUserText {
        language: language.into(),
        message_id: id.into(),
        body: body.into(),
        updated_at: at(second),
    }
}

fn bodies(texts: &[EndUserText]) -> Vec<(String, String, String)> {
    texts
        .iter()
        .map(|t| (t.language.clone(), t.message_id.clone(), t.body.clone()))
        .collect()
}

pub async fn overrides_are_per_org_and_language(store: &Store) {
    let a = org(store, "acme").await;
    let b = org(store, "beta").await;
    store
        .set_end_user_text(a.id, &text("de", "approve-button", "Ja", 1))
        .await
        .unwrap();
    store
        .set_end_user_text(a.id, &text("en", "approve-button", "Yes", 1))
        .await
        .unwrap();
    store
        .set_end_user_text(b.id, &text("de", "approve-button", "Beta", 1))
        .await
        .unwrap();
    // Saving again replaces the org's own text only.
    store
        .set_end_user_text(a.id, &text("de", "approve-button", "Ja, ich", 2))
        .await
        .unwrap();
    let de = store.end_user_texts(a.id, Some("de")).await.unwrap();
    assert_eq!(
        bodies(&de),
        vec![("de".into(), "approve-button".into(), "Ja, ich".into())]
    );
    assert_eq!(de[0].updated_at, at(2));
    let all = store.end_user_texts(a.id, None).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(
        bodies(&store.end_user_texts(b.id, None).await.unwrap()),
        vec![("de".into(), "approve-button".into(), "Beta".into())]
    );
    // A reset names its org: org A's reset leaves org B's override alone.
    assert!(
        store
            .delete_end_user_text(a.id, "de", "approve-button")
            .await
            .unwrap()
    );
    assert!(
        !store
            .delete_end_user_text(a.id, "de", "approve-button")
            .await
            .unwrap()
    );
    assert_eq!(
        store.end_user_texts(a.id, Some("de")).await.unwrap(),
        vec![]
    );
    assert_eq!(
        store.end_user_texts(b.id, Some("de")).await.unwrap().len(),
        1
    );
}

pub async fn a_contacts_locale_is_its_own_its_customers_and_its_orgs(store: &Store) {
    let a = org(store, "acme").await;
    let b = org(store, "beta").await;
    let c = customer(store, a.id, "C").await;
    let contact = synced(
        store,
        a.id,
        c.id,
        user("1", "Ann Lee", "ann@c.example", None),
    )
    .await;
    assert_eq!(
        store.contact_locale(a.id, contact).await.unwrap(),
        ContactLocale::default()
    );
    store
        .set_customer_language(a.id, c.id, Some("de"))
        .await
        .unwrap();
    store
        .set_customer_time_zone(a.id, c.id, Some("Europe/Berlin"))
        .await
        .unwrap();
    store
        .set_contact_language(a.id, contact, Some("fr-FR"))
        .await
        .unwrap();
    assert_eq!(
        store.contact_locale(a.id, contact).await.unwrap(),
        ContactLocale {
            preferred_language: Some("fr-FR".into()),
            customer_language: Some("de".into()),
            customer_time_zone: Some("Europe/Berlin".into()),
            org_time_zone: None,
        }
    );
    assert_eq!(
        store.customer_language(a.id, c.id).await.unwrap(),
        Some("de".into())
    );
    store.set_customer_language(a.id, c.id, None).await.unwrap();
    assert_eq!(store.customer_language(a.id, c.id).await.unwrap(), None);
    // Another org reads and writes nothing of org A's.
    assert!(matches!(
        store.contact_locale(b.id, contact).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.set_contact_language(b.id, contact, Some("nl")).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.set_customer_language(b.id, c.id, Some("nl")).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.customer_language(b.id, c.id).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store
            .contact_locale(a.id, contact)
            .await
            .unwrap()
            .preferred_language
            .as_deref(),
        Some("fr-FR")
    );
    assert_eq!(store.org_time_zone(a.id).await.unwrap(), None);
}

pub async fn the_sync_stores_the_sources_language(store: &Store) {
    let a = org(store, "acme").await;
    let b = org(store, "beta").await;
    let c = customer(store, a.id, "C").await;
    let other = customer(store, b.id, "C").await;
    let mut ann = user("1", "Ann Lee", "ann@c.example", None);
    ann.preferred_language = Some("de-DE".into());
    let bob = user("2", "Bob Ray", "bob@c.example", None);
    let ann_a = synced(store, a.id, c.id, ann.clone()).await;
    let bob_a = synced(store, a.id, c.id, bob).await;
    let ann_b = synced(store, b.id, other.id, ann.clone()).await;
    let language = |org, contact| async move {
        store
            .contact_locale(org, contact)
            .await
            .unwrap()
            .preferred_language
    };
    assert_eq!(language(a.id, ann_a).await.as_deref(), Some("de-DE"));
    assert_eq!(language(a.id, bob_a).await, None);
    // The source changes or drops it: the next sync follows, in its org only.
    ann.preferred_language = Some("fr-FR".into());
    store
        .upsert_synced_contacts(a.id, c.id, SourceKind::Microsoft365, &[ann.clone()], at(2))
        .await
        .unwrap();
    assert_eq!(language(a.id, ann_a).await.as_deref(), Some("fr-FR"));
    assert_eq!(language(b.id, ann_b).await.as_deref(), Some("de-DE"));
    ann.preferred_language = None;
    store
        .upsert_synced_contacts(a.id, c.id, SourceKind::Microsoft365, &[ann], at(3))
        .await
        .unwrap();
    assert_eq!(language(a.id, ann_a).await, None);
    assert_eq!(language(b.id, ann_b).await.as_deref(), Some("de-DE"));
}
