//! Creating, editing and deleting contacts. Input is parsed here (email, phone with the
//! customer's default country) before anything is written, so a refused form changes nothing.
//! Edits go through the contact's [`EditRoute`].

use super::{ContactError, EditRoute, visible};
use crate::{App, Principal};
use countersign_domain::text::{self, Limit};
use countersign_domain::{ContactId, CustomerId, Email, Permission, Phone};
use countersign_store::{Contact, ContactEdit, ContactStore, Customer, CustomerStore, SourceKind};
use serde_json::json;

/// The contact form as typed. Fields a synced contact does not let Countersign edit are
/// ignored for it (they come from the source).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactInput {
    pub given_name: String,
    pub surname: String,
    pub display_name: String,
    pub email: String,
    pub mobile: String,
    pub job_title: String,
    pub department: String,
}

/// Parses the email and mobile number of a form (blank: none).
fn parse_channels(
    input: &ContactInput,
    customer: &Customer,
) -> Result<(Option<String>, Option<Phone>), ContactError> {
    let email = match text::EMAIL.check(&input.email)? {
        "" => None,
        e => Some(Email::parse(e)?.as_str().to_owned()),
    };
    let mobile = match text::PHONE.check(&input.mobile)? {
        "" => None,
        m => Some(Phone::parse(m, customer.default_country)?),
    };
    if let Some(p) = mobile.as_ref().filter(|p| p.kind().never_mobile()) {
        return Err(ContactError::NotMobile(format!(
            "{} is {} by its country's numbering plan, and SMS cannot reach it: enter a mobile number, or leave it blank",
            p.international(),
            p.kind().label()
        )));
    }
    Ok((email, mobile))
}

/// The edit a form asks for; for a synced contact only mobile and email change.
fn edit_from(
    input: &ContactInput,
    customer: &Customer,
    current: Option<&Contact>,
) -> Result<ContactEdit, ContactError> {
    let (email, mobile) = parse_channels(input, customer)?;
    let (mobile_text, mobile_e164) = match mobile {
        Some(p) => (Some(p.original().to_owned()), Some(p.e164().to_owned())),
        None => (None, None),
    };
    if let Some(c) = current.filter(|c| !EditRoute::of(c.source).edits_all_fields()) {
        return Ok(ContactEdit {
            given_name: c.given_name.clone(),
            surname: c.surname.clone(),
            display_name: c.display_name.clone(),
            email,
            mobile: mobile_text,
            mobile_e164,
            job_title: c.job_title.clone(),
            department: c.department.clone(),
        });
    }
    let field = |limit: Limit, value: &str| limit.check(value).map(str::to_owned);
    let given_name = field(text::GIVEN_NAME, &input.given_name)?;
    let surname = field(text::SURNAME, &input.surname)?;
    let display_name = match text::DISPLAY_NAME.check(&input.display_name)? {
        "" => format!("{given_name} {surname}").trim().to_owned(),
        d => d.to_owned(),
    };
    if display_name.is_empty() {
        return Err(ContactError::NameRequired);
    }
    Ok(ContactEdit {
        given_name,
        surname,
        display_name,
        email,
        mobile: mobile_text,
        mobile_e164,
        job_title: field(text::JOB_TITLE, &input.job_title)?,
        department: field(text::DEPARTMENT, &input.department)?,
    })
}

/// The channels (where codes and links go) a form changes: `mobile`, `email`. Compared as
/// typed, before parsing, so that a refusal does not depend on whether the new value is
/// valid; any change of the text counts, a reformatted number too, since it is written back.
fn changed_channels(input: &ContactInput, current: Option<&Contact>) -> Vec<&'static str> {
    let (mobile, email) = match current {
        Some(c) => (
            c.mobile.as_deref().unwrap_or_default().trim(),
            c.email.as_deref().unwrap_or_default().trim(),
        ),
        None => ("", ""),
    };
    let mut fields = Vec::new();
    if input.mobile.trim() != mobile {
        fields.push("mobile");
    }
    if input.email.trim() != email {
        fields.push("email");
    }
    fields
}

impl App {
    /// Refuses (and audits the refusal) an edit of a contact's channels by a principal
    /// without the "Edit contacts" permission (admins hold it): otherwise a technician could
    /// point a contact's number at their own phone and then send it a code (ASVS 8.2.3).
    async fn check_channel_edit(
        &self,
        by: &Principal,
        target: &str,
        input: &ContactInput,
        current: Option<&Contact>,
    ) -> Result<(), ContactError> {
        let fields = changed_channels(input, current);
        if fields.is_empty() || by.may(Permission::EditContacts) {
            return Ok(());
        }
        self.audit(
            &by.actor(),
            None,
            "contact.edit_refused",
            target,
            json!({ "fields": fields, "missing_permission": Permission::EditContacts.as_str() }),
        )
        .await?;
        Err(ContactError::ChannelsNotAllowed)
    }

    /// Creates a contact of a customer that no source syncs (`ManageContacts`). With a mobile
    /// number or email address, only with the "Edit contacts" permission too.
    ///
    /// # Errors
    /// Without the permission; not found; the customer is synced from a source; invalid
    /// input; channels without the permission; a store failure.
    pub async fn create_contact(
        &self,
        by: &Principal,
        customer_id: CustomerId,
        input: &ContactInput,
    ) -> Result<Contact, ContactError> {
        by.require(Permission::ManageContacts)?;
        let customer = self.store.customer(by.org_id(), customer_id).await?;
        if customer.source != SourceKind::Manual {
            return Err(ContactError::NotManual(
                "this customer's contacts come from its source: add the user there and sync",
            ));
        }
        self.check_channel_edit(by, &customer_id.to_string(), input, None)
            .await?;
        let edit = edit_from(input, &customer, None)?;
        let now = self.now();
        let contact = Contact {
            id: ContactId::new(),
            org_id: by.org_id(),
            customer_id,
            source: SourceKind::Manual,
            external_id: None,
            upn: None,
            given_name: edit.given_name,
            surname: edit.surname,
            display_name: edit.display_name,
            email: edit.email,
            mobile: edit.mobile,
            mobile_e164: edit.mobile_e164,
            phone_country: None,
            business_phones: Vec::new(),
            job_title: edit.job_title,
            department: edit.department,
            account_enabled: true,
            user_type: String::new(),
            removed_at: None,
            last_synced_at: None,
            phone_changed_at: None,
            created_at: now,
            updated_at: now,
            unlinked_at: None,
        };
        self.store.create_contact(&contact).await?;
        self.audit(
            &by.actor(),
            None,
            "contact.created",
            &contact.id.to_string(),
            json!({ "customer": customer_id.to_string() }),
        )
        .await?;
        Ok(contact)
    }

    /// Edits a contact: the edit goes to the contact's source first (see
    /// [`EditRoute`]) and is saved only when the source took it. A changed mobile number
    /// is recorded (the Pod then warns about it, see [`super::SIM_SWAP_WINDOW`]). Changing
    /// the mobile number or email address needs the "Edit contacts" permission; other fields
    /// need `ManageContacts` only.
    ///
    /// # Errors
    /// Without the permission; not found; invalid input; channels changed without the
    /// permission (nothing is sent to the source or saved); the source cannot take the edit
    /// (nothing is saved); a store failure.
    pub async fn edit_contact(
        &self,
        by: &Principal,
        id: ContactId,
        input: &ContactInput,
    ) -> Result<Contact, ContactError> {
        by.require(Permission::ManageContacts)?;
        let org = by.org_id();
        let contact = self.store.contact(org, id).await.and_then(visible)?;
        self.check_channel_edit(by, &id.to_string(), input, Some(&contact))
            .await?;
        let customer = self.store.customer(org, contact.customer_id).await?;
        let edit = edit_from(input, &customer, Some(&contact))?;
        let source = EditRoute::of(contact.source);
        source.write_back(self, by, &contact, &edit).await?;
        let after = self
            .store
            .update_contact(org, id, &edit, by.technician_id(), self.now())
            .await?;
        self.audit(
            &by.actor(),
            None,
            "contact.updated",
            &id.to_string(),
            json!({
                "mobile_changed": contact.mobile_e164 != after.mobile_e164,
                "email_changed": contact.email != after.email,
                "written_back": source.writes_back(),
            }),
        )
        .await?;
        Ok(after)
    }

    /// Deletes a manual contact (a synced one would come back with the next sync).
    ///
    /// # Errors
    /// Without `ManageContacts`; not found; a synced contact; a store failure.
    pub async fn delete_contact(&self, by: &Principal, id: ContactId) -> Result<(), ContactError> {
        by.require(Permission::ManageContacts)?;
        let contact = self.store.contact(by.org_id(), id).await?;
        if contact.source != SourceKind::Manual {
            return Err(ContactError::NotManual(
                "synced contacts are removed at their source, and the next sync marks them removed",
            ));
        }
        self.store.delete_contact(by.org_id(), id).await?;
        self.audit(
            &by.actor(),
            None,
            "contact.deleted",
            &id.to_string(),
            json!({ "customer": contact.customer_id.to_string() }),
        )
        .await?;
        Ok(())
    }
}
