//! The top-level error: a domain's own value, and *where* it happened.
//!
//! Each domain keeps its own error type with kinds — [`crate::state::Error`] (reading a state,
//! answering an address), [`crate::backend::Error`] (finding a state), [`crate::files::Error`],
//! [`crate::version::Error`], [`crate::tags::git::Error`], the stages file's and the GitHub
//! API's — and says what is wrong and what to do. This type wraps them, adds where the problem
//! comes from (an input, a stage's setting at its line of the stages file, a stage), and alone
//! decides an annotation's title ([`Error::title`]) and location ([`Error::location`]).
//! Messages are tested word for word, so change them on purpose.

use std::fmt;

/// Everything that can stop a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// One or more inputs are missing or malformed; each problem names its input.
    Inputs(Vec<InputProblem>),
    /// The runner's environment lacks a variable a command needs, or holds a bad value.
    Environment { name: &'static str, problem: String },
    /// The command named by the `command` input (or the first CLI argument) does not exist.
    UnknownCommand { given: String, known: Vec<&'static str>, suggestion: Option<&'static str> },
    /// A GitHub API call failed, or the client could not be set up.
    GitHub(crate::github::Error),
    /// A file could not, or would not, be read.
    File(crate::files::Error),
    /// A state could not be found where its settings say.
    Backend(crate::backend::Error),
    /// A state could not be read, or has nothing that answers the address.
    State(crate::state::Error),
    /// A proposed release is invalid or refused.
    Version(crate::version::Error),
    /// A git command failed.
    Git(crate::tags::git::Error),
    /// The stages file is missing or invalid, names no such stage, or refuses the promotion.
    Stages(crate::stages::Error),
    /// A stage's state could not be read.
    Stage { stage: String, role: &'static str, source: Box<Error> },
    /// The deployment was created, but marking it successful failed: it exists, pending.
    PartlyRecorded { id: u64, environment: String, repo: String, source: Box<Error> },
    /// A problem caused by one input of the step: names it.
    InInput { input: &'static str, source: Box<Error> },
    /// A problem caused by one setting of a stage in the stages file: points the annotation at
    /// that line (`line` is the stage's own line when the setting is absent).
    InSetting { file: String, line: usize, setting: &'static str, source: Box<Error> },
    /// `preflight` found problems: every check's line (✓, ⚠ or ✗ what — what to do), and how
    /// many failed. All of them, as the log of a failed run is not printed.
    Preflight { lines: Vec<String>, failed: usize },
    /// A bug: a panic or a broken invariant.
    Internal(String),
}

impl Error {
    /// The error beneath the ones that only say where it happened (input, setting, stage).
    pub fn innermost(&self) -> &Error {
        match self {
            Error::InInput { source, .. } | Error::InSetting { source, .. } | Error::Stage { source, .. } => {
                source.innermost()
            }
            other => other,
        }
    }

    /// The file and line an annotation should point at, when the problem is in a file of the
    /// repository (GitHub then shows it on a pull request's diff).
    pub fn location(&self) -> Option<(String, Option<usize>)> {
        match self {
            Error::Version(e) => e.location(),
            Error::Stages(e) => e.location(),
            Error::Stage { source, .. } | Error::InInput { source, .. } => source.location(),
            Error::InSetting { file, line, .. } => Some((file.clone(), Some(*line))),
            Error::Backend(crate::backend::Error::OnDemand(e)) => e.location.clone(),
            _ => None,
        }
    }
}

/// One problem with one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputProblem {
    /// The input's name as written in `action.yml`.
    pub input: String,
    /// What is wrong and how to fix it.
    pub problem: String,
}

impl InputProblem {
    /// A problem with input `input`.
    pub fn new(input: &str, problem: impl Into<String>) -> Self {
        InputProblem { input: input.to_string(), problem: problem.into() }
    }
}

impl Error {
    /// A short title for the annotation, shown in bold by GitHub above the message.
    pub fn title(&self) -> &str {
        match self {
            Error::Inputs(_) | Error::UnknownCommand { .. } => "invalid input",
            Error::Environment { .. } => "runner environment",
            // Io is any file (a state, a version file, the stages file), not only a state.
            Error::File(crate::files::Error::Io { .. }) => "cannot read file",
            Error::File(crate::files::Error::Refused { .. }) => "file refused",
            Error::Backend(e) => {
                use crate::backend::Error as B;
                match e {
                    B::StateNotFound { .. }
                    | B::WorkspaceNotFound { .. }
                    | B::NoRemoteState(_)
                    | B::RemoteBackend { .. } => "state not found",
                    B::BackendSettings { .. } => "unreadable state",
                    B::WorkspaceForFile { .. } | B::InvalidWorkspace { .. } => "invalid input",
                    B::Http(_) => "backend error",
                    B::Pg(_) => "backend error",
                    B::Kubernetes(_) => "backend error",
                    // Decided by the module that read the backend, with this same function.
                    B::OnDemand(e) => &e.title,
                    // A file a backend setting names, refused as every other file is.
                    B::Gcs(crate::backend::gcs::Error::Refused(_))
                    | B::Azurerm(crate::backend::azurerm::Error::Refused(_)) => "file refused",
                    B::S3(e) if matches!(**e, crate::backend::s3::Error::Refused(_)) => "file refused",
                    B::Gcs(_) => "backend error",
                    B::Tfe(_) => "backend error",
                    B::S3(_) => "backend error",
                    B::Azurerm(_) => "backend error",
                }
            }
            Error::State(e) => {
                use crate::state::ErrorKind as K;
                match e.kind() {
                    K::Io => "cannot read file",
                    K::Unreadable => "unreadable state",
                    K::InvalidAddress => "invalid address",
                    K::AddressNotFound => "address not found",
                    K::Container => "container not found",
                    K::NoImage => "no image",
                    K::InvalidImage => "invalid image",
                    K::Internal => "internal error",
                }
            }
            Error::GitHub(crate::github::Error::BadApiUrl { .. } | crate::github::Error::BadToken) => "invalid input",
            Error::GitHub(_) | Error::PartlyRecorded { .. } => "GitHub API error",
            Error::Git(_) => "git error",
            Error::Version(e) => match e.kind() {
                crate::version::error::Kind::Invalid => "invalid version",
                crate::version::error::Kind::Refused => "release refused",
            },
            Error::Stages(e) => {
                use crate::stages::Error as S;
                match e {
                    S::FileMissing { .. } | S::Invalid { .. } => "invalid stages file",
                    S::UnknownStage { .. } => "invalid input",
                    S::Refused { .. } => "promotion refused",
                }
            }
            Error::Stage { source, .. } | Error::InInput { source, .. } | Error::InSetting { source, .. } => {
                source.title()
            }
            Error::Preflight { .. } => "preflight failed",
            Error::Internal(_) => "internal error",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Inputs(problems) => {
                let lines: Vec<String> =
                    problems.iter().map(|p| format!("input `{}`: {}", p.input, p.problem)).collect();
                f.write_str(&lines.join("\n"))
            }
            Error::Environment { name, problem } => write!(f, "environment variable {name}: {problem}"),
            Error::UnknownCommand { given, known, suggestion } => {
                write!(f, "input `command`: unknown command {}; ", crate::text::quote(given))?;
                match suggestion {
                    Some(s) => write!(f, "did you mean {s}? The commands are: {}", known.join(", ")),
                    None => write!(f, "use one of: {}", known.join(", ")),
                }
            }
            Error::File(e) => e.fmt(f),
            Error::Backend(e) => e.fmt(f),
            Error::State(e) => e.fmt(f),
            Error::Version(e) => e.fmt(f),
            Error::Git(e) => e.fmt(f),
            Error::Stages(e) => e.fmt(f),
            Error::GitHub(e) => e.fmt(f),
            Error::Stage { stage, role, source } => write!(f, "{role} stage {stage}: {source}"),
            Error::InInput { input, source } => write!(f, "input `{input}`: {source}"),
            Error::InSetting { file, line, setting, source } => write!(f, "{file} line {line}, `{setting}`: {source}"),
            Error::PartlyRecorded { id, environment, repo, source } => write!(
                f,
                "deployment {id} to {environment} was created, but not marked successful, so GitHub shows it as pending: {source}; re-run this step, or mark it by hand: gh api repos/{repo}/deployments/{id}/statuses -f state=success"
            ),
            Error::Preflight { lines, failed } => {
                let checks = if lines.len() == 1 { "check" } else { "checks" };
                write!(f, "preflight: {failed} of {} {checks} failed:\n{}", lines.len(), lines.join("\n"))
            }
            Error::Internal(message) => write!(
                f,
                "internal error: {message}. This is a bug in stage-action; please report it with this log"
            ),
        }
    }
}

/// `Display` is the whole sentence a person reads, the cause's words included (as anyhow's
/// `{:#}` prints a chain); `source` hands a program the typed cause beneath a *where* (input,
/// stages-file setting, stage) or a domain's value.
impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::InInput { source, .. }
            | Error::InSetting { source, .. }
            | Error::Stage { source, .. }
            | Error::PartlyRecorded { source, .. } => Some(source.as_ref()),
            Error::File(e) => Some(e),
            Error::Backend(e) => Some(e),
            Error::State(e) => Some(e),
            Error::Version(e) => Some(e),
            Error::Git(e) => Some(e),
            Error::Stages(e) => Some(e),
            Error::GitHub(e) => Some(e),
            Error::Inputs(_)
            | Error::Environment { .. }
            | Error::UnknownCommand { .. }
            | Error::Preflight { .. }
            | Error::Internal(_) => None,
        }
    }
}

impl From<crate::files::Error> for Error {
    fn from(e: crate::files::Error) -> Error {
        Error::File(e)
    }
}

impl From<crate::backend::Error> for Error {
    fn from(e: crate::backend::Error) -> Error {
        Error::Backend(e)
    }
}

impl From<crate::state::Error> for Error {
    fn from(e: crate::state::Error) -> Error {
        Error::State(e)
    }
}

impl From<crate::github::Error> for Error {
    fn from(e: crate::github::Error) -> Error {
        Error::GitHub(e)
    }
}

impl From<crate::stages::Error> for Error {
    fn from(e: crate::stages::Error) -> Error {
        Error::Stages(e)
    }
}

impl From<crate::tags::git::Error> for Error {
    fn from(e: crate::tags::git::Error) -> Error {
        Error::Git(e)
    }
}

impl From<crate::version::Error> for Error {
    fn from(e: crate::version::Error) -> Error {
        Error::Version(e)
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    fn refused_release() -> Error {
        let existing = crate::version::existing_versions(["v1.2.3"], "v").0;
        let candidate = crate::version::parse_tag("v1.2.3", "v").unwrap();
        let refused = crate::version::decide(&candidate, &existing, &crate::version::Policy::default()).unwrap_err();
        crate::version::Error::Refused {
            tag: "v1.2.3".into(),
            prefix: "v".into(),
            refused,
            at: Some(("package.json".into(), 3)),
        }
        .into()
    }

    #[test]
    fn a_refused_release_points_at_its_version_file_and_keeps_the_policy_refusal_as_its_source() {
        let e = refused_release();
        assert_eq!(e.title(), "release refused");
        assert_eq!(e.location(), Some(("package.json".to_string(), Some(3))));
        assert_eq!(
            e.to_string(),
            "v1.2.3 may not be released: v1.2.3 already exists; the next valid tags are v1.2.4, v1.3.0 or v2.0.0"
        );
        let source = e.source().expect("a source");
        assert!(source.downcast_ref::<crate::version::Error>().is_some(), "{source:?}");
        let policy = source.source().expect("the policy's refusal");
        assert!(policy.downcast_ref::<crate::version::Refused>().is_some(), "{policy:?}");
    }

    #[test]
    fn a_setting_in_the_stages_file_decides_the_location_and_the_cause_decides_the_title() {
        let cause: Error = crate::state::Error::ContainerNotFound {
            address: "kubernetes_deployment_v1.web".into(),
            name: "nope".into(),
            names: vec!["web".into(), "sidecar".into()],
        }
        .into();
        let e = Error::Stage {
            stage: "dev".into(),
            role: "source",
            source: Box::new(Error::InSetting {
                file: ".github/stages.yml".into(),
                line: 5,
                setting: "container",
                source: Box::new(cause),
            }),
        };
        assert_eq!(e.title(), "container not found");
        assert_eq!(e.location(), Some((".github/stages.yml".to_string(), Some(5))));
        assert_eq!(
            e.to_string(),
            "source stage dev: .github/stages.yml line 5, `container`: kubernetes_deployment_v1.web has no container \"nope\"; its containers are: web, sidecar"
        );
        let mut chain = 0;
        let mut at: Option<&dyn std::error::Error> = Some(&e);
        while let Some(next) = at {
            chain += 1;
            at = next.source();
        }
        assert!(chain >= 3, "stage → setting → cause: {chain}");
    }

    #[test]
    fn an_input_names_itself_and_leaves_the_title_to_its_cause() {
        let e = Error::InInput {
            input: "address",
            source: Box::new(
                crate::state::Error::BadAddress {
                    address: "a b".into(),
                    column: 2,
                    problem: "white space is not allowed in an address".into(),
                }
                .into(),
            ),
        };
        assert_eq!(e.title(), "invalid address");
        assert_eq!(e.location(), None);
        assert!(e.to_string().starts_with("input `address`: \"a b\" is not a Terraform address: white space"), "{e}");
    }
}
