//! Technicians restricted to the Pod ("Allow access to UI" off, product.md 1.3): every page
//! except the Pod, their own account (password, 2FA, sessions) and signing out answers 403.
//! Runs after the session middleware, so it sees who is signed in.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Paths a Pod-only technician may reach.
fn allowed(path: &str) -> bool {
    path.starts_with("/pod/")
        || path.starts_with("/static/")
        // Secure Send/Request recipient pages are public: being signed in changes nothing.
        || path.starts_with("/s/")
        || path.starts_with("/r/")
        // So is a broadcast's unsubscribe link.
        || path.starts_with("/unsubscribe/")
        || path == "/account"
        || path.starts_with("/account/")
        || path.starts_with("/login")
        || matches!(path, "/logout" | "/healthz" | "/readyz")
}

pub async fn restrict(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if let Some(user) = req.extensions().get::<CurrentUser>()
        && !allowed(req.uri().path())
    {
        match state.app.is_pod_only(user.org.id, user.technician.id).await {
            Ok(false) => {}
            Ok(true) => {
                return WebError::Forbidden(
                    "Your account can use the Pod only: open contacts from your PSA. Ask an admin of your organisation if you need the rest of Countersign.".into(),
                )
                .into_response();
            }
            Err(e) => return WebError::from(e).into_response(),
        }
    }
    next.run(req).await
}
