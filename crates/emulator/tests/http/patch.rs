use crate::common::*;
use serde_json::json;

#[tokio::test]
async fn app_only_patch_of_phones_is_204_and_recorded() {
    let env = start().await;
    let token = env.app_token(CONTOSO).await;
    let r = env
        .patch_user(
            TARO,
            &token,
            json!({"mobilePhone": "+1 425 555 0199", "businessPhones": ["+1 425 555 0100"]}),
        )
        .await;
    assert_eq!(r.status, 204);
    let user = env.emu.control().user(CONTOSO, TARO).unwrap();
    assert_eq!(user["mobilePhone"], "+1 425 555 0199");
    assert_eq!(user["businessPhones"], json!(["+1 425 555 0100"]));
    // By UPN too.
    let r = env
        .patch_user(
            "taro.yamada@contoso.onmicrosoft.com",
            &token,
            json!({"mobilePhone": null}),
        )
        .await;
    assert_eq!(r.status, 204);
    assert!(env.emu.control().user(CONTOSO, TARO).unwrap()["mobilePhone"].is_null());

    let writes = reply(
        env.http
            .get(env.control_url("/writes"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let w = &writes.json["writes"];
    assert_eq!(w.as_array().unwrap().len(), 2);
    assert_eq!(w[0]["target_user_id"], TARO);
    assert_eq!(w[0]["body"]["mobilePhone"], "+1 425 555 0199");
    assert_eq!(w[0]["status"], 204);
}

#[tokio::test]
async fn on_premises_synced_user_is_read_only() {
    let env = start().await;
    let token = env.app_token(CONTOSO).await;
    let r = env
        .patch_user(BJOERN_ONPREM, &token, json!({"mobilePhone": "+49 151 1"}))
        .await;
    assert_eq!(
        (r.status.as_u16(), graph_code(&r).as_str()),
        (400, "Request_BadRequest")
    );
    assert!(
        r.json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("on-premises mastered")
    );
}

#[tokio::test]
async fn privileged_targets_follow_the_sensitive_properties_matrix() {
    let env = start().await;
    // App-only with User.ReadWrite.All: a Global Administrator is out of reach.
    let app = env.app_token(CONTOSO).await;
    let r = env
        .patch_user(ZOE_GA, &app, json!({"mobilePhone": "+33 6 00 00 00 00"}))
        .await;
    assert_eq!(
        (r.status.as_u16(), graph_code(&r).as_str()),
        (403, "Authorization_RequestDenied")
    );
    assert_eq!(
        r.json["error"]["message"],
        "Insufficient privileges to complete the operation."
    );

    // Delegated through GDAP as User Administrator: normal users yes, Global Admins no.
    let signed_in = env.sign_in(MEGAN_UA).await;
    let gdap = env
        .refresh(CONTOSO, signed_in["refresh_token"].as_str().unwrap())
        .await;
    let token = gdap.json["access_token"].as_str().unwrap();
    assert_eq!(
        env.patch_user(TARO, token, json!({"mobilePhone": "+1 206 555 0142"}))
            .await
            .status,
        204
    );
    let r = env
        .patch_user(ZOE_GA, token, json!({"mobilePhone": "+1 206 555 0143"}))
        .await;
    assert_eq!(
        (r.status.as_u16(), graph_code(&r).as_str()),
        (403, "Authorization_RequestDenied")
    );

    // Giving the app's service principal Privileged Authentication Administrator widens it.
    let url = env.control_url(&format!("/tenants/{CONTOSO}/consents/{MT_APP}"));
    let body = json!({"application_permissions": ["User.ReadWrite.All"], "directory_roles": ["Privileged Authentication Administrator"]});
    assert_eq!(
        env.http.put(url).json(&body).send().await.unwrap().status(),
        204
    );
    let app = env.app_token(CONTOSO).await;
    assert_eq!(
        env.patch_user(ZOE_GA, &app, json!({"mobilePhone": "+33 6 00 00 00 01"}))
            .await
            .status,
        204
    );
}

#[tokio::test]
async fn malformed_writes_are_400_and_missing_users_404() {
    let env = start().await;
    let token = env.app_token(CONTOSO).await;
    let r = env
        .patch_user(TARO, &token, json!({"businessPhones": ["1", "2"]}))
        .await;
    assert_eq!(r.status, 400);
    let r = env.patch_user(TARO, &token, json!({"shoeSize": 44})).await;
    assert_eq!(r.status, 400);
    let r = env
        .patch_user(TARO, &token, json!({"mobilePhone": "x".repeat(65)}))
        .await;
    assert_eq!(r.status, 400);
    let r = env
        .patch_user(
            "00000000-0000-4000-8000-00000000dead",
            &token,
            json!({"mobilePhone": null}),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), graph_code(&r).as_str()),
        (404, "Request_ResourceNotFound")
    );
}
