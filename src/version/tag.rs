//! Release tags: a literal prefix followed by a strict SemVer 2.0.0 version.
//!
//! The `semver` crate decides what a version is. Its errors name parser positions ("unexpected
//! character 'v' while parsing major version number"), so a check of our own runs first and says
//! what is wrong in the words of the person who typed the tag ("the minor version has a leading
//! zero"). The two agree on what they accept — a test holds them to it — and should they ever
//! differ, the crate's verdict wins.

use std::fmt;

use semver::Version;

use super::policy::Existing;
use crate::text::quote;

/// The longest tag: git keeps a tag as a file named after it, and file names stop at 255
/// bytes. It also bounds what a message or an output can hold of a version.
const MAX_TAG: usize = 255;

/// Why a tag is not `prefix` + SemVer 2.0.0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagError {
    /// The tag as given.
    pub tag: String,
    /// What is wrong with it.
    pub problem: TagProblem,
}

/// What is wrong with a tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagProblem {
    /// The tag does not start with the prefix (matched literally, case included).
    MissingPrefix {
        /// The prefix that was expected.
        prefix: String,
    },
    /// The tag is empty, holds whitespace or control characters, or what follows the prefix is
    /// not a SemVer 2.0.0 version; the sentence says which part and why.
    Invalid(String),
}

impl fmt::Display for TagError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tag = &self.tag;
        match &self.problem {
            TagProblem::MissingPrefix { prefix } => {
                write!(f, "tag {} does not start with the prefix {}", quote(tag), quote(prefix))?;
                let head = tag.get(..prefix.len());
                if head.is_some_and(|h| h.eq_ignore_ascii_case(prefix)) {
                    f.write_str(" (the prefix is matched exactly, case included)")?;
                }
                Ok(())
            }
            TagProblem::Invalid(problem) => write!(f, "tag {}: {problem}", quote(tag)),
        }
    }
}

impl std::error::Error for TagError {}

/// The largest number a version part may hold: SemVer sets no limit, but the `semver` crate,
/// Cargo and most tools store parts as `u64`.
const MAX_PART: u64 = u64::MAX;

/// Parses `tag` as `prefix` + strict SemVer 2.0.0: `MAJOR.MINOR.PATCH`, three numbers without
/// leading zeros that fit in a `u64`, then optionally `-PRERELEASE` and `+BUILD`, and nothing
/// else. The prefix is matched literally and may be empty or hold slashes (`app/v`).
///
/// Whitespace and control characters are refused anywhere in the tag, before the prefix is
/// looked at: a trailing newline from `$(cat VERSION)` is the usual cause of a tag that "looks
/// right", and git refuses such names anyway.
pub fn parse_tag(tag: &str, prefix: &str) -> Result<Version, TagError> {
    let invalid = |problem: String| TagError { tag: tag.to_string(), problem: TagProblem::Invalid(problem) };
    if tag.is_empty() {
        return Err(invalid(format!("it is empty; a release tag looks like \"{prefix}1.2.3\"")));
    }
    if tag.len() > MAX_TAG {
        return Err(invalid(format!(
            "it is {} bytes long; git stores a tag as a file, whose name is at most {MAX_TAG} bytes",
            tag.len()
        )));
    }
    if let Some((position, c)) = tag.chars().enumerate().find(|(_, c)| c.is_whitespace() || c.is_control()) {
        return Err(invalid(format!(
            "{} (U+{:04X}) at position {}; a tag cannot contain whitespace or control characters",
            character_name(c),
            c as u32,
            position + 1
        )));
    }
    let Some(version) = tag.strip_prefix(prefix) else {
        return Err(TagError {
            tag: tag.to_string(),
            problem: TagProblem::MissingPrefix { prefix: prefix.to_string() },
        });
    };
    if version.is_empty() {
        return Err(invalid(format!(
            "nothing follows the prefix {}; add a version, as in \"{prefix}1.2.3\"",
            quote(prefix)
        )));
    }
    if let Some(problem) = stray_v(version, prefix) {
        return Err(invalid(problem));
    }
    check_version(version).map_err(invalid)?;
    Version::parse(version).map_err(|e| invalid(e.to_string()))
}

/// Sorts tags into those that are `prefix` + SemVer and those that start with the prefix but are
/// not valid. Tags without the prefix belong to something else (another component of a
/// monorepo, a moving `v1` tag when the prefix is `v1.`…) and are left out of both lists, and so
/// are the moving aliases of a release line (`v1`, `v1.2`: see [`is_alias`]): they point at a
/// release, they are not one, and their existence is not a mistake.
pub fn existing_versions<'a>(tags: impl IntoIterator<Item = &'a str>, prefix: &str) -> (Vec<Existing>, Vec<TagError>) {
    let mut valid = Vec::new();
    let mut invalid = Vec::new();
    for tag in tags {
        if tag.strip_prefix(prefix).is_some_and(is_alias) {
            continue;
        }
        match parse_tag(tag, prefix) {
            Ok(version) => valid.push(Existing { tag: tag.to_string(), version }),
            Err(TagError { problem: TagProblem::MissingPrefix { .. }, .. }) => {}
            Err(e) => invalid.push(e),
        }
    }
    (valid, invalid)
}

/// The version a deployment records, from the texts that may name it in order of preference
/// (the release tag `record` wrote, the image tag, the deployment's ref): the first that is
/// `prefix` + SemVer, or a bare SemVer version (an image tagged `1.2.3` under prefix `v`).
/// Commit SHAs and other names give nothing. The result is named `prefix` + version, as the
/// tag would be.
pub fn released_version<'a>(texts: impl IntoIterator<Item = &'a str>, prefix: &str) -> Option<Existing> {
    texts.into_iter().find_map(|text| {
        let version = parse_tag(text, prefix).or_else(|_| parse_tag(text, "")).ok()?;
        Some(Existing { tag: format!("{prefix}{version}"), version })
    })
}

/// Whether `version` (what follows the prefix) names a moving alias of a release line: a major
/// (`1`) or a major.minor (`1.2`), numbers only, as the `v1` tag an action moves on each release.
/// Such a tag proposed for release is still refused as malformed by [`parse_tag`].
pub fn is_alias(version: &str) -> bool {
    let parts: Vec<&str> = version.split('.').collect();
    let number =
        |p: &&str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && (p.len() == 1 || !p.starts_with('0'));
    (1..=2).contains(&parts.len()) && parts.iter().all(number)
}

/// `vv1.2.3`, or `v1.2.3` with an empty prefix: a "v" where the version should start.
fn stray_v(version: &str, prefix: &str) -> Option<String> {
    let mut chars = version.chars();
    let v = chars.next().filter(|c| matches!(c, 'v' | 'V'))?;
    chars.next().filter(char::is_ascii_digit)?;
    Some(match prefix.chars().last() {
        Some(last) if last.eq_ignore_ascii_case(&v) => format!("a second \"{v}\" after the prefix"),
        Some(_) => format!("a \"{v}\" after the prefix {}, which does not end in \"v\"", quote(prefix)),
        None => format!("a \"{v}\" before the version, but the prefix is empty"),
    })
}

/// Says what is wrong with `version`, or nothing when it is strict SemVer 2.0.0.
fn check_version(version: &str) -> Result<(), String> {
    let (rest, build) = match version.split_once('+') {
        Some((rest, build)) => (rest, Some(build)),
        None => (version, None),
    };
    // The core never holds a "-": the first one starts the prerelease, whose identifiers may
    // hold more of them (`1.2.3----RC`).
    let (core, pre) = match rest.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (rest, None),
    };
    if core.is_empty() {
        let first = &version[..1];
        return Err(format!("the version starts with \"{first}\"; it must start with major.minor.patch, as in 1.2.3"));
    }
    check_core(core)?;
    if let Some(pre) = pre {
        if pre.is_empty() {
            return Err("nothing follows the \"-\"; remove it, or add a prerelease as in 1.2.3-rc.1".into());
        }
        for identifier in pre.split('.') {
            check_identifier(identifier, "prerelease", pre)?;
            if identifier.len() > 1 && identifier.starts_with('0') && identifier.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("the prerelease identifier {} is a number with a leading zero", quote(identifier)));
            }
        }
    }
    if let Some(build) = build {
        if build.is_empty() {
            return Err("nothing follows the \"+\"; remove it, or add build metadata as in 1.2.3+build.1".into());
        }
        if build.contains('+') {
            return Err(format!("the build metadata {} holds a second \"+\"", quote(build)));
        }
        // Build identifiers may have leading zeros: they are never compared as numbers.
        for identifier in build.split('.') {
            check_identifier(identifier, "build metadata", build)?;
        }
    }
    Ok(())
}

/// `MAJOR.MINOR.PATCH`: the parts that are there are checked in order, then their count, so
/// `alpha` reads "the major version is not a number" and `1.2` reads "needs a patch version".
fn check_core(core: &str) -> Result<(), String> {
    let parts: Vec<&str> = core.split('.').collect();
    for (name, part) in ["major", "minor", "patch"].into_iter().zip(&parts) {
        if part.is_empty() {
            return Err(format!("the {name} version is empty"));
        }
        if !part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("the {name} version {} is not a number", quote(part)));
        }
        if part.len() > 1 && part.starts_with('0') {
            return Err(format!("the {name} version has a leading zero"));
        }
        if part.parse::<u64>().is_err() {
            return Err(format!("the {name} version {part} is too large; the largest allowed is {MAX_PART}"));
        }
    }
    match parts.len() {
        1 => Err(format!("{} has only a major version; SemVer needs major.minor.patch, as in {core}.0.0", quote(core))),
        2 => Err(format!("{} has only major.minor; SemVer needs major.minor.patch, as in {core}.0", quote(core))),
        3 => Ok(()),
        n => Err(format!(
            "{} has {n} dot-separated parts; SemVer has exactly three (major.minor.patch), and a prerelease follows a \"-\", as in 1.2.3-rc.1",
            quote(core)
        )),
    }
}

/// One dot-separated identifier of a prerelease or build: non-empty, `[0-9A-Za-z-]` only.
fn check_identifier(identifier: &str, what: &str, whole: &str) -> Result<(), String> {
    if identifier.is_empty() {
        return Err(format!(
            "the {what} {} has an empty identifier (a dot at the start or end, or two dots in a row)",
            quote(whole)
        ));
    }
    match identifier.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-')) {
        Some(c) => Err(format!(
            "the {what} {} holds \"{}\"; identifiers use only ASCII letters, digits and \"-\"",
            quote(whole),
            c.escape_debug()
        )),
        None => Ok(()),
    }
}

/// How a log reader would name an invisible character.
fn character_name(c: char) -> &'static str {
    match c {
        ' ' => "a space",
        '\t' => "a tab",
        '\n' => "a line feed",
        '\r' => "a carriage return",
        c if c.is_whitespace() => "a whitespace character",
        _ => "a control character",
    }
}
