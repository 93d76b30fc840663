//! `validate`'s pure parts natively: the promotion order, the unconnected-stage warning, the
//! row and the output entry, which backend problems are the file's, and the `state` path check
//! on a temporary workspace.

use super::*;

fn parse(text: &str) -> StagesFile {
    stages::parse("s.yml", text).unwrap()
}

fn names<'a>(stages: &[&'a Stage]) -> Vec<&'a str> {
    stages.iter().map(|s| s.name.as_str()).collect()
}

fn ctx(workspace: &str) -> Context {
    Context { workspace: workspace.into(), ..Context::default() }
}

#[test]
fn a_stage_comes_after_the_stage_it_is_promoted_from_else_in_file_order() {
    let file = parse(
        "stages:\n  prod: {from: qa, state: p, address: output.image}\n  dev: {state: d, address: output.image}\n  qa: {from: dev, state: q, address: output.image}\n  tools: {state: t, address: output.image}\n",
    );
    assert_eq!(names(&file.promotion_order()), ["dev", "qa", "prod", "tools"]);
    let file = parse("stages:\n  dev: {state: d, address: output.image}\n  qa-eu: {from: dev, state: e, address: output.image}\n  qa-us: {from: dev, state: u, address: output.image}\n");
    assert_eq!(names(&file.promotion_order()), ["dev", "qa-eu", "qa-us"]);
}

#[test]
fn a_stage_after_the_first_with_no_from_that_nothing_is_promoted_from_is_warned_at_its_name() {
    let file = parse(
        "stages:\n  dev:\n    state: d\n    address: output.image\n  qa:\n    state: q\n    address: output.image\n  prod:\n    from: dev\n    state: p\n    address: output.image\n",
    );
    let warnings = unconnected(&file);
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].line, 5);
    assert_eq!(
        warnings[0].message,
        "stage \"qa\" has no \"from\" and no stage is promoted from it, so promote never moves an image into or out of it; add \"from\" naming the stage it takes its image from, unless it is deployed on its own on purpose"
    );
    // The first stage, alone, and a second chain's start are not warned.
    assert!(unconnected(&parse("stages:\n  dev: {state: d, address: output.image}\n")).is_empty());
    let two_chains = "stages:\n  dev: {state: d, address: output.image}\n  infra: {state: i, address: output.image}\n  infra-qa: {from: infra, state: j, address: output.image}\n";
    assert!(unconnected(&parse(two_chains)).is_empty());
}

#[test]
fn the_row_and_the_output_say_each_setting_as_the_file_does() {
    let file = parse(
        "stages:\n  dev: {state: d, address: output.image}\n  prod:\n    from: dev\n    backend: kubernetes\n    backend-config: {secret_suffix: app}\n    workspace: blue\n    address: kubernetes_deployment_v1.web\n    container: web\n    min-soak: 1h30m\n    hold: true\n",
    );
    let prod = &file.stages[1];
    assert_eq!(header().len(), row(prod).len());
    assert_eq!(
        row(prod),
        ["prod", "dev", "", "kubernetes", "blue", "kubernetes_deployment_v1.web", "web", "1h 30m", "yes"]
    );
    assert_eq!(
        entry(prod),
        json!({"name": "prod", "from": "dev", "state": null, "backend": "kubernetes", "workspace": "blue",
               "address": "kubernetes_deployment_v1.web", "container": "web", "min-soak": 5400, "hold": true})
    );
    assert_eq!(entry(&file.stages[0])["state"], "d");
    assert_eq!(entry(&file.stages[0])["min-soak"], Value::Null);
}

#[test]
fn only_the_backend_problems_the_file_states_count_not_missing_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().to_str().unwrap();
    let text = "stages:\n  dev:\n    backend: kuberentes\n    address: output.image\n  qa:\n    backend: kubernetes\n    backend-config:\n      secret_suffix: app\n    address: output.image\n  prod:\n    backend: kubernetes\n    backend-config:\n      secret_sufix: app\n    address: output.image\n";
    let file = parse(text);
    let of = |i: usize| -> Vec<String> {
        backend_problems("s.yml", &file.stages[i], &ctx(ws))
            .iter()
            .map(|p| format!("{}: {}", p.line, p.message))
            .collect()
    };
    assert_eq!(of(0), ["3: stage dev: \"kuberentes\" is not a Terraform backend; did you mean \"kubernetes\"?"]);
    // No host and no credentials: a deploy job gives them; the file is fine.
    assert_eq!(of(1), Vec::<String>::new());
    let prod = of(2);
    assert_eq!(prod.len(), 1, "{prod:?}");
    assert!(
        prod[0].starts_with(
            "13: stage prod: `secret_sufix`: is not a setting of the kubernetes backend; did you mean `secret_suffix`?"
        ),
        "{prod:?}"
    );
}

#[test]
fn the_runner_environment_does_not_count_when_the_file_is_checked() {
    let mut context = ctx("/ws");
    context.tf_workspace = Some("bad workspace!".into());
    context.backend_env.insert("KUBE_HOST".into(), "not a url".into());
    let checked = file_only(&context);
    assert_eq!(checked, Context { workspace: "/ws".into(), ..Context::default() });
}

#[test]
fn a_missing_state_directory_is_an_error_at_its_line_with_did_you_mean() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().to_str().unwrap();
    std::fs::create_dir_all(dir.path().join("infra/stages/dev")).unwrap();
    std::fs::write(dir.path().join("infra/stages/dev/main.tf"), "").unwrap();
    let text = "stages:\n  dev:\n    state: infra/stages/dev\n    address: output.image\n  qa:\n    from: dev\n    state: infra/stages/deb\n    address: output.image\n  prod:\n    from: qa\n    state: infra/stage/prod\n    address: output.image\n  x:\n    from: prod\n    state: elsewhere/x\n    address: output.image\n";
    let file = parse(text);
    let check = |i: usize| state_path("s.yml", &file.stages[i], &ctx(ws));
    assert_eq!(check(0), None);
    let problem = |line: usize, message: &str| {
        Some(Found::Problem(Problem { file: "s.yml".into(), line, column: None, message: message.into() }))
    };
    assert_eq!(
        check(1),
        problem(7, "stage \"qa\": \"state\" names the directory \"infra/stages/deb\", which does not exist in the checkout; did you mean \"infra/stages/dev\"?")
    );
    assert_eq!(
        check(2),
        problem(11, "stage \"prod\": \"state\" names \"infra/stage/prod\", but there is no directory \"infra/stage\" in the checkout; did you mean \"infra/stages/prod\"?")
    );
    assert_eq!(
        check(3),
        problem(15, "stage \"x\": \"state\" names \"elsewhere/x\", but there is no directory \"elsewhere\" in the checkout; fix the path (relative to GITHUB_WORKSPACE), or commit the stage's working directory")
    );
}

#[test]
fn a_missing_state_file_in_a_directory_that_exists_is_a_warning_and_an_absolute_path_is_not_checked() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().to_str().unwrap();
    std::fs::create_dir_all(dir.path().join("states")).unwrap();
    std::fs::write(dir.path().join("states/dev.tfstate"), "{}").unwrap();
    let text = "stages:\n  dev:\n    state: states/dev.tfstate\n    address: output.image\n  qa:\n    state: states/qa.tfstate\n    address: output.image\n  prod:\n    state: /tmp/nowhere/prod.tfstate\n    address: output.image\n";
    let file = parse(text);
    let check = |i: usize| state_path("s.yml", &file.stages[i], &ctx(ws));
    assert_eq!(check(0), None);
    assert_eq!(
        check(1),
        Some(Found::Warning(Warning {
            line: 6,
            message: "stage \"qa\": \"state\" names the file \"states/qa.tfstate\", which is not in the checkout; that is right only when an earlier step of the job writes it (e.g. terraform state pull > qa.tfstate), else fix the path".into()
        }))
    );
    assert_eq!(check(2), None);

    // A file name with what a log line must not carry is quoted and escaped, as everywhere.
    let file = parse("stages:\n  qa:\n    state: \"states/q a\\u202e.tfstate\"\n    address: output.image\n");
    let Some(Found::Warning(w)) = state_path("s.yml", &file.stages[0], &ctx(ws)) else { panic!("no warning") };
    assert!(
        w.message.ends_with("(e.g. terraform state pull > \"q a\\u{202e}.tfstate\"), else fix the path"),
        "{}",
        w.message
    );
}
