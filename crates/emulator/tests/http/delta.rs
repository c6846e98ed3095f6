use crate::common::*;
use serde_json::{Value, json};

/// Follows nextLinks from `url` to the deltaLink; returns (items, deltaLink, pages).
async fn round(env: &Env, token: &str, url: &str, page: usize) -> (Vec<Value>, String, usize) {
    let mut url = url.to_string();
    let mut items = Vec::new();
    let mut pages = 0;
    loop {
        let resp = env
            .http
            .get(&url)
            .bearer_auth(token)
            .header("Prefer", format!("odata.maxpagesize={page}"))
            .send()
            .await
            .unwrap();
        let r = reply(resp).await;
        assert_eq!(r.status, 200, "{}", r.json);
        pages += 1;
        items.extend(r.json["value"].as_array().unwrap().iter().cloned());
        if let Some(next) = r.json["@odata.nextLink"].as_str() {
            assert!(r.json.get("@odata.deltaLink").is_none());
            url = next.to_string();
        } else {
            let link = r.json["@odata.deltaLink"]
                .as_str()
                .expect("last page has a deltaLink");
            assert!(link.contains("$deltatoken="));
            return (items, link.to_string(), pages);
        }
    }
}

fn ids(items: &[Value]) -> Vec<&str> {
    items.iter().map(|i| i["id"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn delta_reports_only_changes_since_the_token() {
    let env = start().await;
    let control = env.emu.control();
    let token = env.app_token(CONTOSO).await;
    let first = format!(
        "{}/v1.0/users/delta?$select=displayName,mobilePhone,businessPhones",
        env.m.graph_base_url
    );
    let (items, link, pages) = round(&env, &token, &first, 100).await;
    let total = env
        .m
        .tenants
        .iter()
        .find(|t| t.id.to_string() == CONTOSO)
        .unwrap()
        .users;
    assert_eq!(items.len(), total);
    assert!(pages >= 3);
    let mut unique = ids(&items);
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), total, "initial round is duplicate-free");
    assert!(items[0].get("jobTitle").is_none() && items[0].get("mobilePhone").is_some());

    // Nothing changed: an empty round.
    let (items, link, _) = round(&env, &token, &link, 100).await;
    assert!(items.is_empty());

    // A tracked change surfaces; an untracked one (jobTitle) does not.
    control
        .edit_user(CONTOSO, TARO, &json!({"mobilePhone": "+81 90-1111-2222"}))
        .unwrap();
    control
        .edit_user(CONTOSO, ZOE_GA, &json!({"jobTitle": "CEO"}))
        .unwrap();
    let (items, link, _) = round(&env, &token, &link, 100).await;
    assert_eq!(ids(&items), vec![TARO]);
    assert_eq!(items[0]["mobilePhone"], "+81 90-1111-2222");

    // Soft delete → @removed changed; restore → plain object; hard delete → @removed deleted.
    control.soft_delete(CONTOSO, TARO).unwrap();
    let (items, link, _) = round(&env, &token, &link, 100).await;
    assert_eq!(
        items,
        vec![
            json!({"@odata.type": "#microsoft.graph.user", "id": TARO, "@removed": {"reason": "changed"}})
        ]
    );
    control.restore(CONTOSO, TARO).unwrap();
    let (items, link, _) = round(&env, &token, &link, 100).await;
    assert_eq!(ids(&items), vec![TARO]);
    assert!(items[0].get("@removed").is_none());
    control.hard_delete(CONTOSO, TARO).unwrap();
    let added = control
        .add_user(
            CONTOSO,
            &countersign_emulator::UserSpec {
                display_name: "Nouvelle Recrue".into(),
                upn: "nouvelle.recrue".into(),
                account_enabled: true,
                ..Default::default()
            },
        )
        .unwrap()
        .to_string();
    let (items, _, _) = round(&env, &token, &link, 1).await;
    assert_eq!(items.len(), 2);
    assert_eq!(
        items[0],
        json!({"@odata.type": "#microsoft.graph.user", "id": TARO, "@removed": {"reason": "deleted"}})
    );
    assert_eq!(items[1]["id"], added.as_str());
    assert_eq!(items[1]["displayName"], "Nouvelle Recrue");
}

#[tokio::test]
async fn deltatoken_latest_returns_only_a_delta_link() {
    let env = start().await;
    let token = env.app_token(CONTOSO).await;
    let r = env
        .graph("users/delta?$deltatoken=latest&$select=mobilePhone", &token)
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["value"], json!([]));
    let link = r.json["@odata.deltaLink"].as_str().unwrap().to_string();
    env.emu
        .control()
        .edit_user(CONTOSO, TARO, &json!({"mobilePhone": null}))
        .unwrap();
    let (items, _, _) = round(&env, &token, &link, 100).await;
    assert_eq!(ids(&items), vec![TARO]);
    assert!(items[0]["mobilePhone"].is_null());
}

#[tokio::test]
async fn expired_delta_token_is_410_with_resync_error() {
    let env = start().await;
    let token = env.app_token(CONTOSO).await;
    let r = env.graph("users/delta?$deltatoken=latest", &token).await;
    let link = r.json["@odata.deltaLink"].as_str().unwrap().to_string();
    env.emu.control().advance_clock(8 * 24 * 3600);
    let token = env.app_token(CONTOSO).await;
    let r = env.get(&link, &token).await;
    assert_eq!(r.status, 410);
    assert_eq!(graph_code(&r), "resyncRequired");
    assert!(
        r.headers["location"]
            .to_str()
            .unwrap()
            .ends_with("/v1.0/users/delta?$deltatoken=")
    );
}

/// Graph may lose a sync state in the middle of a round: the next skip token is 410
/// `resyncRequired`, and a new round (empty token) works.
#[tokio::test]
async fn a_sync_state_reset_mid_round_is_410() {
    let env = start().await;
    let token = env.app_token(CONTOSO).await;
    let r = env.graph("users/delta?$select=displayName", &token).await;
    assert_eq!(r.status, 200);
    let next = r.json["@odata.nextLink"].as_str().unwrap().to_string();
    let reset = env
        .http
        .post(env.control_url(&format!("/tenants/{CONTOSO}/delta-reset")))
        .json(&json!({ "after_pages": 1 }))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 204);
    // One more page is served; the state is lost after it.
    let r = env.get(&next, &token).await;
    assert_eq!(r.status, 200);
    let next = r.json["@odata.nextLink"].as_str().unwrap().to_string();
    let r = env.get(&next, &token).await;
    assert_eq!(r.status, 410);
    assert_eq!(graph_code(&r), "resyncRequired");
    let (items, _, pages) = round(
        &env,
        &token,
        &format!(
            "{}/v1.0/users/delta?$select=displayName",
            env.m.graph_base_url
        ),
        100,
    )
    .await;
    assert_eq!(pages, 3);
    assert!(items.len() > 200);
}
