//! `PATCH /v1.0/users/{id}`: phone write-back and a few other properties, with the rules that
//! bite in production: on-premises-synced users are read-only (400), and sensitive properties
//! follow the role matrix (403 Authorization_RequestDenied) [S14b][S14c].

use super::auth::{Caller, authenticate, charge};
use super::error::GraphError;
use super::users::resolve;
use crate::model::directory::diff;
use crate::model::roles::{app_only_may_edit, may_edit_sensitive};
use crate::model::user::{Text, User, UserType};
use crate::state::{AppState, Shared, WriteRecord};
use crate::throttle::Cost;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::Value;

const WRITE_ROLES: &[&str] = &["User.ReadWrite.All", "Directory.ReadWrite.All"];
const WRITE_SCOPES: &[&str] = &[
    "User.ReadWrite.All",
    "Directory.ReadWrite.All",
    "Directory.AccessAsUser.All",
];
/// Sensitive properties among those the emulator lets clients change.
const SENSITIVE: &[&str] = &["mobilePhone", "businessPhones", "accountEnabled"];

pub async fn patch(
    State(s): State<AppState>,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let parsed: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let caller = match authenticate(&s, &headers) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let result = apply(&s, &caller, &key, &parsed);
    let status = match &result {
        Ok(_) => StatusCode::NO_CONTENT,
        Err(e) => e.status,
    };
    let target = caller.tenant.read().resolve(&key);
    s.record_write(WriteRecord {
        at: s.clock.now(),
        method: "PATCH".into(),
        path: format!("/v1.0/users/{key}"),
        tenant_id: caller.tenant.id,
        app_id: caller.claims.appid,
        user_id: (!caller.is_app()).then_some(caller.claims.oid),
        target_user_id: target,
        body: parsed,
        status: status.as_u16(),
    });
    match result {
        Ok(usage) => {
            let mut resp = StatusCode::NO_CONTENT.into_response();
            usage.apply(&mut resp);
            resp
        }
        Err(e) => e.into_response(),
    }
}

fn text(v: &Value, name: &str, max: usize) -> Result<Option<Text>, GraphError> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) if s.chars().count() <= max => Ok(Some(s.as_str().into())),
        Value::String(_) => Err(GraphError::bad_request(format!(
            "Invalid value specified for property '{name}' of resource 'User'."
        ))),
        _ => Err(GraphError::bad_request(format!(
            "Cannot convert the literal '{v}' to the expected type 'Edm.String'."
        ))),
    }
}

/// Applies the body to a copy of `user`; unknown or read-only properties are refused.
pub(crate) fn edited(
    user: &User,
    body: &serde_json::Map<String, Value>,
) -> Result<User, GraphError> {
    let mut u = user.clone();
    for (name, v) in body {
        match name.as_str() {
            "mobilePhone" => u.mobile_phone = text(v, name, 64)?,
            "businessPhones" => {
                let Value::Array(items) = v else {
                    return Err(GraphError::bad_request(
                        "Cannot convert a primitive value to the expected type 'Collection(Edm.String)'.",
                    ));
                };
                // A string collection, but only one number can be set [S14c].
                if items.len() > 1 {
                    return Err(GraphError::bad_request(
                        "Invalid value specified for property 'businessPhones' of resource 'User'.",
                    ));
                }
                u.business_phones = items
                    .iter()
                    .map(|i| text(i, name, 64))
                    .collect::<Result<Vec<_>, _>>()?
                    .into_iter()
                    .flatten()
                    .collect();
            }
            "jobTitle" => u.job_title = text(v, name, 128)?,
            "usageLocation" => {
                let code = text(v, name, 2)?;
                if code
                    .as_deref()
                    .is_some_and(|c| c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase()))
                {
                    return Err(GraphError::bad_request(
                        "Invalid value specified for property 'usageLocation' of resource 'User'.",
                    ));
                }
                u.usage_location = code;
            }
            "country" => u.country = text(v, name, 128)?,
            "officeLocation" => u.office_location = text(v, name, 128)?,
            "preferredLanguage" => u.preferred_language = text(v, name, 64)?,
            "givenName" => u.given_name = text(v, name, 64)?,
            "surname" => u.surname = text(v, name, 64)?,
            "displayName" => {
                u.display_name = text(v, name, 256)?.ok_or_else(|| {
                    GraphError::bad_request(
                        "Invalid value specified for property 'displayName' of resource 'User'.",
                    )
                })?;
            }
            "accountEnabled" => {
                u.account_enabled = v.as_bool().ok_or_else(|| {
                    GraphError::bad_request(
                        "Cannot convert the literal to the expected type 'Edm.Boolean'.",
                    )
                })?;
            }
            // Graph converts members to guests and back (B2B); the sync filters by it.
            "userType" => {
                u.user_type = match v.as_str() {
                    Some("Member") => UserType::Member,
                    Some("Guest") => UserType::Guest,
                    _ => {
                        return Err(GraphError::bad_request(
                            "Invalid value specified for property 'userType' of resource 'User'.",
                        ));
                    }
                };
            }
            other => {
                return Err(GraphError::bad_request(format!(
                    "Property '{other}' does not exist as a declared property or extension property."
                )));
            }
        }
    }
    Ok(u)
}

fn apply(
    s: &Shared,
    caller: &Caller,
    key: &str,
    body: &Value,
) -> Result<super::auth::Usage, GraphError> {
    caller.require(WRITE_ROLES, WRITE_SCOPES)?;
    let usage = charge(s, caller, Cost::compute(1, false, false, None, true))?;
    let Value::Object(body) = body else {
        return Err(GraphError::bad_request(
            "Empty Payload. JSON content expected.",
        ));
    };
    let id = resolve(caller, key)?;
    let mut dir = caller.tenant.write();
    let current = dir.active(id).ok_or_else(|| GraphError::not_found(key))?;
    let new = edited(current, body)?;
    let touches_sensitive = body.keys().any(|k| SENSITIVE.contains(&k.as_str()));
    // Delegated callers may edit their own phones; everyone else goes through the matrix.
    let self_edit = !caller.is_app() && caller.claims.oid == id;
    if touches_sensitive && !self_edit {
        let allowed = if caller.is_app() {
            let sp_roles = s
                .world
                .app(&caller.claims.appid.to_string())
                .and_then(|app| s.world.consent(caller.tenant.id, app))
                .map(|c| c.directory_roles)
                .unwrap_or_default();
            app_only_may_edit(&current.roles) || may_edit_sensitive(&sp_roles, &current.roles)
        } else {
            may_edit_sensitive(&caller.claims.wids, &current.roles)
        };
        if !allowed {
            return Err(GraphError::denied());
        }
    }
    if current.on_premises_sync_enabled == Some(true) && !body.is_empty() {
        return Err(GraphError::bad_request(
            "Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.",
        ));
    }
    let changed = diff(current, &new);
    dir.update(id, |u| {
        *u = new;
        changed
    })
    .map_err(|_| GraphError::not_found(key))?;
    Ok(usage)
}
