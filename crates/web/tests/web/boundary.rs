//! The app boundary is closed (issue 19.1): the store is private to `app`, and the web server
//! and the CLI reach data only through use cases. The compiler enforces the private field; the
//! `test-support` accessor (`App::store`) exists in test builds only, so this check makes sure
//! no product code leans on it.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Lines of `text` that call the store accessor (`.store()`), comments aside.
fn store_reads(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .filter(|l| l.contains(".store()"))
        .collect()
}

#[test]
fn web_and_cli_never_reach_the_store() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    rust_files(&root.join("web/src"), &mut files);
    rust_files(&root.join("cli/src"), &mut files);
    assert!(
        files.len() > 20,
        "the sources were not found: {}",
        root.display()
    );
    let offenders: Vec<String> = files
        .iter()
        .flat_map(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            store_reads(&text)
                .into_iter()
                .map(|l| format!("{}: {}", f.display(), l.trim()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "web/CLI code reads the store instead of calling a use case:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn the_check_sees_a_store_read() {
    assert_eq!(
        store_reads("let x = state.app.store().contact(org, id);\n// app.store() in a comment"),
        vec!["let x = state.app.store().contact(org, id);"]
    );
}
