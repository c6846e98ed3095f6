//! The contact directory: customers, contacts and their search, the sync upsert and its change
//! history, verifications, Pod settings; every method scoped to its org.

use crate::fixtures::{T0, at, org, technician};
use countersign_domain::search::parse_query;
use countersign_domain::{ContactId, Country, CustomerId, OrgId, Role, VerificationId};
use countersign_store::{
    ChangedField, Contact, ContactCursor, ContactEdit, ContactQuery, ContactSort, ContactStore,
    Customer, CustomerStore, PodSettings, PodStore, SourceKind, Store, StoreError, SyncedContact,
    Verification, VerificationMethod, VerificationStatus, VerificationStore,
};
use std::collections::HashSet;

/// Stores a manual customer of `org`.
pub async fn customer(store: &Store, org: OrgId, name: &str) -> Customer {
    let c = Customer {
        id: CustomerId::new(),
        org_id: org,
        name: name.to_owned(),
        source: SourceKind::Manual,
        external_id: None,
        default_country: Some(Country::US),
        tenant_country: None,
        last_synced_at: None,
        created_at: T0,
    };
    store.create_customer(&c).await.unwrap();
    c
}

/// A synced user with a name, email and mobile.
pub fn user(external_id: &str, name: &str, email: &str, mobile: Option<&str>) -> SyncedContact {
    let (given, surname) = name.split_once(' ').unwrap_or((name, ""));
    SyncedContact {
        external_id: external_id.to_owned(),
        upn: Some(email.to_lowercase()),
        given_name: given.to_owned(),
        surname: surname.to_owned(),
        display_name: name.to_owned(),
        email: Some(email.to_owned()),
        mobile: mobile.map(str::to_owned),
        mobile_e164: mobile.map(|m| {
            let digits: String = m.chars().filter(char::is_ascii_digit).collect();
            format!("+{digits}")
        }),
        account_enabled: true,
        user_type: "Member".into(),
        ..SyncedContact::default()
    }
}

/// Search `q` in `org` (default filters) and return display names.
pub async fn names(store: &Store, org: OrgId, q: &str) -> Vec<String> {
    let query = ContactQuery {
        tokens: parse_query(q),
        limit: 100,
        ..ContactQuery::default()
    };
    let found = store.search_contacts(org, &query).await.unwrap();
    found.into_iter().map(|c| c.display_name).collect()
}

pub async fn customers_and_counts(store: &Store) {
    let o = org(store, "acme").await;
    let a = customer(store, o.id, "Zeta Widgets").await;
    let b = customer(store, o.id, "Älpha Foods").await;
    assert_eq!(store.customer(o.id, a.id).await.unwrap(), a);
    store
        .upsert_synced_contacts(
            o.id,
            a.id,
            SourceKind::Microsoft365,
            &[
                user("1", "Ann Lee", "ann@zeta.example", None),
                user("2", "Bo Li", "bo@zeta.example", None),
            ],
            at(1),
        )
        .await
        .unwrap();
    let page = store.customers(o.id, None, 10).await.unwrap();
    let listed: Vec<(&str, i64)> = page
        .iter()
        .map(|s| (s.customer.name.as_str(), s.contacts))
        .collect();
    assert_eq!(
        listed,
        vec![("Älpha Foods", 0), ("Zeta Widgets", 2)],
        "folded order"
    );
    let next = store
        .customers(o.id, Some(("alpha foods", b.id)), 10)
        .await
        .unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].customer.id, a.id);

    store
        .update_customer(o.id, a.id, "Zeta Ltd", Some(Country::GB))
        .await
        .unwrap();
    let a2 = store.customer(o.id, a.id).await.unwrap();
    assert_eq!(
        (a2.name.as_str(), a2.default_country),
        ("Zeta Ltd", Some(Country::GB))
    );

    let synced = store
        .upsert_synced_customer(o.id, SourceKind::Microsoft365, "tenant-1", "Contoso", at(2))
        .await
        .unwrap();
    let again = store
        .upsert_synced_customer(
            o.id,
            SourceKind::Microsoft365,
            "tenant-1",
            "Contoso Ltd",
            at(3),
        )
        .await
        .unwrap();
    assert_eq!(synced.id, again.id);
    assert_eq!(again.name, "Contoso Ltd");
    assert_eq!(again.last_synced_at, Some(at(3)));
}

pub async fn search_matches_phone_digits_names_and_email(store: &Store) {
    let o = org(store, "acme").await;
    let c = customer(store, o.id, "Contoso").await;
    let mut zoe = user(
        "1",
        "Zoë Ångström",
        "Zoe.Angstrom@Contoso.example",
        Some("+1 425 555 0101"),
    );
    zoe.business_phones = vec!["+44 20 7946 0958".into()];
    store
        .upsert_synced_contacts(
            o.id,
            c.id,
            SourceKind::Microsoft365,
            &[
                zoe,
                user(
                    "2",
                    "José Álvarez",
                    "jose@contoso.example",
                    Some("+1 425 555 0199"),
                ),
                user(
                    "3",
                    "Robert'); DROP TABLE contacts;--",
                    "bobby@contoso.example",
                    None,
                ),
            ],
            at(1),
        )
        .await
        .unwrap();
    assert_eq!(names(store, o.id, "0101").await, vec!["Zoë Ångström"]);
    assert_eq!(
        names(store, o.id, "+1 (425) 555-0101").await,
        vec!["Zoë Ångström"]
    );
    assert_eq!(
        names(store, o.id, "425 555").await,
        vec!["José Álvarez", "Zoë Ångström"],
        "national digits"
    );
    assert_eq!(
        names(store, o.id, "555 0199").await,
        vec!["José Álvarez"],
        "last digits"
    );
    assert!(
        names(store, o.id, "5550").await.is_empty(),
        "digits from the middle of a number are not searched"
    );
    assert_eq!(
        names(store, o.id, "7946 0958").await,
        vec!["Zoë Ångström"],
        "business phone"
    );
    assert_eq!(
        names(store, o.id, "020 7946").await,
        Vec::<String>::new(),
        "a trunk prefix is not a digit of the number"
    );
    assert_eq!(names(store, o.id, "20 7946").await, vec!["Zoë Ångström"]);
    assert_eq!(names(store, o.id, "zoe").await, vec!["Zoë Ångström"]);
    assert_eq!(names(store, o.id, "ANGSTRÖM").await, vec!["Zoë Ångström"]);
    assert_eq!(names(store, o.id, "jose alv").await, vec!["José Álvarez"]);
    assert_eq!(
        names(store, o.id, "ZOE.ANGSTROM@CONTOSO").await,
        vec!["Zoë Ångström"]
    );
    assert_eq!(
        names(store, o.id, "contoso.example").await.len(),
        3,
        "by domain"
    );
    assert_eq!(
        names(store, o.id, "drop").await,
        vec!["Robert'); DROP TABLE contacts;--"],
        "hostile text is data"
    );
    assert!(names(store, o.id, "0102").await.is_empty());
    assert!(
        names(store, o.id, "oe").await.is_empty(),
        "prefixes only, not infixes"
    );
    broad_tokens_walk_in_sort_order(store).await;
}

/// A token matching more contacts than the store fetches and sorts (a common surname) is
/// answered from windows of its terms in name order, or by walking the contacts in sort order
/// when matches are sparse: same pages, same filters, whatever the page size.
async fn broad_tokens_walk_in_sort_order(store: &Store) {
    const N: usize = 2_100;
    // Disabled: every seventh, and a block of 300 in a row (longer than the windows a page of
    // 25 tries before it walks).
    let enabled_at = |i: usize| i % 7 != 3 && !(600..900).contains(&i);
    let o = org(store, "broad").await;
    let c = customer(store, o.id, "Many").await;
    let other = customer(store, o.id, "Few").await;
    let users: Vec<SyncedContact> = (0..N)
        .map(|i| {
            let mut u = user(
                &i.to_string(),
                &format!("Ann{i:04} Smith"),
                &format!("ann{i:04}@many.example"),
                Some(&format!("+1 425 555 {i:04}")),
            );
            u.account_enabled = enabled_at(i);
            u
        })
        .collect();
    store
        .upsert_synced_contacts(o.id, c.id, SourceKind::Microsoft365, &users, at(1))
        .await
        .unwrap();
    store
        .upsert_synced_contacts(
            o.id,
            other.id,
            SourceKind::Microsoft365,
            &[user("x", "Zed Smithers", "zed@few.example", None)],
            at(1),
        )
        .await
        .unwrap();
    let mut enabled: Vec<String> = (0..N)
        .filter(|i| enabled_at(*i))
        .map(|i| format!("Ann{i:04} Smith"))
        .chain(["Zed Smithers".to_owned()])
        .collect();
    let pages = |sort: ContactSort, limit: i64| async move {
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = store
                .search_contacts(
                    o.id,
                    &ContactQuery {
                        tokens: parse_query("SMI"),
                        sort,
                        after: after.clone(),
                        limit,
                        ..ContactQuery::default()
                    },
                )
                .await
                .unwrap();
            let Some(last) = page.last() else { break };
            assert!(page.len() as i64 <= limit);
            after = Some(ContactCursor {
                key: countersign_domain::search::name_key(&last.display_name),
                id: last.id,
            });
            seen.extend(page.into_iter().map(|c| c.display_name));
        }
        seen
    };
    for sort in [ContactSort::NameAsc, ContactSort::NameDesc] {
        let mut expected = enabled.clone();
        if sort == ContactSort::NameDesc {
            expected.reverse();
        }
        for limit in [400, 25] {
            assert_eq!(
                pages(sort, limit).await,
                expected,
                "{sort:?}, pages of {limit}"
            );
        }
    }
    // A new name moves the contact in the name order of its terms too.
    let mut renamed = users[5].clone();
    renamed.display_name = "Yann Smith".into();
    renamed.given_name = "Yann".into();
    store
        .upsert_synced_contacts(o.id, c.id, SourceKind::Microsoft365, &[renamed], at(2))
        .await
        .unwrap();
    enabled.retain(|n| n != "Ann0005 Smith");
    enabled.insert(enabled.len() - 1, "Yann Smith".to_owned());
    assert_eq!(
        pages(ContactSort::NameAsc, 400).await,
        enabled,
        "after a rename"
    );
    let query = |q: &str, customer: Option<CustomerId>, include_inactive: bool| ContactQuery {
        tokens: parse_query(q),
        customer,
        include_inactive,
        limit: 500,
        ..ContactQuery::default()
    };
    let all = store
        .search_contacts(o.id, &query("smith many.example", None, true))
        .await
        .unwrap();
    assert_eq!(all.len(), 500, "two broad tokens, inactive included");
    assert_eq!(all[3].display_name, "Ann0003 Smith");
    let few = store
        .search_contacts(o.id, &query("smith", Some(other.id), false))
        .await
        .unwrap();
    assert_eq!(few.len(), 1, "broad token, one customer");
    assert_eq!(
        names(store, o.id, "smith ann001").await,
        (10..20)
            .filter(|i| i % 7 != 3)
            .map(|i| format!("Ann{i:04} Smith"))
            .collect::<Vec<_>>(),
        "a narrow token with a broad one"
    );
    assert_eq!(names(store, o.id, "5 0018").await, vec!["Ann0018 Smith"]);
    assert!(
        store
            .search_contacts(OrgId::new(), &query("smith", None, true))
            .await
            .unwrap()
            .is_empty(),
        "another org sees nothing"
    );
}

pub async fn filters_sorts_and_keyset_pages(store: &Store) {
    let o = org(store, "acme").await;
    let a = customer(store, o.id, "A").await;
    let b = customer(store, o.id, "B").await;
    let mut batch: Vec<SyncedContact> = (0..25)
        .map(|i| {
            user(
                &format!("a{i}"),
                &format!("Person {i:02}"),
                &format!("p{i:02}@a.example"),
                None,
            )
        })
        .collect();
    batch[3].removed = true;
    batch[4].account_enabled = false;
    store
        .upsert_synced_contacts(o.id, a.id, SourceKind::Microsoft365, &batch, at(1))
        .await
        .unwrap();
    store
        .upsert_synced_contacts(
            o.id,
            b.id,
            SourceKind::Microsoft365,
            &[user("b1", "Person 99", "a@b.example", None)],
            at(1),
        )
        .await
        .unwrap();
    let mut q = ContactQuery {
        limit: 10,
        ..ContactQuery::default()
    };
    // Pages of 10 by name: 24 active contacts, no overlap, in order.
    let mut seen = Vec::new();
    loop {
        let page = store.search_contacts(o.id, &q).await.unwrap();
        let Some(last) = page.last() else { break };
        q.after = Some(ContactCursor {
            key: q.sort.key_of(last),
            id: last.id,
        });
        seen.extend(page.into_iter().map(|c| c.display_name));
    }
    assert_eq!(seen.len(), 24);
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted);
    assert!(!seen.contains(&"Person 03".to_owned()) && !seen.contains(&"Person 04".to_owned()));

    let all = ContactQuery {
        include_inactive: true,
        customer: Some(a.id),
        limit: 100,
        ..ContactQuery::default()
    };
    // 24, not 25: "Person 03" arrived already removed and was never stored, and a removal
    // of a user that was never stored must not insert a (blank) row — the Microsoft 365 sync
    // sends removals with the id only. The disabled "Person 04" is stored and inactive.
    assert_eq!(store.search_contacts(o.id, &all).await.unwrap().len(), 24);
    let desc = ContactQuery {
        sort: ContactSort::NameDesc,
        limit: 2,
        ..ContactQuery::default()
    };
    let top: Vec<String> = store
        .search_contacts(o.id, &desc)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.display_name)
        .collect();
    assert_eq!(top, vec!["Person 99", "Person 24"]);
    let by_email = ContactQuery {
        sort: ContactSort::EmailAsc,
        limit: 1,
        ..ContactQuery::default()
    };
    assert_eq!(
        store.search_contacts(o.id, &by_email).await.unwrap()[0].display_name,
        "Person 99"
    );
    let manual = ContactQuery {
        source: Some(SourceKind::Manual),
        limit: 10,
        ..ContactQuery::default()
    };
    assert!(
        store
            .search_contacts(o.id, &manual)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn pages_stay_stable_while_a_sync_writes(store: &Store) {
    let o = org(store, "acme").await;
    let c = customer(store, o.id, "C").await;
    let batch: Vec<SyncedContact> = (0..30)
        .map(|i| {
            user(
                &format!("u{i}"),
                &format!("M{i:02} Name"),
                &format!("m{i}@c.example"),
                None,
            )
        })
        .collect();
    store
        .upsert_synced_contacts(o.id, c.id, SourceKind::Microsoft365, &batch, at(1))
        .await
        .unwrap();
    let mut q = ContactQuery {
        limit: 10,
        ..ContactQuery::default()
    };
    let first = store.search_contacts(o.id, &q).await.unwrap();
    let last = first.last().unwrap();
    q.after = Some(ContactCursor {
        key: q.sort.key_of(last),
        id: last.id,
    });
    // A sync now adds contacts before and after the cursor and rewrites existing ones.
    let mut second_sync = batch.clone();
    for u in &mut second_sync {
        u.job_title = "Updated".into();
    }
    second_sync.push(user("new-a", "A00 First", "a@c.example", None));
    second_sync.push(user("new-z", "Z99 Last", "z@c.example", None));
    store
        .upsert_synced_contacts(o.id, c.id, SourceKind::Microsoft365, &second_sync, at(2))
        .await
        .unwrap();
    let mut seen: Vec<ContactId> = first.iter().map(|c| c.id).collect();
    loop {
        let page = store.search_contacts(o.id, &q).await.unwrap();
        let Some(last) = page.last() else { break };
        q.after = Some(ContactCursor {
            key: q.sort.key_of(last),
            id: last.id,
        });
        seen.extend(page.iter().map(|c| c.id));
    }
    let unique: HashSet<ContactId> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "no contact twice");
    assert_eq!(
        seen.len(),
        31,
        "the 30 originals once each, plus the one added after the cursor"
    );
}

pub async fn sync_records_mobile_changes(store: &Store) {
    let o = org(store, "acme").await;
    let c = customer(store, o.id, "C").await;
    let first = store
        .upsert_synced_contacts(
            o.id,
            c.id,
            SourceKind::Microsoft365,
            &[user(
                "u1",
                "Ann Lee",
                "ann@c.example",
                Some("+1 425 555 0101"),
            )],
            at(1),
        )
        .await
        .unwrap();
    assert_eq!(
        (first.inserted, first.updated, first.mobile_changes),
        (1, 0, 0)
    );
    let found = store
        .search_contacts(
            o.id,
            &ContactQuery {
                limit: 5,
                ..ContactQuery::default()
            },
        )
        .await
        .unwrap();
    let id = found[0].id;
    assert_eq!(
        found[0].phone_changed_at, None,
        "a first sync is not a change"
    );

    // Same number, other format: no change. New number: recorded with the sync time.
    let mut same = user("u1", "Ann Lee", "ann@c.example", Some("+1 425 555 0101"));
    same.mobile = Some("(425) 555-0101".into());
    let r = store
        .upsert_synced_contacts(o.id, c.id, SourceKind::Microsoft365, &[same], at(2))
        .await
        .unwrap();
    assert_eq!((r.inserted, r.updated, r.mobile_changes), (0, 1, 0));
    // The very same user again is no change: not counted, only its sync time moves.
    let mut again = user("u1", "Ann Lee", "ann@c.example", Some("+1 425 555 0101"));
    again.mobile = Some("(425) 555-0101".into());
    let r = store
        .upsert_synced_contacts(
            o.id,
            c.id,
            SourceKind::Microsoft365,
            &[again],
            at(2).plus(std::time::Duration::from_millis(500)),
        )
        .await
        .unwrap();
    assert_eq!((r.inserted, r.updated, r.removed), (0, 0, 0));
    assert_eq!(
        store.contact(o.id, id).await.unwrap().last_synced_at,
        Some(at(2).plus(std::time::Duration::from_millis(500)))
    );
    let r = store
        .upsert_synced_contacts(
            o.id,
            c.id,
            SourceKind::Microsoft365,
            &[user(
                "u1",
                "Ann Lee",
                "ann.lee@c.example",
                Some("+1 425 555 0199"),
            )],
            at(3),
        )
        .await
        .unwrap();
    assert_eq!(r.mobile_changes, 1);
    let contact = store.contact(o.id, id).await.unwrap();
    assert_eq!(contact.phone_changed_at, Some(at(3)));
    assert_eq!(contact.last_synced_at, Some(at(3)));
    let changes = store.contact_changes(o.id, id, 10).await.unwrap();
    assert_eq!(changes.len(), 2);
    let mobile = changes
        .iter()
        .find(|c| c.field == ChangedField::Mobile)
        .unwrap();
    assert_eq!(mobile.old_value.as_deref(), Some("+14255550101"));
    assert_eq!(mobile.new_value.as_deref(), Some("+14255550199"));
    assert_eq!((mobile.at, mobile.technician_id), (at(3), None));
    // The old number no longer finds the contact; the new one does.
    assert!(names(store, o.id, "0101").await.is_empty());
    assert_eq!(names(store, o.id, "0199").await, vec!["Ann Lee"]);

    // Removal keeps the contact, hidden by default.
    let mut gone = user(
        "u1",
        "Ann Lee",
        "ann.lee@c.example",
        Some("+1 425 555 0199"),
    );
    gone.removed = true;
    // With it, the removal of a user that was never stored: nothing to insert.
    let stranger = SyncedContact {
        external_id: "never-stored".into(),
        removed: true,
        ..SyncedContact::default()
    };
    let r = store
        .upsert_synced_contacts(
            o.id,
            c.id,
            SourceKind::Microsoft365,
            &[gone, stranger],
            at(4),
        )
        .await
        .unwrap();
    assert_eq!((r.inserted, r.updated, r.removed), (0, 1, 1));
    assert_eq!(
        store.contact(o.id, id).await.unwrap().removed_at,
        Some(at(4))
    );
    assert!(names(store, o.id, "ann").await.is_empty());
}

pub async fn manual_contacts_are_edited_and_deleted(store: &Store) {
    let o = org(store, "acme").await;
    let t = technician(store, &o, "t@acme.example", Role::Technician).await;
    let c = customer(store, o.id, "C").await;
    let contact = Contact {
        id: ContactId::new(),
        org_id: o.id,
        customer_id: c.id,
        source: SourceKind::Manual,
        external_id: None,
        upn: None,
        given_name: "Ann".into(),
        surname: "Lee".into(),
        display_name: "Ann Lee".into(),
        email: Some("ann@c.example".into()),
        mobile: Some("(425) 555-0101".into()),
        mobile_e164: Some("+14255550101".into()),
        phone_country: None,
        business_phones: Vec::new(),
        job_title: String::new(),
        department: String::new(),
        account_enabled: true,
        user_type: String::new(),
        removed_at: None,
        last_synced_at: None,
        phone_changed_at: None,
        created_at: at(1),
        updated_at: at(1),
        unlinked_at: None,
    };
    store.create_contact(&contact).await.unwrap();
    assert_eq!(store.contact(o.id, contact.id).await.unwrap(), contact);
    let edit = ContactEdit {
        given_name: "Ann".into(),
        surname: "Lee-Smith".into(),
        display_name: "Ann Lee-Smith".into(),
        email: Some("ann@c.example".into()),
        mobile: Some("+44 7700 900123".into()),
        mobile_e164: Some("+447700900123".into()),
        job_title: "CFO".into(),
        department: String::new(),
    };
    let after = store
        .update_contact(o.id, contact.id, &edit, Some(t.id), at(5))
        .await
        .unwrap();
    assert_eq!(after.phone_changed_at, Some(at(5)));
    assert_eq!(store.contact(o.id, contact.id).await.unwrap(), after);
    let changes = store.contact_changes(o.id, contact.id, 10).await.unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].technician_id, Some(t.id));
    assert_eq!(names(store, o.id, "smith").await, vec!["Ann Lee-Smith"]);
    assert_eq!(names(store, o.id, "900123").await, vec!["Ann Lee-Smith"]);
    assert!(names(store, o.id, "0101").await.is_empty());

    store
        .record_verification(&verification(o.id, contact.id, Some(t.id), at(6)))
        .await
        .unwrap();
    store.delete_contact(o.id, contact.id).await.unwrap();
    assert!(matches!(
        store.contact(o.id, contact.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(
        names(store, o.id, "ann").await.is_empty(),
        "terms go with the contact"
    );
    assert!(matches!(
        store.delete_contact(o.id, contact.id).await,
        Err(StoreError::NotFound)
    ));
}

fn verification(
    org: OrgId,
    contact: ContactId,
    technician: Option<countersign_domain::TechnicianId>,
    when: countersign_domain::Timestamp,
) -> Verification {
    Verification {
        id: VerificationId::new(),
        org_id: org,
        contact_id: contact,
        technician_id: technician,
        method: VerificationMethod::SmsCode,
        channel: "sms".into(),
        destination_masked: "+•••••••0101".into(),
        status: VerificationStatus::Verified,
        at: when,
    }
}

pub async fn verifications_and_pod_settings(store: &Store) {
    let o = org(store, "acme").await;
    let t = technician(store, &o, "t@acme.example", Role::Technician).await;
    let c = customer(store, o.id, "C").await;
    store
        .upsert_synced_contacts(
            o.id,
            c.id,
            SourceKind::Microsoft365,
            &[user(
                "u1",
                "Ann Lee",
                "ann@c.example",
                Some("+1 425 555 0101"),
            )],
            at(1),
        )
        .await
        .unwrap();
    let id = store
        .search_contacts(
            o.id,
            &ContactQuery {
                limit: 1,
                ..ContactQuery::default()
            },
        )
        .await
        .unwrap()[0]
        .id;
    for i in 0..5 {
        let mut v = verification(o.id, id, Some(t.id), at(10 + i));
        if i == 4 {
            v.technician_id = None;
            v.status = VerificationStatus::Failed;
        }
        store.record_verification(&v).await.unwrap();
    }
    let history = store.verifications(o.id, id, 3).await.unwrap();
    assert_eq!(history.len(), 3);
    assert_eq!(history[0].verification.at, at(14), "newest first");
    assert_eq!(history[0].verification.status, VerificationStatus::Failed);
    assert_eq!(history[0].technician_name, None);
    assert_eq!(history[1].technician_name.as_deref(), Some(t.name.as_str()));

    assert_eq!(
        store.pod_settings(o.id).await.unwrap(),
        PodSettings::defaults(o.id)
    );
    let s = PodSettings {
        org_id: o.id,
        frame_ancestors: vec![
            "https://psa.example".into(),
            "https://*.halo.example".into(),
        ],
        verified_window_minutes: 30,
        history_length: 5,
        updated_at: Some(at(20)),
    };
    store.save_pod_settings(&s).await.unwrap();
    assert_eq!(store.pod_settings(o.id).await.unwrap(), s);

    assert!(!store.is_pod_only(o.id, t.id).await.unwrap());
    store.set_pod_only(o.id, t.id, true).await.unwrap();
    store.set_pod_only(o.id, t.id, true).await.unwrap();
    assert!(store.is_pod_only(o.id, t.id).await.unwrap());
    store.set_pod_only(o.id, t.id, false).await.unwrap();
    assert!(!store.is_pod_only(o.id, t.id).await.unwrap());
}

pub async fn directory_methods_are_org_scoped(store: &Store) {
    let a = org(store, "a").await;
    let b = org(store, "b").await;
    let tb = technician(store, &b, "t@b.example", Role::Admin).await;
    let ta = technician(store, &a, "t@a.example", Role::Admin).await;
    let cb = customer(store, b.id, "B customer").await;
    let ca = customer(store, a.id, "A customer").await;
    store
        .upsert_synced_contacts(
            b.id,
            cb.id,
            SourceKind::Microsoft365,
            &[user(
                "u1",
                "Bea Bravo",
                "bea@b.example",
                Some("+1 425 555 0101"),
            )],
            at(1),
        )
        .await
        .unwrap();
    let bea = store
        .search_contacts(
            b.id,
            &ContactQuery {
                limit: 1,
                ..ContactQuery::default()
            },
        )
        .await
        .unwrap()
        .remove(0);
    store
        .record_verification(&verification(b.id, bea.id, Some(tb.id), at(2)))
        .await
        .unwrap();
    let not_found = |r: Result<(), StoreError>, what: &str| {
        assert!(matches!(r, Err(StoreError::NotFound)), "{what}: {r:?}");
    };

    // Reads from org A see nothing of B.
    not_found(store.customer(a.id, cb.id).await.map(|_| ()), "customer");
    not_found(store.contact(a.id, bea.id).await.map(|_| ()), "contact");
    assert!(names(store, a.id, "bea").await.is_empty());
    assert!(names(store, a.id, "0101").await.is_empty());
    let b_only = ContactQuery {
        customer: Some(cb.id),
        include_inactive: true,
        limit: 10,
        ..ContactQuery::default()
    };
    assert!(
        store
            .search_contacts(a.id, &b_only)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .customers(a.id, None, 10)
            .await
            .unwrap()
            .iter()
            .all(|s| s.customer.id != cb.id)
    );
    assert!(
        store
            .contact_changes(a.id, bea.id, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .verifications(a.id, bea.id, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(!store.is_pod_only(a.id, tb.id).await.unwrap());

    // Writes from org A change nothing of B.
    not_found(
        store.update_customer(a.id, cb.id, "Hijacked", None).await,
        "update_customer",
    );
    not_found(
        store
            .update_contact(a.id, bea.id, &ContactEdit::default(), Some(ta.id), at(3))
            .await
            .map(|_| ()),
        "update_contact",
    );
    not_found(store.delete_contact(a.id, bea.id).await, "delete_contact");
    not_found(
        store
            .upsert_synced_contacts(
                a.id,
                cb.id,
                SourceKind::Microsoft365,
                &[user("u1", "Evil", "evil@a.example", None)],
                at(3),
            )
            .await
            .map(|_| ()),
        "upsert into B's customer",
    );
    let mut foreign_customer = bea.clone();
    foreign_customer.id = ContactId::new();
    foreign_customer.org_id = a.id;
    not_found(
        store.create_contact(&foreign_customer).await,
        "create under B's customer",
    );
    not_found(
        store
            .record_verification(&verification(a.id, bea.id, Some(ta.id), at(3)))
            .await,
        "verification of B's contact",
    );
    not_found(
        store
            .record_verification(&verification(b.id, bea.id, Some(ta.id), at(3)))
            .await,
        "verification by A's technician",
    );
    not_found(store.set_pod_only(a.id, tb.id, true).await, "set_pod_only");
    // An upsert into A's own customer with B's external id makes A's own contact.
    store
        .upsert_synced_contacts(
            a.id,
            ca.id,
            SourceKind::Microsoft365,
            &[user("u1", "Ann Alpha", "ann@a.example", None)],
            at(4),
        )
        .await
        .unwrap();

    assert_eq!(store.contact(b.id, bea.id).await.unwrap(), bea);
    assert_eq!(store.customer(b.id, cb.id).await.unwrap(), cb);
    assert_eq!(
        store.verifications(b.id, bea.id, 10).await.unwrap().len(),
        1
    );
    assert_eq!(names(store, b.id, "bea").await, vec!["Bea Bravo"]);
    assert!(names(store, b.id, "ann").await.is_empty());
}
