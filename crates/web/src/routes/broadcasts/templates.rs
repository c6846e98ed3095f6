//! POST /broadcasts/templates (save the compose form's name, channels and texts as a
//! template) and /broadcasts/templates/{id}/delete. Loading one is a GET of the compose form
//! with `?template=ID`.
//!
//! Saving from the form goes back to the form with the template loaded, so the texts just
//! typed are in it again (what a template does not hold, the audience and the schedule, is
//! as it was stored).

use super::compose::{Target, compose_page};
use super::form::ComposeForm;
use super::parse_id;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{RerenderOnUserError, WebError};
use crate::middleware::client_ip::ClientIp;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use countersign_app::FieldMessage;
use countersign_domain::{BroadcastId, BroadcastTemplateId};

pub async fn save(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = ComposeForm::from_pairs(&pairs);
    // The draft the form edits, when it is one.
    let draft = pairs
        .iter()
        .find(|(k, _)| k == "broadcast")
        .map(|(_, v)| parse_id::<BroadcastId>(v))
        .transpose()?;
    let target = draft.map_or(Target::New, Target::Edit);
    let (state, user, by) = (&state, &user, &user.principal(ip));
    let shown = f.clone();
    let rerender = |m: Vec<FieldMessage>| async move {
        // The template's name has a field of its own on the form.
        let m = m
            .into_iter()
            .map(|mut m| {
                if m.field == Some("name") {
                    m.field = Some("template_name");
                }
                m
            })
            .collect();
        compose_page(state, user, by, target, shown, m, None).await
    };
    let channels = match f.channels() {
        Ok(c) => c,
        Err(m) => {
            return Err::<Response, _>(WebError::Invalid(vec![m]))
                .or_rerender(rerender)
                .await;
        }
    };
    let name = if f.template_name.trim().is_empty() {
        f.name.clone()
    } else {
        f.template_name.clone()
    };
    let t = state
        .app
        .save_broadcast_template(
            by,
            None,
            &name,
            channels,
            [
                f.sms_text.as_str(),
                f.email_subject.as_str(),
                f.email_body.as_str(),
            ],
        )
        .await
        .or_rerender(rerender)
        .await?;
    let to = match draft {
        Some(id) => format!(
            "/broadcasts/{id}/edit?template={}&notice=template_saved",
            t.id
        ),
        None => format!("/broadcasts/new?template={}&notice=template_saved", t.id),
    };
    Ok(Redirect::to(&to).into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: BroadcastTemplateId = parse_id(&id)?;
    state
        .app
        .delete_broadcast_template(&user.principal(ip), id)
        .await?;
    Ok(Redirect::to("/broadcasts/new?notice=template_deleted").into_response())
}
