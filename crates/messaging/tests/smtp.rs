//! The SMTP sender against a real SMTP server on loopback (aiosmtpd, started per test by
//! `countersign_mailbox`), writing what it receives to a Maildir we read back.

#![allow(clippy::unwrap_used)]

use countersign_mailbox::{MailServer, closed_port};
use countersign_messaging::{
    DeliveryStatus, EmailSender, OutgoingEmail, SmtpConfig, SmtpSecurity, SmtpSender,
};
use std::time::Duration;

/// How long a test waits for mail to arrive.
const ARRIVAL: Duration = Duration::from_secs(10);

fn sender(port: u16) -> SmtpSender {
    SmtpSender::new(&SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        security: SmtpSecurity::Plain,
        username: String::new(),
        password: String::new().into(),
        from_address: "noreply@msp.test".into(),
        timeout: Duration::from_secs(10),
    })
    .unwrap()
}

fn email(key: &str) -> OutgoingEmail {
    OutgoingEmail {
        to: "amy@customer.test".into(),
        from_name: "Acme IT".into(),
        reply_to: "help@acme.test".into(),
        subject: "Your verification code".into(),
        text: "Your code is 493817".into(),
        html: "<p>Your code is <strong>493817</strong></p>".into(),
        idempotency_key: key.into(),
        list_unsubscribe: None,
    }
}

#[tokio::test]
async fn delivers_text_and_html_with_branding_headers() {
    let server = MailServer::start();
    let delivery = sender(server.port())
        .send_email(&email("018f0000-aaaa-7bbb-8ccc-000000000001"))
        .await
        .unwrap();
    assert_eq!(delivery.status, DeliveryStatus::Sent);
    let message_id = delivery.provider_id.unwrap();
    assert_eq!(
        message_id,
        "<018f0000-aaaa-7bbb-8ccc-000000000001@msp.test>"
    );

    let got = server.wait_for(1, ARRIVAL);
    assert_eq!(got.len(), 1, "one message received");
    let raw = &got[0];
    assert!(
        raw.contains("From: \"Acme IT\" <noreply@msp.test>")
            || raw.contains("From: Acme IT <noreply@msp.test>"),
        "{raw}"
    );
    assert!(raw.contains("To: amy@customer.test"), "{raw}");
    assert!(raw.contains("Reply-To: help@acme.test"), "{raw}");
    assert!(raw.contains("Subject: Your verification code"), "{raw}");
    assert!(raw.contains(&format!("Message-ID: {message_id}")), "{raw}");
    assert!(raw.contains("multipart/alternative"), "{raw}");
    assert!(
        raw.contains("text/plain") && raw.contains("text/html"),
        "{raw}"
    );
    assert!(raw.contains("Your code is 493817"), "{raw}");
}

#[tokio::test]
async fn same_key_same_message_id() {
    let server = MailServer::start();
    let s = sender(server.port());
    let a = s.send_email(&email("k1")).await.unwrap();
    let b = s.send_email(&email("k1")).await.unwrap();
    assert_eq!(
        a.provider_id, b.provider_id,
        "a retry carries the same Message-ID"
    );
    assert_eq!(server.wait_for(2, ARRIVAL).len(), 2);
}

#[tokio::test]
async fn unreachable_server_is_retryable_and_bad_address_is_permanent() {
    let port = closed_port();
    let err = sender(port).send_email(&email("k")).await.unwrap_err();
    assert!(err.is_retryable(), "{err:?}");
    let mut bad = email("k");
    bad.to = "not an address".into();
    let server = MailServer::start();
    let err = sender(server.port()).send_email(&bad).await.unwrap_err();
    assert!(!err.is_retryable(), "{err:?}");
    assert!(err.message.contains("not a valid email address"));
    assert!(server.received().is_empty());
}

/// The header lines of a received message (up to the blank line), folded lines unfolded.
fn header_lines(raw: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for line in raw.lines().take_while(|l| !l.is_empty()) {
        match lines.last_mut() {
            Some(last) if line.starts_with([' ', '\t']) => last.push_str(line),
            _ => lines.push(line.to_owned()),
        }
    }
    lines
}

/// A broadcast's one-click unsubscribe reaches the relay as RFC 2369 and RFC 8058 spell it:
/// the link in angle brackets, and the one key/value pair that marks it one-click. A
/// verification email carries neither.
#[tokio::test]
async fn one_click_unsubscribe_headers_arrive_exactly() {
    let server = MailServer::start();
    let link = "https://cs.example/unsubscribe/AQID-_abc";
    let mut broadcast = email("broadcast-1");
    broadcast.to = "bob@customer.test".into();
    broadcast.list_unsubscribe = Some(link.into());
    let s = sender(server.port());
    s.send_email(&broadcast).await.unwrap();
    s.send_email(&email("code-1")).await.unwrap();
    let got = server.wait_for(2, ARRIVAL);
    assert_eq!(got.len(), 2);
    let heads: Vec<Vec<String>> = got.iter().map(|m| header_lines(m)).collect();
    let of = |to: &str| {
        heads
            .iter()
            .find(|h| h.iter().any(|l| l == &format!("To: {to}")))
            .unwrap()
            .clone()
    };
    let list = |h: &[String]| -> Vec<String> {
        h.iter()
            .filter(|l| l.to_ascii_lowercase().starts_with("list-unsubscribe"))
            .cloned()
            .collect()
    };
    assert_eq!(
        list(&of("bob@customer.test")),
        vec![
            format!("List-Unsubscribe: <{link}>"),
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click".to_owned(),
        ]
    );
    assert_eq!(list(&of("amy@customer.test")), Vec::<String>::new());
}
