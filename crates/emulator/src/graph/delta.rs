//! `GET /v1.0/users/delta` [S15][S15b][S15c].
//!
//! Rounds: the first request (no token) pages through every active user, then returns a
//! deltaLink fixed at the directory's change sequence when the round started. A deltaLink
//! starts an incremental round over users whose latest change is after that sequence and
//! touched a tracked property (or their lifecycle), ending with a new deltaLink. Tokens carry
//! the query, so `$select` is only sent on the first request. `$deltatoken=latest` returns just
//! a deltaLink. deltaLinks older than 7 days answer 410 Gone (full resync required).

use super::auth::{authenticate, charge};
use super::error::GraphError;
use super::page::PageWriter;
use super::query::{Query, decode_token, encode_token, link, user_select};
use super::users::{READ_ROLES, READ_SCOPES};
use crate::model::directory::DeltaItem;
use crate::model::user::{Field, FieldSet, Selected};
use crate::state::AppState;
use crate::throttle::Cost;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Directory-object delta tokens expire after 7 days [S15c].
pub const DELTA_TOKEN_LIFETIME_MS: i64 = 7 * 24 * 3600 * 1000;
const DEFAULT_PAGE: usize = 100;
const MAX_PAGE: usize = 999;

#[derive(Serialize, Deserialize)]
enum Cursor {
    /// First round: active users after `after`, changes up to `upto` are covered.
    Initial { after: Option<Uuid>, upto: u64 },
    /// Incremental round: changes in `(since, upto]`, resuming after change `after`.
    Changes { since: u64, after: u64, upto: u64 },
    /// A deltaLink: the next round covers changes after `since`.
    Link { since: u64 },
}

/// Graph may reset a tenant's sync state at any time (Microsoft: "the service may return
/// 410 Gone ... the client must restart with a full synchronization"), mid-round too. Tokens
/// carry the tenant's reset epoch; a reset bumps it, now or after a number of pages, so every
/// token issued before answers 410 (`resyncRequired`).
#[derive(Debug, Default)]
pub struct SyncResets {
    tenants: std::sync::Mutex<std::collections::HashMap<Uuid, ResetState>>,
}

#[derive(Debug, Default, Clone, Copy)]
struct ResetState {
    epoch: u64,
    after_pages: Option<u32>,
}

impl SyncResets {
    fn state(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<Uuid, ResetState>> {
        self.tenants
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Resets the tenant's sync state once `after_pages` more delta pages were served (0:
    /// now).
    pub fn reset(&self, tenant: Uuid, after_pages: u32) {
        let mut all = self.state();
        let st = all.entry(tenant).or_default();
        if after_pages == 0 {
            st.epoch += 1;
            st.after_pages = None;
        } else {
            st.after_pages = Some(after_pages);
        }
    }

    fn epoch(&self, tenant: Uuid) -> u64 {
        self.state().get(&tenant).map_or(0, |s| s.epoch)
    }

    fn page_served(&self, tenant: Uuid) {
        let mut all = self.state();
        if let Some(st) = all.get_mut(&tenant)
            && let Some(n) = st.after_pages
        {
            if n <= 1 {
                st.epoch += 1;
                st.after_pages = None;
            } else {
                st.after_pages = Some(n - 1);
            }
        }
    }
}

#[derive(Serialize, Deserialize)]
struct DeltaToken {
    t: Uuid,
    /// The tenant's sync-state epoch when issued ([`SyncResets`]).
    #[serde(default)]
    e: u64,
    /// Fields returned.
    r: u32,
    /// Fields tracked (a change elsewhere does not surface the user).
    k: u32,
    /// Issued at (ms), for expiry.
    i: i64,
    c: Cursor,
}

fn page_size(headers: &HeaderMap) -> usize {
    // `Prefer: odata.maxpagesize=N` is how Graph lets delta clients pick a page size.
    headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|p| p.trim().strip_prefix("odata.maxpagesize="))
        .find_map(|n| n.trim().parse::<usize>().ok())
        .map_or(DEFAULT_PAGE, |n| n.clamp(1, MAX_PAGE))
}

fn resync_required(s: &crate::state::Shared) -> GraphError {
    GraphError::new(
        StatusCode::GONE,
        "resyncRequired",
        "Resync required. Replace any local cached copies of the directory objects with the results of a full sync using an empty delta token.",
    )
    .header(header::LOCATION, format!("{}/v1.0/users/delta?$deltatoken=", s.urls.graph))
}

pub async fn delta(
    State(s): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, GraphError> {
    let caller = authenticate(&s, &headers)?;
    caller.require(READ_ROLES, READ_SCOPES)?;
    let q = Query::parse(raw.as_deref());
    q.refuse(&[
        "$top", "$orderby", "$expand", "$filter", "$search", "$count",
    ])?;
    let now = s.clock.now().millis();
    let tenant = caller.tenant.id;
    let dir = caller.tenant.read();
    let current = dir.seq();
    let epoch = s.delta_resets.epoch(tenant);

    let token = match (q.get("$deltatoken"), q.get("$skiptoken")) {
        (Some(""), _) => None,
        (Some(t), _) if t.eq_ignore_ascii_case("latest") => {
            let select = user_select(&q)?;
            let (r, k) = select.map_or((FieldSet::DEFAULT, FieldSet::ALL), |s| (s, s));
            Some(DeltaToken {
                t: tenant,
                e: epoch,
                r: r.0,
                k: k.0,
                i: now,
                c: Cursor::Link { since: current },
            })
        }
        (Some(t), _) | (None, Some(t)) => {
            let tok: DeltaToken = decode_token(t, "delta token")?;
            if tok.t != tenant {
                return Err(GraphError::bad_request(
                    "The delta token was issued for another tenant.",
                ));
            }
            if matches!(tok.c, Cursor::Link { .. }) && now - tok.i > DELTA_TOKEN_LIFETIME_MS {
                return Err(resync_required(&s));
            }
            if tok.e < epoch {
                return Err(resync_required(&s));
            }
            Some(tok)
        }
        (None, None) => None,
    };
    let select = user_select(&q)?;
    let usage = charge(
        &s,
        &caller,
        Cost::compute(2, select.is_some() || token.is_some(), false, None, false),
    )?;
    let token = token.unwrap_or_else(|| {
        let (r, k) = select.map_or((FieldSet::DEFAULT, FieldSet::ALL), |s| (s, s));
        DeltaToken {
            t: tenant,
            e: epoch,
            r: r.0,
            k: k.0,
            i: now,
            c: Cursor::Initial {
                after: None,
                upto: current,
            },
        }
    });
    let (returned, tracked) = (FieldSet(token.r).with(Field::Id), FieldSet(token.k));
    let context = format!(
        "{}/v1.0/$metadata#users({})",
        s.urls.graph,
        returned.to_select()
    );
    let size = page_size(&headers);
    let base = format!("{}/v1.0/users/delta", s.urls.graph);
    let make = |c: Cursor| DeltaToken {
        t: tenant,
        e: epoch,
        r: token.r,
        k: token.k,
        i: now,
        c,
    };

    // Gather one page, then decide the link before writing (Graph puts nextLink first).
    let mut present = Vec::new();
    let (next, delta_link) = match token.c {
        Cursor::Link { since } if since >= current => {
            (None, Some(make(Cursor::Link { since: current })))
        }
        Cursor::Link { since } => collect_changes(
            &dir,
            since,
            since,
            current,
            tracked,
            size,
            &mut present,
            &make,
        ),
        Cursor::Changes { since, after, upto } => {
            collect_changes(&dir, since, after, upto, tracked, size, &mut present, &make)
        }
        Cursor::Initial { after, upto } => {
            let users: Vec<_> = dir.active_after(after).take(size + 1).collect();
            let more = users.len() > size;
            let last = users
                .get(size.min(users.len()).saturating_sub(1))
                .map(|u| u.id);
            present.extend(users.into_iter().take(size).map(DeltaItem::Present));
            if more {
                (Some(make(Cursor::Initial { after: last, upto })), None)
            } else {
                (None, Some(make(Cursor::Link { since: upto })))
            }
        }
    };
    let next_url = next.map(|t| link(&base, &[("$skiptoken", &encode_token(&t))]));
    let delta_url = delta_link.map(|t| link(&base, &[("$deltatoken", &encode_token(&t))]));
    let mut w = PageWriter::new(
        present.len() * 420 + 512,
        &context,
        next_url.as_deref().map(|u| ("@odata.nextLink", u)),
    );
    for item in &present {
        match item {
            DeltaItem::Present(user) => w.item(&Selected {
                user,
                fields: returned,
            }),
            DeltaItem::Removed { id, reason } => w.item(&serde_json::json!({
                "@odata.type": "#microsoft.graph.user",
                "id": id,
                "@removed": {"reason": reason},
            })),
        }
    }
    drop(dir);
    s.delta_resets.page_served(tenant);
    let mut resp = w.finish(delta_url.as_deref().map(|u| ("@odata.deltaLink", u)));
    usage.apply(&mut resp);
    Ok(resp)
}

type Links = (Option<DeltaToken>, Option<DeltaToken>);

#[allow(clippy::too_many_arguments)]
fn collect_changes<'a>(
    dir: &'a crate::model::directory::Directory,
    since: u64,
    after: u64,
    upto: u64,
    tracked: FieldSet,
    size: usize,
    out: &mut Vec<DeltaItem<'a>>,
    make: &impl Fn(Cursor) -> DeltaToken,
) -> Links {
    let mut last = after;
    let mut more = false;
    for (seq, item) in dir.changes_between(since, after, upto, tracked) {
        if out.len() == size {
            more = true;
            break;
        }
        last = seq;
        out.push(item);
    }
    if more {
        (
            Some(make(Cursor::Changes {
                since,
                after: last,
                upto,
            })),
            None,
        )
    } else {
        (None, Some(make(Cursor::Link { since: upto })))
    }
}
