//! Reading what an address holds in a state: open the backend, stream-load what the address
//! needs, answer it. Shared by `lookup` and the stage commands.

use crate::backend::{self, Opened, Source};
use crate::error::{Error, Result};
use crate::state::{self, Answer, Lookup, Want};

/// An answer, with what is known of the state it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// The state file, as named to a person.
    pub state_name: String,
    /// The workspace, when read from a working directory.
    pub workspace: Option<String>,
    /// When the state last changed, as its backend keeps it (never a local file's
    /// modification time: a checkout resets it), ms since the epoch.
    pub modified_ms: Option<f64>,
    /// The state's serial.
    pub serial: Option<u64>,
    /// The state's lineage.
    pub lineage: Option<String>,
    /// The Terraform version that wrote it.
    pub terraform_version: Option<String>,
    /// The lock Terraform holds on the state, when the backend shows one.
    pub lock: Option<backend::Lock>,
    /// What the backend said beside the state, for a person: e.g. that the lock is unknown.
    pub warnings: Vec<String>,
    /// The answer.
    pub answer: Answer,
}

impl Found {
    /// Says, as warnings of `report`, what the backend noted beside the state (that its lock is
    /// unknown), naming the stage when there is one.
    pub fn warn(&self, stage: Option<&str>, report: &mut crate::action::Report) {
        for note in &self.warnings {
            let message = match stage {
                Some(stage) => format!("stage {stage}: {note}"),
                None => note.clone(),
            };
            report.warning("lock unknown", message);
        }
    }

    /// The warning for a state read under Terraform's lock: what it says, and why it matters.
    pub fn lock_warning(&self) -> Option<String> {
        let lock = self.lock.as_ref()?;
        Some(format!("state {} is {lock}: an apply may be in progress, and the state about to change", self.state_name))
    }

    /// Whether the image must stay hidden: the whole answer is sensitive, or the image holds a
    /// value Terraform marked sensitive.
    pub fn image_is_secret(&self) -> bool {
        let a = &self.answer;
        a.image.as_deref().is_some_and(|image| a.sensitive || a.secrets.iter().any(|s| image.contains(s.as_str())))
    }
}

/// Shown in a summary or the log in place of a sensitive value and its parts.
pub const HIDDEN: &str = "(sensitive)";

/// Said in a message in place of a sensitive value ("output.image runs a sensitive value, …").
pub const HIDDEN_IN_MESSAGE: &str = "a sensitive value";

/// Registers a secret image and every part of it an output may carry (the repository, tag and
/// digest), so that none of them prints, whichever output a workflow echoes.
pub fn mask_image(report: &mut crate::action::Report, image: &str) {
    report.secret(image);
    if let Ok(r) = crate::state::image::parse(image) {
        report.secret(r.repository);
        report.secrets.extend(r.tag.into_iter().chain(r.digest).map(str::to_string));
    }
}

/// What reading a stage's state found: an answer, or no state at all yet.
pub enum Outcome {
    /// The answer at the address (boxed: it is much larger than the other variant).
    Found(Box<Found>),
    /// The backend has no state there yet ([`backend::NoState`]); the error says so, for a
    /// command that needs one.
    NoStateYet(Error),
}

impl Outcome {
    /// The answer, or the backend's "no state yet" as the error it is for `lookup`.
    pub fn found(self) -> Result<Found> {
        match self {
            Outcome::Found(found) => Ok(*found),
            Outcome::NoStateYet(e) => Err(e),
        }
    }
}

/// Reads `address` (and `container`) from the state at `source`; debug lines go to `debug`.
pub async fn read(source: &Source, address: &str, container: Option<&str>, debug: &mut Vec<String>) -> Result<Outcome> {
    let parsed_address = state::parse_address(address)?;
    let snapshot = match backend::open(source).await? {
        Opened::State(snapshot) => snapshot,
        Opened::NoStateYet(none) => return Ok(Outcome::NoStateYet(none.error().into())),
    };
    debug.push(format!("reading {} ({} bytes)", snapshot.name, snapshot.size.unwrap_or_default()));
    let loaded = state::load(snapshot.body, snapshot.size, &snapshot.name, &Want::for_address(&parsed_address))?;
    let parsed = loaded.state(&snapshot.name)?;
    debug.push(format!(
        "state format {}, Terraform {}, {} resources, {} outputs",
        parsed.format_version,
        parsed.terraform_version.as_deref().unwrap_or("unknown"),
        parsed.resources.len(),
        parsed.outputs.len()
    ));
    let answer = state::lookup_parsed(&parsed, &parsed_address, Lookup { address, container, origin: &snapshot.name })?;
    Ok(Outcome::Found(Box::new(Found {
        state_name: snapshot.name,
        workspace: snapshot.workspace,
        modified_ms: snapshot.modified_ms,
        serial: parsed.serial,
        lineage: parsed.lineage.clone(),
        terraform_version: parsed.terraform_version.clone(),
        lock: snapshot.lock,
        warnings: snapshot.warnings,
        answer,
    })))
}
