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
    inputs: &[
        "to",
        "token",
        "stages-file",
        "timeout",
        "environment-url",
        "production-environment",
        "transient-environment",
    ],
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
    /// `environment-url`: where the deployed stage answers, shown in GitHub's environment view.
    pub environment_url: Option<String>,
    /// `production-environment`: `Some` when given; else the last stage in promotion order is
    /// production.
    pub production: Option<bool>,
    /// `transient-environment`: the environment goes away (a preview).
    pub transient: bool,
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
        let environment_url = inputs.get("environment-url");
        if let Some(url) = environment_url {
            // The test the API's own address passes: http(s), a host, nothing no URL holds.
            if !crate::github::valid_api_url(url) {
                problems.push(InputProblem::new(
                    "environment-url",
                    format!(
                        "{} is not an http(s) URL: give where the stage answers, e.g. https://qa.example.com",
                        crate::text::quote(url)
                    ),
                ));
            }
        }
        let production = inputs.get("production-environment").map(|_| {
            inputs.boolean("production-environment", false).unwrap_or_else(|p| {
                problems.push(p);
                false
            })
        });
        let transient = inputs.boolean("transient-environment", false).unwrap_or_else(|p| {
            problems.push(p);
            false
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
            environment_url: environment_url.map(str::to_string),
            production,
            transient,
        })
    }
}

/// Records the deployment.
pub async fn run(inputs: &Inputs, context: &Context, report: &mut Report) -> Result<()> {
    let Config { to, token, repo, commit, api_url, log_url, timeout_ms, environment_url, production, transient } =
        Config::from_inputs(inputs, context)?;
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
    // The state's location as a person names it, never a path of the runner's disk.
    let state = portable(&found.state_name, &context.workspace);
    // The release a tag push deployed (`v1.0.1`): what `guard` with `versions-from: deployments`
    // compares with, since the image tag is usually a commit SHA.
    let release = context.pushed_tag();
    let payload = if secret {
        json!({ "image": null, "tag": null, "digest": null, "sensitive": true,
                "from": target.from, "serial": now.serial, "state": state, "release": release })
    } else {
        json!({ "image": now.image, "tag": now.tag, "digest": now.digest,
                "from": target.from, "serial": now.serial, "state": state, "release": release })
    };
    // The commit the image was built from, when its tag is one (a secret image's tag is not
    // published as a ref either); else the run's commit.
    let built_from = if secret { None } else { crate::stages::commit_of(now.tag.as_deref()) };
    let git_ref = built_from.map(str::to_string).unwrap_or_else(|| commit.clone());
    let production = production.unwrap_or_else(|| file.final_stage().is_some_and(|s| s.name == target.name));

    let github = GitHub::new(&api_url, repo.clone(), Some(&token), timeout_ms)?;
    let deployment = NewDeployment {
        git_ref: git_ref.clone(),
        production_environment: production,
        transient_environment: transient,
        environment_url,
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
            ("Commit".into(), git_ref),
            ("Serial".into(), now.serial.map(|s| s.to_string()).unwrap_or_default()),
            ("Deployment".into(), id.to_string()),
        ],
        table: None,
        notes: Vec::new(),
    };
    Ok(())
}

/// `name` without any path of the runner's disk: relative to `workspace` when inside it, else
/// its last two parts (`…/prod/terraform.tfstate`). A remote backend's name (`s3://bucket/key`,
/// `secret tfstate-default-app in namespace ci`) is kept as it is.
pub fn portable(name: &str, workspace: &str) -> String {
    if !name.starts_with('/') {
        return name.to_string();
    }
    let root = workspace.trim_end_matches('/');
    if let Some(rest) = name.strip_prefix(root).and_then(|r| r.strip_prefix('/')).filter(|_| !root.is_empty()) {
        return rest.to_string();
    }
    let parts: Vec<&str> = name.rsplit('/').take(2).collect();
    format!("…/{}", parts.into_iter().rev().collect::<Vec<_>>().join("/"))
}

#[cfg(test)]
mod tests {
    use super::portable;

    #[test]
    fn the_payload_names_the_state_without_the_runners_paths() {
        let ws = "/home/runner/work/app/app";
        assert_eq!(portable("stages/qa/terraform.tfstate", ws), "stages/qa/terraform.tfstate");
        assert_eq!(
            portable("/home/runner/work/app/app/stages/qa/terraform.tfstate", ws),
            "stages/qa/terraform.tfstate"
        );
        assert_eq!(portable("/tmp/elsewhere/prod/terraform.tfstate", ws), "…/prod/terraform.tfstate");
        assert_eq!(portable("s3://bucket/env/qa.tfstate", ws), "s3://bucket/env/qa.tfstate");
    }
}
