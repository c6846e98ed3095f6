//! National clouds as data: each has its own login host and Graph host (and Graph's resource
//! identifier for `/.default` scopes). Custom points both at other hosts, which is how the
//! simulator is used.

use serde::{Deserialize, Serialize};

/// Which Microsoft cloud an integration talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CloudKind {
    /// The public (commercial) cloud.
    Global,
    /// US Government GCC High.
    UsGovHigh,
    /// US Government DoD.
    UsGovDod,
    /// China, operated by 21Vianet.
    China,
    /// Any other login and Graph base URLs (the simulator).
    Custom,
}

impl CloudKind {
    /// Every kind, in the order the integration page offers them.
    pub const ALL: [Self; 5] = [
        Self::Global,
        Self::UsGovHigh,
        Self::UsGovDod,
        Self::China,
        Self::Custom,
    ];

    /// The stored text.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Global => "global",
            Self::UsGovHigh => "us_gov_high",
            Self::UsGovDod => "us_gov_dod",
            Self::China => "china",
            Self::Custom => "custom",
        }
    }

    /// Parses the stored text.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// What the page calls it.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Global => "Global",
            Self::UsGovHigh => "US Government GCC High",
            Self::UsGovDod => "US Government DoD",
            Self::China => "China (21Vianet)",
            Self::Custom => "Custom",
        }
    }
}

/// The endpoints of one cloud. Base URLs have no trailing slash.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Cloud {
    /// Which cloud.
    pub kind: CloudKind,
    /// Stands where `https://login.microsoftonline.com` stands in the public cloud.
    pub login_base_url: String,
    /// Stands where `https://graph.microsoft.com` stands in the public cloud.
    pub graph_base_url: String,
    /// Graph's resource identifier: `{this}/.default` is the scope of app-only tokens.
    pub graph_resource: String,
}

impl Cloud {
    /// A national cloud's well-known endpoints; `None` for [`CloudKind::Custom`], which needs
    /// [`Cloud::custom`].
    #[must_use]
    pub fn national(kind: CloudKind) -> Option<Self> {
        let (login, graph) = match kind {
            CloudKind::Global => (
                "https://login.microsoftonline.com",
                "https://graph.microsoft.com",
            ),
            CloudKind::UsGovHigh => (
                "https://login.microsoftonline.us",
                "https://graph.microsoft.us",
            ),
            CloudKind::UsGovDod => (
                "https://login.microsoftonline.us",
                "https://dod-graph.microsoft.us",
            ),
            CloudKind::China => (
                "https://login.chinacloudapi.cn",
                "https://microsoftgraph.chinacloudapi.cn",
            ),
            CloudKind::Custom => return None,
        };
        Some(Self {
            kind,
            login_base_url: login.into(),
            graph_base_url: graph.into(),
            graph_resource: graph.into(),
        })
    }

    /// The public cloud.
    #[must_use]
    pub fn global() -> Self {
        Self {
            kind: CloudKind::Global,
            login_base_url: "https://login.microsoftonline.com".into(),
            graph_base_url: "https://graph.microsoft.com".into(),
            graph_resource: "https://graph.microsoft.com".into(),
        }
    }

    /// Custom base URLs (trailing slashes removed). A custom cloud stands in for the public
    /// one, so tokens are asked for the public Graph resource.
    #[must_use]
    pub fn custom(login_base_url: &str, graph_base_url: &str) -> Self {
        Self {
            kind: CloudKind::Custom,
            login_base_url: login_base_url.trim_end_matches('/').into(),
            graph_base_url: graph_base_url.trim_end_matches('/').into(),
            graph_resource: "https://graph.microsoft.com".into(),
        }
    }

    /// `{graph_resource}/.default`.
    #[must_use]
    pub fn default_scope(&self) -> String {
        format!("{}/.default", self.graph_resource)
    }

    /// `{login}/{tenant}/oauth2/v2.0/token`.
    #[must_use]
    pub fn token_url(&self, tenant: &str) -> String {
        format!("{}/{}/oauth2/v2.0/token", self.login_base_url, enc(tenant))
    }

    /// `{login}/{tenant}/oauth2/v2.0/authorize`.
    #[must_use]
    pub fn authorize_url(&self, tenant: &str) -> String {
        format!(
            "{}/{}/oauth2/v2.0/authorize",
            self.login_base_url,
            enc(tenant)
        )
    }

    /// `{login}/{tenant}/v2.0/adminconsent`.
    #[must_use]
    pub fn admin_consent_url(&self, tenant: &str) -> String {
        format!("{}/{}/v2.0/adminconsent", self.login_base_url, enc(tenant))
    }

    /// `{login}/{tenant}/v2.0/.well-known/openid-configuration`.
    #[must_use]
    pub fn discovery_url(&self, tenant: &str) -> String {
        format!(
            "{}/{}/v2.0/.well-known/openid-configuration",
            self.login_base_url,
            enc(tenant)
        )
    }

    /// `{graph}/v1.0{path}`; `path` starts with `/`.
    #[must_use]
    pub fn graph_url(&self, path: &str) -> String {
        format!("{}/v1.0{path}", self.graph_base_url)
    }
}

/// Percent-encodes one path segment (a tenant GUID or domain never needs it, but a value
/// typed in a form might).
fn enc(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_clouds_have_their_own_hosts() {
        let high = Cloud::national(CloudKind::UsGovHigh).unwrap();
        assert_eq!(high.default_scope(), "https://graph.microsoft.us/.default");
        assert_eq!(
            high.token_url("contoso.com"),
            "https://login.microsoftonline.us/contoso.com/oauth2/v2.0/token"
        );
        let china = Cloud::national(CloudKind::China).unwrap();
        assert!(
            china
                .graph_url("/users")
                .starts_with("https://microsoftgraph.chinacloudapi.cn/v1.0")
        );
        assert!(Cloud::national(CloudKind::Custom).is_none());
        for k in CloudKind::ALL {
            assert_eq!(CloudKind::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn custom_cloud_keeps_public_scope_and_trims_slashes() {
        let c = Cloud::custom("http://127.0.0.1:9/login/", "http://127.0.0.1:9/graph/");
        assert_eq!(
            c.graph_url("/organization"),
            "http://127.0.0.1:9/graph/v1.0/organization"
        );
        assert_eq!(c.default_scope(), "https://graph.microsoft.com/.default");
        assert_eq!(
            c.admin_consent_url("organizations"),
            "http://127.0.0.1:9/login/organizations/v2.0/adminconsent"
        );
    }
}
