//! `command: guard`: may this tag be released? The gate a release workflow runs first, and the
//! check a pull request runs before a version can merge.

use super::{registry, Context, Spec};
use crate::action::{Inputs, Report, Summary};
use crate::backend::local;
use crate::error::{Error, InputProblem, Result};
use crate::files::{within, Named, SMALL_FILE_LIMIT};
use crate::github::{GitHub, Repo};
use crate::secret::Secret;
use crate::tags::{self, TagSource};
use crate::version::{self, Policy};

/// The command's name and inputs.
pub const SPEC: Spec = Spec {
    name: "guard",
    about: "refuse a release tag that is malformed, a duplicate, or lower than what exists",
    inputs: &[
        "tag",
        "tag-prefix",
        "prerelease",
        "backports",
        "tags-from",
        "token",
        "version-file",
        "branch",
        "versions-from",
        "environment",
        "stages-file",
        "timeout",
    ],
    outputs: &["version", "previous-version", "bump", "prerelease"],
    run: start,
};

/// [`run`] as the registry calls it.
fn start<'a>(inputs: &'a Inputs, context: &'a Context, report: &'a mut Report) -> super::Running<'a> {
    Box::pin(run(inputs, context, report))
}

/// Where the proposed version came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Proposal {
    /// A tag: the `tag` input, or the pushed tag (`GITHUB_REF`). `pushed`: it is the tag this
    /// run was started for, so it exists already and must not count as its own duplicate.
    Tag { name: String, pushed: bool },
    /// A version file (pull-request mode): its path as given, and the absolute path.
    File { given: String, path: String },
}

/// The validated inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// What is proposed.
    pub proposal: Proposal,
    /// The literal tag prefix.
    pub prefix: String,
    /// Prerelease and backport rules.
    pub policy: Policy,
    /// Where existing tags come from.
    pub source: TagSource,
    /// The API token, if any.
    pub token: Option<Secret>,
    /// The branch the tagged commit must be reachable from.
    pub branch: Option<String>,
    /// What the version must be higher than.
    pub versions_from: VersionsFrom,
    /// The repository (`GITHUB_REPOSITORY`), needed by the API.
    pub repo: Option<Repo>,
    /// `GITHUB_API_URL`.
    pub api_url: String,
    /// `GITHUB_WORKSPACE` (or the current directory): where git runs.
    pub workspace: String,
    /// How long each API request or git command may take, in milliseconds.
    pub timeout_ms: u64,
    /// `GITHUB_SHA`: the commit a tag that does not exist yet would be made on.
    pub commit: Option<String>,
}

/// What the proposed version is compared with (input `versions-from`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionsFrom {
    /// The repository's release tags.
    Tags,
    /// The versions recorded in the deployments to an environment: `environment` as given,
    /// or `None` for the default (the last stage in promotion order, else `prod`).
    Deployments { environment: Option<String> },
}

/// The environment `versions-from: deployments` reads when `environment` is not set and there
/// is no stages file.
pub const DEFAULT_ENVIRONMENT: &str = "prod";

/// An `allow`/`deny` input as a yes or no; `default` when it is not set, or not one of the two
/// (then `problems` says so).
fn choice(inputs: &Inputs, name: &str, default: bool, problems: &mut Vec<InputProblem>) -> bool {
    match registry::choice(inputs, name) {
        Ok(None) => default,
        Ok(Some(value)) => value == "allow",
        Err(p) => {
            problems.push(p);
            default
        }
    }
}

impl Config {
    /// Reads and checks every input before any work starts; pure: the run's environment comes
    /// in as `context`.
    pub fn from_inputs(inputs: &Inputs, context: &Context) -> Result<Config> {
        let mut problems = Vec::new();
        // `tag-prefix: ''` (given, empty) means no prefix; absent means the default `v`.
        let prefix = inputs.get_exact("tag-prefix").unwrap_or("v").to_string();
        let policy = Policy {
            allow_prerelease: choice(inputs, "prerelease", false, &mut problems),
            allow_backports: choice(inputs, "backports", false, &mut problems),
        };
        let token = inputs.get("token").map(Secret::new);
        // The registry allows exactly `api` and `git`.
        let source = match registry::choice(inputs, "tags-from") {
            Ok(None) if token.is_some() => TagSource::Api,
            Ok(None) => TagSource::Git,
            Ok(Some("api")) => TagSource::Api,
            Ok(Some(_)) => TagSource::Git,
            Err(p) => {
                problems.push(p);
                TagSource::Git
            }
        };
        let repo_env = context.repository.clone().unwrap_or_default();
        let repo = Repo::parse(&repo_env);
        if source == TagSource::Api && repo.is_none() {
            problems.push(InputProblem::new(
                "tags-from",
                format!(
                    "api needs GITHUB_REPOSITORY as owner/name (it is {}); set it, or use `tags-from: git`",
                    crate::text::quote(&repo_env)
                ),
            ));
        }
        let workspace = context.workspace.clone();
        let pushed_tag = context.pushed_tag();
        let proposal = match (inputs.get("tag"), inputs.get("version-file")) {
            (Some(_), Some(_)) => {
                problems.push(InputProblem::new(
                    "version-file",
                    "give either `tag` (a release) or `version-file` (a pull request's proposed version), not both",
                ));
                None
            }
            (Some(tag), None) => Some(Proposal::Tag { name: tag.to_string(), pushed: pushed_tag == Some(tag) }),
            (None, Some(file)) => {
                Some(Proposal::File { given: file.to_string(), path: local::resolve(&workspace, file) })
            }
            (None, None) => match pushed_tag {
                Some(name) => Some(Proposal::Tag { name: name.to_string(), pushed: true }),
                None => {
                    problems.push(InputProblem::new(
                        "tag",
                        "is required: run on a tag push (GITHUB_REF=refs/tags/…), set `tag`, or set `version-file` in a pull request",
                    ));
                    None
                }
            },
        };
        let timeout_ms = super::timeout_ms(inputs).unwrap_or_else(|p| {
            problems.push(p);
            super::DEFAULT_TIMEOUT_MS
        });
        let branch = inputs.get("branch").map(str::to_string);
        if let Some(b) = &branch {
            if b.starts_with('-') || b.contains("..") || b.contains(char::is_whitespace) {
                problems.push(InputProblem::new("branch", format!("\"{b}\" is not a branch name")));
            }
        }
        let versions_from = match registry::choice(inputs, "versions-from") {
            Ok(Some("deployments")) => {
                if token.is_none() {
                    problems.push(InputProblem::new(
                        "token",
                        "is required by `versions-from: deployments`: the versions released come from GitHub's deployments API; set `token: ${{ github.token }}` (the job needs `deployments: read`)",
                    ));
                }
                if repo.is_none() && source != TagSource::Api {
                    problems.push(InputProblem::new(
                        "versions-from",
                        format!(
                            "deployments needs GITHUB_REPOSITORY as owner/name (it is {})",
                            crate::text::quote(&repo_env)
                        ),
                    ));
                }
                VersionsFrom::Deployments { environment: inputs.get("environment").map(str::to_string) }
            }
            Ok(_) => VersionsFrom::Tags,
            Err(p) => {
                problems.push(p);
                VersionsFrom::Tags
            }
        };
        if !problems.is_empty() {
            return Err(Error::Inputs(problems));
        }
        Ok(Config {
            versions_from,
            proposal: proposal.unwrap_or(Proposal::Tag { name: String::new(), pushed: false }),
            prefix,
            policy,
            source,
            token,
            branch,
            repo,
            api_url: context.api_url.clone(),
            commit: context.sha.clone(),
            workspace,
            timeout_ms,
        })
    }
}

impl Config {
    /// How git runs for this guard: in the workspace, within the time-out.
    fn git(&self) -> tags::git::Git {
        tags::git::Git { dir: self.workspace.clone(), timeout_ms: self.timeout_ms }
    }
}

/// The tag proposed, and where to point an annotation about it.
struct Candidate {
    tag: String,
    pushed: bool,
    at: Option<(String, usize)>,
}

fn candidate(config: &Config) -> Result<Candidate> {
    match &config.proposal {
        Proposal::Tag { name, pushed } => Ok(Candidate { tag: name.clone(), pushed: *pushed, at: None }),
        Proposal::File { given, path } => {
            let file = Named { path, given, setting: "input `version-file`", within: within(&config.workspace, given) };
            let bytes = file.read(SMALL_FILE_LIMIT)?.ok_or_else(|| crate::files::Error::Io {
                op: "read",
                path: given.clone(),
                message: "there is no such file; check input `version-file` (a relative path starts at the workspace)"
                    .into(),
            })?;
            let text = String::from_utf8_lossy(&bytes);
            let name = given.rsplit('/').next().unwrap_or(given);
            match version::read_version_file(name, &text) {
                Ok(v) => Ok(Candidate {
                    tag: format!("{}{}", config.prefix, v.version),
                    pushed: false,
                    at: Some((given.clone(), v.line)),
                }),
                Err(error) => Err(version::Error::File { file: given.clone(), error }.into()),
            }
        }
    }
}

/// The environment whose deployments say what was released: `environment` as given, else the
/// final stage of the stages file (the last of its promotion order), else [`DEFAULT_ENVIRONMENT`] when there is no stages file.
fn released_in(given: &Option<String>, inputs: &Inputs, context: &Context) -> Result<String> {
    if let Some(e) = given {
        return Ok(e.clone());
    }
    let file = super::stage_file::given(inputs);
    match super::stage_file::load(&file, context) {
        Ok(stages) => Ok(stages.final_stage().map(|s| s.name.clone()).unwrap_or_else(|| DEFAULT_ENVIRONMENT.into())),
        Err(Error::Stages(crate::stages::Error::FileMissing { .. })) if inputs.get("stages-file").is_none() => {
            Ok(DEFAULT_ENVIRONMENT.into())
        }
        Err(e) => Err(e),
    }
}

/// Runs the guard.
pub async fn run(inputs: &Inputs, context: &Context, report: &mut Report) -> Result<()> {
    let config = Config::from_inputs(inputs, context)?;
    if let Some(t) = &config.token {
        report.secret(t.expose());
    }
    let proposed = candidate(&config)?;
    let at = proposed.at.clone();
    let version = version::parse_tag(&proposed.tag, &config.prefix)
        .map_err(|error| version::Error::Tag { error, at: at.clone() })?;

    let wants_api = config.source == TagSource::Api || config.versions_from != VersionsFrom::Tags;
    let github = match (wants_api, &config.repo) {
        (true, Some(repo)) => {
            Some(GitHub::new(&config.api_url, repo.clone(), config.token.as_ref(), config.timeout_ms)?)
        }
        _ => None,
    };
    let tag_github = if config.source == TagSource::Api { github.as_ref() } else { None };
    // Compared with deployments and not asked about a branch, the tags do not matter: a release
    // job then needs no checkout.
    let listing = if config.versions_from == VersionsFrom::Tags || config.branch.is_some() {
        tags::list(config.source, tag_github, &config.git(), &config.prefix).await?
    } else {
        tags::Listing { names: Vec::new(), how: "not listed".into(), commits: Default::default() }
    };
    let mut notes = Vec::new();
    let mut rows_extra = Vec::new();

    // What the version must be higher than: the release tags, or what was deployed.
    let (existing, malformed, considered) = match &config.versions_from {
        VersionsFrom::Tags => {
            // On a tag push the tag under test exists already: leave it out by name. Any other
            // proposal that names an existing tag is a duplicate, and must be seen as one.
            let others = listing.names.iter().map(String::as_str).filter(|n| !(proposed.pushed && *n == proposed.tag));
            let (existing, malformed) = version::existing_versions(others, &config.prefix);
            (existing, malformed, listing.how.clone())
        }
        VersionsFrom::Deployments { environment } => {
            let environment = released_in(environment, inputs, context)?;
            let gh = github.as_ref().ok_or_else(|| {
                Error::Inputs(vec![InputProblem::new(
                    "versions-from",
                    "deployments needs GITHUB_REPOSITORY as owner/name",
                )])
            })?;
            let deployments = gh.deployments_to(&environment, None).await?;
            let mut existing: Vec<version::Existing> = Vec::new();
            for d in &deployments {
                let field = |name: &str| d.payload.get(name).and_then(|v| v.as_str()).unwrap_or("");
                let texts = [field("release"), field("tag"), d.git_ref.as_str()];
                if let Some(e) = version::released_version(texts, &config.prefix) {
                    if !existing.iter().any(|x| x.version == e.version) {
                        existing.push(e);
                    }
                }
            }
            rows_extra.push(("Compared with".to_string(), format!("deployments to {environment}")));
            let how = format!("{} deployments to {environment}", deployments.len());
            (existing, Vec::new(), how)
        }
    };
    let listed = existing.len();
    let mut existing = version::counted(&existing, &config.policy);
    let ignored_pre = listed - existing.len();

    // With `branch`: the proposed commit must be on it, and a tag that is not on it cannot
    // block. Only the tags that could block (as high as the candidate, or higher) are checked.
    if let Some(branch) = &config.branch {
        let tag_exists = listing.names.contains(&proposed.tag);
        let commit_of = |tag: &str| listing.commits.get(tag).cloned().unwrap_or_else(|| tag.to_string());
        let commit =
            if tag_exists { proposed.tag.clone() } else { config.commit.clone().unwrap_or_else(|| "HEAD".into()) };
        let blockers: Vec<usize> = if config.versions_from == VersionsFrom::Tags {
            (0..existing.len()).filter(|&i| version::can_block(&version, &existing[i])).collect()
        } else {
            Vec::new()
        };
        let mut commits =
            vec![if tag_exists && config.source == TagSource::Git { commit_of(&proposed.tag) } else { commit.clone() }];
        commits.extend(blockers.iter().map(|&i| match config.source {
            TagSource::Git => commit_of(&existing[i].tag),
            TagSource::Api => existing[i].tag.clone(),
        }));
        let (on_branch, how) = tags::reachable(config.source, tag_github, &config.git(), &commits, branch).await?;
        report.debug.push(format!("reachable from {branch} ({how}): {commits:?} → {on_branch:?}"));
        if !on_branch[0] {
            return Err(
                version::Error::NotOnBranch { tag: proposed.tag.clone(), commit, branch: branch.clone() }.into()
            );
        }
        let off: Vec<usize> = blockers.iter().zip(&on_branch[1..]).filter(|(_, on)| !**on).map(|(&i, _)| i).collect();
        if !off.is_empty() {
            let names: Vec<String> = off.iter().map(|&i| existing[i].tag.clone()).collect();
            notes.push(format!(
                "{} tag{} not on branch {branch} did not count: {}",
                names.len(),
                if names.len() == 1 { "" } else { "s" },
                names.join(", ")
            ));
            existing = existing.into_iter().enumerate().filter(|(i, _)| !off.contains(i)).map(|(_, e)| e).collect();
        }
        rows_extra.push(("On branch".into(), branch.clone()));
    }

    report.debug.push(format!(
        "{} tags from {}; {} with prefix \"{}\" count, {} prereleases do not, {} with the prefix do not parse",
        listing.names.len(),
        listing.how,
        existing.len(),
        config.prefix,
        ignored_pre,
        malformed.len()
    ));
    let decision = version::decide(&version, &existing, &config.policy);
    let accepted = decision.map_err(|refused| version::Error::Refused {
        tag: proposed.tag.clone(),
        prefix: config.prefix.clone(),
        refused,
        at: at.clone(),
    })?;

    let previous = accepted.previous.as_ref().map(|p| p.version.to_string()).unwrap_or_default();
    report.output("version", version.to_string());
    report.output("previous-version", previous.clone());
    report.output("bump", accepted.bump.to_string());
    report.output("prerelease", accepted.prerelease.to_string());
    let highest = accepted.previous.as_ref().map(|p| p.tag.clone()).unwrap_or_else(|| "none".into());
    report.log.push(format!("{} may be released: {} after {highest}", proposed.tag, accepted.bump));
    let mut rows = vec![
        ("Decision".to_string(), "release allowed".to_string()),
        ("Tag".into(), proposed.tag.clone()),
        ("Version".into(), version.to_string()),
        ("Bump".into(), accepted.bump.to_string()),
        ("Highest existing".into(), highest),
        ("Tags considered".into(), format!("{} ({considered})", existing.len())),
    ];
    rows.extend(rows_extra);
    if ignored_pre > 0 {
        notes.push(format!(
            "{ignored_pre} prerelease version{} did not count: under `prerelease: deny` a prerelease is not a release",
            if ignored_pre == 1 { "" } else { "s" }
        ));
    }
    if !malformed.is_empty() {
        notes.push(format!(
            "{} tags with the prefix are not valid versions and were ignored, e.g. {}",
            malformed.len(),
            malformed.iter().take(3).map(|e| e.tag.clone()).collect::<Vec<_>>().join(", ")
        ));
    }
    report.summary = Summary { title: "stage-action guard".into(), rows, table: None, notes };
    Ok(())
}
