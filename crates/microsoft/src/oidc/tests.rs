//! Each check of `verify_id_token` refuses the token that only it catches: a valid token
//! with one thing changed.

use super::*;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use serde_json::{Value, json};
use std::sync::OnceLock;

const TENANT: &str = "22222222-2222-4222-8222-222222222222";
const OTHER_TENANT: &str = "33333333-3333-4333-8333-333333333333";
const CLIENT: &str = "aaaaaaaa-0000-4000-8000-000000000001";
const ISSUER: &str = "https://login.microsoftonline.com/{tenantid}/v2.0";
const NOW: i64 = 1_800_000_000;
const NONCE: &str = "this-flows-nonce";

fn key(which: usize) -> &'static KeyPair {
    static KEYS: OnceLock<[KeyPair; 2]> = OnceLock::new();
    &KEYS.get_or_init(|| {
        [
            KeyPair::generate(KeySize::Rsa2048).unwrap(),
            KeyPair::generate(KeySize::Rsa2048).unwrap(),
        ]
    })[which]
}

fn jwk(kid: &str, k: &KeyPair) -> Jwk {
    let public = k.public_key();
    Jwk {
        kid: kid.into(),
        kty: "RSA".into(),
        n: URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero()),
        e: URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero()),
    }
}

/// The published keys: `k1` (key 0) and `k2` (key 1).
fn jwks() -> Jwks {
    Jwks {
        keys: vec![jwk("k1", key(0)), jwk("k2", key(1))],
    }
}

fn claims() -> Value {
    json!({
        "aud": CLIENT,
        "iss": format!("https://login.microsoftonline.com/{TENANT}/v2.0"),
        "iat": NOW - 10,
        "nbf": NOW - 10,
        "exp": NOW + 3600,
        "tid": TENANT,
        "oid": "22222222-0000-4000-8000-000000000001",
        "preferred_username": "zoe@contoso.com",
        "nonce": NONCE,
        "ver": "2.0",
    })
}

fn sign_with(header: &Value, claims: &Value, k: &KeyPair) -> String {
    let signed = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let mut sig = vec![0u8; k.public_modulus_len()];
    k.sign(
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        signed.as_bytes(),
        &mut sig,
    )
    .unwrap();
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(sig))
}

fn sign(claims: &Value) -> String {
    sign_with(
        &json!({"typ": "JWT", "alg": "RS256", "kid": "k1"}),
        claims,
        key(0),
    )
}

fn verify(token: &str) -> Result<IdTokenClaims, IdTokenError> {
    let hash = Nonce::hash_of(NONCE);
    verify_id_token(
        token,
        ISSUER,
        &jwks(),
        &IdTokenExpectations {
            tenant: TENANT,
            client_id: CLIENT,
            nonce_hash: &hash,
            now_unix: NOW,
        },
    )
}

fn with(field: &str, value: Value) -> String {
    let mut c = claims();
    c[field] = value;
    sign(&c)
}

#[test]
fn a_valid_token_gives_its_tenant() {
    let c = verify(&sign(&claims())).unwrap();
    assert_eq!(c.tid, TENANT);
    assert_eq!(c.preferred_username.as_deref(), Some("zoe@contoso.com"));
    // Signed by the second published key: found by its kid.
    let t = sign_with(&json!({"alg": "RS256", "kid": "k2"}), &claims(), key(1));
    assert_eq!(verify(&t).unwrap().tid, TENANT);
}

#[test]
fn a_bad_signature_is_refused() {
    // Signed by key 1 but naming k1; and a valid token with its claims altered after signing.
    let t = sign_with(&json!({"alg": "RS256", "kid": "k1"}), &claims(), key(1));
    assert_eq!(verify(&t), Err(IdTokenError::BadSignature));
    let good = sign(&claims());
    let mut altered = claims();
    altered["tid"] = OTHER_TENANT.into();
    let parts: Vec<&str> = good.split('.').collect();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(altered.to_string()),
        parts[2]
    );
    assert_eq!(verify(&forged), Err(IdTokenError::BadSignature));
}

#[test]
fn an_unknown_kid_is_refused() {
    let t = sign_with(&json!({"alg": "RS256", "kid": "k9"}), &claims(), key(0));
    assert_eq!(verify(&t), Err(IdTokenError::UnknownKey));
    let t = sign_with(&json!({"alg": "RS256"}), &claims(), key(0));
    assert_eq!(verify(&t), Err(IdTokenError::UnknownKey));
}

#[test]
fn other_algorithms_are_refused() {
    let unsigned = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(json!({"alg": "none", "kid": "k1"}).to_string()),
        URL_SAFE_NO_PAD.encode(claims().to_string())
    );
    assert_eq!(
        verify(&unsigned),
        Err(IdTokenError::Algorithm("none".into()))
    );
    assert!(matches!(
        verify("not-a-jwt"),
        Err(IdTokenError::Malformed(_))
    ));
}

#[test]
fn a_wrong_audience_is_refused() {
    let t = with("aud", "aaaaaaaa-0000-4000-8000-000000000002".into());
    assert_eq!(verify(&t), Err(IdTokenError::Audience));
}

#[test]
fn a_wrong_nonce_is_refused() {
    assert_eq!(
        verify(&with("nonce", "another-flows-nonce".into())),
        Err(IdTokenError::Nonce)
    );
    let mut c = claims();
    c.as_object_mut().unwrap().remove("nonce");
    assert_eq!(verify(&sign(&c)), Err(IdTokenError::Nonce));
}

#[test]
fn another_tenant_is_refused() {
    // A genuine sign-in to another tenant: its own tid and its own (correct) issuer.
    let mut c = claims();
    c["tid"] = OTHER_TENANT.into();
    c["iss"] = format!("https://login.microsoftonline.com/{OTHER_TENANT}/v2.0").into();
    assert_eq!(
        verify(&sign(&c)),
        Err(IdTokenError::Tenant {
            expected: TENANT.into(),
            found: OTHER_TENANT.into()
        })
    );
}

#[test]
fn an_expired_token_is_refused() {
    let t = with("exp", (NOW - CLOCK_SKEW_S - 1).into());
    assert_eq!(verify(&t), Err(IdTokenError::Expired));
    // Within the skew it still counts.
    assert!(verify(&with("exp", (NOW - 10).into())).is_ok());
    let t = with("nbf", (NOW + CLOCK_SKEW_S + 60).into());
    assert_eq!(verify(&t), Err(IdTokenError::NotYetValid));
}

#[test]
fn a_wrong_issuer_is_refused() {
    // The right tenant in another issuer: another cloud, or the v1 issuer.
    for iss in [
        format!("https://login.microsoftonline.us/{TENANT}/v2.0"),
        format!("https://sts.windows.net/{TENANT}/"),
        format!("https://login.microsoftonline.com/{OTHER_TENANT}/v2.0"),
    ] {
        assert_eq!(
            verify(&with("iss", iss.clone().into())),
            Err(IdTokenError::Issuer),
            "{iss}"
        );
    }
}

#[test]
fn a_discovery_document_is_trusted_only_for_its_login_host() {
    let url = "https://login.microsoftonline.com";
    let config = |issuer: &str, jwks: &str| OpenIdConfiguration {
        issuer: issuer.into(),
        jwks_uri: jwks.into(),
    };
    let keys = "https://login.microsoftonline.com/contoso.onmicrosoft.com/discovery/v2.0/keys";
    for ok in [
        "https://login.microsoftonline.com/{tenantid}/v2.0",
        "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0",
    ] {
        assert!(check_configuration(&config(ok, keys), url).is_ok(), "{ok}");
    }
    // A login URL with a path (a sovereign or test cloud behind a prefix).
    assert!(
        check_configuration(
            &config(
                "http://127.0.0.1:9/login/{tenantid}/v2.0",
                "http://127.0.0.1:9/login/x/discovery/v2.0/keys"
            ),
            "http://127.0.0.1:9/login/"
        )
        .is_ok()
    );
    for bad in [
        "https://evil.example/{tenantid}/v2.0",
        "https://login.microsoftonline.com.evil.example/{tenantid}/v2.0",
        "https://login.microsoftonline.com/v2.0",
        "https://login.microsoftonline.com/a/b/v2.0",
        "https://login.microsoftonline.com/{tenantid}/",
        "",
    ] {
        assert!(
            check_configuration(&config(bad, keys), url).is_err(),
            "{bad:?} was accepted"
        );
    }
    assert!(
        check_configuration(
            &config(
                "https://login.microsoftonline.com/{tenantid}/v2.0",
                "https://evil.example/keys"
            ),
            url
        )
        .is_err()
    );
}
