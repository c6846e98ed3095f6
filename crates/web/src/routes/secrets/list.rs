//! GET /secrets: Secure Send's "My links" (issue 21.5), the links the signed-in technician
//! made with their status, times and recipient hint (never the secret); an admin may switch
//! to every link of the org (`?list=org`, `ManageAnySecret`). POST /secrets/{id}/burn burns a
//! live one and comes back here (PRG).

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::middleware::client_ip::ClientIp;
use crate::page::{PageContext, Section, render};
use crate::routes::pod::secret_page::{describe, status_of};
use crate::routes::pod::secrets::secret_id;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use countersign_app::secrets::{LINK_LIST_LENGTH, LinkList, ListedLink};
use countersign_domain::Timestamp;
use countersign_store::SecretKind;
use serde::Deserialize;

/// One row of the list.
struct LinkRow {
    id: String,
    kind: &'static str,
    label: String,
    /// waiting, answered, revealed, expired or burned.
    status: &'static str,
    ok: bool,
    /// Every fact of the link's life, in one sentence.
    story: String,
    created: String,
    expires: String,
    /// Where it went: "SMS to +44•••", "email to a•••@x", or "link copied".
    recipient: String,
    maker: String,
    /// Live, and the viewer may burn it (its maker, or an admin).
    burnable: bool,
}

#[derive(Template)]
#[template(path = "secrets/list.html")]
struct ListPage {
    ctx: PageContext,
    rows: Vec<LinkRow>,
    org_list: bool,
    may_list_org: bool,
    /// What the list hidden field carries back after a burn.
    list_value: &'static str,
    most: i64,
    notice: Option<&'static str>,
}

/// The list's status word: a live link nobody revealed yet is "waiting", whether or not its
/// page was opened (opening uses no view; the story says when it was opened).
fn status_word(word: &'static str) -> &'static str {
    match word {
        "sent" | "opened" => "waiting",
        other => other,
    }
}

fn recipient_hint(channel: &str, masked: &str) -> String {
    match channel {
        "sms" => format!("SMS to {masked}"),
        "email" => format!("email to {masked}"),
        _ => "link copied".to_owned(),
    }
}

fn row(l: ListedLink, now: Timestamp) -> LinkRow {
    let s = &l.secret;
    let (word, live) = status_of(s, now);
    let status = status_word(word);
    LinkRow {
        id: s.id.to_string(),
        kind: match s.kind {
            SecretKind::Send => "Send",
            SecretKind::Request => "Request",
        },
        label: s.label.clone(),
        status,
        ok: matches!(status, "revealed" | "answered"),
        story: describe(s, now),
        created: s.created_at.display(),
        expires: s.expires_at.display(),
        recipient: recipient_hint(&s.channel, &s.recipient_masked),
        maker: l.maker,
        burnable: live && l.access.may_manage(),
    }
}

fn notice_text(key: &str) -> Option<&'static str> {
    Some(match key {
        "burned" => "Link burned. Its contents are deleted and it no longer works.",
        "already_ended" => "That link had already ended: nothing was burned.",
        _ => return None,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    list: Option<String>,
    notice: Option<String>,
}

fn list_of(value: Option<&str>) -> LinkList {
    if value == Some("org") {
        LinkList::Org
    } else {
        LinkList::Mine
    }
}

/// GET /secrets
pub async fn index(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let view = state
        .app
        .secret_link_list(&user.principal(ip), list_of(q.list.as_deref()))
        .await?;
    let now = state.app.now();
    let org_list = view.list == LinkList::Org;
    let page = ListPage {
        ctx: PageContext::new(&user, Section::Contacts),
        rows: view.links.into_iter().map(|l| row(l, now)).collect(),
        org_list,
        may_list_org: view.may_list_org,
        list_value: if org_list { "org" } else { "mine" },
        most: LINK_LIST_LENGTH,
        notice: q.notice.as_deref().and_then(notice_text),
    };
    Ok(render(&page)?.into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct BurnForm {
    #[serde(default)]
    list: String,
}

/// POST /secrets/{id}/burn: the maker or an admin burns a live link (audited by the use
/// case); back to the list it was pressed on.
pub async fn burn(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(f): Form<BurnForm>,
) -> Result<Response, WebError> {
    let burned = state
        .app
        .burn_secret_link(&user.principal(ip), secret_id(&id)?)
        .await?;
    let notice = if burned { "burned" } else { "already_ended" };
    let list = if f.list == "org" { "list=org&" } else { "" };
    Ok(Redirect::to(&format!("/secrets?{list}notice={notice}")).into_response())
}
