//! Tenant-level reads: `/organization`, `/tenantRelationships/delegatedAdminRelationships`
//! and `/contracts` (the last two list what the caller's tenant holds as a partner).

use super::auth::{authenticate, charge};
use super::error::GraphError;
use super::page::PageWriter;
use super::query::{Query, decode_token, encode_token, link};
use crate::model::Relationship;
use crate::state::AppState;
use crate::throttle::Cost;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Value, json};

pub async fn organization(
    State(s): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, GraphError> {
    let caller = authenticate(&s, &headers)?;
    caller.require(
        &[
            "Organization.Read.All",
            "Organization.ReadWrite.All",
            "Directory.Read.All",
            "Directory.ReadWrite.All",
        ],
        &[
            "User.Read",
            "Organization.Read.All",
            "Directory.Read.All",
            "Directory.ReadWrite.All",
            "Directory.AccessAsUser.All",
        ],
    )?;
    let q = Query::parse(raw.as_deref());
    let usage = charge(
        &s,
        &caller,
        Cost::compute(1, q.get("$select").is_some(), false, None, false),
    )?;
    let t = &caller.tenant;
    // A custom domain, when present, is the default one, as in most real tenants.
    let default_domain = t.extra_domains.first().unwrap_or(&t.domain).clone();
    let domains: Vec<Value> = t
        .verified_domains()
        .map(|d| {
            json!({
                "capabilities": if d == t.domain { "Email, OfficeCommunicationsOnline" } else { "Email" },
                "isDefault": d == default_domain,
                "isInitial": d == t.domain,
                "name": d,
                "type": "Managed",
            })
        })
        .collect();
    let org = json!({
        "id": t.id,
        "displayName": t.display_name,
        "tenantType": "AAD",
        "countryLetterCode": t.country(),
        "preferredLanguage": "en",
        "verifiedDomains": domains,
    });
    let org = select_keys(org, q.get("$select"));
    let mut w = PageWriter::new(
        1024,
        &format!("{}/v1.0/$metadata#organization", s.urls.graph),
        None,
    );
    w.item(&org);
    let mut resp = w.finish(None);
    usage.apply(&mut resp);
    Ok(resp)
}

/// Keeps only selected top-level keys (plus OData annotations).
fn select_keys(mut item: Value, select: Option<&str>) -> Value {
    let Some(select) = select else { return item };
    let wanted: Vec<&str> = select.split(',').map(str::trim).collect();
    if let Value::Object(map) = &mut item {
        map.retain(|k, _| k.starts_with('@') || wanted.iter().any(|w| w.eq_ignore_ascii_case(k)));
    }
    item
}

type Predicate = Box<dyn Fn(&Relationship) -> bool>;

fn relationship_json(r: &Relationship) -> Value {
    let created = r.created.rfc3339();
    let end = countersign_domain::Timestamp(r.created.millis() + 730 * 24 * 3600 * 1000).rfc3339();
    json!({
        "@odata.type": "#microsoft.graph.delegatedAdminRelationship",
        "@odata.etag": format!("W/\"{}\"", r.id.len()),
        "id": r.id,
        "displayName": r.display_name,
        "duration": r.duration,
        "customer": {"tenantId": r.customer_tenant, "displayName": r.customer_name},
        "accessDetails": {"unifiedRoles": r.roles.iter().map(|id| json!({"roleDefinitionId": id})).collect::<Vec<_>>()},
        "status": r.status,
        "autoExtendDuration": "P180D",
        "createdDateTime": created,
        "lastModifiedDateTime": created,
        "activatedDateTime": if r.status == "active" { Value::from(created.clone()) } else { Value::Null },
        "endDateTime": end,
    })
}

/// The `$filter` subset CIPP-style clients use: clauses joined by `and`, each one of
/// `status eq '…'`, `[not ]startsWith(displayName,'…')`, `customer/tenantId eq '…'`.
fn relationship_filter(filter: &str) -> Result<Vec<Predicate>, GraphError> {
    let bad = || GraphError::bad_request(format!("Invalid filter clause: '{filter}'."));
    let quoted = |s: &str| -> Option<String> {
        let s = s.trim();
        s.strip_prefix('\'')?
            .strip_suffix('\'')
            .map(|v| v.replace("''", "'"))
    };
    let mut out: Vec<Predicate> = Vec::new();
    for clause in filter.split(" and ") {
        let clause = clause.trim();
        let (negate, body) = match clause.strip_prefix("not ") {
            Some(rest) => (true, rest.trim()),
            None => (false, clause),
        };
        if let Some(v) = body.strip_prefix("status eq ") {
            let v = quoted(v).ok_or_else(bad)?;
            out.push(Box::new(move |r| (r.status == v) != negate));
        } else if let Some(v) = body.strip_prefix("customer/tenantId eq ") {
            let v = quoted(v).ok_or_else(bad)?;
            out.push(Box::new(move |r| {
                (r.customer_tenant.to_string() == v) != negate
            }));
        } else if let Some(args) = body
            .strip_prefix("startsWith(displayName,")
            .and_then(|a| a.strip_suffix(')'))
        {
            let v = quoted(args).ok_or_else(bad)?;
            out.push(Box::new(move |r| {
                r.display_name.starts_with(v.as_str()) != negate
            }));
        } else {
            return Err(bad());
        }
    }
    Ok(out)
}

pub async fn relationships(
    State(s): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, GraphError> {
    let caller = authenticate(&s, &headers)?;
    let perms = [
        "DelegatedAdminRelationship.Read.All",
        "DelegatedAdminRelationship.ReadWrite.All",
    ];
    caller.require(&perms, &perms)?;
    let q = Query::parse(raw.as_deref());
    let top = q.top(300)?.unwrap_or(300) as usize;
    let usage = charge(
        &s,
        &caller,
        Cost::compute(
            1,
            q.get("$select").is_some(),
            false,
            Some(top as u32),
            false,
        ),
    )?;
    let filters = q
        .get("$filter")
        .map(relationship_filter)
        .transpose()?
        .unwrap_or_default();
    let is_partner = caller.tenant.id == s.world.partner_id;
    let all = s.world.relationships();
    let matching: Vec<&Relationship> = all
        .iter()
        .filter(|r| is_partner && filters.iter().all(|f| f(r)))
        .collect();
    collection_page(
        &s.urls.graph,
        "tenantRelationships/delegatedAdminRelationships",
        &q,
        top,
        &matching,
        relationship_json,
        usage,
    )
}

pub async fn contracts(
    State(s): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, GraphError> {
    let caller = authenticate(&s, &headers)?;
    caller.require(
        &["Directory.Read.All", "Directory.ReadWrite.All"],
        &[
            "Directory.Read.All",
            "Directory.ReadWrite.All",
            "Directory.AccessAsUser.All",
        ],
    )?;
    let q = Query::parse(raw.as_deref());
    let top = q.top(999)?.unwrap_or(100) as usize;
    let usage = charge(
        &s,
        &caller,
        Cost::compute(
            3,
            q.get("$select").is_some(),
            false,
            Some(top as u32),
            false,
        ),
    )?;
    let filter = match q.get("$filter") {
        None => None,
        Some(f) => {
            let (field, value) = f
                .split_once(" eq ")
                .ok_or_else(|| GraphError::bad_request(format!("Invalid filter clause: '{f}'.")))?;
            let value = value.trim().trim_matches('\'').to_string();
            Some((field.trim().to_string(), value))
        }
    };
    let is_partner = caller.tenant.id == s.world.partner_id;
    let items: Vec<_> = s
        .world
        .contracts()
        .iter()
        .filter(|_| is_partner)
        .filter(|c| match &filter {
            None => true,
            Some((f, v)) if f == "customerId" => c.customer_id.to_string().eq_ignore_ascii_case(v),
            Some((f, v)) if f == "defaultDomainName" => {
                c.default_domain_name.eq_ignore_ascii_case(v)
            }
            Some((f, v)) if f == "displayName" => c.display_name == *v,
            Some(_) => false,
        })
        .collect();
    collection_page(
        &s.urls.graph,
        "contracts",
        &q,
        top,
        &items,
        |c| {
            json!({
                "id": c.id,
                "contractType": c.contract_type,
                "customerId": c.customer_id,
                "defaultDomainName": c.default_domain_name,
                "displayName": c.display_name,
            })
        },
        usage,
    )
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Offset {
    o: usize,
}

/// Offset paging over a small, static list.
fn collection_page<T>(
    graph: &str,
    path: &str,
    q: &Query,
    top: usize,
    items: &[&T],
    render: impl Fn(&T) -> Value,
    usage: super::auth::Usage,
) -> Result<Response, GraphError> {
    let start = match q.get("$skiptoken") {
        Some(t) => decode_token::<Offset>(t, "skip token")?.o,
        None => 0,
    };
    let end = (start + top).min(items.len());
    let next = (end < items.len()).then(|| {
        let mut pairs = vec![("$top", top.to_string())];
        if let Some(f) = q.get("$filter") {
            pairs.push(("$filter", f.to_string()));
        }
        if let Some(sel) = q.get("$select") {
            pairs.push(("$select", sel.to_string()));
        }
        pairs.push(("$skiptoken", encode_token(&Offset { o: end })));
        let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        link(&format!("{graph}/v1.0/{path}"), &borrowed)
    });
    let mut w = PageWriter::new(
        2048,
        &format!("{graph}/v1.0/$metadata#{path}"),
        next.as_deref().map(|n| ("@odata.nextLink", n)),
    );
    for item in items.get(start..end).unwrap_or_default() {
        w.item(&select_keys(render(item), q.get("$select")));
    }
    let mut resp = w.finish(None);
    usage.apply(&mut resp);
    Ok(resp)
}
