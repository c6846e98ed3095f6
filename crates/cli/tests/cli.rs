//! The `countersign` binary as an operator uses it: real processes, a real SQLite file.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_countersign");
const GOOD_PASSWORD: &str = "correct plum orbit 42";

fn countersign(
    data_dir: &Path,
    args: &[&str],
    stdin: Option<&str>,
    env: &[(&str, &str)],
) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.arg("--data-dir").arg(data_dir).args(args);
    // Fast password hashing keeps the suite quick; the parameters are otherwise real.
    cmd.env("COUNTERSIGN_SECURITY__ARGON2_MEMORY_KIB", "8192")
        .env("COUNTERSIGN_SECURITY__ARGON2_ITERATIONS", "1")
        .env("COUNTERSIGN_METRICS__LISTEN", "")
        .env("COUNTERSIGN_LOG__LEVEL", "warn");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn countersign");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn create_admin(dir: &Path, org: &str, email: &str) -> Output {
    create_admin_with(dir, org, email, &[])
}

/// `admin create` with `extra` arguments (e.g. `--name`).
fn create_admin_with(dir: &Path, org: &str, email: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "admin",
        "create",
        "--org",
        org,
        "--email",
        email,
        "--password-stdin",
    ];
    args.extend_from_slice(extra);
    countersign(dir, &args, Some(&format!("{GOOD_PASSWORD}\n")), &[])
}

#[test]
fn help_lists_the_subcommands() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = text(&out);
    for sub in [
        "serve", "migrate", "admin", "config", "keys", "demo", "db", "audit",
    ] {
        assert!(help.contains(sub), "--help lacks {sub}: {help}");
    }
    let admin = text(
        &Command::new(BIN)
            .args(["admin", "--help"])
            .output()
            .unwrap(),
    );
    assert!(admin.contains("create"), "{admin}");
}

#[test]
fn config_example_documents_every_key_and_its_variable() {
    let out = Command::new(BIN)
        .args(["config", "example"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let example = String::from_utf8(out.stdout).unwrap();
    for var in [
        "COUNTERSIGN_SERVER__LISTEN",
        "COUNTERSIGN_SERVER__PUBLIC_URL",
        "COUNTERSIGN_STORAGE__DATABASE_URL",
        "COUNTERSIGN_MASTER_KEY_FILE",
        "COUNTERSIGN_SECURITY__SESSION_IDLE_MINUTES",
        "COUNTERSIGN_TWILIO__BROADCAST_FROM_NUMBER",
        "COUNTERSIGN_TWILIO__BROADCAST_MESSAGING_SERVICE_SID",
        "COUNTERSIGN_SMTP__BROADCAST_FROM_ADDRESS",
        "COUNTERSIGN_SMTP__BROADCAST_REPLY_TO",
    ] {
        assert!(example.contains(var), "example lacks {var}");
    }
}

#[test]
fn an_invalid_setting_stops_start_up_with_exit_code_2_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = countersign(
        dir.path(),
        &["migrate"],
        None,
        &[("COUNTERSIGN_SERVER__LISTEN", "nowhere")],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("server.listen"), "{}", text(&out));
    let cfg = dir.path().join("bad.toml");
    std::fs::write(&cfg, "[security]\nsession_idle_minutes = \"soon\"\n").unwrap();
    let out = countersign(
        dir.path(),
        &["--config", cfg.to_str().unwrap(), "migrate"],
        None,
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("security.session_idle_minutes"),
        "{}",
        text(&out)
    );
    // Nothing was created by a refused start.
    assert!(!dir.path().join("countersign.db").exists());
}

/// Two sender lanes (issue 20): a broadcast sender that is the verification sender would let
/// a STOP to a broadcast block verification codes; start-up refuses it, naming the key.
#[test]
fn a_broadcast_sender_equal_to_the_verification_one_stops_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let twilio = [
        (
            "COUNTERSIGN_TWILIO__ACCOUNT_SID",
            "AC00000000000000000000000000000000",
        ),
        ("COUNTERSIGN_TWILIO__AUTH_TOKEN", "token"),
        ("COUNTERSIGN_TWILIO__FROM_NUMBER", "+15005550006"),
    ];
    let same = [
        twilio.as_slice(),
        &[(
            "COUNTERSIGN_TWILIO__BROADCAST_FROM_NUMBER",
            "+1 500 555 0006",
        )],
    ]
    .concat();
    let out = countersign(dir.path(), &["migrate"], None, &same);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let said = text(&out);
    assert!(said.contains("twilio.broadcast_from_number"), "{said}");
    assert!(
        said.contains("must differ from twilio.from_number"),
        "{said}"
    );
    assert!(!dir.path().join("countersign.db").exists());
    // Its own number: the server starts.
    let own = [
        twilio.as_slice(),
        &[("COUNTERSIGN_TWILIO__BROADCAST_FROM_NUMBER", "+15005550007")],
    ]
    .concat();
    let out = countersign(dir.path(), &["migrate"], None, &own);
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn admin_create_refuses_weak_passwords_then_creates_org_and_admin() {
    let dir = tempfile::tempdir().unwrap();
    let weak = countersign(
        dir.path(),
        &[
            "admin",
            "create",
            "--org",
            "Acme IT",
            "--email",
            "admin@acme.test",
            "--password-stdin",
        ],
        Some("short\n"),
        &[],
    );
    assert!(!weak.status.success());
    assert!(
        text(&weak).contains("at least 12 characters"),
        "{}",
        text(&weak)
    );
    let empty = countersign(
        dir.path(),
        &[
            "admin",
            "create",
            "--org",
            "Acme IT",
            "--email",
            "admin@acme.test",
            "--password-stdin",
        ],
        Some("\n"),
        &[],
    );
    assert!(!empty.status.success());
    assert!(
        text(&empty).contains("enter a password"),
        "{}",
        text(&empty)
    );
    let ok = create_admin(dir.path(), "Acme IT", "admin@acme.test");
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("created org"), "{}", text(&ok));
    let second = create_admin(dir.path(), "Acme IT", "second@acme.test");
    assert!(second.status.success(), "{}", text(&second));
    assert!(
        !text(&second).contains("created org"),
        "the org is reused: {}",
        text(&second)
    );
    let dup = create_admin(dir.path(), "Acme IT", "ADMIN@acme.test");
    assert!(!dup.status.success(), "{}", text(&dup));
    // Without --name the name is the address's local part; with it, the person's name.
    assert!(text(&ok).contains("(\"admin\")"), "{}", text(&ok));
    let named = create_admin_with(
        dir.path(),
        "Acme IT",
        "alex@acme.test",
        &["--name", "Alex Morgan"],
    );
    assert!(named.status.success(), "{}", text(&named));
    assert!(
        text(&named).contains("created admin alex@acme.test (\"Alex Morgan\")"),
        "{}",
        text(&named)
    );
}

#[test]
fn start_up_refuses_a_missing_or_wrong_master_key() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        create_admin(dir.path(), "Acme IT", "admin@acme.test")
            .status
            .success()
    );
    let key = dir.path().join("master.key");
    assert!(key.exists());
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&key).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);
    let saved = std::fs::read(&key).unwrap();

    std::fs::remove_file(&key).unwrap();
    let out = create_admin(dir.path(), "Acme IT", "x@acme.test");
    assert!(!out.status.success());
    assert!(text(&out).contains("missing"), "{}", text(&out));
    assert!(
        !key.exists(),
        "no new key may be made while sealed data exists"
    );

    // A key file of another installation.
    let other = tempfile::tempdir().unwrap();
    assert!(
        create_admin(other.path(), "Other", "o@other.test")
            .status
            .success()
    );
    std::fs::copy(other.path().join("master.key"), &key).unwrap();
    let out = create_admin(dir.path(), "Acme IT", "y@acme.test");
    assert!(!out.status.success());
    assert!(text(&out).contains("does not hold key"), "{}", text(&out));

    std::fs::write(&key, saved).unwrap();
    assert!(
        create_admin(dir.path(), "Acme IT", "z@acme.test")
            .status
            .success()
    );
}

#[test]
fn keys_rotate_adds_a_key_and_can_run_again() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        create_admin(dir.path(), "Acme IT", "admin@acme.test")
            .status
            .success()
    );
    for _ in 0..2 {
        let out = countersign(dir.path(), &["keys", "rotate"], None, &[]);
        assert!(out.status.success(), "{}", text(&out));
        assert!(text(&out).contains("active key is now"), "{}", text(&out));
    }
    let file = std::fs::read_to_string(dir.path().join("master.key")).unwrap();
    assert_eq!(file.matches("[[keys]]").count(), 3, "{file}");
    assert_eq!(file.matches("active = true").count(), 1, "{file}");
    // The server still starts and every audit link holds.
    let out = countersign(dir.path(), &["audit", "verify"], None, &[]);
    assert!(out.status.success(), "{}", text(&out));
}

#[tokio::test]
async fn audit_verify_reports_the_first_broken_link() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        create_admin(dir.path(), "Acme IT", "admin@acme.test")
            .status
            .success()
    );
    assert!(
        create_admin(dir.path(), "Acme IT", "two@acme.test")
            .status
            .success()
    );
    let ok = countersign(dir.path(), &["audit", "verify"], None, &[]);
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("intact"), "{}", text(&ok));

    // An attacker with database access drops the guard triggers and edits an entry.
    let url = format!("sqlite://{}", dir.path().join("countersign.db").display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::query("DROP TRIGGER audit_log_no_update")
        .execute(&pool)
        .await
        .unwrap();
    let seq: i64 = sqlx::query_scalar("SELECT MAX(seq) FROM audit_log")
        .fetch_one(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_log SET target = 'someone-else' WHERE seq = $1")
        .bind(seq)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    let broken = countersign(dir.path(), &["audit", "verify"], None, &[]);
    assert!(!broken.status.success());
    assert!(
        text(&broken).contains(&format!("#{seq}")),
        "{}",
        text(&broken)
    );
}

/// Edits the target of entry `seq` and recomputes it and every later entry with `seal`,
/// as an attacker with database access covering their tracks would.
async fn rewrite_audit_log(
    dir: &Path,
    seq: i64,
    seal: impl Fn(&[u8], &countersign_store::NewAuditEntry) -> Vec<u8>,
) {
    use countersign_store::AuditStore as _;
    let store = countersign_store::Store::open_sqlite(&dir.join("countersign.db"))
        .await
        .unwrap();
    let chain = store.audit_chain(0, 1000).await.unwrap();
    store.close().await;
    let url = format!("sqlite://{}", dir.join("countersign.db").display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::query("DROP TRIGGER audit_log_no_update")
        .execute(&pool)
        .await
        .unwrap();
    let mut prev: Option<Vec<u8>> = None;
    for mut e in chain {
        if e.seq >= seq {
            if e.seq == seq {
                e.entry.target = "someone-else".into();
            }
            if let Some(p) = &prev {
                e.prev_hash.clone_from(p);
            }
            e.hash = seal(&e.prev_hash, &e.entry);
            sqlx::query(
                "UPDATE audit_log SET target = $1, prev_hash = $2, hash = $3 WHERE seq = $4",
            )
            .bind(&e.entry.target)
            .bind(&e.prev_hash)
            .bind(&e.hash)
            .bind(e.seq)
            .execute(&pool)
            .await
            .unwrap();
        }
        prev = Some(e.hash);
    }
    pool.close().await;
}

#[tokio::test]
async fn audit_verify_detects_an_edit_rehashed_with_plain_sha256() {
    let dir = tempfile::tempdir().unwrap();
    for email in ["admin@acme.test", "two@acme.test"] {
        assert!(create_admin(dir.path(), "Acme IT", email).status.success());
    }
    let ok = countersign(dir.path(), &["audit", "verify"], None, &[]);
    assert!(ok.status.success(), "{}", text(&ok));
    // Without the key, the attacker recomputes the chain from the edited entry on with plain
    // SHA-256, which is all a plain hash chain takes to look intact again.
    rewrite_audit_log(dir.path(), 1, countersign_store::audit_hash).await;
    let broken = countersign(dir.path(), &["audit", "verify"], None, &[]);
    assert!(!broken.status.success(), "{}", text(&broken));
    assert!(text(&broken).contains("#1"), "{}", text(&broken));
}

#[tokio::test]
async fn audit_verify_against_a_saved_head_detects_a_key_holders_rewrite() {
    let dir = tempfile::tempdir().unwrap();
    for email in ["admin@acme.test", "two@acme.test"] {
        assert!(create_admin(dir.path(), "Acme IT", email).status.success());
    }
    let ok = countersign(dir.path(), &["audit", "verify"], None, &[]);
    assert!(ok.status.success(), "{}", text(&ok));
    let head = text(&ok)
        .lines()
        .find_map(|l| l.strip_prefix("head: "))
        .expect("audit verify prints the head")
        .to_owned();
    assert!(head.starts_with("server:"), "{head}");
    let same = countersign(
        dir.path(),
        &["audit", "verify", "--against", &head],
        None,
        &[],
    );
    assert!(same.status.success(), "{}", text(&same));

    // A key holder edits the first entry and re-MACs the whole chain with the real key.
    let keyring = countersign_crypto::Keyring::load(&dir.path().join("master.key")).unwrap();
    let key = countersign_app::audit::audit_key(&keyring);
    rewrite_audit_log(dir.path(), 1, |prev, e| {
        countersign_store::audit_mac(&key, prev, e)
    })
    .await;
    let consistent = countersign(dir.path(), &["audit", "verify"], None, &[]);
    assert!(consistent.status.success(), "{}", text(&consistent));
    let caught = countersign(
        dir.path(),
        &["audit", "verify", "--against", &head],
        None,
        &[],
    );
    assert!(!caught.status.success(), "{}", text(&caught));
    assert!(
        text(&caught).contains("no longer has the MAC of the published head"),
        "{}",
        text(&caught)
    );

    // A mistyped head is a usage error that says what a head looks like.
    let bad = countersign(
        dir.path(),
        &["audit", "verify", "--against", "server:1:abc"],
        None,
        &[],
    );
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
    assert!(text(&bad).contains("64 hex digits"), "{}", text(&bad));
}

#[tokio::test]
async fn db_backup_copies_the_database_while_serving() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        create_admin(dir.path(), "Acme IT", "admin@acme.test")
            .status
            .success()
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Command::new(BIN)
        .arg("--data-dir")
        .arg(dir.path())
        .arg("serve")
        .env("COUNTERSIGN_SERVER__LISTEN", format!("127.0.0.1:{port}"))
        .env("COUNTERSIGN_METRICS__LISTEN", "")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let client = reqwest::Client::new();
    loop {
        if let Ok(r) = client
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
            && r.status().is_success()
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "server did not become ready"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let backup = dir.path().join("backup.db");
    let out = countersign(
        dir.path(),
        &["db", "backup", backup.to_str().unwrap()],
        None,
        &[],
    );
    let again = countersign(
        dir.path(),
        &["db", "backup", backup.to_str().unwrap()],
        None,
        &[],
    );
    let _ = server.kill();
    let _ = server.wait();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        !again.status.success(),
        "an existing file is never overwritten"
    );
    assert!(text(&again).contains("already exists"), "{}", text(&again));
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", backup.display()))
        .await
        .unwrap();
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM technicians")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn emulator_prints_its_manifest_as_the_first_stdout_line() {
    use std::io::BufRead;
    let mut child = Command::new(BIN)
        .args([
            "emulator",
            "--listen",
            "127.0.0.1:0",
            "--tenants",
            "2",
            "--users-per-tenant",
            "5",
            "--seed",
            "7",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&first).expect("first line is JSON");
    let _ = child.kill();
    let _ = child.wait();
    for key in ["login_base_url", "graph_base_url", "control_url"] {
        assert!(
            manifest[key]
                .as_str()
                .is_some_and(|u| u.starts_with("http://127.0.0.1:")),
            "{key}: {manifest}"
        );
    }
    assert!(
        manifest["partner"]["tenant_id"].is_string() && manifest["partner"]["domain"].is_string(),
        "{manifest}"
    );
    let app = &manifest["apps"][0];
    assert!(
        app["client_id"].is_string() && app["client_secret"].is_string() && app["kind"].is_string(),
        "{manifest}"
    );
    let tenants = manifest["tenants"].as_array().unwrap();
    assert_eq!(tenants.len(), 2, "{manifest}");
    for t in tenants {
        assert!(
            t["id"].is_string() && t["domain"].is_string() && t["display_name"].is_string(),
            "{t}"
        );
        assert_eq!(t["users"].as_u64(), Some(5), "{t}");
    }
}

#[tokio::test]
async fn admin_reset_prints_a_one_time_link_and_clears_the_credentials() {
    let dir = tempfile::tempdir().unwrap();
    for (org, email) in [
        ("Acme IT", "admin@acme.test"),
        ("Acme IT", "tech@acme.test"),
        ("Other", "o@other.test"),
    ] {
        assert!(create_admin(dir.path(), org, email).status.success());
    }
    let reset = |org: &str, email: &str| {
        countersign(
            dir.path(),
            &["admin", "reset", "--org", org, "--email", email],
            None,
            &[],
        )
    };
    // Clear errors that say what to do, and nothing changes.
    let out = reset("nope", "admin@acme.test");
    assert!(!out.status.success());
    assert!(
        text(&out).contains("no organisation has the slug \"nope\""),
        "{}",
        text(&out)
    );
    let out = reset("acme-it", "o@other.test");
    assert!(!out.status.success());
    assert!(
        text(&out).contains("has no technician with the email o@other.test"),
        "{}",
        text(&out)
    );
    let url = format!("sqlite://{}", dir.path().join("countersign.db").display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::query("UPDATE technicians SET role = 'technician' WHERE email = 'tech@acme.test'")
        .execute(&pool)
        .await
        .unwrap();
    let out = reset("acme-it", "tech@acme.test");
    assert!(!out.status.success());
    assert!(text(&out).contains("is not an admin"), "{}", text(&out));
    let hash = |email: &'static str| {
        let pool = pool.clone();
        async move {
            let (h,): (String,) =
                sqlx::query_as("SELECT password_hash FROM technicians WHERE email = $1")
                    .bind(email)
                    .fetch_one(&pool)
                    .await
                    .unwrap();
            h
        }
    };
    assert!(hash("admin@acme.test").await.starts_with("$argon2id$"));

    // The reset: the link on stdout, the password cleared, audited as the CLI.
    let out = reset("acme-it", "admin@acme.test");
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let link = stdout.trim();
    assert!(link.contains("/password/reset/"), "{stdout}");
    assert!(link.rsplit('/').next().unwrap().len() >= 40, "{link}");
    assert_eq!(hash("admin@acme.test").await, "");
    let (actor, n): (String, i64) = sqlx::query_as(
        "SELECT actor_label, COUNT(*) FROM audit_log WHERE action = 'technician.credentials_reset' \
         GROUP BY actor_label",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((actor.as_str(), n), ("cli", 1));
    let (links,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM password_resets WHERE kind = 'admin'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(links, 1);
    pool.close().await;
}
