//! Two sender lanes (issue 20) against the emulator's Twilio face, which applies a STOP to the
//! sender it was sent to, as Twilio does: broadcasts go out from the broadcast sender and
//! verification codes from the verification sender; a STOP texted to the broadcast sender
//! opts the number out of broadcasts only (through the real web server's signed inbound
//! webhook), and a verification code to the same number is still delivered; START opts it back
//! in.

use crate::common::World;
use countersign_app::Principal;
use countersign_app::audit::Actor;
use countersign_app::contacts::ContactInput;
use countersign_app::jobs::WorkerPool;
use countersign_app::messages::{MessageRequest, Transports};
use countersign_domain::{ContactId, Country, Lane, OptOutSource};
use countersign_messaging::TemplateName;
use countersign_store::{BroadcastStore, Channel, Message, MessageState, MessageStore};
use std::time::Duration;
use tokio::sync::watch;

const BROADCAST_SENDER: &str = "+15005550007";
const MOBILE: &str = "+14155550100";

/// A contact of the world's org with mobile `mobile`, made as an operator would.
async fn contact(world: &World, mobile: &str) -> ContactId {
    let by = Principal::cli(world.org);
    let customer = world
        .app
        .create_customer(&by, "Zeta Widgets", Some(Country::US))
        .await
        .unwrap();
    let input = ContactInput {
        given_name: "Amy".into(),
        surname: "Pond".into(),
        display_name: "Amy Pond".into(),
        mobile: mobile.into(),
        ..ContactInput::default()
    };
    let c = world
        .app
        .create_contact(&by, customer.id, &input)
        .await
        .unwrap();
    assert_eq!(c.mobile_e164.as_deref(), Some(mobile));
    c.id
}

/// Queues an SMS on `lane`: a verification code on the verification lane, an announcement
/// (the test template) on the broadcast lane.
async fn queue(world: &World, lane: Lane, key: &str) -> Message {
    let template = match lane {
        Lane::Verification => TemplateName::VerificationCode {
            technician: "Amy".into(),
            code: "482913".into(),
            minutes: 10,
        },
        Lane::Broadcast => TemplateName::Test {
            sender: "Amy".into(),
        },
    };
    let req = MessageRequest {
        org: world.org,
        channel: Channel::Sms,
        recipient: MOBILE.into(),
        template,
        lane,
        idempotency_key: key.into(),
    };
    world
        .app
        .queue_message(&Actor::system(), req)
        .await
        .unwrap()
}

/// The number the emulator says the message went out from.
fn sent_from(world: &World, m: &Message) -> String {
    let sid = m.provider_id.clone().expect("the message has Twilio's SID");
    world
        .emu
        .sms()
        .log()
        .messages
        .into_iter()
        .find(|r| r.sid == sid)
        .map(|r| r.from)
        .expect("the emulator received the message")
}

/// The sources of the contact's own broadcast opt-outs by SMS.
async fn opt_outs(world: &World, contact: ContactId) -> Vec<OptOutSource> {
    world
        .app
        .store()
        .opt_outs_of_contact(world.org, contact)
        .await
        .unwrap()
        .into_iter()
        .filter(|o| o.contact_id == contact && o.channel == Channel::Sms)
        .map(|o| o.source)
        .collect()
}

async fn a_stop_to_a_broadcast_never_blocks_a_verification_code(postgres: bool) {
    let world = World::start(postgres, |s| {
        s.twilio.broadcast_from_number = BROADCAST_SENDER.into();
    })
    .await;
    let verification_sender = world.settings.twilio.from_number.clone();
    assert_ne!(verification_sender, BROADCAST_SENDER);
    world
        .emu
        .sms()
        .update_account(&serde_json::json!({
            "from_numbers": [verification_sender, BROADCAST_SENDER],
        }))
        .unwrap();
    let amy = contact(&world, MOBILE).await;
    let (stop, stopped) = watch::channel(false);
    let transports = Transports::from_settings(&world.app.settings).unwrap();
    let pool = WorkerPool::start(world.app.clone(), transports, stopped);

    // Each lane goes out from its configured sender.
    let broadcast = queue(&world, Lane::Broadcast, "broadcast:1").await;
    let broadcast = world.wait_for(&broadcast, MessageState::Delivered).await;
    assert_eq!(broadcast.lane, Lane::Broadcast);
    assert_eq!(sent_from(&world, &broadcast), BROADCAST_SENDER);
    let code = queue(&world, Lane::Verification, "code:1").await;
    let code = world.wait_for(&code, MessageState::Delivered).await;
    assert_eq!(sent_from(&world, &code), verification_sender);

    // STOP to the broadcast sender: opted out of broadcasts only.
    assert_eq!(
        world
            .inbound_to(MOBILE, Some(BROADCAST_SENDER), "STOP")
            .await,
        200
    );
    assert_eq!(opt_outs(&world, amy).await, vec![OptOutSource::StopKeyword]);
    assert!(
        !world
            .app
            .store()
            .sms_opted_out(world.org, MOBILE)
            .await
            .unwrap()
    );
    // A verification code to the same number is still delivered, from its own sender …
    let code = queue(&world, Lane::Verification, "code:2").await;
    let code = world.wait_for(&code, MessageState::Delivered).await;
    assert_eq!(sent_from(&world, &code), verification_sender);
    // … while a broadcast to it fails in the product (21610), without calling Twilio (which
    // would refuse its sender to that number too).
    let before = world.emu.sms().counts().requests;
    let refused = queue(&world, Lane::Broadcast, "broadcast:2").await;
    let refused = world.wait_for(&refused, MessageState::Failed).await;
    assert_eq!(refused.error_code.as_deref(), Some("21610"));
    let error = refused.last_error.unwrap_or_default();
    assert!(error.contains("opted out of broadcasts"), "{error}");
    assert_eq!(
        world.emu.sms().counts().requests,
        before,
        "Twilio was not called"
    );
    let twilio = world.emu.sms().faults();
    assert!(twilio.opted_out.is_empty());
    assert_eq!(
        twilio.opted_out_of[BROADCAST_SENDER],
        vec![MOBILE.to_owned()]
    );
    assert!(!twilio.opted_out_of.contains_key(&verification_sender));

    // START to the broadcast sender: back in; broadcasts are delivered again.
    assert_eq!(
        world
            .inbound_to(MOBILE, Some(BROADCAST_SENDER), "START")
            .await,
        200
    );
    assert!(opt_outs(&world, amy).await.is_empty());
    let again = queue(&world, Lane::Broadcast, "broadcast:3").await;
    let again = world.wait_for(&again, MessageState::Delivered).await;
    assert_eq!(sent_from(&world, &again), BROADCAST_SENDER);

    // A STOP to the verification sender keeps today's behaviour: SMS consent, not a broadcast
    // opt-out.
    assert_eq!(world.inbound_to(MOBILE, None, "STOP").await, 200);
    assert!(
        world
            .app
            .store()
            .sms_opted_out(world.org, MOBILE)
            .await
            .unwrap()
    );
    assert!(opt_outs(&world, amy).await.is_empty());

    let _ = stop.send(true);
    tokio::time::timeout(Duration::from_secs(10), pool.join())
        .await
        .unwrap();
    world.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_stop_to_a_broadcast_never_blocks_a_verification_code() {
    a_stop_to_a_broadcast_never_blocks_a_verification_code(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_stop_to_a_broadcast_never_blocks_a_verification_code() {
    if crate::common::skip_postgres() {
        return;
    }
    a_stop_to_a_broadcast_never_blocks_a_verification_code(true).await;
}
