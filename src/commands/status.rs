//! `command: status`: what every stage runs, and which stages are behind the one they are
//! promoted from. A stage that cannot be read shows why, without failing the others.

use serde_json::{json, Map, Value};

use super::promote::{header, row};
use super::read::Outcome;
use super::stage_file::{given, load, read_stage, reading, runs_nothing_yet};
use super::{Context, Spec};
use crate::action::{Inputs, Report, Summary, Table};
use crate::error::{Error, Result};
use crate::stages::{self, Reading};

/// The command's name and inputs.
pub const SPEC: Spec = Spec {
    name: "status",
    about: "show what every stage runs, and which are behind the stage they are promoted from",
    inputs: &["stages-file"],
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
}

impl Config {
    /// The one input `status` reads; pure. Any text names a file: whether it is one is found
    /// when [`load`] reads it.
    pub fn from_inputs(inputs: &Inputs, _context: &Context) -> Result<Config> {
        Ok(Config { stages_file: given(inputs) })
    }
}

/// Runs the status report.
pub async fn run(inputs: &Inputs, context: &Context, report: &mut Report) -> Result<()> {
    let config = Config::from_inputs(inputs, context)?;
    let file_name = config.stages_file.as_str();
    let file = load(file_name, context)?;
    // Read every stage first: `behind` compares a stage with its source, which may come later.
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

    let mut out = Map::new();
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    let mut locked = false;
    for stage in &file.stages {
        let result = find(&stage.name).expect("every stage was read");
        let from_reading = stage.from.as_deref().and_then(find).and_then(|r| r.as_ref().ok()).and_then(|r| r.as_ref());
        let entry = match result {
            Ok(Some(r)) => {
                if let Some(lock) = &r.lock {
                    locked = true;
                    report.warning(
                        "state locked",
                        format!("stage {}: the state is {lock}: an apply may be in progress", stage.name),
                    );
                }
                let behind = from_reading.map(|f| stages::behind(f, r));
                if behind == Some(true) {
                    notes.push(format!("{} is behind {}.", stage.name, stage.from.as_deref().unwrap_or_default()));
                }
                rows.push(row(&stage.name, Some(r), secret.contains(&stage.name), ""));
                json!({
                    "image": r.image, "tag": r.tag, "digest": r.digest, "serial": r.serial,
                    "from": stage.from, "behind": behind, "locked": r.lock,
                })
            }
            Ok(None) => {
                rows.push(row(&stage.name, None, false, "(no state yet)"));
                json!({ "image": null, "tag": null, "digest": null, "serial": null, "from": stage.from, "behind": from_reading.map(|_| true), "locked": null })
            }
            Err(e) => {
                rows.push(row(&stage.name, None, false, &format!("cannot read: {e}")));
                report.warning("stage not readable", format!("stage {}: {e}", stage.name));
                json!({ "image": null, "tag": null, "digest": null, "serial": null, "from": stage.from, "behind": null, "locked": null, "error": e.to_string() })
            }
        };
        out.insert(stage.name.clone(), entry);
    }
    report.output("stages", Value::Object(out).to_string());
    report.output("locked", locked.to_string());
    let table = Table { header: header(), rows };
    // The log shows the table too: a person reading the step's log sees every stage at once.
    report.log.extend(crate::action::table_lines(&table));
    report.summary = Summary { title: "stage-action status".into(), rows: Vec::new(), table: Some(table), notes };
    Ok(())
}
