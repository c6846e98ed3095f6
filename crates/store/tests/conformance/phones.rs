//! Mobile numbers read again with another country (issue 17.11): the user's own country and
//! the tenant's are stored, a customer's numbers get a new E.164 form without a resync, the
//! E.164 form and the text as written are both searchable, and a new reading of the same
//! text is not a number change (no SIM-swap warning).

use crate::contacts::{names as found, user};
use crate::fixtures::{T0, at, org};
use countersign_domain::{Country, CustomerId, OrgId};
use countersign_store::{
    ContactStore, Customer, CustomerStore, PhoneStore, SourceKind, Store, SyncedContact,
};

async fn tenant_customer(store: &Store, org: OrgId, tenant: &str) -> Customer {
    let c = Customer {
        id: CustomerId::new(),
        org_id: org,
        name: format!("Tenant {tenant}"),
        source: SourceKind::Microsoft365,
        external_id: Some(tenant.to_owned()),
        default_country: None,
        tenant_country: None,
        last_synced_at: None,
        created_at: T0,
    };
    store.create_customer(&c).await.unwrap();
    c
}

/// A synced user whose national mobile did not parse (no country was known).
fn national(id: &str, name: &str, mobile: &str) -> SyncedContact {
    SyncedContact {
        mobile: Some(mobile.to_owned()),
        mobile_e164: None,
        ..user(id, name, &format!("{id}@t.example"), None)
    }
}

pub async fn mobiles_are_read_again_without_a_resync(store: &Store) {
    let o = org(store, "acme").await;
    let other = org(store, "other").await;
    let c = tenant_customer(store, o.id, "t1").await;
    let gb = SyncedContact {
        phone_country: Some(Country::GB),
        ..national("u1", "Amy Pond", "07700 900634")
    };
    let users = [
        gb,
        national("u2", "Rory Williams", "07700 900635"),
        SyncedContact {
            mobile: None,
            ..national("u3", "No Phone", "")
        },
    ];
    store
        .upsert_synced_contacts(o.id, c.id, SourceKind::Microsoft365, &users, at(1))
        .await
        .unwrap();
    assert!(found(store, o.id, "+447700900634").await.is_empty());
    assert_eq!(found(store, o.id, "07700 900634").await, vec!["Amy Pond"]);

    // The tenant's country is stored on its customer; setting the same again is no change,
    // and another org cannot set it.
    assert!(
        store
            .set_tenant_country(o.id, c.id, Some(Country::GB))
            .await
            .unwrap()
    );
    assert!(
        !store
            .set_tenant_country(o.id, c.id, Some(Country::GB))
            .await
            .unwrap()
    );
    assert!(
        !store
            .set_tenant_country(other.id, c.id, Some(Country::FR))
            .await
            .unwrap()
    );
    let stored = store.customer(o.id, c.id).await.unwrap();
    assert_eq!(stored.tenant_country, Some(Country::GB));

    // The customer's synced contacts that have a mobile, with the user's own country.
    let with_mobile = store
        .contacts_with_mobile(o.id, c.id, SourceKind::Microsoft365)
        .await
        .unwrap();
    let mut seen: Vec<(&str, Option<Country>)> = with_mobile
        .iter()
        .map(|k| (k.display_name.as_str(), k.phone_country))
        .collect();
    seen.sort_unstable_by_key(|(name, _)| *name);
    assert_eq!(
        seen,
        vec![("Amy Pond", Some(Country::GB)), ("Rory Williams", None)]
    );
    assert!(
        store
            .contacts_with_mobile(other.id, c.id, SourceKind::Microsoft365)
            .await
            .unwrap()
            .is_empty()
    );

    // New E.164 forms: another org's write changes nothing.
    let amy = with_mobile
        .iter()
        .find(|k| k.display_name == "Amy Pond")
        .unwrap();
    let changes = vec![(amy.id, Some("+447700900634".to_owned()))];
    assert_eq!(
        store
            .set_mobile_e164s(other.id, &changes, at(2))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store.set_mobile_e164s(o.id, &changes, at(2)).await.unwrap(),
        1
    );
    assert_eq!(
        store.set_mobile_e164s(o.id, &changes, at(3)).await.unwrap(),
        0,
        "the same form again is no change"
    );
    let after = store.contact(o.id, amy.id).await.unwrap();
    assert_eq!(after.mobile_e164.as_deref(), Some("+447700900634"));
    assert_eq!(after.mobile.as_deref(), Some("07700 900634"));
    assert_eq!(after.phone_changed_at, None, "not a new number");
    assert!(
        store
            .contact_changes(o.id, amy.id, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // Searchable by its E.164 form, its national digits and the text as written.
    for q in [
        "+447700900634",
        "447700900634",
        "7700 900634",
        "07700 900634",
        "0634",
    ] {
        assert_eq!(found(store, o.id, q).await, vec!["Amy Pond"], "{q}");
    }
    assert!(found(store, other.id, "+447700900634").await.is_empty());

    // Unparsed again (e.g. its country was cleared): the E.164 terms go.
    store
        .set_mobile_e164s(o.id, &[(amy.id, None)], at(4))
        .await
        .unwrap();
    assert!(found(store, o.id, "+447700900634").await.is_empty());
    assert_eq!(found(store, o.id, "07700 900634").await, vec!["Amy Pond"]);
}

pub async fn a_number_read_differently_is_not_a_number_change(store: &Store) {
    let o = org(store, "acme").await;
    let c = tenant_customer(store, o.id, "t1").await;
    let before = national("u1", "Amy Pond", "07700 900634");
    store
        .upsert_synced_contacts(o.id, c.id, SourceKind::Microsoft365, &[before], at(1))
        .await
        .unwrap();
    // The next sync knows the user's country and parses the same text.
    let parsed = SyncedContact {
        mobile_e164: Some("+447700900634".into()),
        phone_country: Some(Country::GB),
        ..national("u1", "Amy Pond", "07700 900634")
    };
    let out = store
        .upsert_synced_contacts(o.id, c.id, SourceKind::Microsoft365, &[parsed], at(2))
        .await
        .unwrap();
    assert_eq!((out.updated, out.mobile_changes), (1, 0), "{out:?}");
    let id = store
        .contacts_with_mobile(o.id, c.id, SourceKind::Microsoft365)
        .await
        .unwrap()[0]
        .id;
    let k = store.contact(o.id, id).await.unwrap();
    assert_eq!(
        (
            k.mobile_e164.as_deref(),
            k.phone_country,
            k.phone_changed_at
        ),
        (Some("+447700900634"), Some(Country::GB), None)
    );
    // A really new number still is one.
    let moved = SyncedContact {
        mobile: Some("07700 900999".into()),
        mobile_e164: Some("+447700900999".into()),
        phone_country: Some(Country::GB),
        ..national("u1", "Amy Pond", "")
    };
    let out = store
        .upsert_synced_contacts(o.id, c.id, SourceKind::Microsoft365, &[moved], at(3))
        .await
        .unwrap();
    assert_eq!(out.mobile_changes, 1);
    assert_eq!(
        store.contact(o.id, id).await.unwrap().phone_changed_at,
        Some(at(3))
    );
}
