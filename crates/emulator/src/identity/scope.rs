//! Parsing the `scope` parameter: OIDC scopes plus Graph permissions of one resource.

use super::error::AadError;

pub const GRAPH_RESOURCES: &[&str] = &[
    "https://graph.microsoft.com",
    "00000003-0000-0000-c000-000000000000",
];

#[derive(Debug, Default, Clone)]
pub struct ScopeRequest {
    pub default: bool,
    /// Explicit Graph permissions (`User.ReadWrite.All`).
    pub permissions: Vec<String>,
    pub offline_access: bool,
    pub openid: bool,
}

fn is_graph(resource: &str, graph_base: &str) -> bool {
    GRAPH_RESOURCES
        .iter()
        .any(|r| r.eq_ignore_ascii_case(resource))
        || resource.eq_ignore_ascii_case(graph_base)
}

/// `tenant` is only used in the error text.
pub fn parse(scope: &str, graph_base: &str, tenant: &str) -> Result<ScopeRequest, AadError> {
    let mut req = ScopeRequest::default();
    for item in scope.split_whitespace() {
        match item.to_ascii_lowercase().as_str() {
            "openid" => req.openid = true,
            "offline_access" => req.offline_access = true,
            "profile" | "email" => {}
            _ => {
                let (resource, perm) = match item.rsplit_once('/') {
                    Some((r, p)) => (r, p),
                    None => (GRAPH_RESOURCES[0], item),
                };
                if !is_graph(resource, graph_base) {
                    return Err(AadError::resource_not_found(resource, tenant));
                }
                if perm == ".default" {
                    req.default = true;
                } else if perm.is_empty() {
                    return Err(AadError::invalid_scope(item));
                } else {
                    req.permissions.push(perm.to_string());
                }
            }
        }
    }
    Ok(req)
}

/// Client credentials accept exactly one `<resource>/.default` [S2].
pub fn parse_client_credentials(
    scope: &str,
    graph_base: &str,
    tenant: &str,
) -> Result<(), AadError> {
    let items: Vec<&str> = scope.split_whitespace().collect();
    let [single] = items.as_slice() else {
        return Err(AadError::client_credentials_scope(scope));
    };
    let Some((resource, ".default")) = single.rsplit_once('/') else {
        return Err(AadError::client_credentials_scope(scope));
    };
    if !is_graph(resource, graph_base) {
        return Err(AadError::resource_not_found(resource, tenant));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_mixed_scopes() {
        let r = parse(
            "openid offline_access https://graph.microsoft.com/.default",
            "x",
            "t",
        )
        .unwrap();
        assert!(r.default && r.offline_access && r.openid);
        let r = parse("User.Read.All", "x", "t").unwrap();
        assert_eq!(r.permissions, vec!["User.Read.All"]);
        assert_eq!(
            parse("https://vault.azure.net/.default", "x", "t")
                .unwrap_err()
                .code,
            500011
        );
    }

    #[test]
    fn client_credentials_needs_default() {
        assert!(parse_client_credentials("https://graph.microsoft.com/.default", "x", "t").is_ok());
        let e = parse_client_credentials("https://graph.microsoft.com/User.Read.All", "x", "t")
            .unwrap_err();
        assert_eq!(e.code, 1002012);
    }
}
