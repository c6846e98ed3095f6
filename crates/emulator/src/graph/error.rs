//! Graph's error JSON (microsoft-365.md §4.4):
//! `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`.

use crate::clock::{Clock, graph_date};
use axum::Json;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct GraphError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub headers: Vec<(HeaderName, String)>,
    /// Graph's 429 body nests `code`/`status` strings inside `innerError` [S20].
    pub throttle_body: bool,
}

impl GraphError {
    #[must_use]
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        GraphError {
            status,
            code,
            message: message.into(),
            headers: Vec::new(),
            throttle_body: false,
        }
    }

    #[must_use]
    pub fn header(mut self, name: HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    #[must_use]
    pub fn unauthenticated(message: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken", message).header(
            header::WWW_AUTHENTICATE,
            "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"",
        )
    }

    #[must_use]
    pub fn denied() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        )
    }

    #[must_use]
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "Request_BadRequest", message)
    }

    #[must_use]
    pub fn not_found(id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            format!(
                "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
            ),
        )
    }

    #[must_use]
    pub fn too_many_requests(retry_after: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            "Please retry again later.",
        )
        .header(header::RETRY_AFTER, retry_after.to_string());
        e.throttle_body = true;
        e
    }

    #[must_use]
    pub fn unavailable(retry_after: u64) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            "Service is unavailable. Please retry later.",
        )
        .header(header::RETRY_AFTER, retry_after.to_string())
    }
}

impl IntoResponse for GraphError {
    fn into_response(self) -> Response {
        let request_id = Uuid::new_v4().to_string();
        // Error dates use wall time: the control clock only moves expiries.
        let date = graph_date(Clock::default().now());
        let inner = if self.throttle_body {
            serde_json::json!({
                "code": self.status.as_u16().to_string(),
                "date": date,
                "message": "Please retry after",
                "request-id": request_id,
                "status": self.status.as_u16().to_string(),
            })
        } else {
            serde_json::json!({"date": date, "request-id": request_id, "client-request-id": request_id})
        };
        let body = serde_json::json!({"error": {"code": self.code, "message": self.message, "innerError": inner}});
        let mut resp = (self.status, Json(body)).into_response();
        let h = resp.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&request_id) {
            h.insert("request-id", v);
        }
        for (name, value) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&value) {
                h.insert(name, v);
            }
        }
        resp
    }
}
