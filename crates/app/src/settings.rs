//! Server settings: defaults, then a TOML file, then `COUNTERSIGN_*` environment variables
//! (`__` separates section and key), then command-line flags. Validated once at start-up; an
//! invalid value stops the process with one message naming the key.

use figment::Figment;
use figment::providers::{Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The documented example file, printed by `countersign config example`.
pub const EXAMPLE: &str = include_str!("../config.example.toml");

/// All settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub storage: StorageSettings,
    pub security: SecuritySettings,
    pub metrics: MetricsSettings,
    pub log: LogSettings,
    pub messaging: MessagingSettings,
    pub twilio: TwilioSettings,
    pub smtp: SmtpSettings,
    pub workers: WorkerSettings,
    pub microsoft: MicrosoftSettings,
    pub webhooks: WebhookSettings,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSettings {
    pub listen: String,
    pub public_url: String,
    pub trusted_proxies: Vec<String>,
    /// A request that takes longer is answered 503 and its handler dropped (ASVS 13.1).
    pub request_timeout_secs: u64,
    /// Requests handled at once; more wait for a free slot.
    pub max_concurrent_requests: usize,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            public_url: "http://127.0.0.1:8080".into(),
            trusted_proxies: Vec::new(),
            request_timeout_secs: 30,
            max_concurrent_requests: 512,
        }
    }
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StorageSettings {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub max_connections: u32,
}

impl Default for StorageSettings {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("data"),
            database_url: String::new(),
            max_connections: 10,
        }
    }
}

// Hand-written so a password in the database URL never reaches a log line.
impl std::fmt::Debug for StorageSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StorageSettings")
            .field("data_dir", &self.data_dir)
            .field("database_url", &redact_url(&self.database_url))
            .field("max_connections", &self.max_connections)
            .finish()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecuritySettings {
    pub master_key_file: String,
    pub session_idle_minutes: u32,
    pub session_absolute_hours: u32,
    pub login_max_failures_per_account: u32,
    pub login_max_failures_per_ip: u32,
    pub login_window_minutes: u32,
    pub invite_valid_hours: u32,
    /// How recent the session's last proof (sign-in or "Confirm it's you") must be for a
    /// sensitive action: second factor, roles, integration and webhook credentials.
    pub reauth_window_seconds: u32,
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    pub argon2_parallelism: u32,
    /// Password checks that run at once (0: one per CPU core).
    pub argon2_max_concurrent: u32,
    /// How long a password check waits for its turn before the request is refused.
    pub argon2_queue_ms: u32,
}

impl Default for SecuritySettings {
    fn default() -> Self {
        Self {
            master_key_file: String::new(),
            session_idle_minutes: 60,
            session_absolute_hours: 12,
            login_max_failures_per_account: 5,
            login_max_failures_per_ip: 20,
            login_window_minutes: 15,
            invite_valid_hours: 72,
            reauth_window_seconds: 300,
            argon2_memory_kib: 19456,
            argon2_iterations: 2,
            argon2_parallelism: 1,
            argon2_max_concurrent: 0,
            argon2_queue_ms: 5000,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsSettings {
    pub listen: String,
}

impl Default for MetricsSettings {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:9464".into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogSettings {
    pub level: String,
    pub format: LogFormat,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            level: "info".into(),
            format: LogFormat::Text,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

pub use crate::messaging_settings::{
    MessagingSettings, MessagingTransport, SmtpSecuritySetting, SmtpSettings, TwilioSettings,
    WorkerSettings,
};
pub use crate::microsoft_settings::MicrosoftSettings;
pub use crate::webhook_settings::WebhookSettings;

/// Overrides from command-line flags (the top layer).
#[derive(Clone, Debug, Default)]
pub struct FlagOverrides {
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
}

/// An invalid setting: which key, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid setting `{key}`: {message}")]
pub struct SettingsError {
    pub key: String,
    pub message: String,
}

impl SettingsError {
    pub(crate) fn new(key: &str, message: impl Into<String>) -> Self {
        Self {
            key: key.to_owned(),
            message: message.into(),
        }
    }
}

/// Environment variables of ours that are not settings (tests, tooling).
const NOT_SETTINGS: &[&str] = &[
    "TEST_POSTGRES_URL",
    "SKIP_POSTGRES",
    "TEST_LOG",
    "MASTER_KEY_FILE",
];

impl Settings {
    /// Loads the layers, reading variables from the process environment.
    ///
    /// # Errors
    /// A file that cannot be read or parsed, or an invalid value in any layer.
    pub fn load(config_file: Option<&Path>, flags: &FlagOverrides) -> Result<Self, SettingsError> {
        Self::load_with_vars(config_file, flags, std::env::vars())
    }

    /// Loads the layers with the given environment variables (tests pass their own).
    ///
    /// # Errors
    /// As [`Settings::load`].
    pub fn load_with_vars<K: AsRef<str>, V: AsRef<str>>(
        config_file: Option<&Path>,
        flags: &FlagOverrides,
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Self, SettingsError> {
        let mut figment = Figment::from(Serialized::defaults(Self::default()));
        if let Some(path) = config_file {
            if !path.is_file() {
                return Err(SettingsError::new(
                    "--config",
                    format!("{} does not exist or is not a file", path.display()),
                ));
            }
            figment = figment.merge(Toml::file(path));
        }
        // Which variable set which key, so an error can name the variable.
        let mut sources = Vec::new();
        for (name, value) in vars {
            let Some(key) = env_key(name.as_ref()) else {
                continue;
            };
            // `+15005550006` (a phone number) stays text: parsed, it would become a number
            // and lose its `+`.
            let raw = value.as_ref();
            let value: figment::value::Value = if raw.starts_with('+') {
                raw.to_owned().into()
            } else {
                raw.parse().unwrap_or_else(|never| match never {})
            };
            figment = figment.merge(Serialized::default(&key, value));
            sources.push((key, name.as_ref().to_owned()));
        }
        if let Some(dir) = &flags.data_dir {
            figment = figment.merge(Serialized::default("storage.data_dir", dir));
            sources.push(("storage.data_dir".into(), "--data-dir".into()));
        }
        if let Some(url) = &flags.database_url {
            figment = figment.merge(Serialized::default("storage.database_url", url));
            sources.push(("storage.database_url".into(), "--database-url".into()));
        }
        let settings: Self = figment.extract().map_err(|e| {
            let mut err = figment_error(&e);
            if let Some((_, var)) = sources.iter().rev().find(|(k, _)| *k == err.key) {
                err.message = format!("{} (from {var})", err.message);
            } else if let Some(path) = config_file {
                err.message = format!("{} (in {})", err.message, path.display());
            }
            err
        })?;
        settings.validate()?;
        Ok(settings)
    }

    /// Checks every value that the types alone do not.
    ///
    /// # Errors
    /// The first invalid key.
    pub fn validate(&self) -> Result<(), SettingsError> {
        self.server.listen.parse::<SocketAddr>().map_err(|_| {
            SettingsError::new(
                "server.listen",
                format!(
                    "{:?} is not an address like 127.0.0.1:8080",
                    self.server.listen
                ),
            )
        })?;
        let url = url::Url::parse(&self.server.public_url).map_err(|e| {
            SettingsError::new(
                "server.public_url",
                format!(
                    "{:?} is not a URL ({e}); use e.g. https://countersign.example.com",
                    self.server.public_url
                ),
            )
        })?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(SettingsError::new(
                "server.public_url",
                "must be an http:// or https:// URL with a host",
            ));
        }
        if url.path() != "/" || url.query().is_some() {
            return Err(SettingsError::new(
                "server.public_url",
                "must not have a path or query: Countersign is served at the root of its host",
            ));
        }
        for p in &self.server.trusted_proxies {
            p.parse::<IpAddr>().map_err(|_| {
                SettingsError::new(
                    "server.trusted_proxies",
                    format!("{p:?} is not an IP address"),
                )
            })?;
        }
        if self.server.request_timeout_secs == 0 {
            return Err(SettingsError::new(
                "server.request_timeout_secs",
                "must be at least 1",
            ));
        }
        if self.server.max_concurrent_requests == 0 {
            return Err(SettingsError::new(
                "server.max_concurrent_requests",
                "must be at least 1",
            ));
        }
        let db = &self.storage.database_url;
        if !db.is_empty() && !db.starts_with("postgres://") && !db.starts_with("postgresql://") {
            return Err(SettingsError::new(
                "storage.database_url",
                "must be empty (SQLite in data_dir) or a postgres:// URL",
            ));
        }
        if self.storage.data_dir.as_os_str().is_empty() {
            return Err(SettingsError::new("storage.data_dir", "must not be empty"));
        }
        if self.storage.max_connections == 0 {
            return Err(SettingsError::new(
                "storage.max_connections",
                "must be at least 1",
            ));
        }
        let s = &self.security;
        for (key, v) in [
            ("security.session_idle_minutes", s.session_idle_minutes),
            ("security.session_absolute_hours", s.session_absolute_hours),
            (
                "security.login_max_failures_per_account",
                s.login_max_failures_per_account,
            ),
            (
                "security.login_max_failures_per_ip",
                s.login_max_failures_per_ip,
            ),
            ("security.login_window_minutes", s.login_window_minutes),
            ("security.invite_valid_hours", s.invite_valid_hours),
            ("security.reauth_window_seconds", s.reauth_window_seconds),
            ("security.argon2_iterations", s.argon2_iterations),
            ("security.argon2_parallelism", s.argon2_parallelism),
            ("security.argon2_queue_ms", s.argon2_queue_ms),
        ] {
            if v == 0 {
                return Err(SettingsError::new(key, "must be at least 1"));
            }
        }
        if s.argon2_memory_kib < 8 * 1024 {
            return Err(SettingsError::new(
                "security.argon2_memory_kib",
                "must be at least 8192 (8 MiB); 19456 is the OWASP baseline",
            ));
        }
        if !self.metrics.listen.is_empty() {
            self.metrics.listen.parse::<SocketAddr>().map_err(|_| {
                SettingsError::new(
                    "metrics.listen",
                    format!(
                        "{:?} is not an address like 127.0.0.1:9464 (or empty to disable)",
                        self.metrics.listen
                    ),
                )
            })?;
        }
        tracing_filter_ok(&self.log.level).map_err(|m| SettingsError::new("log.level", m))?;
        self.validate_messaging()?;
        self.validate_lanes()?;
        self.validate_microsoft()?;
        self.validate_webhooks()?;
        Ok(())
    }

    /// These settings as the `COUNTERSIGN_*` variables a child `countersign worker` needs to
    /// deliver with them (storage, public URL, messaging, Twilio, SMTP, workers, password hashing).
    /// Tests and benchmarks start real worker processes from in-process settings with it.
    #[must_use]
    pub fn worker_env(&self) -> Vec<(&'static str, String)> {
        let transport = match self.messaging.transport {
            crate::messaging_settings::MessagingTransport::Outbox => "outbox",
            crate::messaging_settings::MessagingTransport::Live => "live",
        };
        let (t, w, sec) = (&self.twilio, &self.workers, &self.security);
        vec![
            (
                "COUNTERSIGN_STORAGE__DATABASE_URL",
                self.storage.database_url.clone(),
            ),
            (
                "COUNTERSIGN_STORAGE__MAX_CONNECTIONS",
                self.storage.max_connections.to_string(),
            ),
            (
                "COUNTERSIGN_SERVER__PUBLIC_URL",
                self.server.public_url.clone(),
            ),
            ("COUNTERSIGN_MESSAGING__TRANSPORT", transport.to_owned()),
            ("COUNTERSIGN_TWILIO__BASE_URL", t.base_url.clone()),
            ("COUNTERSIGN_TWILIO__ACCOUNT_SID", t.account_sid.clone()),
            ("COUNTERSIGN_TWILIO__AUTH_TOKEN", t.auth_token.clone()),
            ("COUNTERSIGN_TWILIO__FROM_NUMBER", t.from_number.clone()),
            (
                "COUNTERSIGN_TWILIO__BROADCAST_FROM_NUMBER",
                t.broadcast_from_number.clone(),
            ),
            (
                "COUNTERSIGN_TWILIO__BROADCAST_MESSAGING_SERVICE_SID",
                t.broadcast_messaging_service_sid.clone(),
            ),
            ("COUNTERSIGN_SMTP__HOST", self.smtp.host.clone()),
            ("COUNTERSIGN_SMTP__PORT", self.smtp.port.to_string()),
            (
                "COUNTERSIGN_SMTP__SECURITY",
                match self.smtp.security {
                    crate::messaging_settings::SmtpSecuritySetting::Starttls => "starttls",
                    crate::messaging_settings::SmtpSecuritySetting::Tls => "tls",
                    crate::messaging_settings::SmtpSecuritySetting::Plain => "plain",
                }
                .to_owned(),
            ),
            ("COUNTERSIGN_SMTP__USERNAME", self.smtp.username.clone()),
            ("COUNTERSIGN_SMTP__PASSWORD", self.smtp.password.clone()),
            (
                "COUNTERSIGN_SMTP__FROM_ADDRESS",
                self.smtp.from_address.clone(),
            ),
            (
                "COUNTERSIGN_SMTP__BROADCAST_FROM_ADDRESS",
                self.smtp.broadcast_from_address.clone(),
            ),
            (
                "COUNTERSIGN_SMTP__BROADCAST_REPLY_TO",
                self.smtp.broadcast_reply_to.clone(),
            ),
            (
                "COUNTERSIGN_WORKERS__CONCURRENCY",
                w.concurrency.to_string(),
            ),
            ("COUNTERSIGN_WORKERS__BATCH_SIZE", w.batch_size.to_string()),
            (
                "COUNTERSIGN_WORKERS__POLL_INTERVAL_MS",
                w.poll_interval_ms.to_string(),
            ),
            (
                "COUNTERSIGN_WORKERS__LEASE_SECONDS",
                w.lease_seconds.to_string(),
            ),
            (
                "COUNTERSIGN_WORKERS__BACKOFF_BASE_SECONDS",
                w.backoff_base_seconds.to_string(),
            ),
            (
                "COUNTERSIGN_SECURITY__ARGON2_MEMORY_KIB",
                sec.argon2_memory_kib.to_string(),
            ),
            (
                "COUNTERSIGN_SECURITY__ARGON2_ITERATIONS",
                sec.argon2_iterations.to_string(),
            ),
        ]
    }

    /// Whether the public URL is https (cookies get `Secure` and `__Host-`, HSTS is sent).
    #[must_use]
    pub fn is_https(&self) -> bool {
        self.server.public_url.starts_with("https://")
    }

    /// The public URL without a trailing slash, for building links.
    #[must_use]
    pub fn public_base(&self) -> &str {
        self.server.public_url.trim_end_matches('/')
    }

    #[must_use]
    pub fn listen_addr(&self) -> SocketAddr {
        self.server
            .listen
            .parse()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 8080)))
    }

    #[must_use]
    pub fn trusted_proxies(&self) -> Vec<IpAddr> {
        self.server
            .trusted_proxies
            .iter()
            .filter_map(|p| p.parse().ok())
            .collect()
    }

    /// The SQLite database file (when no database URL is set).
    #[must_use]
    pub fn sqlite_path(&self) -> PathBuf {
        self.storage.data_dir.join("countersign.db")
    }

    #[must_use]
    pub fn master_key_path(&self) -> PathBuf {
        if self.security.master_key_file.is_empty() {
            self.storage.data_dir.join("master.key")
        } else {
            PathBuf::from(&self.security.master_key_file)
        }
    }

    #[must_use]
    pub fn session_idle(&self) -> Duration {
        Duration::from_secs(u64::from(self.security.session_idle_minutes) * 60)
    }

    #[must_use]
    pub fn session_absolute(&self) -> Duration {
        Duration::from_secs(u64::from(self.security.session_absolute_hours) * 3600)
    }

    #[must_use]
    pub fn login_window(&self) -> Duration {
        Duration::from_secs(u64::from(self.security.login_window_minutes) * 60)
    }

    /// How many password checks may run at once: the setting, or one per CPU core.
    #[must_use]
    pub fn password_checks_at_once(&self) -> usize {
        match self.security.argon2_max_concurrent {
            0 => std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
            n => usize::try_from(n).unwrap_or(1),
        }
    }

    #[must_use]
    pub fn password_queue(&self) -> Duration {
        Duration::from_millis(u64::from(self.security.argon2_queue_ms))
    }

    /// How recent a proof a sensitive action needs (`security.reauth_window_seconds`).
    #[must_use]
    pub fn reauth_window(&self) -> Duration {
        Duration::from_secs(u64::from(self.security.reauth_window_seconds))
    }

    #[must_use]
    pub fn invite_validity(&self) -> Duration {
        Duration::from_secs(u64::from(self.security.invite_valid_hours) * 3600)
    }
}

/// Checks the syntax of a log filter without depending on tracing-subscriber here.
fn tracing_filter_ok(level: &str) -> Result<(), String> {
    let ok = !level.trim().is_empty()
        && level.split(',').all(|part| {
            let lvl = part.rsplit('=').next().unwrap_or("");
            matches!(
                lvl.trim(),
                "trace" | "debug" | "info" | "warn" | "error" | "off"
            ) || (part.contains('=') && lvl.is_empty())
        });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{level:?} is not a log filter; use e.g. \"info\" or \"countersign=debug,info\""
        ))
    }
}

/// `COUNTERSIGN_SERVER__LISTEN` → `server.listen`; `COUNTERSIGN_MASTER_KEY_FILE` →
/// `security.master_key_file`; other variables (and ours that are not settings) → `None`.
fn env_key(name: &str) -> Option<String> {
    let rest = name.strip_prefix("COUNTERSIGN_")?;
    if rest == "MASTER_KEY_FILE" {
        return Some("security.master_key_file".into());
    }
    if NOT_SETTINGS.contains(&rest) || rest.starts_with("TEST_") {
        return None;
    }
    Some(rest.to_lowercase().replace("__", "."))
}

/// Turns figment's error into one message naming the key.
fn figment_error(e: &figment::Error) -> SettingsError {
    let key = if e.path.is_empty() {
        "(file)".to_owned()
    } else {
        e.path.join(".")
    };
    SettingsError {
        key,
        message: e.kind.to_string(),
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
#[must_use]
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_with(toml: Option<&str>, vars: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let dir = tempfile::tempdir().unwrap();
        let file = toml.map(|t| {
            let p = dir.path().join("c.toml");
            std::fs::write(&p, t).unwrap();
            p
        });
        Settings::load_with_vars(
            file.as_deref(),
            &FlagOverrides::default(),
            vars.iter().copied(),
        )
    }

    #[test]
    fn example_file_is_the_defaults() {
        let parsed: Settings = toml::from_str(EXAMPLE).unwrap();
        assert_eq!(parsed, Settings::default());
    }

    #[test]
    fn layers_apply_in_order() {
        let s = load_with(
            Some(
                "[server]\nlisten = \"127.0.0.1:9000\"\npublic_url = \"https://cs.example.com\"\n",
            ),
            &[
                ("COUNTERSIGN_SERVER__LISTEN", "127.0.0.1:9100"),
                ("COUNTERSIGN_MASTER_KEY_FILE", "/k"),
            ],
        )
        .unwrap();
        assert_eq!(s.server.listen, "127.0.0.1:9100");
        assert_eq!(s.server.public_url, "https://cs.example.com");
        assert!(s.is_https());
        assert_eq!(s.master_key_path(), PathBuf::from("/k"));
    }

    #[test]
    fn bad_values_name_the_key() {
        let e = load_with(
            None,
            &[("COUNTERSIGN_SECURITY__SESSION_IDLE_MINUTES", "soon")],
        )
        .unwrap_err();
        assert_eq!(e.key, "security.session_idle_minutes", "{e}");
        let e = load_with(Some("[server]\nlisten = \"nowhere\"\n"), &[]).unwrap_err();
        assert_eq!(e.key, "server.listen");
        let e = load_with(Some("[server]\nlistn = \"x\"\n"), &[]).unwrap_err();
        assert!(e.to_string().contains("listn"), "{e}");
        let e = load_with(None, &[("COUNTERSIGN_STORAGE__DATABASE_URL", "mysql://x")]).unwrap_err();
        assert_eq!(e.key, "storage.database_url");
    }

    #[test]
    fn the_custom_cloud_is_a_base_url() {
        let e = load_with(
            None,
            &[
                (
                    "COUNTERSIGN_MICROSOFT__CUSTOM_LOGIN_BASE_URL",
                    "login.example",
                ),
                (
                    "COUNTERSIGN_MICROSOFT__CUSTOM_GRAPH_BASE_URL",
                    "https://g.example",
                ),
            ],
        )
        .unwrap_err();
        assert_eq!(e.key, "microsoft.custom_login_base_url", "{e}");
        let e = load_with(
            None,
            &[
                (
                    "COUNTERSIGN_MICROSOFT__CUSTOM_LOGIN_BASE_URL",
                    "https://l.example",
                ),
                (
                    "COUNTERSIGN_MICROSOFT__CUSTOM_GRAPH_BASE_URL",
                    "https://g.example/?x=1",
                ),
            ],
        )
        .unwrap_err();
        assert_eq!(e.key, "microsoft.custom_graph_base_url", "{e}");
        let s = load_with(
            None,
            &[
                (
                    "COUNTERSIGN_MICROSOFT__CUSTOM_LOGIN_BASE_URL",
                    "http://127.0.0.1:9/login",
                ),
                (
                    "COUNTERSIGN_MICROSOFT__CUSTOM_GRAPH_BASE_URL",
                    "http://127.0.0.1:9/graph",
                ),
            ],
        )
        .unwrap();
        assert_eq!(
            s.microsoft.custom_graph_base_url,
            "http://127.0.0.1:9/graph"
        );
    }

    #[test]
    fn a_phone_number_from_the_environment_keeps_its_plus() {
        let s = load_with(
            None,
            &[
                ("COUNTERSIGN_TWILIO__ACCOUNT_SID", "AC123"),
                ("COUNTERSIGN_TWILIO__AUTH_TOKEN", "t"),
                ("COUNTERSIGN_TWILIO__FROM_NUMBER", "+15005550006"),
            ],
        )
        .unwrap();
        assert_eq!(s.twilio.from_number, "+15005550006");
    }

    #[test]
    fn test_variables_are_not_settings() {
        let s = load_with(None, &[("COUNTERSIGN_TEST_POSTGRES_URL", "postgres://x")]).unwrap();
        assert_eq!(s, Settings::default());
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(redact_url("postgres://u:pw@h/db"), "postgres://u:***@h/db");
    }
}
