//! Who is signed in. The session middleware (`session.rs`) resolves the session cookie and
//! puts a [`CurrentUser`] into the request extensions; handlers take it as an extractor.
//! A handler that takes neither `CurrentUser` nor `RequireAdmin` is public.

pub mod pod_session;
pub mod session;

use crate::error::WebError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use countersign_store::{Org, Session, Technician};

/// The signed-in technician of this request (fully signed in: second factor done).
#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub technician: Technician,
    pub org: Org,
    pub session: Session,
    /// The form token bound to this session.
    pub csrf_token: String,
}

impl CurrentUser {
    /// This technician as the principal of a use case, from `ip`: every use case checks its
    /// permission on it (`countersign_app::Principal`).
    #[must_use]
    pub fn principal(&self, ip: std::net::IpAddr) -> countersign_app::Principal {
        countersign_app::Principal::technician(&self.technician, ip)
    }

    /// This technician as the actor of an audit entry, from `ip`.
    #[must_use]
    pub fn actor(&self, ip: std::net::IpAddr) -> countersign_app::audit::Actor {
        countersign_app::audit::Actor {
            org_id: Some(self.org.id),
            technician_id: Some(self.technician.id),
            label: self.technician.email.clone(),
            ip: Some(ip.to_string()),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Self>()
            .cloned()
            .ok_or(WebError::Unauthorized)
    }
}

/// A signed-in admin; technicians get 403 ("technicians cannot manage integrations,
/// technicians or settings").
#[derive(Clone, Debug)]
pub struct RequireAdmin(pub CurrentUser);

impl<S: Send + Sync> FromRequestParts<S> for RequireAdmin {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        if user.technician.role.can_manage() {
            Ok(Self(user))
        } else {
            Err(WebError::Forbidden(
                "Only admins can do this. Ask an admin of your organisation.".into(),
            ))
        }
    }
}

/// A signed-in technician whose session proved itself recently (`App::require_recent_proof`):
/// sensitive pages and actions take this instead of [`CurrentUser`]. Without a recent proof the
/// request goes to "Confirm it's you" and changes nothing (issue 18.2, ASVS 7.5.1).
#[derive(Clone, Debug)]
pub struct RecentUser(pub CurrentUser);

impl FromRequestParts<crate::AppState> for RecentUser {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &crate::AppState,
    ) -> Result<Self, Self::Rejection> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        require_recent(state, parts, &user)?;
        Ok(Self(user))
    }
}

/// An admin whose session proved itself recently: the admin check first (a technician gets
/// 403, not a confirmation page), then [`RecentUser`]'s.
#[derive(Clone, Debug)]
pub struct RecentAdmin(pub CurrentUser);

impl FromRequestParts<crate::AppState> for RecentAdmin {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &crate::AppState,
    ) -> Result<Self, Self::Rejection> {
        let RequireAdmin(user) = RequireAdmin::from_request_parts(parts, state).await?;
        require_recent(state, parts, &user)?;
        Ok(Self(user))
    }
}

/// The app's rule for this request's session; when it says "ask again", where to come back:
/// the page itself for a GET, the page the form was on (the same-origin `Referer`) for a POST.
fn require_recent(
    state: &crate::AppState,
    parts: &Parts,
    user: &CurrentUser,
) -> Result<(), WebError> {
    use countersign_app::accounts::AccountError;
    match state.app.require_recent_proof(&user.session) {
        Ok(()) => Ok(()),
        Err(AccountError::ReauthRequired) => Err(WebError::ReauthRequired {
            next: crate::routes::account::return_path(parts, &state.app.settings),
        }),
        Err(e) => Err(e.into()),
    }
}

/// The user agent, for the session list ("Firefox on Windows" is how people recognise a
/// session they did not start).
#[must_use]
pub fn user_agent(headers: &axum::http::HeaderMap) -> String {
    headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .take(300)
        .collect()
}
