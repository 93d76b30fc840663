//! `promote`'s and `status`'s configuration from (inputs, context), natively: defaults, every
//! refusal and its message, with no environment and no files.

use crate::action::{Inputs, Mode};
use crate::commands::deployments::Access;
use crate::commands::{promote, status};
use crate::context::Context;
use crate::github::Repo;
use crate::secret::Secret;

/// No token, the context's repository, the default timeout.
fn access() -> Access {
    Access { token: None, repo: Repo::parse("acme/app"), timeout_ms: 60_000 }
}

fn inputs(values: &[(&str, &str)]) -> Inputs {
    Inputs::new(Mode::Actions, "x", values)
}

/// A context as a runner would make it; nothing in it changes these configurations.
fn ctx() -> Context {
    Context {
        workspace: "/ws".into(),
        repository: Some("acme/app".into()),
        sha: Some("a".repeat(40)),
        api_url: "https://api.github.com".into(),
        ..Context::default()
    }
}

fn promote_refusal(values: &[(&str, &str)]) -> String {
    promote::Config::from_inputs(&inputs(values), &ctx()).unwrap_err().to_string()
}

#[test]
fn promote_takes_the_target_and_defaults_the_stages_file_and_the_tag() {
    let config = promote::Config::from_inputs(&inputs(&[("to", " qa ")]), &ctx()).unwrap();
    assert_eq!(
        config,
        promote::Config {
            to: "qa".into(),
            image_tag: None,
            commit: None,
            stages_file: ".github/stages.yml".into(),
            allow_locked: false,
            allow_rollback: false,
            access: access(),
        }
    );
    // The context gives only the repository the deployments are read in: the stages file is
    // found relative to the workspace when it is read.
    let bare = promote::Config::from_inputs(&inputs(&[("to", "qa")]), &Context::default()).unwrap();
    assert_eq!(promote::Config { access: access(), ..bare }, config);
    let config = promote::Config::from_inputs(
        &inputs(&[("to", "prod"), ("image-tag", "1.4.2"), ("stages-file", "deploy/stages.yml")]),
        &ctx(),
    )
    .unwrap();
    assert_eq!(
        config,
        promote::Config {
            to: "prod".into(),
            image_tag: Some("1.4.2".into()),
            commit: None,
            stages_file: "deploy/stages.yml".into(),
            allow_locked: false,
            allow_rollback: false,
            access: access(),
        }
    );
    let config = promote::Config::from_inputs(
        &inputs(&[("to", "prod"), ("allow-rollback", "true"), ("token", "t0k"), ("timeout", "5s")]),
        &ctx(),
    )
    .unwrap();
    assert!(config.allow_rollback);
    assert_eq!(config.access, Access { token: Some(Secret::new("t0k")), timeout_ms: 5_000, ..access() });
    let e = promote::Config::from_inputs(&inputs(&[("to", "prod"), ("allow-rollback", "maybe")]), &ctx()).unwrap_err();
    assert_eq!(e.title(), "invalid input");
    // An empty input is no input, as `core.getInput` reads it.
    let config =
        promote::Config::from_inputs(&inputs(&[("to", "qa"), ("image-tag", ""), ("stages-file", " ")]), &ctx())
            .unwrap();
    assert_eq!((config.image_tag, config.stages_file.as_str()), (None, ".github/stages.yml"));
}

#[test]
fn promote_takes_a_release_commit_of_7_to_40_hex_digits() {
    let sha = "A1B2C3D4E5F60718293a4b5c6d7e8f9012345678";
    for (given, kept) in [(sha, sha.to_ascii_lowercase()), ("a1b2c3d", "a1b2c3d".into())] {
        let config = promote::Config::from_inputs(&inputs(&[("to", "prod"), ("commit", given)]), &ctx()).unwrap();
        assert_eq!(config.commit.as_deref(), Some(kept.as_str()), "{given}");
    }
    let config = promote::Config::from_inputs(&inputs(&[("to", "prod"), ("commit", "")]), &ctx()).unwrap();
    assert_eq!(config.commit, None);
    for bad in ["a1b2c3", "v1.0.0", "refs/tags/v1.0.0", &"a".repeat(41)] {
        let message = promote_refusal(&[("to", "prod"), ("commit", bad)]);
        assert!(
            message
                .contains("is not a commit SHA: give the release's commit, 7 to 40 hex digits (`${{ github.sha }}`)"),
            "{bad}: {message}"
        );
    }
}

#[test]
fn promote_accepts_every_tag_docker_accepts() {
    for tag in ["1.4.2", "v1.4.2-rc.1", "latest", "A_b.c-d", "_x", &"t".repeat(128)] {
        let config = promote::Config::from_inputs(&inputs(&[("to", "qa"), ("image-tag", tag)]), &ctx()).unwrap();
        assert_eq!(config.image_tag.as_deref(), Some(tag));
    }
}

#[test]
fn promote_refuses_a_missing_target_and_a_tag_that_could_never_match_at_once() {
    assert_eq!(promote_refusal(&[]), "input `to`: is required: the stage to promote into, e.g. qa");
    assert_eq!(promote_refusal(&[("to", "  ")]), "input `to`: is required: the stage to promote into, e.g. qa");
    assert_eq!(
        promote_refusal(&[("image-tag", "ghcr.io/acme/backend:1.4.2")]),
        [
            "input `to`: is required: the stage to promote into, e.g. qa",
            "input `image-tag`: \"ghcr.io/acme/backend:1.4.2\" is not a tag: give the tag alone (1.4.2), without the image's name or digest",
        ]
        .join("\n")
    );
    let not_a_tag = |tag: &str| promote_refusal(&[("to", "qa"), ("image-tag", tag)]);
    assert_eq!(
        not_a_tag("1.4.2@sha256:abc"),
        "input `image-tag`: \"1.4.2@sha256:abc\" is not a tag: give the tag alone (1.4.2), without the image's name or digest"
    );
    assert_eq!(
        not_a_tag("-rc1"),
        "input `image-tag`: \"-rc1\" is not a valid tag (at most 128 letters, digits, \"_\", \".\" and \"-\", not starting with \".\" or \"-\")"
    );
    assert_eq!(
        not_a_tag("1.4 2"),
        "input `image-tag`: \"1.4 2\" is not a valid tag (at most 128 letters, digits, \"_\", \".\" and \"-\", not starting with \".\" or \"-\")"
    );
    // Data in the message is quoted short and escaped.
    assert_eq!(
        not_a_tag(&format!("a\n##[error]{}", "x".repeat(200))),
        format!(
            "input `image-tag`: \"a\\n##[error]{}…\" (211 characters) is not a valid tag (at most 128 letters, digits, \"_\", \".\" and \"-\", not starting with \".\" or \"-\")",
            "x".repeat(69)
        )
    );
    assert!(not_a_tag(&"t".repeat(129)).ends_with(
        "is not a valid tag (at most 128 letters, digits, \"_\", \".\" and \"-\", not starting with \".\" or \"-\")"
    ));
}

#[test]
fn a_refused_promote_config_is_an_input_error() {
    let e = promote::Config::from_inputs(&inputs(&[]), &ctx()).unwrap_err();
    assert_eq!((e.title(), e.location()), ("invalid input", None));
}

#[test]
fn status_reads_the_stages_file_with_its_default_and_the_token() {
    let config = status::Config::from_inputs(&inputs(&[]), &ctx()).unwrap();
    assert_eq!(config, status::Config { stages_file: ".github/stages.yml".into(), access: access() });
    let config = status::Config::from_inputs(&inputs(&[("stages-file", " ci/stages.yaml ")]), &ctx()).unwrap();
    assert_eq!(config.stages_file, "ci/stages.yaml");
    // Inputs for other commands are no concern of its configuration (dispatch warns of them).
    let config = status::Config::from_inputs(&inputs(&[("to", "qa"), ("image-tag", "x y")]), &ctx()).unwrap();
    assert_eq!(config.stages_file, ".github/stages.yml");
}
