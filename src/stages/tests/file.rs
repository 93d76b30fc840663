//! The stages file: what a valid one gives, and every problem, at its line, word for word.

use std::time::Duration;

use super::super::*;

const FILE: &str = ".github/stages.yml";

fn parsed(text: &str) -> StagesFile {
    parse(FILE, text).unwrap_or_else(|problems| {
        let lines: Vec<String> = problems.iter().map(Problem::located).collect();
        panic!("{}", lines.join("\n"))
    })
}

/// A problem as (line, column, message).
type Found = (usize, Option<usize>, String);

/// Every problem.
fn problems(text: &str) -> Vec<Found> {
    match parse(FILE, text) {
        Ok(file) => panic!("parsed {file:#?}"),
        Err(problems) => {
            assert!(problems.iter().all(|p| p.file == FILE));
            problems.into_iter().map(|p| (p.line, p.column, p.message)).collect()
        }
    }
}

const FULL: &str = "\
# Where each stage's state is, and how images move between them.
stages:
  dev:
    state: infra/stages/dev            # a working directory
    workspace: dev
    address: kubernetes_deployment_v1.backend
    container: backend
  qa:
    from: dev
    state: infra/stages/qa
    address: kubernetes_deployment_v1.backend
    container: backend
    min-soak: 2h
  prod:
    from: qa
    state: infra/stages/prod/terraform.tfstate
    address: module.app.kubernetes_deployment_v1.backend[\"blue\"]
    container: backend
    hold: false
    allow-latest: false
";

#[test]
fn a_full_file_gives_every_stage_in_file_order_with_its_lines() {
    let file = parsed(FULL);
    assert_eq!(file.names(), ["dev", "qa", "prod"]);
    assert_eq!(
        file.stages[0],
        Stage {
            name: "dev".into(),
            state: "infra/stages/dev".into(),
            workspace: Some("dev".into()),
            backend: None,
            backend_config: Vec::new(),
            address: "kubernetes_deployment_v1.backend".into(),
            container: Some("backend".into()),
            from: None,
            allow_latest: false,
            min_soak: None,
            hold: false,
            line: 3,
            lines: SettingLines { state: 4, workspace: Some(5), address: 6, container: Some(7), ..Default::default() },
        }
    );
    assert_eq!(
        file.get("qa"),
        Some(&Stage {
            name: "qa".into(),
            state: "infra/stages/qa".into(),
            workspace: None,
            backend: None,
            backend_config: Vec::new(),
            address: "kubernetes_deployment_v1.backend".into(),
            container: Some("backend".into()),
            from: Some("dev".into()),
            allow_latest: false,
            min_soak: Some(Duration::from_secs(7200)),
            hold: false,
            line: 8,
            lines: SettingLines {
                state: 10,
                address: 11,
                container: Some(12),
                from: Some(9),
                min_soak: Some(13),
                ..Default::default()
            },
        })
    );
    assert_eq!(
        file.get("prod"),
        Some(&Stage {
            name: "prod".into(),
            state: "infra/stages/prod/terraform.tfstate".into(),
            workspace: None,
            backend: None,
            backend_config: Vec::new(),
            address: "module.app.kubernetes_deployment_v1.backend[\"blue\"]".into(),
            container: Some("backend".into()),
            from: Some("qa".into()),
            allow_latest: false,
            min_soak: None,
            hold: false,
            line: 14,
            lines: SettingLines {
                state: 16,
                address: 17,
                container: Some(18),
                from: Some(15),
                hold: Some(19),
                allow_latest: Some(20),
                ..Default::default()
            },
        })
    );
    assert_eq!(file.get("staging"), None);
}

#[test]
fn the_smallest_stage_has_state_and_address_and_defaults_for_the_rest() {
    let file = parsed("stages:\n  dev:\n    state: s\n    address: output.image\n");
    let dev = &file.stages[0];
    assert_eq!((dev.workspace.as_deref(), dev.container.as_deref(), dev.from.as_deref()), (None, None, None));
    assert_eq!((dev.allow_latest, dev.min_soak, dev.hold), (false, None, false));
}

#[test]
fn settings_are_read_as_written() {
    let text = "\
stages:
  dev: {state: s, address: output.image}
  'qa.eu-1_b':
    from: dev
    state: \"infra/qa #1\"
    workspace: 2024
    address: 'output.image'
    hold: True
    allow-latest: TRUE
    min-soak: 1h 30m
  prod:
    from: qa.eu-1_b
    state: s
    address: output.image
    hold: FALSE
    min-soak: \"1d\"
";
    let file = parsed(text);
    let qa = file.get("qa.eu-1_b").unwrap();
    assert_eq!(qa.state, "infra/qa #1");
    assert_eq!(qa.workspace.as_deref(), Some("2024"));
    assert_eq!(qa.address, "output.image");
    assert!(qa.hold && qa.allow_latest);
    assert_eq!(qa.min_soak, Some(Duration::from_secs(5400)));
    let prod = file.get("prod").unwrap();
    assert!(!prod.hold);
    assert_eq!(prod.min_soak, Some(Duration::from_secs(86_400)));
}

#[test]
fn stages_promoted_from_a_stage_are_found_in_file_order() {
    let text = "\
stages:
  dev: {state: s, address: output.image}
  qa-us: {from: dev, state: s, address: output.image}
  prod: {from: qa-us, state: s, address: output.image}
  qa-eu: {from: dev, state: s, address: output.image}
";
    let file = parsed(text);
    let names = |stages: Vec<&Stage>| stages.iter().map(|s| s.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(file.promoted_from("dev")), ["qa-us", "qa-eu"]);
    assert_eq!(names(file.promoted_from("qa-us")), ["prod"]);
    assert!(file.promoted_from("prod").is_empty());
}

#[test]
fn a_byte_order_mark_changes_no_position() {
    let problems = problems("\u{feff}stages:\n  dev: {state: s, address: output.image, hold: yes}\n");
    assert_eq!(
        problems,
        [(
            2,
            Some(48),
            "stage \"dev\": \"hold\" must be true or false, not yes (in YAML 1.2, yes, no, on and off are words, not booleans)"
                .to_string()
        )]
    );
}

/// One stage with both required settings, to build files around.
const DEV: &str = "  dev:\n    state: s\n    address: output.image\n";

#[test]
fn each_problem_is_reported_at_its_line_and_column_word_for_word() {
    let not_a_mapping =
        "the top level must be a mapping with one key, \"stages\", under which each stage is named with its settings";
    let empty_stages = "\"stages\" is empty; define at least one stage, with state and address";
    let settings =
        "state, workspace, backend, backend-config, address, container, from, allow-latest, min-soak and hold";
    let cases: Vec<(&str, String, Vec<Found>)> = vec![
        // The file as a whole.
        ("empty file", String::new(), vec![(1, None, "the file is empty; list the stages under \"stages:\", each with at least state and address".into())]),
        ("only comments", "# nothing yet\n".into(), vec![(1, None, "the file is empty; list the stages under \"stages:\", each with at least state and address".into())]),
        ("a list at the top", "- dev\n- qa\n".into(), vec![(1, None, not_a_mapping.into())]),
        ("a word at the top", "stages\n".into(), vec![(1, None, not_a_mapping.into())]),
        (
            "no stages",
            "version: 1\n".into(),
            vec![
                (1, None, "the file has no \"stages\"; list the stages under \"stages:\", each with at least state and address".into()),
                (1, Some(1), "unknown top-level key \"version\"; the only one is \"stages\"".into()),
            ],
        ),
        (
            "a misspelt stages",
            format!("stage:\n{DEV}"),
            vec![(1, Some(1), "unknown top-level key \"stage\"; did you mean \"stages\"?".into())],
        ),
        (
            "stages not under stages",
            "dev:\n  state: s\n  address: output.image\n".into(),
            vec![(1, Some(1), "unknown top-level key \"dev\"; if it is a stage, indent it under \"stages:\"".into())],
        ),
        (
            "an extra top-level key",
            format!("stages:\n{DEV}defaults:\n  hold: true\n"),
            vec![(5, Some(1), "unknown top-level key \"defaults\"; the only one is \"stages\"".into())],
        ),
        ("stages with no value", "stages:\n".into(), vec![(1, Some(1), empty_stages.into())]),
        ("stages: ~", "stages: ~\n".into(), vec![(1, Some(9), empty_stages.into())]),
        ("stages: {}", "stages: {}\n".into(), vec![(1, Some(1), empty_stages.into())]),
        (
            "stages as a list",
            "stages:\n  - dev\n  - qa\n".into(),
            vec![(1, Some(1), "\"stages\" must be a mapping from each stage's name to its settings (dev: followed by its settings, indented), not a list".into())],
        ),
        (
            "stages as a word",
            "stages: dev\n".into(),
            vec![(1, Some(9), "\"stages\" must be a mapping from each stage's name to its settings, not \"dev\"".into())],
        ),
        // YAML itself.
        (
            "a syntax error",
            "stages:\n  dev: [s\n".into(),
            vec![(3, Some(1), "not valid YAML: while parsing a flow sequence, expected ',' or ']'".into())],
        ),
        (
            "a tab in the indentation",
            "stages:\n  dev:\n\tstate: s\n".into(),
            vec![(3, Some(2), "not valid YAML: tabs disallowed within this context (block indentation) (this line is indented with a tab; YAML indents with spaces only)".into())],
        ),
        (
            "a repeated stage",
            format!("stages:\n{DEV}  qa:\n    state: s\n    address: output.image\n{DEV}"),
            vec![(8, Some(3), "\"dev\" appears twice in the same mapping (first at line 2); keep one".into())],
        ),
        (
            "a repeated setting",
            "stages:\n  dev:\n    state: a\n    address: output.image\n    state: b\n".into(),
            vec![(5, Some(5), "\"state\" appears twice in the same mapping (first at line 3); keep one".into())],
        ),
        (
            "an anchor",
            "stages:\n  dev: &base\n    state: s\n    address: output.image\n  qa: *base\n".into(),
            vec![(2, Some(8), "YAML anchors and aliases (& and *) are not supported in a stages file; write each setting out".into())],
        ),
        (
            "a tag",
            "stages:\n  dev:\n    state: !!str s\n    address: output.image\n".into(),
            vec![(3, Some(18), "YAML tags (such as !!str) are not supported in a stages file; remove the tag".into())],
        ),
        (
            "a list as a key",
            "stages:\n  ? [dev]\n  : {state: s}\n".into(),
            vec![(2, Some(5), "a key must be a plain name, not a list or a mapping".into())],
        ),
        (
            "a second document",
            format!("stages:\n{DEV}---\nstages:\n  qa: {{}}\n"),
            vec![(5, Some(1), "a second YAML document starts here, and only the first is read; remove this line to make one document".into())],
        ),
        (
            "a document end with more after it",
            format!("stages:\n{DEV}...\nstages: {{}}\n"),
            vec![(5, Some(1), "a second YAML document starts here, and only the first is read; remove this line to make one document".into())],
        ),
        // Stage names.
        (
            "an empty stage name",
            "stages:\n  \"\":\n    state: s\n    address: output.image\n".into(),
            vec![(2, Some(3), "a stage's name is empty; name it as its GitHub environment is named, e.g. qa".into())],
        ),
        (
            "a space in a stage name",
            "stages:\n  my stage:\n    state: s\n    address: output.image\n".into(),
            vec![(2, Some(3), "stage name \"my stage\" contains ' '; a stage is named as its GitHub environment, with letters, digits, \"-\", \"_\" and \".\" only".into())],
        ),
        (
            "a letter outside ASCII in a stage name",
            "stages:\n  prød:\n    state: s\n    address: output.image\n".into(),
            vec![(2, Some(3), "stage name \"prød\" contains 'ø'; a stage is named as its GitHub environment, with letters, digits, \"-\", \"_\" and \".\" only".into())],
        ),
        (
            "a slash in a stage name",
            "stages:\n  prod/eu:\n    state: s\n    address: output.image\n".into(),
            vec![(2, Some(3), "stage name \"prod/eu\" contains '/'; a stage is named as its GitHub environment, with letters, digits, \"-\", \"_\" and \".\" only".into())],
        ),
        (
            "a stage name too long",
            format!("stages:\n  {}:\n    state: s\n    address: output.image\n", "a".repeat(256)),
            vec![(2, Some(3), format!("stage name \"{}…\" (256 characters) is longer than 255 characters, the longest a GitHub environment name may be", "a".repeat(80)))],
        ),
        (
            "stage names that differ only in case",
            format!("stages:\n{DEV}  Dev:\n    state: s\n    address: output.image\n"),
            vec![(5, Some(3), "stage names \"dev\" (line 2) and \"Dev\" differ only in case, but GitHub environment names ignore case; rename one".into())],
        ),
        // A stage's shape.
        (
            "a stage with no value",
            format!("stages:\n  dev:\n{}", "  qa:\n    state: s\n    address: output.image\n"),
            vec![(2, Some(3), "stage \"dev\" has no settings; it needs at least state and address".into())],
        ),
        (
            "a stage with an empty mapping",
            "stages:\n  dev: {}\n".into(),
            vec![(2, Some(3), "stage \"dev\" has no settings; it needs at least state and address".into())],
        ),
        (
            "a stage that is a word",
            "stages:\n  dev: infra/dev\n".into(),
            vec![(2, Some(8), "stage \"dev\" must be a mapping of its settings (state, address, …, indented below its name), not \"infra/dev\"".into())],
        ),
        (
            "a stage that is a list",
            "stages:\n  dev:\n    - state: s\n".into(),
            vec![(2, Some(3), "stage \"dev\" must be a mapping of its settings (state, address, …, indented below its name), not a list".into())],
        ),
        // Settings.
        (
            "no state",
            "stages:\n  dev:\n    address: output.image\n".into(),
            vec![(2, Some(3), "stage \"dev\" has no \"state\"; add the path of its .tfstate file or Terraform working directory, e.g. state: infra/stages/dev".into())],
        ),
        (
            "no address",
            "stages:\n  dev:\n    state: s\n".into(),
            vec![(2, Some(3), "stage \"dev\" has no \"address\"; add the Terraform address of what runs its image, e.g. address: kubernetes_deployment_v1.backend".into())],
        ),
        (
            "neither",
            "stages:\n  dev:\n    workspace: w\n".into(),
            vec![
                (2, Some(3), "stage \"dev\" has no \"state\"; add the path of its .tfstate file or Terraform working directory, e.g. state: infra/stages/dev".into()),
                (2, Some(3), "stage \"dev\" has no \"address\"; add the Terraform address of what runs its image, e.g. address: kubernetes_deployment_v1.backend".into()),
            ],
        ),
        (
            "an empty state",
            "stages:\n  dev:\n    state:\n    address: output.image\n".into(),
            vec![(3, Some(5), "stage \"dev\": \"state\" has no value; give the path of its .tfstate file or Terraform working directory, e.g. state: infra/stages/dev".into())],
        ),
        (
            "a quoted empty address",
            "stages:\n  dev:\n    state: s\n    address: \"\"\n".into(),
            vec![(4, Some(5), "stage \"dev\": \"address\" has no value; give the Terraform address of what runs its image, e.g. address: kubernetes_deployment_v1.backend".into())],
        ),
        (
            "a state that is a list",
            "stages:\n  dev:\n    state: [a, b]\n    address: output.image\n".into(),
            vec![(3, Some(5), "stage \"dev\": \"state\" must be a string, not a list".into())],
        ),
        (
            "a container that is a mapping",
            format!("stages:\n{DEV}    container:\n      name: web\n"),
            vec![(5, Some(5), "stage \"dev\": \"container\" must be a string, not a mapping".into())],
        ),
        (
            "a null workspace",
            format!("stages:\n{DEV}    workspace: ~\n"),
            vec![(5, Some(16), "stage \"dev\": \"workspace\" has no value; give one, or remove the line".into())],
        ),
        (
            "an empty from",
            format!("stages:\n{DEV}    from:\n"),
            vec![(5, Some(5), "stage \"dev\": \"from\" has no value; name the stage it is promoted from, or remove the line".into())],
        ),
        (
            "an address that does not parse",
            "stages:\n  dev:\n    state: s\n    address: kubernetes_deployment_v1\n".into(),
            vec![(4, Some(14), "stage \"dev\": \"kubernetes_deployment_v1\" is not a Terraform address: the address ends before the resource name at column 25; write it as Terraform prints it, e.g. output.image, module.app.kubernetes_deployment_v1.web[\"blue\"] or kubernetes_deployment_v1.web.spec[0].replicas".into())],
        ),
        (
            "an unknown setting close to a known one",
            format!("stages:\n{DEV}    min_soak: 2h\n"),
            vec![(5, Some(5), "stage \"dev\": unknown setting \"min_soak\"; did you mean \"min-soak\"?".into())],
        ),
        (
            "more unknown settings close to known ones",
            format!("stages:\n{DEV}    allow_latest: true\n    adress: x\n    form: dev\n    Hold: true\n"),
            vec![
                (5, Some(5), "stage \"dev\": unknown setting \"allow_latest\"; did you mean \"allow-latest\"?".into()),
                (6, Some(5), "stage \"dev\": unknown setting \"adress\"; did you mean \"address\"?".into()),
                (7, Some(5), "stage \"dev\": unknown setting \"form\"; did you mean \"from\"?".into()),
                (8, Some(5), "stage \"dev\": unknown setting \"Hold\"; did you mean \"hold\"?".into()),
            ],
        ),
        (
            "an unknown setting like no other",
            format!("stages:\n{DEV}    image: app\n"),
            vec![(5, Some(5), format!("stage \"dev\": unknown setting \"image\"; the settings are {settings}"))],
        ),
        // Booleans.
        (
            "hold: yes",
            format!("stages:\n{DEV}    hold: yes\n"),
            vec![(5, Some(11), "stage \"dev\": \"hold\" must be true or false, not yes (in YAML 1.2, yes, no, on and off are words, not booleans)".into())],
        ),
        (
            "allow-latest: Off",
            format!("stages:\n{DEV}    allow-latest: Off\n"),
            vec![(5, Some(19), "stage \"dev\": \"allow-latest\" must be true or false, not Off (in YAML 1.2, yes, no, on and off are words, not booleans)".into())],
        ),
        (
            "a quoted boolean",
            format!("stages:\n{DEV}    hold: \"true\"\n"),
            vec![(5, Some(11), "stage \"dev\": \"hold\" must be true or false without quotes; \"true\" in quotes is a string".into())],
        ),
        (
            "a number for a boolean",
            format!("stages:\n{DEV}    hold: 1\n"),
            vec![(5, Some(11), "stage \"dev\": \"hold\" must be true or false, not \"1\"".into())],
        ),
        (
            "an empty boolean",
            format!("stages:\n{DEV}    hold:\n"),
            vec![(5, Some(5), "stage \"dev\": \"hold\" has no value; write hold: true or hold: false".into())],
        ),
        (
            "a list for a boolean",
            format!("stages:\n{DEV}    allow-latest: [true]\n"),
            vec![(5, Some(5), "stage \"dev\": \"allow-latest\" must be true or false, not a list".into())],
        ),
        // Soak times.
        (
            "a soak time without a unit",
            format!("stages:\n{DEV}    min-soak: 90\n"),
            vec![(5, Some(15), "stage \"dev\": \"min-soak: 90\" is not a valid soak time: the number 90 has no unit; write it with d, h, m or s, e.g. 90m".into())],
        ),
        (
            "a zero soak time",
            format!("stages:\n{DEV}    min-soak: 0s\n"),
            vec![(5, Some(15), "stage \"dev\": \"min-soak: 0s\" is not a valid soak time: it is zero; give a positive duration such as 30m".into())],
        ),
        (
            "a negative soak time",
            format!("stages:\n{DEV}    min-soak: -2h\n"),
            vec![(5, Some(15), "stage \"dev\": \"min-soak: -2h\" is not a valid soak time: it is negative; a soak time counts forward from a change".into())],
        ),
        (
            "a soak time in weeks",
            format!("stages:\n{DEV}    min-soak: 1w\n"),
            vec![(5, Some(15), "stage \"dev\": \"min-soak: 1w\" is not a valid soak time: unknown unit \"w\"; the units are d, h, m and s".into())],
        ),
        (
            "a soak time too long",
            format!("stages:\n{DEV}    min-soak: 99999999999999999999d\n"),
            vec![(5, Some(15), "stage \"dev\": \"min-soak: 99999999999999999999d\" is not a valid soak time: it is too long".into())],
        ),
        (
            "an empty soak time",
            format!("stages:\n{DEV}    min-soak:\n"),
            vec![(5, Some(5), "stage \"dev\": \"min-soak\" has no value; give a duration such as 2h, or remove the line".into())],
        ),
        (
            "a soak time as a mapping",
            format!("stages:\n{DEV}    min-soak: {{hours: 2}}\n"),
            vec![(5, Some(5), "stage \"dev\": \"min-soak\" must be a duration such as 2h, not a mapping".into())],
        ),
        // From.
        (
            "from an unknown stage close to a known one",
            format!("stages:\n{DEV}  qa:\n    from: deb\n    state: s\n    address: output.image\n"),
            vec![(6, Some(11), "stage \"qa\": \"from\" names \"deb\", which is not a stage; did you mean \"dev\"?".into())],
        ),
        (
            "from an unknown stage like no other",
            format!("stages:\n{DEV}  qa:\n    from: staging\n    state: s\n    address: output.image\n"),
            vec![(6, Some(11), "stage \"qa\": \"from\" names \"staging\", which is not a stage; the stages are dev and qa".into())],
        ),
        (
            "from itself",
            format!("stages:\n{DEV}  qa:\n    from: qa\n    state: s\n    address: output.image\n"),
            vec![(6, Some(11), "stage \"qa\" is promoted from itself; \"from\" must name another stage".into())],
        ),
        (
            "from itself is not suggested as a close name",
            "stages:\n  qa:\n    from: qa1\n    state: s\n    address: output.image\n".into(),
            vec![(3, Some(11), "stage \"qa\": \"from\" names \"qa1\", which is not a stage; the stages are qa".into())],
        ),
        (
            "a circle of two",
            "stages:\n  a: {from: b, state: s, address: output.image}\n  b: {from: a, state: s, address: output.image}\n".into(),
            vec![(2, Some(13), "the stages are promoted in a circle: a → b → a; the stage that comes first must have no \"from\"".into())],
        ),
        (
            "a circle of three, with a stage hanging off it and one before it",
            "\
stages:
  dev: {state: s, address: output.image}
  x: {from: z, state: s, address: output.image}
  y: {from: x, state: s, address: output.image}
  z: {from: y, state: s, address: output.image}
  w: {from: y, state: s, address: output.image}
"
            .into(),
            vec![(3, Some(13), "the stages are promoted in a circle: x → y → z → x; the stage that comes first must have no \"from\"".into())],
        ),
        (
            "two circles",
            "\
stages:
  a: {from: b, state: s, address: output.image}
  b: {from: a, state: s, address: output.image}
  c: {from: d, state: s, address: output.image}
  d: {from: c, state: s, address: output.image}
"
            .into(),
            vec![
                (2, Some(13), "the stages are promoted in a circle: a → b → a; the stage that comes first must have no \"from\"".into()),
                (4, Some(13), "the stages are promoted in a circle: c → d → c; the stage that comes first must have no \"from\"".into()),
            ],
        ),
    ];
    // Every case is checked before failing, so one run shows every difference.
    let mut wrong = Vec::new();
    for (what, text, expected) in cases {
        let got = problems(&text);
        if got != expected {
            wrong.push(format!("{what}:\n{text}\n  got:      {got:?}\n  expected: {expected:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

#[test]
fn every_problem_in_the_file_is_reported_at_once_in_file_order() {
    let text = "\
stages:
  dev:
    state: infra/dev
    adress: kubernetes_deployment_v1.backend
  qa:
    from: dve
    state: infra/qa
    address: kubernetes_deployment_v1.backend
    min-soak: 2
    hold: yes
  my prod:
    from: qa
    address: kubernetes_deployment_v1.backend.
colour: blue
";
    let got: Vec<String> = parse(FILE, text).unwrap_err().iter().map(Problem::located).collect();
    assert_eq!(
        got,
        [
            ".github/stages.yml:2:3: stage \"dev\" has no \"address\"; add the Terraform address of what runs its image, e.g. address: kubernetes_deployment_v1.backend",
            ".github/stages.yml:4:5: stage \"dev\": unknown setting \"adress\"; did you mean \"address\"?",
            ".github/stages.yml:6:11: stage \"qa\": \"from\" names \"dve\", which is not a stage; did you mean \"dev\"?",
            ".github/stages.yml:9:15: stage \"qa\": \"min-soak: 2\" is not a valid soak time: the number 2 has no unit; write it with d, h, m or s, e.g. 2m",
            ".github/stages.yml:10:11: stage \"qa\": \"hold\" must be true or false, not yes (in YAML 1.2, yes, no, on and off are words, not booleans)",
            ".github/stages.yml:11:3: stage name \"my prod\" contains ' '; a stage is named as its GitHub environment, with letters, digits, \"-\", \"_\" and \".\" only",
            ".github/stages.yml:11:3: stage \"my prod\" has no \"state\"; add the path of its .tfstate file or Terraform working directory, e.g. state: infra/stages/dev",
            ".github/stages.yml:13:14: stage \"my prod\": \"kubernetes_deployment_v1.backend.\" is not a Terraform address: the address ends with \".\" at column 33; write it as Terraform prints it, e.g. output.image, module.app.kubernetes_deployment_v1.web[\"blue\"] or kubernetes_deployment_v1.web.spec[0].replicas",
            ".github/stages.yml:14:1: unknown top-level key \"colour\"; the only one is \"stages\"",
        ]
    );
}

#[test]
fn problems_display_their_position_without_the_file_name() {
    let problem = Problem { file: FILE.into(), line: 4, column: Some(5), message: "m".into() };
    assert_eq!(problem.to_string(), "line 4, column 5: m");
    assert_eq!(problem.located(), ".github/stages.yml:4:5: m");
    let problem = Problem { column: None, ..problem };
    assert_eq!(problem.to_string(), "line 4: m");
    assert_eq!(problem.located(), ".github/stages.yml:4: m");
}

#[test]
fn a_document_marker_before_the_content_or_an_empty_document_after_it_is_fine() {
    parsed(&format!("%YAML 1.2\n---\nstages:\n{DEV}"));
    parsed(&format!("--- # the stages\nstages:\n{DEV}"));
    parsed(&format!("stages:\n{DEV}---\n# nothing more\n"));
    parsed(&format!("stages:\n{DEV}...\n"));
    // Indented, it is text inside a value, not a marker.
    parsed("stages:\n  dev:\n    state: |\n      ---\n      x\n    address: output.image\n");
}

#[test]
fn a_file_nested_100000_levels_deep_is_refused_before_it_is_loaded() {
    let block = format!("stages:\n  dev:\n    state:\n      {}x\n", "- ".repeat(100_000));
    assert_eq!(
        problems(&block),
        vec![(
            4,
            Some(257),
            "the YAML nests more than 128 levels deep here; a stages file needs three (stages, a stage, its settings)"
                .into()
        )]
    );
    let flow = format!("stages: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(problems(&flow), vec![(1, Some(264), "not valid YAML: recursion limit exceeded".into())]);
}

#[test]
fn eighty_thousand_stages_with_unknown_sources_are_checked_in_one_pass() {
    let mut text = String::from("stages:\n");
    for i in 0..80_000 {
        text.push_str(&format!("  s{i}:\n    from: t{i}\n    state: x\n    address: output.image\n"));
    }
    let got = problems(&text);
    assert_eq!(got.len(), 80_000);
    assert_eq!(
        got[0],
        (3, Some(11), "stage \"s0\": \"from\" names \"t0\", which is not a stage; the stages are s0, s1, s2, s3, s4, s5, s6, s7, s8, s9 and 79990 more".into())
    );
}

#[test]
fn file_values_in_messages_are_short_escaped_excerpts() {
    let long = "x".repeat(100_000);
    let cases = [
        (
            // YAML caps a key at 1,024 characters.
            format!("stages:\n  dev:\n    state: s\n    address: output.image\n    \"\\n::error::{}\": 1\n", "x".repeat(1000)),
            format!("stage \"dev\": unknown setting \"\\n::error::{}…\" (1010 characters); the settings are state, workspace, backend, backend-config, address, container, from, allow-latest, min-soak and hold", "x".repeat(70)),
        ),
        (
            "stages:\n  dev:\n    state: s\n    address: output.image\n    hold: \"a\\n::error::b\"\n".to_string(),
            "stage \"dev\": \"hold\" must be true or false, not \"a\\n::error::b\"".to_string(),
        ),
        (
            format!("stages:\n  dev:\n    state: s\n    address: output.image\n    min-soak: 1{long}\n"),
            format!("stage \"dev\": \"min-soak: 1{}… (100001 characters)\" is not a valid soak time: it is 100001 characters long; a soak time is short, such as 2h or 1h30m", "x".repeat(79)),
        ),
        (
            format!("stages:\n  dev:\n    state: s\n    address: \"x.y[\\\"\\n{long}\\\"]\"\n"),
            format!(
                r#"stage "dev": "x.y[\"\n{}…" (100008 characters) is not a Terraform address: a control character (U+000A) in a string key; write a line break as \n and a tab as \t at column 6; write it as Terraform prints it, e.g. output.image, module.app.kubernetes_deployment_v1.web["blue"] or kubernetes_deployment_v1.web.spec[0].replicas"#,
                "x".repeat(74)
            ),
        ),
    ];
    for (text, want) in cases {
        let got = problems(&text);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].2, want);
    }
}

#[test]
fn a_stage_may_name_its_backend_and_its_settings_instead_of_a_state() {
    let file = parsed(
        "\
stages:
  dev:
    backend: kubernetes
    backend-config:
      secret_suffix: app
      insecure: true
      config_paths: [a, b]
      labels: {team: payments}
    address: output.image
",
    );
    let dev = &file.stages[0];
    assert_eq!((dev.state.as_str(), dev.backend.as_deref()), ("", Some("kubernetes")));
    assert_eq!(
        dev.backend_config,
        vec![
            ("secret_suffix".into(), serde_json::json!("app"), 5),
            ("insecure".into(), serde_json::json!("true"), 6),
            ("config_paths".into(), serde_json::json!(["a", "b"]), 7),
            ("labels".into(), serde_json::json!({"team": "payments"}), 8),
        ]
    );
    assert_eq!((dev.lines.backend, dev.lines.backend_config), (Some(3), Some(4)));
}

#[test]
fn backend_config_must_be_a_mapping_whose_entries_have_values() {
    let text = "\
stages:
  dev:
    state: infra/dev
    backend-config: secret_suffix=app
    address: output.image
  qa:
    state: infra/qa
    backend-config:
      secret_suffix:
    address: output.image
";
    assert_eq!(
        problems(text),
        [
            (4, Some(21), "stage \"dev\": \"backend-config\" must be a mapping of the backend's settings, not \"secret_suffix=app\"".into()),
            (9, Some(7), "stage \"qa\": \"backend-config\" entry \"secret_suffix\" has no value; give one, or remove the line".into()),
        ]
    );
}

#[test]
fn the_final_stage_is_the_last_of_the_promotion_order_whatever_order_the_file_lists() {
    let names = |stages: Vec<&Stage>| stages.iter().map(|s| s.name.clone()).collect::<Vec<_>>();
    // prod listed first: the file's last stage is qa, but prod is where images end up.
    let file = parsed(
        "stages:\n  prod: {from: qa, state: p, address: output.image}\n  dev: {state: d, address: output.image}\n  qa: {from: dev, state: q, address: output.image}\n",
    );
    assert_eq!(file.stages.last().map(|s| s.name.as_str()), Some("qa"));
    assert_eq!(names(file.promotion_order()), ["dev", "qa", "prod"]);
    assert_eq!(file.final_stage().map(|s| s.name.as_str()), Some("prod"));
    // In file order, the final stage is the file's last.
    let file = parsed(
        "stages:\n  dev: {state: d, address: output.image}\n  qa: {from: dev, state: q, address: output.image}\n  prod: {from: qa, state: p, address: output.image}\n",
    );
    assert_eq!(file.final_stage().map(|s| s.name.as_str()), Some("prod"));
    assert_eq!(StagesFile::default().final_stage(), None);
}

#[test]
fn a_stage_after_the_first_that_nothing_moves_into_or_out_of_is_unconnected() {
    let names = |stages: Vec<&Stage>| stages.iter().map(|s| s.name.clone()).collect::<Vec<_>>();
    let file = parsed(
        "stages:\n  dev: {state: d, address: output.image}\n  qa: {state: q, address: output.image}\n  prod: {from: dev, state: p, address: output.image}\n  infra: {state: i, address: output.image}\n  infra-qa: {from: infra, state: j, address: output.image}\n",
    );
    assert_eq!(names(file.unconnected()), ["qa"]);
}
