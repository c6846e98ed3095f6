//! The Graph objects Countersign reads.

use serde::Deserialize;
use std::collections::BTreeMap;

/// `$select` of every users request: the fields the sync uses, and nothing else (fewer
/// resource units, and delta tracks only what is selected).
pub const USER_SELECT: &str = "id,displayName,givenName,surname,mail,userPrincipalName,mobilePhone,businessPhones,jobTitle,accountEnabled,userType,assignedLicenses,onPremisesSyncEnabled,usageLocation,country,preferredLanguage";

/// Template id of the Application Administrator role.
pub const APPLICATION_ADMINISTRATOR: &str = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3";
/// Template id of the User Administrator role.
pub const USER_ADMINISTRATOR: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";
/// Template id of the Cloud Application Administrator role.
pub const CLOUD_APPLICATION_ADMINISTRATOR: &str = "158c047a-c907-4556-b7ef-446551a6b5f7";

/// A role's name for the page, or its id when it is not one we name.
#[must_use]
pub fn role_name(id: &str) -> String {
    match id {
        APPLICATION_ADMINISTRATOR => "Application Administrator".into(),
        USER_ADMINISTRATOR => "User Administrator".into(),
        CLOUD_APPLICATION_ADMINISTRATOR => "Cloud Application Administrator".into(),
        "62e90394-69f5-4237-9190-012177145e10" => "Global Administrator".into(),
        "729827e3-9c14-49f7-bb1b-9608f156bbb8" => "Helpdesk Administrator".into(),
        "e8611ab8-c189-46e8-94e1-60213ab1f814" => "Privileged Role Administrator".into(),
        "7be44c8a-adaf-4e2a-84d6-ab2649e08a13" => "Privileged Authentication Administrator".into(),
        "c4e39bd9-1100-46d3-8c65-fb160da0071f" => "Authentication Administrator".into(),
        "f2ef992c-3afb-46b9-b7cf-a126ee74c451" => "Global Reader".into(),
        "88d8e3e3-8f55-4a1e-953a-9b9898b8876b" => "Directory Readers".into(),
        other => other.to_owned(),
    }
}

/// One user, with the selected fields.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct GraphUser {
    /// Object id.
    pub id: String,
    /// Full name.
    pub display_name: Option<String>,
    /// First name.
    pub given_name: Option<String>,
    /// Last name.
    pub surname: Option<String>,
    /// Mail address.
    pub mail: Option<String>,
    /// Sign-in name.
    pub user_principal_name: Option<String>,
    /// Mobile number as typed in the directory.
    pub mobile_phone: Option<String>,
    /// Office numbers (at most one can be set).
    pub business_phones: Vec<String>,
    /// Job title.
    pub job_title: Option<String>,
    /// Whether sign-in is allowed.
    pub account_enabled: Option<bool>,
    /// `Member` or `Guest`.
    pub user_type: Option<String>,
    /// Licences; empty means unlicensed.
    pub assigned_licenses: Vec<serde_json::Value>,
    /// Mastered on-premises (then `mobilePhone` is read-only in the cloud).
    pub on_premises_sync_enabled: Option<bool>,
    /// Where the user's services are delivered: an ISO 3166 alpha-2 code (required to
    /// assign licences). The first country the user's national numbers are read with.
    pub usage_location: Option<String>,
    /// The country the user is in, as typed (Graph's example: "US" or "UK").
    pub country: Option<String>,
    /// The user's language, ISO 639-1 and a country (`en-US`, `de-DE`): end-user pages and
    /// messages to the contact are in it.
    pub preferred_language: Option<String>,
}

impl GraphUser {
    /// A guest (B2B) account.
    #[must_use]
    pub fn is_guest(&self) -> bool {
        self.user_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("guest"))
    }

    /// Sign-in blocked.
    #[must_use]
    pub fn is_disabled(&self) -> bool {
        self.account_enabled == Some(false)
    }

    /// No licence assigned.
    #[must_use]
    pub fn is_unlicensed(&self) -> bool {
        self.assigned_licenses.is_empty()
    }

    /// Synced from on-premises AD.
    #[must_use]
    pub fn is_on_premises(&self) -> bool {
        self.on_premises_sync_enabled == Some(true)
    }
}

/// One entry of a delta page.
// Upserts are nearly every entry; boxing them would add an allocation per user.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserChange {
    /// Added, changed or restored: the full selected object.
    Upsert(GraphUser),
    /// Deleted (`@removed`); `permanent` for `reason: deleted`, else soft-deleted.
    Removed {
        /// Object id.
        id: String,
        /// Hard delete.
        permanent: bool,
    },
}

impl UserChange {
    /// The object id of the user the change is about.
    #[must_use]
    pub fn id(&self) -> &str {
        match self {
            Self::Upsert(u) => &u.id,
            Self::Removed { id, .. } => id,
        }
    }
}

/// `/organization`: the tenant as it describes itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Organization {
    /// Tenant id.
    pub id: String,
    /// Company name.
    pub display_name: String,
    /// The default verified domain (falls back on the initial one).
    pub default_domain: String,
    /// The tenant's country or region, an ISO 3166 alpha-2 code (`countryLetterCode`).
    pub country_letter_code: Option<String>,
}

/// A GDAP relationship.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Relationship {
    /// Relationship id.
    #[serde(default)]
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub display_name: String,
    /// `active`, `expired`, ...
    #[serde(default)]
    pub status: String,
    /// The customer.
    pub customer: RelationshipCustomer,
    /// The roles granted.
    #[serde(default)]
    pub access_details: AccessDetails,
}

/// The customer of a relationship.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RelationshipCustomer {
    /// Customer tenant id.
    pub tenant_id: String,
    /// Name at the time of the relationship.
    #[serde(default)]
    pub display_name: String,
}

/// Roles of a relationship.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AccessDetails {
    /// Role template ids.
    #[serde(default)]
    pub unified_roles: Vec<UnifiedRole>,
}

/// One role.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct UnifiedRole {
    /// Role template id.
    pub role_definition_id: String,
}

/// A customer reachable through GDAP: its relationships grouped, roles united.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DelegatedTenant {
    /// Customer tenant id.
    pub tenant_id: String,
    /// Name from the relationship.
    pub display_name: String,
    /// Relationship names.
    pub relationships: Vec<String>,
    /// Union of role template ids, sorted.
    pub roles: Vec<String>,
}

impl DelegatedTenant {
    /// Roles Countersign needs that the relationships lack (Application Administrator —
    /// Cloud Application Administrator also does — and User Administrator).
    #[must_use]
    pub fn missing_roles(&self) -> Vec<&'static str> {
        let has = |id: &str| self.roles.iter().any(|r| r.eq_ignore_ascii_case(id));
        let mut missing = Vec::new();
        if !has(APPLICATION_ADMINISTRATOR) && !has(CLOUD_APPLICATION_ADMINISTRATOR) {
            missing.push("Application Administrator");
        }
        if !has(USER_ADMINISTRATOR) {
            missing.push("User Administrator");
        }
        missing
    }
}

/// Groups relationships by customer tenant (a customer may have several), uniting roles.
#[must_use]
pub fn group_relationships(list: &[Relationship]) -> Vec<DelegatedTenant> {
    let mut by: BTreeMap<String, DelegatedTenant> = BTreeMap::new();
    for r in list {
        let key = r.customer.tenant_id.to_ascii_lowercase();
        let t = by.entry(key.clone()).or_insert_with(|| DelegatedTenant {
            tenant_id: key,
            display_name: r.customer.display_name.clone(),
            relationships: Vec::new(),
            roles: Vec::new(),
        });
        t.relationships.push(r.display_name.clone());
        for role in &r.access_details.unified_roles {
            let id = role.role_definition_id.to_ascii_lowercase();
            if !t.roles.contains(&id) {
                t.roles.push(id);
            }
        }
        t.roles.sort();
    }
    let mut out: Vec<_> = by.into_values().collect();
    out.sort_by(|a, b| {
        a.display_name
            .to_lowercase()
            .cmp(&b.display_name.to_lowercase())
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relationships_group_and_roles_unite() {
        let json = serde_json::json!([
            {"@odata.type":"#microsoft.graph.delegatedAdminRelationship","id":"1","displayName":"A","status":"active",
             "customer":{"tenantId":"T1","displayName":"Contoso"},
             "accessDetails":{"unifiedRoles":[{"roleDefinitionId":USER_ADMINISTRATOR}]}},
            {"@odata.type":"#microsoft.graph.resellerDelegatedAdminRelationship","id":"2","displayName":"B","status":"active",
             "customer":{"tenantId":"t1","displayName":"Contoso"},"isPartnerConsentPending":false,
             "accessDetails":{"unifiedRoles":[{"roleDefinitionId":APPLICATION_ADMINISTRATOR}]}},
            {"id":"3","displayName":"C","status":"active","customer":{"tenantId":"t2","displayName":"Fabrikam"},
             "accessDetails":{"unifiedRoles":[]}}
        ]);
        let list: Vec<Relationship> = serde_json::from_value(json).unwrap();
        let grouped = group_relationships(&list);
        assert_eq!(grouped.len(), 2);
        assert_eq!(grouped[0].relationships, ["A", "B"]);
        assert!(grouped[0].missing_roles().is_empty());
        assert_eq!(
            grouped[1].missing_roles(),
            ["Application Administrator", "User Administrator"]
        );
    }
}
