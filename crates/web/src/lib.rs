//! The web server: server-rendered pages (askama), forms that work without JavaScript, and
//! the middleware that makes them safe (sessions, CSRF, security headers).

pub mod accept_language;
pub mod auth;
pub mod error;
pub mod flash;
pub mod metrics;
pub mod middleware;
pub mod page;
pub mod routes;
pub mod state;
mod static_files;
mod svg_chart;

pub use error::WebError;
pub use state::AppState;

use axum::Router;
use std::future::Future;
use tokio::net::TcpListener;

/// Builds the whole router with its middleware, inside the time and concurrency limits.
pub fn router(state: AppState) -> Router {
    let server = &state.app.settings.server;
    let (timeout, max) = (
        std::time::Duration::from_secs(server.request_timeout_secs),
        server.max_concurrent_requests,
    );
    middleware::limits::apply(
        routes::router(state.clone()).with_state(state),
        timeout,
        max,
    )
}

/// Serves the router on `listener` until `shutdown` resolves.
///
/// # Errors
/// The listener fails.
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
