//! Tags from git: one `git ls-remote` round trip to `origin` (works in a shallow clone that
//! fetched no tags), or `git tag` in a repository without a remote.

use super::Listing;
use crate::error::{Error, Result};
use crate::host;

/// Runs git in `dir`; `Ok` with its output whatever the status.
fn git(dir: &str, args: &[&str]) -> Result<host::ProcessOutput> {
    // No prompt for credentials: a CI step must fail, not hang.
    host::run_process("git", args, dir, &[("GIT_TERMINAL_PROMPT", "0")]).map_err(|e| {
        if e.code == "ENOENT" {
            Error::Git {
                command: format!("git {}", args.join(" ")),
                message: "git is not installed".into(),
                hint: "install git on the runner, or use `tags-from: api`".into(),
            }
        } else {
            Error::Git { command: format!("git {}", args.join(" ")), message: e.message, hint: String::new() }
        }
    })
}

fn failed(args: &[&str], out: &host::ProcessOutput, hint: &str) -> Error {
    let stderr = String::from_utf8_lossy(&out.stderr);
    Error::Git {
        command: format!("git {}", args.join(" ")),
        message: stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("failed").trim().to_string(),
        hint: hint.to_string(),
    }
}

/// Lists every tag of `origin`, or of the local repository when it has no `origin`.
pub fn list(dir: &str) -> Result<Listing> {
    let remotes = git(dir, &["remote"])?;
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
    let out = git(dir, args)?;
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
pub fn reachable(dir: &str, commit: &str, branch: &str) -> Result<bool> {
    let remote = format!("refs/remotes/origin/{branch}");
    let local = format!("refs/heads/{branch}");
    let target = if git(dir, &["rev-parse", "--verify", "--quiet", &remote])?.status == 0 {
        remote
    } else if git(dir, &["rev-parse", "--verify", "--quiet", &local])?.status == 0 {
        local
    } else {
        return Err(Error::Git {
            command: format!("git rev-parse {branch}"),
            message: format!("branch \"{branch}\" is not in the checkout"),
            hint: "fetch it (actions/checkout with `fetch-depth: 0`), or check the `branch` input".into(),
        });
    };
    let peeled = format!("{commit}^{{commit}}");
    let args = ["merge-base", "--is-ancestor", peeled.as_str(), target.as_str()];
    let out = git(dir, &args)?;
    match out.status {
        0 => Ok(true),
        1 => Ok(false),
        _ => Err(failed(&args, &out, "the history may be missing: use actions/checkout with `fetch-depth: 0`")),
    }
}
