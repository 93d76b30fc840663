//! The deployments `record` writes, read back: what `promote` and `status` decide from
//! (since when a stage runs its image, what it ran before).

use super::Context;
use crate::action::Inputs;
use crate::error::{InputProblem, Result};
use crate::github::{GitHub, Repo};
use crate::secret::Secret;
use crate::stages::Deployed;

/// The token and repository the deployments are read with, from the inputs and the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    /// `token`, when set.
    pub token: Option<Secret>,
    /// `GITHUB_REPOSITORY`, when it is `owner/name`.
    pub repo: Option<Repo>,
    /// `timeout`, per request.
    pub timeout_ms: u64,
}

impl Access {
    /// `token` and `timeout` as given, and the run's repository; a bad `timeout` is a problem.
    pub fn from_inputs(inputs: &Inputs, context: &Context, problems: &mut Vec<InputProblem>) -> Access {
        let timeout_ms = super::timeout_ms(inputs).unwrap_or_else(|p| {
            problems.push(p);
            super::DEFAULT_TIMEOUT_MS
        });
        Access {
            token: inputs.get("token").map(Secret::new),
            repo: context.repository.as_deref().and_then(Repo::parse),
            timeout_ms,
        }
    }

    /// A client, when there is a token and a repository to read with.
    pub fn client(&self, context: &Context) -> Result<Option<GitHub>> {
        let (Some(token), Some(repo)) = (&self.token, &self.repo) else { return Ok(None) };
        Ok(Some(GitHub::new(&context.api_url, repo.clone(), Some(token), self.timeout_ms)?))
    }
}

/// How many statuses requests one history has in flight at once: a history is up to
/// [`HISTORY_DEPTH`](crate::github::HISTORY_DEPTH) of them, and GitHub's secondary rate limit
/// answers a burst of concurrent requests with one token by refusing them.
pub const STATUSES_AT_ONCE: usize = 10;

/// The latest deployments to `environment`, newest first, each with whether it succeeded (the
/// statuses of those that name an image are read side by side, at most
/// [`STATUSES_AT_ONCE`] at a time). A deployment that names no
/// image (another tool's, or a sensitive one) counts as successful without asking: it can only
/// end a soak clock's run, which errs on the side of waiting, and names nothing to roll back to.
pub async fn history(github: &GitHub, environment: &str) -> Result<Vec<Deployed>> {
    let list = github.deployments_to(environment, Some(crate::github::HISTORY_DEPTH)).await?;
    let outcomes = crate::join::at_most(
        STATUSES_AT_ONCE,
        list.iter().map(|d| async move {
            match d.image() {
                Some(_) => github.succeeded(d.id).await,
                None => Ok(true),
            }
        }),
    )
    .await;
    let mut out = Vec::with_capacity(list.len());
    for (d, successful) in list.iter().zip(outcomes) {
        out.push(Deployed {
            image: d.image().map(str::to_string),
            // A time this cannot read is no clock: soak then refuses, rather than guess.
            at_ms: crate::time::parse_rfc3339(&d.created_at).unwrap_or(f64::NAN),
            successful: successful?,
        });
    }
    Ok(out)
}
