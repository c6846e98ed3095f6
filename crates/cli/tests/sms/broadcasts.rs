//! A broadcast (issue 20) to 300 contacts on both channels, delivered by real `countersign
//! worker` processes to the emulator's Twilio face (the broadcast sender) and to a real SMTP
//! server on loopback (aiosmtpd, writing a Maildir): a worker killed with SIGKILL
//! mid-broadcast, then started again (SQLite and PostgreSQL), and two workers at once
//! (PostgreSQL). Every recipient gets each channel once, counted at the handsets and the
//! mailboxes, and the broadcast's progress says so.
//!
//! SMTP has no idempotency: an email the relay took just before its worker died, before the
//! worker recorded it, goes out again from the next worker, with the same Message-ID (what a
//! receiving system deduplicates on). That window exists only for the emails that were
//! `sending` when the worker died, so only those may arrive twice, and only as the same
//! message; every other email, and every SMS, arrives exactly once.

use crate::common::{World, sigkill};
use countersign_app::Principal;
use countersign_app::broadcasts::{BroadcastInput, BroadcastProgress};
use countersign_app::contacts::ContactInput;
use countersign_app::settings::SmtpSecuritySetting;
use countersign_domain::{BroadcastChannels, BroadcastId, BroadcastStatus, Country, Email};
use countersign_mailbox::MailServer;
use countersign_store::{
    Audience, AuditFilter, AuditStore, Channel, JobCounts, JobStore, Message, MessageFilter,
    MessageState, MessageStore, OrgStore,
};
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::process::Child;
use std::time::{Duration, Instant};

/// Contacts, each with a mobile and an email: 2N deliveries.
const N: usize = 300;
const BROADCAST_SENDER: &str = "+15005550007";
const BROADCAST_FROM: &str = "broadcasts@msp.test";
/// How long the whole broadcast may take once the first worker started.
const LIMIT: Duration = Duration::from_secs(60);

/// The test's SMTP relay (aiosmtpd writing a Maildir; killed on drop).
struct Smtp(MailServer);

/// A worker process, killed with SIGKILL on drop (a failing test leaves none behind).
struct Worker(Child);

impl Worker {
    fn alive(&mut self) -> bool {
        self.0.try_wait().unwrap().is_none()
    }

    fn sigkill(&mut self) {
        sigkill(&mut self.0);
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        if self.0.try_wait().is_ok_and(|s| s.is_none()) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// One email as the SMTP server stored it.
struct Mail {
    /// The envelope recipient (aiosmtpd's `X-RcptTo`).
    to: String,
    message_id: String,
    from: String,
    /// `List-Unsubscribe` and `List-Unsubscribe-Post` (RFC 8058).
    list_unsubscribe: String,
    list_unsubscribe_post: String,
    /// Everything after the headers (the text and HTML parts).
    body: String,
}

impl Smtp {
    fn start() -> Smtp {
        Smtp(MailServer::start())
    }

    /// How many emails the server has stored (a complete file lands in `new/` by rename).
    fn count(&self) -> usize {
        self.0.count()
    }

    fn received(&self) -> Vec<Mail> {
        self.0.received().iter().map(|m| parse_mail(m)).collect()
    }

    /// The settings that send email through this server, on both lanes.
    fn configure(&self, s: &mut countersign_app::Settings) {
        s.smtp.host = "127.0.0.1".into();
        s.smtp.port = self.0.port();
        s.smtp.security = SmtpSecuritySetting::Plain;
        s.smtp.from_address = "noreply@msp.test".into();
        s.smtp.broadcast_from_address = BROADCAST_FROM.into();
    }
}

/// The headers of a stored email (names lower-cased, folded lines joined).
fn parse_mail(raw: &str) -> Mail {
    let (head, body) = raw.split_once("\n\n").unwrap_or((raw, ""));
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        let line = line.trim_end_matches('\r');
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no {name} header in:\n{head}"))
    };
    Mail {
        to: header("x-rcptto"),
        message_id: header("message-id"),
        from: header("from"),
        list_unsubscribe: header("list-unsubscribe"),
        list_unsubscribe_post: header("list-unsubscribe-post"),
        body: body.to_owned(),
    }
}

fn mobile(i: usize) -> String {
    format!("+1415555{i:04}")
}

fn address(i: usize) -> String {
    format!("c{i:03}@customer.test")
}

/// A world with the SMTP server, the broadcast SMS sender, and an approved broadcast to N
/// contacts on both channels.
struct Sending {
    world: World,
    smtp: Smtp,
    by: Principal,
    id: BroadcastId,
}

async fn approved_broadcast(postgres: bool) -> Sending {
    let smtp = Smtp::start();
    let world = World::start(postgres, |s| {
        s.workers.concurrency = 2;
        s.workers.batch_size = 10;
        s.twilio.broadcast_from_number = BROADCAST_SENDER.into();
        smtp.configure(s);
    })
    .await;
    let verification_sender = world.settings.twilio.from_number.clone();
    // As real Twilio: both senders are the account's, and a repeated Idempotency-Key sends
    // again (only the message state keeps a restarted worker from sending twice).
    world
        .emu
        .sms()
        .update_account(&serde_json::json!({
            "from_numbers": [verification_sender, BROADCAST_SENDER],
            "honour_idempotency_key": false,
        }))
        .unwrap();

    // An admin of the world's org (same slug: joins it), who drafts and approves.
    let slug = world.app.store().org(world.org).await.unwrap().slug;
    let admin = world
        .app
        .create_admin(
            &slug,
            &Email::parse("admin@acme.test").unwrap(),
            "plum orbit velvet 42",
        )
        .await
        .unwrap();
    assert!(!admin.org_created);
    assert_eq!(admin.technician.org_id, world.org);
    let by = Principal::technician(&admin.technician, IpAddr::from([192, 0, 2, 1]));

    let customer = world
        .app
        .create_customer(&by, "Zeta Widgets", Some(Country::US))
        .await
        .unwrap();
    for i in 0..N {
        let input = ContactInput {
            given_name: format!("Amy{i}"),
            surname: "Pond".into(),
            display_name: format!("Amy{i} Pond"),
            email: address(i),
            mobile: mobile(i),
            ..ContactInput::default()
        };
        world
            .app
            .create_contact(&by, customer.id, &input)
            .await
            .unwrap();
    }

    let input = BroadcastInput {
        name: "Exchange outage".into(),
        channels: BroadcastChannels::BOTH,
        sms_text: "{msp_name}: Exchange is down for {customer}, {first_name}.".into(),
        email_subject: "Exchange outage at {customer}".into(),
        email_body: "Dear {first_name},\n\nExchange is **down**.\n".into(),
        audience: Audience::AllCustomers,
        scheduled_at: None,
        respect_quiet_hours: false,
    };
    let preview = world
        .app
        .preview_broadcast_audience(&by, &input.audience, input.channels)
        .await
        .unwrap();
    let n = N as i64;
    assert_eq!(
        (preview.recipients, preview.sms, preview.email, preview.both),
        (n, n, n, n)
    );
    let draft = world.app.create_broadcast_draft(&by, &input).await.unwrap();
    world
        .app
        .request_broadcast_approval(&by, draft.id)
        .await
        .unwrap();
    let frozen = world
        .app
        .approve_broadcast(&by, draft.id, preview.recipients)
        .await
        .unwrap();
    assert_eq!((frozen.recipients, frozen.sms, frozen.email), (n, n, n));
    Sending {
        world,
        smtp,
        by,
        id: draft.id,
    }
}

impl Sending {
    fn spawn_worker(&self) -> Worker {
        Worker(self.world.spawn_worker())
    }

    /// Messages that reached the handsets and the mail server (an email sent twice counts
    /// twice).
    fn arrived(&self) -> usize {
        self.world.emu.sms().counts().messages as usize + self.smtp.count()
    }

    /// Waits until `arrived` reaches `at_least` and `worker` holds leased jobs, then kills it
    /// with SIGKILL ([`World::kill_if_leased`]). Returns the addresses of the emails it was
    /// sending (taken by the relay or not: the only ones that may go out twice).
    async fn kill_at(&self, worker: &mut Worker, at_least: usize) -> BTreeSet<String> {
        let started = Instant::now();
        loop {
            assert!(
                started.elapsed() < LIMIT,
                "only {} of {} arrived, or the worker never held jobs",
                self.arrived(),
                2 * N
            );
            assert!(worker.alive(), "worker exited early");
            if self.arrived() >= at_least && self.world.kill_if_leased(&mut worker.0).await {
                break;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let arrived = self.arrived();
        assert!(arrived < 2 * N, "killed mid-broadcast, not after the end");
        let jobs = self.jobs().await;
        assert!(jobs.running > 0, "the kill left leased jobs: {jobs:?}");
        let sending = |messages: Vec<Message>| -> BTreeSet<String> {
            messages
                .into_iter()
                .filter(|m| m.state == MessageState::Sending)
                .map(|m| m.recipient)
                .collect()
        };
        let emails = sending(self.messages(Channel::Email).await);
        eprintln!(
            "killed a worker at {arrived}/{} arrived ({} SMS, {} email); sending: {} SMS, {} \
             email",
            2 * N,
            self.world.emu.sms().counts().messages,
            self.smtp.count(),
            sending(self.messages(Channel::Sms).await).len(),
            emails.len()
        );
        emails
    }

    async fn jobs(&self) -> JobCounts {
        self.world
            .app
            .store()
            .job_counts(self.world.org)
            .await
            .unwrap()
    }

    async fn messages(&self, channel: Channel) -> Vec<Message> {
        let filter = MessageFilter {
            transport: None,
            channel: Some(channel),
            limit: 500,
        };
        self.world
            .app
            .store()
            .messages(self.world.org, &filter)
            .await
            .unwrap()
    }

    async fn progress(&self) -> BroadcastProgress {
        self.world
            .app
            .broadcast_progress(&self.by, self.id)
            .await
            .unwrap()
    }

    /// Waits until the broadcast is completed and every job and status callback is done.
    async fn wait_completed(&self, started: Instant) {
        loop {
            let p = self.progress().await;
            if p.status == BroadcastStatus::Completed {
                break;
            }
            assert!(
                !p.status.is_final() && started.elapsed() < LIMIT,
                "the broadcast is {:?}: {:?}",
                p.status,
                p.counts
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.world.wait_idle(Duration::from_secs(20)).await;
    }

    /// Every recipient got each channel once: each number one SMS from the broadcast
    /// sender with its own merge values; each address one email, or the same email twice
    /// when it was in flight at a kill (`in_flight`); and the progress counts agree.
    async fn assert_each_channel_once(&self, in_flight: &BTreeSet<String>) {
        let numbers: BTreeSet<String> = (0..N).map(mobile).collect();
        let addresses: BTreeSet<String> = (0..N).map(address).collect();

        // SMS, at the emulator.
        let log = self.world.emu.sms().log();
        let got: BTreeSet<String> = log.messages_per_to.keys().cloned().collect();
        assert_eq!(got, numbers, "every number got the broadcast");
        let twice: Vec<_> = log
            .messages_per_to
            .iter()
            .filter(|(_, n)| **n != 1)
            .collect();
        assert!(twice.is_empty(), "numbers that got it twice: {twice:?}");
        assert_eq!(log.counts.messages, N as u64, "{:?}", log.counts);
        assert_eq!(log.counts.refused, 0, "{:?}", log.refused);
        for m in &log.messages {
            assert_eq!(m.from, BROADCAST_SENDER, "sent from the broadcast sender");
            let i: usize = m.to["+1415555".len()..].parse().unwrap();
            assert_eq!(
                m.body,
                format!("Acme IT: Exchange is down for Zeta Widgets, Amy{i}.")
            );
        }

        // Email, at the mail server, against the messages the product recorded.
        let sent: BTreeMap<String, Message> = self
            .messages(Channel::Email)
            .await
            .into_iter()
            .map(|m| (m.recipient.clone(), m))
            .collect();
        assert_eq!(sent.len(), N, "one email message per address");
        let mut mails: BTreeMap<String, Vec<Mail>> = BTreeMap::new();
        for mail in self.smtp.received() {
            mails.entry(mail.to.clone()).or_default().push(mail);
        }
        let got: BTreeSet<String> = mails.keys().cloned().collect();
        assert_eq!(got, addresses, "every address got the broadcast");
        let mut again = 0;
        for (to, copies) in &mails {
            let m = &sent[to];
            assert_eq!(m.state, MessageState::Sent, "{to}: {m:?}");
            for mail in copies {
                assert_eq!(Some(&mail.message_id), m.provider_id.as_ref(), "{to}");
                assert!(mail.from.contains(BROADCAST_FROM), "{}", mail.from);
            }
            // Each copy carries its one-click unsubscribe (RFC 8058): the signed link of
            // this recipient, and the POST marker. Its text was rendered at hand-over from
            // the broadcast and this recipient's frozen row (the message stored none).
            let i: usize = to["c".len()..to.len() - "@customer.test".len()]
                .parse()
                .unwrap();
            for mail in copies {
                assert!(
                    mail.body.contains(&format!("Dear Amy{i},")),
                    "{to}: {}",
                    mail.body
                );
                assert!(
                    mail.list_unsubscribe.starts_with('<')
                        && mail.list_unsubscribe.contains("/unsubscribe/"),
                    "{to}: {}",
                    mail.list_unsubscribe
                );
                assert_eq!(mail.list_unsubscribe_post, "List-Unsubscribe=One-Click");
            }
            if copies.len() > 1 {
                assert!(
                    in_flight.contains(to),
                    "{to} got {} emails but was not in flight at a kill",
                    copies.len()
                );
                assert!(
                    copies.len() as i64 <= m.attempts,
                    "{to}: {} emails from {} attempts",
                    copies.len(),
                    m.attempts
                );
                again += copies.len() - 1;
            }
        }
        eprintln!(
            "{again} of {} emails in flight at a kill were taken by the relay and sent again \
             (same Message-ID)",
            in_flight.len()
        );

        // The product's own account of it.
        let p = self.progress().await;
        let c = p.counts;
        let n = N as i64;
        assert_eq!(p.status, BroadcastStatus::Completed);
        assert_eq!(p.recipients, n);
        assert_eq!(c.sent + c.delivered, 2 * n, "{c:?}");
        assert_eq!(
            (c.pending, c.queued, c.failed, c.opted_out, c.cancelled),
            (0, 0, 0, 0, 0),
            "{c:?}"
        );
        assert_eq!(c.total(), 2 * n, "{c:?}");
        assert!(p.started_at.is_some() && p.completed_at.is_some());
        let sms = self.messages(Channel::Sms).await;
        let sms_to: BTreeSet<&str> = sms.iter().map(|m| m.recipient.as_str()).collect();
        assert_eq!(
            (sms.len(), sms_to.len()),
            (N, N),
            "one SMS message per number"
        );
        assert!(
            sms.iter().all(|m| m.state == MessageState::Delivered),
            "every SMS delivered (status callbacks)"
        );
        let jobs = self.jobs().await;
        assert_eq!(
            (jobs.queued, jobs.running, jobs.dead),
            (0, 0, 0),
            "{jobs:?}"
        );
        // Started and completed once, however many workers ran the delivery job.
        let filter = AuditFilter {
            action_prefix: Some("broadcast.".into()),
            limit: 100,
            ..AuditFilter::default()
        };
        let mut actions: Vec<String> = self
            .world
            .app
            .store()
            .audit_entries(self.world.org, &filter)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.entry.action)
            .collect();
        actions.sort();
        assert_eq!(
            actions,
            [
                "broadcast.approval_requested",
                "broadcast.approved",
                "broadcast.completed",
                "broadcast.created",
                "broadcast.sent"
            ],
        );
    }

    async fn finish(self) {
        self.world.finish().await;
        drop(self.smtp);
    }
}

/// One worker killed twice mid-broadcast (once early, once past the middle: in flight on
/// whichever channel it was sending), a new one started each time.
async fn a_worker_killed_mid_broadcast_sends_each_channel_once(postgres: bool) {
    let s = approved_broadcast(postgres).await;
    let started = Instant::now();
    let mut in_flight = BTreeSet::new();
    let mut worker = s.spawn_worker();
    in_flight.extend(s.kill_at(&mut worker, N / 2).await);
    let mut worker = s.spawn_worker();
    in_flight.extend(s.kill_at(&mut worker, N + N / 2).await);
    let mut worker = s.spawn_worker();
    s.wait_completed(started).await;
    assert!(worker.alive(), "the worker is alive");
    worker.sigkill();
    eprintln!("completed in {:.1} s", started.elapsed().as_secs_f64());
    s.assert_each_channel_once(&in_flight).await;
    s.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_worker_killed_mid_broadcast_sends_each_channel_once() {
    a_worker_killed_mid_broadcast_sends_each_channel_once(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_worker_killed_mid_broadcast_sends_each_channel_once() {
    if crate::common::skip_postgres() {
        return;
    }
    a_worker_killed_mid_broadcast_sends_each_channel_once(true).await;
}

/// Two worker processes on one broadcast at once: nothing in flight dies, so every email
/// too arrives exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_two_workers_send_each_channel_of_a_broadcast_once() {
    if crate::common::skip_postgres() {
        return;
    }
    let s = approved_broadcast(true).await;
    let started = Instant::now();
    let mut a = s.spawn_worker();
    let mut b = s.spawn_worker();
    s.wait_completed(started).await;
    assert!(a.alive() && b.alive());
    a.sigkill();
    b.sigkill();
    eprintln!("completed in {:.1} s", started.elapsed().as_secs_f64());
    s.assert_each_channel_once(&BTreeSet::new()).await;
    s.finish().await;
}
