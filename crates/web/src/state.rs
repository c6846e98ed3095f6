//! State shared by every handler.

use crate::metrics::Metrics;
use countersign_app::App;
use std::sync::Arc;

/// What handlers get through `State<AppState>`: the app and the metrics registry.
#[derive(Clone, Debug)]
pub struct AppState {
    pub app: App,
    pub metrics: Arc<Metrics>,
}

impl AppState {
    #[must_use]
    pub fn new(app: App) -> Self {
        Self {
            app,
            metrics: Arc::new(Metrics::new()),
        }
    }
}
