//! What several app test files start with: an app on SQLite with cheap Argon2 and its first
//! admin.

use countersign_app::{App, ManualClock, Settings};
use countersign_domain::Email;
use countersign_store::Technician;
use std::sync::Arc;

/// An app on SQLite in `dir` (cheap Argon2, `configure` changes the rest of its settings) and
/// the admin of its first org, Acme IT.
pub async fn app_with_admin(
    dir: &tempfile::TempDir,
    configure: impl FnOnce(&mut Settings),
) -> (App, Technician) {
    let mut settings = Settings::default();
    settings.storage.data_dir = dir.path().to_path_buf();
    settings.security.argon2_memory_kib = 8192;
    settings.security.argon2_iterations = 1;
    configure(&mut settings);
    settings.validate().unwrap();
    let app = App::start(settings, Arc::new(ManualClock::starting_now()))
        .await
        .unwrap();
    let admin = app
        .create_admin(
            "Acme IT",
            &Email::parse("admin@acme.test").unwrap(),
            "plum orbit velvet 42",
        )
        .await
        .unwrap()
        .technician;
    (app, admin)
}
