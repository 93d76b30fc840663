//! Where existing tags come from: the GitHub API or git. One file per source, one dispatch.

pub mod git;

use crate::error::Result;
use crate::github::{Comparison, GitHub};

/// Which source to ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagSource {
    /// The GitHub REST API (`matching-refs`, falling back to the paginated `/tags`).
    Api,
    /// `git ls-remote --tags --refs origin`, or `git tag` without a remote.
    Git,
}

/// The tags a source listed, and how it got them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// Tag names, without `refs/tags/`.
    pub names: Vec<String>,
    /// How they were found, for the summary: `GitHub API, 1 request`, `git ls-remote origin`.
    pub how: String,
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
            })
        }
        _ => Ok(git::list(git).await?),
    }
}

/// Whether `commit` (a tag name or a SHA) is reachable from `branch`.
pub async fn reachable(
    from: TagSource,
    github: Option<&GitHub>,
    git: &git::Git,
    commit: &str,
    branch: &str,
) -> Result<bool> {
    match (from, github) {
        (TagSource::Api, Some(gh)) => {
            Ok(matches!(gh.compare(branch, commit).await?, Comparison::Behind | Comparison::Identical))
        }
        _ => Ok(git::reachable(git, commit, branch).await?),
    }
}
