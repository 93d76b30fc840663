//! Snapshots of everything a person or the runner reads, for representative runs of every
//! command: the runner's standard output, the job summary, the `$GITHUB_OUTPUT` bytes (with the
//! delimiter pinned) and the terminal's two streams, side by side in one reviewed file per run
//! (`src/action/snapshots/`). The reports are built here as the commands build them (values
//! from `examples/dev.tfstate` and the stages tests); `tests/node/snapshots.test.mjs` snapshots
//! the same faces of the built action end to end.
//!
//! A changed snapshot fails `cargo test` and leaves a `.snap.new` beside it; review it with
//! `cargo insta review`, or accept all with `INSTA_UPDATE=always cargo test`.

use super::render::{outputs_file, outputs_written, step_summary, terminal, workflow_lines};
use super::{Annotation, Level, Report, Summary, Table};
use crate::error::{Error, InputProblem};
use crate::state::Error as StateError;
use crate::{backend, files};

/// The delimiter a run draws at random, pinned so the output file reads the same every time.
const DELIMITER: &str = "ghadelimiter_00000000-0000-4000-8000-000000000000";

/// Every face of one run, as one text with a heading per stream.
fn faces(report: &Report, failure: Option<&Error>) -> String {
    let lines = workflow_lines(report, failure, true);
    let outputs = outputs_file(&outputs_written(report, failure.is_some()), || DELIMITER.to_string())
        .unwrap_or_else(|e| format!("(refused: {e})"));
    let text = terminal(report, failure);
    let json = terminal(&Report { json: true, ..report.clone() }, failure);
    format!(
        "== runner: standard output (RUNNER_DEBUG=1)\n{}{}{}\
         == runner: GITHUB_STEP_SUMMARY\n{}\
         == runner: GITHUB_OUTPUT\n{outputs}\
         == terminal: standard output\n{}\
         == terminal: standard error\n{}\
         == terminal --json: standard output\n{}",
        lines.first,
        lines.annotations,
        lines.log,
        step_summary(report, failure),
        text.stdout,
        text.stderr,
        json.stdout,
    )
}

fn rows(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(l, v)| (l.to_string(), v.to_string())).collect()
}

fn cells(row: &[&str]) -> Vec<String> {
    row.iter().map(|c| c.to_string()).collect()
}

fn stage_header() -> Vec<String> {
    cells(&["stage", "image", "tag", "digest", "serial"])
}

fn report(command: &str) -> Report {
    Report { command: command.into(), ..Report::default() }
}

/// The outputs of a lookup in examples/dev.tfstate, `value` and the image parts given.
fn lookup_outputs(r: &mut Report, value: &str, image: [&str; 4], container: &str) {
    r.output("value", value);
    for (name, v) in ["image", "image-repository", "image-tag", "image-digest"].into_iter().zip(image) {
        r.output(name, v);
    }
    r.output("container", container);
    r.output("serial", "42");
    r.output("lineage", "8a1f0c7e-3b4d-4c2a-9e6f-0d1b2c3a4e5f");
    r.output("terraform-version", "1.11.4");
}

#[test]
fn lookup_of_a_plain_value() {
    let mut r = report("lookup");
    let image = "ghcr.io/acme/backend:1.4.2";
    lookup_outputs(&mut r, image, [image, "ghcr.io/acme/backend", "1.4.2", ""], "");
    r.debug.push("read examples/dev.tfstate (12 KB) for output.image".into());
    r.log.push(format!("output.image: {image}"));
    r.summary = Summary {
        title: "stage-action lookup".into(),
        rows: rows(&[
            ("State", "examples/dev.tfstate"),
            ("Serial", "42"),
            ("Address", "output.image"),
            ("Image", image),
            ("Tag", "1.4.2"),
            ("Digest", ""),
        ]),
        ..Summary::default()
    };
    insta::assert_snapshot!(faces(&r, None));
}

#[test]
fn lookup_of_a_workload_with_its_warnings() {
    let mut r = report("lookup");
    let object = r#"{"id":"dev/backend","metadata":[{"name":"backend","namespace":"dev"}],"spec":[{"replicas":2,"template":[{"spec":[{"container":[{"image":"ghcr.io/acme/backend","name":"backend"}]}]}]}]}"#;
    lookup_outputs(&mut r, object, ["ghcr.io/acme/backend", "ghcr.io/acme/backend", "", ""], "backend");
    r.json_only.push("value");
    r.warning(
        "tainted instance",
        "kubernetes_deployment_v1.backend is tainted: Terraform will replace it on the next apply; the answer is what runs now",
    );
    r.warning(
        "image has no tag",
        "kubernetes_deployment_v1.backend runs \"ghcr.io/acme/backend\", which has no tag or digest: Kubernetes pulls `latest`, which can change under you; deploy a tag or a digest",
    );
    r.log.push("kubernetes_deployment_v1.backend: ghcr.io/acme/backend".into());
    r.summary = Summary {
        title: "stage-action lookup".into(),
        rows: rows(&[
            ("State", "infra/stages/dev"),
            ("Workspace", "default"),
            ("Serial", "42"),
            ("Address", "kubernetes_deployment_v1.backend"),
            ("Container", "backend"),
            ("Image", "ghcr.io/acme/backend"),
            ("Tag", ""),
            ("Digest", ""),
        ]),
        ..Summary::default()
    };
    insta::assert_snapshot!(faces(&r, None));
}

#[test]
fn lookup_of_a_sensitive_value() {
    let mut r = report("lookup");
    lookup_outputs(&mut r, "correct-horse-battery", ["", "", "", ""], "");
    r.secret("correct-horse-battery");
    r.sensitive_outputs.push("value");
    r.log.push("output.db_password = (sensitive)".into());
    r.summary = Summary {
        title: "stage-action lookup".into(),
        rows: rows(&[
            ("State", "examples/dev.tfstate"),
            ("Serial", "42"),
            ("Address", "output.db_password"),
            ("Value", "(sensitive)"),
        ]),
        ..Summary::default()
    };
    insta::assert_snapshot!(faces(&r, None));
}

#[test]
fn guard_accepts_a_release() {
    let mut r = report("guard");
    r.output("version", "1.5.0");
    r.output("previous-version", "1.4.0");
    r.output("bump", "minor");
    r.output("prerelease", "false");
    r.debug.push("6 tags from git ls-remote origin; 4 with prefix \"v\" parse, 1 with the prefix do not".into());
    r.log.push("v1.5.0 may be released: minor after v1.4.0".into());
    r.summary = Summary {
        title: "stage-action guard".into(),
        rows: rows(&[
            ("Decision", "release allowed"),
            ("Tag", "v1.5.0"),
            ("Version", "1.5.0"),
            ("Bump", "minor"),
            ("Highest existing", "v1.4.0"),
            ("Tags considered", "4 (git ls-remote origin)"),
            ("On branch", "main"),
        ]),
        notes: vec!["1 tags with the prefix are not valid versions and were ignored, e.g. vfoo".into()],
        ..Summary::default()
    };
    insta::assert_snapshot!(faces(&r, None));
}

#[test]
fn guard_refuses_a_release() {
    let existing = crate::version::existing_versions(["v1.4.0", "v1.3.9"], "v").0;
    let candidate = crate::version::parse_tag("v1.2.0", "v").unwrap();
    let refused = crate::version::decide(&candidate, &existing, &crate::version::Policy::default()).unwrap_err();
    let e: Error =
        crate::version::Error::Refused { tag: "v1.2.0".into(), prefix: "v".into(), refused, at: None }.into();
    insta::assert_snapshot!(faces(&report("guard"), Some(&e)));
}

/// A promotion's outputs and summary: `dev` → `qa`.
fn promotion(changed: bool) -> Report {
    let mut r = report("promote");
    let (image, previous) = (
        "ghcr.io/acme/backend:1.5.0",
        if changed { "ghcr.io/acme/backend:1.4.2" } else { "ghcr.io/acme/backend:1.5.0" },
    );
    r.output("image", image);
    r.output("image-tag", "1.5.0");
    r.output("image-digest", "");
    r.output("previous-image", previous);
    r.output("previous-image-tag", previous.rsplit(':').next().unwrap_or_default());
    r.output("changed", changed.to_string());
    r.output("from", "dev");
    r.output("to", "qa");
    let decision = if changed {
        format!("promote {image} from dev into qa")
    } else {
        format!("qa already runs {image}: nothing to change")
    };
    r.log.push(decision.clone());
    let mut notes = vec![format!("Decision: {decision}.")];
    if changed {
        notes.push("dev has been unchanged for 2h 5m.".into());
    }
    r.summary = Summary {
        title: "stage-action promote: dev → qa".into(),
        table: Some(Table {
            header: stage_header(),
            rows: vec![
                cells(&["dev", image, "1.5.0", "", "7"]),
                cells(&["qa", previous, previous.rsplit(':').next().unwrap_or_default(), "", "3"]),
            ],
        }),
        notes,
        ..Summary::default()
    };
    r
}

#[test]
fn promote_into_a_stage_that_runs_something_else() {
    insta::assert_snapshot!(faces(&promotion(true), None));
}

#[test]
fn promote_into_a_stage_that_runs_the_image_already() {
    insta::assert_snapshot!(faces(&promotion(false), None));
}

#[test]
fn promote_refused() {
    let e: Error = crate::stages::Error::Refused {
        to: "prod".into(),
        refusal: Box::new(crate::stages::Refusal::Hold { to: "prod".into() }),
    }
    .into();
    insta::assert_snapshot!(faces(&report("promote"), Some(&e)));
}

#[test]
fn status_of_every_stage() {
    let mut r = report("status");
    r.output(
        "stages",
        r#"{"dev":{"image":"ghcr.io/acme/backend:1.5.0","tag":"1.5.0","digest":null,"serial":7,"from":null,"behind":null},"qa":{"image":"ghcr.io/acme/backend:1.4.2","tag":"1.4.2","digest":null,"serial":3,"from":"dev","behind":true},"prod":{"image":null,"tag":null,"digest":null,"serial":null,"from":"qa","behind":true},"dr":{"image":null,"tag":null,"digest":null,"serial":null,"from":"prod","behind":null,"error":"state stages/broken.tfstate is not valid JSON: line 3, column 1: EOF while parsing a list"}}"#,
    );
    r.warning(
        "stage not readable",
        "stage dr: state stages/broken.tfstate is not valid JSON: line 3, column 1: EOF while parsing a list",
    );
    let table = Table {
        header: stage_header(),
        rows: vec![
            cells(&["dev", "ghcr.io/acme/backend:1.5.0", "1.5.0", "", "7"]),
            cells(&["qa", "ghcr.io/acme/backend:1.4.2", "1.4.2", "", "3"]),
            cells(&["prod", "(no state yet)", "", "", ""]),
            cells(&["dr", "cannot read: state stages/broken.tfstate is not valid JSON: line 3, column 1: EOF while parsing a list", "", "", ""]),
        ],
    };
    // As status.rs does: the log shows the table as text.
    r.log.extend(super::table_lines(&table));
    r.summary = Summary {
        title: "stage-action status".into(),
        table: Some(table),
        notes: vec!["qa is behind dev.".into()],
        ..Summary::default()
    };
    insta::assert_snapshot!(faces(&r, None));
}

/// A recorded deployment of `qa`.
fn recorded() -> Report {
    let mut r = report("record");
    r.secret("ghs_0123456789abcdefghijklmnopqrstuvwxyz");
    r.output("deployment-id", "1001");
    r.kept_on_failure.push("deployment-id");
    r.log.push("recorded deployment 1001: qa runs ghcr.io/acme/backend:1.4.2".into());
    r.summary = Summary {
        title: "stage-action record: qa".into(),
        rows: rows(&[
            ("Environment", "qa"),
            ("Image", "ghcr.io/acme/backend:1.4.2"),
            ("Commit", "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"),
            ("Serial", ""),
            ("Deployment", "1001"),
        ]),
        ..Summary::default()
    };
    r
}

#[test]
fn record_a_deployment() {
    insta::assert_snapshot!(faces(&recorded(), None));
}

#[test]
fn record_that_created_the_deployment_but_could_not_mark_it_keeps_its_id() {
    let e = Error::PartlyRecorded {
        id: 1001,
        environment: "qa".into(),
        repo: "acme/app".into(),
        source: Box::new(
            crate::github::Error::Answered {
                what: "mark deployment 1001 successful".into(),
                status: 502,
                message: "Bad Gateway".into(),
                repo: "acme/app".into(),
                permission: "deployments: write",
            }
            .into(),
        ),
    };
    insta::assert_snapshot!(faces(&recorded(), Some(&e)));
}

#[test]
fn a_stages_file_with_twelve_problems() {
    let problems = (1..=12)
        .map(|n| {
            let line = 2 * n + 1;
            crate::stages::Problem {
                file: ".github/stages.yml".into(),
                line,
                column: Some(5),
                message: format!("stage s{n}: unknown setting `adress`; did you mean `address`?"),
            }
        })
        .collect();
    let e: Error = crate::stages::Error::invalid(".github/stages.yml", problems).into();
    let mut r = report("status");
    r.warning(
        "input not used",
        "input `container` is set, but `status` does not read it; remove it from the step's `with:`",
    );
    insta::assert_snapshot!(faces(&r, Some(&e)));
}

/// One error of every annotation title, each as its annotation, its summary and its terminal
/// line: the titles a person sees first.
#[test]
fn every_kind_of_error() {
    let state = || "infra/dev/terraform.tfstate".to_string();
    let errors = vec![
        Error::Inputs(vec![
            InputProblem::new(
                "state",
                "is required: the .tfstate file, or the Terraform working directory that holds it",
            ),
            InputProblem::new("address", "is required, e.g. kubernetes_deployment_v1.backend or output.image"),
        ]),
        Error::Environment {
            name: "GITHUB_REPOSITORY",
            problem: "is not set: run inside GitHub Actions, or set it to owner/name".into(),
        },
        files::Error::Io { op: "read", path: "VERSION".into(), message: "permission denied".into() }.into(),
        files::Error::Refused {
            path: "infra/state".into(),
            why: "is a FIFO (named pipe)".into(),
            hint: "point `state` at a regular file".into(),
        }
        .into(),
        backend::Error::StateNotFound { path: state(), hint: None }.into(),
        StateError::NotJson { path: state(), line: 3, column: 1, detail: "EOF while parsing a list".into() }.into(),
        Error::InInput {
            input: "address",
            source: Box::new(
                StateError::BadAddress { address: "output.".into(), column: 8, problem: "expected a name".into() }
                    .into(),
            ),
        },
        StateError::AddressNotFound {
            address: "output.imag".into(),
            state: state(),
            suggestions: vec!["output.image".into()],
        }
        .into(),
        Error::InInput {
            input: "container",
            source: Box::new(
                StateError::ContainerNotFound {
                    address: "kubernetes_deployment_v1.backend".into(),
                    name: "nope".into(),
                    names: vec!["backend".into(), "sidecar".into()],
                }
                .into(),
            ),
        },
        crate::github::Error::RateLimited { what: "list tags".into(), reset: "12:00:00 UTC".into() }.into(),
        crate::tags::git::Error {
            command: "git ls-remote --tags --refs origin".into(),
            message: "fatal: could not read from remote repository".into(),
            hint: "check the remote, or set tags-from: api".into(),
        }
        .into(),
        crate::version::Error::Tag { error: crate::version::parse_tag("v1.4", "v").unwrap_err(), at: None }.into(),
        crate::version::Error::NotOnBranch { tag: "v1.5.0".into(), commit: "v1.5.0".into(), branch: "main".into() }
            .into(),
        crate::stages::Error::FileMissing { file: ".github/stages.yml".into() }.into(),
        StateError::NoImage { address: "output.replicas".into(), state: state() }.into(),
        StateError::InvalidImage {
            address: "output.image".into(),
            state: state(),
            reference: "\"Ghcr.io/UPPER:1\"".into(),
            why: "the repository must be lowercase".into(),
        }
        .into(),
        Error::Internal("a broken invariant".into()),
    ];
    let mut out = String::new();
    let mut titles = std::collections::BTreeSet::new();
    for e in &errors {
        titles.insert(e.title());
        let r = report("lookup");
        let lines = workflow_lines(&r, Some(e), false);
        out.push_str(&format!(
            "==== {}\n{}{}{}\n",
            e.title(),
            lines.annotations,
            step_summary(&r, Some(e)),
            terminal(&r, Some(e)).stderr
        ));
    }
    // One error per title, so that a new title needs a new line here to be seen.
    assert_eq!(titles.len(), errors.len(), "one error per title: {titles:?}");
    insta::assert_snapshot!(out);
}

#[test]
fn warnings_without_a_title_and_notices_are_listed_too() {
    let mut r = report("lookup");
    r.annotations.push(Annotation {
        level: Level::Notice,
        title: None,
        message: "a notice for the summary".into(),
        file: Some("a.yml".into()),
        line: Some(3),
    });
    r.summary = Summary { title: "stage-action lookup".into(), ..Summary::default() };
    insta::assert_snapshot!(faces(&r, None));
}

/// The s3 backend's main error faces, as a person sees them in the log, the summary and a
/// terminal: access denied (identity, action, resource), credentials AWS did not take, none at
/// all, and an OIDC token STS refused.
#[test]
fn s3_backend_errors() {
    use backend::s3::error::{Error as S3, Said};
    let said = |code: &str, message: &str| Said { code: code.into(), message: message.into() };
    let env_keys = "environment variables AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN";
    let errors = [
        S3::Denied {
            action: "s3:GetObject",
            resource: "arn:aws:s3:::acme-tfstate/env:/qa/shop/terraform.tfstate".into(),
            identity: "role arn:aws:iam::123456789012:role/shop-state-reader (session key ASIAEXAMPLE)".into(),
            source: env_keys.into(),
            said: said("AccessDenied", "Access Denied"),
        },
        S3::Rejected {
            identity: "access key ASIAEXAMPLE".into(),
            source: env_keys.into(),
            said: said("ExpiredToken", "The provided token has expired."),
        },
        S3::NoCredentials { files: "/home/runner/.aws/credentials and /home/runner/.aws/config".into() },
        S3::Sts {
            action: "AssumeRoleWithWebIdentity",
            endpoint: "https://sts.eu-west-1.amazonaws.com".into(),
            role_arn: "arn:aws:iam::123456789012:role/github-oidc".into(),
            identity: None,
            status: 400,
            said: said("InvalidIdentityToken", "Incorrect token audience"),
        },
    ];
    let mut out = String::new();
    for e in errors {
        let e = Error::from(backend::Error::S3(Box::new(e)));
        out.push_str(&faces(&report("lookup"), Some(&e)));
        out.push_str("\n\n");
    }
    insta::assert_snapshot!(out);
}

/// The azurerm backend's main faces: a role missing for an OIDC identity, a refused key, and
/// Entra ID refusing a workflow whose subject has no federated credential.
#[test]
fn azurerm_errors() {
    use backend::azurerm::{Blob, Error as Az, Identity};
    let blob = || {
        Box::new(Blob {
            account: "acmetfstate".into(),
            container: "tfstate".into(),
            name: "shop.tfstateenv:prod".into(),
        })
    };
    let errors: Vec<Error> = vec![
        Az::Forbidden {
            blob: blob(),
            identity: Box::new(Identity::Entra { client_id: "3b7c9e2a-0000-4000-8000-0000000c11e7".into(), how: "OIDC" }),
            code: "AuthorizationPermissionMismatch".into(),
        },
        Az::AuthenticationFailed {
            blob: blob(),
            identity: Box::new(Identity::SharedKey),
            status: 403,
            code: "AuthenticationFailed".into(),
            said: "\"Server failed to authenticate the request.\"".into(),
        },
        Az::Entra {
            url: "https://login.microsoftonline.com/72f988bf-0000-4000-8000-00000000d1ce/oauth2/v2.0/token".into(),
            client_id: "3b7c9e2a-0000-4000-8000-0000000c11e7".into(),
            code: Some("AADSTS700213".into()),
            said: "\"invalid_client: AADSTS700213: No matching federated identity record found for presented assertion subject 'repo:acme/shop:ref:refs/heads/main'.\"".into(),
        },
    ]
    .into_iter()
    .map(|e| backend::Error::Azurerm(e).into())
    .collect();
    let mut out = String::new();
    for e in &errors {
        let r = report("lookup");
        let lines = workflow_lines(&r, Some(e), false);
        out.push_str(&format!(
            "==== {}\n{}{}{}\n",
            e.title(),
            lines.annotations,
            step_summary(&r, Some(e)),
            terminal(&r, Some(e)).stderr
        ));
    }
    insta::assert_snapshot!(out);
}

/// The checks of a kubernetes backend whose certificate nears its end and whose identity may
/// not update Leases.
fn preflight_checks(fail: bool) -> Vec<crate::backend::preflight::Check> {
    use crate::backend::preflight::Check;
    let who =
        "the client certificate CN=terraform from `client_certificate` (environment variable KUBE_CLIENT_CERT_DATA)";
    let mut checks = vec![
        Check::pass("client key", "belongs to the client certificate"),
        Check::warn(
            "client certificate",
            "the certificate CN=terraform expires on 2026-11-29 18:00:00 UTC (4h 0m left of 1d 0h)",
            crate::backend::kubernetes::RENEW,
        ),
        Check::pass("TLS", "the CA verifies the API server at https://192.168.49.2:8443"),
        Check::pass("API server", "https://192.168.49.2:8443 answers (Kubernetes \"v1.31.0\")"),
        Check::pass("Secrets", format!("{who} may get, list, create, update secrets in namespace tfstate")),
    ];
    checks.push(if fail {
        Check::fail(
            "Leases",
            format!("{who} may not update leases in namespace tfstate"),
            Some("bind it to a Role in namespace tfstate that allows `get`, `create`, `update` on `leases` (API group coordination.k8s.io): Terraform's backend needs them".into()),
        )
    } else {
        Check::pass("Leases", format!("{who} may get, create, update leases in namespace tfstate"))
    });
    checks.push(Check::pass("registry", "a username and a password are given for ghcr.io"));
    checks
}

#[test]
fn preflight_passes_with_a_warning() {
    let mut r = report("preflight");
    let result = crate::commands::preflight::describe(
        &mut r,
        Some("dev"),
        "kubernetes",
        &preflight_checks(false),
        Some("2026-11-29T18:00:00Z".into()),
    );
    insta::assert_snapshot!(faces(&r, result.err().as_ref()));
}

#[test]
fn preflight_fails_after_every_check() {
    let mut r = report("preflight");
    let result = crate::commands::preflight::describe(
        &mut r,
        Some("dev"),
        "kubernetes",
        &preflight_checks(true),
        Some("2026-11-29T18:00:00Z".into()),
    );
    insta::assert_snapshot!(faces(&r, result.err().as_ref()));
}
