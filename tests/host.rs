//! The host door, tested where it runs: inside wasm, under Node (`wasm-bindgen-test`).
#![cfg(target_arch = "wasm32")]

use stage_action::host::{self, Kind};
use wasm_bindgen_test::wasm_bindgen_test;

fn temp_path(name: &str) -> String {
    let dir = host::env("TMPDIR").unwrap_or_else(|| "/tmp".to_string());
    format!("{}/stage-action-host-{}-{name}", dir.trim_end_matches('/'), host::random_uuid())
}

#[wasm_bindgen_test]
fn env_reads_the_process_environment() {
    assert!(host::env("PATH").is_some_and(|p| !p.is_empty()));
    assert_eq!(host::env("STAGE_ACTION_SURELY_UNSET_VARIABLE"), None);
}

#[wasm_bindgen_test]
fn files_round_trip_through_append_stat_and_read() {
    let path = temp_path("roundtrip");
    assert_eq!(host::stat(&path), Ok(None));
    host::append_file(&path, b"hello ").unwrap();
    host::append_file(&path, "wörld".as_bytes()).unwrap();
    let meta = host::stat(&path).unwrap().unwrap();
    assert_eq!((meta.kind, meta.size), (Kind::File, 12));
    assert!(meta.modified_ms > 1.0e12);
    assert_eq!(host::read_file(&path).unwrap(), "hello wörld".as_bytes());
}

#[wasm_bindgen_test]
fn a_large_file_is_read_whole() {
    let path = temp_path("large");
    let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    host::append_file(&path, &data).unwrap();
    assert_eq!(host::read_file(&path).unwrap(), data);
}

#[wasm_bindgen_test]
fn an_empty_file_reads_as_empty() {
    let path = temp_path("empty");
    host::append_file(&path, b"").unwrap();
    assert_eq!(host::read_file(&path).unwrap(), Vec::<u8>::new());
}

#[wasm_bindgen_test]
fn node_errors_become_host_errors_with_their_code() {
    let e = host::read_file("/surely/not/here.tfstate").unwrap_err();
    assert_eq!(e.code, "ENOENT");
    assert!(e.message.contains("/surely/not/here.tfstate"), "{}", e.message);
    let e = host::read_file("/").unwrap_err();
    assert_eq!(e.code, "EISDIR");
    let e = host::append_file("/surely/not/here/x", b"x").unwrap_err();
    assert_eq!(e.code, "ENOENT");
    assert_eq!(host::stat("/surely/not/here"), Ok(None));
}

#[wasm_bindgen_test]
fn directories_list_sorted() {
    let dir = temp_path("dir");
    host::append_file(&format!("{dir}-b"), b"").unwrap();
    let parent = dir.rsplit_once('/').unwrap().0;
    let names = host::read_dir(parent).unwrap();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert_eq!(host::stat(parent).unwrap().unwrap().kind, Kind::Dir);
}

#[wasm_bindgen_test]
fn random_uuids_are_version_4_and_differ() {
    let a = host::random_uuid();
    let b = host::random_uuid();
    assert_ne!(a, b);
    assert_eq!(a.len(), 36);
    assert_eq!(&a[14..15], "4");
}

#[wasm_bindgen_test]
fn time_and_cwd_come_from_node() {
    assert!(host::now_ms() > 1.6e12);
    assert!(host::cwd().unwrap().starts_with('/'));
}
