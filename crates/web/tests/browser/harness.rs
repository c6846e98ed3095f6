//! Proves the harness itself against a tiny axum app, independent of Countersign's pages.

use axum::Router;
use axum::response::Html;
use axum::routing::{get, post};
use countersign_testkit::browser;

async fn serve_fixture() -> String {
    let app = Router::new()
        .route(
            "/form",
            get(|| async {
                Html(
                    "<!doctype html><title>Fixture</title><h1>Fixture form</h1>\
                     <form method=post action=/done><input id=name name=name>\
                     <button id=go type=submit>Go</button></form>",
                )
            }),
        )
        .route(
            "/live",
            get(|| async {
                // Replaces `#live` as fast as timers allow, like the Pod's live status.
                Html(
                    "<!doctype html><title>Live</title><p id=live>tick 0</p><script>\
                     let n = 0; setInterval(() => { const p = document.createElement('p'); \
                     p.id = 'live'; p.textContent = 'tick ' + ++n; \
                     document.getElementById('live').replaceWith(p); }, 20);</script>",
                )
            }),
        )
        .route(
            "/done",
            post(|body: String| async move {
                Html(format!(
                    "<!doctype html><title>Done</title><h1>Fixture form</h1>\
                     <p class=notice>Received {}</p>",
                    body.replace('<', "&lt;")
                ))
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind fixture server");
    let url = format!("http://{}", listener.local_addr().expect("local addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn harness_fills_submits_and_uses_two_sessions() {
    let url = serve_fixture().await;
    browser::run("harness_fills_submits_and_uses_two_sessions", async |b| {
        b.set_base_url(&url);
        b.goto("/form").await?;
        assert_eq!(b.text("h1").await?, "Fixture form");
        b.fill("#name", "Ada").await?;
        // Same <h1> on both pages: click_and_wait must not return on the old page.
        b.click_and_wait("#go").await?;
        assert_eq!(b.current_path().await?, "/done");
        b.wait_for_text(".notice", "Received name=Ada").await?;

        let other = b.new_session("second").await?;
        other.goto("/form").await?;
        assert_eq!(other.current_path().await?, "/form");
        assert!(!other.exists(".notice").await?);
        Ok(())
    })
    .await;
}

/// Reading an element that the page's script replaces between the find and the read (a stale
/// element reference in WebDriver) reads the new element instead of failing the journey.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn harness_reads_elements_that_scripts_keep_replacing() {
    let url = serve_fixture().await;
    browser::run(
        "harness_reads_elements_that_scripts_keep_replacing",
        async |b| {
            b.set_base_url(&url);
            b.goto("/live").await?;
            for _ in 0..50 {
                assert!(b.text("#live").await?.starts_with("tick "));
                let texts = b.texts("#live").await?;
                assert!(texts.iter().all(|t| t.starts_with("tick ")), "{texts:?}");
            }
            b.wait_for_text("#live", "tick ").await?;
            Ok(())
        },
    )
    .await;
}

/// Runs a failing journey in its own task and returns the artifacts it left behind.
async fn artifacts_of_failing_journey(name: &str, panic: bool) -> Vec<std::path::PathBuf> {
    let url = serve_fixture().await;
    let task_name = name.to_owned();
    let outcome = tokio::spawn(async move {
        browser::run(&task_name, async |b| {
            b.set_base_url(&url);
            b.goto("/form").await?;
            assert!(!panic, "deliberate panic");
            anyhow::bail!("deliberate failure");
        })
        .await;
    })
    .await;
    assert!(outcome.is_err(), "a failing journey must fail the test");
    std::fs::read_dir(browser::artifacts_dir())
        .expect("artifacts dir exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(name))
        })
        .collect()
}

fn assert_png_and_html(name: &str, saved: Vec<std::path::PathBuf>) {
    let has = |ext: &str| {
        saved
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == ext))
    };
    assert!(has("png"), "expected a PNG for {name}, got {saved:?}");
    assert!(has("html"), "expected the HTML for {name}, got {saved:?}");
    let png_path = saved
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "png"))
        .expect("a PNG path");
    let png = std::fs::read(png_path).expect("read the PNG");
    assert!(png.starts_with(b"\x89PNG"), "a real PNG");
    for path in saved {
        let _ = std::fs::remove_file(path);
    }
}

/// The failure paths: an `Err` or a panic fails the test and leaves a screenshot behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn harness_saves_artifacts_on_error() {
    let name = format!("harness_error_probe_{}", std::process::id());
    let saved = artifacts_of_failing_journey(&name, false).await;
    assert_png_and_html(&name, saved);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn harness_saves_artifacts_on_panic() {
    let name = format!("harness_panic_probe_{}", std::process::id());
    let saved = artifacts_of_failing_journey(&name, true).await;
    assert_png_and_html(&name, saved);
}
