//! Our CSS and script, embedded in the binary so a deployment is one file.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

const APP_CSS: &str = include_str!("../static/app.css");
const APP_JS: &str = include_str!("../static/app.js");
const POD_JS: &str = include_str!("../static/pod.js");
const POD_HANDOFF_JS: &str = include_str!("../static/pod-handoff.js");
const SECRETS_JS: &str = include_str!("../static/secrets.js");
const BROADCASTS_JS: &str = include_str!("../static/broadcasts.js");

/// `GET /static/{file}`.
pub async fn serve(Path(file): Path<String>) -> Response {
    let (body, kind) = match file.as_str() {
        "app.css" => (APP_CSS, "text/css; charset=utf-8"),
        "app.js" => (APP_JS, "text/javascript; charset=utf-8"),
        "pod.js" => (POD_JS, "text/javascript; charset=utf-8"),
        "pod-handoff.js" => (POD_HANDOFF_JS, "text/javascript; charset=utf-8"),
        "secrets.js" => (SECRETS_JS, "text/javascript; charset=utf-8"),
        "broadcasts.js" => (BROADCASTS_JS, "text/javascript; charset=utf-8"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        body,
    )
        .into_response()
}
