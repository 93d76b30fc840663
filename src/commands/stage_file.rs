//! The stages file, read for a command, and each stage's state read as a [`Reading`].

use super::read::{mask_image, read, Found, Outcome, HIDDEN_IN_MESSAGE};
use super::Context;
use crate::action::{Inputs, Report};
use crate::backend::Error as BackendError;
use crate::backend::{self, local, Settings, Source};
use crate::error::{Error, Result};
use crate::files::{within, Named, SMALL_FILE_LIMIT};
use crate::stages::{self, Reading, Stage, StagesFile};
use crate::state::{image, Error as StateError, ErrorKind};
use crate::text::quote;

/// Where the stages file is, unless `stages-file` says otherwise.
pub const DEFAULT: &str = ".github/stages.yml";

/// The stages file named by input `stages-file`, as given (relative to `GITHUB_WORKSPACE`).
pub fn given(inputs: &Inputs) -> String {
    inputs.get("stages-file").unwrap_or(DEFAULT).to_string()
}

/// Reads and checks the stages file `given` (see [`given`]); returns its stages.
pub fn load(given: &str, context: &Context) -> Result<StagesFile> {
    let workspace = &context.workspace;
    let path = local::resolve(workspace, given);
    let file = Named { path: &path, given, setting: "input `stages-file`", within: within(workspace, given) };
    let Some(bytes) = file.read(SMALL_FILE_LIMIT)? else {
        return Err(stages::Error::FileMissing { file: given.to_string() }.into());
    };
    let text = String::from_utf8_lossy(&bytes);
    Ok(stages::parse(given, &text).map_err(|problems| stages::Error::invalid(given, problems))?)
}

/// The stage called `name`, or an error naming the stages that exist.
pub fn stage<'f>(file: &'f StagesFile, input: &str, name: &str) -> Result<&'f Stage> {
    Ok(file.stage(input, name)?)
}

/// Where a stage's state is; `file` is the stages file, named in advice. A setting the backend
/// refuses (a `workspace` that is not a workspace name) is a problem of the stages file, at its
/// line.
pub fn source(file: &str, stage: &Stage, context: &Context) -> Result<Source> {
    let settings = Settings::from_stage(file, stage);
    backend::configure(&settings, context)
        .map_err(|problems| stages::Error::invalid(file, in_file(file, stage, &settings, problems)).into())
}

/// The backend's problems with `stage`'s settings, each at its line of the stages file `file`.
pub fn in_file(
    file: &str,
    stage: &Stage,
    settings: &Settings,
    problems: Vec<backend::Problem>,
) -> Vec<stages::Problem> {
    problems
        .into_iter()
        .map(|p| stages::Problem {
            file: file.to_string(),
            line: p.line.or(settings.line(p.setting)).unwrap_or(stage.line),
            column: None,
            message: format!("stage {}: {}", stage.name, p.message),
        })
        .collect()
}

/// Reads what `stage` of the stages file `file` runs; the credentials of its backend are masked
/// in `report` before anything is read. A problem that a setting of the stage causes — a state
/// that is not there, an address or container the state does not have — is that setting's, not
/// an input's: the error, and a "no state yet", point at its line of the stages file.
pub async fn read_stage(file: &str, stage: &Stage, context: &Context, report: &mut Report) -> Result<Outcome> {
    let at = |e: Error| in_setting(file, stage, e);
    let source = source(file, stage, context)?;
    backend::mask(&source, report);
    match read(&source, &stage.address, stage.container.as_deref(), &mut report.debug).await {
        Ok(Outcome::NoStateYet(why)) => Ok(Outcome::NoStateYet(at(why))),
        // A local file's modification time is never the soak clock: the local backend reports
        // none (a checkout resets it).
        Ok(Outcome::Found(found)) => Ok(Outcome::Found(found)),
        Err(e) => Err(at(e)),
    }
}

/// `e`, as the fault of the stage setting that caused it, when one did.
fn in_setting(file: &str, stage: &Stage, e: Error) -> Error {
    let lines = &stage.lines;
    let (setting, line) = match &e {
        Error::Backend(_) | Error::File(_) => ("state", lines.state),
        Error::State(s) => match s.kind() {
            ErrorKind::Io => ("state", lines.state),
            ErrorKind::Container => ("container", lines.container.unwrap_or(stage.line)),
            ErrorKind::InvalidAddress | ErrorKind::AddressNotFound => ("address", lines.address),
            // The state itself is broken: its own message says where.
            ErrorKind::Unreadable | ErrorKind::NoImage | ErrorKind::InvalidImage | ErrorKind::Internal => return e,
        },
        _ => return e,
    };
    let e = match e {
        Error::Backend(BackendError::StateNotFound { path, hint: None }) => BackendError::StateNotFound {
            path,
            hint: Some("fix the path, or run this stage's first terraform apply".into()),
        }
        .into(),
        other => other,
    };
    Error::InSetting { file: file.to_string(), line, setting, source: Box::new(e) }
}

/// Whether a stage runs nothing yet: its backend has no state ([`Outcome::NoStateYet`]), or
/// the state has no such address or no instance of it (its first apply is to come).
pub fn runs_nothing_yet(read: &Result<Outcome>) -> bool {
    match read {
        Ok(Outcome::NoStateYet(_)) => true,
        Ok(Outcome::Found(_)) => false,
        Err(e) => matches!(e.innermost(), Error::State(s) if s.nothing_deployed()),
    }
}

/// What a stage's answer says it runs, for the promotion decision; an error when the address
/// holds no image, or one that is not a valid reference by Docker's grammar: every image a stage
/// command passes on (an output, a summary, a deployment) has been checked here. A secret image
/// is masked in `report` first, so that not even its error can show it.
pub fn reading(found: &Found, report: &mut Report) -> Result<Reading> {
    let Some(reference) = found.answer.image.clone() else {
        return Err(
            StateError::NoImage { address: found.answer.address.clone(), state: found.state_name.clone() }.into()
        );
    };
    let secret = found.image_is_secret();
    if secret {
        mask_image(report, &reference);
    }
    let parsed = image::parse(&reference).map_err(|why| StateError::InvalidImage {
        address: found.answer.address.clone(),
        state: found.state_name.clone(),
        reference: if secret { HIDDEN_IN_MESSAGE.into() } else { quote(&reference) },
        why,
    })?;
    Ok(Reading {
        tag: parsed.tag.map(str::to_string),
        digest: parsed.digest.map(str::to_string),
        image: reference,
        tainted: found.answer.tainted,
        changed_at_ms: found.modified_ms,
        serial: found.serial,
        lock: found.lock.as_ref().map(|l| l.to_string()),
    })
}
