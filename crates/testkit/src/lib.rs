//! Test support: [`TestApp`] runs the real router on 127.0.0.1 over a fresh database
//! (SQLite in a temp dir, or a throwaway PostgreSQL database), with a manual clock and cheap
//! Argon2 parameters, and offers a browser-like HTTP client.

#![allow(clippy::missing_panics_doc, clippy::missing_errors_doc)]

use anyhow::anyhow;
use countersign_app::accounts::CreatedAdmin;
use countersign_app::{App, ManualClock, Settings};
use countersign_crypto::{Keyring, PasswordHasher, PasswordParams};
use countersign_domain::Email;
use countersign_store::Store;
use reqwest::header::{HeaderMap, HeaderValue};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::net::TcpListener;

/// Where the database lives, so a second `TestApp` can open the same one ("restart").
#[derive(Clone, Debug)]
enum Db {
    Sqlite { path: PathBuf },
    Postgres { url: String },
}

/// A running server with its app.
pub struct TestApp {
    pub base_url: String,
    pub app: App,
    pub clock: ManualClock,
    db: Db,
    keyring: Arc<Keyring>,
    // Kept so the temp dir outlives the server; `None` for PostgreSQL and restarts.
    _dir: Option<Arc<tempfile::TempDir>>,
    pg_drop: Option<Arc<PgDatabase>>,
    server: tokio::task::JoinHandle<()>,
    /// Job kinds the test leaves on the queue on purpose (see `jobs_left.rs`).
    expected_jobs: jobs_left::ExpectedJobs,
}

/// Drops the throwaway PostgreSQL database when the last `TestApp` using it is gone.
struct PgDatabase {
    admin_url: String,
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Drop runs inside the test's runtime; a fresh thread with its own runtime can block.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                use sqlx::Connection as _;
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
                    let _ =
                        sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                            .execute(&mut conn)
                            .await;
                }
            });
        })
        .join();
    }
}

/// Options for building a `TestApp`.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Serve as if the public URL were https (cookie prefixes, Secure, HSTS).
    pub https: bool,
    /// `[microsoft]` settings (e.g. pointing at the simulator); defaults when `None`.
    pub microsoft: Option<countersign_app::settings::MicrosoftSettings>,
    /// Send through this Twilio API (e.g. the simulator's) instead of the outbox.
    pub twilio: Option<countersign_app::settings::TwilioSettings>,
    /// `[security]` settings (limits, the password-check bound); defaults when `None`. The
    /// Argon2 cost is made cheap either way.
    pub security: Option<countersign_app::settings::SecuritySettings>,
    /// `server.trusted_proxies`, e.g. `127.0.0.1` so that [`TestApp::client_from`] clients
    /// appear to come from the address they name.
    pub trusted_proxies: Vec<String>,
}

/// Whether PostgreSQL tests should be skipped. Without `COUNTERSIGN_TEST_POSTGRES_URL` they fail
/// with a clear message, unless `COUNTERSIGN_SKIP_POSTGRES=1` says to skip them.
#[must_use]
pub fn skip_postgres() -> bool {
    if std::env::var("COUNTERSIGN_TEST_POSTGRES_URL").is_ok_and(|v| !v.is_empty()) {
        return false;
    }
    if std::env::var("COUNTERSIGN_SKIP_POSTGRES").is_ok_and(|v| v == "1") {
        eprintln!("skipping a PostgreSQL test: COUNTERSIGN_SKIP_POSTGRES=1");
        return true;
    }
    panic!(
        "COUNTERSIGN_TEST_POSTGRES_URL is not set: set it to a PostgreSQL server URL \
         (e.g. postgres://postgres@127.0.0.1:5432/postgres) to run the PostgreSQL variants, \
         or set COUNTERSIGN_SKIP_POSTGRES=1 to skip them"
    );
}

impl TestApp {
    /// A server on a fresh SQLite database.
    pub async fn new() -> Self {
        Self::with(Options::default()).await
    }

    /// A server on a fresh SQLite database with options.
    pub async fn with(options: Options) -> Self {
        let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
        let db = Db::Sqlite {
            path: dir.path().join("countersign.db"),
        };
        Self::build(
            db,
            options,
            ManualClock::starting_now(),
            Arc::new(Keyring::ephemeral()),
            Some(dir),
            None,
            jobs_left::ExpectedJobs::default(),
        )
        .await
        .expect("start test app")
    }

    /// A server on a fresh PostgreSQL database created from `COUNTERSIGN_TEST_POSTGRES_URL`
    /// and dropped afterwards. Call [`skip_postgres`] first.
    pub async fn postgres() -> Self {
        Self::postgres_with(Options::default()).await
    }

    /// A server on a fresh PostgreSQL database with options.
    pub async fn postgres_with(options: Options) -> Self {
        use sqlx::Connection as _;
        let admin_url =
            std::env::var("COUNTERSIGN_TEST_POSTGRES_URL").expect("COUNTERSIGN_TEST_POSTGRES_URL");
        let name = format!("cs_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(&admin_url)
            .await
            .expect("connect to PostgreSQL");
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut conn)
            .await
            .expect("create database");
        drop(conn);
        let guard = Arc::new(PgDatabase {
            admin_url: admin_url.clone(),
            name: name.clone(),
        });
        let mut url = url::Url::parse(&admin_url).expect("database URL");
        url.set_path(&format!("/{name}"));
        let db = Db::Postgres {
            url: url.to_string(),
        };
        Self::build(
            db,
            options,
            ManualClock::starting_now(),
            Arc::new(Keyring::ephemeral()),
            None,
            Some(guard),
            jobs_left::ExpectedJobs::default(),
        )
        .await
        .expect("start test app")
    }

    /// A new server and `App` on the same database, keys and clock: a process restart.
    pub async fn restart(&self) -> Self {
        Self::build(
            self.db.clone(),
            Options {
                https: self.app.settings.is_https(),
                microsoft: Some(self.app.settings.microsoft.clone()),
                twilio: (self.app.settings.messaging.transport
                    == countersign_app::settings::MessagingTransport::Live)
                    .then(|| self.app.settings.twilio.clone()),
                security: Some(self.app.settings.security.clone()),
                trusted_proxies: self.app.settings.server.trusted_proxies.clone(),
            },
            self.clock.clone(),
            self.keyring.clone(),
            self._dir.clone(),
            self.pg_drop.clone(),
            self.expected_jobs.clone(),
        )
        .await
        .expect("restart test app")
    }

    async fn build(
        db: Db,
        options: Options,
        clock: ManualClock,
        keyring: Arc<Keyring>,
        dir: Option<Arc<tempfile::TempDir>>,
        pg_drop: Option<Arc<PgDatabase>>,
        expected_jobs: jobs_left::ExpectedJobs,
    ) -> anyhow::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let base_url = format!("http://127.0.0.1:{port}");
        let mut settings = Settings::default();
        settings.server.listen = format!("127.0.0.1:{port}");
        settings.server.public_url = if options.https {
            format!("https://127.0.0.1:{port}")
        } else {
            base_url.clone()
        };
        if let Some(m) = options.microsoft.clone() {
            settings.microsoft = m;
        }
        if let Some(t) = options.twilio.clone() {
            settings.messaging.transport = countersign_app::settings::MessagingTransport::Live;
            settings.twilio = t;
        }
        if let Some(s) = options.security.clone() {
            settings.security = s;
        }
        settings
            .server
            .trusted_proxies
            .clone_from(&options.trusted_proxies);
        // Cheap hashing: the tests exercise the flow, not the cost.
        settings.security.argon2_memory_kib = 8192;
        settings.security.argon2_iterations = 1;
        let store = match &db {
            Db::Sqlite { path } => Store::open_sqlite(path).await?,
            Db::Postgres { url } => Store::connect_postgres(url, 5).await?,
        };
        let passwords = PasswordHasher::new(PasswordParams {
            memory_kib: settings.security.argon2_memory_kib,
            iterations: settings.security.argon2_iterations,
            parallelism: 1,
        })
        .map_err(|e| anyhow!("{e}"))?;
        let settings_for_client = settings.clone();
        let app = App::assemble(
            store,
            keyring.clone(),
            Arc::new(settings),
            Arc::new(clock.clone()),
            passwords,
            countersign_app::microsoft::client_for(&settings_for_client)
                .map_err(|e| anyhow!("{e}"))?,
        );
        let state = countersign_web::AppState::new(app.clone());
        let server = tokio::spawn(async move {
            let _ = countersign_web::serve(state, listener, std::future::pending()).await;
        });
        Ok(Self {
            base_url,
            app,
            clock,
            db,
            keyring,
            _dir: dir,
            pg_drop,
            server,
            expected_jobs,
        })
    }

    /// Says that jobs of `kind` may still be on the queue (queued, running or dead) when the
    /// test ends, and why; otherwise a left job fails the test.
    pub fn expect_jobs_left(&self, kind: &str, why: &str) {
        self.expected_jobs.expect(kind, why);
    }

    /// Runs the due jobs, and the jobs they queue, until none is due (what a server's workers
    /// do); returns how many ran. Messages go through the configured transports (the outbox
    /// unless the test set Twilio).
    pub async fn run_jobs(&self) -> usize {
        let transports = countersign_app::messages::Transports::from_settings(&self.app.settings)
            .expect("transports");
        let mut ran = 0;
        loop {
            match countersign_app::jobs::run_due(&self.app, &transports, "testkit", 100).await {
                Ok(0) => return ran,
                Ok(n) => ran += n,
                Err(e) => panic!("running the queued jobs failed: {e}"),
            }
        }
    }

    /// `base_url` + `path`.
    #[must_use]
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Creates an org (if needed) and an admin in it.
    pub async fn create_admin(&self, org: &str, email: &str, password: &str) -> CreatedAdmin {
        let email = Email::parse(email).expect("valid email");
        self.app
            .create_admin(org, &email, password)
            .await
            .expect("create admin")
    }

    /// A client that behaves like a browser: cookie store, no redirects followed, and the
    /// `Origin` / `Sec-Fetch-Site` headers a browser sends with same-origin form posts.
    #[must_use]
    pub fn client(&self) -> reqwest::Client {
        Self::client_builder()
            .default_headers(self.browser_headers())
            .build()
            .expect("client")
    }

    /// The headers a browser sends on a same-origin request.
    fn browser_headers(&self) -> HeaderMap {
        let mut h = HeaderMap::new();
        let origin = url::Url::parse(&self.app.settings.server.public_url)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default();
        if let Ok(v) = HeaderValue::from_str(&origin) {
            h.insert("origin", v);
        }
        h.insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
        h
    }

    /// A browser-like client whose requests carry `X-Forwarded-For: <ip>`: the client address
    /// the server sees when it trusts the loopback proxy (`Options::trusted_proxies`).
    #[must_use]
    pub fn client_from(&self, ip: &str) -> reqwest::Client {
        let mut h = self.browser_headers();
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_str(ip).expect("an address"),
        );
        Self::client_builder()
            .default_headers(h)
            .build()
            .expect("client")
    }

    /// A client with a cookie store but no browser headers (like curl or an old browser).
    #[must_use]
    pub fn bare_client(&self) -> reqwest::Client {
        Self::client_builder().build().expect("client")
    }

    fn client_builder() -> reqwest::ClientBuilder {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
    }

    /// Signs in with a password and returns the response (a 303 on success).
    pub async fn login(
        &self,
        client: &reqwest::Client,
        email: &str,
        password: &str,
    ) -> reqwest::Response {
        let csrf = self.csrf(client, "/login").await;
        client
            .post(self.url("/login"))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("email", email),
                ("password", password),
            ])
            .send()
            .await
            .expect("POST /login")
    }

    /// Fetches `path` and returns the `_csrf` value of its first form.
    pub async fn csrf(&self, client: &reqwest::Client, path: &str) -> String {
        let body = client
            .get(self.url(path))
            .send()
            .await
            .expect("GET")
            .text()
            .await
            .expect("body");
        extract_csrf(&body).unwrap_or_else(|| panic!("no _csrf field on {path}"))
    }

    /// POSTs a form with the CSRF token taken from `page`.
    pub async fn post_form(
        &self,
        client: &reqwest::Client,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let csrf = self.csrf(client, page).await;
        let mut all = vec![("_csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        client
            .post(self.url(action))
            .form(&all)
            .send()
            .await
            .expect("POST")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
        // A failing test already says what went wrong; the last app on the database checks.
        if std::thread::panicking() || !self.expected_jobs.is_last() {
            return;
        }
        let left = match jobs_left::jobs_in(&self.db) {
            Ok(left) => self.expected_jobs.unexpected(left),
            Err(e) => panic!("cannot read the job queue at the end of the test: {e}"),
        };
        assert!(
            left.is_empty(),
            "the test left jobs on the queue (kind, state, last error): {left:?}; run them \
             (TestApp::run_jobs) or say why they stay (TestApp::expect_jobs_left)"
        );
    }
}

/// The value of the first `name="_csrf"` hidden field in `html`.
#[must_use]
pub fn extract_csrf(html: &str) -> Option<String> {
    let at = html.find("name=\"_csrf\" value=\"")? + "name=\"_csrf\" value=\"".len();
    let rest = &html[at..];
    Some(rest[..rest.find('"')?].to_owned())
}

/// The value of a `Set-Cookie` named `name` in a response, if set.
#[must_use]
pub fn set_cookie<'a>(res: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
}

pub mod browser;
mod jobs_left;
