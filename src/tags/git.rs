//! Tags from git: one `git ls-remote` round trip to `origin` (works in a shallow clone that
//! fetched no tags), or `git tag` in a repository without a remote.
//!
//! The workspace is someone else's files. git is told which repository to use (`GIT_DIR` is the
//! checkout's `.git`), so it never discovers one: a workspace whose root holds a bare
//! repository's files (`HEAD`, `config`, `objects/`) would otherwise make git obey that
//! `config`, whose `remote.origin.uploadpack` is a command git runs. Every git command is bounded
//! in time, and killed with its helpers when it overruns.

use super::Listing;
use crate::host::{self, Kind};

/// A git command that failed: which, what it said, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The command as a person would type it (`git ls-remote --tags origin`).
    pub command: String,
    /// What went wrong, git's own first line quoted short.
    pub message: String,
    /// What to do about it; may be empty.
    pub hint: String,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} failed: {}", self.command, self.message)?;
        if !self.hint.is_empty() {
            write!(f, "; {}", self.hint)?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

type Result<T> = std::result::Result<T, Error>;

/// Settings that keep git from running anything a repository's files could name, even if it
/// ever came to read an unexpected repository (each is ignored by a git too old to know it).
const HARDENING: [&str; 8] = [
    "-c",
    "safe.bareRepository=explicit",
    "-c",
    "core.fsmonitor=false",
    "-c",
    "protocol.ext.allow=never",
    "-c",
    "core.hooksPath=/dev/null",
];

/// Where and how git runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Git {
    /// The checkout (`GITHUB_WORKSPACE`): git uses its `.git`, and nothing else.
    pub dir: String,
    /// How long one git command may take.
    pub timeout_ms: u64,
}

impl Git {
    /// Runs `git ARGS` on the checkout's own repository; `Ok` with its output whatever the status.
    async fn run(&self, args: &[&str]) -> Result<host::ProcessOutput> {
        let command = || format!("git {}", args.join(" "));
        let git_dir = format!("{}/.git", self.dir.trim_end_matches('/'));
        // `.git` is a directory in a checkout, a file (`gitdir: …`) in a worktree or submodule.
        if !matches!(host::stat(&git_dir), Ok(Some(m)) if m.kind == Kind::Dir || m.kind == Kind::File) {
            return Err(Error {
                command: command(),
                message: format!("{} is not a git checkout (it has no .git)", self.dir),
                hint: "check out the repository first (actions/checkout), or use `tags-from: api`".into(),
            });
        }
        let full: Vec<&str> = HARDENING.iter().copied().chain(args.iter().copied()).collect();
        let env = [
            ("GIT_DIR", git_dir.as_str()),
            // No prompt for credentials: a CI step must fail, not wait for a person.
            ("GIT_TERMINAL_PROMPT", "0"),
            ("GCM_INTERACTIVE", "never"),
            ("GIT_NO_REPLACE_OBJECTS", "1"),
            ("GIT_OPTIONAL_LOCKS", "0"),
        ];
        host::run_process("git", &full, &self.dir, &env, self.timeout_ms).await.map_err(|e| {
            let (message, hint) = match e.code.as_str() {
                "ENOENT" => ("git is not installed".to_string(), "install git on the runner, or use `tags-from: api`"),
                host::TIMED_OUT => (
                    format!("it did not finish within {} s", self.timeout_ms as f64 / 1000.0),
                    "check that the runner can reach origin, raise input `timeout`, or use `tags-from: api`",
                ),
                _ => (e.message, ""),
            };
            Error { command: command(), message, hint: hint.into() }
        })
    }
}

fn failed(args: &[&str], out: &host::ProcessOutput, hint: &str) -> Error {
    let stderr = String::from_utf8_lossy(&out.stderr);
    Error {
        command: format!("git {}", args.join(" ")),
        // git's stderr may carry what a remote said: quoted short and escaped.
        message: crate::text::quote(stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("failed").trim()),
        hint: hint.to_string(),
    }
}

/// Lists every tag of `origin`, or of the local repository when it has no `origin`, with the
/// commit each one points at (annotated tags peeled).
pub async fn list(git: &Git) -> Result<Listing> {
    let has_origin = has_origin(git).await?;
    let (args, how): (&[&str], &str) = if has_origin {
        // Without --refs: an annotated tag has a second, peeled `^{}` line naming its commit.
        (&["ls-remote", "--tags", "origin"], "git ls-remote origin")
    } else {
        (&["for-each-ref", "--format=%(objectname)%09%(refname)%09%(*objectname)", "refs/tags"], "git tag")
    };
    let out = git.run(args).await?;
    if out.status != 0 {
        return Err(failed(args, &out, "check that the runner can reach origin, or use `tags-from: api`"));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut names = Vec::new();
    let mut commits = std::collections::BTreeMap::new();
    for line in text.lines() {
        let mut fields = line.split('\t');
        let (Some(sha), Some(name)) = (fields.next(), fields.next()) else { continue };
        let Some(name) = name.strip_prefix("refs/tags/") else { continue };
        let peeled = fields.next().filter(|p| !p.is_empty());
        if let Some(tag) = name.strip_suffix("^{}") {
            commits.insert(tag.to_string(), sha.to_string());
        } else {
            names.push(name.to_string());
            let commit = peeled.unwrap_or(sha);
            commits.entry(name.to_string()).or_insert_with(|| commit.to_string());
        }
    }
    Ok(Listing { names, how: how.to_string(), commits })
}

async fn has_origin(git: &Git) -> Result<bool> {
    let remotes = git.run(&["remote"]).await?;
    if remotes.status != 0 {
        return Err(failed(
            &["remote"],
            &remotes,
            "check out the repository first (actions/checkout), or use `tags-from: api`",
        ));
    }
    Ok(String::from_utf8_lossy(&remotes.stdout).lines().any(|l| l.trim() == "origin"))
}

/// How deep each round fetches `branch` when the checkout lacks history: a release is usually
/// near the branch's tip, so the first round is small; the last round fetches what is left.
const DEPTHS: [u32; 3] = [50, 1000, 20000];

/// For each of `commits` (SHAs, tags or `HEAD`), whether it is reachable from `branch`
/// (`origin/<branch>` when there is an `origin`, else the local branch).
///
/// Works in the shallow, tag-only checkout a tag push gets: when the branch is not in the
/// clone, or the clone is shallow, it fetches the branch alone (`--no-tags`, `--depth` 50, then
/// deeper) until every commit is found in its history, and at last the rest of the history
/// (`--unshallow`), so a commit that is not found is known not to be on the branch. A full
/// clone that has the branch fetches nothing. Returns the answers and how many fetches it took.
pub async fn reachable(git: &Git, commits: &[String], branch: &str) -> Result<(Vec<bool>, usize)> {
    let remote = format!("refs/remotes/origin/{branch}");
    let target = if has_origin(git).await? {
        remote.clone()
    } else {
        let local = format!("refs/heads/{branch}");
        if !git.exists(&local).await? {
            return Err(Error {
                command: format!("git rev-parse {branch}"),
                message: format!("branch \"{branch}\" is not in the repository"),
                hint: "check the `branch` input".into(),
            });
        }
        local
    };
    let mut found = vec![false; commits.len()];
    let shallow = git.shallow().await?;
    if target != remote || (git.exists(&remote).await? && !shallow) {
        ancestors(git, commits, &target, &mut found).await?;
        return Ok((found, 0));
    }
    // A shallow clone deepens step by step; a full clone that lacks the branch fetches it whole.
    let rounds: Vec<Option<u32>> =
        if shallow { DEPTHS.iter().copied().map(Some).chain([None]).collect() } else { vec![None] };
    let refspec = format!("+refs/heads/{branch}:{remote}");
    let mut fetches = 0;
    // Whether the clone is shallow now: asked once at first, then once after each fetch.
    let mut still_shallow = shallow;
    for depth in rounds {
        let depth_arg = depth.map(|d| format!("--depth={d}"));
        let mut args = vec!["fetch", "--quiet", "--no-tags", "--no-recurse-submodules"];
        match &depth_arg {
            Some(d) => args.push(d),
            None if still_shallow => args.push("--unshallow"),
            None => {}
        }
        args.extend(["origin", refspec.as_str()]);
        let out = git.run(&args).await?;
        fetches += 1;
        if out.status != 0 {
            let hint = format!(
                "check that origin has branch \"{branch}\" and that the runner can reach it, or use `tags-from: api`"
            );
            return Err(failed(&args, &out, &hint));
        }
        ancestors(git, commits, &target, &mut found).await?;
        still_shallow = git.shallow().await?;
        if found.iter().all(|f| *f) || !still_shallow {
            break;
        }
    }
    Ok((found, fetches))
}

/// Marks in `found` each of `commits` that is an ancestor of `target` in the history the clone has.
async fn ancestors(git: &Git, commits: &[String], target: &str, found: &mut [bool]) -> Result<()> {
    for (commit, found) in commits.iter().zip(found.iter_mut()) {
        if !*found {
            let peeled = format!("{commit}^{{commit}}");
            // 0: an ancestor; 1: not, in the history the clone has; 128: the commit is not in
            // the clone at all (a tag on another branch, never fetched): not found either.
            *found = git.run(&["merge-base", "--is-ancestor", &peeled, target]).await?.status == 0;
        }
    }
    Ok(())
}

impl Git {
    /// Whether `reference` names an object in the clone.
    async fn exists(&self, reference: &str) -> Result<bool> {
        Ok(self.run(&["rev-parse", "--verify", "--quiet", reference]).await?.status == 0)
    }

    /// Whether the clone is shallow (`fetch-depth` other than 0).
    async fn shallow(&self) -> Result<bool> {
        let out = self.run(&["rev-parse", "--is-shallow-repository"]).await?;
        Ok(String::from_utf8_lossy(&out.stdout).trim() == "true")
    }
}
