//! State shared by every handler.

use crate::metrics::Metrics;
use countersign_app::App;
use std::sync::Arc;

/// What handlers get through `State<AppState>`: the app and the metrics registry.
#[derive(Clone, Debug)]
pub struct AppState {
    /// Behind an `Arc`: the router clones the state for every request, once per middleware
    /// layer, and an `App` holds a dozen reference-counted parts (the secrets benchmark
    /// spent ~3 % of its time cloning and dropping them).
    pub app: Arc<App>,
    pub metrics: Arc<Metrics>,
}

impl AppState {
    #[must_use]
    pub fn new(app: App) -> Self {
        Self {
            app: Arc::new(app),
            metrics: Arc::new(Metrics::new()),
        }
    }
}
