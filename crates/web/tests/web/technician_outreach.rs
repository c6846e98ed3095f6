//! Settings ▸ Technician verification (issue 21.4): the public check page's full address,
//! built from the configured public URL (never the request's Host), its QR code as inline
//! SVG, a signature text, the printable branded policy sheet that states the org's actual
//! rules, and the onboarding email. Admins only; each org sees its own.

use crate::{PW, add_technician, get, signed_in};
use countersign_testkit::TestApp;

const PAGES: [&str; 3] = [
    "/settings/technician-verification",
    "/settings/technician-verification/sheet",
    "/settings/technician-verification/email",
];

#[tokio::test]
async fn technician_verification_is_discoverable_and_branded() {
    outreach(TestApp::new().await).await;
}

pub async fn outreach(app: TestApp) {
    app.create_admin("Acme IT", "admin@acme.test", PW).await;
    app.create_admin("Bravo IT", "eve@bravo.test", PW).await;
    let base = app.app.settings.public_base().to_owned();
    let check = format!("{base}/t/acme-it/verify-technician");
    let c = signed_in(&app, "admin@acme.test").await;

    // The address comes from the settings even when the request names another host.
    let res = c
        .get(app.url(PAGES[0]))
        .header("host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    assert!(page.contains(&check), "{page}");
    assert!(!page.contains("evil.example"));
    assert!(
        page.contains("<svg role=\"img\" aria-label=\"QR code\""),
        "{page}"
    );
    assert!(page.contains("id=\"signature-text\""), "{page}");
    assert!(page.contains(&format!("Check any of our technicians at {check}")));
    for link in [PAGES[1], PAGES[2]] {
        assert!(page.contains(&format!("href=\"{link}\"")), "{link}");
    }
    // The address works: it is the public check page.
    let path = check.strip_prefix(&base).unwrap();
    let (status, _) = get(&app, &app.client(), path).await;
    assert_eq!(status, 200);

    // The sheet: the org's brand (name, colour, logo), the address, the QR, the rules.
    let save = app
        .post_form(
            &c,
            "/settings/branding",
            "/settings/branding",
            &[
                ("display_name", "Acme IT Services"),
                ("logo_url", "https://cdn.acme.example/logo.png"),
                ("colour", "#AA3300"),
                ("footer", "Acme IT, 1 Main St"),
                ("reply_to", ""),
            ],
        )
        .await;
    assert_eq!(save.status(), 303);
    let saved = app
        .post_form(
            &c,
            "/settings/verification",
            "/settings/verification",
            &[
                ("code_minutes", "7"),
                ("link_minutes", "4"),
                ("per_recipient_10min", "3"),
                ("per_technician_hour", "30"),
                ("per_org_day", "1000"),
                ("require_note_for_other", "on"),
                ("secret_max_expiry", "1d"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303);
    let res = c.get(app.url(PAGES[1])).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("img-src 'self' data: https://cdn.acme.example;"),
        "only the logo's origin is added: {csp}"
    );
    assert!(csp.contains("script-src 'self'") && csp.contains("style-src 'self'"));
    let sheet = res.text().await.unwrap();
    for expected in [
        "How we will verify you, and how you can verify us",
        "src=\"https://cdn.acme.example/logo.png\"",
        "fill=\"#aa3300\"",
        "Acme IT, 1 Main St",
        "It works for 7 minutes and only once",
        "It works for 4 minutes",
        "must record why",
        "after 1 day at the latest",
        "Acme IT Services",
        "aria-label=\"QR code\"",
    ] {
        assert!(sheet.contains(expected), "{expected}: {sheet}");
    }
    assert!(sheet.contains(&check));
    assert!(!sheet.contains("style="), "no inline style");
    assert!(!sheet.contains("<script>"), "no inline script");

    // The onboarding email: subject and text filled with the name and the address.
    let (status, email) = get(&app, &c, PAGES[2]).await;
    assert_eq!(status, 200);
    assert!(
        email.contains("How Acme IT Services will verify you, and how you can verify us"),
        "{email}"
    );
    assert!(email.contains(&check) && email.contains("Kind regards,\nAcme IT Services"));

    // Another org's admin sees their own address and brand, nothing of Acme's.
    let eve = signed_in(&app, "eve@bravo.test").await;
    for path in PAGES {
        let (status, page) = get(&app, &eve, path).await;
        assert_eq!(status, 200, "{path}");
        assert!(page.contains("/t/bravo-it/verify-technician"), "{path}");
        assert!(!page.contains("acme"), "{path}: {page}");
    }
    // A technician may not open them.
    add_technician(&app, "admin@acme.test", "bob@acme.test", "Bob").await;
    let bob = signed_in(&app, "bob@acme.test").await;
    for path in PAGES {
        let (status, page) = get(&app, &bob, path).await;
        assert_eq!(status, 403, "{path}");
        assert!(!page.contains(&check), "{path}");
    }
    app.run_jobs().await;
}
