//! `command: record`: after the apply step, record a GitHub deployment of what the stage now
//! runs, so GitHub's environment view shows what runs where.

use serde_json::json;

use super::read::{Outcome, HIDDEN};
use super::stage_file::{load, read_stage, reading, stage};
use super::{Context, Spec};
use crate::action::{Inputs, Report, Summary};
use crate::error::{Error, InputProblem, Result};
use crate::github::{GitHub, NewDeployment, Repo};
use crate::secret::Secret;

/// The command's name and inputs.
pub const SPEC: Spec = Spec {
    name: "record",
    about: "record a GitHub deployment of what a stage runs now (run it after the apply)",
    inputs: &["to", "token", "stages-file", "timeout"],
    outputs: &["deployment-id"],
    run: start,
};

/// [`run`] as the registry calls it.
fn start<'a>(inputs: &'a Inputs, context: &'a Context, report: &'a mut Report) -> super::Running<'a> {
    Box::pin(run(inputs, context, report))
}

/// The validated inputs and what the runner says about the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The stage just deployed.
    pub to: String,
    /// The API token.
    pub token: Secret,
    /// `GITHUB_REPOSITORY`.
    pub repo: Repo,
    /// `GITHUB_SHA`: the commit deployed.
    pub commit: String,
    /// `GITHUB_API_URL`.
    pub api_url: String,
    /// The run's log, linked from the deployment's status.
    pub log_url: Option<String>,
    /// How long each request may take.
    pub timeout_ms: u64,
}

impl Config {
    /// Checks every input, then what the runner sets (a missing variable is the environment's
    /// fault, not an input's); pure.
    pub fn from_inputs(inputs: &Inputs, context: &Context) -> Result<Config> {
        let mut problems = Vec::new();
        let to = inputs.get("to");
        if to.is_none() {
            problems.push(InputProblem::new("to", "is required: the stage that was just deployed, e.g. qa"));
        }
        let token = inputs.get("token").map(Secret::new);
        if token.is_none() {
            problems.push(InputProblem::new(
                "token",
                "is required to create a deployment: `token: ${{ github.token }}` with `deployments: write`",
            ));
        }
        let timeout_ms = super::timeout_ms(inputs).unwrap_or_else(|p| {
            problems.push(p);
            super::DEFAULT_TIMEOUT_MS
        });
        let (Some(to), Some(token), true) = (to, token, problems.is_empty()) else {
            return Err(Error::Inputs(problems));
        };
        let repo_env = context.repository.clone().unwrap_or_default();
        let Some(repo) = Repo::parse(&repo_env) else {
            return Err(Error::Environment {
                name: "GITHUB_REPOSITORY",
                problem: format!(
                    "recording a deployment needs the repository as owner/name, and it is {}; the runner sets it in every job: is this running outside GitHub Actions?",
                    crate::text::quote(&repo_env)
                ),
            });
        };
        let Some(commit) = context.sha.clone() else {
            return Err(Error::Environment {
                name: "GITHUB_SHA",
                problem: "recording a deployment needs the commit that was deployed, and it is not set; the runner sets it in every job".into(),
            });
        };
        Ok(Config {
            to: to.to_string(),
            token,
            repo,
            commit,
            api_url: context.api_url.clone(),
            log_url: context.run_url(),
            timeout_ms,
        })
    }
}

/// Records the deployment.
pub async fn run(inputs: &Inputs, context: &Context, report: &mut Report) -> Result<()> {
    let Config { to, token, repo, commit, api_url, log_url, timeout_ms } = Config::from_inputs(inputs, context)?;
    report.secret(token.expose());

    let file_name = super::stage_file::given(inputs);
    let file = load(&file_name, context)?;
    let target = stage(&file, "to", &to)?;
    let found = read_stage(&file_name, target, context, report)
        .await
        .and_then(Outcome::found)
        .map_err(|e| Error::Stage { stage: target.name.clone(), role: "deployed", source: Box::new(e) })?;
    let now = reading(&found, report)?;
    // A sensitive image is not published in a deployment, which anyone who can read the
    // repository can read.
    let secret = found.image_is_secret();
    let shown = if secret { HIDDEN } else { now.image.as_str() };
    // The release a tag push deployed (`v1.0.1`): what `guard` with `versions-from: deployments`
    // compares with, since the image tag is usually a commit SHA.
    let release = context.pushed_tag();
    let payload = if secret {
        json!({ "image": null, "tag": null, "digest": null, "sensitive": true,
                "from": target.from, "serial": now.serial, "state": found.state_name, "release": release })
    } else {
        json!({ "image": now.image, "tag": now.tag, "digest": now.digest,
                "from": target.from, "serial": now.serial, "state": found.state_name, "release": release })
    };

    let github = GitHub::new(&api_url, repo.clone(), Some(&token), timeout_ms)?;
    let deployment = NewDeployment {
        git_ref: commit.clone(),
        environment: target.name.clone(),
        description: format!("{} runs {shown}", target.name),
        payload,
        auto_merge: false,
        required_contexts: Vec::new(),
        task: "deploy".into(),
    };
    let id = github.create_deployment(&deployment).await?;
    // From here the deployment exists: its id is an output even if marking it fails.
    report.output("deployment-id", id.to_string());
    report.kept_on_failure.push("deployment-id");
    github.mark_successful(id, &deployment, log_url.as_deref()).await.map_err(|e| Error::PartlyRecorded {
        id,
        environment: target.name.clone(),
        repo: repo.to_string(),
        source: Box::new(e.into()),
    })?;

    report.log.push(format!("recorded deployment {id}: {} runs {shown}", target.name));
    report.summary = Summary {
        title: format!("stage-action record: {}", target.name),
        rows: vec![
            ("Environment".into(), target.name.clone()),
            ("Image".into(), shown.to_string()),
            ("Commit".into(), commit),
            ("Serial".into(), now.serial.map(|s| s.to_string()).unwrap_or_default()),
            ("Deployment".into(), id.to_string()),
        ],
        table: None,
        notes: Vec::new(),
    };
    Ok(())
}
