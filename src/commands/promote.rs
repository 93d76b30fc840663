//! `command: promote`: pick what the next stage should run, from what its source stage runs,
//! and refuse the unsafe promotions.

use super::deployments::{self, Access};
use super::read::{Outcome, HIDDEN};
use super::stage_file::{given, load, read_stage, reading, runs_nothing_yet};
use super::{Context, Spec};
use crate::action::{Inputs, Report, Summary, Table};
use crate::error::{Error, InputProblem, Result};
use crate::host;
use crate::stages::{self, NoClock, PromotionRequest, Reading};
use crate::state::image;
use crate::text::quote;

/// The command's name and inputs.
pub const SPEC: Spec = Spec {
    name: "promote",
    about: "pick the image a stage should run from its source stage, refusing unsafe promotions",
    inputs: &["to", "image-tag", "commit", "stages-file", "allow-locked", "allow-rollback", "token", "timeout"],
    outputs: &["image", "image-tag", "image-digest", "previous-image", "previous-image-tag", "changed", "from", "to"],
    run: start,
};

/// [`run`] as the registry calls it.
fn start<'a>(inputs: &'a Inputs, context: &'a Context, report: &'a mut Report) -> super::Running<'a> {
    Box::pin(run(inputs, context, report))
}

/// A stage's row in the summary table; a `secret` image shows as [`HIDDEN`].
pub fn row(name: &str, reading: Option<&Reading>, secret: bool, note: &str) -> Vec<String> {
    match reading {
        Some(r) if secret => vec![
            name.to_string(),
            HIDDEN.to_string(),
            HIDDEN.to_string(),
            HIDDEN.to_string(),
            r.serial.map(|s| s.to_string()).unwrap_or_default(),
        ],
        Some(r) => vec![
            name.to_string(),
            r.image.clone(),
            r.tag.clone().unwrap_or_default(),
            r.digest.clone().unwrap_or_default(),
            r.serial.map(|s| s.to_string()).unwrap_or_default(),
        ],
        None => vec![name.to_string(), note.to_string(), String::new(), String::new(), String::new()],
    }
}

/// The header of the stage table.
pub fn header() -> Vec<String> {
    ["stage", "image", "tag", "digest", "serial"].iter().map(|s| s.to_string()).collect()
}

/// The validated inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The stage to promote into.
    pub to: String,
    /// `image-tag`: the tag the source stage must run, when given.
    pub image_tag: Option<String>,
    /// `commit`: the release's commit (7 to 40 hex digits, in lower case), when given: the
    /// source's image must have been built from it.
    pub commit: Option<String>,
    /// The stages file as given: `stages-file`, else [`super::stage_file::DEFAULT`].
    pub stages_file: String,
    /// `allow-locked`: promote even while Terraform holds a lock on either stage's state.
    pub allow_locked: bool,
    /// `allow-rollback`: promote even when it takes the target back to an older image.
    pub allow_rollback: bool,
    /// The token and repository the stages' recorded deployments are read with.
    pub access: Access,
}

impl Config {
    /// Checks every input before any file is read, and lists every problem at once; pure.
    /// Of the run's environment only the repository is read (for the deployments).
    pub fn from_inputs(inputs: &Inputs, context: &Context) -> Result<Config> {
        let mut problems = Vec::new();
        let to = inputs.get("to");
        if to.is_none() {
            problems.push(InputProblem::new("to", "is required: the stage to promote into, e.g. qa"));
        }
        let image_tag = inputs.get("image-tag");
        if let Some(Err(why)) = image_tag.map(check_tag) {
            problems.push(InputProblem::new("image-tag", why));
        }
        let commit = inputs.get("commit");
        if let Some(Err(why)) = commit.map(check_commit) {
            problems.push(InputProblem::new("commit", why));
        }
        let allow_locked = inputs.boolean("allow-locked", false).unwrap_or_else(|p| {
            problems.push(p);
            false
        });
        let allow_rollback = inputs.boolean("allow-rollback", false).unwrap_or_else(|p| {
            problems.push(p);
            false
        });
        let access = Access::from_inputs(inputs, context, &mut problems);
        let (Some(to), true) = (to, problems.is_empty()) else {
            return Err(Error::Inputs(problems));
        };
        Ok(Config {
            to: to.to_string(),
            image_tag: image_tag.map(str::to_string),
            commit: commit.map(str::to_ascii_lowercase),
            stages_file: given(inputs),
            allow_locked,
            allow_rollback,
            access,
        })
    }
}

/// `image-tag` is compared with the tag the source stage runs, which is always a valid tag by
/// Docker's grammar (a stage's image is checked when it is read): a value that is not one
/// could never match, so it is refused before any state is read, with what to write instead.
fn check_tag(tag: &str) -> std::result::Result<(), String> {
    if tag.contains([':', '/', '@']) {
        return Err(format!(
            "{} is not a tag: give the tag alone (1.4.2), without the image's name or digest",
            quote(tag)
        ));
    }
    // A tag is valid when it makes `x:TAG` a valid reference.
    image::parse(&format!("x:{tag}")).map(|_| ())
}

/// `commit` is compared with the commit SHA a source image is tagged with: anything but 7 to 40
/// hex digits could never match, so it is refused before any state is read.
fn check_commit(commit: &str) -> std::result::Result<(), String> {
    if crate::stages::commit_of(Some(&commit.to_ascii_lowercase())).is_some() {
        return Ok(());
    }
    Err(format!(
        "{} is not a commit SHA: give the release's commit, 7 to 40 hex digits (`${{{{ github.sha }}}}`)",
        quote(commit)
    ))
}

/// Runs the promotion decision.
pub async fn run(inputs: &Inputs, context: &Context, report: &mut Report) -> Result<()> {
    let config = Config::from_inputs(inputs, context)?;
    let (to, expected_tag) = (config.to.as_str(), config.image_tag.as_deref());
    let file_name = config.stages_file.as_str();
    let file = load(file_name, context)?;
    let target = file.stage("to", to)?;
    // A stage without `from` or on hold needs no state read to be refused.
    let from = stages::promotion_source(target)
        .map_err(|r| stages::Error::Refused { to: to.to_string(), refusal: Box::new(r) })?;
    let source = file.stage("to", from)?;

    fn wrap<'n>(role: &'static str, name: &'n str) -> impl Fn(Error) -> Error + 'n {
        move |e| Error::Stage { stage: name.to_string(), role, source: Box::new(e) }
    }
    let source_found = read_stage(file_name, source, context, report)
        .await
        .and_then(Outcome::found)
        .map_err(wrap("source", &source.name))?;
    source_found.warn(Some(&source.name), report);
    let mut source_reading = reading(&source_found, report).map_err(wrap("source", &source.name))?;
    let source_secret = source_found.image_is_secret();
    let target_read = read_stage(file_name, target, context, report).await;
    let (target_reading, target_secret) = match target_read {
        read if runs_nothing_yet(&read) => {
            report.debug.push(format!("{} runs nothing yet", target.name));
            (None, false)
        }
        Ok(Outcome::Found(found)) => {
            found.warn(Some(&target.name), report);
            (Some(reading(&found, report).map_err(wrap("target", &target.name))?), found.image_is_secret())
        }
        Ok(Outcome::NoStateYet(e)) | Err(e) => return Err(wrap("target", &target.name)(e)),
    };

    if let Some(token) = &config.access.token {
        report.secret(token.expose());
    }
    let github = config.access.client(context)?;
    // The soak clock: since when the source runs its image, from its recorded deployments,
    // else its backend's own change time (already in the reading).
    let mut no_clock = NoClock::NotRecorded;
    if target.min_soak.is_some() {
        match &github {
            Some(github) => {
                let history = deployments::history(github, &source.name).await?;
                if let Some(since) = stages::running_since(&history, &source_reading.image) {
                    source_reading.changed_at_ms = Some(since);
                }
            }
            None => no_clock = NoClock::NoToken,
        }
    }
    // What the target ran before: a promotion back to it is a rollback. Without a token, or
    // when the deployments cannot be read, only the versions tell.
    let mut target_history = Vec::new();
    if let (Some(github), Some(now)) = (&github, &target_reading) {
        if now.image != source_reading.image {
            match deployments::history(github, &target.name).await {
                Ok(history) => target_history = history,
                Err(e) => report.warning(
                    "deployments not readable",
                    format!(
                        "the deployments to {} cannot be read, so only the image tags tell a rollback: {e}",
                        target.name
                    ),
                ),
            }
        }
    }

    let request = PromotionRequest {
        target,
        source,
        source_reading: &source_reading,
        target_reading: target_reading.as_ref(),
        expected_tag,
        expected_commit: config.commit.as_deref(),
        now_ms: host::now_ms(),
        allow_locked: config.allow_locked,
        target_history: &target_history,
        allow_rollback: config.allow_rollback,
        no_clock,
    };
    let promotion = stages::decide(&request)
        .map_err(|r| stages::Error::Refused { to: target.name.clone(), refusal: Box::new(r) })?;

    // Promoting under a lock was asked for (`allow-locked`): said, so the log shows it.
    for (stage, reading) in [(source, Some(&source_reading)), (target, target_reading.as_ref())] {
        if let Some(lock) = reading.and_then(|r| r.lock.as_ref()) {
            report.warning(
                "state locked",
                format!("the state of {} is {lock}; promoting anyway (`allow-locked: true`)", stage.name),
            );
        }
    }
    report.output("image", promotion.image.clone());
    report.output("image-tag", promotion.tag.clone().unwrap_or_default());
    report.output("image-digest", promotion.digest.clone().unwrap_or_default());
    report.output("previous-image", promotion.previous.clone().unwrap_or_default());
    report.output("previous-image-tag", target_reading.as_ref().and_then(|r| r.tag.clone()).unwrap_or_default());
    report.output("changed", promotion.changed.to_string());
    report.output("from", promotion.from.clone());
    report.output("to", promotion.to.clone());
    if source_secret {
        report.sensitive_outputs.extend(["image", "image-tag", "image-digest"]);
    }
    if target_secret {
        report.sensitive_outputs.extend(["previous-image", "previous-image-tag"]);
    }

    let shown = if source_secret { HIDDEN } else { promotion.image.as_str() };
    let decision = if promotion.changed {
        format!("promote {shown} from {} into {}", promotion.from, promotion.to)
    } else {
        format!("{} already runs {shown}: nothing to change", promotion.to)
    };
    report.log.push(decision.clone());
    let mut notes = vec![format!("Decision: {decision}.")];
    if let Some(why) = &promotion.rollback {
        let previous = promotion.previous.as_deref().unwrap_or_default();
        let (image, previous) = if source_secret || target_secret { (HIDDEN, HIDDEN) } else { (shown, previous) };
        let message = format!("{} (`allow-rollback: true`)", why.describe(&promotion.to, image, previous));
        report.warning("rollback", message.clone());
        notes.push(format!("Rollback: {message}."));
    }
    if let Some(soaked) = promotion.soaked {
        notes.push(format!("{} has been unchanged for {}.", promotion.from, stages::format_duration(soaked)));
    }
    report.summary = Summary {
        title: format!("stage-action promote: {} → {}", promotion.from, promotion.to),
        rows: Vec::new(),
        table: Some(Table {
            header: header(),
            rows: vec![
                row(&source.name, Some(&source_reading), source_secret, ""),
                row(&target.name, target_reading.as_ref(), target_secret, "(no state yet)"),
            ],
        }),
        notes,
    };
    Ok(())
}
