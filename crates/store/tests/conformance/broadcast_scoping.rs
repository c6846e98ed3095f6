//! Broadcast templates, opt-outs and settings, and every broadcast method scoped to its org
//! (issue 20).

use crate::broadcasts::{contact, directory, draft, freeze, opt_out};
use crate::contacts::customer;
use crate::fixtures::{T0, at, org, technician};
use countersign_domain::{
    BroadcastChannels, BroadcastTemplateId, Channel, ContactId, OptOutSource, Role,
};
use countersign_store::{
    Audience, AudienceCounts, BroadcastDraft, BroadcastSettings, BroadcastStore, BroadcastTemplate,
    FreezeOutcome, OptOut, Store, StoreError,
};

pub async fn templates_opt_outs_and_settings(store: &Store) {
    let o = org(store, "acme").await;
    let t = technician(store, &o, "a@acme.test", Role::Technician).await;
    let c = customer(store, o.id, "Alpha").await.id;
    let tpl = BroadcastTemplate {
        id: BroadcastTemplateId::new(),
        org_id: o.id,
        name: "Outage".into(),
        channels: BroadcastChannels::BOTH,
        sms_text: "{customer}: outage".into(),
        email_subject: "Outage".into(),
        email_body: "Hello {first_name}".into(),
        created_by: t.id,
        created_at: T0,
        updated_at: T0,
    };
    store.save_broadcast_template(&tpl).await.unwrap();
    let renamed = BroadcastTemplate {
        name: "Outage (all)".into(),
        updated_at: at(1),
        ..tpl.clone()
    };
    store.save_broadcast_template(&renamed).await.unwrap();
    assert_eq!(
        store.broadcast_template(o.id, tpl.id).await.unwrap(),
        renamed
    );
    let clash = BroadcastTemplate {
        id: BroadcastTemplateId::new(),
        ..renamed.clone()
    };
    let err = store.save_broadcast_template(&clash).await.unwrap_err();
    let name_taken = countersign_store::constraints::BROADCAST_TEMPLATE_NAME;
    assert!(
        matches!(&err, StoreError::Conflict { constraint } if constraint == name_taken),
        "{err:?}"
    );
    assert_eq!(
        store.broadcast_templates(o.id).await.unwrap(),
        vec![renamed]
    );
    store.delete_broadcast_template(o.id, tpl.id).await.unwrap();
    assert!(matches!(
        store.delete_broadcast_template(o.id, tpl.id).await,
        Err(StoreError::NotFound)
    ));

    let a = contact(
        store,
        o.id,
        c,
        "Ann Lee",
        Some("ann@a.example"),
        Some("+14255550101"),
        |_| {},
    )
    .await;
    let b = contact(store, o.id, c, "Bo Li", None, Some("+14255550101"), |_| {}).await;
    assert!(
        store
            .opt_outs_of_contact(o.id, b.id)
            .await
            .unwrap()
            .is_empty()
    );
    store
        .record_opt_out(&opt_out(o.id, &a, Channel::Sms, "+14255550101"))
        .await
        .unwrap();
    let of_b = store.opt_outs_of_contact(o.id, b.id).await.unwrap();
    assert_eq!(of_b.len(), 1, "Bo shares the number that said STOP");
    assert_eq!(
        (of_b[0].contact_id, of_b[0].source),
        (a.id, OptOutSource::StopKeyword)
    );
    assert!(
        store
            .remove_opt_out(o.id, a.id, Channel::Sms)
            .await
            .unwrap()
    );
    assert!(
        !store
            .remove_opt_out(o.id, a.id, Channel::Sms)
            .await
            .unwrap()
    );
    assert!(
        store
            .opt_outs_of_contact(o.id, a.id)
            .await
            .unwrap()
            .is_empty()
    );

    assert_eq!(store.broadcast_settings(o.id).await.unwrap(), None);
    let s = BroadcastSettings {
        approval_threshold: Some(50),
        daily_recipient_cap: None,
        time_zone: Some("Europe/Berlin".into()),
        quiet_hours: Some((21 * 60, 8 * 60)),
    };
    store
        .save_broadcast_settings(o.id, &s, at(1))
        .await
        .unwrap();
    assert_eq!(store.broadcast_settings(o.id).await.unwrap(), Some(s));
}

pub async fn broadcast_methods_are_org_scoped(store: &Store) {
    let (o, a, _, ann, _, admin) = directory(store, "acme").await;
    let other = org(store, "other").await;
    let intruder = technician(store, &other, "x@other.test", Role::Admin).await;
    let b = draft(
        store,
        o,
        admin.id,
        Audience::Customers(vec![a]),
        BroadcastChannels::BOTH,
    )
    .await;
    let nf = |r: Result<_, StoreError>| matches!(r, Err(StoreError::NotFound));
    assert!(nf(store.broadcast(other.id, b.id).await.map(|_| ())));
    assert!(store.broadcasts(other.id, 10).await.unwrap().is_empty());
    let edit = BroadcastDraft {
        name: "x".into(),
        channels: BroadcastChannels::SMS,
        sms_text: String::new(),
        email_subject: String::new(),
        email_body: String::new(),
        audience: Audience::AllCustomers,
        scheduled_at: None,
        respect_quiet_hours: false,
    };
    assert!(
        !store
            .update_broadcast_draft(other.id, b.id, &edit, at(1))
            .await
            .unwrap()
    );
    assert!(
        !store
            .request_broadcast_approval(other.id, b.id, intruder.id, at(1))
            .await
            .unwrap()
    );
    store
        .request_broadcast_approval(o, b.id, admin.id, at(1))
        .await
        .unwrap();
    assert!(nf(store
        .freeze_broadcast(other.id, b.id, &freeze(intruder.id))
        .await
        .map(|_| ())));
    // Another org's customer in an audience matches nothing of it.
    let theirs = store
        .preview_audience(
            other.id,
            &Audience::Customers(vec![a]),
            BroadcastChannels::BOTH,
        )
        .await
        .unwrap();
    assert_eq!(theirs, AudienceCounts::default());
    let everything = store
        .preview_audience(other.id, &Audience::AllCustomers, BroadcastChannels::BOTH)
        .await
        .unwrap();
    assert_eq!(everything.matched, 0);
    // Another org's opt-out of the same address excludes nobody here.
    store
        .record_opt_out(&OptOut {
            org_id: other.id,
            contact_id: ContactId::new(),
            channel: Channel::Email,
            address: "bo@alpha.example".into(),
            source: OptOutSource::UnsubscribeLink,
            at: at(1),
        })
        .await
        .unwrap();
    let frozen = store
        .freeze_broadcast(o, b.id, &freeze(admin.id))
        .await
        .unwrap();
    assert!(
        matches!(frozen, FreezeOutcome::Frozen(c) if c.email == 2),
        "{frozen:?}"
    );
    assert!(
        store
            .broadcast_recipients(other.id, b.id, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .opt_outs_of_contact(other.id, ann.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        !store
            .remove_opt_out(other.id, ann.id, Channel::Sms)
            .await
            .unwrap()
    );
    store
        .save_broadcast_settings(
            o,
            &BroadcastSettings {
                approval_threshold: Some(1),
                daily_recipient_cap: Some(9),
                ..BroadcastSettings::default()
            },
            at(1),
        )
        .await
        .unwrap();
    assert_eq!(store.broadcast_settings(other.id).await.unwrap(), None);
    let tpl = BroadcastTemplate {
        id: BroadcastTemplateId::new(),
        org_id: o,
        name: "Mine".into(),
        channels: BroadcastChannels::SMS,
        sms_text: "x".into(),
        email_subject: String::new(),
        email_body: String::new(),
        created_by: admin.id,
        created_at: T0,
        updated_at: T0,
    };
    store.save_broadcast_template(&tpl).await.unwrap();
    assert!(nf(store
        .broadcast_template(other.id, tpl.id)
        .await
        .map(|_| ())));
    assert!(
        store
            .broadcast_templates(other.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(nf(store.delete_broadcast_template(other.id, tpl.id).await));
    // Saving another org's template id from here neither moves nor overwrites it.
    let hijack = BroadcastTemplate {
        org_id: other.id,
        created_by: intruder.id,
        name: "Theirs".into(),
        ..tpl.clone()
    };
    assert!(store.save_broadcast_template(&hijack).await.is_err());
    assert_eq!(store.broadcast_template(o, tpl.id).await.unwrap(), tpl);
}
