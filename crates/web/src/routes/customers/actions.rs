//! POST /customers (create a manual customer), /customers/{id} (name and default country),
//! /customers/{id}/time-zone (the zone of its quiet hours and its contacts' pages),
//! /customers/{id}/language (the language of its contacts' pages and messages).
//! Admins only; a refused form is shown again with the reason (422).

use super::pages::{index_page, show_page};
use crate::AppState;
use crate::auth::{CurrentUser, RequireAdmin};
use crate::error::{RerenderOnUserError, WebError, one_line};
use crate::middleware::client_ip::ClientIp;
use crate::routes::sentence;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use countersign_app::FieldMessage;
use countersign_domain::{Country, CustomerId};
use serde::Deserialize;
use std::net::IpAddr;

#[derive(Debug, Deserialize)]
pub struct CustomerForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    default_country: String,
}

/// The country of the form: blank is none; anything else must be a listed country.
fn country(raw: &str) -> Result<Option<Country>, WebError> {
    match raw.trim() {
        "" => Ok(None),
        c => c.parse::<Country>().map(Some).map_err(|e| {
            WebError::Invalid(vec![FieldMessage {
                field: Some("default_country"),
                message: sentence(&e.to_string()),
            }])
        }),
    }
}

pub async fn create(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Form(form): Form<CustomerForm>,
) -> Result<Response, WebError> {
    let (state, user, form) = (&state, &user, &form);
    let refuse = |m: Vec<FieldMessage>| async move {
        let page = index_page(
            state,
            user,
            ip,
            "",
            (form.name.clone(), form.default_country.clone()),
            None,
            Some(one_line(&m)),
        )
        .await?;
        Ok(page.into_response())
    };
    let default_country = country(&form.default_country).or_rerender(refuse).await?;
    let c = state
        .app
        .create_customer(&user.principal(ip), &form.name, default_country)
        .await
        .or_rerender(refuse)
        .await?;
    Ok(Redirect::to(&format!("/customers/{}?notice=customer_created", c.id)).into_response())
}

pub async fn update(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Path(id): Path<String>,
    Form(form): Form<CustomerForm>,
) -> Result<Response, WebError> {
    let id: CustomerId = id.parse().map_err(|_| WebError::NotFound)?;
    let (state, user) = (&state, &user);
    let refuse = |m: Vec<FieldMessage>| async move {
        // An unknown customer is "not found" here, before a bad country is shown.
        let page = show_page(state, user, ip, id, None, Some(one_line(&m))).await?;
        Ok(page.into_response())
    };
    let default_country = country(&form.default_country).or_rerender(refuse).await?;
    state
        .app
        .update_customer(&user.principal(ip), id, &form.name, default_country)
        .await
        .or_rerender(refuse)
        .await?;
    Ok(Redirect::to(&format!("/customers/{id}?notice=saved")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct TimeZoneForm {
    #[serde(default)]
    time_zone: String,
}

/// The customer's time zone (empty: the org's), for broadcasts that respect quiet hours and
/// the times on its contacts' pages.
pub async fn set_time_zone(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Path(id): Path<String>,
    Form(form): Form<TimeZoneForm>,
) -> Result<Response, WebError> {
    let id: CustomerId = id.parse().map_err(|_| WebError::NotFound)?;
    let done = state
        .app
        .set_customer_time_zone(&user.principal(ip), id, &form.time_zone)
        .await;
    saved(&state, &user, ip, id, done).await
}

/// After a setting of the customer: back to its page (PRG), or the page again with why it
/// was refused (422).
async fn saved<T: Send, E: Into<WebError> + Send>(
    state: &AppState,
    user: &CurrentUser,
    ip: IpAddr,
    id: CustomerId,
    done: Result<T, E>,
) -> Result<Response, WebError> {
    done.or_rerender(|m| async move {
        let page = show_page(state, user, ip, id, None, Some(one_line(&m))).await?;
        Ok(page.into_response())
    })
    .await?;
    Ok(Redirect::to(&format!("/customers/{id}?notice=saved")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct LanguageForm {
    #[serde(default)]
    language: String,
}

/// The language of the customer's end-user pages and messages (empty: none), used when a
/// contact's directory gives none (issue 21.8).
pub async fn set_language(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RequireAdmin(user): RequireAdmin,
    Path(id): Path<String>,
    Form(form): Form<LanguageForm>,
) -> Result<Response, WebError> {
    let id: CustomerId = id.parse().map_err(|_| WebError::NotFound)?;
    let done = state
        .app
        .set_customer_language(&user.principal(ip), id, &form.language)
        .await;
    saved(&state, &user, ip, id, done).await
}
