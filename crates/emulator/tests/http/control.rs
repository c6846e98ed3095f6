use crate::common::*;
use serde_json::json;

#[tokio::test]
async fn manifest_describes_the_world() {
    let env = start().await;
    let r = reply(
        env.http
            .get(env.control_url("/manifest"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200);
    let m = &r.json;
    for key in [
        "login_base_url",
        "graph_base_url",
        "control_url",
        "partner",
        "apps",
        "tenants",
    ] {
        assert!(m.get(key).is_some(), "manifest lacks {key}");
    }
    assert_eq!(
        m["partner"],
        json!({"tenant_id": PARTNER, "domain": "northwind-msp.onmicrosoft.com"})
    );
    assert_eq!(
        m["apps"][0],
        json!({"client_id": MT_APP, "client_secret": MT_SECRET, "kind": "multi_tenant"})
    );
    assert_eq!(m["apps"][1]["kind"], "partner");
    assert_eq!(m["tenants"][0]["id"], CONTOSO);
    assert_eq!(m["tenants"][0]["users"], 255);
    assert!(
        m["graph_base_url"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
}

#[tokio::test]
async fn control_api_edits_adds_and_deletes_users() {
    let env = start().await;
    let base = env.control_url(&format!("/tenants/{CONTOSO}/users"));
    let r = env
        .http
        .patch(format!("{base}/{TARO}"))
        .json(&json!({"mobilePhone": "+81 3-1234-5678"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let added = reply(
        env.http
            .post(&base)
            .json(&json!({"display_name": "Ana Núñez", "upn": "ana.nunez"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(added.status, 201);
    let id = added.json["id"].as_str().unwrap().to_string();
    let token = env.app_token(CONTOSO).await;
    let r = env.graph(&format!("users/{id}"), &token).await;
    assert_eq!(
        r.json["userPrincipalName"],
        "ana.nunez@contoso.onmicrosoft.com"
    );
    assert_eq!(
        env.graph(&format!("users/{TARO}"), &token).await.json["mobilePhone"],
        "+81 3-1234-5678"
    );

    assert_eq!(
        env.http
            .post(format!("{base}/{id}/soft-delete"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(env.graph(&format!("users/{id}"), &token).await.status, 404);
    assert_eq!(
        env.http
            .post(format!("{base}/{id}/restore"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(env.graph(&format!("users/{id}"), &token).await.status, 200);
    assert_eq!(
        env.http
            .delete(format!("{base}/{id}"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    let gone = reply(env.http.get(format!("{base}/{id}")).send().await.unwrap()).await;
    assert_eq!(gone.json["state"], "hardDeleted");
    // Restoring a hard-deleted user is a conflict.
    assert_eq!(
        env.http
            .post(format!("{base}/{id}/restore"))
            .send()
            .await
            .unwrap()
            .status(),
        409
    );
}

/// The control API must refuse peers that are not on loopback. Needs a non-loopback local
/// address; machines without one cannot run this check.
#[tokio::test]
async fn control_api_rejects_non_loopback_peers() {
    let Some(ip) = std::net::UdpSocket::bind("0.0.0.0:0")
        .and_then(|s| s.connect("192.0.2.1:9").map(|()| s))
        .and_then(|s| s.local_addr())
        .ok()
        .map(|a| a.ip())
        .filter(|ip| !ip.is_loopback() && !ip.is_unspecified())
    else {
        eprintln!("no non-loopback address; skipping");
        return;
    };
    let listener = tokio::net::TcpListener::bind((ip, 0)).await.unwrap();
    let emu = countersign_emulator::Emulator::start(example(), listener)
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let r = http
        .get(format!("{}/writes", emu.manifest().control_url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Graph on the same listener still answers.
    let disco = format!(
        "{}/{CONTOSO}/v2.0/.well-known/openid-configuration",
        emu.manifest().login_base_url
    );
    assert_eq!(http.get(disco).send().await.unwrap().status(), 200);
    emu.shutdown().await;
}
