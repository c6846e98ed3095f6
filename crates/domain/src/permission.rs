//! Permissions an admin grants a technician one by one, on top of their role. Admins hold
//! every permission; a technician holds only those granted. Stored as the sorted names joined
//! by commas (`edit_contacts`), so a new permission needs no migration.

use crate::Role;
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

/// One grantable permission.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Permission {
    /// Change a contact's mobile number or email address (where codes and links go), and
    /// create contacts with them (ASVS 8.2.3: changing a destination is privileged).
    EditContacts,
}

impl Permission {
    /// Every permission, in the order the settings page lists them.
    pub const ALL: [Self; 1] = [Self::EditContacts];

    /// The stored and form name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EditContacts => "edit_contacts",
        }
    }

    /// The name shown to admins.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::EditContacts => "Edit contacts",
        }
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

    /// Grants or revokes `p`.
    pub fn set(&mut self, p: Permission, granted: bool) {
        if granted {
            self.0.insert(p);
        } else {
            self.0.remove(&p);
        }
    }

    /// The granted permissions, in [`Permission::ALL`] order.
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
        s.split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::parse)
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
}
