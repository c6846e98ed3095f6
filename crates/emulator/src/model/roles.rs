//! Entra built-in directory roles (template ids) and the sensitive-properties matrix of
//! "Working with users" [S14b]: who may change `mobilePhone`, `businessPhones` and friends.

use uuid::{Uuid, uuid};

/// Built-in role templates the emulator knows by name. Any other id is treated like a custom
/// role, which the matrix puts in the most protected row.
pub const ROLES: &[(&str, Uuid)] = &[
    ("Global Administrator", GLOBAL_ADMIN),
    ("Privileged Role Administrator", PRIVILEGED_ROLE_ADMIN),
    (
        "Privileged Authentication Administrator",
        PRIVILEGED_AUTH_ADMIN,
    ),
    ("Authentication Administrator", AUTH_ADMIN),
    ("User Administrator", USER_ADMIN),
    ("Helpdesk Administrator", HELPDESK_ADMIN),
    ("Groups Administrator", GROUPS_ADMIN),
    ("Password Administrator", PASSWORD_ADMIN),
    ("Directory Readers", DIRECTORY_READERS),
    ("Guest Inviter", GUEST_INVITER),
    ("Message Center Reader", MESSAGE_CENTER_READER),
    ("Reports Reader", REPORTS_READER),
    ("Usage Summary Reports Reader", USAGE_SUMMARY_READER),
    ("Application Administrator", APPLICATION_ADMIN),
    ("Cloud Application Administrator", CLOUD_APPLICATION_ADMIN),
    ("Global Reader", GLOBAL_READER),
    ("Exchange Administrator", EXCHANGE_ADMIN),
];

pub const GLOBAL_ADMIN: Uuid = uuid!("62e90394-69f5-4237-9190-012177145e10");
pub const PRIVILEGED_ROLE_ADMIN: Uuid = uuid!("e8611ab8-c189-46e8-94e1-60213ab1f814");
pub const PRIVILEGED_AUTH_ADMIN: Uuid = uuid!("7be44c8a-adaf-4e2a-84d6-ab2649e08a13");
pub const AUTH_ADMIN: Uuid = uuid!("c4e39bd9-1100-46d3-8c65-fb160da0071f");
pub const USER_ADMIN: Uuid = uuid!("fe930be7-5e62-47db-91af-98c3a49a38b1");
pub const HELPDESK_ADMIN: Uuid = uuid!("729827e3-9c14-49f7-bb1b-9608f156bbb8");
pub const GROUPS_ADMIN: Uuid = uuid!("fdd7a751-b60b-444a-984c-02652fe8fa1c");
pub const PASSWORD_ADMIN: Uuid = uuid!("966707d0-3269-4727-9be2-8c3a10f19b9d");
pub const DIRECTORY_READERS: Uuid = uuid!("88d8e3e3-8f55-4a1e-953a-9b9898b8876b");
pub const GUEST_INVITER: Uuid = uuid!("95e79109-95c0-4d8e-aee3-d01accf2d47b");
pub const MESSAGE_CENTER_READER: Uuid = uuid!("790c1fb9-7f7d-4f88-86a1-ef1f95c05c1b");
pub const REPORTS_READER: Uuid = uuid!("4a5d8f65-41da-4de4-8968-e035b65339cf");
pub const USAGE_SUMMARY_READER: Uuid = uuid!("75934031-6c7e-415a-99d7-48dbd49e875e");
pub const APPLICATION_ADMIN: Uuid = uuid!("9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3");
pub const CLOUD_APPLICATION_ADMIN: Uuid = uuid!("158c047a-c907-4556-b7ef-446551a6b5f7");
pub const GLOBAL_READER: Uuid = uuid!("f2ef992c-3afb-46b9-b7cf-a126ee74c451");
pub const EXCHANGE_ADMIN: Uuid = uuid!("29232cdf-9323-42fd-ade2-1d097af3e4de");

/// A role given in a scenario file: a display name from [`ROLES`] (case-insensitive) or a GUID.
#[must_use]
pub fn parse_role(text: &str) -> Option<Uuid> {
    ROLES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(text.trim()))
        .map(|(_, id)| *id)
        .or_else(|| Uuid::parse_str(text.trim()).ok())
}

/// Roles that may act on someone holding `target_role` (or holding no role, for `None`).
/// Rows of the matrix in microsoft-365.md §3.3.
fn allowed_editors(target_role: Option<Uuid>) -> &'static [Uuid] {
    const EVERY_ADMIN: &[Uuid] = &[AUTH_ADMIN, USER_ADMIN, PRIVILEGED_AUTH_ADMIN, GLOBAL_ADMIN];
    const USER_ADMIN_UP: &[Uuid] = &[USER_ADMIN, PRIVILEGED_AUTH_ADMIN, GLOBAL_ADMIN];
    const AUTH_ADMIN_UP: &[Uuid] = &[AUTH_ADMIN, PRIVILEGED_AUTH_ADMIN, GLOBAL_ADMIN];
    const TOP_ONLY: &[Uuid] = &[PRIVILEGED_AUTH_ADMIN, GLOBAL_ADMIN];
    match target_role {
        None => EVERY_ADMIN,
        Some(
            DIRECTORY_READERS
            | GUEST_INVITER
            | MESSAGE_CENTER_READER
            | PASSWORD_ADMIN
            | REPORTS_READER
            | USAGE_SUMMARY_READER,
        ) => EVERY_ADMIN,
        Some(GROUPS_ADMIN | HELPDESK_ADMIN | USER_ADMIN) => USER_ADMIN_UP,
        Some(AUTH_ADMIN) => AUTH_ADMIN_UP,
        // Global Admin, Priv. Auth Admin, Priv. Role Admin, and anything the matrix does not
        // name (custom roles and other built-ins) are the most protected row.
        Some(_) => TOP_ONLY,
    }
}

/// May a caller holding `caller_roles` change sensitive properties of a user holding
/// `target_roles`? The caller needs an editor role for every role the target holds.
#[must_use]
pub fn may_edit_sensitive(caller_roles: &[Uuid], target_roles: &[Uuid]) -> bool {
    let allowed = |target: Option<Uuid>| {
        allowed_editors(target)
            .iter()
            .any(|editor| caller_roles.contains(editor))
    };
    if target_roles.is_empty() {
        allowed(None)
    } else {
        target_roles.iter().all(|role| allowed(Some(*role)))
    }
}

/// App-only callers with `User.ReadWrite.All` and no directory role may change phones only on
/// non-admins and these low roles (user-update doc [S14c]); on anyone else Graph answers 403.
#[must_use]
pub fn app_only_may_edit(target_roles: &[Uuid]) -> bool {
    const LOW: &[Uuid] = &[
        DIRECTORY_READERS,
        GUEST_INVITER,
        HELPDESK_ADMIN,
        MESSAGE_CENTER_READER,
        REPORTS_READER,
    ];
    target_roles.iter().all(|role| LOW.contains(role))
}

/// Roles that let an admin grant tenant-wide consent to Graph application permissions.
#[must_use]
pub fn can_grant_admin_consent(roles: &[Uuid]) -> bool {
    roles
        .iter()
        .any(|r| matches!(*r, GLOBAL_ADMIN | PRIVILEGED_ROLE_ADMIN))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_admin_edits_normal_users_but_not_global_admins() {
        assert!(may_edit_sensitive(&[USER_ADMIN], &[]));
        assert!(may_edit_sensitive(&[USER_ADMIN], &[HELPDESK_ADMIN]));
        assert!(!may_edit_sensitive(&[USER_ADMIN], &[GLOBAL_ADMIN]));
        assert!(!may_edit_sensitive(&[USER_ADMIN], &[AUTH_ADMIN]));
        assert!(!may_edit_sensitive(
            &[USER_ADMIN],
            &[DIRECTORY_READERS, GLOBAL_ADMIN]
        ));
    }

    #[test]
    fn auth_admin_row_and_top_row() {
        assert!(may_edit_sensitive(&[AUTH_ADMIN], &[AUTH_ADMIN]));
        assert!(!may_edit_sensitive(&[AUTH_ADMIN], &[USER_ADMIN]));
        assert!(may_edit_sensitive(
            &[PRIVILEGED_AUTH_ADMIN],
            &[GLOBAL_ADMIN]
        ));
        assert!(!may_edit_sensitive(&[APPLICATION_ADMIN], &[]));
        assert!(!may_edit_sensitive(&[], &[]));
    }

    #[test]
    fn app_only_limits() {
        assert!(app_only_may_edit(&[]));
        assert!(app_only_may_edit(&[HELPDESK_ADMIN]));
        assert!(!app_only_may_edit(&[USER_ADMIN]));
    }

    #[test]
    fn parses_names_and_ids() {
        assert_eq!(parse_role("user administrator"), Some(USER_ADMIN));
        assert_eq!(
            parse_role("62e90394-69f5-4237-9190-012177145e10"),
            Some(GLOBAL_ADMIN)
        );
        assert_eq!(parse_role("nope"), None);
    }
}
