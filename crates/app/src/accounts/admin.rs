//! Creating an admin from the command line (the first one of a new org, or another one).

use super::AccountError;
use crate::App;
use crate::audit::Actor;
use countersign_domain::slug::slugify;
use countersign_domain::{Email, OrgId, Role, TechnicianId};
use countersign_store::{Org, OrgStore, StoreError, Technician, TechnicianStore};
use serde_json::json;

/// What `create_admin` made.
#[derive(Clone, Debug)]
pub struct CreatedAdmin {
    pub org: Org,
    pub technician: Technician,
    /// False when the org already existed (same slug) and the admin was added to it.
    pub org_created: bool,
}

impl App {
    /// Creates an admin technician, and the org too when no org has the slug of `org_name`.
    ///
    /// # Errors
    /// A blank org name, a weak password (with the policy's reason), an email already
    /// registered, or a store failure. Nothing is created when the admin cannot be.
    pub async fn create_admin(
        &self,
        org_name: &str,
        email: &Email,
        password: &str,
    ) -> Result<CreatedAdmin, AccountError> {
        self.create_admin_named(org_name, "", email, password).await
    }

    /// [`App::create_admin`] with the admin's display name (`countersign admin create
    /// --name`, the demo's admin). An empty name falls back to the part of the address
    /// before the `@`, which the admin can change on their Account page.
    ///
    /// # Errors
    /// As [`App::create_admin`], and a name that is too long or not one line.
    pub async fn create_admin_named(
        &self,
        org_name: &str,
        name: &str,
        email: &Email,
        password: &str,
    ) -> Result<CreatedAdmin, AccountError> {
        let org_name = countersign_domain::text::ORG_NAME.check(org_name)?;
        if org_name.is_empty() {
            return Err(AccountError::OrgNameRequired);
        }
        super::one_line(org_name)?;
        let name = countersign_domain::text::TECHNICIAN_NAME.check(name.trim())?;
        super::one_line(name)?;
        let name = if name.is_empty() {
            email
                .as_str()
                .split('@')
                .next()
                .unwrap_or_default()
                .to_owned()
        } else {
            name.to_owned()
        };
        super::check_new_password(password, email.as_str(), &name, org_name)?;
        if self
            .store
            .technician_by_email_for_login(email.as_str())
            .await?
            .is_some()
        {
            return Err(AccountError::EmailTaken);
        }
        // Hash before touching the org, so a failure here leaves no empty org behind.
        let password_hash = self.hash_password(password).await?;
        let now = self.now();
        let slug = slugify(org_name);
        let (org, org_created) = match self.store.org_by_slug(&slug).await? {
            Some(org) => (org, false),
            None => {
                let org = Org {
                    id: OrgId::new(),
                    name: org_name.to_owned(),
                    slug: slug.clone(),
                    require_2fa: false,
                    created_at: now,
                };
                match self.store.create_org(&org).await {
                    Ok(()) => (org, true),
                    // Created concurrently by someone else: join it.
                    Err(StoreError::Conflict { .. }) => (
                        self.store
                            .org_by_slug(&slug)
                            .await?
                            .ok_or(AccountError::NotFound)?,
                        false,
                    ),
                    Err(e) => return Err(e.into()),
                }
            }
        };
        let technician = Technician {
            id: TechnicianId::new(),
            org_id: org.id,
            email: email.as_str().to_owned(),
            name,
            role: Role::Admin,
            password_hash,
            active: true,
            totp_secret: None,
            totp_pending_secret: None,
            totp_enabled_at: None,
            totp_last_step: 0,
            created_at: now,
            last_login_at: None,
            permissions: countersign_domain::Permissions::none(),
        };
        match self.store.create_technician(&technician).await {
            Ok(()) => {}
            Err(StoreError::Conflict { .. }) => return Err(AccountError::EmailTaken),
            Err(e) => return Err(e.into()),
        }
        let actor = Actor::cli();
        if org_created {
            self.audit(
                &actor,
                Some(org.id),
                "org.created",
                &org.slug,
                json!({ "name": org.name }),
            )
            .await?;
        }
        self.audit(
            &actor,
            Some(org.id),
            "technician.created",
            &technician.id.to_string(),
            json!({ "email": email.masked(), "role": "admin" }),
        )
        .await?;
        Ok(CreatedAdmin {
            org,
            technician,
            org_created,
        })
    }
}
