//! Real-browser journeys (headless Debian Chromium via chromedriver), one module per area.
//!
//! Run: `cargo test -p countersign-web --test browser`. Needs `/usr/bin/chromium` and
//! `/usr/bin/chromedriver` (`apt-get install chromium chromium-driver`); the tests fail, never
//! skip, without them. On failure a screenshot and the HTML of every browser session are saved
//! under `$CARGO_TARGET_DIR/browser-artifacts/` (or `target/browser-artifacts/`) and the paths
//! are printed.

mod account_email;
mod broadcasts;
mod contacts;
mod dashboard;
mod harness;
mod integrations_unlink;
mod languages;
mod look;
mod my_links;
mod onboarding;
mod pod_frame;
mod pod_truth;
mod prg;
mod secrets;
mod seed_workflow;
mod simulator;
mod support;
mod verification;
