//! A loopback SMTP sink for benchmarks: speaks enough SMTP (RFC 5321: greeting, EHLO/HELO,
//! MAIL, RCPT, DATA with dot-stuffing, RSET, NOOP, QUIT) for the product's SMTP sender, accepts
//! every message and counts them per recipient, so a benchmark can check that each address got
//! exactly one. Python's aiosmtpd (which the tests use) would be the bottleneck at the rates the
//! broadcast benchmark needs.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// What the sink received.
#[derive(Debug, Default)]
pub struct SinkLog {
    /// Messages per recipient address (lowercased).
    pub per_recipient: HashMap<String, u64>,
    /// Messages received.
    pub messages: u64,
    /// Messages with both RFC 8058 headers (`List-Unsubscribe` and `List-Unsubscribe-Post`).
    pub one_click_unsubscribe: u64,
}

/// A running sink; it stops when dropped.
pub struct SmtpSink {
    addr: SocketAddr,
    log: Arc<Mutex<SinkLog>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmtpSink {
    /// Listens on a free loopback port.
    ///
    /// # Errors
    /// The port could not be bound.
    pub async fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let log = Arc::new(Mutex::new(SinkLog::default()));
        let shared = log.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let log = shared.clone();
                tokio::spawn(async move {
                    let _ = session(stream, log).await;
                });
            }
        });
        Ok(Self { addr, log, task })
    }

    /// Where it listens.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Messages received so far.
    #[must_use]
    pub fn messages(&self) -> u64 {
        self.log.lock().map_or(0, |l| l.messages)
    }

    /// What it received, taken out.
    #[must_use]
    pub fn take(&self) -> SinkLog {
        self.log
            .lock()
            .map(|mut l| std::mem::take(&mut *l))
            .unwrap_or_default()
    }
}

async fn session(stream: tokio::net::TcpStream, log: Arc<Mutex<SinkLog>>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 sink ESMTP\r\n").await?;
    let mut recipients: Vec<String> = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let upper = line.trim_end().to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-sink\r\n250 8BITMIME\r\n"
        } else if upper.starts_with("RCPT TO:") {
            let addr = line.trim_end()[8..]
                .trim()
                .trim_start_matches('<')
                .split('>')
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            recipients.push(addr);
            b"250 OK\r\n"
        } else if upper == "DATA" {
            write.write_all(b"354 go ahead\r\n").await?;
            let (mut list, mut post) = (false, false);
            loop {
                line.clear();
                if lines.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                let l = line.trim_end();
                if l == "." {
                    break;
                }
                let lower = l.to_ascii_lowercase();
                list |= lower.starts_with("list-unsubscribe:");
                post |= lower.starts_with("list-unsubscribe-post: list-unsubscribe=one-click");
            }
            if let Ok(mut log) = log.lock() {
                log.messages += 1;
                log.one_click_unsubscribe += u64::from(list && post);
                for r in recipients.drain(..) {
                    *log.per_recipient.entry(r).or_default() += 1;
                }
            }
            b"250 OK queued\r\n"
        } else if upper.starts_with("RSET") || upper.starts_with("MAIL FROM:") {
            recipients.clear();
            b"250 OK\r\n"
        } else if upper.starts_with("QUIT") {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            b"250 OK\r\n"
        };
        write.write_all(reply).await?;
    }
}
