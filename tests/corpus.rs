//! Terraform states whose answers are known, in two sizes.
//!
//! - `tests/fixtures/tfstate/`: a small committed sample (Terraform's own fixtures and
//!   fujiwara/tfstate-lookup's test state and table; `tests/fixtures/README.md` says where each file
//!   comes from). The tests in `mod fixtures` run on it in every clone.
//! - the full corpus, `../shared/corpus/tfstate/` beside the checkout: the same files and more,
//!   among them real-world states that may not be redistributed. The tests in `mod full_corpus` need
//!   it. When it is absent they FAIL under `CI=true` (a CI that lacks it would otherwise report the
//!   only full differential test as passed), and elsewhere they skip with a line on stderr.
//!
//! `STAGE_ACTION_SHARED` moves `../shared` (a relative path is taken from the crate root):
//! `STAGE_ACTION_SHARED=/nonexistent cargo test --test corpus` shows how a clone without it behaves,
//! and the same with `CI=true` how CI does.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;
use stage_action::state::Error;
use stage_action::state::{self, Lookup};

/// The committed sample, laid out like the full corpus so that one check runs on either.
fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tfstate")
}

/// The full corpus, when it is there; see the module's documentation for what its absence does.
fn full_corpus() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = match std::env::var_os("STAGE_ACTION_SHARED") {
        Some(dir) if !dir.is_empty() => root.join(dir),
        _ => root.join("../shared"),
    };
    let dir = shared.join("corpus/tfstate");
    if dir.is_dir() {
        return Some(dir);
    }
    // libtest names each test's thread after the test.
    let test = std::thread::current().name().unwrap_or("this test").to_string();
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "{test}: the full corpus {} is absent and CI=true: CI must run every corpus test; put the shared directory \
             beside the checkout (../shared) or set STAGE_ACTION_SHARED to it",
            dir.display()
        );
    }
    // Straight to stderr: libtest captures `eprintln!` and shows it only for failures, so a skip
    // written with it would be as silent as the early `return` this replaces.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {test}: the full corpus {} is absent (a plain clone has no ../shared; set STAGE_ACTION_SHARED to \
         where it is); the committed tests/fixtures ran, and under CI=true this fails",
        dir.display()
    );
    None
}

/// What `tests/fixtures/tfstate/` holds: every file of the sample, and how many are states.
const FIXTURE_FILES: usize = 27;
const FIXTURE_TERRAFORM_STATES: usize = 22;

mod fixtures {
    //! On the committed sample: always run.
    use super::*;

    #[test]
    fn tfstate_lookup_answers_its_own_test_table() {
        tfstate_lookup_table(&fixtures());
    }

    #[test]
    fn tfstate_lookup_lists_the_same_addresses() {
        tfstate_lookup_list(&fixtures());
    }

    #[test]
    fn sensitive_attribute_paths_are_reported_as_secrets() {
        sensitive_attribute_paths(&fixtures());
    }

    #[test]
    fn every_terraform_fixture_reads_or_fails_clearly() {
        assert_eq!(terraform_fixtures_read_or_fail_clearly(&fixtures()), FIXTURE_TERRAFORM_STATES);
    }

    #[test]
    fn legacy_formats_answer_like_their_version_4_upgrades() {
        legacy_formats_answer_like_version_4(&fixtures());
    }

    #[test]
    fn the_streaming_loader_answers_exactly_as_the_whole_file_parser() {
        let n = streaming_and_whole_file_agree(&fixtures());
        // A floor, so that a loader that finds no addresses cannot pass by comparing nothing.
        assert!(n > 300, "{n}");
    }

    #[test]
    fn every_file_is_attributed_in_the_readme() {
        // MPL-2.0 asks that recipients learn where each file comes from and under which licence.
        let dir = fixtures();
        let readme = String::from_utf8(read(&dir.join("../README.md"))).unwrap();
        let files = files_under(&dir);
        assert_eq!(files.len(), FIXTURE_FILES);
        for f in files {
            let relative = f.strip_prefix(&dir).unwrap().to_string_lossy().replace('\\', "/");
            assert!(readme.contains(&format!("`{relative}`")), "tests/fixtures/README.md does not name {relative}");
        }
    }
}

mod full_corpus {
    //! On `../shared/corpus/tfstate`: they fail under `CI=true` without it, and skip loudly elsewhere.
    use super::*;

    #[test]
    fn the_committed_fixtures_are_copies_of_the_corpus_files() {
        let Some(dir) = full_corpus() else { return };
        let sample = fixtures();
        for f in files_under(&sample) {
            let relative = f.strip_prefix(&sample).unwrap();
            assert!(read(&f) == read(&dir.join(relative)), "{} differs from the corpus", relative.display());
        }
    }

    #[test]
    fn tfstate_lookup_answers_its_own_test_table() {
        let Some(dir) = full_corpus() else { return };
        tfstate_lookup_table(&dir);
        tfstate_lookup_list(&dir);
    }

    #[test]
    fn every_terraform_fixture_reads_or_fails_clearly() {
        let Some(dir) = full_corpus() else { return };
        let n = terraform_fixtures_read_or_fail_clearly(&dir);
        assert!(n >= 33, "{n}");
    }

    #[test]
    fn the_streaming_loader_answers_exactly_as_the_whole_file_parser() {
        let Some(dir) = full_corpus() else { return };
        let n = streaming_and_whole_file_agree(&dir);
        assert!(n > 500, "{n}");
    }

    #[test]
    fn real_states_give_the_expected_images() {
        let Some(dir) = full_corpus() else { return };
        let expected: Value = serde_json::from_slice(&read(&dir.join("real/expected_images.json"))).unwrap();
        let files = expected["files"].as_object().unwrap();
        assert_eq!(files.len(), 12);
        let mut checked = 0;
        for (file, want) in files {
            let bytes = read(&dir.join("real").join(file));
            let parsed = state::parse(&bytes, file).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert_eq!(parsed.format_version, want["state_version"].as_u64().unwrap(), "{file}");
            assert_eq!(parsed.serial, want["serial"].as_u64(), "{file}");
            assert_eq!(parsed.lineage.as_deref(), want["lineage"].as_str(), "{file}");
            assert_eq!(parsed.terraform_version.as_deref(), want["terraform_version"].as_str(), "{file}");
            for c in want["containers"].as_array().unwrap() {
                let address = c["address"].as_str().unwrap();
                let name = c["container"].as_str().unwrap();
                let a = state::lookup(&parsed, Lookup { address, container: Some(name), origin: file })
                    .unwrap_or_else(|e| panic!("{file} {address} {name}: {e}"));
                assert_eq!(a.image.as_deref(), c["image"].as_str(), "{file} {address} {name}");
                assert_eq!(a.container.as_ref().map(|c| c.name.as_str()), Some(name));
                assert_eq!(a.container.as_ref().unwrap().init, c["container_field"].as_str().unwrap().contains("nit"));
                assert_eq!(a.tainted, c["status"] == "tainted", "{file} {address}");
                checked += 1;
            }
            for o in want["image_outputs"].as_array().unwrap() {
                let address = format!("output.{}", o["output"].as_str().unwrap());
                let a = state::lookup(&parsed, Lookup { address: &address, container: None, origin: file }).unwrap();
                assert_eq!(a.image.as_deref(), o["value"].as_str(), "{file} {address}");
            }
        }
        assert_eq!(checked, 42);
    }

    #[test]
    fn a_workload_with_one_container_needs_no_container_input() {
        let Some(dir) = full_corpus() else { return };
        let bytes = read(&dir.join("real/Rayhanshuvo__ecommerce-project.tfstate"));
        // kafka has an init container and one regular container: the regular one answers.
        let a = ask(&bytes, "kubernetes_deployment.kafka", None).unwrap();
        assert_eq!((a.container.unwrap().name.as_str(), a.image.as_deref()), ("kafka", Some("apache/kafka:3.8.1")));
        let a = ask(&bytes, "kubernetes_deployment.kafka", Some("wipe-kafka-data")).unwrap();
        assert_eq!(a.image.as_deref(), Some("busybox:1.36"));
        let e = ask(&bytes, "kubernetes_deployment.kafka", Some("zookeeper")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "kubernetes_deployment.kafka has no container \"zookeeper\"; its containers are: wipe-kafka-data (init), kafka"
        );
    }

    #[test]
    fn manifest_jobs_and_pods_are_found_by_their_kind() {
        let Some(dir) = full_corpus() else { return };
        let bytes = read(&dir.join("real/aymaneo__terraform.tfstate"));
        let a = ask(&bytes, "kubernetes_manifest.manifests[\"seed-job.yaml\"]", None).unwrap();
        assert_eq!(a.image.as_deref(), Some("eloip13009/voting-fila3:seed-data"));
        let e = ask(&bytes, "kubernetes_manifest.manifests", None).unwrap_err();
        assert!(e.to_string().starts_with("kubernetes_manifest.manifests has several instances (count or for_each); add one of the keys: kubernetes_manifest.manifests[\""), "{e}");
        let bytes = read(&dir.join("real/JungUiJin__cicd.tfstate"));
        let a = ask(&bytes, "kubernetes_manifest.redis_deployment", None).unwrap();
        assert_eq!((a.image.as_deref(), a.tainted), (Some("redis:latest"), true));
    }

    #[test]
    fn state_v3_flatmap_gives_the_deployment_image() {
        let Some(dir) = full_corpus() else { return };
        let bytes = read(&dir.join("real/corganfuzz__terraform-k8s.tfstate"));
        let a = ask(&bytes, "kubernetes_deployment.ghost_deployment", None).unwrap();
        assert_eq!(a.image.as_deref(), Some("ghost:alpine"));
        let replicas = ask(&bytes, "kubernetes_deployment.ghost_deployment.spec[0].replicas", None).unwrap();
        assert!(replicas.value.is_string());
    }
}

#[test]
fn streaming_errors_match_for_broken_files() {
    let cases: &[&[u8]] =
        &[b"", b"  ", b"invalid\n", b"[1]", b"{\"version\": 5}", b"{\"version\": 3, \"modules\": 1}", b"\xff\xfe"];
    for bytes in cases {
        assert_eq!(
            ask(bytes, "output.x", None),
            ask_streaming(bytes, "output.x", None),
            "{:?}",
            String::from_utf8_lossy(bytes)
        );
    }
}

// The checks, each on a corpus root (the sample or the full corpus, which share their layout).

/// fujiwara/tfstate-lookup's `TestSuitesOK`: 35 addresses and their values, `null` for a miss.
fn tfstate_lookup_table(dir: &Path) {
    let bytes = read(&dir.join("tfstate-lookup/terraform.tfstate"));
    let cases: Vec<Value> = serde_json::from_slice(&read(&dir.join("tfstate-lookup/expected.json"))).unwrap();
    assert_eq!(cases.len(), 35);
    for case in cases {
        let key = case["key"].as_str().unwrap();
        match (&case["expected"], ask(&bytes, key, None)) {
            (Value::Null, Err(_)) => {}
            (Value::Null, Ok(a)) => panic!("{key}: expected a miss, got {}", a.value),
            (want, Ok(a)) => assert_eq!(&a.value, want, "{key}"),
            (want, Err(e)) => panic!("{key}: expected {want}, got error: {e}"),
        }
    }
}

/// fujiwara/tfstate-lookup's `TestNames`: the addresses a state lists.
fn tfstate_lookup_list(dir: &Path) {
    let bytes = read(&dir.join("tfstate-lookup/terraform.tfstate"));
    let mut want: Vec<String> = serde_json::from_slice(&read(&dir.join("tfstate-lookup/expected_list.json"))).unwrap();
    let mut got = state::parse(&bytes, "t").unwrap().addresses();
    want.sort();
    got.sort();
    assert_eq!(got, want);
}

fn sensitive_attribute_paths(dir: &Path) {
    let bytes =
        read(&dir.join("terraform/internal/command/testdata/show-json-state/sensitive-variables/terraform.tfstate"));
    let parsed = state::parse(&bytes, "t").unwrap();
    let address = parsed.addresses().into_iter().find(|a| !a.starts_with("output.")).unwrap();
    let whole = ask(&bytes, &address, None).unwrap();
    assert!(!whole.sensitive);
    assert_eq!(whole.secrets, vec!["abc".to_string()]);
    let ami = ask(&bytes, &format!("{address}.ami"), None).unwrap();
    assert!(ami.sensitive);
    assert_eq!(ami.secrets, vec!["abc".to_string()]);
    let id = ask(&bytes, &format!("{address}.id"), None).unwrap();
    assert!(!id.sensitive && id.secrets.is_empty());
}

/// Every `.tfstate` under `terraform/` parses, except the two that must fail with their own error;
/// returns how many there were.
fn terraform_fixtures_read_or_fail_clearly(dir: &Path) -> usize {
    let mut n = 0;
    for f in files_under(&dir.join("terraform")) {
        let name = f.to_string_lossy().to_string();
        if !name.ends_with(".tfstate") {
            continue;
        }
        let result = state::parse(&read(&f), &name).map(|s| s.addresses().len());
        if name.ends_with("show-corrupt-statefile/terraform.tfstate") {
            assert!(matches!(result, Err(Error::NotJson { .. })), "{name}: {result:?}");
        } else if name.ends_with(".terraform/terraform.tfstate") {
            // `terraform init`'s backend settings, not a state.
            assert!(matches!(result, Err(Error::BackendSettings { .. })), "{name}: {result:?}");
        } else {
            result.unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        n += 1;
    }
    n
}

/// Terraform's round-trip pairs: a v1 or v3 state and its v4 upgrade give the same answers.
fn legacy_formats_answer_like_version_4(dir: &Path) {
    let rt = dir.join("terraform/internal/states/statefile/testdata/roundtrip");
    let pairs = [
        ("v1-simple", "null_resource.foo[1].triggers.what", Some("\"1\"")),
        ("v1-simple", "null_resource.bar.triggers.whaaat", Some("\"0,1\"")),
        ("v1-simple", "output.numbers", Some("\"0,1\"")),
        ("v3-bigint", "module.child.null_resource.foo.id", Some("\"1361\"")),
        ("v3-bigint", "null_resource.bar[1].triggers.index", Some("\"1\"")),
        ("v3-simple", "null_resource.foo[0].id", None),
        ("v3-grabbag", "output.results.aws_region", Some("\"us-west-2\"")),
    ];
    for (name, address, want) in pairs {
        let old = ask(&read(&rt.join(format!("{name}.in.tfstate"))), address, None);
        let new = ask(&read(&rt.join(format!("{name}.out.tfstate"))), address, None);
        let old = old.unwrap_or_else(|e| panic!("{name}.in {address}: {e}")).value;
        let new = new.unwrap_or_else(|e| panic!("{name}.out {address}: {e}")).value;
        assert_eq!(old, new, "{name} {address}");
        if let Some(want) = want {
            assert_eq!(old.to_string(), want, "{name} {address}");
        }
    }
    let v4 = read(&rt.join("v4-modules.in.tfstate"));
    assert!(ask(&v4, "module.modB.null_resource.bar[\"a\"]", None).is_ok());
    let future = read(&rt.join("v4-future.in.tfstate"));
    assert_eq!(state::parse(&future, "f").unwrap().terraform_version.as_deref(), Some("999.0.0"));
}

/// The differential test: every address of every state under `dir`, as written and with its keys
/// sorted, answered by the streaming loader and by the whole-file parser; returns how many.
fn streaming_and_whole_file_agree(dir: &Path) -> usize {
    let mut n = 0;
    for f in files_under(dir).iter().filter(|f| f.extension().is_some_and(|e| e == "tfstate")) {
        let bytes = read(f);
        n += both_loaders_agree(&f.display().to_string(), &bytes);
        // The same state with its keys in another order (as `jq -S` writes it).
        if let Ok(v) = serde_json::from_slice::<Value>(&bytes) {
            let sorted = serde_json::to_vec_pretty(&sort_keys(v)).unwrap();
            n += both_loaders_agree(&format!("{} (keys sorted)", f.display()), &sorted);
        }
    }
    n
}

/// Every address of `bytes`, plus near misses, answered by both loaders.
fn both_loaders_agree(name: &str, bytes: &[u8]) -> usize {
    let Ok(full) = state::parse(bytes, "test.tfstate") else { return 0 };
    let mut addresses = full.addresses();
    let resources: Vec<String> = full.resources.iter().map(|r| r.address()).collect();
    addresses.extend(resources.iter().cloned());
    addresses.extend(resources.iter().map(|r| format!("{r}x")));
    addresses.push("output.nope".into());
    let mut n = 0;
    for a in &addresses {
        let whole = ask(bytes, a, None);
        let streamed = ask_streaming(bytes, a, None);
        assert_eq!(whole, streamed, "{name}: {a}");
        n += 1;
    }
    n
}

fn sort_keys(v: Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sort_keys(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sort_keys).collect()),
        other => other,
    }
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file under `dir`, sorted, so that failures come in the same order everywhere.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let p = entry.unwrap().path();
            if p.is_dir() {
                collect(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    collect(dir, &mut out);
    out.sort();
    out
}

/// Answers (or the error) through the whole-file parser.
fn ask(bytes: &[u8], address: &str, container: Option<&str>) -> Result<state::Answer, Error> {
    let parsed = state::parse(bytes, "test.tfstate")?;
    state::lookup(&parsed, Lookup { address, container, origin: "test.tfstate" })
}

/// Answers (or the error) through the streaming loader.
fn ask_streaming(bytes: &[u8], address: &str, container: Option<&str>) -> Result<state::Answer, Error> {
    let parsed_address = state::parse_address(address)?;
    // Odd-sized reads put chunk boundaries at a different place in every structure.
    let loaded = state::load(
        Trickle { data: bytes, step: 7919 },
        None,
        "test.tfstate",
        &state::Want::for_address(&parsed_address),
    )?;
    let parsed = loaded.state("test.tfstate")?;
    state::lookup(&parsed, Lookup { address, container, origin: "test.tfstate" })
}

/// A reader that hands out at most `step` bytes at a time.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(self.data.len()).min(buf.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}
