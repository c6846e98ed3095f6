//! A directory user and its Graph JSON rendering under `$select`.

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use std::sync::Arc;
use uuid::Uuid;

/// Shared immutable text: pooled values (job titles, offices, languages) cost one pointer.
pub type Text = Arc<str>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserType {
    Member,
    Guest,
}

#[derive(Clone, Debug)]
pub struct User {
    pub id: Uuid,
    pub display_name: Text,
    pub given_name: Option<Text>,
    pub surname: Option<Text>,
    pub mail: Option<Text>,
    pub user_principal_name: Text,
    pub mobile_phone: Option<Text>,
    pub business_phones: Vec<Text>,
    pub job_title: Option<Text>,
    pub office_location: Option<Text>,
    pub preferred_language: Option<Text>,
    pub account_enabled: bool,
    pub user_type: UserType,
    /// `skuId`s of assigned licenses; empty for unlicensed users and shared mailboxes.
    pub licenses: Vec<Uuid>,
    pub on_premises_sync_enabled: Option<bool>,
    /// Two-letter country code (ISO 3166) where the user's services are delivered; required
    /// to assign licences, `null` for many unlicensed accounts.
    pub usage_location: Option<Text>,
    /// The country the user is in, free text ("US", "United Kingdom").
    pub country: Option<Text>,
    /// Directory role template ids held by the user.
    pub roles: Vec<Uuid>,
}

/// A user property Graph can return, as a bit in a [`FieldSet`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Field {
    Id,
    DisplayName,
    GivenName,
    Surname,
    Mail,
    UserPrincipalName,
    MobilePhone,
    BusinessPhones,
    JobTitle,
    OfficeLocation,
    PreferredLanguage,
    AccountEnabled,
    UserType,
    AssignedLicenses,
    OnPremisesSyncEnabled,
    UsageLocation,
    Country,
}

pub const ALL_FIELDS: [Field; 17] = [
    Field::Id,
    Field::DisplayName,
    Field::GivenName,
    Field::Surname,
    Field::Mail,
    Field::UserPrincipalName,
    Field::MobilePhone,
    Field::BusinessPhones,
    Field::JobTitle,
    Field::OfficeLocation,
    Field::PreferredLanguage,
    Field::AccountEnabled,
    Field::UserType,
    Field::AssignedLicenses,
    Field::OnPremisesSyncEnabled,
    Field::UsageLocation,
    Field::Country,
];

impl Field {
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::DisplayName => "displayName",
            Field::GivenName => "givenName",
            Field::Surname => "surname",
            Field::Mail => "mail",
            Field::UserPrincipalName => "userPrincipalName",
            Field::MobilePhone => "mobilePhone",
            Field::BusinessPhones => "businessPhones",
            Field::JobTitle => "jobTitle",
            Field::OfficeLocation => "officeLocation",
            Field::PreferredLanguage => "preferredLanguage",
            Field::AccountEnabled => "accountEnabled",
            Field::UserType => "userType",
            Field::AssignedLicenses => "assignedLicenses",
            Field::OnPremisesSyncEnabled => "onPremisesSyncEnabled",
            Field::UsageLocation => "usageLocation",
            Field::Country => "country",
        }
    }

    /// Graph matches property names case-insensitively.
    #[must_use]
    pub fn parse(name: &str) -> Option<Field> {
        ALL_FIELDS
            .iter()
            .copied()
            .find(|f| f.name().eq_ignore_ascii_case(name))
    }

    #[must_use]
    pub fn bit(self) -> u32 {
        1 << (self as u8)
    }
}

/// A set of fields, one bit each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct FieldSet(pub u32);

impl FieldSet {
    /// The properties Graph returns on `/users` without `$select` [S14]; `accountEnabled`,
    /// `userType`, `assignedLicenses`, `onPremisesSyncEnabled`, `usageLocation` and
    /// `country` come only when selected.
    pub const DEFAULT: FieldSet = FieldSet(
        (1 << Field::Id as u8)
            | (1 << Field::DisplayName as u8)
            | (1 << Field::GivenName as u8)
            | (1 << Field::Surname as u8)
            | (1 << Field::Mail as u8)
            | (1 << Field::UserPrincipalName as u8)
            | (1 << Field::MobilePhone as u8)
            | (1 << Field::BusinessPhones as u8)
            | (1 << Field::JobTitle as u8)
            | (1 << Field::OfficeLocation as u8)
            | (1 << Field::PreferredLanguage as u8),
    );
    pub const ALL: FieldSet = FieldSet((1 << ALL_FIELDS.len()) - 1);

    #[must_use]
    pub fn contains(self, f: Field) -> bool {
        self.0 & f.bit() != 0
    }

    #[must_use]
    pub fn with(self, f: Field) -> FieldSet {
        FieldSet(self.0 | f.bit())
    }

    /// The `$select` text for this set, in canonical order.
    #[must_use]
    pub fn to_select(self) -> String {
        ALL_FIELDS
            .iter()
            .filter(|f| self.contains(**f))
            .map(|f| f.name())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Borrowed view that serializes only the selected fields, straight into the output buffer.
pub struct Selected<'a> {
    pub user: &'a User,
    pub fields: FieldSet,
}

struct Licenses<'a>(&'a [Uuid]);

impl Serialize for Licenses<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct License<'a> {
            disabled_plans: [&'a str; 0],
            sku_id: &'a Uuid,
        }
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for sku in self.0 {
            seq.serialize_element(&License {
                disabled_plans: [],
                sku_id: sku,
            })?;
        }
        seq.end()
    }
}

impl Serialize for Selected<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let u = self.user;
        let mut map = s.serialize_map(None)?;
        for f in ALL_FIELDS {
            if !self.fields.contains(f) {
                continue;
            }
            let key = f.name();
            match f {
                Field::Id => map.serialize_entry(key, &u.id)?,
                Field::DisplayName => map.serialize_entry(key, &*u.display_name)?,
                Field::GivenName => map.serialize_entry(key, &u.given_name.as_deref())?,
                Field::Surname => map.serialize_entry(key, &u.surname.as_deref())?,
                Field::Mail => map.serialize_entry(key, &u.mail.as_deref())?,
                Field::UserPrincipalName => map.serialize_entry(key, &*u.user_principal_name)?,
                Field::MobilePhone => map.serialize_entry(key, &u.mobile_phone.as_deref())?,
                Field::BusinessPhones => {
                    let phones: Vec<&str> = u.business_phones.iter().map(|p| &**p).collect();
                    map.serialize_entry(key, &phones)?;
                }
                Field::JobTitle => map.serialize_entry(key, &u.job_title.as_deref())?,
                Field::OfficeLocation => map.serialize_entry(key, &u.office_location.as_deref())?,
                Field::PreferredLanguage => {
                    map.serialize_entry(key, &u.preferred_language.as_deref())?;
                }
                Field::AccountEnabled => map.serialize_entry(key, &u.account_enabled)?,
                Field::UserType => map.serialize_entry(
                    key,
                    match u.user_type {
                        UserType::Member => "Member",
                        UserType::Guest => "Guest",
                    },
                )?,
                Field::AssignedLicenses => map.serialize_entry(key, &Licenses(&u.licenses))?,
                Field::OnPremisesSyncEnabled => {
                    map.serialize_entry(key, &u.on_premises_sync_enabled)?;
                }
                Field::UsageLocation => map.serialize_entry(key, &u.usage_location.as_deref())?,
                Field::Country => map.serialize_entry(key, &u.country.as_deref())?,
            }
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> User {
        User {
            id: Uuid::nil(),
            display_name: "Zoë Müller".into(),
            given_name: Some("Zoë".into()),
            surname: Some("Müller".into()),
            mail: None,
            user_principal_name: "zoe.muller@contoso.com".into(),
            mobile_phone: None,
            business_phones: vec!["+1 425 555 0100".into()],
            job_title: None,
            office_location: None,
            preferred_language: None,
            account_enabled: false,
            user_type: UserType::Guest,
            licenses: vec![],
            on_premises_sync_enabled: None,
            usage_location: None,
            country: None,
            roles: vec![],
        }
    }

    #[test]
    fn default_set_omits_select_only_fields() {
        let json = serde_json::to_value(Selected {
            user: &sample(),
            fields: FieldSet::DEFAULT,
        })
        .unwrap();
        assert_eq!(json["displayName"], "Zoë Müller");
        assert!(json["mobilePhone"].is_null() && json.get("mobilePhone").is_some());
        assert!(json.get("accountEnabled").is_none());
        assert!(json.get("userType").is_none());
    }

    #[test]
    fn selected_fields_only() {
        let fields = FieldSet::default()
            .with(Field::AccountEnabled)
            .with(Field::UserType);
        let json = serde_json::to_value(Selected {
            user: &sample(),
            fields,
        })
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"accountEnabled": false, "userType": "Guest"})
        );
    }
}
