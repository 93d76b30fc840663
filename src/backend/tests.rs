//! The seam, natively: settings to a source ([`configure`]), the dispatch ([`open`],
//! [`workspaces`]), and "no state yet" in each of its ways, with the messages a person reads.
//! Files are made in a temporary directory that stands for the run's workspace. A fake remote
//! backend ([`fake`]) proves the choice by name, discovery, the order settings override each
//! other in, the environment fallbacks and masking, without a server.

use std::future::Future;
use std::path::Path;
use std::pin::pin;
use std::task::{Poll, Waker};

use super::workspace::{Selected, Workspace};
use super::*;
use crate::action::{Inputs, Mode};
use crate::stages::{SettingLines, Stage};

/// Runs a future that never waits (the local backend's) to its end, without an executor.
pub(super) fn now<F: Future>(future: F) -> F::Output {
    let mut cx = std::task::Context::from_waker(Waker::noop());
    match pin!(future).poll(&mut cx) {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("the future waited"),
    }
}

fn context(dir: &Path, tf_workspace: Option<&str>) -> Context {
    Context {
        workspace: dir.to_string_lossy().into_owned(),
        tf_workspace: tf_workspace.map(str::to_string),
        ..Context::default()
    }
}

/// The settings of a step with these inputs (built as a command builds them, so that a setting
/// added for another backend leaves these tests alone).
fn inputs(state: Option<&str>, workspace: Option<&str>) -> Settings {
    let values: Vec<(&str, &str)> =
        [("state", state), ("workspace", workspace)].into_iter().filter_map(|(k, v)| Some((k, v?))).collect();
    Settings::from_inputs(&Inputs::new(Mode::Actions, "lookup", &values))
}

impl Source {
    /// The local location, in a test that made one.
    pub(crate) fn expect_local(&self) -> &local::Location {
        match &self.location {
            Location::Local(location) => location,
            other => panic!("not a local source: {other:?}"),
        }
    }

    /// The fake backend's location, in a test that made one.
    fn expect_fake(&self) -> &fake::Location {
        match &self.location {
            Location::Fake(location) => location,
            other => panic!("not a fake source: {other:?}"),
        }
    }
}

/// A remote backend with Terraform's shape and no server: its state is `{}` in the workspace
/// `default`, and there is none in any other.
pub(crate) mod fake {
    use super::super::config::{BackendConfig, KeyProblem};
    use super::super::workspace::Workspace;
    use super::super::{NoState, Opened, Snapshot};
    use crate::context::Context;
    use crate::error::Result;

    pub const NAME: &str = "fake";
    pub const KEYS: &[&str] = &["address", "token", "labels", "insecure"];
    pub const SECRETS: &[&str] = &["token"];
    pub const ENV: &[(&str, &[&str])] = &[("address", &["FAKE_ADDRESS"]), ("token", &["FAKE_TOKEN", "FAKE_OLD_TOKEN"])];

    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Location {
        pub address: String,
        pub token: Option<String>,
        pub labels: Vec<(String, String)>,
        pub workspace: Workspace,
        pub timeout_ms: u64,
    }

    pub fn configure(
        config: &BackendConfig,
        workspace: &Workspace,
        _context: &Context,
        timeout_ms: u64,
    ) -> std::result::Result<Location, Vec<KeyProblem>> {
        let mut problems = Vec::new();
        let address = config.string("address").map_err(|p| problems.push(p)).ok().flatten();
        if address.is_none() && problems.is_empty() {
            problems.push(config.problem("address", "is required: the server's URL"));
        }
        let token = config.string("token").map_err(|p| problems.push(p)).ok().flatten();
        let labels = config.map("labels").map_err(|p| problems.push(p)).ok().flatten();
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Location {
            address: address.map(|(a, _)| a).unwrap_or_default(),
            token: token.map(|(t, _)| t),
            labels: labels.map(|(l, _)| l).unwrap_or_default(),
            workspace: workspace.clone(),
            timeout_ms,
        })
    }

    pub async fn open(location: &Location) -> Result<Opened> {
        if location.workspace.name == "default" {
            return Ok(Opened::State(Snapshot {
                body: Box::new(std::io::Cursor::new(b"{}".to_vec())),
                size: Some(2),
                name: format!("fake state at {}", location.address),
                workspace: Some(location.workspace.name.clone()),
                modified_ms: None,
                lock: None,
                warnings: Vec::new(),
            }));
        }
        Ok(Opened::NoStateYet(NoState {
            backend: NAME,
            place: location.address.clone(),
            looked_for: format!("{}/{}", location.address, location.workspace.name),
            workspace: Some(location.workspace.clone()),
            existing: vec!["default".into()],
        }))
    }

    pub async fn workspaces(_location: &Location) -> Result<Vec<String>> {
        Ok(vec!["default".into()])
    }
}

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn source(dir: &Path, settings: &Settings, tf_workspace: Option<&str>) -> Source {
    configure(settings, &context(dir, tf_workspace)).unwrap()
}

/// What opening finds: "no state yet", typed.
fn no_state(source: &Source) -> NoState {
    match now(open(source)) {
        Ok(Opened::NoStateYet(none)) => none,
        Ok(Opened::State(s)) => panic!("a state: {}", s.name),
        Err(e) => panic!("an error: {e}"),
    }
}

fn error(source: &Source) -> String {
    match now(open(source)) {
        Err(e) => e.to_string(),
        Ok(Opened::State(s)) => panic!("a state: {}", s.name),
        Ok(Opened::NoStateYet(none)) => panic!("no state yet: {none}"),
    }
}

#[test]
fn settings_become_a_local_source_with_paths_in_the_run_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let infra = source(dir.path(), &inputs(Some("infra/dev"), Some("blue")), Some("green"));
    let loc = infra.expect_local();
    let ws = dir.path().to_string_lossy();
    assert_eq!(
        (loc.given.as_str(), loc.path.clone(), loc.within.as_deref(), loc.workspace.as_deref(), loc.setting.as_str()),
        ("infra/dev", format!("{ws}/infra/dev"), Some(&*ws), Some("blue"), "input `state`")
    );
    assert_eq!(loc.tf_workspace.as_deref(), Some("green"));
    let absolute = source(dir.path(), &inputs(Some("/tmp/s.tfstate"), None), None);
    assert_eq!(absolute.backend(), "local");
    let loc = absolute.expect_local();
    assert_eq!((loc.path.as_str(), loc.within.as_deref()), ("/tmp/s.tfstate", None));
}

#[test]
fn every_problem_of_the_settings_is_listed_at_once_naming_its_setting() {
    let problems = configure(&inputs(None, Some("a/b")), &Context::default()).unwrap_err();
    assert_eq!(
        problems,
        vec![
            Problem::new("state", "is required: the .tfstate file, or the Terraform working directory that holds it"),
            Problem::new("workspace", "\"a/b\" is not a workspace name (it may not contain \"/\")"),
        ]
    );
    for bad in ["..", "."] {
        let problems = configure(&inputs(Some("infra"), Some(bad)), &Context::default()).unwrap_err();
        assert_eq!(problems.iter().map(|p| p.setting).collect::<Vec<_>>(), ["workspace"], "{bad}");
    }
}

#[test]
fn a_stage_names_its_state_by_stages_file_and_line_in_advice() {
    let stage = Stage {
        name: "dev".into(),
        state: "stages/dev".into(),
        lines: SettingLines { state: 4, ..SettingLines::default() },
        ..Stage::default()
    };
    let dev = source(Path::new("/ws"), &Settings::from_stage(".github/stages.yml", &stage), None);
    let loc = dev.expect_local();
    assert_eq!(
        (loc.path.as_str(), loc.setting.as_str()),
        ("/ws/stages/dev", "`state` of stage dev in .github/stages.yml (line 4)")
    );
}

#[test]
fn open_reads_a_state_file_and_a_working_directory_workspace_through_the_dispatch() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "dev.tfstate", "{}");
    write(dir.path(), "infra/terraform.tfstate.d/blue/terraform.tfstate", "{\"serial\":1}");
    let Ok(Opened::State(file)) = now(open(&source(dir.path(), &inputs(Some("dev.tfstate"), None), None))) else {
        panic!("no state")
    };
    assert_eq!((file.name.as_str(), file.size, file.workspace), ("dev.tfstate", Some(2), None));
    let infra = source(dir.path(), &inputs(Some("infra"), Some("blue")), None);
    let Ok(Opened::State(blue)) = now(open(&infra)) else { panic!("no state") };
    assert_eq!(
        (blue.name.as_str(), blue.size, blue.workspace.as_deref()),
        ("infra/terraform.tfstate.d/blue/terraform.tfstate", Some(12), Some("blue"))
    );
}

#[test]
fn workspaces_lists_those_with_a_state_and_none_for_a_state_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "infra/terraform.tfstate", "{}");
    write(dir.path(), "infra/terraform.tfstate.d/qa/terraform.tfstate", "{}");
    // Terraform leaves an empty folder behind for a workspace that never applied.
    std::fs::create_dir_all(dir.path().join("infra/terraform.tfstate.d/uat")).unwrap();
    write(dir.path(), "dev.tfstate", "{}");
    let mut listed = now(workspaces(&source(dir.path(), &inputs(Some("infra"), None), None))).unwrap();
    listed.sort();
    assert_eq!(listed, ["default", "qa"]);
    assert!(now(workspaces(&source(dir.path(), &inputs(Some("dev.tfstate"), None), None))).unwrap().is_empty());
}

#[test]
fn a_state_file_that_is_not_there_is_no_state_yet() {
    let dir = tempfile::tempdir().unwrap();
    let none = no_state(&source(dir.path(), &inputs(Some("stages/dev.tfstate"), None), None));
    assert_eq!(
        none,
        NoState {
            backend: "local",
            place: "stages/dev.tfstate".into(),
            looked_for: "stages/dev.tfstate".into(),
            workspace: None,
            existing: Vec::new(),
        }
    );
    assert_eq!(
        crate::error::Error::from(none.error()).to_string(),
        "state stages/dev.tfstate does not exist; set input `state` to a .tfstate file or to the Terraform working directory that holds terraform.tfstate"
    );
}

#[test]
fn a_workspace_without_a_state_is_no_state_yet_whatever_chose_it() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "infra/terraform.tfstate.d/blue/terraform.tfstate", "{}");
    let cases = [
        (Some("green"), None, None, Selected::Setting, "input `workspace`"),
        (None, Some("green"), None, Selected::Env, "TF_WORKSPACE"),
        (None, None, Some("green\n"), Selected::EnvironmentFile, "infra/.terraform/environment"),
        (None, None, None, Selected::Default, "default"),
    ];
    for (setting, env, file, selected, by) in cases {
        let _ = std::fs::remove_file(dir.path().join("infra/.terraform/environment"));
        if let Some(text) = file {
            write(dir.path(), "infra/.terraform/environment", text);
        }
        let none = no_state(&source(dir.path(), &inputs(Some("infra"), setting), env));
        let name = if selected == Selected::Default { "default" } else { "green" };
        let looked_for = if name == "default" {
            "infra/terraform.tfstate".to_string()
        } else {
            "infra/terraform.tfstate.d/green/terraform.tfstate".to_string()
        };
        assert_eq!(
            none,
            NoState {
                backend: "local",
                place: "infra".into(),
                looked_for,
                workspace: Some(Workspace { name: name.into(), selected }),
                existing: vec!["blue".into()],
            }
        );
        assert_eq!(
            none.to_string(),
            format!("workspace \"{name}\" (selected by {by}) has no state in infra; workspaces with a state: blue; set input `workspace` to one of them")
        );
    }
}

#[test]
fn a_working_directory_with_no_state_at_all_says_to_apply_first() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("infra")).unwrap();
    let none = no_state(&source(dir.path(), &inputs(Some("infra"), None), None));
    assert_eq!(
        none.to_string(),
        "workspace \"default\" (selected by default) has no state in infra; no workspace there has a state: run terraform apply first, or point `state` at another directory"
    );
}

#[test]
fn a_directory_whose_state_is_in_another_backend_is_an_error_not_no_state_yet() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "infra/.terraform/terraform.tfstate", r#"{"version":3,"backend":{"type":"consul","config":{}}}"#);
    assert_eq!(
        error(&source(dir.path(), &inputs(Some("infra/"), None), None)),
        "infra keeps its state in Terraform's \"consul\" backend, not in the directory; this action reads local state files: add a step that runs `terraform -chdir=infra state pull > infra.tfstate` and set `state` to that file"
    );
    // Pointing at the file means the directory, and its backend.
    assert_eq!(
        error(&source(dir.path(), &inputs(Some("infra/.terraform/terraform.tfstate"), None), None)),
        "infra keeps its state in Terraform's \"consul\" backend, not in the directory; this action reads local state files: add a step that runs `terraform -chdir=infra state pull > infra.tfstate` and set `state` to that file"
    );
    // `terraform init` with the local backend writes the same file: that is still no state yet.
    write(dir.path(), "infra/.terraform/terraform.tfstate", r#"{"version":3,"backend":{"type":"local","config":{}}}"#);
    assert_eq!(no_state(&source(dir.path(), &inputs(Some("infra"), None), None)).backend, "local");
}

#[test]
fn settings_that_do_not_fit_a_state_file_are_refused_when_it_is_opened() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "dev.tfstate", "{}");
    write(dir.path(), "infra/.terraform/terraform.tfstate", r#"{"version":3,"backend":{"type":"local"}}"#);
    assert_eq!(
        error(&source(dir.path(), &inputs(Some("dev.tfstate"), Some("qa")), None)),
        "input `workspace`: applies only when `state` is a working directory, and dev.tfstate is a file; remove `workspace`, or set `state` to the directory"
    );
    assert_eq!(
        error(&source(dir.path(), &inputs(Some("infra/.terraform/terraform.tfstate"), None), None)),
        "infra/.terraform/terraform.tfstate holds Terraform's backend settings, not a state; set input `state` to the working directory (the folder that holds .terraform) or to its terraform.tfstate"
    );
}

#[test]
fn a_bad_workspace_name_from_the_environment_matters_only_for_a_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "dev.tfstate", "{}");
    std::fs::create_dir_all(dir.path().join("infra")).unwrap();
    assert!(matches!(
        now(open(&source(dir.path(), &inputs(Some("dev.tfstate"), None), Some("a/b")))),
        Ok(Opened::State(_))
    ));
    assert_eq!(
        error(&source(dir.path(), &inputs(Some("infra"), None), Some("a/b"))),
        "input `TF_WORKSPACE`: \"a/b\" is not a workspace name (it may not contain \"/\")"
    );
    write(dir.path(), "infra/.terraform/environment", "../x");
    assert_eq!(
        error(&source(dir.path(), &inputs(Some("infra"), None), None)),
        "input `.terraform/environment`: \"../x\" is not a workspace name (it may not contain \"/\")"
    );
}

/// The settings of a step with these inputs, `backend` and `backend-config` among them.
fn with(values: &[(&str, &str)]) -> Settings {
    Settings::from_inputs(&Inputs::new(Mode::Actions, "lookup", values))
}

/// A context whose environment sets these backend variables.
fn env_context(dir: &Path, env: &[(&str, &str)]) -> Context {
    Context { backend_env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(), ..context(dir, None) }
}

/// Every problem, as `setting: message`.
fn problems(settings: &Settings, context: &Context) -> Vec<String> {
    configure(settings, context).unwrap_err().into_iter().map(|p| format!("{}: {}", p.setting, p.message)).collect()
}

/// `.terraform/terraform.tfstate` as `terraform init` 1.11 writes it for the fake backend:
/// every key of its schema, `null` when unset (SPEC §1.4(b)).
fn init_state(address: &str, token: Option<&str>) -> String {
    let token = token.map_or("null".to_string(), |t| format!("\"{t}\""));
    format!(
        "{{\n    \"version\": 3,\n    \"terraform_version\": \"1.11.4\",\n    \"backend\": {{\n        \"type\": \"fake\",\n        \"config\": {{\n            \"address\": \"{address}\",\n            \"insecure\": null,\n            \"labels\": null,\n            \"token\": {token}\n        }},\n        \"hash\": 1949691007\n    }}\n}}"
    )
}

#[test]
fn the_backend_setting_chooses_a_backend_by_name_and_its_config_reaches_it() {
    let dir = tempfile::tempdir().unwrap();
    let settings =
        with(&[("backend", "fake"), ("backend-config", "address=https://s/state\ninsecure=true\nlabels={team=\"a\"}")]);
    let source = configure(&settings, &context(dir.path(), None)).unwrap();
    assert_eq!(source.backend(), "fake");
    let fake = source.expect_fake();
    assert_eq!(
        (fake.address.as_str(), fake.labels.clone(), fake.timeout_ms),
        ("https://s/state", vec![("team".to_string(), "a".to_string())], DEFAULT_TIMEOUT_MS)
    );
    assert_eq!(fake.workspace, Workspace { name: "default".into(), selected: Selected::Default });
    let Ok(Opened::State(state)) = now(open(&source)) else { panic!("no state") };
    assert_eq!(state.name, "fake state at https://s/state");
    assert_eq!(now(workspaces(&source)).unwrap(), ["default"]);
}

#[test]
fn environment_fallbacks_fill_only_unset_keys_in_terraform_order() {
    let dir = tempfile::tempdir().unwrap();
    let env = [("FAKE_ADDRESS", "https://env"), ("FAKE_TOKEN", "t-new"), ("FAKE_OLD_TOKEN", "t-old")];
    let source = configure(&with(&[("backend", "fake")]), &env_context(dir.path(), &env)).unwrap();
    let fake = source.expect_fake();
    assert_eq!((fake.address.as_str(), fake.token.as_deref()), ("https://env", Some("t-new")));
    let source = configure(
        &with(&[("backend", "fake"), ("backend-config", "address=https://given")]),
        &env_context(dir.path(), &env[2..]),
    )
    .unwrap();
    let fake = source.expect_fake();
    assert_eq!((fake.address.as_str(), fake.token.as_deref()), ("https://given", Some("t-old")));
}

#[test]
fn every_backend_environment_variable_is_in_the_list_the_context_reads() {
    let names = env_names();
    assert!(names.contains(&"FAKE_ADDRESS") && names.contains(&"FAKE_OLD_TOKEN"), "{names:?}");
    assert!(names.windows(2).all(|w| w[0] < w[1]), "sorted, once each: {names:?}");
}

#[test]
fn a_working_directory_initialised_for_a_backend_is_read_there_and_backend_config_overrides_it() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "infra/.terraform/terraform.tfstate", &init_state("https://init", Some("t-init")));
    write(dir.path(), "infra/.terraform/environment", "qa");
    let env = [("FAKE_TOKEN", "t-env")];
    let source = configure(&with(&[("state", "infra")]), &env_context(dir.path(), &env)).unwrap();
    let fake = source.expect_fake();
    // What init recorded wins over the environment; the environment fills what init left null.
    assert_eq!((fake.address.as_str(), fake.token.as_deref()), ("https://init", Some("t-init")));
    assert_eq!(fake.workspace, Workspace { name: "qa".into(), selected: Selected::EnvironmentFile });
    let given = with(&[("state", "infra/"), ("backend-config", "address=https://given\ntoken=t-given")]);
    let source = configure(&given, &env_context(dir.path(), &env)).unwrap();
    let fake = source.expect_fake();
    assert_eq!((fake.address.as_str(), fake.token.as_deref()), ("https://given", Some("t-given")));
    // Both tokens were read, so both are masked.
    assert_eq!(source.secrets, ["t-given", "t-init"]);
}

#[test]
fn state_pointing_at_terraform_tfstate_means_the_directory_s_backend() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "infra/.terraform/terraform.tfstate", &init_state("https://init", None));
    let source = configure(&with(&[("state", "infra/.terraform/terraform.tfstate")]), &context(dir.path(), None));
    assert_eq!(source.unwrap().expect_fake().address, "https://init");
}

#[test]
fn tf_data_dir_moves_what_terraform_init_wrote() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "infra/.tfdata/terraform.tfstate", &init_state("https://moved", None));
    write(dir.path(), "infra/.tfdata/environment", "blue");
    let context = Context { tf_data_dir: Some(".tfdata".into()), ..context(dir.path(), None) };
    let source = configure(&with(&[("state", "infra")]), &context).unwrap();
    let fake = source.expect_fake();
    assert_eq!((fake.address.as_str(), fake.workspace.name.as_str()), ("https://moved", "blue"));
}

#[test]
fn without_init_the_backend_block_of_the_tf_files_says_and_the_given_backend_overrides_its_type_only_if_same() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "infra/main.tf",
        "terraform {\n  backend \"fake\" {\n    address = \"https://block\"\n    token   = \"t-block\"\n  }\n}\n",
    );
    let source = configure(&with(&[("state", "infra")]), &context(dir.path(), Some("green"))).unwrap();
    let fake = source.expect_fake();
    assert_eq!((fake.address.as_str(), fake.token.as_deref()), ("https://block", Some("t-block")));
    assert_eq!(fake.workspace, Workspace { name: "green".into(), selected: Selected::Env });
    assert_eq!(source.secrets, ["t-block"]);
    // `backend: local` reads the directory's own files, whatever its block says.
    let local = configure(&with(&[("state", "infra"), ("backend", "local")]), &context(dir.path(), None)).unwrap();
    assert_eq!((local.backend(), local.expect_local().remote.clone()), ("local", None));
}

#[test]
fn a_tfbackend_file_named_in_backend_config_is_read_in_its_place() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "dev.tfbackend", "address = \"https://file\"\ntoken = <<EOT\nt-file\nEOT\n");
    let settings = with(&[("backend", "fake"), ("backend-config", "token=t-line\ndev.tfbackend")]);
    let source = configure(&settings, &context(dir.path(), None)).unwrap();
    let fake = source.expect_fake();
    // Later entries override earlier ones, as repeated -backend-config flags do.
    assert_eq!((fake.address.as_str(), fake.token.as_deref()), ("https://file", Some("t-file\n")));
    assert_eq!(
        problems(&with(&[("backend", "fake"), ("backend-config", "missing.tfbackend")]), &context(dir.path(), None)),
        [
            "backend-config: line 1, `missing.tfbackend`: names no file: a line without `=` is a *.tfbackend file, relative to GITHUB_WORKSPACE; write key=value, or fix the path",
            // Every problem at once: the file's values are missing too.
            "backend-config: `address`: is required: the server's URL",
        ]
    );
}

#[test]
fn an_unknown_key_is_a_problem_with_did_you_mean_and_a_missing_one_is_the_backend_s_problem() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        problems(
            &with(&[("backend", "fake"), ("backend-config", "adress=https://x\ntoken=t")]),
            &context(dir.path(), None)
        ),
        [
            "backend-config: line 1, `adress`: is not a setting of the fake backend; did you mean `address`?",
            "backend-config: `address`: is required: the server's URL",
        ]
    );
    write(dir.path(), "infra/main.tf", "terraform {\n  backend \"fake\" {\n    tokn = \"x\"\n  }\n}\n");
    assert_eq!(
        problems(&with(&[("state", "infra"), ("backend-config", "address=y")]), &context(dir.path(), None)),
        ["state: the backend block in infra/main.tf line 3, `tokn`: is not a setting of the fake backend; did you mean `token`?"]
    );
}

#[test]
fn a_backend_this_action_does_not_read_is_a_clear_error_whether_given_or_found() {
    let dir = tempfile::tempdir().unwrap();
    let given = problems(&with(&[("backend", "consul")]), &context(dir.path(), None));
    assert_eq!(given.len(), 1);
    assert!(
        given[0].starts_with("backend: this action does not read Terraform's \"consul\" backend (yet)"),
        "{given:?}"
    );
    assert_eq!(
        problems(&with(&[("backend", "kubernets")]), &context(dir.path(), None)),
        ["backend: \"kubernets\" is not a Terraform backend; did you mean \"kubernetes\"?"]
    );
    // Found in the Terraform files: the local backend keeps today's advice.
    write(dir.path(), "infra/main.tf", "terraform {\n  backend \"consul\" {\n    path = \"b\"\n  }\n}\n");
    assert_eq!(
        error(&source(dir.path(), &inputs(Some("infra"), None), None)),
        "infra keeps its state in Terraform's \"consul\" backend, not in the directory; this action reads local state files: add a step that runs `terraform -chdir=infra state pull > infra.tfstate` and set `state` to that file"
    );
}

#[test]
fn a_remote_backend_without_the_state_says_so_naming_the_backend_and_the_workspaces_that_exist() {
    let dir = tempfile::tempdir().unwrap();
    let settings = with(&[("backend", "fake"), ("backend-config", "address=https://s"), ("workspace", "qa")]);
    let none = no_state(&configure(&settings, &context(dir.path(), None)).unwrap());
    assert_eq!(
        none.to_string(),
        "workspace \"qa\" (selected by input `workspace`) has no state in the fake backend at https://s: looked for https://s/qa; workspaces with a state: default; set input `workspace` to one of them"
    );
    assert_eq!(crate::error::Error::from(none.error()).title(), "state not found");
}

#[test]
fn problems_of_the_directory_s_settings_name_the_file_and_never_quote_a_value() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "infra/.terraform/terraform.tfstate",
        "{\"version\": 3, \"backend\": {\"type\": \"fake\", \"config\": {\"token\": \"s3cret\"",
    );
    let found = problems(&with(&[("state", "infra")]), &context(dir.path(), None));
    assert_eq!(found.len(), 1);
    assert!(found[0].starts_with("state: infra/.terraform/terraform.tfstate is not the backend settings terraform init writes (not valid JSON at line 1"), "{found:?}");
    assert!(!found[0].contains("s3cret"));
    write(dir.path(), "infra/.terraform/terraform.tfstate", &init_state("https://init", None));
    assert_eq!(
        problems(&with(&[("state", "infra")]), &context(dir.path(), Some("a/b"))),
        ["TF_WORKSPACE: \"a/b\" is not a workspace name (it may not contain \"/\")"]
    );
}

#[test]
fn a_stage_backend_config_problem_is_at_its_own_line_and_a_stage_needs_no_state_with_a_backend() {
    let stage = Stage {
        name: "dev".into(),
        backend: Some("fake".into()),
        backend_config: vec![("adress".into(), serde_json::json!("https://s"), 6)],
        line: 2,
        lines: SettingLines { backend: Some(3), backend_config: Some(5), ..SettingLines::default() },
        ..Stage::default()
    };
    let found = configure(&Settings::from_stage("s.yml", &stage), &Context::default()).unwrap_err();
    assert_eq!(
        found[0],
        Problem::new("backend-config", "`adress`: is not a setting of the fake backend; did you mean `address`?")
            .at(Some(6))
    );
    let ok = Stage { backend_config: vec![("address".into(), serde_json::json!("https://s"), 6)], ..stage };
    let source = configure(&Settings::from_stage("s.yml", &ok), &Context::default()).unwrap();
    assert_eq!(source.expect_fake().address, "https://s");
}

#[test]
fn mask_registers_every_secret_of_the_source_with_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let settings = with(&[("backend", "fake"), ("backend-config", "address=https://s\ntoken=postgres://u:pw@db/x")]);
    let source = configure(&settings, &context(dir.path(), None)).unwrap();
    let mut report = crate::action::Report::default();
    mask(&source, &mut report);
    assert_eq!(report.secrets, ["postgres://u:pw@db/x", "pw"]);
}
