//! Secure Send's "My links" (issue 21.5): the links a technician made, newest first, with
//! their status and recipient hint (never the secret, which the server never holds in clear
//! anyway). A technician lists only their own links. An admin, who may already open and burn
//! any link of the org (`ManageAnySecret`, `manage.rs`), may also list every link of the org;
//! the list follows that permission rather than inventing a new one.

use super::SecretError;
use super::manage::Access;
use crate::{App, Principal};
use countersign_domain::Permission;
use countersign_store::{Secret, SecretStore, TechnicianStore};
use std::collections::HashMap;

/// How many links the list shows (newest first).
pub const LINK_LIST_LENGTH: i64 = 100;

/// Whose links to list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkList {
    /// The signed-in technician's own.
    Mine,
    /// Every technician's of the org (`ManageAnySecret`).
    Org,
}

/// One listed link.
#[derive(Clone, Debug)]
pub struct ListedLink {
    pub secret: Secret,
    /// The name of the technician who made it.
    pub maker: String,
    /// What the viewer may do with it (the owner everything, an admin status and burn).
    pub access: Access,
}

/// The list as the page shows it.
#[derive(Clone, Debug)]
pub struct LinkListView {
    pub list: LinkList,
    pub links: Vec<ListedLink>,
    /// Whether the viewer may switch to the org's list.
    pub may_list_org: bool,
}

impl App {
    /// The links `by` made, or with `LinkList::Org` every link of the org, newest first, at
    /// most [`LINK_LIST_LENGTH`] (`SendSecrets`; the org's list also `ManageAnySecret`).
    ///
    /// # Errors
    /// Without the permissions, or a store failure.
    pub async fn secret_link_list(
        &self,
        by: &Principal,
        list: LinkList,
    ) -> Result<LinkListView, SecretError> {
        by.require(Permission::SendSecrets)?;
        if list == LinkList::Org {
            by.require(Permission::ManageAnySecret)?;
        }
        let org = by.org_id();
        let maker = match list {
            // A principal that is no technician (the command line) made no links.
            LinkList::Mine => Some(by.technician_id().ok_or(SecretError::NotFound)?),
            LinkList::Org => None,
        };
        let (secrets, technicians) = tokio::join!(
            self.store.technician_secrets(org, maker, LINK_LIST_LENGTH),
            self.store.technicians(org)
        );
        let names: HashMap<_, _> = technicians?.into_iter().map(|t| (t.id, t.name)).collect();
        let links = secrets?
            .into_iter()
            .map(|secret| ListedLink {
                maker: names
                    .get(&secret.technician_id)
                    .cloned()
                    .unwrap_or_default(),
                access: Access::of(by, &secret),
                secret,
            })
            .collect();
        Ok(LinkListView {
            list,
            links,
            may_list_org: by.may(Permission::ManageAnySecret),
        })
    }
}
