//! OData query options as Graph reads them: `$select`, `$top`, `$skiptoken`, … (keys are
//! matched after percent-decoding, so `%24select` works too).

use super::error::GraphError;
use crate::model::user::{Field, FieldSet};
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::HashMap;

pub struct Query(HashMap<String, String>);

impl Query {
    #[must_use]
    pub fn parse(raw: Option<&str>) -> Query {
        Query(
            form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
                .into_owned()
                .collect(),
        )
    }

    #[must_use]
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// `$top` within `1..=max`; Graph rejects anything else with 400.
    pub fn top(&self, max: u32) -> Result<Option<u32>, GraphError> {
        let Some(raw) = self.get("$top") else {
            return Ok(None);
        };
        match raw.trim().parse::<u32>() {
            Ok(n) if (1..=max).contains(&n) => Ok(Some(n)),
            _ => Err(GraphError::bad_request(format!(
                "Invalid page size specified: '{raw}'. Must be between 1 and {max} inclusive."
            ))),
        }
    }

    /// Options the emulator does not implement are refused loudly rather than ignored, so a
    /// client never believes a filter was applied when it was not.
    pub fn refuse(&self, options: &[&str]) -> Result<(), GraphError> {
        for o in options {
            if self.0.contains_key(*o) {
                return Err(GraphError::new(
                    StatusCode::BAD_REQUEST,
                    "Request_UnsupportedQuery",
                    format!("The query option '{o}' is not supported on this resource."),
                ));
            }
        }
        Ok(())
    }
}

/// Properties Graph refuses to return in a collection.
const NOT_IN_COLLECTIONS: &[&str] = &[
    "aboutMe",
    "birthday",
    "hireDate",
    "interests",
    "mailboxSettings",
    "mySite",
    "pastProjects",
    "preferredName",
    "responsibilities",
    "schools",
    "skills",
];

/// `$select` for users; `None` when absent.
pub fn user_select(q: &Query) -> Result<Option<FieldSet>, GraphError> {
    let Some(raw) = q.get("$select") else {
        return Ok(None);
    };
    let mut set = FieldSet::default();
    for name in raw.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        if let Some(f) = Field::parse(name) {
            set = set.with(f);
        } else if NOT_IN_COLLECTIONS
            .iter()
            .any(|n| n.eq_ignore_ascii_case(name))
        {
            return Err(GraphError::new(
                StatusCode::NOT_IMPLEMENTED,
                "NotImplemented",
                format!(
                    "The '{name}' property cannot be returned in a collection; request it on a single user."
                ),
            ));
        } else {
            return Err(GraphError::bad_request(format!(
                "Could not find a property named '{name}' on type 'microsoft.graph.user'."
            )));
        }
    }
    Ok(Some(set))
}

/// Page tokens are base64url JSON: opaque to clients, cheap to decode, carry their own state.
pub fn encode_token<T: Serialize>(value: &T) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap_or_default())
}

pub fn decode_token<T: DeserializeOwned>(token: &str, what: &str) -> Result<T, GraphError> {
    URL_SAFE_NO_PAD
        .decode(token.trim())
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| {
            GraphError::bad_request(format!(
                "The {what} is invalid or was issued for another request."
            ))
        })
}

/// Appends `key=value` pairs with Graph-style encoding (keeps `$` and `,` readable).
#[must_use]
pub fn link(base: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = base.to_string();
    for (i, (k, v)) in pairs.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(k);
        out.push('=');
        out.extend(
            form_urlencoded::byte_serialize(v.as_bytes())
                .map(|s| s.replace("%2C", ",").replace("%24", "$")),
        );
    }
    out
}
