//! GET /settings/end-user-texts: every end-user text (issue 21.8) with its default in the
//! chosen language and the org's override; POST …/end-user-texts saves an override (checked:
//! it must parse as Fluent and use only its default's placeholders; refused, nothing is
//! saved and the form comes back with the typed text), POST …/end-user-texts/reset removes
//! one. Both end in a 303 back to the language's page (PRG). Admins only.

use crate::AppState;
use crate::auth::{CurrentUser, RequireAdmin};
use crate::error::{RerenderOnUserError, WebError, one_line};
use crate::middleware::client_ip::ClientIp;
use crate::page::{PageContext, Section, render};
use crate::routes::notice_text;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use countersign_messaging::end_user::{Language, default_text, message_ids, placeholders};
use serde::Deserialize;
use std::net::IpAddr;

/// One text on the page.
struct Row {
    id: &'static str,
    /// The default of the page's language, as the translator wrote it.
    default: String,
    /// The placeholders it may use, listed (`{ $msp }, { $code }`), or empty.
    placeholders: String,
    /// Whether the org overrides it.
    overridden: bool,
    /// What the override field shows: the override, or what was typed when it was refused.
    value: String,
    /// Why what was typed was refused.
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "settings/end_user_texts.html")]
struct TextsPage {
    ctx: PageContext,
    tab: &'static str,
    language: &'static str,
    language_name: &'static str,
    languages: Vec<(&'static str, &'static str)>,
    rows: Vec<Row>,
    overrides: usize,
    notice: Option<&'static str>,
    error: Option<String>,
}

/// A refused override, shown again in its row.
struct Refused<'a> {
    message_id: &'a str,
    body: &'a str,
    error: String,
}

fn language_of(code: Option<&str>) -> Language {
    code.and_then(|c| Language::ALL.into_iter().find(|l| l.code() == c))
        .unwrap_or(Language::En)
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    ip: IpAddr,
    language: Language,
    notice: Option<&'static str>,
    refused: Option<Refused<'_>>,
) -> Result<Html<String>, WebError> {
    let overrides = state
        .app
        .end_user_text_overrides(&user.principal(ip))
        .await?;
    let mine: Vec<_> = overrides
        .iter()
        .filter(|t| t.language == language.code())
        .collect();
    let rows = message_ids()
        .into_iter()
        .map(|id| {
            let stored = mine.iter().find(|t| t.message_id == id);
            let listed: Vec<String> = placeholders(language, id)
                .into_iter()
                .map(|p| format!("{{ ${p} }}"))
                .collect();
            let refused_here = refused.as_ref().filter(|r| r.message_id == id);
            Row {
                id,
                default: default_text(language, id)
                    .or_else(|| default_text(Language::En, id))
                    .unwrap_or_default(),
                placeholders: listed.join(", "),
                overridden: stored.is_some(),
                value: refused_here.map_or_else(
                    || stored.map(|t| t.body.clone()).unwrap_or_default(),
                    |r| r.body.to_owned(),
                ),
                error: refused_here.map(|r| r.error.clone()),
            }
        })
        .collect();
    render(&TextsPage {
        ctx: PageContext::new(user, Section::Settings),
        tab: "end_user_texts",
        language: language.code(),
        language_name: language.name(),
        languages: Language::ALL.iter().map(|l| (l.code(), l.name())).collect(),
        rows,
        overrides: mine.len(),
        notice,
        error: refused.map(|r| format!("{}: {}", r.message_id, r.error)),
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    language: Option<String>,
    notice: Option<String>,
}

/// GET /settings/end-user-texts?language=de
pub async fn show(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Query(q): Query<ShowQuery>,
) -> Result<Html<String>, WebError> {
    let language = language_of(q.language.as_deref());
    let notice = q.notice.as_deref().and_then(notice_text);
    page(&state, &user, ip, language, notice, None).await
}

#[derive(Debug, Deserialize)]
pub struct TextForm {
    #[serde(default)]
    language: String,
    #[serde(default)]
    message_id: String,
    #[serde(default)]
    body: String,
}

/// Back to the language's page, at the text's row.
fn back(language: &str, message_id: &str, notice: &str) -> Response {
    let language = language_of(Some(language)).code();
    let anchor: String = message_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    Redirect::to(&format!(
        "/settings/end-user-texts?language={language}&notice={notice}#text-{anchor}"
    ))
    .into_response()
}

/// POST /settings/end-user-texts: saves one override.
pub async fn save(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Form(form): Form<TextForm>,
) -> Result<Response, WebError> {
    let (state_ref, user_ref, form_ref) = (&state, &user, &form);
    state
        .app
        .set_end_user_text(
            &user.principal(ip),
            &form.language,
            &form.message_id,
            &form.body,
        )
        .await
        .or_rerender(|m| async move {
            let refused = Refused {
                message_id: &form_ref.message_id,
                body: &form_ref.body,
                error: one_line(&m),
            };
            let language = language_of(Some(form_ref.language.as_str()));
            let html = page(state_ref, user_ref, ip, language, None, Some(refused)).await?;
            Ok(html.into_response())
        })
        .await?;
    Ok(back(&form.language, &form.message_id, "saved"))
}

/// POST /settings/end-user-texts/reset: removes one override.
pub async fn reset(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Form(form): Form<TextForm>,
) -> Result<Response, WebError> {
    state
        .app
        .reset_end_user_text(&user.principal(ip), &form.language, &form.message_id)
        .await?;
    Ok(back(&form.language, &form.message_id, "text_reset"))
}
