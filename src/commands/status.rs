//! `command: status`: what every stage runs, how each relates to the one it is promoted from
//! (`same`, `behind`, `ahead`, `diverged`), since when it runs it, and whether it is held or
//! locked. A stage that cannot be read shows why, without failing the others.

use serde_json::{json, Map, Value};

use super::deployments::{self, Access};
use super::promote::{header, row};
use super::read::Outcome;
use super::stage_file::{given, load, read_stage, reading, runs_nothing_yet};
use super::{Context, Spec};
use crate::action::{Inputs, Report, Summary, Table};
use crate::error::{Error, Result};
use crate::github::{Comparison, GitHub};
use crate::stages::{self, Deployed, Reading, Relation};
use crate::time::Utc;

/// The command's name and inputs.
pub const SPEC: Spec = Spec {
    name: "status",
    about: "show what every stage runs, and how each relates to the stage it is promoted from",
    inputs: &["stages-file", "token", "timeout"],
    outputs: &["stages", "locked"],
    run: start,
};

/// [`run`] as the registry calls it.
fn start<'a>(inputs: &'a Inputs, context: &'a Context, report: &'a mut Report) -> super::Running<'a> {
    Box::pin(run(inputs, context, report))
}

/// The validated inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The stages file as given: `stages-file`, else [`super::stage_file::DEFAULT`].
    pub stages_file: String,
    /// The token and repository the stages' recorded deployments are read with.
    pub access: Access,
}

impl Config {
    /// The inputs `status` reads; pure. Any text names a file: whether it is one is found
    /// when [`load`] reads it.
    pub fn from_inputs(inputs: &Inputs, context: &Context) -> Result<Config> {
        let mut problems = Vec::new();
        let access = Access::from_inputs(inputs, context, &mut problems);
        if !problems.is_empty() {
            return Err(Error::Inputs(problems));
        }
        Ok(Config { stages_file: given(inputs), access })
    }
}

/// The status table's header: promote's, and the relation to the source, since when, held and
/// locked.
pub fn status_header() -> Vec<String> {
    let mut h = header();
    h.extend(["relation", "since", "held", "locked"].map(String::from));
    h
}

/// How `stage` relates to `source` when the images, histories and versions do not tell: the
/// commits of SHA tags, compared through the API; else unknown.
async fn by_commits(github: Option<&GitHub>, source: &Reading, stage: &Reading, debug: &mut Vec<String>) -> Relation {
    let (Some(github), Some(from), Some(at)) =
        (github, stages::commit_of(source.tag.as_deref()), stages::commit_of(stage.tag.as_deref()))
    else {
        return Relation::Unknown;
    };
    match github.compare(at, from).await {
        // The source's commit is ahead of the stage's: the stage is behind.
        Ok(Comparison::Ahead) => Relation::Behind,
        Ok(Comparison::Behind) => Relation::Ahead,
        Ok(Comparison::Identical) => Relation::Same,
        Ok(Comparison::Diverged) => Relation::Diverged,
        Err(e) => {
            debug.push(format!("comparing {at} with {from}: {e}"));
            Relation::Unknown
        }
    }
}

/// Runs the status report.
pub async fn run(inputs: &Inputs, context: &Context, report: &mut Report) -> Result<()> {
    let config = Config::from_inputs(inputs, context)?;
    let file_name = config.stages_file.as_str();
    let file = load(file_name, context)?;
    // Read every stage first: the relation compares a stage with its source, which may come later.
    // A secret image is masked as it is read, and shown as hidden; it stays in the `stages`
    // output, which a later step may need, under its mask.
    // The stages are read concurrently: each remote backend is a round trip, and a stages file
    // with several of them waits for the slowest, not for their sum.
    let reads = crate::join::all(file.stages.iter().map(|stage| async move {
        let mut part = Report::default();
        let read = read_stage(file_name, stage, context, &mut part).await;
        (read, part)
    }))
    .await;
    let mut readings: Vec<(String, std::result::Result<Option<Reading>, Error>)> = Vec::new();
    let mut secret = Vec::new();
    for (stage, (read, part)) in file.stages.iter().zip(reads) {
        // Each stage's secrets and debug lines, gathered while they were read side by side;
        // nothing has printed yet, so every secret is still masked before anything is.
        report.secrets.extend(part.secrets);
        report.debug.extend(part.debug);
        let result = match read {
            read if runs_nothing_yet(&read) => Ok(None),
            Ok(Outcome::Found(found)) => {
                found.warn(Some(&stage.name), report);
                if found.image_is_secret() {
                    secret.push(stage.name.clone());
                }
                reading(&found, report).map(Some)
            }
            Ok(Outcome::NoStateYet(e)) | Err(e) => Err(e),
        };
        readings.push((stage.name.clone(), result));
    }
    if !secret.is_empty() {
        report.sensitive_outputs.push("stages");
    }
    let find = |name: &str| readings.iter().find(|(n, _)| n == name).map(|(_, r)| r);

    // Each stage's recorded deployments, when there is a token: since when it runs its image,
    // and what it ran before. A stage whose deployments cannot be read is said, and decided
    // without them. The stages are read one after another (each history already reads its
    // statuses side by side, a few at a time): all at once would be a burst of requests with
    // one token, which GitHub's secondary rate limit refuses.
    if let Some(token) = &config.access.token {
        report.secret(token.expose());
    }
    let github = config.access.client(context)?;
    let mut histories: Vec<Vec<Deployed>> = vec![Vec::new(); file.stages.len()];
    if let Some(github) = &github {
        for (stage, slot) in file.stages.iter().zip(histories.iter_mut()) {
            match deployments::history(github, &stage.name).await {
                Ok(h) => *slot = h,
                Err(e) => report.warning(
                    "deployments not readable",
                    format!("stage {}: its deployments cannot be read, so its relation and since when it runs its image may be unknown: {e}", stage.name),
                ),
            }
        }
    }
    let history_of = |name: &str| {
        file.stages.iter().position(|s| s.name == name).map(|i| histories[i].as_slice()).unwrap_or_default()
    };

    let mut out = Map::new();
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    let mut locked = false;
    for stage in &file.stages {
        let result = find(&stage.name).expect("every stage was read");
        let from_reading = stage.from.as_deref().and_then(find).and_then(|r| r.as_ref().ok()).and_then(|r| r.as_ref());
        let from = stage.from.as_deref().unwrap_or_default();
        let held = if stage.hold { "yes" } else { "" };
        let entry = match result {
            Ok(Some(r)) => {
                if let Some(lock) = &r.lock {
                    locked = true;
                    report.warning(
                        "state locked",
                        format!("stage {}: the state is {lock}: an apply may be in progress", stage.name),
                    );
                }
                let relation = match from_reading {
                    None => None,
                    Some(f) => Some(match stages::relate(f, r, history_of(from), history_of(&stage.name)) {
                        Some(known) => known,
                        None => by_commits(github.as_ref(), f, r, &mut report.debug).await,
                    }),
                };
                match relation {
                    Some(Relation::Behind) => notes.push(format!("{} is behind {from}.", stage.name)),
                    Some(Relation::Ahead) => notes.push(format!("{} is ahead of {from}.", stage.name)),
                    Some(Relation::Diverged) => notes.push(format!("{} and {from} have diverged.", stage.name)),
                    _ => {}
                }
                // Since when it runs its image: its recorded deployments, else its backend's clock.
                let since = stages::running_since(history_of(&stage.name), &r.image)
                    .or(r.changed_at_ms)
                    .filter(|ms| ms.is_finite())
                    .map(Utc::from_ms);
                let mut cells = row(&stage.name, Some(r), secret.contains(&stage.name), "");
                cells.extend([
                    relation.map(|x| x.to_string()).unwrap_or_default(),
                    since.map(|t| t.readable()).unwrap_or_default(),
                    held.to_string(),
                    if r.lock.is_some() { "yes".into() } else { String::new() },
                ]);
                rows.push(cells);
                let behind = relation.filter(|x| *x != Relation::Unknown).map(|x| x == Relation::Behind);
                json!({
                    "image": r.image, "tag": r.tag, "digest": r.digest, "serial": r.serial,
                    "from": stage.from, "relation": relation.map(Relation::as_str), "behind": behind,
                    "since": since.map(|t| t.rfc3339()), "held": stage.hold, "locked": r.lock,
                })
            }
            Ok(None) => {
                // Runs nothing yet: behind a source that runs something.
                let relation = from_reading.map(|_| Relation::Behind);
                let mut cells = row(&stage.name, None, false, "(no state yet)");
                cells.extend([
                    relation.map(|x| x.to_string()).unwrap_or_default(),
                    String::new(),
                    held.to_string(),
                    String::new(),
                ]);
                rows.push(cells);
                json!({ "image": null, "tag": null, "digest": null, "serial": null, "from": stage.from,
                        "relation": relation.map(Relation::as_str), "behind": from_reading.map(|_| true),
                        "since": null, "held": stage.hold, "locked": null })
            }
            Err(e) => {
                let mut cells = row(&stage.name, None, false, &format!("cannot read: {e}"));
                cells.extend([String::new(), String::new(), held.to_string(), String::new()]);
                rows.push(cells);
                report.warning("stage not readable", format!("stage {}: {e}", stage.name));
                json!({ "image": null, "tag": null, "digest": null, "serial": null, "from": stage.from,
                        "relation": null, "behind": null, "since": null, "held": stage.hold, "locked": null, "error": e.to_string() })
            }
        };
        out.insert(stage.name.clone(), entry);
    }
    report.output("stages", Value::Object(out).to_string());
    report.output("locked", locked.to_string());
    let table = Table { header: status_header(), rows };
    // The log shows the table too: a person reading the step's log sees every stage at once.
    report.log.extend(crate::action::table_lines(&table));
    report.summary = Summary { title: "stage-action status".into(), rows: Vec::new(), table: Some(table), notes };
    Ok(())
}
