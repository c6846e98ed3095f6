//! The real SMTP server the tests send to: Python's aiosmtpd (PyPI; `scripts/test.sh`
//! installs it) on a loopback port, storing each message it takes in a Maildir the test reads
//! back. Without aiosmtpd the tests that use it fail; they never skip.
//!
//! The listening socket is bound by the server process itself, on port 0, and the port it got
//! is read from its first line of output. Picking a free port in the test and handing it over
//! raced: two servers started at once could be given the same port (the second fails to bind
//! and the first one's owner kills it under the other test), and polling a port nobody listens
//! on yet can connect a socket to itself. The printed line is also the readiness signal: the
//! socket listens before the port is printed.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Binds 127.0.0.1 on port 0, prints the port, then serves aiosmtpd's Mailbox handler (the
/// same handler `python3 -m aiosmtpd -c aiosmtpd.handlers.Mailbox DIR` uses: each message
/// lands in `DIR/new` by rename, with `X-MailFrom` / `X-RcptTo` envelope headers added).
const SERVER: &str = r#"
import asyncio, socket, sys
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import SMTP

async def main():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    handler = Mailbox(sys.argv[1])
    server = await asyncio.get_running_loop().create_server(lambda: SMTP(handler), sock=sock)
    print(sock.getsockname()[1], flush=True)
    await server.serve_forever()

asyncio.run(main())
"#;

/// A running aiosmtpd; killed when dropped.
pub struct MailServer {
    child: Child,
    port: u16,
    maildir: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for MailServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl MailServer {
    /// Starts a server and returns once it listens.
    ///
    /// # Panics
    /// When python3 or aiosmtpd is missing, or the server does not come up: a test that needs
    /// a mail server cannot go on without one, and must fail rather than skip.
    #[must_use]
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory for the Maildir");
        let maildir = dir.path().join("mail");
        let mut child = Command::new("python3")
            .arg("-c")
            .arg(SERVER)
            .arg(&maildir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 is required to run the test mail server");
        let stdout = child.stdout.take().expect("the server's output is piped");
        let mut line = String::new();
        let read = BufReader::new(stdout).read_line(&mut line);
        let port = read.ok().and_then(|_| line.trim().parse::<u16>().ok());
        let Some(port) = port else {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the test mail server did not start (printed {line:?}): \
                 run `python3 -m pip install aiosmtpd` (scripts/test.sh does)"
            );
        };
        Self {
            child,
            port,
            maildir,
            _dir: dir,
        }
    }

    /// The loopback port it listens on.
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The Maildir it writes to; complete messages are in `new/`.
    #[must_use]
    pub fn maildir(&self) -> &Path {
        &self.maildir
    }

    /// How many messages it has stored.
    #[must_use]
    pub fn count(&self) -> usize {
        std::fs::read_dir(self.maildir.join("new")).map_or(0, Iterator::count)
    }

    /// The messages stored so far, as raw RFC 5322 text.
    #[must_use]
    pub fn received(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.maildir.join("new")) else {
            return Vec::new();
        };
        entries
            .filter_map(Result::ok)
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .collect()
    }

    /// The messages stored once there are at least `n`, or after `within`, whichever is first.
    #[must_use]
    pub fn wait_for(&self, n: usize, within: Duration) -> Vec<String> {
        let deadline = Instant::now() + within;
        loop {
            let got = self.received();
            if got.len() >= n || Instant::now() > deadline {
                return got;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A loopback port nothing listens on (at the moment it is returned), for tests of an
/// unreachable relay.
///
/// # Panics
/// When no loopback port can be bound.
#[must_use]
pub fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a loopback port")
        .port()
}
