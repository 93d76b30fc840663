//! The crate's one error type.
//!
//! Every variant carries the context a person reading a workflow log needs — the input, the file,
//! the address — and its `Display` says what is wrong, where, and what to do about it. Messages
//! are tested word for word, so change them on purpose.

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
    /// A file or directory could not be read or written by the host.
    Io { op: &'static str, path: String, message: String },
    /// A file the action will not read: not a regular file, too large, or leading outside the
    /// workspace. `why` follows the path ("is a FIFO (named pipe)"); `hint` says what to do.
    FileRefused { path: String, why: String, hint: String },
    /// The `state` input names nothing that exists.
    StateNotFound { path: String, hint: Option<String> },
    /// A working directory's selected workspace has no state.
    WorkspaceNotFound { workspace: String, selected_by: String, dir: String, existing: Vec<String> },
    /// The working directory keeps its state in a remote backend.
    RemoteBackend { dir: String, backend: String },
    /// The state file is empty (or only white space).
    EmptyState { path: String },
    /// The state file is not UTF-8 text.
    NotText { path: String, offset: usize },
    /// The state file is not valid JSON.
    NotJson { path: String, line: usize, column: usize, detail: String },
    /// The JSON nests deeper than any Terraform state does.
    TooDeep { path: String, at: String },
    /// Valid JSON, but not a Terraform state.
    NotAState { path: String, why: String },
    /// A state format version this action does not read.
    UnsupportedVersion { path: String, version: String },
    /// OpenTofu client-side encrypted state.
    Encrypted { path: String },
    /// `.terraform/terraform.tfstate`: the backend settings, not a state.
    BackendSettings { path: String },
    /// The state is JSON of the right version but a field has the wrong shape.
    MalformedState { path: String, detail: String },
    /// The `address` input does not parse as a Terraform address.
    BadAddress { address: String, column: usize, problem: String },
    /// No output or resource with this address exists in the state.
    AddressNotFound { address: String, state: String, suggestions: Vec<String> },
    /// A resource with count or for_each was addressed without an instance key.
    InstanceKeyRequired { address: String, keys: Vec<String> },
    /// The instance key does not exist.
    InstanceNotFound { address: String, keys: Vec<String> },
    /// An instance key was given for a resource without count or for_each.
    UnexpectedInstanceKey { address: String, resource: String },
    /// The resource is in the state but has no instance (count = 0, or all destroyed).
    NoInstances { address: String },
    /// Only a deposed object exists for this instance: it is being replaced.
    OnlyDeposed { address: String },
    /// The attribute path does not exist in the instance or output.
    AttributeNotFound { address: String, found: String, missing: String, available: Vec<String> },
    /// A workload with several containers was addressed without the `container` input.
    ContainerRequired { address: String, names: Vec<String> },
    /// The named container is not in the workload.
    ContainerNotFound { address: String, name: String, names: Vec<String> },
    /// `container` was given but the address does not resolve to a workload.
    NotAWorkload { address: String, container: String },
    /// A GitHub API call failed.
    GitHub { what: String, status: Option<u16>, message: String, hint: String },
    /// The GitHub API's rate limit is used up.
    RateLimited { what: String, reset: String },
    /// A proposed release is invalid or refused.
    Version(crate::version::Error),
    /// The stages file does not exist.
    StagesFileMissing { file: String },
    /// The stages file has problems: each a line and a message (`line L[, column C]: …`).
    StagesFile { file: String, problems: Vec<(usize, String)> },
    /// An input names a stage the stages file does not have.
    UnknownStage { input: String, name: String, known: Vec<String> },
    /// A stage's address holds no image reference.
    NoImage { address: String, state: String },
    /// A stage's address holds something that is not an image reference by Docker's grammar
    /// (`reference` is quoted short, or says it is sensitive).
    InvalidImage { address: String, state: String, reference: String, why: String },
    /// The promotion is refused (the message says why and what to do).
    Promotion { to: String, message: String },
    /// A stage's state could not be read.
    Stage { stage: String, role: &'static str, source: Box<Error> },
    /// The deployment was created, but marking it successful failed: it exists, pending.
    PartlyRecorded { id: u64, environment: String, repo: String, source: Box<Error> },
    /// A git command failed.
    Git { command: String, message: String, hint: String },
    /// A problem caused by one input of the step: names it.
    InInput { input: &'static str, source: Box<Error> },
    /// A problem caused by one setting of a stage in the stages file: points the annotation at
    /// that line (`line` is the stage's own line when the setting is absent).
    InSetting { file: String, line: usize, setting: &'static str, source: Box<Error> },
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
            Error::StagesFile { file, problems } => Some((file.clone(), problems.first().map(|p| p.0))),
            Error::StagesFileMissing { file } => Some((file.clone(), None)),
            Error::Stage { source, .. } | Error::InInput { source, .. } => source.location(),
            Error::InSetting { file, line, .. } => Some((file.clone(), Some(*line))),
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
    pub fn title(&self) -> &'static str {
        match self {
            Error::Inputs(_) | Error::UnknownCommand { .. } | Error::UnknownStage { .. } => "invalid input",
            Error::Environment { .. } => "runner environment",
            // Io is any file (a state, a version file, the stages file), not only a state.
            Error::Io { .. } => "cannot read file",
            Error::FileRefused { .. } => "file refused",
            Error::StateNotFound { .. } | Error::WorkspaceNotFound { .. } | Error::RemoteBackend { .. } => {
                "state not found"
            }
            Error::EmptyState { .. }
            | Error::NotText { .. }
            | Error::NotJson { .. }
            | Error::TooDeep { .. }
            | Error::NotAState { .. }
            | Error::UnsupportedVersion { .. }
            | Error::Encrypted { .. }
            | Error::BackendSettings { .. }
            | Error::MalformedState { .. } => "unreadable state",
            Error::BadAddress { .. } => "invalid address",
            Error::AddressNotFound { .. }
            | Error::InstanceKeyRequired { .. }
            | Error::InstanceNotFound { .. }
            | Error::UnexpectedInstanceKey { .. }
            | Error::NoInstances { .. }
            | Error::OnlyDeposed { .. }
            | Error::AttributeNotFound { .. } => "address not found",
            Error::ContainerRequired { .. } | Error::ContainerNotFound { .. } | Error::NotAWorkload { .. } => {
                "container not found"
            }
            Error::GitHub { .. } | Error::RateLimited { .. } | Error::PartlyRecorded { .. } => "GitHub API error",
            Error::Git { .. } => "git error",
            Error::Version(e) => match e.kind() {
                crate::version::error::Kind::Invalid => "invalid version",
                crate::version::error::Kind::Refused => "release refused",
            },
            Error::StagesFileMissing { .. } | Error::StagesFile { .. } => "invalid stages file",
            Error::NoImage { .. } => "no image",
            Error::InvalidImage { .. } => "invalid image",
            Error::Promotion { .. } => "promotion refused",
            Error::Stage { source, .. } | Error::InInput { source, .. } | Error::InSetting { source, .. } => {
                source.title()
            }
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
            Error::Io { op, path, message } => write!(f, "cannot {op} {path}: {message}"),
            Error::FileRefused { path, why, hint } => write!(f, "{path} {why}; {hint}"),
            Error::StateNotFound { path, hint } => {
                write!(f, "state {path} does not exist")?;
                match hint {
                    Some(h) => write!(f, "; {h}"),
                    None => f.write_str(
                        "; set input `state` to a .tfstate file or to the Terraform working directory that holds terraform.tfstate",
                    ),
                }
            }
            Error::WorkspaceNotFound { workspace, selected_by, dir, existing } => {
                write!(f, "workspace \"{workspace}\" (selected by {selected_by}) has no state in {dir}; ")?;
                if existing.is_empty() {
                    f.write_str("no workspace there has a state: run terraform apply first, or point `state` at another directory")
                } else {
                    write!(f, "workspaces with a state: {}; set input `workspace` to one of them", existing.join(", "))
                }
            }
            Error::RemoteBackend { dir, backend } => write!(
                f,
                "{dir} keeps its state in Terraform's \"{backend}\" backend, not in the directory; this action reads local state files: add a step that runs `terraform -chdir={dir} state pull > {dir}.tfstate` and set `state` to that file"
            ),
            Error::EmptyState { path } => write!(
                f,
                "state {path} is empty: a Terraform state is a JSON object; was it truncated, or is this the wrong file?"
            ),
            Error::NotText { path, offset } => write!(
                f,
                "state {path} is not UTF-8 text (invalid byte at offset {offset}): is it compressed or encrypted? Decompress it first"
            ),
            Error::NotJson { path, line, column, detail } => write!(
                f,
                "state {path} is not valid JSON: {detail} at line {line}, column {column}"
            ),
            Error::TooDeep { path, at } => write!(
                f,
                "state {path} nests JSON more than 128 levels deep ({at}): Terraform never writes that; this file is not a state"
            ),
            Error::NotAState { path, why } => write!(f, "{path} is not a Terraform state: {why}"),
            Error::UnsupportedVersion { path, version } => write!(
                f,
                "state {path} has format version {version}; this action reads versions 1 to 4 (Terraform 0.x to 1.x)"
            ),
            Error::Encrypted { path } => write!(
                f,
                "state {path} is encrypted by OpenTofu (it has `encrypted_data`); decrypt it first, e.g. with `tofu show -json`, or read an unencrypted state"
            ),
            Error::BackendSettings { path } => write!(
                f,
                "{path} holds Terraform's backend settings, not a state; set input `state` to the working directory (the folder that holds .terraform) or to its terraform.tfstate"
            ),
            Error::MalformedState { path, detail } => write!(f, "state {path} is malformed: {detail}"),
            Error::BadAddress { address, column, problem } => {
                write!(f, "input `address`: {}", bad_address(address, *column, problem))
            }
            Error::AddressNotFound { address, state, suggestions } => {
                write!(f, "address {address} not found in {state}")?;
                if !suggestions.is_empty() {
                    write!(f, "; did you mean {}?", suggestions.join(" or "))?;
                }
                Ok(())
            }
            Error::InstanceKeyRequired { address, keys } => write!(
                f,
                "{address} has several instances (count or for_each); add one of the keys: {}",
                crate::text::list(keys, 10)
            ),
            Error::InstanceNotFound { address, keys } => write!(
                f,
                "instance {address} not found; the instances are: {}",
                crate::text::list(keys, 10)
            ),
            Error::UnexpectedInstanceKey { address, resource } => write!(
                f,
                "instance {address} not found: {resource} has no count or for_each; address it as {resource}"
            ),
            Error::NoInstances { address } => write!(
                f,
                "{address} is in the state but has no instances (count or for_each is empty, or it was destroyed)"
            ),
            Error::OnlyDeposed { address } => write!(
                f,
                "{address} has only a deposed object (it is being replaced); run terraform apply to finish the replacement"
            ),
            Error::AttributeNotFound { address, found, missing, available } => {
                write!(f, "{address} not found: {found} has no {missing}")?;
                if !available.is_empty() {
                    write!(f, "; it has {}", crate::text::list(available, 12))?;
                }
                Ok(())
            }
            Error::ContainerRequired { address, names } => write!(
                f,
                "{address} has {} containers; set `container` to one of: {}",
                names.len(),
                names.join(", ")
            ),
            Error::ContainerNotFound { address, name, names } => write!(
                f,
                "{address} has no container \"{name}\"; its containers are: {}",
                names.join(", ")
            ),
            Error::NotAWorkload { address, container } => write!(
                f,
                "\"{container}\" was given as `container`, but {address} is not a Kubernetes workload with containers; remove `container`, or address a deployment, stateful set, daemon set, job, cron job, pod or kubernetes_manifest"
            ),
            Error::GitHub { what, status, message, hint } => {
                write!(f, "cannot {what}: ")?;
                match (status, message.is_empty()) {
                    (Some(s), false) => write!(f, "GitHub answered {s} \"{message}\"")?,
                    (Some(s), true) => write!(f, "GitHub answered {s}")?,
                    (None, _) => f.write_str(message)?,
                }
                write!(f, "; {hint}")
            }
            Error::Version(e) => e.fmt(f),
            Error::StagesFileMissing { file } => write!(
                f,
                "the stages file {file} does not exist; create it (see \"Stages\" in the README), or set input `stages-file`"
            ),
            Error::StagesFile { file, problems } => {
                write!(f, "{file} is not a valid stages file:")?;
                for (_, p) in problems {
                    write!(f, "\n{p}")?;
                }
                Ok(())
            }
            Error::UnknownStage { input, name, known } => {
                write!(f, "input `{input}`: the stages file has no stage \"{name}\"; its stages are: {}", known.join(", "))
            }
            Error::NoImage { address, state } => write!(
                f,
                "{address} in {state} holds no image reference; point the stage's `address` at a workload, or at a value such as output.image"
            ),
            Error::InvalidImage { address, state, reference, why } => write!(
                f,
                "{address} in {state} runs {reference}, which is not a valid image reference: {why}; the action passes on only references Docker accepts, so fix the image this stage deploys"
            ),
            Error::Promotion { to, message } => write!(f, "cannot promote into {to}: {message}"),
            Error::Stage { stage, role, source } => write!(f, "{role} stage {stage}: {source}"),
            Error::InInput { input, source } => write!(f, "input `{input}`: {source}"),
            Error::InSetting { file, line, setting, source } => write!(f, "{file} line {line}, `{setting}`: {source}"),
            Error::PartlyRecorded { id, environment, repo, source } => write!(
                f,
                "deployment {id} to {environment} was created, but not marked successful, so GitHub shows it as pending: {source}; re-run this step, or mark it by hand: gh api repos/{repo}/deployments/{id}/statuses -f state=success"
            ),
            Error::Git { command, message, hint } => {
                write!(f, "{command} failed: {message}")?;
                if !hint.is_empty() {
                    write!(f, "; {hint}")?;
                }
                Ok(())
            }
            Error::RateLimited { what, reset } => write!(
                f,
                "cannot {what}: the GitHub API rate limit is used up until {reset}; wait, use a token with a higher limit, or use `tags-from: git`"
            ),
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
            Error::Version(e) => Some(e),
            _ => None,
        }
    }
}

/// Why an address does not parse, for the `address` input (or a stages file's `address`).
pub fn bad_address(address: &str, column: usize, problem: &str) -> String {
    format!(
        "{} is not a Terraform address: {problem} at column {column}; write it as Terraform prints it, e.g. output.image, module.app.kubernetes_deployment_v1.web[\"blue\"] or kubernetes_deployment_v1.web.spec[0].replicas",
        crate::text::quote(address)
    )
}

/// Phase one of the domain errors: the state's own values, shown as today's variants.
impl From<crate::state::Error> for Error {
    fn from(e: crate::state::Error) -> Error {
        use crate::state::Error as S;
        match e {
            S::Read { path, message } => Error::Io { op: "read", path, message },
            S::Empty { path } => Error::EmptyState { path },
            S::NotText { path, offset } => Error::NotText { path, offset },
            S::NotJson { path, line, column, detail } => Error::NotJson { path, line, column, detail },
            S::TooDeep { path, at } => Error::TooDeep { path, at },
            S::NotAState { path, why } => Error::NotAState { path, why },
            S::UnsupportedVersion { path, version } => Error::UnsupportedVersion { path, version },
            S::Encrypted { path } => Error::Encrypted { path },
            S::BackendSettings { path } => Error::BackendSettings { path },
            S::Malformed { path, detail } => Error::MalformedState { path, detail },
            S::BadAddress { address, column, problem } => Error::BadAddress { address, column, problem },
            S::AddressNotFound { address, state, suggestions } => Error::AddressNotFound { address, state, suggestions },
            S::InstanceKeyRequired { address, keys } => Error::InstanceKeyRequired { address, keys },
            S::InstanceNotFound { address, keys } => Error::InstanceNotFound { address, keys },
            S::UnexpectedInstanceKey { address, resource } => Error::UnexpectedInstanceKey { address, resource },
            S::NoInstances { address } => Error::NoInstances { address },
            S::OnlyDeposed { address } => Error::OnlyDeposed { address },
            S::AttributeNotFound { address, found, missing, available } => {
                Error::AttributeNotFound { address, found, missing, available }
            }
            S::ContainerRequired { address, names } => Error::ContainerRequired { address, names },
            S::ContainerNotFound { address, name, names } => Error::ContainerNotFound { address, name, names },
            S::NotAWorkload { address, container } => Error::NotAWorkload { address, container },
            S::NoImage { address, state } => Error::NoImage { address, state },
            S::InvalidImage { address, state, reference, why } => Error::InvalidImage { address, state, reference, why },
            S::Internal(message) => Error::Internal(message),
        }
    }
}

/// Phase one of the domain errors: a file's own values, shown as today's variants.
impl From<crate::files::Error> for Error {
    fn from(e: crate::files::Error) -> Error {
        match e {
            crate::files::Error::Io { op, path, message } => Error::Io { op, path, message },
            crate::files::Error::Refused { path, why, hint } => Error::FileRefused { path, why, hint },
        }
    }
}

/// Phase one of the domain errors: git's own value, shown as today's variant.
impl From<crate::tags::git::Error> for Error {
    fn from(e: crate::tags::git::Error) -> Error {
        Error::Git { command: e.command, message: e.message, hint: e.hint }
    }
}

impl From<crate::version::Error> for Error {
    fn from(e: crate::version::Error) -> Error {
        Error::Version(e)
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
