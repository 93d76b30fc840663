//! What `command: preflight` checks of a backend before any Terraform runs: each check one
//! [`Check`], passed, warned or failed, with what to do. The kubernetes backend checks its
//! credentials part by part ([`super::kubernetes::preflight`]); every other backend is read as
//! `lookup` reads it, "no state yet" counting as an answer.

use super::{Location, Opened, Source};

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Fine.
    Pass,
    /// Works now, needs attention soon (a certificate near its end, TLS not verified).
    Warn,
    /// Would make Terraform fail: the step fails, after every check has run.
    Fail,
}

impl Outcome {
    /// The mark a line starts with: ✓, ⚠ or ✗.
    pub fn mark(self) -> &'static str {
        match self {
            Outcome::Pass => "✓",
            Outcome::Warn => "⚠",
            Outcome::Fail => "✗",
        }
    }

    /// The word for outputs: `pass`, `warn`, `fail`.
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Warn => "warn",
            Outcome::Fail => "fail",
        }
    }
}

/// One check: what was checked and what was found, and for a warning or a failure what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// How it came out.
    pub outcome: Outcome,
    /// The check's short name (`client certificate`, `API server`, …).
    pub name: String,
    /// What was found.
    pub found: String,
    /// What to do, for a warning or a failure.
    pub fix: Option<String>,
}

impl Check {
    /// A passed check.
    pub fn pass(name: &str, found: impl Into<String>) -> Check {
        Check { outcome: Outcome::Pass, name: name.to_string(), found: found.into(), fix: None }
    }

    /// A warning, with what to do.
    pub fn warn(name: &str, found: impl Into<String>, fix: impl Into<String>) -> Check {
        Check { outcome: Outcome::Warn, name: name.to_string(), found: found.into(), fix: Some(fix.into()) }
    }

    /// A failure; `fix` when the finding does not already say what to do.
    pub fn fail(name: &str, found: impl Into<String>, fix: Option<String>) -> Check {
        Check { outcome: Outcome::Fail, name: name.to_string(), found: found.into(), fix }
    }

    /// The check as one line: `✓ name: found`, and `— fix` after a warning or failure.
    pub fn line(&self) -> String {
        match &self.fix {
            Some(fix) => format!("{} {}: {} — {fix}", self.outcome.mark(), self.name, self.found),
            None => format!("{} {}: {}", self.outcome.mark(), self.name, self.found),
        }
    }
}

/// Every check of one backend, and when its client certificate ends, when it has one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Findings {
    /// The checks, in the order they ran.
    pub checks: Vec<Check>,
    /// The client certificate's end of validity, ms since the epoch.
    pub certificate_expires_ms: Option<f64>,
}

/// Checks the backend at `source` at `now_ms` (the host's clock).
pub async fn check(source: &Source, now_ms: f64) -> Findings {
    match &source.location {
        Location::Kubernetes(location) => super::kubernetes::preflight(location, now_ms).await,
        _ => Findings { checks: vec![read(source).await], certificate_expires_ms: None },
    }
}

/// The check of a backend without checks of its own: it answers, with a state or without one.
async fn read(source: &Source) -> Check {
    let backend = source.backend();
    match super::open(source).await {
        Ok(Opened::State(snapshot)) => {
            let size = snapshot.size.map(|s| format!(" ({s} bytes)")).unwrap_or_default();
            Check::pass("state", format!("the {backend} backend answers: {} is readable{size}", snapshot.name))
        }
        Ok(Opened::NoStateYet(none)) => Check::pass(
            "state",
            format!("the {backend} backend answers: no state yet at {} (the first apply writes it)", none.place),
        ),
        Err(e) => Check::fail("state", e.to_string(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_has_its_mark_and_only_a_problem_has_a_fix() {
        assert_eq!(Check::pass("API server", "answers").line(), "✓ API server: answers");
        assert_eq!(Check::warn("TLS", "not verified", "set a CA").line(), "⚠ TLS: not verified — set a CA");
        assert_eq!(Check::fail("state", "unreadable: why; do this", None).line(), "✗ state: unreadable: why; do this");
    }
}
