//! `command: lookup`: what a stage runs, read from its Terraform state.

use serde_json::Value;

use super::read::{mask_image, Found, HIDDEN, HIDDEN_IN_MESSAGE};
use super::{Context, Spec};
use crate::action::{Inputs, Report, Summary};
use crate::backend::{self, Settings, Source};
use crate::error::{Error, InputProblem, Result};
use crate::state::{self, image};
use crate::text::quote;

/// The command's name and inputs.
pub const SPEC: Spec = Spec {
    name: "lookup",
    about: "read a value, and the image a workload runs, from a Terraform state",
    inputs: &["state", "workspace", "backend", "backend-config", "address", "container", "stage", "stages-file"],
    outputs: &[
        "value",
        "image",
        "image-repository",
        "image-tag",
        "image-digest",
        "container",
        "serial",
        "lineage",
        "terraform-version",
        "locked",
    ],
    run: start,
};

/// [`run`] as the registry calls it.
fn start<'a>(inputs: &'a Inputs, context: &'a Context, report: &'a mut Report) -> super::Running<'a> {
    Box::pin(run(inputs, context, report))
}

/// The validated inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Where the state is.
    pub source: Source,
    /// The address to answer.
    pub address: String,
    /// The container to pick.
    pub container: Option<String>,
    /// The stages file and the stage, when `stage` named one: its settings answer for problems.
    pub stage: Option<(String, crate::stages::Stage)>,
}

impl Config {
    /// Reads and checks every input before any work starts. `stage` stands for the inline
    /// inputs (`state`, `workspace`, `address`, `container`): they come from the stages file.
    pub fn from_inputs(inputs: &Inputs, context: &Context) -> Result<Config> {
        if let Some(name) = inputs.get("stage") {
            let inline: Vec<InputProblem> = Settings::INPUTS
                .iter()
                .chain(&["address", "container"])
                .filter(|n| inputs.get(n).is_some())
                .map(|n| InputProblem::new(n, format!("cannot be combined with `stage`, which takes it from the stages file; remove `{n}` or `stage`")))
                .collect();
            if !inline.is_empty() {
                return Err(Error::Inputs(inline));
            }
            let file_name = super::stage_file::given(inputs);
            let file = super::stage_file::load(&file_name, context)?;
            let stage = super::stage_file::stage(&file, "stage", name)?;
            return Ok(Config {
                source: super::stage_file::source(&file_name, stage, context)?,
                address: stage.address.clone(),
                container: stage.container.clone(),
                stage: Some((file_name.clone(), stage.clone())),
            });
        }
        let address = match inputs.get("address") {
            None => {
                Err(InputProblem::new("address", "is required, e.g. kubernetes_deployment_v1.backend or output.image"))
            }
            Some(a) => state::parse_address(a).map_err(|e| InputProblem::new("address", e.to_string())),
        };
        let source = backend::configure(&Settings::from_inputs(inputs), context);
        let mut problems: Vec<InputProblem> = match &source {
            Ok(_) => Vec::new(),
            Err(settings) => settings.iter().map(|p| InputProblem::new(p.setting, p.message.clone())).collect(),
        };
        // Where the state is comes first, then what to read in it, then how to read it: the
        // order the step's author reads the inputs in.
        if let Err(problem) = address {
            let at = problems.iter().take_while(|p| p.input == "state").count();
            problems.insert(at, problem);
        }
        let source = match source {
            Ok(source) if problems.is_empty() => source,
            _ => return Err(Error::Inputs(problems)),
        };
        Ok(Config {
            source,
            address: inputs.get("address").unwrap_or_default().to_string(),
            container: inputs.get("container").map(str::to_string),
            stage: None,
        })
    }
}

/// Runs the lookup.
pub async fn run(inputs: &Inputs, context: &Context, report: &mut Report) -> Result<()> {
    let config = Config::from_inputs(inputs, context)?;
    let found = match &config.stage {
        Some((file, stage)) => super::stage_file::read_stage(file, stage, context, report).await?.found()?,
        None => {
            // Before anything is read, so that no message can show a credential.
            backend::mask(&config.source, report);
            super::read::read(&config.source, &config.address, config.container.as_deref(), &mut report.debug)
                .await
                .and_then(super::read::Outcome::found)
                .map_err(|e| match &e {
                    Error::State(s) if s.kind() == state::ErrorKind::Container => {
                        Error::InInput { input: "container", source: Box::new(e) }
                    }
                    _ => e,
                })?
        }
    };
    describe(report, &found);
    Ok(())
}

/// `value` as an output: strings raw, anything else compact JSON.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The image outputs of a reference, with the warnings it deserves. A reference that is not
/// valid by Docker's grammar gives empty image outputs: an `image` output is always one a
/// workflow can hand to `docker pull` or Terraform. `secret` keeps it out of the warning.
#[derive(Default)]
struct ImageParts {
    image: String,
    repository: String,
    tag: String,
    digest: String,
}

fn image_parts(report: &mut Report, reference: &str, address: &str, secret: bool) -> ImageParts {
    let shown = if secret { HIDDEN_IN_MESSAGE.to_string() } else { quote(reference) };
    match image::parse(reference) {
        Ok(r) => {
            if r.tag.is_none() && r.digest.is_none() {
                report.warning(
                    "image has no tag",
                    format!("{address} runs {shown}, which has no tag or digest: Kubernetes pulls `latest`, which can change under you; deploy a tag or a digest"),
                );
            }
            ImageParts {
                image: reference.to_string(),
                repository: r.repository.to_string(),
                tag: r.tag.unwrap_or_default().to_string(),
                digest: r.digest.unwrap_or_default().to_string(),
            }
        }
        Err(why) => {
            report.warning(
                "invalid image reference",
                format!("{address} runs {shown}, which is not a valid image reference: {why}; the image outputs are empty (`value` holds what the state says)"),
            );
            ImageParts::default()
        }
    }
}

/// Fills the report from an answer.
fn describe(report: &mut Report, found: &Found) {
    let (name, workspace, answer) = (found.state_name.as_str(), found.workspace.as_deref(), &found.answer);
    report.secrets.extend(answer.secrets.iter().cloned());
    let value = value_text(&answer.value);
    let hidden = answer.sensitive || !answer.secrets.is_empty();
    if answer.sensitive {
        report.secrets.push(value.clone());
        report.sensitive_outputs.push("value");
    }
    if answer.tainted {
        report.warning(
            "tainted instance",
            format!(
                "{} is tainted: Terraform will replace it on the next apply; the answer is what runs now",
                answer.address
            ),
        );
    }
    if let Some(warning) = found.lock_warning() {
        report.warning("state locked", warning);
    }
    found.warn(None, report);
    let image_secret = found.image_is_secret();
    if image_secret {
        // The parts of a secret image are secrets too: a tag alone can be what was hidden.
        mask_image(report, answer.image.as_deref().unwrap_or_default());
        report.sensitive_outputs.extend(["image", "image-repository", "image-tag", "image-digest"]);
    }
    let parts = answer.image.as_deref().map(|i| image_parts(report, i, &answer.address, image_secret));
    let (img, repo, tag, digest) = match &parts {
        Some(p) => (p.image.clone(), p.repository.clone(), p.tag.clone(), p.digest.clone()),
        None => Default::default(),
    };
    let container = answer.container.as_ref().map(|c| c.name.clone()).unwrap_or_default();
    let serial = found.serial.map(|s| s.to_string()).unwrap_or_default();
    report.output("value", value.clone());
    if answer.container.is_some() {
        // A workload's whole object: a terminal shows its image, and the object only with --json.
        report.json_only.push("value");
    }
    report.output("image", img.clone());
    report.output("image-repository", repo);
    report.output("image-tag", tag.clone());
    report.output("image-digest", digest.clone());
    report.output("container", container.clone());
    report.output("serial", serial.clone());
    report.output("lineage", found.lineage.clone().unwrap_or_default());
    report.output("terraform-version", found.terraform_version.clone().unwrap_or_default());
    report.output("locked", found.lock.is_some().to_string());

    let shown_value = if hidden { HIDDEN.to_string() } else { shorten(&value, 300) };
    let mut rows = vec![("State".to_string(), name.to_string())];
    if let Some(w) = workspace {
        rows.push(("Workspace".into(), w.to_string()));
    }
    rows.push(("Serial".into(), serial));
    if let Some(lock) = &found.lock {
        rows.push(("Lock".into(), lock.to_string()));
    }
    rows.push(("Address".into(), answer.address.clone()));
    if parts.as_ref().is_some_and(|p| !p.image.is_empty()) && !image_secret {
        if !container.is_empty() {
            rows.push(("Container".into(), container));
        }
        rows.push(("Image".into(), img.clone()));
        rows.push(("Tag".into(), tag));
        rows.push(("Digest".into(), digest));
        report.log.push(format!("{}: {img}", answer.address));
    } else {
        rows.push(("Value".into(), shown_value.clone()));
        report.log.push(format!("{} = {shown_value}", answer.address));
    }
    report.summary = Summary { title: "stage-action lookup".into(), rows, table: None, notes: Vec::new() };
}

/// At most `max` characters, with an ellipsis when cut.
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}
