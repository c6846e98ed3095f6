use crate::common::*;
use std::collections::HashSet;

#[tokio::test]
async fn paging_is_complete_duplicate_free_and_absolute() {
    let env = start().await;
    let token = env.app_token(CONTOSO).await;
    let expected = env
        .m
        .tenants
        .iter()
        .find(|t| t.id.to_string() == CONTOSO)
        .unwrap()
        .users;
    assert!(expected > 200);
    let mut url = format!("{}/v1.0/users?$top=100", env.m.graph_base_url);
    let mut ids = HashSet::new();
    let mut pages = 0;
    loop {
        let r = env.get(&url, &token).await;
        assert_eq!(r.status, 200, "{}", r.json);
        pages += 1;
        for u in r.json["value"].as_array().unwrap() {
            assert!(
                ids.insert(u["id"].as_str().unwrap().to_string()),
                "duplicate {}",
                u["id"]
            );
        }
        match r.json["@odata.nextLink"].as_str() {
            Some(next) => {
                assert!(
                    next.starts_with(&format!("{}/v1.0/users?", env.m.graph_base_url)),
                    "{next}"
                );
                assert!(next.contains("$skiptoken="));
                url = next.to_string();
            }
            None => break,
        }
    }
    assert_eq!(ids.len(), expected);
    assert_eq!(pages, expected.div_ceil(100));
}

#[tokio::test]
async fn select_controls_which_fields_appear() {
    let env = start().await;
    let token = env.app_token(CONTOSO).await;
    let r = env.graph("users?$top=5", &token).await;
    let u = &r.json["value"][0];
    for f in [
        "id",
        "displayName",
        "userPrincipalName",
        "mobilePhone",
        "businessPhones",
        "mail",
    ] {
        assert!(u.get(f).is_some(), "default set lacks {f}");
    }
    for f in [
        "accountEnabled",
        "userType",
        "assignedLicenses",
        "onPremisesSyncEnabled",
    ] {
        assert!(u.get(f).is_none(), "{f} must only appear when selected");
    }
    let r = env.graph("users?$top=5&$select=id,accountEnabled,userType,assignedLicenses,onPremisesSyncEnabled", &token).await;
    assert_eq!(r.status, 200);
    let u = r.json["value"][0].as_object().unwrap();
    let keys: HashSet<&str> = u.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        HashSet::from([
            "id",
            "accountEnabled",
            "userType",
            "assignedLicenses",
            "onPremisesSyncEnabled"
        ])
    );
    assert!(
        r.json["@odata.nextLink"]
            .as_str()
            .unwrap()
            .contains("$select=id,accountEnabled")
    );
}

#[tokio::test]
async fn top_above_999_and_unknown_properties_are_400() {
    let env = start().await;
    let token = env.app_token(CONTOSO).await;
    let r = env.graph("users?$top=1000", &token).await;
    assert_eq!(
        (r.status.as_u16(), graph_code(&r).as_str()),
        (400, "Request_BadRequest")
    );
    assert_eq!(env.graph("users?$top=999", &token).await.status, 200);
    let r = env.graph("users?$select=id,shoeSize", &token).await;
    assert_eq!(r.status, 400);
    assert_eq!(env.graph("users?$select=skills", &token).await.status, 501);
}

#[tokio::test]
async fn organization_returns_the_callers_tenant() {
    let env = start().await;
    let token = env.app_token(CONTOSO).await;
    let r = env.graph("organization", &token).await;
    assert_eq!(r.status, 200);
    let org = &r.json["value"][0];
    assert_eq!(org["id"], CONTOSO);
    assert_eq!(org["displayName"], "Contoso Ltd");
    let names: Vec<&str> = org["verifiedDomains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["contoso.onmicrosoft.com", "contoso.com"]);
}
