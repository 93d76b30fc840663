//! The version module's behaviours, with exact messages.

mod file;
mod policy;
mod tag;

use semver::Version;

/// A version the test writes by hand; panics on a typo.
fn v(text: &str) -> Version {
    Version::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}
