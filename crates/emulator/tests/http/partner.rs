use crate::common::*;

#[tokio::test]
async fn gdap_relationships_filter_and_page() {
    let env = start().await;
    let tokens = env.sign_in(ALEX_GA).await;
    let token = tokens["access_token"].as_str().unwrap();
    let r = env
        .graph(
            "tenantRelationships/delegatedAdminRelationships?$filter=status eq 'active'",
            token,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let all = r.json["value"].as_array().unwrap();
    assert_eq!(all.len(), 3);
    let contoso: Vec<_> = all
        .iter()
        .filter(|x| x["customer"]["tenantId"] == CONTOSO)
        .collect();
    assert_eq!(contoso.len(), 2, "several relationships per customer");
    assert!(
        contoso
            .iter()
            .any(|x| x["displayName"].as_str().unwrap().starts_with("MLT_"))
    );
    assert!(
        all.iter()
            .all(|x| x["accessDetails"]["unifiedRoles"][0]["roleDefinitionId"].is_string())
    );

    let r = env
        .graph("tenantRelationships/delegatedAdminRelationships?$filter=status eq 'active' and not startsWith(displayName,'MLT_')", token)
        .await;
    assert_eq!(r.json["value"].as_array().unwrap().len(), 2);

    let r = env
        .graph(
            "tenantRelationships/delegatedAdminRelationships?$top=301",
            token,
        )
        .await;
    assert_eq!(r.status, 400);

    let mut url = format!(
        "{}/v1.0/tenantRelationships/delegatedAdminRelationships?$top=1",
        env.m.graph_base_url
    );
    let mut seen = Vec::new();
    loop {
        let r = env.get(&url, token).await;
        assert_eq!(r.status, 200);
        seen.extend(
            r.json["value"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["id"].as_str().unwrap().to_string()),
        );
        match r.json["@odata.nextLink"].as_str() {
            Some(n) => url = n.to_string(),
            None => break,
        }
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 3);
}

#[tokio::test]
async fn contracts_list_partner_customers() {
    let env = start().await;
    let tokens = env.sign_in(ALEX_GA).await;
    let token = tokens["access_token"].as_str().unwrap();
    let r = env.graph("contracts", token).await;
    assert_eq!(r.status, 200);
    let v = r.json["value"].as_array().unwrap();
    assert_eq!(v.len(), 2);
    assert!(
        v.iter()
            .any(|c| c["customerId"] == CONTOSO
                && c["defaultDomainName"] == "contoso.onmicrosoft.com")
    );
    let r = env
        .graph(
            &format!("contracts?$filter=customerId eq '{FABRIKAM}'"),
            token,
        )
        .await;
    assert_eq!(r.json["value"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn missing_permission_is_403() {
    let env = start().await;
    // The multi-tenant app has no DelegatedAdminRelationship permission.
    let token = env.app_token(CONTOSO).await;
    let r = env
        .graph("tenantRelationships/delegatedAdminRelationships", &token)
        .await;
    assert_eq!(
        (r.status.as_u16(), graph_code(&r).as_str()),
        (403, "Authorization_RequestDenied")
    );
}

/// A relationship that expires or is terminated is listed with that status, and a customer
/// left without an active one gives no delegated token (AADSTS90099).
#[tokio::test]
async fn relationships_expire_and_are_terminated() {
    let env = start().await;
    let set = |name: &str, status: &str| {
        let url = env.control_url(&format!(
            "/relationships/{}/status",
            url::form_urlencoded::byte_serialize(name.as_bytes())
                .collect::<String>()
                .replace('+', "%20")
        ));
        let body = serde_json::json!({ "status": status });
        let http = env.http.clone();
        async move { http.put(url).json(&body).send().await.unwrap().status() }
    };
    assert_eq!(set("Northwind – Fabrikam", "terminated").await, 204);
    assert_eq!(set("Northwind – Fabrikam", "gone").await, 400);
    assert_eq!(set("no such relationship", "expired").await, 400);
    let tokens = env.sign_in(ALEX_GA).await;
    let token = tokens["access_token"].as_str().unwrap();
    let r = env
        .graph("tenantRelationships/delegatedAdminRelationships", token)
        .await;
    let all = r.json["value"].as_array().unwrap();
    let fabrikam = all
        .iter()
        .find(|x| x["displayName"] == "Northwind – Fabrikam")
        .unwrap();
    assert_eq!(fabrikam["status"], "terminated");
    assert!(fabrikam["activatedDateTime"].is_null());
    let r = env
        .graph(
            "tenantRelationships/delegatedAdminRelationships?$filter=status eq 'active'",
            token,
        )
        .await;
    assert_eq!(r.json["value"].as_array().unwrap().len(), 2);
    // No active relationship with Fabrikam: a delegated token for it is refused.
    let rt = tokens["refresh_token"].as_str().unwrap();
    let r = env.refresh(FABRIKAM, rt).await;
    assert_eq!(
        (r.status.as_u16(), aad_code(&r)),
        (400, 90099),
        "{}",
        r.json
    );
}
