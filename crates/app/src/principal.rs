//! Who asks for a use case: one principal per request, job or command. Every use case that acts
//! for someone takes a `&Principal` and starts with `principal.require(Permission::…)`, so the
//! web, the CLI and the API to come refuse the same things for the same reasons. The principal
//! also says which org a use case works in: rows are looked up within `principal.org_id()`
//! only, so another org's row is "not found".

use crate::audit::Actor;
use countersign_domain::{OrgId, Permission, Permissions, Role, TechnicianId};
use countersign_store::Technician;
use std::net::IpAddr;

/// A signed-in technician, the command line or the server itself, within one org.
#[derive(Clone, Debug)]
pub struct Principal {
    org_id: OrgId,
    technician_id: Option<TechnicianId>,
    label: String,
    role: Option<Role>,
    permissions: Permissions,
    ip: Option<IpAddr>,
}

/// A principal lacks the permission a use case needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", refusal_text(*.0))]
pub struct Denied(pub Permission);

/// The sentence a refused technician reads: admin-only work says so; a grantable permission
/// is named, so they know what to ask for.
fn refusal_text(p: Permission) -> String {
    if p.is_grantable() {
        format!(
            "you need the \u{201c}{}\u{201d} permission for this: ask an admin of your organisation",
            p.label()
        )
    } else {
        "only admins can do this: ask an admin of your organisation".to_owned()
    }
}

impl Principal {
    /// A signed-in technician, from `ip`: their role's permissions plus what was granted.
    #[must_use]
    pub fn technician(t: &Technician, ip: IpAddr) -> Self {
        // A deactivated technician has no session, but a row read mid-deactivation must not
        // carry any power either.
        let permissions = if t.active {
            t.permissions.effective(t.role)
        } else {
            Permissions::none()
        };
        Self {
            org_id: t.org_id,
            technician_id: Some(t.id),
            label: t.email.clone(),
            role: Some(t.role),
            permissions,
            ip: Some(ip),
        }
    }

    /// An operator at the command line (shell access to the server: every permission).
    #[must_use]
    pub fn cli(org_id: OrgId) -> Self {
        Self::operator(org_id, "cli")
    }

    /// The server's own background work in `org_id` (every permission).
    #[must_use]
    pub fn system(org_id: OrgId) -> Self {
        Self::operator(org_id, "system")
    }

    fn operator(org_id: OrgId, label: &str) -> Self {
        Self {
            org_id,
            technician_id: None,
            label: label.to_owned(),
            role: None,
            permissions: Permissions::all(),
            ip: None,
        }
    }

    /// This principal with only `keep` of its permissions (never more than it had): a session
    /// limited to the Pod, or a test of the refusals.
    #[must_use]
    pub fn limited_to(mut self, keep: &[Permission]) -> Self {
        self.permissions = self
            .permissions
            .iter()
            .filter(|p| keep.contains(p))
            .collect();
        self
    }

    /// Refuses unless this principal holds `p`.
    ///
    /// # Errors
    /// [`Denied`] naming the permission.
    pub fn require(&self, p: Permission) -> Result<(), Denied> {
        if self.permissions.contains(p) {
            Ok(())
        } else {
            Err(Denied(p))
        }
    }

    /// Whether this principal holds `p` (for showing or hiding a button; use cases call
    /// [`Principal::require`]).
    #[must_use]
    pub fn may(&self, p: Permission) -> bool {
        self.permissions.contains(p)
    }

    /// The org every lookup of this principal is scoped to.
    #[must_use]
    pub fn org_id(&self) -> OrgId {
        self.org_id
    }

    /// The technician, when a person asks (not the CLI or the server).
    #[must_use]
    pub fn technician_id(&self) -> Option<TechnicianId> {
        self.technician_id
    }

    /// The technician's role, when a person asks.
    #[must_use]
    pub fn role(&self) -> Option<Role> {
        self.role
    }

    /// The client address of the request, when there is one.
    #[must_use]
    pub fn ip(&self) -> Option<IpAddr> {
        self.ip
    }

    /// The technician's email, or "cli" / "system".
    #[must_use]
    pub fn label(&self) -> &str {
        &self.label
    }

    /// This principal as the actor of an audit entry.
    #[must_use]
    pub fn actor(&self) -> Actor {
        Actor {
            org_id: Some(self.org_id),
            technician_id: self.technician_id,
            label: self.label.clone(),
            ip: self.ip.map(|ip| ip.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tech(role: Role, active: bool) -> Technician {
        Technician {
            id: TechnicianId::new(),
            org_id: OrgId::new(),
            email: "t@example.com".into(),
            name: "T".into(),
            role,
            password_hash: String::new(),
            active,
            totp_secret: None,
            totp_pending_secret: None,
            totp_enabled_at: None,
            totp_last_step: 0,
            created_at: countersign_domain::Timestamp(0),
            last_login_at: None,
            permissions: Permissions::none(),
        }
    }

    #[test]
    fn a_technician_holds_the_role_set_an_admin_everything_a_deactivated_one_nothing() {
        let ip = IpAddr::from([127, 0, 0, 1]);
        let t = Principal::technician(&tech(Role::Technician, true), ip);
        assert!(t.require(Permission::VerifyContacts).is_ok());
        assert_eq!(
            t.require(Permission::ManageTechnicians),
            Err(Denied(Permission::ManageTechnicians))
        );
        let a = Principal::technician(&tech(Role::Admin, true), ip);
        assert!(Permission::ALL.iter().all(|p| a.may(*p)));
        let gone = Principal::technician(&tech(Role::Admin, false), ip);
        assert!(Permission::ALL.iter().all(|p| !gone.may(*p)));
        let pod = a.limited_to(&[Permission::VerifyContacts]);
        assert!(pod.may(Permission::VerifyContacts) && !pod.may(Permission::ViewAudit));
    }

    #[test]
    fn refusals_say_what_to_ask_for() {
        assert!(
            Denied(Permission::EditContacts)
                .to_string()
                .contains("Edit contacts")
        );
        assert!(
            Denied(Permission::ManageTechnicians)
                .to_string()
                .contains("only admins")
        );
    }
}
