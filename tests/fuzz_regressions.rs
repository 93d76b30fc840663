//! Replays the fuzz targets' seed corpus (`fuzz/seeds/<target>/`) and every minimized input a
//! fuzz run found (`fuzz/regressions/<target>/`) under plain `cargo test`, through the very
//! checks the targets run (`fuzz/src/lib.rs`, included by path).
//!
//! Each input runs in a child process (this test binary again, filtered to
//! `replay_one_input`): a stack overflow aborts the process rather than unwinding, and would
//! otherwise take every other test of the binary down with it, unnamed.
//!
//! `fuzz/regressions/OPEN` lists inputs whose bug is known and not yet fixed (in code the
//! fuzz targets do not own): they are replayed and reported, but do not fail the test, and the
//! report says when one passes so that its line can be removed.

use std::collections::BTreeMap;
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

/// `target/file` → why it is still open.
fn open_list() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(fuzz_dir().join("regressions/OPEN")).unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once(char::is_whitespace) {
            Some((name, why)) => (name.to_string(), why.trim().to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect()
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
    let open = open_list();
    let mut failures = Vec::new();
    let mut seen = 0;
    for target in checks::TARGETS {
        let seeds = inputs("seeds", target);
        assert!(!seeds.is_empty(), "fuzz/seeds/{target}/ has no seed inputs");
        for (kind, path) in
            seeds.iter().map(|p| ("seeds", p)).chain(inputs("regressions", target).iter().map(|p| ("regressions", p)))
        {
            seen += 1;
            let name = format!("{target}/{}", path.file_name().unwrap().to_string_lossy());
            let result = replay(target, path);
            match (kind, open.get(&name), result) {
                ("regressions", Some(why), Err(_)) => eprintln!("still open: fuzz/regressions/{name}: {why}"),
                ("regressions", Some(_), Ok(())) => {
                    eprintln!("now passes: fuzz/regressions/{name}; remove its line from fuzz/regressions/OPEN")
                }
                (_, _, Err(e)) => failures.push(e),
                (_, _, Ok(())) => {}
            }
        }
    }
    for name in open.keys() {
        assert!(
            fuzz_dir().join("regressions").join(name).is_file(),
            "fuzz/regressions/OPEN names {name}, which is absent"
        );
    }
    assert!(failures.is_empty(), "{} of {seen} fuzz inputs fail:\n{}", failures.len(), failures.join("\n"));
}
