//! `purge_unlinked_contacts`: deletes the contacts of unlinked tenants whose purge date has
//! passed (`App::purge_unlinked_contacts`, issue 21.6). Until then they are hidden but kept
//! for the audit trail; re-linking before the date shows them again.

super::sweep::sweep_job!(
    /// Payload of the purge of unlinked tenants' contacts.
    PurgeUnlinkedContacts,
    "purge_unlinked_contacts",
    |app| app.purge_unlinked_contacts()
);
