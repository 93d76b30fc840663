//! Each command's configuration from (inputs, context), natively: defaults, every refusal and
//! its message, with no environment and no files (the context is made up here).

use super::{guard, lookup, record, stage_file, timeout_ms};
use crate::action::{Inputs, Mode};
use crate::context::Context;
use crate::error::Error;
use crate::github::Repo;
use crate::secret::Secret;
use crate::tags::TagSource;
use crate::version::Policy;

fn ctx() -> Context {
    Context {
        workspace: "/ws".into(),
        repository: Some("acme/app".into()),
        sha: Some("a".repeat(40)),
        git_ref: Some("refs/heads/main".into()),
        api_url: "https://ghe.example/api/v3".into(),
        server_url: Some("https://ghe.example".into()),
        run_id: Some("77".into()),
        tf_workspace: None,
        ..Context::default()
    }
}

fn inputs(values: &[(&str, &str)]) -> Inputs {
    Inputs::new(Mode::Actions, "x", values)
}

fn message(e: Error) -> String {
    e.to_string()
}

#[test]
fn timeouts_are_durations_up_to_an_hour_with_a_default() {
    assert_eq!(timeout_ms(&inputs(&[])), Ok(60_000));
    assert_eq!(timeout_ms(&inputs(&[("timeout", "1m30s")])), Ok(90_000));
    let refuse = |t: &str| timeout_ms(&inputs(&[("timeout", t)])).unwrap_err().problem;
    assert_eq!(refuse("-5s"), "\"-5s\" is not a time-out: it is negative; write it as 30s, 2m or 1m30s");
    assert_eq!(
        refuse("2h"),
        "\"2h\" is not a time-out: it is longer than 1h, the longest accepted; write it as 30s, 2m or 1m30s"
    );
    assert!(refuse("90").starts_with("\"90\" is not a time-out: the number 90 has no unit"), "{}", refuse("90"));
}

#[test]
fn guard_defaults_follow_the_token_and_the_pushed_tag() {
    let mut c = ctx();
    c.git_ref = Some("refs/tags/v1.2.3".into());
    let config = guard::Config::from_inputs(&inputs(&[]), &c).unwrap();
    assert_eq!(config.proposal, guard::Proposal::Tag { name: "v1.2.3".into(), pushed: true });
    assert_eq!((config.prefix.as_str(), config.source), ("v", TagSource::Git));
    assert_eq!(config.policy, Policy { allow_prerelease: false, allow_backports: false });
    assert_eq!(
        (config.api_url.as_str(), config.workspace.as_str(), config.timeout_ms),
        ("https://ghe.example/api/v3", "/ws", 60_000)
    );
    let config =
        guard::Config::from_inputs(&inputs(&[("token", "t0k"), ("tag", "v1.2.3"), ("tag-prefix", "")]), &c).unwrap();
    assert_eq!((config.source, config.token, config.prefix.as_str()), (TagSource::Api, Some(Secret::new("t0k")), ""));
    // The pushed tag, named as the `tag` input too, is still the pushed one.
    assert_eq!(config.proposal, guard::Proposal::Tag { name: "v1.2.3".into(), pushed: true });
    let config = guard::Config::from_inputs(&inputs(&[("version-file", "Cargo.toml")]), &c).unwrap();
    assert_eq!(config.proposal, guard::Proposal::File { given: "Cargo.toml".into(), path: "/ws/Cargo.toml".into() });
}

#[test]
fn guard_refuses_every_bad_input_at_once() {
    let mut c = ctx();
    c.repository = None;
    let e = guard::Config::from_inputs(
        &inputs(&[
            ("tag", "v1"),
            ("version-file", "VERSION"),
            ("prerelease", "maybe"),
            ("tags-from", "api"),
            ("branch", "-x"),
            ("timeout", "0s"),
        ]),
        &c,
    )
    .unwrap_err();
    assert_eq!(
        message(e),
        [
            "input `prerelease`: \"maybe\" is neither allow nor deny",
            "input `tags-from`: api needs GITHUB_REPOSITORY as owner/name (it is \"\"); set it, or use `tags-from: git`",
            "input `version-file`: give either `tag` (a release) or `version-file` (a pull request's proposed version), not both",
            "input `timeout`: \"0s\" is not a time-out: it is zero; give a positive duration such as 30m; write it as 30s, 2m or 1m30s",
            "input `branch`: \"-x\" is not a branch name",
        ]
        .join("\n")
    );
    let e = guard::Config::from_inputs(&inputs(&[]), &ctx()).unwrap_err();
    assert_eq!(message(e), "input `tag`: is required: run on a tag push (GITHUB_REF=refs/tags/…), set `tag`, or set `version-file` in a pull request");
}

#[test]
fn record_checks_its_inputs_then_what_the_runner_sets() {
    let config = record::Config::from_inputs(&inputs(&[("to", "qa"), ("token", "t0k")]), &ctx()).unwrap();
    assert_eq!(
        config,
        record::Config {
            to: "qa".into(),
            token: Secret::new("t0k"),
            repo: Repo::parse("acme/app").unwrap(),
            commit: "a".repeat(40),
            api_url: "https://ghe.example/api/v3".into(),
            log_url: Some("https://ghe.example/acme/app/actions/runs/77".into()),
            timeout_ms: 60_000,
            environment_url: None,
            production: None,
            transient: false,
        }
    );
    let config = record::Config::from_inputs(
        &inputs(&[
            ("to", "qa"),
            ("token", "t0k"),
            ("environment-url", "https://qa.example.com"),
            ("production-environment", "false"),
            ("transient-environment", "true"),
        ]),
        &ctx(),
    )
    .unwrap();
    assert_eq!(
        (config.environment_url.as_deref(), config.production, config.transient),
        (Some("https://qa.example.com"), Some(false), true)
    );
    let e = record::Config::from_inputs(
        &inputs(&[
            ("to", "qa"),
            ("token", "t"),
            ("environment-url", "qa.example.com"),
            ("production-environment", "yes"),
        ]),
        &ctx(),
    )
    .unwrap_err();
    let text = message(e);
    assert!(text.contains("input `environment-url`: \"qa.example.com\" is not an http(s) URL"), "{text}");
    assert!(text.contains("input `production-environment`"), "{text}");
    // http(s) with no host, or with white space, is no URL either; a port and a path are fine.
    for bad in ["https://", "https:///qa", "http://?x", "https://qa.example.com/a b", "ftp://qa.example.com"] {
        let e = record::Config::from_inputs(&inputs(&[("to", "qa"), ("token", "t"), ("environment-url", bad)]), &ctx())
            .unwrap_err();
        let text = message(e);
        assert!(
            text.starts_with("input `environment-url`: ") && text.contains("is not an http(s) URL"),
            "{bad}: {text}"
        );
    }
    for good in ["http://qa.example.com:8080/app?x=1", "https://qa.example.com/"] {
        let config =
            record::Config::from_inputs(&inputs(&[("to", "qa"), ("token", "t"), ("environment-url", good)]), &ctx())
                .unwrap();
        assert_eq!(config.environment_url.as_deref(), Some(good));
    }
    let e = record::Config::from_inputs(&inputs(&[]), &Context::default()).unwrap_err();
    assert_eq!(
        message(e),
        "input `to`: is required: the stage that was just deployed, e.g. qa\ninput `token`: is required to create a deployment: `token: ${{ github.token }}` with `deployments: write`"
    );
    let mut c = ctx();
    c.repository = Some("acme".into());
    let e = record::Config::from_inputs(&inputs(&[("to", "qa"), ("token", "t")]), &c).unwrap_err();
    assert_eq!((e.title(), message(e.clone()).as_str()), ("runner environment", "environment variable GITHUB_REPOSITORY: recording a deployment needs the repository as owner/name, and it is \"acme\"; the runner sets it in every job: is this running outside GitHub Actions?"));
    let mut c = ctx();
    c.sha = None;
    let e = record::Config::from_inputs(&inputs(&[("to", "qa"), ("token", "t")]), &c).unwrap_err();
    assert_eq!(message(e), "environment variable GITHUB_SHA: recording a deployment needs the commit that was deployed, and it is not set; the runner sets it in every job");
}

#[test]
fn lookup_resolves_paths_in_the_workspace_and_lists_every_missing_input() {
    let mut c = ctx();
    c.tf_workspace = Some("blue".into());
    let config =
        lookup::Config::from_inputs(&inputs(&[("state", "infra/dev"), ("address", "output.image")]), &c).unwrap();
    let loc = config.source.expect_local();
    assert_eq!(
        (loc.path.as_str(), loc.given.as_str(), loc.within.as_deref()),
        ("/ws/infra/dev", "infra/dev", Some("/ws"))
    );
    assert_eq!((loc.tf_workspace.as_deref(), loc.setting.as_str()), (Some("blue"), "input `state`"));
    let config =
        lookup::Config::from_inputs(&inputs(&[("state", "/tmp/s.tfstate"), ("address", "output.image")]), &c).unwrap();
    let loc = config.source.expect_local();
    assert_eq!((loc.path.as_str(), loc.within.as_deref()), ("/tmp/s.tfstate", None));

    let e = lookup::Config::from_inputs(&inputs(&[("address", "output."), ("workspace", "a/b")]), &c).unwrap_err();
    assert_eq!(
        message(e),
        [
            "input `state`: is required: the .tfstate file, or the Terraform working directory that holds it",
            "input `address`: \"output.\" is not a Terraform address: the address ends with \".\" at column 7; write it as Terraform prints it, e.g. output.image, module.app.kubernetes_deployment_v1.web[\"blue\"] or kubernetes_deployment_v1.web.spec[0].replicas",
            "input `workspace`: \"a/b\" is not a workspace name (it may not contain \"/\")",
        ]
        .join("\n")
    );
    let e = lookup::Config::from_inputs(&inputs(&[("stage", "dev"), ("address", "output.image")]), &c).unwrap_err();
    assert_eq!(message(e), "input `address`: cannot be combined with `stage`, which takes it from the stages file; remove `address` or `stage`");
}

#[test]
fn every_setting_of_where_a_state_lives_is_an_input_of_lookup() {
    use crate::backend::Settings;
    for setting in Settings::INPUTS.iter() {
        assert!(lookup::SPEC.inputs.contains(setting), "{setting}");
    }
    let e = lookup::Config::from_inputs(&inputs(&[("stage", "dev"), ("state", "s"), ("workspace", "w")]), &ctx())
        .unwrap_err();
    assert_eq!(
        message(e),
        "input `state`: cannot be combined with `stage`, which takes it from the stages file; remove `state` or `stage`\ninput `workspace`: cannot be combined with `stage`, which takes it from the stages file; remove `workspace` or `stage`"
    );
}

#[test]
fn a_stage_workspace_that_is_no_workspace_name_is_a_problem_of_the_stages_file_at_its_line() {
    use crate::stages::{SettingLines, Stage};
    let stage = Stage {
        name: "prod".into(),
        state: "stages/platform".into(),
        workspace: Some("../dev".into()),
        line: 7,
        lines: SettingLines { state: 8, workspace: Some(9), ..SettingLines::default() },
        ..Stage::default()
    };
    let e = stage_file::source(".github/stages.yml", &stage, &ctx()).unwrap_err();
    assert_eq!(
        (e.title(), e.location(), message(e.clone()).as_str()),
        (
            "invalid stages file",
            Some((".github/stages.yml".to_string(), Some(9))),
            ".github/stages.yml is not a valid stages file:\nline 9: stage prod: \"../dev\" is not a workspace name (it may not contain \"/\")"
        )
    );
    let prod =
        stage_file::source(".github/stages.yml", &Stage { workspace: Some("prod".into()), ..stage }, &ctx()).unwrap();
    let loc = prod.expect_local();
    assert_eq!(
        (loc.path.as_str(), loc.workspace.as_deref(), loc.setting.as_str()),
        ("/ws/stages/platform", Some("prod"), "`state` of stage prod in .github/stages.yml (line 8)")
    );
}
