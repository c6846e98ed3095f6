//! The process's own state for load balancers and the command line: whether the database
//! answers, and closing its connections on the way out.

use crate::App;
use countersign_domain::{OrgId, TechnicianId};
use countersign_store::{PodStore, StoreResult};

impl App {
    /// Whether the database answers (readiness).
    ///
    /// # Errors
    /// The store failed.
    pub async fn database_ready(&self) -> StoreResult<()> {
        self.store.ping().await
    }

    /// Closes the database connections (a command finishing).
    pub async fn close(&self) {
        self.store.close().await;
    }

    /// Whether a signed-in technician may use the Pod only: every request of theirs outside
    /// the Pod asks (the session middleware's rule, not a use case of theirs).
    ///
    /// # Errors
    /// The store failed.
    pub async fn is_pod_only(&self, org: OrgId, technician: TechnicianId) -> StoreResult<bool> {
        self.store.is_pod_only(org, technician).await
    }
}
