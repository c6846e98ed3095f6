//! The browser's `Accept-Language`, which end-user pages fall back to when neither the
//! contact nor its customer has a language (issue 21.8).

use axum::extract::FromRequestParts;
use axum::http::header::ACCEPT_LANGUAGE;
use axum::http::request::Parts;
use std::convert::Infallible;

/// The header's value (its first 256 characters: more names no language we have), if any.
#[derive(Clone, Debug, Default)]
pub struct AcceptLanguage(pub Option<String>);

impl AcceptLanguage {
    /// The value, for `App::end_user_locale`.
    #[must_use]
    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for AcceptLanguage {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .headers
                .get(ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .map(|s| s.chars().take(256).collect()),
        ))
    }
}
