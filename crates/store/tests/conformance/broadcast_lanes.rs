//! Two sender lanes (issue 20): a message records the lane it goes out on, and a STOP or
//! START received on the broadcast lane's sender changes the broadcast opt-outs of the orgs
//! that texted the number on that lane, and nothing else (never the verification lane's SMS
//! consent).

use crate::broadcasts::contact;
use crate::contacts::customer;
use crate::fixtures::{at, org};
use crate::jobs::new_job;
use crate::messages::new_message;
use countersign_domain::{Channel, ContactId, OptOutSource, OrgId};
use countersign_store::{
    BroadcastStore, DeliveryStore, Lane, LaneKeywordOutcome, MessageFilter, MessageStore, OptOut,
    Store, TransportKind,
};

const PHONE: &str = "+14255550142";

/// An SMS to `to` on `lane`, queued with its job.
async fn sms(store: &Store, org: OrgId, key: &str, to: &str, lane: Lane) {
    let mut m = new_message(org, key, TransportKind::Twilio);
    m.recipient = to.into();
    m.lane = lane;
    let mut job = new_job(org, at(0), Some(&m.id.to_string()));
    job.kind = "send_message".into();
    store.queue_message(&m, Some(&job)).await.unwrap();
}

/// The (channel, source) of a contact's opt-outs.
async fn opt_outs(store: &Store, org: OrgId, c: ContactId) -> Vec<(Channel, OptOutSource)> {
    let mut v: Vec<_> = store
        .opt_outs_of_contact(org, c)
        .await
        .unwrap()
        .into_iter()
        .filter(|o| o.contact_id == c)
        .map(|o| (o.channel, o.source))
        .collect();
    v.sort_by_key(|(ch, s)| (ch.as_str(), s.as_str()));
    v
}

pub async fn a_message_records_its_lane(store: &Store) {
    let a = org(store, "a").await;
    sms(store, a.id, "v", PHONE, Lane::Verification).await;
    sms(store, a.id, "b", PHONE, Lane::Broadcast).await;
    let v = store.message_by_key(a.id, "v").await.unwrap().unwrap();
    let b = store.message_by_key(a.id, "b").await.unwrap().unwrap();
    assert_eq!((v.lane, b.lane), (Lane::Verification, Lane::Broadcast));
    assert_eq!(
        store.message(a.id, b.id).await.unwrap().lane,
        Lane::Broadcast
    );
    let filter = MessageFilter {
        limit: 10,
        ..MessageFilter::default()
    };
    let mut listed: Vec<_> = store
        .messages(a.id, &filter)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.idempotency_key, m.lane))
        .collect();
    listed.sort_by(|x, y| x.0.cmp(&y.0));
    assert_eq!(
        listed,
        vec![
            ("b".into(), Lane::Broadcast),
            ("v".into(), Lane::Verification)
        ]
    );
    // A worker's batch sees the lane (it picks the sender).
    let attempts = store
        .begin_attempts(&[(a.id, v.id), (a.id, b.id)], at(1))
        .await
        .unwrap();
    let mut lanes: Vec<_> = attempts
        .iter()
        .map(|x| (x.message.id, x.message.lane))
        .collect();
    lanes.sort_by_key(|(id, _)| *id);
    let mut want = vec![(v.id, Lane::Verification), (b.id, Lane::Broadcast)];
    want.sort_by_key(|(id, _)| *id);
    assert_eq!(lanes, want);
}

pub async fn stop_and_start_on_the_broadcast_lane(store: &Store) {
    // a texted the number on the broadcast lane; b only on the verification lane; c never.
    let (a, b, c) = (
        org(store, "a").await,
        org(store, "b").await,
        org(store, "c").await,
    );
    let (ca, cb, cc) = (
        customer(store, a.id, "Zeta").await,
        customer(store, b.id, "Zeta").await,
        customer(store, c.id, "Zeta").await,
    );
    let amy = contact(store, a.id, ca.id, "Amy Pond", None, Some(PHONE), |_| {}).await;
    let rory = contact(store, a.id, ca.id, "Rory Pond", None, Some(PHONE), |_| {}).await;
    let other = contact(
        store,
        a.id,
        ca.id,
        "Kel Other",
        None,
        Some("+14255550999"),
        |_| {},
    )
    .await;
    let bea = contact(store, b.id, cb.id, "Bea Bee", None, Some(PHONE), |_| {}).await;
    let cat = contact(store, c.id, cc.id, "Cat Sea", None, Some(PHONE), |_| {}).await;
    sms(store, a.id, "a1", PHONE, Lane::Broadcast).await;
    sms(store, a.id, "a2", PHONE, Lane::Broadcast).await;
    sms(store, b.id, "b1", PHONE, Lane::Verification).await;
    // Rory's contact source already says "no broadcasts": that opt-out and its reason stay.
    store
        .record_opt_out(&OptOut {
            org_id: a.id,
            contact_id: rory.id,
            channel: Channel::Sms,
            address: PHONE.into(),
            source: OptOutSource::ContactSource,
            at: at(1),
        })
        .await
        .unwrap();

    let stop = store
        .record_broadcast_lane_keyword(PHONE, true, at(2))
        .await
        .unwrap();
    assert_eq!(
        stop,
        LaneKeywordOutcome {
            orgs: 1,
            opt_outs: 1
        }
    );
    assert_eq!(
        opt_outs(store, a.id, amy.id).await,
        vec![(Channel::Sms, OptOutSource::StopKeyword)]
    );
    let amys = store.opt_outs_of_contact(a.id, amy.id).await.unwrap();
    let amys: Vec<_> = amys.iter().filter(|o| o.contact_id == amy.id).collect();
    assert_eq!((amys[0].address.as_str(), amys[0].at), (PHONE, at(2)));
    assert_eq!(
        opt_outs(store, a.id, rory.id).await,
        vec![(Channel::Sms, OptOutSource::ContactSource)]
    );
    assert!(opt_outs(store, a.id, other.id).await.is_empty());
    // Orgs that did not text the number on the broadcast lane are not concerned.
    assert!(opt_outs(store, b.id, bea.id).await.is_empty());
    assert!(opt_outs(store, c.id, cat.id).await.is_empty());
    // The verification lane's SMS consent is untouched, in every org.
    for o in [a.id, b.id, c.id] {
        assert!(!store.sms_opted_out(o, PHONE).await.unwrap());
    }
    // A repeated STOP changes nothing.
    let again = store
        .record_broadcast_lane_keyword(PHONE, true, at(3))
        .await
        .unwrap();
    assert_eq!(
        again,
        LaneKeywordOutcome {
            orgs: 1,
            opt_outs: 0
        }
    );

    // START removes what the STOP wrote, not what the contact source said.
    let start = store
        .record_broadcast_lane_keyword(PHONE, false, at(4))
        .await
        .unwrap();
    assert_eq!(
        start,
        LaneKeywordOutcome {
            orgs: 1,
            opt_outs: 1
        }
    );
    assert!(opt_outs(store, a.id, amy.id).await.is_empty());
    assert_eq!(
        opt_outs(store, a.id, rory.id).await,
        vec![(Channel::Sms, OptOutSource::ContactSource)]
    );

    // Once b texts the number on the broadcast lane too, a STOP concerns both.
    sms(store, b.id, "b2", PHONE, Lane::Broadcast).await;
    let both = store
        .record_broadcast_lane_keyword(PHONE, true, at(5))
        .await
        .unwrap();
    assert_eq!(
        both,
        LaneKeywordOutcome {
            orgs: 2,
            opt_outs: 2
        }
    );
    assert_eq!(
        opt_outs(store, b.id, bea.id).await,
        vec![(Channel::Sms, OptOutSource::StopKeyword)]
    );
    assert!(opt_outs(store, c.id, cat.id).await.is_empty());

    // A number no org texted on the broadcast lane: nothing.
    let nobody = store
        .record_broadcast_lane_keyword("+14255550999", true, at(6))
        .await
        .unwrap();
    assert_eq!(nobody, LaneKeywordOutcome::default());
    assert!(opt_outs(store, a.id, other.id).await.is_empty());
}

pub async fn a_broadcast_opt_out_stops_broadcast_messages_only(store: &Store) {
    let (a, b) = (org(store, "a").await, org(store, "b").await);
    let ca = customer(store, a.id, "Zeta").await;
    contact(store, a.id, ca.id, "Amy Pond", None, Some(PHONE), |_| {}).await;
    sms(store, a.id, "b1", PHONE, Lane::Broadcast).await;
    sms(store, a.id, "v1", PHONE, Lane::Verification).await;
    sms(store, b.id, "b1", PHONE, Lane::Broadcast).await;
    assert!(
        !store
            .broadcast_address_opted_out(a.id, Channel::Sms, PHONE)
            .await
            .unwrap()
    );
    store
        .record_broadcast_lane_keyword(PHONE, true, at(2))
        .await
        .unwrap();
    assert!(
        store
            .broadcast_address_opted_out(a.id, Channel::Sms, PHONE)
            .await
            .unwrap()
    );
    assert!(
        !store
            .broadcast_address_opted_out(a.id, Channel::Email, PHONE)
            .await
            .unwrap(),
        "per channel"
    );
    assert!(
        !store
            .broadcast_address_opted_out(b.id, Channel::Sms, PHONE)
            .await
            .unwrap(),
        "a's opt-out does not count in b (b has no contact with that mobile)"
    );
    let key = |o: OrgId, k: &str| {
        let k = k.to_owned();
        async move { store.message_by_key(o, &k).await.unwrap().unwrap().id }
    };
    let (b1, v1, other) = (
        key(a.id, "b1").await,
        key(a.id, "v1").await,
        key(b.id, "b1").await,
    );
    let attempts = store
        .begin_attempts(&[(a.id, b1), (a.id, v1), (b.id, other)], at(3))
        .await
        .unwrap();
    let blocked = |id| {
        attempts
            .iter()
            .find(|x| x.message.id == id)
            .map(|x| (x.broadcast_opted_out, x.sms_opted_out))
            .unwrap()
    };
    assert_eq!(blocked(b1), (true, false), "the broadcast is stopped");
    assert_eq!(blocked(v1), (false, false), "the verification code is not");
    assert_eq!(
        blocked(other),
        (false, false),
        "another org's broadcast is not"
    );

    store
        .record_broadcast_lane_keyword(PHONE, false, at(4))
        .await
        .unwrap();
    sms(store, a.id, "b2", PHONE, Lane::Broadcast).await;
    let b2 = key(a.id, "b2").await;
    let attempts = store.begin_attempts(&[(a.id, b2)], at(5)).await.unwrap();
    assert!(!attempts[0].broadcast_opted_out, "START opted back in");
}

/// A contact source's own opt-out flag (a PSA's "no bulk email"): set, the contact is opted out
/// of broadcasts on both channels (source `contact_source`); a STOP recorded earlier keeps its
/// reason; cleared, only the source's opt-outs go; a source without the flag changes nothing.
pub async fn a_contact_source_opt_out_flag_is_respected(store: &Store) {
    use countersign_domain::BroadcastChannels;
    use countersign_store::{Audience, ContactStore, SourceKind};
    let o = org(store, "srcflag").await.id;
    let cust = customer(store, o, "Alpha").await.id;
    let mut ann = crate::contacts::user(
        "u-ann",
        "Ann Lee",
        "Ann@alpha.example",
        Some("+14255550151"),
    );
    ann.broadcast_opt_out = Some(true);
    let mut bo = crate::contacts::user("u-bo", "Bo Lee", "bo@alpha.example", Some("+14255550152"));
    bo.broadcast_opt_out = Some(false);
    store
        .upsert_synced_contacts(
            o,
            cust,
            SourceKind::Microsoft365,
            &[ann.clone(), bo.clone()],
            at(1),
        )
        .await
        .unwrap();
    let all = store
        .search_contacts(
            o,
            &countersign_store::ContactQuery {
                limit: 10,
                ..countersign_store::ContactQuery::default()
            },
        )
        .await
        .unwrap();
    let id_of = |ext: &str| {
        all.iter()
            .find(|c| c.external_id.as_deref() == Some(ext))
            .unwrap()
            .id
    };
    let (ann_id, bo_id) = (id_of("u-ann"), id_of("u-bo"));
    assert_eq!(
        opt_outs(store, o, ann_id).await,
        vec![
            (Channel::Email, OptOutSource::ContactSource),
            (Channel::Sms, OptOutSource::ContactSource)
        ]
    );
    assert!(opt_outs(store, o, bo_id).await.is_empty());
    let counts = store
        .preview_audience(o, &Audience::AllCustomers, BroadcastChannels::BOTH)
        .await
        .unwrap();
    assert_eq!((counts.recipients, counts.excluded.opted_out), (1, 1));
    // Bo says STOP; then the source sets and clears Bo's flag: the STOP stays.
    store
        .record_opt_out(&OptOut {
            org_id: o,
            contact_id: bo_id,
            channel: Channel::Sms,
            address: "+14255550152".into(),
            source: OptOutSource::StopKeyword,
            at: at(2),
        })
        .await
        .unwrap();
    for flag in [Some(true), Some(false)] {
        bo.broadcast_opt_out = flag;
        store
            .upsert_synced_contacts(o, cust, SourceKind::Microsoft365, &[bo.clone()], at(3))
            .await
            .unwrap();
    }
    assert_eq!(
        opt_outs(store, o, bo_id).await,
        vec![(Channel::Sms, OptOutSource::StopKeyword)]
    );
    // A source without the flag (None) leaves Ann's opt-outs; clearing it removes them.
    ann.broadcast_opt_out = None;
    store
        .upsert_synced_contacts(o, cust, SourceKind::Microsoft365, &[ann.clone()], at(4))
        .await
        .unwrap();
    assert_eq!(opt_outs(store, o, ann_id).await.len(), 2);
    ann.broadcast_opt_out = Some(false);
    store
        .upsert_synced_contacts(o, cust, SourceKind::Microsoft365, &[ann], at(5))
        .await
        .unwrap();
    assert!(opt_outs(store, o, ann_id).await.is_empty());
}
