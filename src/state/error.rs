//! What can go wrong reading a state and answering an address in it.
//!
//! These are the state domain's own values: they say what is wrong with the file or the address,
//! never which input or stage setting named it. The top-level [`crate::error::Error`] adds that,
//! and decides the annotation's title from [`Error::kind`]. Messages are tested word for word.

use std::fmt;

use crate::text::list;

/// What kind of problem an [`Error`] is, for a title and for deciding which setting caused it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The bytes could not be read (the backend's stream failed).
    Io,
    /// The bytes are not a state this action reads.
    Unreadable,
    /// The address does not parse.
    InvalidAddress,
    /// The address parses but the state has nothing there.
    AddressNotFound,
    /// The `container` setting does not fit the workload at the address.
    Container,
    /// The address holds no image reference.
    NoImage,
    /// The address holds something that is not an image reference.
    InvalidImage,
    /// A broken invariant of the reader itself.
    Internal,
}

/// A problem with a state file or with an address in it. `path` and `state` name the state as
/// the user knows it (the file, relative to the workspace when inside it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// Reading the state's bytes failed midway.
    Read { path: String, message: String },
    /// The state file is empty (or only white space).
    Empty { path: String },
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
    Malformed { path: String, detail: String },
    /// The address does not parse as a Terraform address.
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
    /// A workload with several containers was addressed without a container.
    ContainerRequired { address: String, names: Vec<String> },
    /// The named container is not in the workload.
    ContainerNotFound { address: String, name: String, names: Vec<String> },
    /// A container was named but the address does not resolve to a workload.
    NotAWorkload { address: String, container: String },
    /// The address holds no image reference.
    NoImage { address: String, state: String },
    /// The address holds something that is not an image reference by Docker's grammar
    /// (`reference` is quoted short, or says it is sensitive).
    InvalidImage { address: String, state: String, reference: String, why: String },
    /// A broken invariant of the reader.
    Internal(String),
}

impl Error {
    /// What kind of problem this is.
    pub fn kind(&self) -> Kind {
        match self {
            Error::Read { .. } => Kind::Io,
            Error::Empty { .. }
            | Error::NotText { .. }
            | Error::NotJson { .. }
            | Error::TooDeep { .. }
            | Error::NotAState { .. }
            | Error::UnsupportedVersion { .. }
            | Error::Encrypted { .. }
            | Error::BackendSettings { .. }
            | Error::Malformed { .. } => Kind::Unreadable,
            Error::BadAddress { .. } => Kind::InvalidAddress,
            Error::AddressNotFound { .. }
            | Error::InstanceKeyRequired { .. }
            | Error::InstanceNotFound { .. }
            | Error::UnexpectedInstanceKey { .. }
            | Error::NoInstances { .. }
            | Error::OnlyDeposed { .. }
            | Error::AttributeNotFound { .. } => Kind::AddressNotFound,
            Error::ContainerRequired { .. } | Error::ContainerNotFound { .. } | Error::NotAWorkload { .. } => {
                Kind::Container
            }
            Error::NoImage { .. } => Kind::NoImage,
            Error::InvalidImage { .. } => Kind::InvalidImage,
            Error::Internal(_) => Kind::Internal,
        }
    }

    /// Whether this says that nothing is deployed at the address yet: the resource or output is
    /// not in the state, or it has no instance (count = 0). A promotion into such a stage is a
    /// first deployment.
    pub fn nothing_deployed(&self) -> bool {
        matches!(self, Error::AddressNotFound { .. } | Error::NoInstances { .. })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Read { path, message } => write!(f, "cannot read {path}: {message}"),
            Error::Empty { path } => write!(
                f,
                "state {path} is empty: a Terraform state is a JSON object; was it truncated, or is this the wrong file?"
            ),
            Error::NotText { path, offset } => write!(
                f,
                "state {path} is not UTF-8 text (invalid byte at offset {offset}): is it compressed or encrypted? Decompress it first"
            ),
            Error::NotJson { path, line, column, detail } => {
                write!(f, "state {path} is not valid JSON: {detail} at line {line}, column {column}")
            }
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
            Error::Malformed { path, detail } => write!(f, "state {path} is malformed: {detail}"),
            Error::BadAddress { address, column, problem } => write!(
                f,
                "{} is not a Terraform address: {problem} at column {column}; write it as Terraform prints it, e.g. output.image, module.app.kubernetes_deployment_v1.web[\"blue\"] or kubernetes_deployment_v1.web.spec[0].replicas",
                crate::text::quote(address)
            ),
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
                list(keys, 10)
            ),
            Error::InstanceNotFound { address, keys } => {
                write!(f, "instance {address} not found; the instances are: {}", list(keys, 10))
            }
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
                    write!(f, "; it has {}", list(available, 12))?;
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
            Error::NoImage { address, state } => write!(
                f,
                "{address} in {state} holds no image reference; point the stage's `address` at a workload, or at a value such as output.image"
            ),
            Error::InvalidImage { address, state, reference, why } => write!(
                f,
                "{address} in {state} runs {reference}, which is not a valid image reference: {why}; the action passes on only references Docker accepts, so fix the image this stage deploys"
            ),
            Error::Internal(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {}

/// The crate's result type for the state domain.
pub type Result<T, E = Error> = std::result::Result<T, E>;
