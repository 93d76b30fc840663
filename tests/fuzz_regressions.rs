//! Replays the fuzz targets' seed corpus (`fuzz/seeds/<target>/`) and every minimized input a
//! fuzz run found (`fuzz/regressions/<target>/`) under plain `cargo test`, through the very
//! checks the targets run (`fuzz/src/lib.rs`, included by path).
//!
//! Each input runs in a child process (this test binary again, filtered to
//! `replay_one_input`): a stack overflow aborts the process rather than unwinding, and would
//! otherwise take every other test of the binary down with it, unnamed.
//!
//! Every input must pass: a regression input is committed with its fix.

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "../fuzz/src/lib.rs"]
mod checks;

/// Set in the child: `target=path` of the one input to replay.
const REPLAY: &str = "STAGE_ACTION_FUZZ_REPLAY";

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The child's side; does nothing in a normal run.
#[test]
fn replay_one_input() {
    let Ok(spec) = std::env::var(REPLAY) else { return };
    let (target, path) = spec.split_once('=').expect("target=path");
    let data = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    checks::check(target, &data);
}

fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(fuzz_dir().join(kind).join(target)) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect();
    files.sort();
    files
}

/// Replays one input in a child process; the child's stderr when it fails.
fn replay(target: &str, path: &Path) -> Result<(), String> {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["replay_one_input", "--exact", "--nocapture", "--test-threads=1"])
        .env(REPLAY, format!("{target}={}", path.display()))
        .output()
        .unwrap();
    if out.status.success() {
        Ok(())
    } else {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let why = stderr.lines().find(|l| l.contains("panicked at") || l.contains("overflow")).unwrap_or("");
        let detail = stderr.lines().skip_while(|l| !l.contains("panicked at")).nth(1).unwrap_or("");
        Err(format!("{} ({}) {why} {detail}", path.display(), out.status))
    }
}

#[test]
fn every_seed_and_regression_input_passes_its_fuzz_check() {
    let mut failures = Vec::new();
    let mut seen = 0;
    for target in checks::TARGETS {
        let seeds = inputs("seeds", target);
        assert!(!seeds.is_empty(), "fuzz/seeds/{target}/ has no seed inputs");
        for path in seeds.iter().chain(inputs("regressions", target).iter()) {
            seen += 1;
            if let Err(e) = replay(target, path) {
                failures.push(e);
            }
        }
    }
    assert!(failures.is_empty(), "{} of {seen} fuzz inputs fail:\n{}", failures.len(), failures.join("\n"));
}
