//! Broadcast (issue 20): an admin composes a broadcast (the SMS count changes as they type,
//! the audience is counted as it is chosen), previews it for a contact and asks for approval;
//! they send themselves a test; a second admin, in a browser of their own, reads it, approves
//! it by typing the count, and watches it go out on the page, which updates without a reload.

use crate::contacts::user;
use countersign_domain::BroadcastId;
use countersign_store::BroadcastStore;
use countersign_testkit::TestApp;
use countersign_testkit::browser;

const AUTHOR: &str = "author@acme.example";
const SECOND: &str = "second@acme.example";
const PASSWORD: &str = "granite orchard lantern seven";

/// The broadcast id of a page path `/broadcasts/{id}`.
fn id_of(page: &str) -> anyhow::Result<BroadcastId> {
    Ok(page.trim_start_matches("/broadcasts/").parse()?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_broadcast_compose_test_send_approve_as_a_second_admin_and_watch() {
    let app = TestApp::new().await;
    let org = app.create_admin("Acme IT", AUTHOR, PASSWORD).await.org.id;
    app.create_admin("Acme IT", SECOND, PASSWORD).await;
    crate::support::contoso(
        &app,
        org,
        &[
            user("1", "Ann", "Lee", "+1 425 555 0101"),
            user("2", "Bo", "Li", "+1 425 555 0199"),
        ],
    )
    .await;

    browser::run(
        "browser_broadcast_compose_test_send_approve_as_a_second_admin_and_watch",
        async |b| {
            b.set_base_url(&app.base_url);
            crate::support::sign_in(b, AUTHOR, PASSWORD).await?;
            b.goto("/broadcasts").await?;
            b.wait_for_text("main", "No broadcasts yet").await?;
            b.click_and_wait("#new-broadcast").await?;
            b.fill("#name", "Exchange outage").await?;

            // The count follows the text as it is typed, in the encoding it will go out in.
            b.fill("#sms_text", "Hello {first_name}: Exchange is down.")
                .await?;
            b.wait_for_text("#sms-live", "1 segment · GSM-7").await?;
            b.fill("#sms_text", &"a".repeat(161)).await?;
            b.wait_for_text("#sms-live", "161 characters · 2 segments · GSM-7")
                .await?;
            b.fill("#sms_text", "Don’t reply {first_name}").await?;
            b.wait_for_text("#sms-live", "Unicode (UCS-2)").await?;
            b.fill(
                "#sms_text",
                "Hello {first_name}: Exchange is down at {customer}.",
            )
            .await?;
            b.fill("#email_subject", "Exchange outage").await?;
            b.fill("#email_body", "Dear {first_name},\nExchange is down.")
                .await?;

            // The audience is counted as it is chosen; choosing SMS only hides the email part.
            b.wait_for_text("#audience-live [data-count=recipients]", "2")
                .await?;
            b.click("input[name=channels][value=sms]").await?;
            b.wait_until("the email part to hide", async || {
                Ok(b.attr("#email-part", "hidden").await?.is_some())
            })
            .await?;
            b.click("input[name=channels][value='sms,email']").await?;
            b.click("input[name=audience][value=filter]").await?;
            b.fill("#f_job_title", "nobody has this title").await?;
            b.wait_for_text("#audience-live [data-count=recipients]", "0")
                .await?;
            b.fill("#f_job_title", "").await?;
            b.click("input[name=audience][value=all]").await?;
            b.wait_for_text("#audience-live [data-count=recipients]", "2")
                .await?;

            b.click_and_wait("#save-draft").await?;
            b.wait_for_text(".notice", "Draft saved").await?;
            let page = b.current_path().await?;
            assert!(page.starts_with("/broadcasts/"), "{page}");
            assert_eq!(b.text("#count-recipients").await?, "2");
            let sms = b.text("#preview-sms").await?;
            assert!(
                sms.starts_with("Hello Ann: Exchange is down at Contoso.")
                    || sms.starts_with("Hello Bo: Exchange is down at Contoso."),
                "{sms}"
            );
            // A test send to the author: the email to their address, the SMS to their mobile.
            b.fill("#sms_to", "+1 425 555 0142").await?;
            b.click_and_wait("#send-test").await?;
            b.wait_for_text(".notice", "Test sent to your email address and, by SMS")
                .await?;
            b.click_and_wait("#request-approval").await?;
            b.wait_for_text("#status", "Awaiting approval").await?;

            // The second admin reads exactly what goes out and confirms the count.
            let second = b.new_session("second-admin").await?;
            crate::support::sign_in(&second, SECOND, PASSWORD).await?;
            second.goto(&format!("{page}/approve")).await?;
            second
                .wait_for_text(
                    "#text-sms",
                    "Hello {first_name}: Exchange is down at {customer}.",
                )
                .await?;
            assert_eq!(second.text("#count-recipients").await?, "2");
            second.fill("#confirmed_recipients", "3").await?;
            second.click_and_wait("#approve").await?;
            second.wait_for_text("#approve-errors", "").await?;
            second.fill("#confirmed_recipients", "2").await?;
            second.click_and_wait("#approve").await?;
            second.wait_for_text(".notice", "Approved").await?;
            assert_eq!(second.current_path().await?, page);

            // The page watches it go out without a reload, as the workers deliver it.
            assert_eq!(second.text("[data-progress=messages]").await?, "4");
            second
                .client()
                .execute("window.__countersignSamePage = true;", vec![])
                .await?;
            for _ in 0..40 {
                app.run_jobs().await;
                let b = app.app.store().broadcast(org, id_of(&page)?).await?;
                if b.status.is_final() {
                    break;
                }
                app.clock.advance(std::time::Duration::from_secs(3));
            }
            second.wait_for_text("#status", "Completed").await?;
            second.wait_for_text("[data-progress=sent]", "4").await?;
            second
                .wait_for_text("#progress-status", "4 of 4 messages ended")
                .await?;
            assert_eq!(
                second
                    .client()
                    .execute("return window.__countersignSamePage === true;", vec![])
                    .await?,
                serde_json::Value::Bool(true),
                "no reload"
            );
            Ok(())
        },
    )
    .await;
    app.run_jobs().await;
}
