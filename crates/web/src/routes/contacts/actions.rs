//! POST /contacts (create), /contacts/{id} (edit), /contacts/{id}/delete,
//! /contacts/{id}/opt-outs/remove. A refused form is shown again with the reason (422) and
//! nothing changes.

use super::pages::{new_page, show_page};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{RerenderOnUserError, WebError, one_line};
use crate::middleware::client_ip::ClientIp;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use countersign_app::contacts::ContactInput;
use countersign_domain::{Channel, ContactId, CustomerId};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct ContactForm {
    #[serde(default)]
    customer: String,
    #[serde(default)]
    given_name: String,
    #[serde(default)]
    surname: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    mobile: String,
    #[serde(default)]
    job_title: String,
    #[serde(default)]
    department: String,
}

impl ContactForm {
    fn input(&self) -> ContactInput {
        ContactInput {
            given_name: self.given_name.clone(),
            surname: self.surname.clone(),
            display_name: self.display_name.clone(),
            email: self.email.clone(),
            mobile: self.mobile.clone(),
            job_title: self.job_title.clone(),
            department: self.department.clone(),
        }
    }
}

fn parse<T: std::str::FromStr>(raw: &str) -> Result<T, WebError> {
    raw.parse().map_err(|_| WebError::NotFound)
}

pub async fn create(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Form(form): Form<ContactForm>,
) -> Result<Response, WebError> {
    let customer_id: CustomerId = parse(&form.customer)?;
    let (state, user, input) = (&state, &user, &form.input());
    let by = &user.principal(ip);
    let c = state
        .app
        .create_contact(by, customer_id, input)
        .await
        .or_rerender(|m| async move {
            let customer = state.app.new_contact_customer(by, customer_id).await?;
            let page = new_page(user, by, &customer, input.clone(), Some(one_line(&m)))?;
            Ok(page.into_response())
        })
        .await?;
    Ok(Redirect::to(&format!("/contacts/{}?notice=contact_created", c.id)).into_response())
}

pub async fn update(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<ContactForm>,
) -> Result<Response, WebError> {
    let id: ContactId = parse(&id)?;
    let (state, user, input) = (&state, &user, &form.input());
    state
        .app
        .edit_contact(&user.principal(ip), id, input)
        .await
        .or_rerender(|m| async move {
            let page = show_page(
                state,
                user,
                ip,
                id,
                Some(input.clone()),
                None,
                Some(one_line(&m)),
            )
            .await?;
            Ok(page.into_response())
        })
        .await?;
    Ok(Redirect::to(&format!("/contacts/{id}?notice=saved")).into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: ContactId = parse(&id)?;
    let (state, user) = (&state, &user);
    state
        .app
        .delete_contact(&user.principal(ip), id)
        .await
        .or_rerender(|m| async move {
            let page = show_page(state, user, ip, id, None, None, Some(one_line(&m))).await?;
            Ok(page.into_response())
        })
        .await?;
    Ok(Redirect::to("/contacts?notice=contact_deleted").into_response())
}

#[derive(Debug, Deserialize)]
pub struct OptOutForm {
    /// The contact whose opt-out it is (this one, or one sharing its address).
    #[serde(default)]
    contact: String,
    #[serde(default)]
    channel: String,
}

/// Removes one of the broadcast opt-outs listed on the contact's page (admins).
pub async fn remove_opt_out(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<OptOutForm>,
) -> Result<Response, WebError> {
    let id: ContactId = parse(&id)?;
    let owner: ContactId = parse(&form.contact)?;
    let channel = Channel::parse(&form.channel).ok_or(WebError::NotFound)?;
    let (state, user) = (&state, &user);
    state
        .app
        .remove_contact_opt_out(&user.principal(ip), id, owner, channel)
        .await
        .or_rerender(|m| async move {
            let page = show_page(state, user, ip, id, None, None, Some(one_line(&m))).await?;
            Ok(page.into_response())
        })
        .await?;
    Ok(Redirect::to(&format!("/contacts/{id}?notice=opt_out_removed")).into_response())
}
