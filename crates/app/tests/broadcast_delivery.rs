//! Delivering a broadcast (issue 20) through the real job queue on SQLite and PostgreSQL: one
//! message per recipient and channel, sent once however often the delivery job runs; the
//! confirmed count; the schedule and quiet hours in each customer's time zone; cancel while
//! sending; "retry failed only"; replies and STOPs on the broadcast sender; the report and
//! its CSV; the test send; and another org seeing none of it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use countersign_app::broadcasts::{BroadcastError, BroadcastInput, BroadcastRules, DeliveryStep};
use countersign_app::contacts::ContactInput;
use countersign_app::jobs::run_job;
use countersign_app::messages::Transports;
use countersign_app::settings::{MessagingTransport, SmtpSecuritySetting};
use countersign_app::{App, ErrorKind, ManualClock, Principal, Settings, UseCaseError};
use countersign_domain::{
    BroadcastChannels, BroadcastId, BroadcastStatus, Channel, CustomerId, Email, QuietHours, Zone,
};
use countersign_mailbox::MailServer;
use countersign_store::{
    Audience, AuditFilter, AuditStore, BroadcastStore, JobStore, MessageFilter, MessageState,
    MessageStore, Technician, Transition, TransportKind,
};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

struct Env {
    app: App,
    clock: ManualClock,
    admin: Technician,
    transports: Transports,
    database: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

impl Env {
    fn by(&self) -> Principal {
        principal(&self.admin)
    }

    async fn finish(self) {
        self.app.store().close().await;
        if let Some((admin, name)) = &self.database {
            support::drop_postgres_database(admin, name).await;
        }
    }

    /// Claims and runs every due job once; how many ran.
    async fn run_due(&self) -> usize {
        support::run_due(&self.app, &self.transports, 500).await
    }

    /// Runs the queue, moving the clock past each wait, until the broadcast is final.
    async fn until_final(&self, id: BroadcastId) -> BroadcastStatus {
        for _ in 0..40 {
            self.run_due().await;
            let b = self.app.broadcast(&self.by(), id).await.unwrap();
            if b.status.is_final() {
                return b.status;
            }
            self.clock.advance(Duration::from_secs(3));
        }
        panic!("the broadcast did not finish");
    }

    /// A customer with `n` contacts (email always, mobile unless `email_only`).
    async fn customer(&self, name: &str, n: usize, email_only: bool) -> CustomerId {
        let by = self.by();
        let c = self.app.create_customer(&by, name, None).await.unwrap().id;
        for i in 0..n {
            let input = ContactInput {
                given_name: format!("{name}{i}"),
                surname: "Lee".into(),
                email: format!("p{i}@{name}.example").to_lowercase(),
                mobile: if email_only {
                    String::new()
                } else {
                    format!("+1425{:03}{i:04}", name.len())
                },
                ..ContactInput::default()
            };
            self.app.create_contact(&by, c, &input).await.unwrap();
        }
        c
    }

    /// A draft to `audience`, submitted and approved with its previewed count.
    async fn approved(&self, input: &BroadcastInput) -> BroadcastId {
        let by = self.by();
        let preview = self
            .app
            .preview_broadcast_audience(&by, &input.audience, input.channels)
            .await
            .unwrap();
        let b = self.app.create_broadcast_draft(&by, input).await.unwrap();
        self.app
            .request_broadcast_approval(&by, b.id)
            .await
            .unwrap();
        self.app
            .approve_broadcast(&by, b.id, preview.recipients)
            .await
            .unwrap();
        b.id
    }

    async fn actions(&self, prefix: &str) -> Vec<String> {
        let filter = AuditFilter {
            action_prefix: Some(prefix.into()),
            limit: 50,
            ..AuditFilter::default()
        };
        let entries = self
            .app
            .store()
            .audit_entries(self.admin.org_id, &filter)
            .await
            .unwrap();
        entries.into_iter().map(|e| e.entry.action).collect()
    }

    async fn outbox(&self) -> Vec<countersign_store::Message> {
        let filter = MessageFilter {
            transport: Some(TransportKind::Outbox),
            limit: 500,
            ..MessageFilter::default()
        };
        self.app
            .store()
            .messages(self.admin.org_id, &filter)
            .await
            .unwrap()
    }
}

fn principal(t: &Technician) -> Principal {
    Principal::technician(t, IpAddr::from([192, 0, 2, 1]))
}

async fn env(postgres: bool, tweak: impl FnOnce(&mut Settings)) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let (settings, database) = support::settings_on(postgres, "cs_bcast", &dir, tweak).await;
    let clock = ManualClock::starting_now();
    let app = App::start(settings.clone(), Arc::new(clock.clone()))
        .await
        .unwrap();
    let admin = support::first_admin(&app).await;
    let transports = Transports::from_settings(&settings).unwrap();
    Env {
        app,
        clock,
        admin,
        transports,
        database,
        _dir: dir,
    }
}

fn outage(audience: Audience) -> BroadcastInput {
    BroadcastInput {
        name: "Exchange outage".into(),
        channels: BroadcastChannels::BOTH,
        sms_text: "{msp_name}: Exchange is down for {customer}, {first_name}.".into(),
        email_subject: "Exchange outage at {customer}".into(),
        email_body: "Dear {first_name},\n\nExchange is **down**.\n".into(),
        audience,
        scheduled_at: None,
        respect_quiet_hours: false,
    }
}

macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $name() { super::$name(false).await; })*
        }
        mod postgres {
            $(#[tokio::test] async fn $name() { super::$name(true).await; })*
        }
    };
}

both_backends!(
    every_recipient_gets_each_channel_once,
    the_schedule_and_quiet_hours_hold_messages_back,
    cancel_stops_what_has_not_gone_out,
    retry_failed_only_sends_the_failed_ones_again_once,
    replies_and_stops_on_the_broadcast_sender_are_counted,
    another_org_sees_and_changes_nothing,
    a_live_sender_gets_texts_rendered_when_handed_over,
);

async fn every_recipient_gets_each_channel_once(postgres: bool) {
    let env = env(postgres, |_| {}).await;
    let by = env.by();
    env.customer("Alpha", 3, false).await;
    env.customer("Beta", 1, true).await;
    let b = env
        .app
        .create_broadcast_draft(&by, &outage(Audience::AllCustomers))
        .await
        .unwrap();
    env.app.request_broadcast_approval(&by, b.id).await.unwrap();
    // The approver confirms the count shown; another count approves nothing.
    let err = env.app.approve_broadcast(&by, b.id, 5).await.unwrap_err();
    assert!(
        matches!(
            err,
            BroadcastError::CountChanged {
                confirmed: 5,
                recipients: 4
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(
        env.app.broadcast(&by, b.id).await.unwrap().status,
        BroadcastStatus::AwaitingApproval
    );
    let counts = env.app.approve_broadcast(&by, b.id, 4).await.unwrap();
    assert_eq!((counts.recipients, counts.sms, counts.email), (4, 3, 4));
    let before = env.app.broadcast_progress(&by, b.id).await.unwrap();
    assert_eq!(
        (before.status, before.counts.pending, before.counts.total()),
        (BroadcastStatus::Approved, 7, 7)
    );

    assert_eq!(env.until_final(b.id).await, BroadcastStatus::Completed);
    let done = env.app.broadcast_progress(&by, b.id).await.unwrap();
    assert_eq!((done.counts.sent, done.counts.total()), (7, 7), "{done:?}");
    assert!(done.started_at.is_some() && done.completed_at.is_some());
    let people = env.app.broadcast_people(&by, b.id).await.unwrap();
    assert_eq!(people.author, env.admin.name);
    assert_eq!(people.approver.as_deref(), Some(env.admin.name.as_str()));
    // Running the delivery again (a restarted worker) queues nothing more.
    assert_eq!(
        env.app
            .deliver_broadcast_step(env.admin.org_id, b.id)
            .await
            .unwrap(),
        DeliveryStep::Done
    );
    let sent = env.outbox().await;
    assert_eq!(sent.len(), 7);
    let mut keys: Vec<_> = sent.iter().map(|m| m.idempotency_key.clone()).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 7, "one message per recipient and channel");
    assert!(
        sent.iter()
            .all(|m| m.lane == countersign_domain::Lane::Broadcast)
    );
    let sms = sent
        .iter()
        .find(|m| m.channel == Channel::Sms && m.recipient.ends_with("0000"))
        .unwrap();
    assert_eq!(
        sms.body_text.as_deref(),
        Some("Acme IT: Exchange is down for Alpha, Alpha0.")
    );
    let email = sent
        .iter()
        .find(|m| m.recipient == "p0@beta.example")
        .unwrap();
    assert_eq!(email.subject, "Exchange outage at Beta");
    assert!(
        email
            .body_text
            .as_deref()
            .unwrap()
            .starts_with("Dear Beta0,")
    );
    assert!(
        email
            .body_html
            .as_deref()
            .unwrap()
            .contains("Exchange is <strong>down</strong>.")
    );
    // The report: every row sent, addresses masked; the CSV has them in full.
    let report = env
        .app
        .broadcast_report(&by, b.id, None, 100)
        .await
        .unwrap();
    assert_eq!(report.len(), 7);
    assert!(
        report
            .iter()
            .all(|r| r.status == "sent" && r.address.contains('•'))
    );
    let page = env.app.broadcast_report(&by, b.id, None, 3).await.unwrap();
    let rest = env
        .app
        .broadcast_report(&by, b.id, Some(page[2].cursor()), 100)
        .await
        .unwrap();
    assert_eq!(page.len() + rest.len(), 7);
    let csv = env.app.broadcast_report_csv(&by, b.id).await.unwrap();
    assert_eq!(csv.lines().count(), 8, "{csv}");
    assert!(csv.starts_with("channel,address,first_name,customer,status"));
    assert!(
        csv.contains("email,p0@beta.example,Beta0,Beta,sent,"),
        "{csv}"
    );
    for action in [
        "broadcast.sent",
        "broadcast.completed",
        "broadcast.report_exported",
    ] {
        assert_eq!(env.actions(action).await.len(), 1, "{action}");
    }
    env.finish().await;
}

/// A message for a live sender is queued without its texts (no rendered copy is written per
/// message) and rendered from the broadcast and its frozen recipient row when a worker hands
/// it over: the mail the relay gets has this recipient's merge values and unsubscribe link.
async fn a_live_sender_gets_texts_rendered_when_handed_over(postgres: bool) {
    let server = MailServer::start();
    let port = server.port();
    let env = env(postgres, move |s| {
        s.messaging.transport = MessagingTransport::Live;
        s.smtp.host = "127.0.0.1".into();
        s.smtp.port = port;
        s.smtp.security = SmtpSecuritySetting::Plain;
        s.smtp.from_address = "noreply@msp.test".into();
        s.smtp.broadcast_from_address = "news@msp.test".into();
    })
    .await;
    env.customer("Beta", 2, true).await;
    let input = BroadcastInput {
        channels: BroadcastChannels::EMAIL,
        ..outage(Audience::AllCustomers)
    };
    let id = env.approved(&input).await;
    let org = env.admin.org_id;
    assert_eq!(
        env.app.deliver_broadcast_step(org, id).await.unwrap(),
        DeliveryStep::Again(Duration::from_secs(2))
    );
    let filter = MessageFilter {
        transport: Some(TransportKind::Smtp),
        limit: 50,
        ..MessageFilter::default()
    };
    let queued = env.app.store().messages(org, &filter).await.unwrap();
    assert_eq!(queued.len(), 2);
    for m in &queued {
        assert_eq!(m.state, MessageState::Queued);
        assert_eq!(m.subject, "Exchange outage at Beta", "the subject is kept");
        assert_eq!(
            (m.body_text.as_deref(), m.body_html.as_deref()),
            (Some(""), None),
            "no rendered copy is stored"
        );
    }
    assert_eq!(env.until_final(id).await, BroadcastStatus::Completed);
    let mails = server.wait_for(2, Duration::from_secs(10));
    for i in 0..2 {
        let to = format!("p{i}@beta.example");
        let mail = mails
            .iter()
            .find(|m| m.contains(&format!("X-RcptTo: {to}")))
            .unwrap_or_else(|| panic!("no mail to {to}"));
        assert!(mail.contains(&format!("Dear Beta{i},")), "{mail}");
        assert!(mail.contains("/unsubscribe/"), "{mail}");
    }
    let sent = env.app.store().messages(org, &filter).await.unwrap();
    assert!(
        sent.iter().all(|m| m.state == MessageState::Sent),
        "{sent:?}"
    );
    env.finish().await;
}

async fn the_schedule_and_quiet_hours_hold_messages_back(postgres: bool) {
    let env = env(postgres, |_| {}).await;
    let by = env.by();
    // Quiet from an hour ago to three hours from now, in UTC (the org's zone); a customer
    // twelve hours behind is in its afternoon.
    let minute = Zone::utc().minute_of_day(env.app.now());
    let quiet = QuietHours::new((minute + 1440 - 60) % 1440, (minute + 180) % 1440).unwrap();
    let rules = BroadcastRules {
        quiet_hours: Some(quiet),
        ..BroadcastRules::default()
    };
    env.app.save_broadcast_rules(&by, rules).await.unwrap();
    env.customer("Alpha", 2, false).await;
    let far = env.customer("Faraway", 1, false).await;
    let err = env
        .app
        .set_customer_time_zone(&by, far, "Mars/Olympus")
        .await
        .unwrap_err();
    assert_eq!(err.fields()[0].field, Some("time_zone"));
    env.app
        .set_customer_time_zone(&by, far, "Etc/GMT+12")
        .await
        .unwrap();
    let mut input = outage(Audience::AllCustomers);
    input.respect_quiet_hours = true;
    input.scheduled_at = Some(env.app.now().plus(Duration::from_secs(3600)));
    let id = env.approved(&input).await;
    // Before the schedule: nothing is due.
    env.run_due().await;
    let p = env.app.broadcast_progress(&by, id).await.unwrap();
    assert_eq!((p.status, p.counts.pending), (BroadcastStatus::Approved, 6));
    // At the schedule: the far customer's messages go, Alpha's wait for its quiet hours.
    env.clock.advance(Duration::from_secs(3601));
    env.run_due().await;
    env.run_due().await;
    let p = env.app.broadcast_progress(&by, id).await.unwrap();
    assert_eq!(p.status, BroadcastStatus::Sending);
    assert_eq!((p.counts.pending, p.counts.sent), (4, 2), "{p:?}");
    // After the quiet hours, the rest.
    env.clock.advance(Duration::from_secs(2 * 3600 + 60));
    assert_eq!(env.until_final(id).await, BroadcastStatus::Completed);
    let p = env.app.broadcast_progress(&by, id).await.unwrap();
    assert_eq!(p.counts.sent, 6);
    env.finish().await;
}

async fn cancel_stops_what_has_not_gone_out(postgres: bool) {
    let env = env(postgres, |_| {}).await;
    let by = env.by();
    env.customer("Alpha", 3, false).await;
    let id = env.approved(&outage(Audience::AllCustomers)).await;
    // The delivery queues all six; one is sent before the cancel arrives.
    assert_eq!(
        env.app
            .deliver_broadcast_step(env.admin.org_id, id)
            .await
            .unwrap(),
        DeliveryStep::Again(Duration::from_secs(2))
    );
    let now = env.app.now();
    let jobs = env
        .app
        .store()
        .claim_jobs("test-worker", now, now.plus(Duration::from_secs(60)), 500)
        .await
        .unwrap();
    let (sends, others): (Vec<_>, Vec<_>) =
        jobs.into_iter().partition(|j| j.job.kind == "send_message");
    assert_eq!(sends.len(), 6);
    run_job(&env.app, &env.transports, &sends[0]).await.unwrap();
    let cancelled = env.app.cancel_broadcast(&by, id).await.unwrap();
    assert_eq!(cancelled.status, BroadcastStatus::Cancelled);
    // The workers that had already claimed the other five send nothing.
    for job in sends[1..].iter().chain(&others) {
        run_job(&env.app, &env.transports, job).await.unwrap();
    }
    env.run_due().await;
    let p = env.app.broadcast_progress(&by, id).await.unwrap();
    assert_eq!((p.counts.sent, p.counts.cancelled), (1, 5), "{p:?}");
    let kept = env.outbox().await;
    assert_eq!(
        kept.iter()
            .filter(|m| m.state == MessageState::Outbox)
            .count(),
        1
    );
    let err = env.app.cancel_broadcast(&by, id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(env.actions("broadcast.cancelled").await.len(), 1);
    // Cancelled before anything was queued: every row is cancelled.
    let early = env.approved(&outage(Audience::AllCustomers)).await;
    env.app.cancel_broadcast(&by, early).await.unwrap();
    env.run_due().await;
    let p = env.app.broadcast_progress(&by, early).await.unwrap();
    assert_eq!((p.counts.cancelled, p.counts.total()), (6, 6));
    // A scheduled broadcast cancelled: its delivery job does not wait for the schedule.
    let mut later = outage(Audience::AllCustomers);
    later.scheduled_at = Some(env.app.now().plus(Duration::from_secs(86_400)));
    let scheduled = env.approved(&later).await;
    env.app.cancel_broadcast(&by, scheduled).await.unwrap();
    assert_eq!(
        env.run_due().await,
        1,
        "the cancelled broadcast's job ran now"
    );
    let jobs = env.app.store().job_counts(env.admin.org_id).await.unwrap();
    assert_eq!((jobs.queued, jobs.running, jobs.dead), (0, 0, 0));
    env.finish().await;
}

async fn retry_failed_only_sends_the_failed_ones_again_once(postgres: bool) {
    let env = env(postgres, |_| {}).await;
    let by = env.by();
    env.customer("Alpha", 2, false).await;
    let mut input = outage(Audience::AllCustomers);
    input.channels = BroadcastChannels::SMS;
    let id = env.approved(&input).await;
    env.app
        .deliver_broadcast_step(env.admin.org_id, id)
        .await
        .unwrap();
    // The carrier refuses one of the two before it is sent.
    let rows = env
        .app
        .store()
        .broadcast_recipients(env.admin.org_id, id, None, 10)
        .await
        .unwrap();
    let refused = env
        .app
        .store()
        .message_by_key(env.admin.org_id, &rows[0].idempotency_key)
        .await
        .unwrap()
        .unwrap();
    let mut failure = Transition::to(MessageState::Failed, env.app.now(), "failed");
    failure.error = Some("the number is not reachable".into());
    failure.error_code = Some("30003".into());
    assert!(
        env.app
            .store()
            .transition_message(env.admin.org_id, refused.id, &failure)
            .await
            .unwrap()
    );
    assert_eq!(env.until_final(id).await, BroadcastStatus::Completed);
    let p = env.app.broadcast_progress(&by, id).await.unwrap();
    assert_eq!((p.counts.sent, p.counts.failed), (1, 1));
    let report = env.app.broadcast_report(&by, id, None, 10).await.unwrap();
    let failed = report.iter().find(|r| r.status == "failed").unwrap();
    assert_eq!(failed.error.as_deref(), Some("the number is not reachable"));

    assert_eq!(env.app.retry_failed_broadcast(&by, id).await.unwrap(), 1);
    assert_eq!(env.until_final(id).await, BroadcastStatus::Completed);
    let p = env.app.broadcast_progress(&by, id).await.unwrap();
    assert_eq!((p.counts.sent, p.counts.failed), (2, 0), "{p:?}");
    // Nothing failed any more: a second retry sends nothing.
    assert_eq!(env.app.retry_failed_broadcast(&by, id).await.unwrap(), 0);
    env.run_due().await;
    assert_eq!(
        env.outbox().await.len(),
        3,
        "the failed message, its retry, the other"
    );
    env.finish().await;
}

async fn replies_and_stops_on_the_broadcast_sender_are_counted(postgres: bool) {
    let env = env(postgres, |s| {
        s.twilio.account_sid = format!("AC{}", "0".repeat(32));
        s.twilio.auth_token = "secret-token".into();
        s.twilio.from_number = "+14155550100".into();
        s.twilio.broadcast_from_number = "+14155550199".into();
    })
    .await;
    let by = env.by();
    env.customer("Alpha", 1, false).await;
    let mut input = outage(Audience::AllCustomers);
    input.channels = BroadcastChannels::SMS;
    let id = env.approved(&input).await;
    env.until_final(id).await;
    let number = env.outbox().await[0].recipient.clone();
    let inbound = |body: &str, sid: &str| {
        vec![
            ("From".to_owned(), number.clone()),
            ("To".to_owned(), "+14155550199".to_owned()),
            ("Body".to_owned(), body.to_owned()),
            ("MessageSid".to_owned(), sid.to_owned()),
        ]
    };
    env.app
        .twilio_inbound(&inbound("Thanks, seen it", "SM1"))
        .await
        .unwrap();
    // Twilio repeats a webhook it got no answer for: recorded once.
    env.app
        .twilio_inbound(&inbound("Thanks, seen it", "SM1"))
        .await
        .unwrap();
    env.app
        .twilio_inbound(&inbound("STOP", "SM2"))
        .await
        .unwrap();
    let p = env.app.broadcast_progress(&by, id).await.unwrap();
    assert_eq!((p.counts.replies, p.counts.stop_replies), (2, 1));
    let replies = env.app.broadcast_replies(&by, id, 10).await.unwrap();
    assert_eq!(replies.len(), 2);
    assert!(replies.iter().any(|r| r.is_stop && r.body == "STOP"));
    assert!(replies.iter().all(|r| r.from_masked.contains('•')));
    env.finish().await;
}

async fn another_org_sees_and_changes_nothing(postgres: bool) {
    let env = env(postgres, |_| {}).await;
    env.customer("Alpha", 1, false).await;
    let id = env.approved(&outage(Audience::AllCustomers)).await;
    let other = env
        .app
        .create_admin(
            "Other MSP",
            &Email::parse("admin@other.test").unwrap(),
            "plum orbit velvet 42",
        )
        .await
        .unwrap()
        .technician;
    let them = principal(&other);
    let app = &env.app;
    let not_found = |k: ErrorKind| assert_eq!(k, ErrorKind::NotFound);
    not_found(app.broadcast(&them, id).await.unwrap_err().kind());
    not_found(app.broadcast_progress(&them, id).await.unwrap_err().kind());
    not_found(
        app.broadcast_report(&them, id, None, 10)
            .await
            .unwrap_err()
            .kind(),
    );
    not_found(
        app.broadcast_report_csv(&them, id)
            .await
            .unwrap_err()
            .kind(),
    );
    not_found(
        app.broadcast_replies(&them, id, 10)
            .await
            .unwrap_err()
            .kind(),
    );
    not_found(app.cancel_broadcast(&them, id).await.unwrap_err().kind());
    not_found(
        app.retry_failed_broadcast(&them, id)
            .await
            .unwrap_err()
            .kind(),
    );
    not_found(
        app.send_test_broadcast(&them, id, None)
            .await
            .unwrap_err()
            .kind(),
    );
    assert!(app.broadcasts(&them).await.unwrap().is_empty());
    // Ours is untouched and still goes out.
    assert_eq!(env.until_final(id).await, BroadcastStatus::Completed);
    env.finish().await;
}

#[tokio::test]
async fn a_test_send_goes_to_the_technician_only_and_is_limited() {
    let env = env(false, |_| {}).await;
    let by = env.by();
    env.customer("Alpha", 2, false).await;
    let mut input = outage(Audience::AllCustomers);
    input.channels = BroadcastChannels::EMAIL;
    let b = env.app.create_broadcast_draft(&by, &input).await.unwrap();
    let sent = env.app.send_test_broadcast(&by, b.id, None).await.unwrap();
    assert_eq!(sent.sms_to, None);
    assert!(sent.email_to.unwrap().ends_with("@acme.test"));
    env.run_due().await;
    let out = env.outbox().await;
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].recipient, "admin@acme.test");
    assert_eq!(out[0].subject, "[Test] Exchange outage at Test customer");
    // SMS only and no number: the form says where to type it. A browser's CR LF is stored as
    // LF (one GSM-7 septet per line break).
    input.channels = BroadcastChannels::SMS;
    input.sms_text = "Exchange is down.\r\nWe are on it.\rThanks".into();
    let sms = env.app.create_broadcast_draft(&by, &input).await.unwrap();
    assert_eq!(sms.sms_text, "Exchange is down.\nWe are on it.\nThanks");
    let err = env
        .app
        .send_test_broadcast(&by, sms.id, None)
        .await
        .unwrap_err();
    assert_eq!(err.fields()[0].field, Some("sms_to"));
    let err = env
        .app
        .send_test_broadcast(&by, sms.id, Some("12"))
        .await
        .unwrap_err();
    assert_eq!(err.fields()[0].field, Some("sms_to"));
    for _ in 0..4 {
        env.app
            .send_test_broadcast(&by, sms.id, Some("+14155550123"))
            .await
            .unwrap();
    }
    let err = env
        .app
        .send_test_broadcast(&by, sms.id, Some("+14155550123"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited { retry_after: None });
    // A test send changes nothing about the broadcasts.
    assert_eq!(
        env.app.broadcast(&by, sms.id).await.unwrap().status,
        BroadcastStatus::Draft
    );
    env.finish().await;
}
