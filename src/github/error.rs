//! What can go wrong talking to the GitHub API, as values with kinds.
//!
//! Each kind keeps the facts (what was tried, the status, the server's words, the API's address)
//! and `Display` turns them into the message a person reads in the log: what could not be done,
//! what GitHub said, and what to do. The words are tested; change them on purpose.

use std::fmt;

use crate::error::InputProblem;

/// A failed GitHub API call, or a client that cannot be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// `GITHUB_API_URL` is not an absolute http(s) URL.
    BadApiUrl {
        /// The value as given.
        given: String,
    },
    /// The token holds characters an HTTP header cannot carry (so it cannot be sent).
    BadToken,
    /// The request got no answer: no connection, a reset, a body over the limit, or a time-out.
    RequestFailed {
        /// What was being done, after "cannot": `list the repository's tags`.
        what: String,
        /// The API's address (`GITHUB_API_URL`), for the hint.
        api: String,
        /// The host's words.
        message: String,
        /// Whether the request ran out of time (the hint then names input `timeout`).
        timed_out: bool,
    },
    /// The API answered with a redirect the client does not follow: one of a write, or one
    /// leading off the API's origin (the host follows a GET's redirects within the origin).
    Redirected {
        /// What was being done.
        what: String,
        /// The API's address.
        api: String,
        /// The 3xx status.
        status: u16,
        /// The `Location` header, if there was one.
        location: Option<String>,
    },
    /// The API answered with an error status (other than a rate limit).
    Answered {
        /// What was being done.
        what: String,
        /// The HTTP status.
        status: u16,
        /// The server's `message`, quoted short; empty when it gave none.
        message: String,
        /// The repository, named in the hints of 403 and 404.
        repo: String,
        /// The permission the workflow's token needs for this request (`contents: read`).
        permission: &'static str,
    },
    /// The API's rate limit is used up.
    RateLimited {
        /// What was being done.
        what: String,
        /// When the limit resets (`2026-12-31 23:59:59 UTC`), or `later`.
        reset: String,
    },
    /// A success whose body is not what the API documents.
    UnexpectedResponse {
        /// What was being done.
        what: String,
        /// The API's address.
        api: String,
        /// The HTTP status (a 2xx).
        status: u16,
        /// Why the body does not decode.
        detail: String,
    },
    /// A paginated listing leads off the API, loops, or goes on past the page limit.
    BrokenListing {
        /// What was being done.
        what: String,
        /// The API's address.
        api: String,
        /// What is wrong with the pages.
        problem: String,
    },
    /// `compare` answered a status this client does not know.
    UnknownComparison {
        /// What was being done.
        what: String,
        /// The status as GitHub gave it.
        status: String,
    },
}

/// A result whose error is a GitHub [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// How a kind reads: a used-up rate limit, a bad input, or a failed call.
enum View<'a> {
    RateLimited { what: &'a str, reset: &'a str },
    Input(InputProblem),
    Call(Parts<'a>),
}

/// The four parts of a failed call's message: `cannot {what}: {answer}; {hint}`, where the
/// answer is `GitHub answered {status} "{message}"`, or only the message when there was no status.
struct Parts<'a> {
    what: &'a str,
    status: Option<u16>,
    message: String,
    hint: String,
}

impl Error {
    /// The HTTP status GitHub answered with, when the error is about an answer it gave (an error
    /// status, or a success whose body does not decode); `None` for a request that got no answer,
    /// a redirect, a broken listing, a rate limit, or a client that could not be built.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::BadApiUrl { .. }
            | Error::BadToken
            | Error::RateLimited { .. }
            | Error::RequestFailed { .. }
            | Error::Redirected { .. }
            | Error::BrokenListing { .. } => None,
            Error::Answered { status, .. } | Error::UnexpectedResponse { status, .. } => Some(*status),
            Error::UnknownComparison { .. } => Some(200),
        }
    }

    /// What the message is made of.
    fn view(&self) -> View<'_> {
        let parts = match self {
            Error::BadApiUrl { given } => {
                return View::Input(InputProblem::new("GITHUB_API_URL", format!("\"{given}\" is not a URL")))
            }
            Error::BadToken => return View::Input(InputProblem::new("token", "contains characters a header cannot carry")),
            Error::RateLimited { what, reset } => return View::RateLimited { what, reset },
            Error::RequestFailed { what, api, message, timed_out } => Parts {
                what,
                status: None,
                message: message.clone(),
                hint: if *timed_out {
                    format!("check that {api} is reachable and answering, or raise input `timeout`")
                } else {
                    format!("check that {api} is reachable from the runner")
                },
            },
            Error::Redirected { what, api, status, location } => Parts {
                what,
                status: None,
                message: format!(
                    "GitHub answered {status} with a redirect to {}",
                    location.as_deref().map(crate::text::quote).unwrap_or_else(|| "nowhere".into())
                ),
                hint: format!(
                    "the action does not follow redirects of writes, nor to another host; set GITHUB_API_URL to the API's own address (it is {api})"
                ),
            },
            Error::Answered { what, status, message, repo, permission } => Parts {
                what,
                status: Some(*status),
                message: message.clone(),
                hint: match status {
                    401 => "the token is invalid or expired: pass `token: ${{ github.token }}` or a valid token"
                        .to_string(),
                    403 => format!(
                        "the token lacks a permission on {repo}: grant `{permission}` in the workflow's `permissions`"
                    ),
                    404 => format!("{repo} does not exist, or the token cannot see it (it needs `{permission}`)"),
                    _ => "GitHub could not answer; try again later".to_string(),
                },
            },
            Error::UnexpectedResponse { what, api, status, detail } => Parts {
                what,
                status: Some(*status),
                message: format!("the response is not what the API documents: {detail}"),
                hint: format!("is {api} a GitHub API (GITHUB_API_URL)?"),
            },
            Error::BrokenListing { what, api, problem } => Parts {
                what,
                status: None,
                message: problem.clone(),
                hint: format!("is {api} a GitHub API (GITHUB_API_URL)? If so, try again later, or use `tags-from: git`"),
            },
            Error::UnknownComparison { what, status } => Parts {
                what,
                status: Some(200),
                message: format!("unknown comparison status \"{status}\""),
                hint: "this action knows ahead, behind, identical and diverged".into(),
            },
        };
        View::Call(parts)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Parts { what, status, message, hint } = match self.view() {
            View::RateLimited { what, reset } => {
                return write!(
                    f,
                    "cannot {what}: the GitHub API rate limit is used up until {reset}; wait, use a token with a higher limit, or use `tags-from: git`"
                )
            }
            View::Input(p) => return write!(f, "input `{}`: {}", p.input, p.problem),
            View::Call(parts) => parts,
        };
        write!(f, "cannot {what}: ")?;
        match (status, message.is_empty()) {
            (Some(s), false) => write!(f, "GitHub answered {s} \"{message}\"")?,
            (Some(s), true) => write!(f, "GitHub answered {s}")?,
            (None, _) => f.write_str(&message)?,
        }
        write!(f, "; {hint}")
    }
}

impl std::error::Error for Error {}
