//! Real-browser tests: headless Debian Chromium driven over WebDriver by `fantoccini`.
//!
//! [`Browser::start`] launches `/usr/bin/chromedriver` on a free loopback port and opens one
//! WebDriver session (its own fresh Chromium profile). [`Browser::new_session`] opens further,
//! fully independent sessions (separate profile, cookies and storage), e.g. a second user.
//! Every [`Session`] has small, waiting helpers (`goto`, `fill`, `click`, `text`, `wait_for`,
//! …) with a 15 s budget, so journeys never sleep.
//!
//! Use [`run`] to wrap a journey: if it returns `Err`, panics or times out, a PNG screenshot and
//! the page HTML of every open session are saved under
//! `$CARGO_TARGET_DIR/browser-artifacts/` (or `<workspace>/target/browser-artifacts/`) and the
//! paths are printed before the test fails.
//!
//! There is no skipping: if Chromium or chromedriver is missing the test fails and says how to
//! install them (`apt-get install chromium chromium-driver`).

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, anyhow, bail};
use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::wd::{Capabilities, TimeoutConfiguration};
use fantoccini::{Client, ClientBuilder, Locator};
use futures::FutureExt as _;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::process::{Child, Command};

/// Where Debian's `chromium` package installs the browser.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// Where Debian's `chromium-driver` package installs chromedriver.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Budget for every wait (element, navigation, text, chromedriver start-up).
pub const TIMEOUT: Duration = Duration::from_secs(15);
/// Budget for a whole journey run by [`run`].
pub const JOURNEY_TIMEOUT: Duration = Duration::from_secs(300);
const POLL: Duration = Duration::from_millis(100);

const INSTALL_HINT: &str = "install Debian's packages: apt-get install -y chromium chromium-driver";

/// A chromedriver process plus the WebDriver sessions opened through it.
///
/// Derefs to its first [`Session`], so `browser.goto("/login")` drives that one.
/// Dropping it kills chromedriver (and the Chromium processes it started).
pub struct Browser {
    driver: Child,
    driver_pgid: Option<u32>,
    webdriver_url: String,
    _driver_dir: tempfile::TempDir,
    base_url: Arc<Mutex<Option<String>>>,
    /// Every session opened, for failure artifacts and clean shutdown.
    open: Arc<Mutex<Vec<OpenSession>>>,
    main: Session,
}

impl std::fmt::Debug for Browser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Browser")
            .field("webdriver_url", &self.webdriver_url)
            .finish_non_exhaustive()
    }
}

impl Browser {
    /// Start chromedriver on a free loopback port, wait until it answers `/status`, and open
    /// the first session.
    ///
    /// # Errors
    /// If chromium or chromedriver is not installed at the Debian paths, chromedriver does not
    /// come up within [`TIMEOUT`], or the session cannot be created.
    pub async fn start() -> anyhow::Result<Browser> {
        for (path, package) in [(CHROMEDRIVER, "chromium-driver"), (CHROMIUM, "chromium")] {
            if !Path::new(path).is_file() {
                bail!("{path} not found (Debian package `{package}`); {INSTALL_HINT}");
            }
        }
        // Both rustls providers are compiled in (fantoccini: aws-lc-rs, reqwest: ring), so
        // rustls cannot choose one itself; an error only means one is installed already.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let driver_dir = tempfile::Builder::new()
            .prefix("countersign-chromedriver-")
            .tempdir()
            .context("creating a temp dir for chromedriver")?;
        let log_path = driver_dir.path().join("chromedriver.log");

        // A port picked by the OS can in theory be taken before chromedriver binds it; retry.
        let mut last_error = None;
        for _ in 0..3 {
            let port = free_port()?;
            let mut command = Command::new(CHROMEDRIVER);
            command
                .arg(format!("--port={port}"))
                .arg(format!("--log-path={}", log_path.display()))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .kill_on_drop(true)
                // Own process group, so Drop can kill chromedriver and every Chromium it started.
                .process_group(0);
            let mut driver = command
                .spawn()
                .with_context(|| format!("starting {CHROMEDRIVER}; {INSTALL_HINT}"))?;
            match wait_for_status(port, &mut driver).await {
                Ok(()) => {
                    let webdriver_url = format!("http://127.0.0.1:{port}");
                    let base_url = Arc::new(Mutex::new(None));
                    let open = Arc::new(Mutex::new(Vec::new()));
                    let driver_pgid = driver.id();
                    let main =
                        Session::open(&webdriver_url, "main", base_url.clone(), open.clone()).await;
                    let main = match main {
                        Ok(session) => session,
                        Err(error) => {
                            kill_group(driver_pgid);
                            let log = std::fs::read_to_string(&log_path).unwrap_or_default();
                            return Err(error.context(format!(
                                "chromedriver log ({}):\n{}",
                                log_path.display(),
                                tail(&log, 40)
                            )));
                        }
                    };
                    return Ok(Browser {
                        driver,
                        driver_pgid,
                        webdriver_url,
                        _driver_dir: driver_dir,
                        base_url,
                        open,
                        main,
                    });
                }
                Err(error) => {
                    let _ = driver.start_kill();
                    let _ = driver.wait().await;
                    last_error = Some(error);
                }
            }
        }
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        Err(last_error
            .unwrap_or_else(|| anyhow!("chromedriver did not start"))
            .context(format!("chromedriver log:\n{}", tail(&log, 40))))
    }

    /// The URL relative paths given to [`Session::goto`] are resolved against, for every
    /// session of this browser (e.g. the `TestApp`'s `http://127.0.0.1:PORT`).
    pub fn set_base_url(&self, base_url: impl Into<String>) {
        let base = base_url.into().trim_end_matches('/').to_owned();
        *self.base_url.lock().unwrap_or_else(PoisonError::into_inner) = Some(base);
    }

    /// The first session (also reachable through `Deref`).
    #[must_use]
    pub fn main(&self) -> &Session {
        &self.main
    }

    /// Open a new, independent WebDriver session: its own Chromium with a fresh profile, so no
    /// cookies or storage are shared with other sessions. `label` names its failure artifacts.
    ///
    /// # Errors
    /// If chromedriver cannot create the session.
    pub async fn new_session(&self, label: &str) -> anyhow::Result<Session> {
        Session::open(
            &self.webdriver_url,
            label,
            self.base_url.clone(),
            self.open.clone(),
        )
        .await
    }

    /// Save a screenshot and the HTML of every open session as
    /// `<artifacts>/<name>-<timestamp>-<session>.{png,html}`; returns the files written.
    pub async fn save_artifacts(&self, name: &str) -> Vec<PathBuf> {
        let dir = artifacts_dir();
        if let Err(error) = std::fs::create_dir_all(&dir) {
            eprintln!("browser: cannot create {}: {error}", dir.display());
            return Vec::new();
        }
        let stamp = timestamp();
        let clients: Vec<(String, Client)> = self
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|s| (s.label.clone(), s.client.clone()))
            .collect();
        let mut written = Vec::new();
        for (label, client) in clients {
            let stem = format!("{}-{stamp}-{}", sanitize(name), sanitize(&label));
            let url = client
                .current_url()
                .await
                .map_or_else(|e| format!("<unknown: {e}>"), |u| u.to_string());
            match client.screenshot().await {
                Ok(png) => {
                    let path = dir.join(format!("{stem}.png"));
                    match std::fs::write(&path, png) {
                        Ok(()) => written.push(path),
                        Err(e) => eprintln!("browser: writing {}: {e}", path.display()),
                    }
                }
                Err(e) => eprintln!("browser: screenshot of session {label} failed: {e}"),
            }
            match client.source().await {
                Ok(html) => {
                    let path = dir.join(format!("{stem}.html"));
                    let html = format!("<!-- {url} -->\n{html}");
                    match std::fs::write(&path, html) {
                        Ok(()) => written.push(path),
                        Err(e) => eprintln!("browser: writing {}: {e}", path.display()),
                    }
                }
                Err(e) => eprintln!("browser: page source of session {label} failed: {e}"),
            }
            eprintln!("browser: session {label} was at {url}");
        }
        written
    }

    /// End every WebDriver session (closing its Chromium) and stop chromedriver.
    pub async fn shutdown(mut self) {
        let sessions: Vec<OpenSession> =
            std::mem::take(&mut *self.open.lock().unwrap_or_else(PoisonError::into_inner));
        for session in sessions {
            let _ = tokio::time::timeout(TIMEOUT, session.client.close()).await;
        }
        let _ = self.driver.start_kill();
        let _ = tokio::time::timeout(TIMEOUT, self.driver.wait()).await;
    }
}

/// A session as the browser tracks it. Holds the profile directory too, so it outlives the
/// `Session` handle until Chromium has been closed.
struct OpenSession {
    label: String,
    client: Client,
    _profile: Arc<tempfile::TempDir>,
}

impl std::ops::Deref for Browser {
    type Target = Session;

    fn deref(&self) -> &Session {
        &self.main
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Chromium processes are in chromedriver's process group; take them all down.
        kill_group(self.driver_pgid);
        let _ = self.driver.start_kill();
    }
}

/// One WebDriver session: one Chromium with its own temporary profile.
#[derive(Clone)]
pub struct Session {
    client: Client,
    label: String,
    base_url: Arc<Mutex<Option<String>>>,
    _profile: Arc<tempfile::TempDir>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

impl Session {
    async fn open(
        webdriver_url: &str,
        label: &str,
        base_url: Arc<Mutex<Option<String>>>,
        open: Arc<Mutex<Vec<OpenSession>>>,
    ) -> anyhow::Result<Session> {
        let profile = tempfile::Builder::new()
            .prefix("countersign-chromium-")
            .tempdir()
            .context("creating a temp Chromium profile")?;
        let profile = Arc::new(profile);
        let client = ClientBuilder::rustls()
            .context("building the WebDriver HTTP client")?
            .capabilities(capabilities(profile.path()))
            .connect(webdriver_url)
            .await
            .with_context(|| {
                format!("creating a WebDriver session for {CHROMIUM} ({label}); {INSTALL_HINT}")
            })?;
        client
            .update_timeouts(TimeoutConfiguration::new(
                Some(TIMEOUT),
                Some(TIMEOUT),
                Some(Duration::ZERO),
            ))
            .await
            .context("setting WebDriver timeouts")?;
        open.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(OpenSession {
                label: label.to_owned(),
                client: client.clone(),
                _profile: profile.clone(),
            });
        Ok(Session {
            client,
            label: label.to_owned(),
            base_url,
            _profile: profile,
        })
    }

    /// The underlying `fantoccini` client, for anything the helpers do not cover.
    #[must_use]
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// This session's label (used in artifact names).
    #[must_use]
    pub fn label(&self) -> &str {
        &self.label
    }

    fn resolve(&self, path_or_url: &str) -> anyhow::Result<String> {
        if path_or_url.starts_with("http://") || path_or_url.starts_with("https://") {
            return Ok(path_or_url.to_owned());
        }
        let base = self
            .base_url
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(|| anyhow!("goto({path_or_url:?}) needs Browser::set_base_url first"))?;
        if path_or_url.starts_with('/') {
            Ok(format!("{base}{path_or_url}"))
        } else {
            Ok(format!("{base}/{path_or_url}"))
        }
    }

    /// Navigate to a path (resolved against the base URL) or an absolute URL and wait for the
    /// page to load.
    ///
    /// # Errors
    /// If navigation fails or takes longer than [`TIMEOUT`].
    pub async fn goto(&self, path_or_url: &str) -> anyhow::Result<()> {
        let url = self.resolve(path_or_url)?;
        self.client
            .goto(&url)
            .await
            .with_context(|| format!("[{}] goto {url}", self.label))
    }

    /// Wait (up to [`TIMEOUT`]) for an element matching `css` and return it.
    ///
    /// # Errors
    /// If no element matches in time.
    pub async fn wait_for(&self, css: &str) -> anyhow::Result<Element> {
        let start = Instant::now();
        loop {
            let left = TIMEOUT.saturating_sub(start.elapsed());
            match self
                .client
                .wait()
                .at_most(left)
                .every(POLL)
                .for_element(Locator::Css(css))
                .await
            {
                Ok(element) => return Ok(element),
                // A page that reloads itself (a live part answered) aborts a find that was
                // under way; the element is looked for again on the new page.
                Err(error) if was_navigating(&error) && !left.is_zero() => {}
                Err(error) => {
                    return Err(self
                        .context_error(error, &format!("waiting for `{css}`"))
                        .await);
                }
            }
        }
    }

    /// Whether an element matching `css` is on the page right now (no waiting).
    ///
    /// # Errors
    /// On WebDriver errors other than "no such element".
    pub async fn exists(&self, css: &str) -> anyhow::Result<bool> {
        match self.client.find(Locator::Css(css)).await {
            Ok(_) => Ok(true),
            Err(e) if e.is_no_such_element() => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// All elements matching `css` right now (no waiting).
    ///
    /// # Errors
    /// On WebDriver errors.
    pub async fn find_all(&self, css: &str) -> anyhow::Result<Vec<Element>> {
        Ok(self.client.find_all(Locator::Css(css)).await?)
    }

    /// Texts of all elements matching `css` right now (no waiting).
    ///
    /// # Errors
    /// On WebDriver errors.
    pub async fn texts(&self, css: &str) -> anyhow::Result<Vec<String>> {
        reread_if_replaced(async || {
            let mut out = Vec::new();
            for element in self.find_all(css).await? {
                out.push(element.text().await?);
            }
            Ok(out)
        })
        .await
    }

    /// Wait for the field `css`, clear it and type `text` into it.
    ///
    /// # Errors
    /// If the field does not appear in time or cannot be typed into.
    pub async fn fill(&self, css: &str, text: &str) -> anyhow::Result<()> {
        let field = self.wait_for(css).await?;
        field
            .clear()
            .await
            .with_context(|| format!("[{}] clearing `{css}`", self.label))?;
        field
            .send_keys(text)
            .await
            .with_context(|| format!("[{}] typing into `{css}`", self.label))
    }

    /// Wait for the `<select>` `css` and choose the option whose `value` is `value`.
    ///
    /// # Errors
    /// If the select or the option is missing.
    pub async fn select(&self, css: &str, value: &str) -> anyhow::Result<()> {
        self.wait_for(css)
            .await?
            .select_by_value(value)
            .await
            .with_context(|| format!("[{}] selecting {value:?} in `{css}`", self.label))
    }

    /// Wait for the checkbox `css` and tick or untick it.
    ///
    /// # Errors
    /// If the checkbox is missing or cannot be clicked.
    pub async fn set_checked(&self, css: &str, checked: bool) -> anyhow::Result<()> {
        let checkbox = self.wait_for(css).await?;
        if checkbox.is_selected().await? != checked {
            checkbox
                .click()
                .await
                .with_context(|| format!("[{}] clicking checkbox `{css}`", self.label))?;
        }
        Ok(())
    }

    /// The current `value` of the form field `css` (waiting for it), e.g. a read-only input.
    ///
    /// # Errors
    /// If the field does not appear in time.
    pub async fn value(&self, css: &str) -> anyhow::Result<String> {
        self.property(css, "value").await
    }

    /// The DOM `textContent` of `css` (waiting for it), including text that is not rendered,
    /// such as the body of a closed `<details>`; [`Session::text`] returns only visible text.
    ///
    /// # Errors
    /// If the element does not appear in time.
    pub async fn text_content(&self, css: &str) -> anyhow::Result<String> {
        self.property(css, "textContent").await
    }

    /// The DOM property `name` of `css` (waiting for it), empty when unset.
    async fn property(&self, css: &str, name: &str) -> anyhow::Result<String> {
        reread_if_replaced(async || {
            let element = self.wait_for(css).await?;
            Ok(element.prop(name).await?.unwrap_or_default())
        })
        .await
    }

    /// Wait for `css` and click it. Does not wait for any navigation the click starts; use
    /// [`Session::click_and_wait`] for links and submit buttons.
    ///
    /// # Errors
    /// If the element does not appear in time or cannot be clicked.
    pub async fn click(&self, css: &str) -> anyhow::Result<()> {
        // A click on a replaced element never reached the page, so clicking again is safe.
        reread_if_replaced(async || {
            let element = self.wait_for(css).await?;
            element
                .click()
                .await
                .with_context(|| format!("[{}] clicking `{css}`", self.label))
        })
        .await
    }

    /// Click `css` and wait until the browser shows a new document (also when the server
    /// answers a POST with a page at the same URL) and that document has finished loading.
    ///
    /// It marks the current document's `window` before clicking; a new document has a fresh
    /// `window` without the mark.
    ///
    /// # Errors
    /// If the element is missing or no new page arrives within [`TIMEOUT`].
    pub async fn click_and_wait(&self, css: &str) -> anyhow::Result<()> {
        self.client
            .execute("window.__countersignOldPage = true;", vec![])
            .await
            .with_context(|| {
                format!("[{}] marking the page before clicking `{css}`", self.label)
            })?;
        self.click(css).await?;
        let script = "return window.__countersignOldPage !== true \
                      && document.readyState === 'complete';";
        self.wait_until(&format!("a new page after clicking `{css}`"), async || {
            // While the old document unloads, scripts can fail; that only means "not yet".
            Ok(matches!(
                self.client.execute(script, vec![]).await,
                Ok(serde_json::Value::Bool(true))
            ))
        })
        .await
    }

    /// Wait for `css` and return its visible text.
    ///
    /// # Errors
    /// If the element does not appear in time.
    pub async fn text(&self, css: &str) -> anyhow::Result<String> {
        reread_if_replaced(async || {
            let element = self.wait_for(css).await?;
            element
                .text()
                .await
                .with_context(|| format!("[{}] reading text of `{css}`", self.label))
        })
        .await
    }

    /// Wait until some element matching `css` has visible text containing `needle`; returns
    /// that text.
    ///
    /// # Errors
    /// If that does not happen within [`TIMEOUT`].
    pub async fn wait_for_text(&self, css: &str, needle: &str) -> anyhow::Result<String> {
        let found = Mutex::new(String::new());
        self.wait_until(&format!("`{css}` containing {needle:?}"), async || {
            for text in self.texts(css).await? {
                if text.contains(needle) {
                    *found.lock().unwrap_or_else(PoisonError::into_inner) = text;
                    return Ok(true);
                }
            }
            Ok(false)
        })
        .await?;
        Ok(found.into_inner().unwrap_or_else(PoisonError::into_inner))
    }

    /// Value of attribute `name` of the element `css` (waiting for the element).
    ///
    /// # Errors
    /// If the element does not appear in time.
    pub async fn attr(&self, css: &str, name: &str) -> anyhow::Result<Option<String>> {
        reread_if_replaced(async || Ok(self.wait_for(css).await?.attr(name).await?)).await
    }

    /// Path of the current URL (no query or fragment).
    ///
    /// # Errors
    /// On WebDriver errors.
    pub async fn current_path(&self) -> anyhow::Result<String> {
        Ok(self.client.current_url().await?.path().to_owned())
    }

    /// Wait until the current URL path is `path`.
    ///
    /// # Errors
    /// If that does not happen within [`TIMEOUT`].
    pub async fn wait_for_path(&self, path: &str) -> anyhow::Result<()> {
        self.wait_until(&format!("path {path}"), async || {
            Ok(self.current_path().await? == path)
        })
        .await
    }

    /// The current page's HTML.
    ///
    /// # Errors
    /// On WebDriver errors.
    pub async fn html(&self) -> anyhow::Result<String> {
        Ok(self.client.source().await?)
    }

    /// Poll `condition` every 100 ms until it returns `Ok(true)`, failing after [`TIMEOUT`]
    /// with a message naming `what`.
    ///
    /// # Errors
    /// If `condition` errors or does not become true in time.
    pub async fn wait_until(
        &self,
        what: &str,
        mut condition: impl AsyncFnMut() -> anyhow::Result<bool>,
    ) -> anyhow::Result<()> {
        let start = Instant::now();
        loop {
            if condition().await? {
                return Ok(());
            }
            if start.elapsed() > TIMEOUT {
                let error = anyhow!("timed out after {TIMEOUT:?} waiting for {what}");
                return Err(self.with_location(error).await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    async fn context_error(&self, error: CmdError, what: &str) -> anyhow::Error {
        let error = if matches!(error, CmdError::WaitTimeout) {
            anyhow!("timed out after {TIMEOUT:?} {what}")
        } else {
            anyhow::Error::new(error).context(what.to_owned())
        };
        self.with_location(error).await
    }

    async fn with_location(&self, error: anyhow::Error) -> anyhow::Error {
        let url = self
            .client
            .current_url()
            .await
            .map_or_else(|_| "<unknown>".to_owned(), |u| u.to_string());
        error.context(format!("[{}] at {url}", self.label))
    }
}

/// Runs `read` again while the element it found was replaced before it was read (a WebDriver
/// "stale element reference"), up to [`TIMEOUT`]. Live parts of pages (the Pod's status, the
/// sync progress) are swapped by their scripts at any moment, so a find followed by a read can
/// race with them; finding the element again reads the page as it now is.
async fn reread_if_replaced<T>(
    mut read: impl AsyncFnMut() -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let start = Instant::now();
    loop {
        match read().await {
            // The element was just replaced: finding it again at once reads the new one.
            Err(error) if was_replaced(&error) && start.elapsed() < TIMEOUT => {}
            result => return result,
        }
    }
}

fn was_replaced(error: &anyhow::Error) -> bool {
    error.downcast_ref::<CmdError>().is_some_and(|e| {
        // Chromium reports the same race either way: as WebDriver's "stale element reference",
        // or, when the node is detached while the read is under way, as an "unknown error"
        // from its inspector ("Node with given id does not belong to the document").
        e.is_stale_element_reference()
            || e.to_string()
                .contains("Node with given id does not belong to the document")
    })
}

/// Whether a WebDriver command failed because the page navigated while it ran (Chromium:
/// "aborted by navigation").
fn was_navigating(error: &CmdError) -> bool {
    error.to_string().contains("aborted by navigation")
}

/// Run a browser journey named `name` (used for artifact files; the test function's name is a
/// good choice). Starts a [`Browser`], runs `journey`, and on `Err`, panic or timeout
/// ([`JOURNEY_TIMEOUT`]) saves a screenshot and the HTML of every session, prints the paths
/// and fails the test (panics). Always shuts the browser down.
///
/// ```text
/// browser::run("login_smoke", async |b| {
///     b.set_base_url(app.url());
///     b.goto("/login").await?;
///     assert_eq!(b.text("h1").await?, "Sign in");
///     Ok(())
/// })
/// .await;
/// ```
///
/// # Panics
/// When the browser cannot start or the journey fails.
pub async fn run<F>(name: &str, journey: F)
where
    F: AsyncFnOnce(&Browser) -> anyhow::Result<()>,
{
    let browser = match Browser::start().await {
        Ok(browser) => browser,
        Err(error) => panic!("browser test {name}: could not start the browser: {error:?}"),
    };
    let outcome = run_guarded(journey(&browser)).await;
    let failure = match outcome {
        Outcome::Passed => None,
        Outcome::Failed(error) => Some(format!("{error:?}")),
        Outcome::TimedOut => Some(format!("journey did not finish within {JOURNEY_TIMEOUT:?}")),
        Outcome::Panicked(payload) => {
            let files = browser.save_artifacts(name).await;
            report_artifacts(name, &files);
            browser.shutdown().await;
            std::panic::resume_unwind(payload);
        }
    };
    if let Some(message) = failure {
        let files = browser.save_artifacts(name).await;
        report_artifacts(name, &files);
        browser.shutdown().await;
        panic!("browser test {name} failed: {message}");
    }
    browser.shutdown().await;
}

enum Outcome {
    Passed,
    Failed(anyhow::Error),
    TimedOut,
    Panicked(Box<dyn std::any::Any + Send>),
}

async fn run_guarded(journey: impl Future<Output = anyhow::Result<()>>) -> Outcome {
    match tokio::time::timeout(JOURNEY_TIMEOUT, AssertUnwindSafe(journey).catch_unwind()).await {
        Err(_) => Outcome::TimedOut,
        Ok(Err(payload)) => Outcome::Panicked(payload),
        Ok(Ok(Err(error))) => Outcome::Failed(error),
        Ok(Ok(Ok(()))) => Outcome::Passed,
    }
}

fn report_artifacts(name: &str, files: &[PathBuf]) {
    if files.is_empty() {
        eprintln!("browser test {name} failed; no screenshot could be saved");
    }
    for file in files {
        eprintln!("browser test {name} failed; saved {}", file.display());
    }
}

/// Directory for failure artifacts: `$CARGO_TARGET_DIR/browser-artifacts` if set, else the
/// workspace's `target/browser-artifacts`.
#[must_use]
pub fn artifacts_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"),
        PathBuf::from,
    );
    target.join("browser-artifacts")
}

fn capabilities(profile: &Path) -> Capabilities {
    let args = [
        "--headless=new".to_owned(),
        "--no-sandbox".to_owned(),
        "--disable-gpu".to_owned(),
        "--disable-dev-shm-usage".to_owned(),
        "--disable-quic".to_owned(),
        "--no-first-run".to_owned(),
        "--disable-background-networking".to_owned(),
        "--disable-component-update".to_owned(),
        "--disable-sync".to_owned(),
        "--window-size=1280,900".to_owned(),
        format!("--user-data-dir={}", profile.display()),
    ];
    let value = serde_json::json!({
        "browserName": "chrome",
        "pageLoadStrategy": "normal",
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": args,
        },
    });
    match value {
        serde_json::Value::Object(map) => map,
        _ => unreachable!("a JSON object literal"),
    }
}

/// Kill chromedriver's process group (chromedriver and the Chromium processes it started).
fn kill_group(pgid: Option<u32>) {
    if let Some(pgid) = pgid {
        let _ = std::process::Command::new("kill")
            .args(["-KILL", "--", &format!("-{pgid}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

fn free_port() -> anyhow::Result<u16> {
    let listener =
        std::net::TcpListener::bind("127.0.0.1:0").context("finding a free loopback port")?;
    Ok(listener.local_addr()?.port())
}

/// Poll chromedriver's `GET /status` until it reports ready.
async fn wait_for_status(port: u16, driver: &mut Child) -> anyhow::Result<()> {
    let start = Instant::now();
    loop {
        if let Some(status) = driver.try_wait()? {
            bail!("chromedriver exited early with {status}");
        }
        if let Ok(true) = status_ready(port).await {
            return Ok(());
        }
        if start.elapsed() > TIMEOUT {
            bail!("chromedriver did not answer /status on port {port} within {TIMEOUT:?}");
        }
        tokio::time::sleep(POLL).await;
    }
}

async fn status_ready(port: u16) -> anyhow::Result<bool> {
    // chromedriver keeps the connection open despite `Connection: close`, so read only until
    // the JSON answer has arrived rather than to end of stream.
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
        let request =
            format!("GET /status HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await?;
        let mut response = Vec::new();
        let mut chunk = [0u8; 1024];
        loop {
            let read = stream.read(&mut chunk).await?;
            if read == 0 {
                return anyhow::Ok(false);
            }
            response.extend_from_slice(&chunk[..read]);
            let text = String::from_utf8_lossy(&response);
            let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            if !text.starts_with("HTTP/1.1 200") && response.len() >= 12 {
                return Ok(false);
            }
            if compact.contains("\"ready\":true") {
                return Ok(true);
            }
            if compact.contains("\"ready\":false") {
                return Ok(false);
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(2), exchange).await?
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn timestamp() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format!("{}{:03}", now.as_secs(), now.subsec_millis())
}
