//! POST /settings/branding (save) and /settings/branding/test (queue a test message).

use super::pages::{BrandingForm, BrandingPage};
use crate::AppState;
use crate::auth::RequireAdmin;
use crate::error::{RerenderOnUserError, WebError, one_line};
use crate::middleware::client_ip::ClientIp;
use crate::page::render;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use countersign_app::messages::BrandingInput;
use countersign_store::Channel;

fn input(f: &BrandingForm) -> BrandingInput {
    BrandingInput {
        display_name: f.display_name.clone(),
        logo_url: f.logo_url.clone(),
        colour: f.colour.clone(),
        footer: f.footer.clone(),
        reply_to: f.reply_to.clone(),
    }
}

pub async fn save(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Form(form): Form<BrandingForm>,
) -> Result<Response, WebError> {
    let by = user.principal(ip);
    state
        .app
        .save_branding(&by, &input(&form))
        .await
        .or_rerender(async |m| {
            let mut page = BrandingPage::new(&state, &user, form.clone());
            page.graph = super::graph_mail::GraphMailSection::load(&state, &by).await?;
            page.error = Some(one_line(&m));
            Ok(render(&page)?.into_response())
        })
        .await?;
    Ok(Redirect::to("/settings/branding?notice=saved").into_response())
}

#[derive(Debug, serde::Deserialize)]
pub struct TestForm {
    #[serde(default)]
    channel: String,
    #[serde(default)]
    recipient: String,
    /// A random value rendered into the form, so a double submit queues one message.
    #[serde(default)]
    nonce: String,
}

pub async fn send_test(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Form(form): Form<TestForm>,
) -> Result<Response, WebError> {
    let channel = match form.channel.as_str() {
        "sms" => Channel::Sms,
        "email" => Channel::Email,
        _ => return Err(WebError::BadRequest("Choose SMS or email.".into())),
    };
    let nonce: String = form
        .nonce
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(64)
        .collect();
    let by = user.principal(ip);
    state
        .app
        .send_branding_test(&by, channel, &form.recipient, &nonce)
        .await
        .or_rerender(async |m| {
            let brand = state.app.branding_view(&by).await?;
            let mut page = BrandingPage::new(&state, &user, brand.into());
            page.graph = super::graph_mail::GraphMailSection::load(&state, &by).await?;
            page.test_error = Some(one_line(&m));
            page.test_recipient = form.recipient.clone();
            Ok(render(&page)?.into_response())
        })
        .await?;
    Ok(Redirect::to("/settings/branding?notice=test_queued").into_response())
}
