//! Reading the query string Microsoft redirects back with, after admin consent or sign-in.
//! Only `state` and the error are trusted as they are; the `tenant` of a consent redirect can
//! be forged and must be proven with a token (the caller does that).

use crate::error::IdentityError;
use std::collections::HashMap;

/// A redirect that carries an error (cancel, denial, misconfiguration).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}: {}", .error.error, .error.summary())]
pub struct CallbackError {
    /// The `state` echoed back, if any.
    pub state: Option<String>,
    /// The error, as the identity platform gave it.
    pub error: Box<IdentityError>,
}

impl CallbackError {
    /// The error a redirect carries (`error=…`), if any.
    #[must_use]
    pub fn of(q: &HashMap<String, String>) -> Option<Self> {
        error_of(q)
    }
}

fn error_of(q: &HashMap<String, String>) -> Option<CallbackError> {
    let error = q.get("error")?;
    Some(CallbackError {
        state: q.get("state").cloned(),
        error: Box::new(IdentityError {
            error: error.clone(),
            error_description: q.get("error_description").cloned().unwrap_or_default(),
            ..IdentityError::default()
        }),
    })
}

fn missing(q: &HashMap<String, String>, what: &str) -> CallbackError {
    CallbackError {
        state: q.get("state").cloned(),
        error: Box::new(IdentityError {
            error: "invalid_request".into(),
            error_description: format!("the redirect from Microsoft has no {what}"),
            ..IdentityError::default()
        }),
    }
}

/// A successful admin-consent redirect: `?admin_consent=True&tenant=…&scope=…&state=…`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentCallback {
    /// As sent; to be checked against the stored one.
    pub state: String,
    /// The tenant *claimed* by the redirect: never trusted on its own.
    pub claimed_tenant: String,
    /// Scopes granted, space-separated.
    pub scope: String,
}

impl ConsentCallback {
    /// Parses the query parameters.
    ///
    /// # Errors
    /// The redirect carries an error, or lacks `state` or `tenant`.
    pub fn parse(q: &HashMap<String, String>) -> Result<Self, CallbackError> {
        if let Some(e) = error_of(q) {
            return Err(e);
        }
        Ok(Self {
            state: q.get("state").cloned().ok_or_else(|| missing(q, "state"))?,
            claimed_tenant: q
                .get("tenant")
                .cloned()
                .ok_or_else(|| missing(q, "tenant"))?,
            scope: q.get("scope").cloned().unwrap_or_default(),
        })
    }
}

/// A successful sign-in redirect: `?code=…&state=…`.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthCodeCallback {
    /// As sent; to be checked against the stored one.
    pub state: String,
    /// The authorization code (single use, ~10 minutes).
    pub code: String,
}

impl std::fmt::Debug for AuthCodeCallback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthCodeCallback")
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl AuthCodeCallback {
    /// Parses the query parameters.
    ///
    /// # Errors
    /// The redirect carries an error, or lacks `state` or `code`.
    pub fn parse(q: &HashMap<String, String>) -> Result<Self, CallbackError> {
        if let Some(e) = error_of(q) {
            return Err(e);
        }
        Ok(Self {
            state: q.get("state").cloned().ok_or_else(|| missing(q, "state"))?,
            code: q.get("code").cloned().ok_or_else(|| missing(q, "code"))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect()
    }

    #[test]
    fn consent_success_and_errors() {
        let ok = ConsentCallback::parse(&q(&[
            ("admin_consent", "True"),
            ("tenant", "t"),
            ("state", "s"),
        ]))
        .unwrap();
        assert_eq!(ok.claimed_tenant, "t");
        let err = ConsentCallback::parse(&q(&[
            ("error", "access_denied"),
            ("error_description", "AADSTS65004: declined"),
            ("state", "s"),
        ]))
        .unwrap_err();
        assert_eq!(err.error.code(), Some(65004));
        assert_eq!(err.state.as_deref(), Some("s"));
        assert!(ConsentCallback::parse(&q(&[("state", "s")])).is_err());
    }

    #[test]
    fn code_is_not_in_debug() {
        let c = AuthCodeCallback::parse(&q(&[("code", "secret-code"), ("state", "s")])).unwrap();
        assert!(!format!("{c:?}").contains("secret-code"));
    }
}
