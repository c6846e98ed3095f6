//! Helpers shared by the journeys: an authenticator app in a few lines.

use countersign_app::{Clock as _, ManualClock};
use countersign_crypto::{TotpSecret, totp_at};
use countersign_domain::{ContactId, Country, CustomerId, OrgId};
use countersign_store::{
    ContactQuery, ContactStore, Customer, CustomerStore, SourceKind, SyncedContact,
};
use countersign_testkit::TestApp;
use std::time::Duration;

/// The customer "Contoso" (Microsoft 365, US) of `org`, with `contacts` synced into it.
///
/// # Panics
/// When the store fails (a failed test).
#[allow(clippy::unwrap_used)]
pub async fn contoso(app: &TestApp, org: OrgId, contacts: &[SyncedContact]) -> Customer {
    let customer = Customer {
        id: CustomerId::new(),
        org_id: org,
        name: "Contoso".into(),
        source: SourceKind::Microsoft365,
        external_id: Some("tenant-contoso".into()),
        default_country: Some(Country::US),
        tenant_country: None,
        last_synced_at: None,
        created_at: app.app.now(),
    };
    app.app.store().create_customer(&customer).await.unwrap();
    app.app
        .store()
        .upsert_synced_contacts(
            org,
            customer.id,
            SourceKind::Microsoft365,
            contacts,
            app.app.now(),
        )
        .await
        .unwrap();
    customer
}

/// Contoso with one contact, Ann Lee (ann@contoso.example, +1 425 555 0101): her id.
///
/// # Panics
/// When the store fails (a failed test).
#[allow(clippy::unwrap_used)]
pub async fn contoso_with_ann(app: &TestApp, org: OrgId) -> ContactId {
    let ann = SyncedContact {
        external_id: "1".into(),
        given_name: "Ann".into(),
        surname: "Lee".into(),
        display_name: "Ann Lee".into(),
        email: Some("ann@contoso.example".into()),
        mobile: Some("+1 425 555 0101".into()),
        mobile_e164: Some("+14255550101".into()),
        account_enabled: true,
        user_type: "Member".into(),
        ..SyncedContact::default()
    };
    contoso(app, org, &[ann]).await;
    app.app
        .store()
        .search_contacts(
            org,
            &ContactQuery {
                limit: 1,
                ..ContactQuery::default()
            },
        )
        .await
        .unwrap()[0]
        .id
}

/// Signs `b` in with a password (no second factor).
///
/// # Errors
/// On WebDriver errors.
pub async fn sign_in(
    b: &countersign_testkit::browser::Session,
    email: &str,
    password: &str,
) -> anyhow::Result<()> {
    b.goto("/login").await?;
    b.fill("#email", email).await?;
    b.fill("#password", password).await?;
    b.click_and_wait("form[action='/login'] button[type=submit]")
        .await
}

/// Reloads the page as a person's refresh does, and waits for it.
///
/// # Errors
/// On WebDriver errors.
pub async fn refresh(b: &countersign_testkit::browser::Session) -> anyhow::Result<()> {
    b.client().refresh().await?;
    b.wait_for("h1").await?;
    Ok(())
}

/// Seconds per TOTP step.
const STEP_SECONDS: i64 = 30;

/// Decode RFC 4648 base32 (upper or lower case, padding and spaces ignored), the form the
/// enrollment page shows the secret in. `countersign_crypto` only encodes.
pub fn decode_base32(text: &str) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let value = match c.to_ascii_uppercase() {
            c @ 'A'..='Z' => u32::from(c) - u32::from('A'),
            c @ '2'..='7' => u32::from(c) - u32::from('2') + 26,
            other => anyhow::bail!("{other:?} is not base32"),
        };
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buffer >> bits) & 0xff)?);
        }
    }
    Ok(out)
}

/// The `secret=` parameter of an `otpauth://` URI.
pub fn otpauth_secret(uri: &str) -> anyhow::Result<String> {
    let url = url::Url::parse(uri.trim())?;
    anyhow::ensure!(url.scheme() == "otpauth", "not an otpauth URI: {uri}");
    url.query_pairs()
        .find(|(k, _)| k == "secret")
        .map(|(_, v)| v.into_owned())
        .ok_or_else(|| anyhow::anyhow!("no secret in {uri}"))
}

/// An authenticator app for one account, reading the test server's clock.
pub struct Authenticator {
    secret: TotpSecret,
    clock: ManualClock,
}

impl Authenticator {
    pub fn new(base32_secret: &str, clock: ManualClock) -> anyhow::Result<Self> {
        let bytes = decode_base32(base32_secret)?;
        anyhow::ensure!(bytes.len() >= 10, "secret too short: {base32_secret}");
        Ok(Self {
            secret: TotpSecret::from_bytes(&bytes),
            clock,
        })
    }

    /// The code the app shows now (by the server's clock).
    pub fn code(&self) -> String {
        totp_at(
            &self.secret,
            self.clock.now().unix_seconds().div_euclid(STEP_SECONDS),
        )
    }

    /// Move the server's clock to the next time step, so the next code is a fresh one (the
    /// server refuses a code from a step that was already used).
    pub fn next_step(&self) {
        self.clock
            .advance(Duration::from_secs(STEP_SECONDS.unsigned_abs()));
    }
}

#[test]
fn base32_round_trips_with_the_crypto_encoder() {
    let secret = TotpSecret::generate();
    assert_eq!(
        decode_base32(&secret.to_base32()).unwrap(),
        secret.as_bytes()
    );
    assert_eq!(decode_base32("MZXW6YTBOI").unwrap(), b"foobar");
}
