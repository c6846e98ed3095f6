//! Permissions an admin grants a technician one by one, on top of their role. Admins hold
//! every permission; a technician holds only those granted. Stored as the sorted names joined
//! by commas (`edit_contacts,send_broadcasts`), so a new permission needs no migration.

use crate::Role;
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

/// One named permission. Every use case starts by checking one (`Principal::require` in
/// `app`), so the web, the CLI and the API apply the same rules. Admins hold them all; every
/// technician holds [`Permission::TECHNICIAN`]; an admin grants a technician the
/// [`Permission::GRANTABLE`] ones one by one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Permission {
    /// Change a contact's mobile number or email address (where codes and links go), and
    /// create contacts with them (ASVS 8.2.3: changing a destination is privileged).
    EditContacts,
    /// See customers, contacts, the Pod and the integrations' sync state.
    ViewDirectory,
    /// Create contacts by hand and edit their details (a mobile number or email address also
    /// needs [`Permission::EditContacts`]).
    ManageContacts,
    /// Verify a contact (code, approve link) and prove oneself to a contact.
    VerifyContacts,
    /// Send and request secrets through one-time links, and manage one's own links.
    SendSecrets,
    /// Change one's own password, second factor and sessions.
    ManageOwnAccount,
    /// Create, rename and remove customers by hand.
    ManageCustomers,
    /// Add, link and configure contact sources (Microsoft 365 today), start syncs.
    ManageIntegrations,
    /// Invite technicians, change roles, permissions and credentials, unlock sign-in.
    ManageTechnicians,
    /// Organisation settings: sign-in rules, the Pod, verification, branding, mail.
    ManageSettings,
    /// Outgoing webhook endpoints and their secrets.
    ManageWebhooks,
    /// Read and verify the audit log.
    ViewAudit,
    /// See and retry background jobs.
    ManageJobs,
    /// Read the outbox (messages kept instead of sent).
    ViewOutbox,
    /// Cancel (burn) any technician's Secure Send / Request link, not only one's own.
    ManageAnySecret,
    /// Write broadcast drafts and templates, and preview their audience and messages. Every
    /// technician holds it (issue 20: "admins and technicians may draft"); drafting sends
    /// nothing, so it needs no grant.
    DraftBroadcasts,
    /// Ask for and give the approval that freezes a broadcast's audience and lets it go out.
    /// Admins hold it by role; an admin grants it per technician, because one approval can
    /// reach every contact of every customer.
    SendBroadcasts,
}

impl Permission {
    /// Every permission.
    pub const ALL: [Self; 17] = [
        Self::EditContacts,
        Self::ViewDirectory,
        Self::ManageContacts,
        Self::VerifyContacts,
        Self::SendSecrets,
        Self::ManageOwnAccount,
        Self::ManageCustomers,
        Self::ManageIntegrations,
        Self::ManageTechnicians,
        Self::ManageSettings,
        Self::ManageWebhooks,
        Self::ViewAudit,
        Self::ManageJobs,
        Self::ViewOutbox,
        Self::ManageAnySecret,
        Self::DraftBroadcasts,
        Self::SendBroadcasts,
    ];

    /// What every technician holds by their role.
    pub const TECHNICIAN: [Self; 6] = [
        Self::ViewDirectory,
        Self::ManageContacts,
        Self::VerifyContacts,
        Self::SendSecrets,
        Self::ManageOwnAccount,
        Self::DraftBroadcasts,
    ];

    /// What an admin may grant a technician one by one (Settings ▸ Technicians), in the order
    /// the page lists them. Only these are stored.
    pub const GRANTABLE: [Self; 2] = [Self::EditContacts, Self::SendBroadcasts];

    /// The stored and form name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EditContacts => "edit_contacts",
            Self::ViewDirectory => "view_directory",
            Self::ManageContacts => "manage_contacts",
            Self::VerifyContacts => "verify_contacts",
            Self::SendSecrets => "send_secrets",
            Self::ManageOwnAccount => "manage_own_account",
            Self::ManageCustomers => "manage_customers",
            Self::ManageIntegrations => "manage_integrations",
            Self::ManageTechnicians => "manage_technicians",
            Self::ManageSettings => "manage_settings",
            Self::ManageWebhooks => "manage_webhooks",
            Self::ViewAudit => "view_audit",
            Self::ManageJobs => "manage_jobs",
            Self::ViewOutbox => "view_outbox",
            Self::ManageAnySecret => "manage_any_secret",
            Self::DraftBroadcasts => "draft_broadcasts",
            Self::SendBroadcasts => "send_broadcasts",
        }
    }

    /// The name shown to admins.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::EditContacts => "Edit contacts",
            Self::ViewDirectory => "View the directory",
            Self::ManageContacts => "Manage contacts",
            Self::VerifyContacts => "Verify contacts",
            Self::SendSecrets => "Send secrets",
            Self::ManageOwnAccount => "Manage own account",
            Self::ManageCustomers => "Manage customers",
            Self::ManageIntegrations => "Manage integrations",
            Self::ManageTechnicians => "Manage technicians",
            Self::ManageSettings => "Manage settings",
            Self::ManageWebhooks => "Manage webhooks",
            Self::ViewAudit => "View the audit log",
            Self::ManageJobs => "Manage jobs",
            Self::ViewOutbox => "View the outbox",
            Self::ManageAnySecret => "Manage anyone's secret links",
            Self::DraftBroadcasts => "Draft broadcasts",
            Self::SendBroadcasts => "Send broadcasts",
        }
    }

    /// Whether an admin can grant this to a technician.
    #[must_use]
    pub fn is_grantable(self) -> bool {
        Self::GRANTABLE.contains(&self)
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Permission {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| format!("unknown permission {s:?}"))
    }
}

/// The permissions granted to one technician.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Permissions(BTreeSet<Permission>);

impl Permissions {
    /// No permission granted.
    #[must_use]
    pub fn none() -> Self {
        Self::default()
    }

    /// Whether `p` was granted (the role is not considered: see [`Permissions::allows`]).
    #[must_use]
    pub fn contains(&self, p: Permission) -> bool {
        self.0.contains(&p)
    }

    /// Whether a technician of `role` with these grants may do what `p` guards: admins
    /// always may.
    #[must_use]
    pub fn allows(&self, role: Role, p: Permission) -> bool {
        role.can_manage() || self.contains(p)
    }

    /// Everything a technician of `role` with these grants holds: every permission for an
    /// admin, [`Permission::TECHNICIAN`] plus the grants for a technician.
    #[must_use]
    pub fn effective(&self, role: Role) -> Self {
        if role.can_manage() {
            Permission::ALL.into_iter().collect()
        } else {
            Permission::TECHNICIAN
                .into_iter()
                .chain(self.iter())
                .collect()
        }
    }

    /// Every permission (the command line, the server's own jobs).
    #[must_use]
    pub fn all() -> Self {
        Permission::ALL.into_iter().collect()
    }

    /// Grants or revokes `p`.
    pub fn set(&mut self, p: Permission, granted: bool) {
        if granted {
            self.0.insert(p);
        } else {
            self.0.remove(&p);
        }
    }

    /// The granted permissions, in [`Permission`] order.
    pub fn iter(&self) -> impl Iterator<Item = Permission> + '_ {
        self.0.iter().copied()
    }

    /// The names, sorted (what the store and the audit log keep).
    #[must_use]
    pub fn names(&self) -> Vec<&'static str> {
        self.iter().map(Permission::as_str).collect()
    }
}

impl FromIterator<Permission> for Permissions {
    fn from_iter<I: IntoIterator<Item = Permission>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl fmt::Display for Permissions {
    /// The stored form: names joined by commas, '' for none.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.names().join(","))
    }
}

impl FromStr for Permissions {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Only grantable names are ever stored: a role's permissions come from the role, so a
        // stored "manage_technicians" is refused rather than honoured.
        s.split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(|n| match n.parse::<Permission>() {
                Ok(p) if p.is_grantable() => Ok(p),
                Ok(p) => Err(format!("{p} is held by role, not granted")),
                Err(e) => Err(e),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_form_round_trips_and_rejects_unknown_names() {
        let none: Permissions = "".parse().unwrap();
        assert_eq!(none, Permissions::none());
        assert_eq!(none.to_string(), "");
        let edit: Permissions = "edit_contacts".parse().unwrap();
        assert!(edit.contains(Permission::EditContacts));
        assert_eq!(edit.to_string().parse::<Permissions>().unwrap(), edit);
        assert!("edit_contacts,fly".parse::<Permissions>().is_err());
        assert!("manage_technicians".parse::<Permissions>().is_err());
        let both: Permissions = "send_broadcasts,edit_contacts".parse().unwrap();
        assert_eq!(both.to_string(), "edit_contacts,send_broadcasts", "sorted");
        assert!(
            "draft_broadcasts".parse::<Permissions>().is_err(),
            "held by role"
        );
    }

    #[test]
    fn sending_broadcasts_is_granted_drafting_is_held_by_every_technician() {
        let none = Permissions::none();
        assert!(none.allows(Role::Admin, Permission::SendBroadcasts));
        assert!(!none.allows(Role::Technician, Permission::SendBroadcasts));
        assert!(Permission::SendBroadcasts.is_grantable());
        let tech = none.effective(Role::Technician);
        assert!(tech.contains(Permission::DraftBroadcasts));
        assert!(!tech.contains(Permission::SendBroadcasts));
        let granted: Permissions = [Permission::SendBroadcasts].into_iter().collect();
        assert!(
            granted
                .effective(Role::Technician)
                .contains(Permission::SendBroadcasts)
        );
    }

    #[test]
    fn admins_hold_every_permission_technicians_only_granted_ones() {
        let none = Permissions::none();
        assert!(none.allows(Role::Admin, Permission::EditContacts));
        assert!(!none.allows(Role::Technician, Permission::EditContacts));
        let mut granted = none.clone();
        granted.set(Permission::EditContacts, true);
        assert!(granted.allows(Role::Technician, Permission::EditContacts));
        granted.set(Permission::EditContacts, false);
        assert_eq!(granted, none);
    }

    #[test]
    fn effective_sets_follow_the_role() {
        let none = Permissions::none();
        assert_eq!(none.effective(Role::Admin), Permissions::all());
        let tech = none.effective(Role::Technician);
        assert!(tech.contains(Permission::VerifyContacts));
        assert!(!tech.contains(Permission::EditContacts));
        assert!(!tech.contains(Permission::ManageTechnicians));
        let granted: Permissions = [Permission::EditContacts].into_iter().collect();
        assert!(
            granted
                .effective(Role::Technician)
                .contains(Permission::EditContacts)
        );
        for p in Permission::ALL {
            assert_eq!(p.as_str().parse::<Permission>().unwrap(), p, "{p}");
        }
    }
}
