//! Broadcasts (issue 20): drafts, the audience preview and its exclusions, the freeze (exact,
//! one row per contact and channel, limits checked inside it), templates, opt-outs and
//! settings; every method scoped to its org.

use crate::contacts::customer;
use crate::fixtures::{T0, at, org, technician};
use countersign_domain::{
    BroadcastChannels, BroadcastId, BroadcastStatus, Channel, ContactId, CustomerId, IntegrationId,
    OptOutSource, OrgId, Role, TechnicianId,
};
use countersign_store::{
    Audience, AudienceCounts, AudienceFilter, Broadcast, BroadcastDraft, BroadcastStore, Contact,
    ContactStore, Exclusions, Freeze, FreezeOutcome, OptOut, SourceKind, Store, Technician,
};

/// A contact of `customer`, changed by `f` before it is stored.
pub async fn contact(
    store: &Store,
    org: OrgId,
    customer: CustomerId,
    name: &str,
    email: Option<&str>,
    mobile: Option<&str>,
    f: impl FnOnce(&mut Contact),
) -> Contact {
    let (given, surname) = name.split_once(' ').unwrap_or((name, ""));
    let mut c = Contact {
        id: ContactId::new(),
        org_id: org,
        customer_id: customer,
        source: SourceKind::Manual,
        external_id: None,
        upn: None,
        given_name: given.into(),
        surname: surname.into(),
        display_name: name.into(),
        email: email.map(str::to_owned),
        mobile: mobile.map(str::to_owned),
        mobile_e164: mobile.map(str::to_owned),
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
    f(&mut c);
    store.create_contact(&c).await.unwrap();
    c
}

/// A draft of `author` to `audience` over `channels`, stored.
pub async fn draft(
    store: &Store,
    org: OrgId,
    author: TechnicianId,
    audience: Audience,
    channels: BroadcastChannels,
) -> Broadcast {
    let b = Broadcast {
        id: BroadcastId::new(),
        org_id: org,
        name: "Exchange outage".into(),
        channels,
        sms_text: "Hi {first_name}, Exchange is down.".into(),
        email_subject: "Exchange outage".into(),
        email_body: "Dear {first_name}, Exchange is down for {customer}.".into(),
        audience,
        status: BroadcastStatus::Draft,
        author_id: author,
        requested_by: None,
        approver_id: None,
        frozen: None,
        scheduled_at: None,
        respect_quiet_hours: false,
        requested_at: None,
        approved_at: None,
        started_at: None,
        completed_at: None,
        cancelled_at: None,
        created_at: T0,
        updated_at: T0,
    };
    store.create_broadcast(&b).await.unwrap();
    b
}

pub fn opt_out(org: OrgId, c: &Contact, channel: Channel, address: &str) -> OptOut {
    OptOut {
        org_id: org,
        contact_id: c.id,
        channel,
        address: address.into(),
        source: OptOutSource::StopKeyword,
        at: at(2),
    }
}

pub fn freeze(approver: TechnicianId) -> Freeze {
    Freeze {
        approver,
        at: at(100),
        max_recipients: None,
        daily_cap: None,
        expected_recipients: None,
        delivery: None,
    }
}

/// Ann (both), Bo (email), Cy (opted out of SMS), Di (nothing), Ed (removed), Fay
/// (disabled), Gus (Ann's email, on another customer), Hal (Cy's number, so opted out by
/// address). Returns the org, its two customers, Ann, Gus, and an admin.
pub async fn directory(
    store: &Store,
    slug: &str,
) -> (OrgId, CustomerId, CustomerId, Contact, Contact, Technician) {
    let the_org = org(store, slug).await;
    let admin = technician(store, &the_org, &format!("admin@{slug}.test"), Role::Admin).await;
    let o = the_org.id;
    let a = customer(store, o, "Alpha").await.id;
    let b = customer(store, o, "Beta").await.id;
    let ann = contact(
        store,
        o,
        a,
        "Ann Lee",
        Some("Ann@Alpha.example"),
        Some("+14255550101"),
        |c| {
            c.job_title = "Lead Engineer".into();
        },
    )
    .await;
    contact(store, o, a, "Bo Li", Some("bo@alpha.example"), None, |c| {
        c.department = "R_D lab".into();
    })
    .await;
    let cy = contact(store, o, a, "Cy Ng", None, Some("+14255550103"), |_| {}).await;
    contact(store, o, a, "Di Wu", None, None, |_| {}).await;
    contact(store, o, a, "Ed Ro", Some("ed@alpha.example"), None, |c| {
        c.removed_at = Some(at(5));
    })
    .await;
    contact(store, o, b, "Fay Ko", Some("fay@beta.example"), None, |c| {
        c.account_enabled = false;
    })
    .await;
    let gus = contact(
        store,
        o,
        b,
        "Gus Oh",
        Some("ann@alpha.example"),
        None,
        |c| {
            c.source = SourceKind::Microsoft365;
            c.external_id = Some("gus".into());
        },
    )
    .await;
    contact(store, o, b, "Hal Up", None, Some("+14255550103"), |_| {}).await;
    store
        .record_opt_out(&opt_out(o, &cy, Channel::Sms, "+14255550103"))
        .await
        .unwrap();
    (o, a, b, ann, gus, admin)
}

pub async fn previews_count_recipients_channels_and_exclusions(store: &Store) {
    let (o, a, b, ann, gus, _) = directory(store, "acme").await;
    let all = store
        .preview_audience(o, &Audience::AllCustomers, BroadcastChannels::BOTH)
        .await
        .unwrap();
    assert_eq!(
        all,
        AudienceCounts {
            matched: 8,
            recipients: 2,
            sms: 1,
            email: 2,
            both: 1,
            excluded: Exclusions {
                removed: 1,
                disabled: 1,
                no_channel: 1,
                opted_out: 2,
                duplicate_address: 1,
            },
        },
        "{all:?}"
    );
    assert_eq!(all.recipients + all.excluded.total(), all.matched);
    // SMS only: Bo, Gus (email only) have no channel now; Ann is the one SMS recipient.
    let sms = store
        .preview_audience(o, &Audience::AllCustomers, BroadcastChannels::SMS)
        .await
        .unwrap();
    assert_eq!((sms.recipients, sms.sms, sms.email), (1, 1, 0));
    assert_eq!(sms.excluded.no_channel, 3, "Bo, Di, Gus: {sms:?}");
    assert_eq!(sms.excluded.opted_out, 2);
    // Chosen customers: Beta alone has Gus, who keeps Ann's address when Ann is not in it.
    let beta = store
        .preview_audience(o, &Audience::Customers(vec![b]), BroadcastChannels::BOTH)
        .await
        .unwrap();
    assert_eq!(
        (beta.matched, beta.recipients, beta.email),
        (3, 1, 1),
        "{beta:?}"
    );
    let none = store
        .preview_audience(o, &Audience::Customers(vec![]), BroadcastChannels::BOTH)
        .await
        .unwrap();
    assert_eq!(none, AudienceCounts::default());
    // Filters: every condition must hold.
    let filter = |f: AudienceFilter| Audience::Filter(f);
    let count = |a: Audience| async move {
        store
            .preview_audience(o, &a, BroadcastChannels::BOTH)
            .await
            .unwrap()
    };
    let engineers = count(filter(AudienceFilter {
        job_title_contains: Some("ENGINEER".into()),
        ..AudienceFilter::default()
    }))
    .await;
    assert_eq!((engineers.matched, engineers.recipients), (1, 1));
    let r_d = count(filter(AudienceFilter {
        department_contains: Some("r_d".into()),
        ..AudienceFilter::default()
    }))
    .await;
    assert_eq!(r_d.matched, 1, "the underscore matches itself only");
    let no_match = count(filter(AudienceFilter {
        department_contains: Some("rxd".into()),
        ..AudienceFilter::default()
    }))
    .await;
    assert_eq!(no_match.matched, 0);
    let mobiles_of_alpha = count(filter(AudienceFilter {
        customer: Some(a),
        has_mobile: true,
        ..AudienceFilter::default()
    }))
    .await;
    assert_eq!(mobiles_of_alpha.matched, 2, "Ann and Cy");
    let with_email = count(filter(AudienceFilter {
        has_email: true,
        source: Some(SourceKind::Microsoft365),
        ..AudienceFilter::default()
    }))
    .await;
    assert_eq!(
        (with_email.matched, with_email.recipients),
        (1, 1),
        "Gus alone"
    );
    let unknown_integration = count(filter(AudienceFilter {
        integration: Some(IntegrationId::new()),
        ..AudienceFilter::default()
    }))
    .await;
    assert_eq!(unknown_integration.matched, 0);
    // The address shared by Ann and Gus goes to the older contact.
    assert!(ann.id < gus.id, "UUIDv7 ids are ordered by creation");
}

pub async fn drafts_move_forward_only(store: &Store) {
    let o = org(store, "acme").await;
    let t = technician(store, &o, "a@acme.test", Role::Admin).await;
    let b = draft(
        store,
        o.id,
        t.id,
        Audience::AllCustomers,
        BroadcastChannels::SMS,
    )
    .await;
    assert_eq!(store.broadcast(o.id, b.id).await.unwrap(), b);
    let edit = BroadcastDraft {
        name: "Phishing wave".into(),
        channels: BroadcastChannels::BOTH,
        sms_text: "We never ask for your password.".into(),
        email_subject: "Phishing".into(),
        email_body: "We never ask, {first_name}.".into(),
        audience: Audience::Filter(AudienceFilter {
            has_email: true,
            ..AudienceFilter::default()
        }),
        scheduled_at: Some(at(3600)),
        respect_quiet_hours: true,
    };
    assert!(
        store
            .update_broadcast_draft(o.id, b.id, &edit, at(1))
            .await
            .unwrap()
    );
    let edited = store.broadcast(o.id, b.id).await.unwrap();
    assert_eq!(
        (edited.name.as_str(), edited.audience.clone()),
        ("Phishing wave", edit.audience.clone())
    );
    assert_eq!(
        (edited.scheduled_at, edited.updated_at),
        (Some(at(3600)), at(1))
    );
    assert!(
        store
            .request_broadcast_approval(o.id, b.id, t.id, at(2))
            .await
            .unwrap()
    );
    let asked = store.broadcast(o.id, b.id).await.unwrap();
    assert_eq!(asked.status, BroadcastStatus::AwaitingApproval);
    assert_eq!(
        (asked.requested_by, asked.requested_at),
        (Some(t.id), Some(at(2)))
    );
    // Locked once submitted: an approver sees exactly what goes out.
    assert!(
        !store
            .update_broadcast_draft(o.id, b.id, &edit, at(3))
            .await
            .unwrap()
    );
    assert!(
        !store
            .request_broadcast_approval(o.id, b.id, t.id, at(3))
            .await
            .unwrap()
    );
    let listed = store.broadcasts(o.id, 10).await.unwrap();
    assert_eq!(listed.len(), 1);
    let other = draft(
        store,
        o.id,
        t.id,
        Audience::AllCustomers,
        BroadcastChannels::SMS,
    )
    .await;
    let fresh = store
        .freeze_broadcast(o.id, other.id, &freeze(t.id))
        .await
        .unwrap();
    assert_eq!(fresh, FreezeOutcome::NotAwaiting(BroadcastStatus::Draft));
}
