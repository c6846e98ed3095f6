//! Limits on every request (issue 18.7): a time limit (`server.request_timeout_secs`; a
//! request that takes longer is answered 503 and its handler dropped) and a bound on the
//! requests handled at once (`server.max_concurrent_requests`; more wait for a slot, and the
//! wait counts against the time limit). One semaphore serves every route. Both wrap the whole
//! router from outside (a router of routers), since `Router::layer` wraps each route alone and
//! a route's readiness (the wait for a slot) happens before an inner time limit starts.

use axum::Router;
use axum::http::StatusCode;
use std::time::Duration;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower_http::timeout::TimeoutLayer;

/// `router` with both limits.
pub fn apply(router: Router, timeout: Duration, max_concurrent: usize) -> Router {
    let limited = router.layer(GlobalConcurrencyLimitLayer::new(max_concurrent.max(1)));
    Router::new()
        .fallback_service(limited)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            timeout,
        ))
}

#[cfg(test)]
mod tests {
    use super::apply;
    use axum::Router;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use axum::routing::get;
    use std::time::Duration;
    use tower::ServiceExt as _;

    /// A handler that never finishes is cut by the time limit: without it this test would
    /// never end.
    #[tokio::test]
    async fn a_slow_handler_is_cut_by_the_timeout() {
        let router: Router = Router::new()
            .route("/slow", get(std::future::pending::<&'static str>))
            .route("/fast", get(|| async { "ok" }));
        let router = apply(router, Duration::from_millis(50), 4);
        let res = router
            .clone()
            .oneshot(Request::get("/slow").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        let res = router
            .oneshot(Request::get("/fast").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
}
