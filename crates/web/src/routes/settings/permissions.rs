//! POST /settings/technicians/{id}/permissions: an admin grants or revokes a technician's
//! permissions (one checkbox each, named after the permission; an unticked box is absent).

use super::pages::parse_id;
use crate::AppState;
use crate::auth::RecentAdmin;
use crate::error::WebError;
use crate::middleware::client_ip::ClientIp;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use countersign_domain::{Permission, Permissions, TechnicianId};

/// The permissions a form grants: those whose box was ticked. Other fields (`_csrf`) and
/// unknown names grant nothing.
fn granted(form: &[(String, String)]) -> Permissions {
    Permission::GRANTABLE
        .into_iter()
        .filter(|p| form.iter().any(|(k, _)| k == p.as_str()))
        .collect()
}

pub async fn update(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RecentAdmin(user): RecentAdmin,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id: TechnicianId = parse_id(&id)?;
    state
        .app
        .set_technician_permissions(&user.principal(ip), id, granted(&form))
        .await?;
    Ok(Redirect::to(&format!(
        "/settings/technicians/{id}?notice=permissions_changed"
    ))
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ticked_known_permissions_are_granted() {
        let form = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        assert_eq!(granted(&form(&[("_csrf", "x")])), Permissions::none());
        assert_eq!(
            granted(&form(&[
                ("_csrf", "x"),
                ("edit_contacts", "on"),
                ("fly", "on")
            ])),
            [Permission::EditContacts].into_iter().collect()
        );
    }
}
