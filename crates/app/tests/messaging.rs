//! Messaging use cases end to end on a real store: queue → job → delivery (outbox, SMTP to a
//! real aiosmtpd on loopback), retries with backoff to `dead`, Twilio status callbacks and
//! inbound STOP/START with signatures. Each scenario runs on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used)]

mod support;

use countersign_app::audit::Actor;
use countersign_app::messages::{
    InboundOutcome, MessageError, MessageRequest, ProviderCallbackError, Transports,
};
use countersign_app::settings::{MessagingTransport, SmtpSecuritySetting};
use countersign_app::{App, ManualClock, Settings};
use countersign_domain::{BroadcastId, ContactId, IntegrationId, Lane, OptOutSource, OrgId};
use countersign_mailbox::{MailServer, closed_port};
use countersign_messaging::TemplateName;
use countersign_messaging::twilio::signature;
use countersign_store::{
    BroadcastStore, Channel, DeliveryStore, GraphMail, GraphMailStore, JobState, JobStore,
    MessageState, MessageStore, Org, OrgStore, Transition, TransportKind,
};
use sqlx::{Connection, Executor, PgConnection};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Env {
    app: App,
    clock: ManualClock,
    org: OrgId,
    /// The PostgreSQL database to drop afterwards: (admin URL, name).
    database: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

impl Env {
    /// Closes the store and drops the PostgreSQL database, if any.
    async fn finish(self) {
        self.app.store().close().await;
        if let Some((admin, name)) = &self.database {
            let mut conn = PgConnection::connect(admin).await.unwrap();
            conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                .await
                .unwrap();
            conn.close().await.unwrap();
        }
    }
}

async fn env(postgres: bool, tweak: impl FnOnce(&mut Settings)) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::default();
    settings.storage.data_dir = dir.path().to_path_buf();
    settings.security.argon2_memory_kib = 8192;
    settings.security.argon2_iterations = 1;
    let database = if postgres {
        let (admin, name) = postgres_database().await;
        settings.storage.database_url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
        Some((admin, name))
    } else {
        None
    };
    tweak(&mut settings);
    settings.validate().unwrap();
    let clock = ManualClock::starting_now();
    let app = App::start(settings, Arc::new(clock.clone())).await.unwrap();
    let org = Org {
        id: OrgId::new(),
        name: "Acme IT".into(),
        slug: format!("acme-{}", uuid::Uuid::new_v4().simple()),
        require_2fa: false,
        created_at: app.now(),
    };
    app.store().create_org(&org).await.unwrap();
    Env {
        app,
        clock,
        org: org.id,
        database,
        _dir: dir,
    }
}

/// A fresh database on the test server: (admin URL, database name).
async fn postgres_database() -> (String, String) {
    let admin = std::env::var("COUNTERSIGN_TEST_POSTGRES_URL").expect(
        "COUNTERSIGN_TEST_POSTGRES_URL must point at a PostgreSQL server for the postgres tests",
    );
    let name = format!("cs_msg_{}", uuid::Uuid::new_v4().simple());
    let mut conn = PgConnection::connect(&admin).await.unwrap();
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    conn.close().await.unwrap();
    (admin, name)
}

fn request(env: &Env, channel: Channel, to: &str, key: &str) -> MessageRequest {
    MessageRequest {
        org: env.org,
        channel,
        recipient: to.into(),
        template: TemplateName::Test {
            sender: "Amy".into(),
        },
        idempotency_key: key.into(),
        lane: Lane::Verification,
    }
}

/// Claims and runs every due job once; returns how many ran.
async fn run_due(env: &Env, transports: &Transports) -> usize {
    support::run_due(&env.app, transports, 100).await
}

async fn outbox_keeps_messages(postgres: bool) {
    let env = env(postgres, |_| {}).await;
    let transports = Transports::from_settings(&env.app.settings).unwrap();
    let m = env
        .app
        .queue_message(
            &Actor::system(),
            request(&env, Channel::Sms, "+1 415 555 0100", "k1"),
        )
        .await
        .unwrap();
    assert_eq!(
        (m.transport, m.recipient.as_str()),
        (TransportKind::Outbox, "+14155550100")
    );
    // Same key: the same message, no second job.
    let again = env
        .app
        .queue_message(
            &Actor::system(),
            request(&env, Channel::Sms, "+14155550100", "k1"),
        )
        .await
        .unwrap();
    assert_eq!(again.id, m.id);
    assert_eq!(run_due(&env, &transports).await, 1);
    let m = env.app.store().message(env.org, m.id).await.unwrap();
    assert_eq!(m.state, MessageState::Outbox);
    assert!(
        m.body_text
            .unwrap()
            .contains("Acme IT: test message sent by Amy")
    );
    assert_eq!(env.app.store().job_counts(env.org).await.unwrap().queued, 0);
    // Bad recipients are refused before anything is stored.
    assert!(
        env.app
            .queue_message(&Actor::system(), request(&env, Channel::Sms, "0415", "k2"))
            .await
            .is_err()
    );
    env.finish().await;
}

#[tokio::test]
async fn sqlite_outbox_keeps_messages() {
    outbox_keeps_messages(false).await;
}
#[tokio::test]
async fn postgres_outbox_keeps_messages() {
    outbox_keeps_messages(true).await;
}

fn live_smtp(port: u16) -> impl FnOnce(&mut Settings) {
    move |s: &mut Settings| {
        s.messaging.transport = MessagingTransport::Live;
        s.smtp.host = "127.0.0.1".into();
        s.smtp.port = port;
        s.smtp.security = SmtpSecuritySetting::Plain;
        s.smtp.from_address = "noreply@msp.test".into();
        s.workers.max_attempts = 3;
    }
}

async fn smtp_delivery_and_retries(postgres: bool) {
    let server = MailServer::start();
    let env = env(postgres, live_smtp(server.port())).await;
    let transports = Transports::from_settings(&env.app.settings).unwrap();
    let m = env
        .app
        .queue_message(
            &Actor::system(),
            request(&env, Channel::Email, "amy@customer.test", "e1"),
        )
        .await
        .unwrap();
    assert_eq!(run_due(&env, &transports).await, 1);
    let sent = env.app.store().message(env.org, m.id).await.unwrap();
    assert_eq!(sent.state, MessageState::Sent);
    assert!(sent.provider_id.unwrap().ends_with("@msp.test>"));
    assert_eq!(
        sent.body_text, None,
        "bodies are dropped once the relay has the message"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let mail = loop {
        if let Some(mail) = server.received().pop() {
            break mail;
        }
        assert!(Instant::now() < deadline, "no mail arrived");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        mail.contains("Subject: Test message from Acme IT"),
        "{mail}"
    );
    // A repeated job for the same message sends nothing more.
    assert!(
        env.app
            .store()
            .begin_attempt(env.org, m.id, env.app.now())
            .await
            .unwrap()
            .is_none()
    );

    // An unreachable relay: retried with backoff, then the job is dead and the message failed.
    let mut down = (*env.app.settings).clone();
    down.smtp.port = closed_port();
    let down = Transports::from_settings(&down).unwrap();
    let m = env
        .app
        .queue_message(
            &Actor::system(),
            request(&env, Channel::Email, "bob@customer.test", "e2"),
        )
        .await
        .unwrap();
    assert_eq!(run_due(&env, &down).await, 1);
    let row = env.app.store().message(env.org, m.id).await.unwrap();
    assert_eq!(row.state, MessageState::Queued);
    assert!(row.last_error.is_some());
    // Not due before the backoff (5 s after attempt 1).
    assert_eq!(run_due(&env, &down).await, 0);
    env.clock.advance(Duration::from_secs(5));
    assert_eq!(run_due(&env, &down).await, 1);
    env.clock.advance(Duration::from_secs(10));
    assert_eq!(run_due(&env, &down).await, 1);
    let row = env.app.store().message(env.org, m.id).await.unwrap();
    assert_eq!(row.state, MessageState::Failed);
    assert!(
        row.last_error
            .unwrap()
            .starts_with("gave up after 3 attempts")
    );
    let dead = env
        .app
        .store()
        .jobs(env.org, Some(JobState::Dead), 10)
        .await
        .unwrap();
    assert_eq!(dead.len(), 1);
    let history: Vec<MessageState> = env
        .app
        .store()
        .message_events(env.org, m.id)
        .await
        .unwrap()
        .iter()
        .map(|e| e.state)
        .collect();
    use MessageState::*;
    assert_eq!(
        history,
        vec![Queued, Sending, Queued, Sending, Queued, Sending, Failed]
    );
    env.finish().await;
}

#[tokio::test]
async fn sqlite_smtp_delivery_and_retries() {
    smtp_delivery_and_retries(false).await;
}
#[tokio::test]
async fn postgres_smtp_delivery_and_retries() {
    smtp_delivery_and_retries(true).await;
}

const TOKEN: &str = "twilio-auth-token";

fn live_twilio(s: &mut Settings) {
    s.messaging.transport = MessagingTransport::Live;
    s.server.public_url = "https://cs.example.com".into();
    s.twilio.account_sid = "AC00000000000000000000000000000000".into();
    s.twilio.auth_token = TOKEN.into();
    s.twilio.from_number = "+15005550006".into();
}

fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// An SMS to +14155550100, queued and with its first attempt begun (`sending`).
async fn sending_sms(env: &Env, key: &str) -> countersign_store::Message {
    let m = env
        .app
        .queue_message(
            &Actor::system(),
            request(env, Channel::Sms, "+14155550100", key),
        )
        .await
        .unwrap();
    env.app
        .store()
        .begin_attempt(env.org, m.id, env.app.now())
        .await
        .unwrap();
    m
}

async fn twilio_webhooks(postgres: bool) {
    let env = env(postgres, live_twilio).await;
    let m = sending_sms(&env, "s1").await;
    let mut accepted = Transition::to(MessageState::Accepted, env.app.now(), "twilio");
    accepted.provider_id = Some("SM0001".into());
    env.app
        .store()
        .transition_message(env.org, m.id, &accepted)
        .await
        .unwrap();

    let path = "/webhooks/twilio/status";
    let url = format!("https://cs.example.com{path}");
    let p = params(&[
        ("MessageSid", "SM0001"),
        ("MessageStatus", "undelivered"),
        ("ErrorCode", "30003"),
    ]);
    let good = signature(TOKEN.as_bytes(), &url, &p).unwrap();
    // Wrong or missing signatures are refused before anything is read.
    assert!(matches!(
        env.app.verify_twilio_webhook(path, &p, Some("bad")),
        Err(ProviderCallbackError::BadSignature)
    ));
    assert!(matches!(
        env.app.verify_twilio_webhook(path, &p, None),
        Err(ProviderCallbackError::BadSignature)
    ));
    let other = signature(b"other-token", &url, &p).unwrap();
    assert!(
        env.app
            .verify_twilio_webhook(path, &p, Some(&other))
            .is_err()
    );
    env.app
        .verify_twilio_webhook(path, &p, Some(&good))
        .unwrap();
    assert!(env.app.twilio_status_callback(&p).await.unwrap());
    let row = env.app.store().message(env.org, m.id).await.unwrap();
    assert_eq!(
        (row.state, row.error_code.as_deref()),
        (MessageState::Undelivered, Some("30003"))
    );
    assert!(row.last_error.unwrap().contains("unreachable"));
    // A late "sent" does not move it back.
    assert!(
        !env.app
            .twilio_status_callback(&params(&[
                ("MessageSid", "SM0001"),
                ("MessageStatus", "sent")
            ]))
            .await
            .unwrap()
    );

    // STOP from the recipient: opted out for this org; START: back in.
    let inbound = params(&[
        ("From", "+14155550100"),
        ("To", "+15005550006"),
        ("Body", "Stop"),
    ]);
    let url = "https://cs.example.com/webhooks/twilio/inbound";
    let sig = signature(TOKEN.as_bytes(), url, &inbound).unwrap();
    env.app
        .verify_twilio_webhook("/webhooks/twilio/inbound", &inbound, Some(&sig))
        .unwrap();
    env.app.twilio_inbound(&inbound).await.unwrap();
    assert!(
        env.app
            .store()
            .sms_opted_out(env.org, "+14155550100")
            .await
            .unwrap()
    );

    // An SMS to an opted-out number fails without calling Twilio (the base URL is unroutable).
    let transports = Transports::from_settings(&env.app.settings).unwrap();
    let blocked = env
        .app
        .queue_message(
            &Actor::system(),
            request(&env, Channel::Sms, "+14155550100", "s2"),
        )
        .await
        .unwrap();
    run_due(&env, &transports).await;
    let row = env.app.store().message(env.org, blocked.id).await.unwrap();
    assert_eq!(
        (row.state, row.error_code.as_deref()),
        (MessageState::Failed, Some("21610"))
    );

    env.app
        .twilio_inbound(&params(&[("From", "+14155550100"), ("Body", "START")]))
        .await
        .unwrap();
    assert!(
        !env.app
            .store()
            .sms_opted_out(env.org, "+14155550100")
            .await
            .unwrap()
    );
    env.finish().await;
}

#[tokio::test]
async fn sqlite_twilio_webhooks() {
    twilio_webhooks(false).await;
}
#[tokio::test]
async fn postgres_twilio_webhooks() {
    twilio_webhooks(true).await;
}

/// A status callback that arrives before the worker recorded Twilio's SID (the worker is
/// slow, or died after Twilio accepted) still moves the message: the callback URL carries our
/// message id, covered by the signature.
async fn callback_before_the_sid_is_recorded(postgres: bool) {
    let env = env(postgres, live_twilio).await;
    let m = sending_sms(&env, "early").await;
    let path = format!("/webhooks/twilio/status?m={}", m.id);
    let url = format!("https://cs.example.com{path}");
    let p = params(&[("MessageSid", "SM0042"), ("MessageStatus", "sent")]);
    // Signed without our id: refused for the URL that has it.
    let without_id = signature(
        TOKEN.as_bytes(),
        "https://cs.example.com/webhooks/twilio/status",
        &p,
    )
    .unwrap();
    assert!(
        env.app
            .verify_twilio_webhook(&path, &p, Some(&without_id))
            .is_err()
    );
    let good = signature(TOKEN.as_bytes(), &url, &p).unwrap();
    env.app
        .verify_twilio_webhook(&path, &p, Some(&good))
        .unwrap();
    assert!(env.app.twilio_status_callback_at(&path, &p).await.unwrap());
    let row = env.app.store().message(env.org, m.id).await.unwrap();
    assert_eq!(
        (row.state, row.provider_id.as_deref()),
        (MessageState::Sent, Some("SM0042"))
    );
    // The worker's late answer changes nothing; the job would not send again.
    let mut accepted = Transition::to(MessageState::Accepted, env.app.now(), "twilio");
    accepted.provider_id = Some("SM0042".into());
    assert!(
        !env.app
            .store()
            .transition_message(env.org, m.id, &accepted)
            .await
            .unwrap()
    );
    assert!(
        env.app
            .store()
            .begin_attempt(env.org, m.id, env.app.now())
            .await
            .unwrap()
            .is_none()
    );
    // Later reports without the id (old URLs) still find it by the SID.
    let delivered = params(&[("MessageSid", "SM0042"), ("MessageStatus", "delivered")]);
    assert!(env.app.twilio_status_callback(&delivered).await.unwrap());
    let row = env.app.store().message(env.org, m.id).await.unwrap();
    assert_eq!(row.state, MessageState::Delivered);
    env.finish().await;
}

#[tokio::test]
async fn sqlite_callback_before_the_sid_is_recorded() {
    callback_before_the_sid_is_recorded(false).await;
}
#[tokio::test]
async fn postgres_callback_before_the_sid_is_recorded() {
    callback_before_the_sid_is_recorded(true).await;
}

/// Issue 19.3: the runner dispatches through the job registry. A kind it does not know (a row
/// queued by a newer version, a typo) and a payload its kind cannot read are buried with the
/// reason, not retried and not guessed at; a registered kind runs.
async fn unknown_or_unreadable_jobs_are_buried(postgres: bool) {
    use countersign_app::jobs::{Job as _, SendMessage};
    let env = env(postgres, |_| {}).await;
    let transports = Transports::from_settings(&env.app.settings).unwrap();
    let now = env.app.now();
    let unknown = countersign_store::NewJob {
        id: countersign_domain::JobId::new(),
        org_id: env.org,
        kind: "no_such_kind".into(),
        payload: "{}".into(),
        max_attempts: 5,
        run_at: now,
        dedup_key: None,
        created_at: now,
    };
    let unreadable = countersign_store::NewJob {
        id: countersign_domain::JobId::new(),
        kind: SendMessage::KIND.into(),
        payload: "{\"message\":1}".into(),
        ..unknown.clone()
    };
    assert!(env.app.store().enqueue_job(&unknown).await.unwrap());
    assert!(env.app.store().enqueue_job(&unreadable).await.unwrap());
    assert_eq!(run_due(&env, &transports).await, 2);
    let dead = env.app.store().job(env.org, unknown.id).await.unwrap();
    assert_eq!(dead.state, JobState::Dead);
    assert_eq!(
        dead.last_error.as_deref(),
        Some("unknown job kind \"no_such_kind\"")
    );
    let dead = env.app.store().job(env.org, unreadable.id).await.unwrap();
    assert_eq!(dead.state, JobState::Dead);
    assert!(
        dead.last_error
            .as_deref()
            .is_some_and(|e| e.starts_with("unreadable payload: ")),
        "{dead:?}"
    );
    assert_eq!(env.app.store().job_counts(env.org).await.unwrap().dead, 2);
    assert_eq!(run_due(&env, &transports).await, 0, "dead jobs do not run");
    env.finish().await;
}

#[tokio::test]
async fn sqlite_unknown_or_unreadable_jobs_are_buried() {
    unknown_or_unreadable_jobs_are_buried(false).await;
}
#[tokio::test]
async fn postgres_unknown_or_unreadable_jobs_are_buried() {
    unknown_or_unreadable_jobs_are_buried(true).await;
}

/// Issue 19.3: the schedule only queues. The server-wide sweeps go under the reserved server
/// org, once per slot however many processes tick; the workers run them.
async fn the_schedule_only_queues_once_per_slot(postgres: bool) {
    use countersign_app::jobs::SERVER_ORG;
    use countersign_app::schedule::Schedule;
    let env = env(postgres, |_| {}).await;
    let transports = Transports::from_settings(&env.app.settings).unwrap();
    let kinds = |jobs: Vec<countersign_store::Job>| {
        let mut k: Vec<String> = jobs.into_iter().map(|j| j.job.kind).collect();
        k.sort();
        k
    };
    // Start at a ten-minute boundary, so the minute below stays in the session purge's slot.
    let into_slot = u64::try_from(env.app.now().0.rem_euclid(600_000)).unwrap();
    env.clock
        .advance(Duration::from_millis(600_000 - into_slot));
    let mut schedule = Schedule::default();
    schedule.tick(&env.app).await;
    schedule.tick(&env.app).await;
    // Another process in the same slot.
    Schedule::default().tick(&env.app).await;
    let queued = env.app.store().jobs(SERVER_ORG, None, 50).await.unwrap();
    assert_eq!(
        kinds(queued),
        [
            "expire_secrets",
            "expire_verifications",
            "purge_sessions",
            "purge_unlinked_contacts",
            "roll_up_message_days"
        ]
    );
    assert_eq!(run_due(&env, &transports).await, 5);
    let counts = env.app.store().job_counts(SERVER_ORG).await.unwrap();
    assert_eq!((counts.queued, counts.running, counts.dead), (0, 0, 0));
    // The next minute: the expiry sweeps again, the session purge and the message roll-up
    // not (every ten minutes), nor the purge of unlinked tenants' contacts (every hour).
    env.clock.advance(Duration::from_secs(60));
    schedule.tick(&env.app).await;
    let queued = env.app.store().jobs(SERVER_ORG, None, 50).await.unwrap();
    assert_eq!(kinds(queued), ["expire_secrets", "expire_verifications"]);
    assert_eq!(run_due(&env, &transports).await, 2);
    env.finish().await;
}

#[tokio::test]
async fn sqlite_the_schedule_only_queues_once_per_slot() {
    the_schedule_only_queues_once_per_slot(false).await;
}
#[tokio::test]
async fn postgres_the_schedule_only_queues_once_per_slot() {
    the_schedule_only_queues_once_per_slot(true).await;
}

/// A manual customer with one contact whose mobile is `mobile`, made as an operator would;
/// the contact's id.
async fn contact_with_mobile(env: &Env, mobile: &str) -> countersign_domain::ContactId {
    let by = countersign_app::Principal::cli(env.org);
    let customer = env
        .app
        .create_customer(&by, "Zeta Widgets", Some(countersign_domain::Country::US))
        .await
        .unwrap();
    let input = countersign_app::contacts::ContactInput {
        given_name: "Amy".into(),
        surname: "Pond".into(),
        display_name: "Amy Pond".into(),
        mobile: mobile.into(),
        ..Default::default()
    };
    let c = env
        .app
        .create_contact(&by, customer.id, &input)
        .await
        .unwrap();
    assert_eq!(c.mobile_e164.as_deref(), Some(mobile));
    c.id
}

/// Signs an inbound message as Twilio would and hands it to the app.
async fn inbound(env: &Env, pairs: &[(&str, &str)]) -> InboundOutcome {
    let p = params(pairs);
    let path = "/webhooks/twilio/inbound";
    let sig = signature(
        TOKEN.as_bytes(),
        &format!("https://cs.example.com{path}"),
        &p,
    )
    .unwrap();
    env.app.verify_twilio_webhook(path, &p, Some(&sig)).unwrap();
    env.app.twilio_inbound(&p).await.unwrap()
}

/// The sources of the contact's own broadcast opt-outs by SMS.
async fn sms_opt_outs(env: &Env, contact: countersign_domain::ContactId) -> Vec<OptOutSource> {
    env.app
        .store()
        .opt_outs_of_contact(env.org, contact)
        .await
        .unwrap()
        .into_iter()
        .filter(|o| o.contact_id == contact && o.channel == Channel::Sms)
        .map(|o| o.source)
        .collect()
}

/// Two sender lanes (issue 20): a broadcast is queued on the broadcast lane; a STOP or START
/// received on the broadcast sender (here a Messaging Service, named by `MessagingServiceSid`)
/// changes the broadcast opt-out only, never SMS consent (verification codes keep going out);
/// a STOP to the verification sender keeps today's behaviour.
async fn keywords_apply_to_the_lane_they_came_in_on(postgres: bool) {
    const MOBILE: &str = "+14155550100";
    let env = env(postgres, |s| {
        live_twilio(s);
        s.twilio.broadcast_messaging_service_sid = "MGbroadcast".into();
    })
    .await;
    let amy = contact_with_mobile(&env, MOBILE).await;
    let mut req = request(&env, Channel::Sms, MOBILE, "broadcast:1");
    req.lane = Lane::Broadcast;
    let sent = env.app.queue_message(&Actor::system(), req).await.unwrap();
    assert_eq!(
        (sent.lane, sent.transport),
        (Lane::Broadcast, TransportKind::Twilio)
    );
    let code = env
        .app
        .queue_message(
            &Actor::system(),
            request(&env, Channel::Sms, MOBILE, "code:1"),
        )
        .await
        .unwrap();
    assert_eq!(code.lane, Lane::Verification);

    // STOP to a number of the broadcast Messaging Service.
    let stop = [
        ("From", MOBILE),
        ("To", "+15005550077"),
        ("MessagingServiceSid", "MGbroadcast"),
        ("Body", "stop"),
    ];
    assert_eq!(
        inbound(&env, &stop).await,
        InboundOutcome::OptedOut {
            lane: Lane::Broadcast,
            orgs: 1
        }
    );
    assert_eq!(
        sms_opt_outs(&env, amy).await,
        vec![OptOutSource::StopKeyword]
    );
    assert!(
        !env.app
            .store()
            .sms_opted_out(env.org, MOBILE)
            .await
            .unwrap(),
        "a STOP to a broadcast must not block verification codes"
    );
    let attempts = env
        .app
        .store()
        .begin_attempts(&[(env.org, code.id)], env.app.now())
        .await
        .unwrap();
    assert!(
        !attempts[0].sms_opted_out && !attempts[0].broadcast_opted_out,
        "the code's attempt is not blocked"
    );
    // The next broadcast to the number fails in the product, without calling Twilio (the
    // base URL is Twilio's own: a call would end in a retry, not a failure).
    let mut req = request(&env, Channel::Sms, MOBILE, "broadcast:2");
    req.lane = Lane::Broadcast;
    let blocked = env.app.queue_message(&Actor::system(), req).await.unwrap();
    let transports = Transports::from_settings(&env.app.settings).unwrap();
    env.app
        .deliver_message(&transports, env.org, blocked.id, 1, 5)
        .await
        .unwrap();
    let row = env.app.store().message(env.org, blocked.id).await.unwrap();
    assert_eq!(
        (row.state, row.error_code.as_deref()),
        (MessageState::Failed, Some("21610"))
    );
    assert!(
        row.last_error.unwrap().contains("opted out of broadcasts"),
        "the reason says which opt-out"
    );

    let start = [
        ("From", MOBILE),
        ("To", "+15005550077"),
        ("MessagingServiceSid", "MGbroadcast"),
        ("Body", "START"),
    ];
    assert_eq!(
        inbound(&env, &start).await,
        InboundOutcome::OptedIn {
            lane: Lane::Broadcast,
            orgs: 1
        }
    );
    assert!(sms_opt_outs(&env, amy).await.is_empty());

    // STOP to the verification sender: SMS consent, as before lanes; no broadcast opt-out.
    let stop = [("From", MOBILE), ("To", "+15005550006"), ("Body", "STOP")];
    assert_eq!(
        inbound(&env, &stop).await,
        InboundOutcome::OptedOut {
            lane: Lane::Verification,
            orgs: 1
        }
    );
    assert!(
        env.app
            .store()
            .sms_opted_out(env.org, MOBILE)
            .await
            .unwrap()
    );
    assert!(sms_opt_outs(&env, amy).await.is_empty());
    env.finish().await;
}

#[tokio::test]
async fn sqlite_keywords_apply_to_the_lane_they_came_in_on() {
    keywords_apply_to_the_lane_they_came_in_on(false).await;
}
#[tokio::test]
async fn postgres_keywords_apply_to_the_lane_they_came_in_on() {
    keywords_apply_to_the_lane_they_came_in_on(true).await;
}

/// Without a broadcast sender a broadcast SMS is refused when queued, saying which key to
/// set; it never goes out from the verification sender.
async fn a_broadcast_sms_needs_a_broadcast_sender(postgres: bool) {
    let env = env(postgres, live_twilio).await;
    let mut req = request(&env, Channel::Sms, "+14155550100", "broadcast:1");
    req.lane = Lane::Broadcast;
    let e = env
        .app
        .queue_message(&Actor::system(), req)
        .await
        .unwrap_err();
    assert!(matches!(e, MessageError::LaneNotConfigured(_)), "{e:?}");
    assert!(
        e.to_string().contains("twilio.broadcast_from_number"),
        "{e}"
    );
    assert!(
        env.app
            .store()
            .message_by_key(env.org, "broadcast:1")
            .await
            .unwrap()
            .is_none()
    );
    env.finish().await;
}

#[tokio::test]
async fn sqlite_a_broadcast_sms_needs_a_broadcast_sender() {
    a_broadcast_sms_needs_a_broadcast_sender(false).await;
}
#[tokio::test]
async fn postgres_a_broadcast_sms_needs_a_broadcast_sender() {
    a_broadcast_sms_needs_a_broadcast_sender(true).await;
}

/// The mail the relay received for `to` (waits up to 10 s).
async fn mail_to(server: &MailServer, to: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let found = server
            .received()
            .into_iter()
            .find(|m| m.lines().any(|l| l == format!("To: {to}")));
        if let Some(mail) = found {
            return mail;
        }
        assert!(Instant::now() < deadline, "no mail to {to} arrived");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The value of a header of a received mail.
fn header<'a>(mail: &'a str, name: &str) -> Option<&'a str> {
    mail.lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(": "))
}

/// Each lane's email goes out with its own From and Reply-To (issue 20).
async fn each_lane_has_its_email_sender(postgres: bool) {
    let server = MailServer::start();
    let env = env(postgres, |s| {
        live_smtp(server.port())(s);
        s.smtp.broadcast_from_address = "news@msp.test".into();
        s.smtp.broadcast_reply_to = "helpdesk@msp.test".into();
    })
    .await;
    let transports = Transports::from_settings(&env.app.settings).unwrap();
    env.app
        .queue_message(
            &Actor::system(),
            request(&env, Channel::Email, "amy@customer.test", "code"),
        )
        .await
        .unwrap();
    let mut req = request(&env, Channel::Email, "bob@customer.test", "broadcast");
    req.lane = Lane::Broadcast;
    let b = env.app.queue_message(&Actor::system(), req).await.unwrap();
    assert_eq!(
        (b.lane, b.transport),
        (Lane::Broadcast, TransportKind::Smtp)
    );
    assert_eq!(run_due(&env, &transports).await, 2);
    let code = mail_to(&server, "amy@customer.test").await;
    let from = header(&code, "From").unwrap();
    assert!(from.contains("<noreply@msp.test>"), "{from}");
    assert_eq!(
        header(&code, "Reply-To"),
        None,
        "no branding Reply-To was set"
    );
    let broadcast = mail_to(&server, "bob@customer.test").await;
    let from = header(&broadcast, "From").unwrap();
    assert!(from.contains("<news@msp.test>"), "{from}");
    assert_eq!(header(&broadcast, "Reply-To"), Some("helpdesk@msp.test"));
    env.finish().await;
}

#[tokio::test]
async fn sqlite_each_lane_has_its_email_sender() {
    each_lane_has_its_email_sender(false).await;
}
#[tokio::test]
async fn postgres_each_lane_has_its_email_sender() {
    each_lane_has_its_email_sender(true).await;
}

/// A broadcast email goes out by SMTP even when the org sends its other mail from its
/// Microsoft 365 mailbox (Graph's sendMail cannot set List-Unsubscribe), and reaches the relay
/// with the one-click unsubscribe headers of RFC 2369 and RFC 8058, exactly; the link is
/// stored on the message, so a retry sends the same one.
async fn a_broadcast_email_carries_one_click_unsubscribe(postgres: bool) {
    let server = MailServer::start();
    let env = env(postgres, live_smtp(server.port())).await;
    env.app
        .store()
        .save_graph_mail(&GraphMail {
            org_id: env.org,
            integration_id: IntegrationId::new(),
            mailbox: "helpdesk@msp.test".into(),
            updated_at: env.app.now(),
        })
        .await
        .unwrap();
    let transports = Transports::from_settings(&env.app.settings).unwrap();
    let code = env
        .app
        .prepare_message(request(&env, Channel::Email, "amy@customer.test", "code"))
        .await
        .unwrap();
    assert_eq!(code.message.transport, TransportKind::Graph);
    assert_eq!(code.message.list_unsubscribe, None);

    let mut req = request(&env, Channel::Email, "Bob@Customer.test", "broadcast");
    req.lane = Lane::Broadcast;
    let mut prepared = env.app.prepare_message(req).await.unwrap();
    assert_eq!(prepared.message.transport, TransportKind::Smtp);
    let link = env.app.unsubscribe_url(
        env.org,
        BroadcastId::new(),
        ContactId::new(),
        "Bob@Customer.test",
    );
    assert!(link.starts_with(&format!("{}/unsubscribe/", env.app.settings.public_base())));
    prepared.message.list_unsubscribe = Some(link.clone());
    let (stored, _) = env
        .app
        .store()
        .queue_message(&prepared.message, Some(&prepared.job))
        .await
        .unwrap();
    assert_eq!(stored.list_unsubscribe.as_deref(), Some(link.as_str()));
    assert_eq!(run_due(&env, &transports).await, 1);
    let sent = env.app.store().message(env.org, stored.id).await.unwrap();
    assert_eq!(sent.state, MessageState::Sent);
    assert_eq!(sent.list_unsubscribe.as_deref(), Some(link.as_str()));
    let mail = mail_to(&server, "bob@customer.test").await;
    assert_eq!(
        header(&mail, "List-Unsubscribe"),
        Some(format!("<{link}>").as_str())
    );
    assert_eq!(
        header(&mail, "List-Unsubscribe-Post"),
        Some("List-Unsubscribe=One-Click")
    );
    env.finish().await;
}

#[tokio::test]
async fn sqlite_a_broadcast_email_carries_one_click_unsubscribe() {
    a_broadcast_email_carries_one_click_unsubscribe(false).await;
}
#[tokio::test]
async fn postgres_a_broadcast_email_carries_one_click_unsubscribe() {
    a_broadcast_email_carries_one_click_unsubscribe(true).await;
}

/// Without an SMTP relay an email broadcast is refused when queued, naming what to set, and
/// nothing is stored: it would otherwise go out without its unsubscribe headers.
#[tokio::test]
async fn an_email_broadcast_needs_an_smtp_relay() {
    let env = env(false, |s| s.messaging.transport = MessagingTransport::Live).await;
    let mut req = request(&env, Channel::Email, "bob@customer.test", "broadcast");
    req.lane = Lane::Broadcast;
    let err = env
        .app
        .queue_message(&Actor::system(), req)
        .await
        .unwrap_err();
    assert!(
        matches!(err, MessageError::LaneNotConfigured(m) if m.contains("[smtp]")),
        "{err}"
    );
    let filter = countersign_store::MessageFilter {
        limit: 10,
        ..Default::default()
    };
    assert!(
        env.app
            .store()
            .messages(env.org, &filter)
            .await
            .unwrap()
            .is_empty()
    );
    env.finish().await;
}
