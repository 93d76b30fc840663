//! Where existing tags come from: the GitHub API or git. One file per source, one dispatch.

pub mod git;

use crate::error::Result;
use crate::github::{Comparison, GitHub};

/// Which source to ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagSource {
    /// The GitHub REST API (`matching-refs`, falling back to the paginated `/tags`).
    Api,
    /// `git ls-remote --tags origin` (annotated tags peeled), or `git for-each-ref refs/tags` without a remote.
    Git,
}

/// The tags a source listed, and how it got them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// Tag names, without `refs/tags/`.
    pub names: Vec<String>,
    /// How they were found, for the summary: `GitHub API, 1 request`, `git ls-remote origin`.
    pub how: String,
    /// The commit each tag points at (annotated tags peeled), when the source says it (git).
    pub commits: std::collections::BTreeMap<String, String>,
}

/// Lists the tags that start with `prefix` (the API filters by prefix itself; git lists all).
pub async fn list(from: TagSource, github: Option<&GitHub>, git: &git::Git, prefix: &str) -> Result<Listing> {
    match (from, github) {
        (TagSource::Api, Some(gh)) => {
            let names = match gh.matching_tags(prefix).await {
                Ok(tags) => tags,
                // matching-refs can fail where /tags works (some GitHub Enterprise versions,
                // proxies); the paginated list costs more requests but answers the same. Only
                // for an HTTP error: a server that did not answer in time, looped or redirected
                // away would do the same again, and a time-out would double the wait.
                Err(e) if e.status().is_some() => gh.all_tags().await.map_err(|_| e)?,
                Err(e) => return Err(e.into()),
            };
            let n = gh.requests();
            Ok(Listing {
                names: names.into_iter().map(|t| t.name).collect(),
                how: format!("GitHub API, {n} request{}", if n == 1 { "" } else { "s" }),
                commits: Default::default(),
            })
        }
        _ => Ok(git::list(git).await?),
    }
}

/// For each of `commits` (tag names or SHAs), whether it is reachable from `branch`, and how
/// the answer was found (for the summary). Through the API: one `compare` per commit; through
/// git: see [`git::reachable`] (it fetches the branch into a shallow checkout as needed).
pub async fn reachable(
    from: TagSource,
    github: Option<&GitHub>,
    git: &git::Git,
    commits: &[String],
    branch: &str,
) -> Result<(Vec<bool>, String)> {
    match (from, github) {
        (TagSource::Api, Some(gh)) => {
            let mut out = Vec::with_capacity(commits.len());
            for commit in commits {
                out.push(matches!(gh.compare(branch, commit).await?, Comparison::Behind | Comparison::Identical));
            }
            Ok((out, format!("GitHub API, {} compare{}", commits.len(), if commits.len() == 1 { "" } else { "s" })))
        }
        _ => {
            let (out, fetches) = git::reachable(git, commits, branch).await?;
            let how = match fetches {
                0 => "git".to_string(),
                1 => format!("git, after fetching {branch} once"),
                n => format!("git, after fetching {branch} {n} times"),
            };
            Ok((out, how))
        }
    }
}
