//! `GET /v1.0/users` and `GET /v1.0/users/{id}`.
//!
//! Paging is keyset-based: the skiptoken names the tenant and the last id served, so each
//! page is a B-tree range scan (cheap at a million users) and pages stay complete and
//! duplicate-free while users are added or deleted between requests.

use super::auth::{Caller, authenticate, charge};
use super::error::GraphError;
use super::page::{PageWriter, json_response};
use super::query::{Query, decode_token, encode_token, link, user_select};
use crate::model::user::{FieldSet, Selected, User};
use crate::state::AppState;
use crate::throttle::Cost;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const READ_ROLES: &[&str] = &[
    "User.Read.All",
    "User.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
pub const READ_SCOPES: &[&str] = &[
    "User.ReadBasic.All",
    "User.Read.All",
    "User.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "Directory.AccessAsUser.All",
];
/// Graph's default page size for users.
const DEFAULT_TOP: u32 = 100;
const MAX_TOP: u32 = 999;

#[derive(Serialize, Deserialize)]
struct SkipToken {
    /// Tenant the token was issued for.
    t: Uuid,
    /// Last user id served.
    a: Uuid,
}

fn context(graph: &str, select: Option<FieldSet>) -> String {
    match select {
        Some(s) => format!("{graph}/v1.0/$metadata#users({})", s.to_select()),
        None => format!("{graph}/v1.0/$metadata#users"),
    }
}

pub async fn list(
    State(s): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, GraphError> {
    let caller = authenticate(&s, &headers)?;
    caller.require(READ_ROLES, READ_SCOPES)?;
    let q = Query::parse(raw.as_deref());
    q.refuse(&[
        "$filter", "$search", "$orderby", "$count", "$expand", "$skip",
    ])?;
    let select = user_select(&q)?;
    let top = q.top(MAX_TOP)?;
    let usage = charge(
        &s,
        &caller,
        Cost::compute(2, select.is_some(), false, top, false),
    )?;
    let after = match q.get("$skiptoken") {
        Some(tok) => {
            let tok: SkipToken = decode_token(tok, "skip token")?;
            if tok.t != caller.tenant.id {
                return Err(GraphError::bad_request(
                    "The skip token was issued for another tenant.",
                ));
            }
            Some(tok.a)
        }
        None => None,
    };
    let page_size = top.unwrap_or(DEFAULT_TOP) as usize;
    let fields = select.unwrap_or(FieldSet::DEFAULT);
    let dir = caller.tenant.read();
    let users: Vec<&User> = dir.active_after(after).take(page_size + 1).collect();
    let has_more = users.len() > page_size;
    let users = &users[..users.len().min(page_size)];
    let next = match (has_more, users.last()) {
        (true, Some(last)) => {
            let token = encode_token(&SkipToken {
                t: caller.tenant.id,
                a: last.id,
            });
            let select_text = select.map(FieldSet::to_select);
            let top_text = page_size.to_string();
            let mut pairs: Vec<(&str, &str)> = Vec::new();
            if let Some(sel) = &select_text {
                pairs.push(("$select", sel));
            }
            pairs.push(("$top", &top_text));
            pairs.push(("$skiptoken", &token));
            Some(link(&format!("{}/v1.0/users", s.urls.graph), &pairs))
        }
        _ => None,
    };
    let mut w = PageWriter::new(
        users.len() * 420 + 512,
        &context(&s.urls.graph, select),
        next.as_deref().map(|n| ("@odata.nextLink", n)),
    );
    for user in users {
        w.item(&Selected { user, fields });
    }
    drop(dir);
    let mut resp = w.finish(None);
    usage.apply(&mut resp);
    Ok(resp)
}

pub fn resolve(caller: &Caller, key: &str) -> Result<Uuid, GraphError> {
    let dir = caller.tenant.read();
    dir.resolve(key)
        .filter(|id| dir.active(*id).is_some())
        .ok_or_else(|| GraphError::not_found(key))
}

pub async fn get(
    State(s): State<AppState>,
    Path(key): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, GraphError> {
    let caller = authenticate(&s, &headers)?;
    caller.require(READ_ROLES, READ_SCOPES)?;
    let q = Query::parse(raw.as_deref());
    let select = user_select(&q)?;
    let usage = charge(
        &s,
        &caller,
        Cost::compute(1, select.is_some(), false, None, false),
    )?;
    let id = resolve(&caller, &key)?;
    let dir = caller.tenant.read();
    let user = dir.active(id).ok_or_else(|| GraphError::not_found(&key))?;
    let mut body = serde_json::to_value(Selected {
        user,
        fields: select.unwrap_or(FieldSet::DEFAULT),
    })
    .unwrap_or_default();
    if let Some(obj) = body.as_object_mut() {
        let ctx = match select {
            Some(sel) => format!(
                "{}/v1.0/$metadata#users({})/$entity",
                s.urls.graph,
                sel.to_select()
            ),
            None => format!("{}/v1.0/$metadata#users/$entity", s.urls.graph),
        };
        obj.insert("@odata.context".into(), ctx.into());
    }
    let mut resp = json_response(
        StatusCode::OK,
        serde_json::to_vec(&body).unwrap_or_default(),
    );
    usage.apply(&mut resp);
    Ok(resp.into_response())
}
