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
    /// The command as a person would type it (`git ls-remote --tags --refs origin`).
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

/// Lists every tag of `origin`, or of the local repository when it has no `origin`.
pub async fn list(git: &Git) -> Result<Listing> {
    let remotes = git.run(&["remote"]).await?;
    if remotes.status != 0 {
        return Err(failed(
            &["remote"],
            &remotes,
            "check out the repository first (actions/checkout), or use `tags-from: api`",
        ));
    }
    let has_origin = String::from_utf8_lossy(&remotes.stdout).lines().any(|l| l.trim() == "origin");
    let (args, how): (&[&str], &str) = if has_origin {
        (&["ls-remote", "--tags", "--refs", "origin"], "git ls-remote origin")
    } else {
        (&["tag", "--list"], "git tag")
    };
    let out = git.run(args).await?;
    if out.status != 0 {
        return Err(failed(args, &out, "check that the runner can reach origin, or use `tags-from: api`"));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let names = if has_origin {
        // `<sha>\trefs/tags/<name>`; --refs leaves out the peeled `^{}` lines.
        text.lines().filter_map(|l| l.split_once('\t')?.1.strip_prefix("refs/tags/")).map(str::to_string).collect()
    } else {
        text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
    };
    Ok(Listing { names, how: how.to_string() })
}

/// Whether `commit` (a tag or a SHA) is an ancestor of `branch` (`origin/<branch>` when it
/// exists, else the local branch).
pub async fn reachable(git: &Git, commit: &str, branch: &str) -> Result<bool> {
    let remote = format!("refs/remotes/origin/{branch}");
    let local = format!("refs/heads/{branch}");
    let target = if git.run(&["rev-parse", "--verify", "--quiet", &remote]).await?.status == 0 {
        remote
    } else if git.run(&["rev-parse", "--verify", "--quiet", &local]).await?.status == 0 {
        local
    } else {
        return Err(Error {
            command: format!("git rev-parse {branch}"),
            message: format!("branch \"{branch}\" is not in the checkout"),
            hint: "fetch it (actions/checkout with `fetch-depth: 0`), or check the `branch` input".into(),
        });
    };
    let peeled = format!("{commit}^{{commit}}");
    let args = ["merge-base", "--is-ancestor", peeled.as_str(), target.as_str()];
    let out = git.run(&args).await?;
    match out.status {
        0 => Ok(true),
        1 => Ok(false),
        _ => Err(failed(&args, &out, "the history may be missing: use actions/checkout with `fetch-depth: 0`")),
    }
}
