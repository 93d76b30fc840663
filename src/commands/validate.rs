//! `command: validate`: the stages file checked as `promote` and `status` check it — every
//! problem at its line, "did you mean" — and what can be known of each stage without reading a
//! state: that its `state` path is in the checkout, that its backend settings as written are
//! valid. It reads no state and calls no API, so it runs on a pull request, with no secrets.

use serde_json::{json, Value};

use super::stage_file::{given, in_file, load};
use super::{Context, Spec};
use crate::action::{Annotation, Inputs, Level, Report, Summary, Table};
use crate::backend::{self, local, Settings};
use crate::error::Result;
use crate::files::{within, Named};
use crate::host::{self, Kind};
use crate::stages::{self, format_duration, Problem, Stage, StagesFile};
use crate::text::quote;

/// The command's name and inputs.
pub const SPEC: Spec = Spec {
    name: "validate",
    about: "check the stages file without reading any state (for a pull request)",
    inputs: &["stages-file"],
    outputs: &["stages"],
    run: start,
};

/// [`run`] as the registry calls it.
fn start<'a>(inputs: &'a Inputs, context: &'a Context, report: &'a mut Report) -> super::Running<'a> {
    Box::pin(run(inputs, context, report))
}

/// Something found about a stage that is not wrong in itself: a warning at a line of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The 1-based line.
    pub line: usize,
    /// What, and what to do.
    pub message: String,
}

/// Checks the stages file; on success, the table of its stages and output `stages`.
pub async fn run(inputs: &Inputs, context: &Context, report: &mut Report) -> Result<()> {
    let file_name = given(inputs);
    let file = load(&file_name, context)?;
    let mut problems = Vec::new();
    let mut warnings = unconnected(&file);
    let settings_context = file_only(context);
    for stage in &file.stages {
        problems.extend(backend_problems(&file_name, stage, &settings_context));
        match state_path(&file_name, stage, context) {
            Some(Found::Problem(p)) => problems.push(p),
            Some(Found::Warning(w)) => warnings.push(w),
            None => {}
        }
    }
    warnings.sort_by_key(|w| w.line);
    // Warnings are shown whether or not the file then fails: each is about the file as it is.
    for w in warnings {
        report.annotations.push(Annotation {
            level: Level::Warning,
            title: Some("stages file".into()),
            message: w.message,
            file: Some(file_name.clone()),
            line: Some(w.line),
        });
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| (p.line, p.column.unwrap_or(0)));
        return Err(stages::Error::invalid(&file_name, problems).into());
    }
    let order = file.promotion_order();
    report.output("stages", Value::Array(order.iter().map(|s| entry(s)).collect()).to_string());
    let table = Table { header: header(), rows: order.iter().map(|s| row(s)).collect() };
    report.log.extend(crate::action::table_lines(&table));
    let count = match file.stages.len() {
        1 => "1 stage".to_string(),
        n => format!("{n} stages"),
    };
    report.summary = Summary {
        title: "stage-action validate".into(),
        rows: vec![("Stages file".into(), file_name.clone())],
        table: Some(table),
        notes: vec![format!("{file_name} is valid: {count}, in promotion order. No state was read.")],
    };
    Ok(())
}

/// The context a stage's backend settings are checked in: the checkout, without the runner's
/// environment (`TF_WORKSPACE`, the backends' variables, tokens): the file is judged as written,
/// and a pull request has none of the secrets a deploy job sets.
pub fn file_only(context: &Context) -> Context {
    Context {
        workspace: context.workspace.clone(),
        tf_data_dir: context.tf_data_dir.clone(),
        home: context.home.clone(),
        ..Context::default()
    }
}

/// The problems of `stage`'s backend settings that the stages file itself states: a `backend`
/// that is not one (with "did you mean"), a `workspace` that is not a workspace name, an entry
/// of `backend-config:` the backend refuses. What the backend lacks (credentials, a host) is
/// left out: a deploy job gives it from secrets and the environment, which a pull request has
/// not. Configuring reads no state and calls nothing: it only reads the settings.
pub fn backend_problems(file: &str, stage: &Stage, context: &Context) -> Vec<Problem> {
    let settings = Settings::from_stage(file, stage);
    let Err(found) = backend::configure(&settings, context) else { return Vec::new() };
    let stated: Vec<backend::Problem> = found
        .into_iter()
        .filter(|p| matches!(p.setting, "backend" | "workspace") || (p.setting == "backend-config" && p.line.is_some()))
        .collect();
    in_file(file, stage, &settings, stated)
}

/// What the check of a `state` path found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// The path cannot be right.
    Problem(Problem),
    /// The path may be right once an earlier step has run.
    Warning(Warning),
}

/// Checks that `stage`'s `state`, relative to the workspace, is there: a directory (a working
/// directory) that is missing is an error at the `state` line, with "did you mean" from what
/// the nearest existing directory holds; a missing `.tfstate` file in a directory that exists is
/// a warning, since a step may write it (`terraform state pull > stage.tfstate`). An absolute
/// path is outside the checkout and may be made by the job: it is not checked. `None` when
/// nothing is to be said.
pub fn state_path(file: &str, stage: &Stage, context: &Context) -> Option<Found> {
    let given = stage.state.as_str();
    if given.is_empty() || given.starts_with('/') {
        return None;
    }
    let workspace = &context.workspace;
    let path = local::resolve(workspace, given);
    let name = quote(&stage.name);
    let problem = |message: String| {
        Found::Problem(Problem { file: file.to_string(), line: stage.lines.state, column: None, message })
    };
    let named = Named { path: &path, given, setting: "`state`", within: within(workspace, given) };
    if let Err(e) = named.check_inside() {
        return Some(problem(format!("stage {name}: {e}")));
    }
    match host::stat(&path) {
        Ok(Some(_)) => return None,
        Ok(None) => {}
        Err(e) => {
            return Some(problem(format!("stage {name}: \"state\" {} cannot be read: {}", quote(given), e.message)))
        }
    }
    let trimmed = given.trim_end_matches('/');
    let parts: Vec<&str> = trimmed.split('/').collect();
    // The longest leading part of the path that is a directory; the part after it is missing.
    let mut exists = 0;
    for n in 1..parts.len() {
        let dir = local::resolve(workspace, &parts[..n].join("/"));
        match host::stat(&dir) {
            Ok(Some(m)) if m.kind == Kind::Dir => exists = n,
            _ => break,
        }
    }
    let is_file = trimmed.ends_with(".tfstate");
    if is_file && exists == parts.len() - 1 {
        return Some(Found::Warning(Warning {
            line: stage.lines.state,
            message: format!(
                "stage {name}: \"state\" names the file {}, which is not in the checkout; that is right only when an earlier step of the job writes it (e.g. terraform state pull > {}), else fix the path",
                quote(given),
                crate::text::name(parts[parts.len() - 1])
            ),
        }));
    }
    let missing = parts[..=exists].join("/");
    let base = if exists == 0 { workspace.clone() } else { local::resolve(workspace, &parts[..exists].join("/")) };
    let entries = host::read_dir(&base).unwrap_or_default();
    // Names beside the missing part, for "did you mean"; none from outside the workspace.
    let close = if parts.contains(&"..") {
        None
    } else {
        crate::suggest::closest(parts[exists], entries.iter().map(String::as_str).filter(|e| !e.starts_with('.')))
    };
    let what = if missing.len() == trimmed.len() && !is_file { "directory" } else { "path" };
    let remedy = match close {
        Some(near) => {
            let mut meant = parts.clone();
            meant[exists] = near;
            format!("did you mean {}?", quote(&meant.join("/")))
        }
        None => "fix the path (relative to GITHUB_WORKSPACE), or commit the stage's working directory".to_string(),
    };
    let message = if missing.len() == trimmed.len() {
        format!(
            "stage {name}: \"state\" names the {what} {}, which does not exist in the checkout; {remedy}",
            quote(given)
        )
    } else {
        format!(
            "stage {name}: \"state\" names {}, but there is no directory {} in the checkout; {remedy}",
            quote(given),
            quote(&missing)
        )
    };
    Some(problem(message))
}

/// A warning for each stage after the first that has no `from` and that no stage is promoted
/// from: nothing moves into it or out of it, which is usually a `from` left out.
pub fn unconnected(file: &StagesFile) -> Vec<Warning> {
    file.unconnected()
        .into_iter()
        .map(|s| Warning {
            line: s.line,
            message: format!(
                "stage {} has no \"from\" and no stage is promoted from it, so promote never moves an image into or out of it; add \"from\" naming the stage it takes its image from, unless it is deployed on its own on purpose",
                quote(&s.name)
            ),
        })
        .collect()
}

/// The table's header.
pub fn header() -> Vec<String> {
    ["stage", "from", "state", "backend", "workspace", "address", "container", "min-soak", "hold"]
        .map(String::from)
        .to_vec()
}

/// A stage's row: its settings as the file says them.
pub fn row(stage: &Stage) -> Vec<String> {
    vec![
        stage.name.clone(),
        stage.from.clone().unwrap_or_default(),
        stage.state.clone(),
        stage.backend.clone().unwrap_or_default(),
        stage.workspace.clone().unwrap_or_default(),
        stage.address.clone(),
        stage.container.clone().unwrap_or_default(),
        stage.min_soak.map(format_duration).unwrap_or_default(),
        if stage.hold { "yes".into() } else { String::new() },
    ]
}

/// A stage in output `stages`: its name and settings as the file says them; `min-soak` in
/// seconds.
pub fn entry(stage: &Stage) -> Value {
    json!({
        "name": stage.name,
        "from": stage.from,
        "state": (!stage.state.is_empty()).then_some(&stage.state),
        "backend": stage.backend,
        "workspace": stage.workspace,
        "address": stage.address,
        "container": stage.container,
        "min-soak": stage.min_soak.map(|d| d.as_secs()),
        "hold": stage.hold,
    })
}

#[cfg(test)]
#[path = "tests/validate.rs"]
mod tests;
