//! `purge_sessions`: deletes expired and idle sessions (`App::purge_sessions`). Expiry is
//! checked on every request anyway; this only keeps the table small.

use crate::App;
use countersign_store::{SessionStore, StoreError};

super::sweep::sweep_job!(
    /// Payload of the session purge.
    PurgeSessions,
    "purge_sessions",
    |app| app.purge_sessions()
);

impl App {
    /// Deletes sessions that expired or sat idle past `session_idle`. Returns how many.
    ///
    /// # Errors
    /// A store failure.
    pub async fn purge_sessions(&self) -> Result<u64, StoreError> {
        let now = self.now();
        self.store
            .purge_sessions(now, now.minus(self.settings.session_idle()))
            .await
    }
}
