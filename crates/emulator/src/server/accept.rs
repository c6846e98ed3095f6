//! Our own accept loop over hyper. `axum::serve` cannot drop a connection without writing a
//! response, and "dropped connection" is one of the faults the emulator must inject.

use super::PeerAddr;
use crate::faults::FaultKind;
use crate::graph::error::GraphError;
use crate::identity::error::AadError;
use crate::state::AppState;
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Request, header};
use axum::response::{IntoResponse, Response};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt;

#[derive(Debug, thiserror::Error)]
#[error("connection dropped by fault injection")]
struct Dropped;

pub async fn serve(
    listener: TcpListener,
    router: Router,
    state: AppState,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(x) => x,
                    Err(e) => {
                        // Out of file descriptors and similar: back off instead of spinning.
                        tracing::warn!(error = %e, "emulator accept failed");
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let router = router.clone();
                let state = state.clone();
                let mut stop = stop.clone();
                tokio::spawn(async move {
                    let svc = hyper::service::service_fn(move |req: Request<Incoming>| {
                        handle(router.clone(), state.clone(), peer, req)
                    });
                    let conn = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc);
                    tokio::pin!(conn);
                    tokio::select! {
                        _ = conn.as_mut() => {}
                        _ = stop.changed() => {
                            conn.as_mut().graceful_shutdown();
                            let _ = conn.await;
                        }
                    }
                });
            }
            _ = stop.changed() => break,
        }
    }
}

async fn handle(
    router: Router,
    state: AppState,
    peer: std::net::SocketAddr,
    req: Request<Incoming>,
) -> Result<Response, Dropped> {
    let path = req.uri().path();
    let is_graph = path.starts_with("/graph/");
    let is_token = path.starts_with("/login/") && path.ends_with("/oauth2/v2.0/token");
    if (is_graph || is_token)
        && let Some((kind, slow_ms, retry_after)) = state.faults.decide(is_token)
    {
        {
            match kind {
                FaultKind::Drop => return Err(Dropped),
                FaultKind::Slow => tokio::time::sleep(Duration::from_millis(slow_ms)).await,
                FaultKind::TooManyRequests if is_graph => {
                    return Ok(GraphError::too_many_requests(retry_after).into_response());
                }
                FaultKind::Unavailable if is_graph => {
                    return Ok(GraphError::unavailable(retry_after).into_response());
                }
                FaultKind::TooManyRequests | FaultKind::Unavailable => {
                    let err = if kind == FaultKind::TooManyRequests {
                        AadError::throttled()
                    } else {
                        AadError::unavailable()
                    };
                    let mut resp = err.into_response();
                    resp.headers_mut()
                        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
                    return Ok(resp);
                }
            }
        }
    }
    let mut req = req.map(Body::new);
    req.extensions_mut().insert(PeerAddr(peer));
    // The router's error type is Infallible.
    Ok(router
        .oneshot(req)
        .await
        .unwrap_or_else(|never| match never {}))
}
