//! The compose form, for a new broadcast (GET /broadcasts/new) and for a draft
//! (GET /broadcasts/{id}/edit), and the audience counts its script asks for while the
//! audience is changed (GET /broadcasts/audience, JSON).

use super::form::ComposeForm;
use super::{notice_text, parse_id};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{Problem, WebError};
use crate::middleware::client_ip::ClientIp;
use crate::page::{PageContext, Section, render};
use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use countersign_app::broadcasts::BroadcastRules;
use countersign_app::{FieldMessage, Principal};
use countersign_domain::{BroadcastId, BroadcastTemplateId, Permission, QuietHours};
use countersign_messaging::broadcast::{SmsCount, sms_count};
use countersign_store::{AudienceCounts, SourceKind};
use serde::Deserialize;

/// Most customers the form lists as boxes (the app refuses a longer chosen list: more is
/// "every customer" or a filter).
const MAX_LISTED_CUSTOMERS: usize = 1000;

/// Where the compose form posts.
#[derive(Clone, Copy, Debug)]
pub(super) enum Target {
    New,
    Edit(BroadcastId),
}

/// The messages of a refused form, by field.
#[derive(Clone, Debug, Default)]
pub(super) struct Errors(pub Vec<FieldMessage>);

impl Errors {
    /// The message for `field`, when there is one.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|m| m.field == Some(field))
            .map(|m| m.message.as_str())
    }

    /// Every message, for the summary at the top of the form.
    pub fn all(&self) -> Vec<&str> {
        self.0.iter().map(|m| m.message.as_str()).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// One customer box of the form.
pub(super) struct CustomerChoice {
    id: String,
    name: String,
    contacts: i64,
}

#[derive(Template)]
#[template(path = "broadcasts/compose.html")]
struct ComposePage {
    ctx: PageContext,
    heading: String,
    /// The broadcast's id when editing a draft.
    id: Option<String>,
    action: String,
    f: ComposeForm,
    customers: Vec<CustomerChoice>,
    more_customers: bool,
    integrations: Vec<(String, String)>,
    sources: Vec<(&'static str, &'static str)>,
    templates: Vec<(String, String)>,
    rules: Vec<String>,
    count: SmsCount,
    /// Zeros until the script asks for the audience's count.
    counts: AudienceCounts,
    /// The org's time zone (schedules are in it).
    zone: String,
    /// The org's quiet hours, `21:00–08:00`, when it has them.
    quiet_hours: Option<String>,
    errors: Errors,
    notice: Option<&'static str>,
}

impl ComposePage {
    /// The server's count of the SMS text, as the page says it.
    fn count_text(&self) -> String {
        count_words(&self.count)
    }
}

/// "42 characters · 1 segment · GSM-7".
pub(super) fn count_words(c: &SmsCount) -> String {
    format!(
        "{} character{} · {} segment{} · {}",
        c.characters,
        if c.characters == 1 { "" } else { "s" },
        c.segments,
        if c.segments == 1 { "" } else { "s" },
        c.encoding.label()
    )
}

/// The org's quiet hours as a page says them.
pub(super) fn quiet_hours_text(r: &BroadcastRules) -> Option<String> {
    r.quiet_hours.map(|q| {
        format!(
            "{}–{}",
            QuietHours::label(q.start_minute),
            QuietHours::label(q.end_minute)
        )
    })
}

/// The org's rules as sentences, for the compose and approval pages.
pub(super) fn rule_lines(r: &BroadcastRules) -> Vec<String> {
    let mut lines = Vec::new();
    match r.approval_threshold {
        Some(t) => lines.push(format!(
            "Above {t} recipients a second admin must approve (not the author, not who asks for approval)."
        )),
        None => lines.push("Anyone who may send broadcasts can approve one of any size.".into()),
    }
    if let Some(cap) = r.daily_recipient_cap {
        lines.push(format!(
            "At most {cap} recipients may be approved in any 24 hours."
        ));
    }
    lines.push(format!(
        "Times are in {}, your organisation's time zone.",
        r.time_zone
    ));
    if let Some(q) = quiet_hours_text(r) {
        lines.push(format!(
            "Quiet hours: {q} in each customer's time zone, for broadcasts that respect them."
        ));
    }
    lines
}

/// Renders the compose form with `f` (what is stored, or what was typed) and `errors`.
pub(super) async fn compose_page(
    state: &AppState,
    user: &CurrentUser,
    by: &Principal,
    target: Target,
    f: ComposeForm,
    errors: Vec<FieldMessage>,
    notice: Option<&'static str>,
) -> Result<Response, WebError> {
    let mut customers = Vec::new();
    let mut after = None;
    loop {
        let page = state.app.customer_list(by, after).await?;
        customers.extend(page.customers.into_iter().map(|s| CustomerChoice {
            id: s.customer.id.to_string(),
            name: s.customer.name,
            contacts: s.contacts,
        }));
        after = page.next;
        if after.is_none() || customers.len() >= MAX_LISTED_CUSTOMERS {
            break;
        }
    }
    let more_customers = after.is_some();
    let integrations = state
        .app
        .integration_list(by)
        .await?
        .into_iter()
        .map(|c| (c.integration.id.to_string(), c.integration.name))
        .collect();
    let templates = state
        .app
        .broadcast_templates(by)
        .await?
        .into_iter()
        .map(|t| (t.id.to_string(), t.name))
        .collect();
    let org_rules = state.app.broadcast_rules(by).await?;
    let rules = rule_lines(&org_rules);
    let (heading, id, action) = match target {
        Target::New => ("New broadcast".to_owned(), None, "/broadcasts".to_owned()),
        Target::Edit(id) => (
            format!("Edit {}", f.name),
            Some(id.to_string()),
            format!("/broadcasts/{id}/edit"),
        ),
    };
    let page = render(&ComposePage {
        ctx: PageContext::new(user, Section::Broadcasts),
        heading,
        id,
        action,
        count: sms_count(&f.sms_text),
        counts: AudienceCounts::default(),
        zone: org_rules.time_zone.clone(),
        quiet_hours: quiet_hours_text(&org_rules),
        f,
        customers,
        more_customers,
        integrations,
        sources: SourceKind::ALL
            .iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        templates,
        rules,
        errors: Errors(errors),
        notice,
    })?;
    Ok(page.into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct ComposeQuery {
    /// Load this template's texts into the form.
    #[serde(default)]
    template: String,
    notice: Option<String>,
}

pub async fn new(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Query(q): Query<ComposeQuery>,
) -> Result<Response, WebError> {
    let by = user.principal(ip);
    by.require(Permission::DraftBroadcasts)?;
    let mut f = ComposeForm::blank();
    let notice = load_template(&state, &by, &q, &mut f).await?;
    compose_page(&state, &user, &by, Target::New, f, Vec::new(), notice).await
}

pub async fn edit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<ComposeQuery>,
) -> Result<Response, WebError> {
    let id: BroadcastId = parse_id(&id)?;
    let by = user.principal(ip);
    let b = state.app.broadcast(&by, id).await?;
    let zone = state.app.broadcast_rules(&by).await?.zone();
    if !b.status.is_editable() {
        // Submitted or sent: its page says what it is and what can still be done.
        return Ok(axum::response::Redirect::to(&format!("/broadcasts/{id}")).into_response());
    }
    let mut f = ComposeForm::from_broadcast(&b, &zone);
    let notice = load_template(&state, &by, &q, &mut f).await?;
    compose_page(&state, &user, &by, Target::Edit(id), f, Vec::new(), notice).await
}

/// Applies `?template=ID` to the form; the notice to show.
async fn load_template(
    state: &AppState,
    by: &Principal,
    q: &ComposeQuery,
    f: &mut ComposeForm,
) -> Result<Option<&'static str>, WebError> {
    let notice = q.notice.as_deref().and_then(notice_text);
    if q.template.is_empty() {
        return Ok(notice);
    }
    let id: BroadcastTemplateId = parse_id(&q.template)?;
    let templates = state.app.broadcast_templates(by).await?;
    let t = templates
        .iter()
        .find(|t| t.id == id)
        .ok_or(WebError::NotFound)?;
    f.apply_template(t);
    Ok(notice.or(notice_text("template_loaded")))
}

/// GET /broadcasts/audience?<the form's audience and channels>: the honest count, for the
/// compose page's script. JSON; a refused audience is problem+json.
pub async fn audience_counts(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Json<serde_json::Value>, Problem> {
    let f = ComposeForm::from_pairs(&pairs);
    let (audience, channels) = match (f.audience(), f.channels()) {
        (Ok(a), Ok(c)) => (a, c),
        (a, c) => {
            let fields = [a.err(), c.err()].into_iter().flatten().collect();
            return Err(Problem(WebError::Invalid(fields)));
        }
    };
    let counts = state
        .app
        .preview_broadcast_audience(&user.principal(ip), &audience, channels)
        .await?;
    Ok(Json(counts_json(&counts)))
}

/// Audience counts as JSON (the compose page's script and the progress poll share the
/// names with the templates' `data-count` cells).
pub(super) fn counts_json(c: &AudienceCounts) -> serde_json::Value {
    serde_json::json!({
        "matched": c.matched,
        "recipients": c.recipients,
        "sms": c.sms,
        "email": c.email,
        "both": c.both,
        "excluded": c.excluded.total(),
        "removed": c.excluded.removed,
        "disabled": c.excluded.disabled,
        "no_channel": c.excluded.no_channel,
        "opted_out": c.excluded.opted_out,
        "duplicate_address": c.excluded.duplicate_address,
    })
}
