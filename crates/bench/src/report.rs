//! Shared reporting helpers: progress on stderr, result JSON on stdout, process memory.

use std::io::Write;

/// Prints the result as the last stdout line.
pub fn print(result: &serde_json::Value) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", serde_json::to_string(result)?)?;
    out.flush()?;
    Ok(())
}

pub fn progress(msg: &str) {
    eprintln!("[bench] {msg}");
}

/// Peak resident set size of this process in MiB (`VmHWM`), Linux only; 0 elsewhere.
#[must_use]
pub fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}
