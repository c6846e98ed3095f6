//! The Graph endpoints Countersign calls. Paging follows `@odata.nextLink` verbatim, but only
//! on the cloud's own Graph host: a link elsewhere would carry our bearer token away.

use crate::client::{Answer, Microsoft, Priority};
use crate::cloud::Cloud;
use crate::error::{GraphError, MsError};
use crate::model::{GraphUser, Organization, Relationship, USER_SELECT, UserChange};
use crate::tokens::AccessToken;
use serde::Deserialize;

/// One page of `/users`.
#[derive(Clone, Debug)]
pub struct UsersPage {
    /// Users of the page.
    pub users: Vec<GraphUser>,
    /// The next page, if any.
    pub next_link: Option<String>,
}

/// One page of `/users/delta`.
#[derive(Clone, Debug)]
pub struct DeltaPage {
    /// Changes of the page.
    pub changes: Vec<UserChange>,
    /// The next page of this round, if any.
    pub next_link: Option<String>,
    /// On the last page: where the next round starts.
    pub delta_link: Option<String>,
}

#[derive(Deserialize)]
struct Collection<T> {
    #[serde(default = "Vec::new")]
    value: Vec<T>,
    #[serde(rename = "@odata.nextLink", default)]
    next_link: Option<String>,
    #[serde(rename = "@odata.deltaLink", default)]
    delta_link: Option<String>,
}

/// A delta entry: a user, or `{"id", "@removed": {"reason"}}`.
#[derive(Deserialize)]
struct DeltaEntry {
    #[serde(flatten)]
    user: GraphUser,
    #[serde(rename = "@removed", default)]
    removed: Option<Removed>,
}

#[derive(Deserialize)]
struct Removed {
    #[serde(default)]
    reason: String,
}

impl Microsoft {
    /// The first `/users` page URL: `$select` of the needed fields, `$top=999`.
    #[must_use]
    pub fn users_url(cloud: &Cloud) -> String {
        cloud.graph_url(&format!("/users?$select={USER_SELECT}&$top=999"))
    }

    /// The first `/users/delta` URL (`$select` only: delta refuses `$top`; page size goes in
    /// the `Prefer` header).
    #[must_use]
    pub fn users_delta_url(cloud: &Cloud) -> String {
        cloud.graph_url(&format!("/users/delta?$select={USER_SELECT}"))
    }

    async fn graph_get(
        &self,
        cloud: &Cloud,
        tenant: &str,
        token: &AccessToken,
        url: &str,
        priority: Priority,
    ) -> Result<Answer, MsError> {
        if !url.starts_with(&format!("{}/", cloud.graph_base_url)) {
            return Err(MsError::Protocol(format!(
                "refusing to follow a link outside Graph ({})",
                url.chars().take(80).collect::<String>()
            )));
        }
        self.execute(tenant, |http| {
            http.get(url)
                .bearer_auth(token.secret())
                .header("x-ms-throttle-priority", Self::priority_header(priority))
                .header("Prefer", "odata.maxpagesize=999")
        })
        .await
    }

    /// One `/users` page.
    ///
    /// # Errors
    /// `Graph` with Microsoft's error, `Unavailable` after the retries.
    pub async fn users_page(
        &self,
        cloud: &Cloud,
        tenant: &str,
        token: &AccessToken,
        url: &str,
        priority: Priority,
    ) -> Result<UsersPage, MsError> {
        let a = self.graph_get(cloud, tenant, token, url, priority).await?;
        let c: Collection<GraphUser> = parse(a)?;
        Ok(UsersPage {
            users: c.value,
            next_link: c.next_link,
        })
    }

    /// One `/users/delta` page. A 410, or a `syncStateNotFound`/`resyncRequired` error,
    /// is [`MsError::ResyncRequired`].
    ///
    /// # Errors
    /// As [`Microsoft::users_page`].
    pub async fn delta_page(
        &self,
        cloud: &Cloud,
        tenant: &str,
        token: &AccessToken,
        url: &str,
        priority: Priority,
    ) -> Result<DeltaPage, MsError> {
        let a = self.graph_get(cloud, tenant, token, url, priority).await?;
        if a.status == 410 {
            return Err(MsError::ResyncRequired);
        }
        let c: Collection<DeltaEntry> = match parse(a) {
            Err(MsError::Graph(g))
                if g.code.eq_ignore_ascii_case("syncStateNotFound")
                    || g.code.eq_ignore_ascii_case("resyncRequired") =>
            {
                return Err(MsError::ResyncRequired);
            }
            other => other?,
        };
        let changes = c
            .value
            .into_iter()
            .map(|e| match e.removed {
                Some(r) => UserChange::Removed {
                    id: e.user.id,
                    permanent: r.reason == "deleted",
                },
                None => UserChange::Upsert(e.user),
            })
            .collect();
        Ok(DeltaPage {
            changes,
            next_link: c.next_link,
            delta_link: c.delta_link,
        })
    }

    /// The tenant the token belongs to (`/organization`): id, name, default domain.
    ///
    /// # Errors
    /// As [`Microsoft::users_page`]; `Protocol` when the collection is empty.
    pub async fn organization(
        &self,
        cloud: &Cloud,
        tenant: &str,
        token: &AccessToken,
    ) -> Result<Organization, MsError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Org {
            id: String,
            #[serde(default)]
            display_name: String,
            #[serde(default)]
            verified_domains: Vec<Domain>,
            #[serde(default)]
            country_letter_code: Option<String>,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Domain {
            name: String,
            #[serde(default)]
            is_default: bool,
            #[serde(default)]
            is_initial: bool,
        }
        let url = cloud
            .graph_url("/organization?$select=id,displayName,verifiedDomains,countryLetterCode");
        let a = self
            .graph_get(cloud, tenant, token, &url, Priority::Normal)
            .await?;
        let c: Collection<Org> = parse(a)?;
        let org = c
            .value
            .into_iter()
            .next()
            .ok_or_else(|| MsError::Protocol("/organization is empty".into()))?;
        let default_domain = org
            .verified_domains
            .iter()
            .find(|d| d.is_default)
            .or_else(|| org.verified_domains.iter().find(|d| d.is_initial))
            .or_else(|| org.verified_domains.first())
            .map(|d| d.name.clone())
            .unwrap_or_default();
        Ok(Organization {
            id: org.id,
            display_name: org.display_name,
            default_domain,
            country_letter_code: org.country_letter_code.filter(|c| !c.trim().is_empty()),
        })
    }

    /// Active GDAP relationships of the partner tenant, without Microsoft-led transition
    /// ones (`MLT_…`), every page.
    ///
    /// # Errors
    /// As [`Microsoft::users_page`].
    pub async fn gdap_relationships(
        &self,
        cloud: &Cloud,
        partner_tenant: &str,
        token: &AccessToken,
    ) -> Result<Vec<Relationship>, MsError> {
        let url = cloud.graph_url(
            "/tenantRelationships/delegatedAdminRelationships?$filter=status%20eq%20'active'%20and%20not%20startsWith(displayName,'MLT_')&$top=300",
        );
        let mut out = self
            .relationship_pages(cloud, partner_tenant, token, url)
            .await?;
        out.retain(|r| r.status == "active");
        Ok(out)
    }

    /// Every GDAP relationship of the partner tenant, whatever its status (`active`,
    /// `expired`, `terminated`, ...) and name (`MLT_…` included), every page: what ended is
    /// told apart from what is active by the caller.
    ///
    /// # Errors
    /// As [`Microsoft::users_page`].
    pub async fn delegated_admin_relationships(
        &self,
        cloud: &Cloud,
        partner_tenant: &str,
        token: &AccessToken,
    ) -> Result<Vec<Relationship>, MsError> {
        let url = cloud.graph_url("/tenantRelationships/delegatedAdminRelationships?$top=300");
        self.relationship_pages(cloud, partner_tenant, token, url)
            .await
    }

    /// Every page of relationships from `first` on.
    async fn relationship_pages(
        &self,
        cloud: &Cloud,
        partner_tenant: &str,
        token: &AccessToken,
        first: String,
    ) -> Result<Vec<Relationship>, MsError> {
        let mut url = Some(first);
        let mut out = Vec::new();
        while let Some(u) = url.take() {
            let a = self
                .graph_get(cloud, partner_tenant, token, &u, Priority::Normal)
                .await?;
            let c: Collection<Relationship> = parse(a)?;
            out.extend(c.value);
            url = c.next_link;
        }
        Ok(out)
    }

    /// One user with the selected fields (before a write, to refuse on-premises users).
    ///
    /// # Errors
    /// As [`Microsoft::users_page`].
    pub async fn user(
        &self,
        cloud: &Cloud,
        tenant: &str,
        token: &AccessToken,
        user_id: &str,
    ) -> Result<GraphUser, MsError> {
        let url = cloud.graph_url(&format!(
            "/users/{}?$select={USER_SELECT}",
            url::form_urlencoded::byte_serialize(user_id.as_bytes()).collect::<String>()
        ));
        let a = self
            .graph_get(cloud, tenant, token, &url, Priority::High)
            .await?;
        parse(a)
    }

    /// Sets (or clears, with `None`) a user's `mobilePhone`; Graph answers 204.
    ///
    /// # Errors
    /// `Graph` with Microsoft's reason (403 `Authorization_RequestDenied` for a privileged
    /// user, 400 for an on-premises-synced one), `Unavailable` after the retries.
    pub async fn patch_mobile_phone(
        &self,
        cloud: &Cloud,
        tenant: &str,
        token: &AccessToken,
        user_id: &str,
        mobile_phone: Option<&str>,
    ) -> Result<(), MsError> {
        let url = cloud.graph_url(&format!(
            "/users/{}",
            url::form_urlencoded::byte_serialize(user_id.as_bytes()).collect::<String>()
        ));
        let body = serde_json::json!({ "mobilePhone": mobile_phone });
        let a = self
            .execute(tenant, |http| {
                http.patch(&url)
                    .bearer_auth(token.secret())
                    .header(
                        "x-ms-throttle-priority",
                        Self::priority_header(Priority::High),
                    )
                    .json(&body)
            })
            .await?;
        if (200..300).contains(&a.status) {
            Ok(())
        } else {
            Err(MsError::Graph(GraphError::from_body(a.status, &a.body)))
        }
    }
}

fn parse<T: serde::de::DeserializeOwned>(a: Answer) -> Result<T, MsError> {
    if a.status != 200 {
        return Err(MsError::Graph(GraphError::from_body(a.status, &a.body)));
    }
    serde_json::from_str(&a.body).map_err(|e| MsError::Protocol(format!("Graph response: {e}")))
}
