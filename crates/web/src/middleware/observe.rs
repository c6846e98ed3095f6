//! Per-request tracing span and metrics, keyed by the route template (not the raw path, so
//! ids never become log fields or metric labels by accident). A refused request (403: a CSRF
//! refusal, a role or ownership check) is also a security event: a `security` warning with
//! method, route template and client address (issue 18.7, ASVS 16.3.3).

use super::client_ip::from_headers;
use crate::AppState;
use crate::metrics::{RequestLabels, RouteLabels};
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;
use tracing::Instrument;

pub async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(unmatched)".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().as_str().to_owned();
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([127, 0, 0, 1]), |c| c.0.ip());
    let ip = from_headers(peer, req.headers(), &state.app.settings.trusted_proxies());
    let span = tracing::info_span!("request", %method, %route, status = tracing::field::Empty);
    let started = Instant::now();
    let res = next.run(req).instrument(span.clone()).await;
    let status = res.status().as_u16();
    span.record("status", status);
    if status == 403 {
        tracing::warn!(
            target: "security",
            event = "request_refused",
            %method,
            %route,
            %ip,
            status,
            "refused request"
        );
    }
    let elapsed = started.elapsed();
    tracing::debug!(parent: &span, elapsed_ms = elapsed.as_secs_f64() * 1000.0, "response");
    state
        .metrics
        .requests
        .get_or_create(&RequestLabels {
            method,
            route: route.clone(),
            status,
        })
        .inc();
    state
        .metrics
        .latency
        .get_or_create(&RouteLabels { route })
        .observe(elapsed.as_secs_f64());
    res
}
