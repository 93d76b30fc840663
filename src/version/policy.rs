//! The guard's policy: may this version be released, given the versions already released?
//!
//! Versions compare by SemVer 2.0.0 precedence (§11), through
//! [`Version::cmp_precedence`]: build metadata does not count, so `1.2.3+ci.7` is the same
//! version as `1.2.3`. `Version`'s `Ord` is deliberately never used here — it orders build
//! metadata too, which would let `v1.2.3+ci.8` pass as newer than `v1.2.3`.

use std::cmp::Ordering;
use std::fmt;

use semver::{BuildMetadata, Prerelease, Version};

/// What the guard allows besides "higher than everything released so far".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Policy {
    /// Accept versions with a prerelease part (`1.3.0-rc.1`).
    pub allow_prerelease: bool,
    /// Accept a version lower than the highest, when it is the highest of its own
    /// `major.minor` line and that line already has a release (a patch to an older line).
    pub allow_backports: bool,
}

/// A tag that already exists, and its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Existing {
    /// The tag as named in the repository (`v1.2.3`, `app/v1.2.3`).
    pub tag: String,
    /// Its version.
    pub version: Version,
}

/// How an accepted version relates to the one it follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bump {
    /// No version exists yet.
    Initial,
    /// The major number grew (`1.4.2` → `2.0.0`).
    Major,
    /// The major number stayed and the minor grew (`1.4.2` → `1.5.0`).
    Minor,
    /// Major and minor stayed and the patch grew (`1.4.2` → `1.4.3`).
    Patch,
    /// `major.minor.patch` stayed and only the prerelease moved: along a prerelease series
    /// (`1.5.0-rc.1` → `1.5.0-rc.2`) or out of it to the release (`1.5.0-rc.2` → `1.5.0`).
    Prerelease,
    /// Lower than the highest version, but higher than every version of its own existing
    /// `major.minor` line (`1.3.4` while `2.0.0` exists); only with `allow_backports`.
    Backport,
}

impl fmt::Display for Bump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Bump::Initial => "initial",
            Bump::Major => "major",
            Bump::Minor => "minor",
            Bump::Patch => "patch",
            Bump::Prerelease => "prerelease",
            Bump::Backport => "backport",
        })
    }
}

/// A version the guard lets through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The candidate.
    pub version: Version,
    /// The version it follows: the highest existing one, or for a backport the highest of its
    /// own line (what a changelog would compare against). `None` for the initial version.
    pub previous: Option<Existing>,
    /// How it relates to `previous`.
    pub bump: Bump,
    /// Whether the candidate has a prerelease part.
    pub prerelease: bool,
}

/// Why a version is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// An existing version has the same precedence (build metadata does not count).
    Duplicate,
    /// The candidate is a prerelease and the policy does not allow them.
    Prerelease,
    /// The candidate is not higher than the highest existing version (backports not allowed).
    NotHighest,
    /// Backports are allowed, but the candidate's `major.minor` line has no version yet: a
    /// backport patches a line that was released, it does not open an old one.
    NoSuchLine,
    /// Backports are allowed, but the candidate is not higher than the highest version of its
    /// own `major.minor` line.
    NotHighestInLine,
}

/// A version the guard refuses, with what blocks it and what would pass instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// The candidate.
    pub candidate: Version,
    /// Why it is refused.
    pub reason: Reason,
    /// The existing tag in the way: the duplicate, the highest existing version, or the
    /// highest of the candidate's line. `None` for a refused prerelease.
    pub blocking: Option<Existing>,
    /// Versions that would be accepted instead.
    pub next: Next,
}

/// Versions the policy would accept, computed from the highest existing version (or from
/// `0.0.0` when none exists).
///
/// The increments follow node-semver's `inc`, the rule most release tools share: from a
/// release, each part grows by one and the lower parts reset (`1.4.2` → `1.4.3`, `1.5.0`,
/// `2.0.0`); from a prerelease, a part that is already the one being released is released
/// rather than skipped (`1.5.0-rc.1` → patch `1.5.0`, minor `1.5.0`, major `2.0.0`), because
/// nobody means `1.5.1` when they say "the next patch after 1.5.0-rc.1".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Next {
    /// The next patch; `None` only when a part would overflow `u64`.
    pub patch: Option<Version>,
    /// The next minor; `None` only when a part would overflow `u64`.
    pub minor: Option<Version>,
    /// The next major; `None` only when it would overflow `u64`.
    pub major: Option<Version>,
    /// When the highest is a prerelease and prereleases are allowed, the next one in its
    /// series: the last identifier incremented when it is a number (`rc.1` → `rc.2`), else
    /// `.1` appended (`beta` → `beta.1`).
    pub prerelease: Option<Version>,
    /// When backports are allowed and the candidate's line exists below the highest line, the
    /// next patch of that line.
    pub backport: Option<Version>,
}

impl Next {
    /// Every suggestion once, lowest first.
    pub fn versions(&self) -> Vec<&Version> {
        let mut all: Vec<&Version> =
            [&self.backport, &self.prerelease, &self.patch, &self.minor, &self.major].into_iter().flatten().collect();
        all.sort_by(|a, b| a.cmp_precedence(b));
        all.dedup_by(|a, b| a.cmp_precedence(b) == Ordering::Equal);
        all
    }
}

impl Refused {
    /// The refusal in one sentence, naming the blocking tag and the next valid tags (each
    /// version written after `prefix`). Does not repeat the candidate: the caller says which
    /// tag is refused.
    pub fn message(&self, prefix: &str) -> String {
        let blocking = self.blocking.as_ref().map(|b| b.tag.as_str()).unwrap_or_default();
        let line = format!("{}.{}", self.candidate.major, self.candidate.minor);
        let mut out = match self.reason {
            Reason::Duplicate => {
                let same_build = self.blocking.as_ref().is_some_and(|b| b.version.build == self.candidate.build);
                if same_build {
                    format!("{blocking} already exists")
                } else {
                    format!("{blocking} already exists, and build metadata does not count when comparing versions")
                }
            }
            Reason::Prerelease => "it is a prerelease, and prereleases are not allowed".to_string(),
            Reason::NotHighest => format!("it is not higher than {blocking}, the highest existing version"),
            Reason::NoSuchLine => format!(
                "it is lower than {blocking}, the highest existing version, and no {line} release exists to backport to"
            ),
            Reason::NotHighestInLine => format!("it is not higher than {blocking}, the highest of the {line} line"),
        };
        let next: Vec<String> = self.next.versions().iter().map(|v| format!("{prefix}{v}")).collect();
        match next.as_slice() {
            [] => {}
            [one] => out.push_str(&format!("; the next valid tag is {one}")),
            [init @ .., last] => out.push_str(&format!("; the next valid tags are {} or {last}", init.join(", "))),
        }
        out
    }
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(""))
    }
}

impl std::error::Error for Refused {}

/// Decides whether `candidate` may be released after `existing`, in this order:
///
/// Only released versions count: under a policy that denies prereleases, existing prerelease
/// versions are left out first (see [`counted`]), so a refused `v1.1.0-rc.1` cannot block a
/// later `v1.0.1`. Then:
///
/// 1. equal precedence to any existing version: refused as a duplicate, always;
/// 2. a prerelease while the policy does not allow them: refused;
/// 3. nothing exists yet: accepted as the initial version;
/// 4. higher than the highest existing version: accepted, bumped major, minor, patch or
///    prerelease by the first part that grew;
/// 5. otherwise, with backports allowed, higher than every version of its own `major.minor`
///    line: accepted as a backport — but only when that line already has a version;
/// 6. otherwise refused, naming the highest existing version (or of its line) as the blocker.
///
/// When several existing versions share the highest precedence (`v1.2.3` and `v1.2.3+ci.7`),
/// the first in `existing` stands for them.
///
/// The refusal is boxed: it carries a handful of versions, and a large `Err` would make every
/// `Result` that passes through `?` as large.
pub fn decide(candidate: &Version, existing: &[Existing], policy: &Policy) -> Result<Accepted, Box<Refused>> {
    let counted = counted(existing, policy);
    let existing = counted.as_slice();
    let top = highest(existing.iter());
    let line = |e: &&Existing| e.version.major == candidate.major && e.version.minor == candidate.minor;
    let line_top = highest(existing.iter().filter(line));
    let refuse = |reason: Reason, blocking: Option<&Existing>| {
        Box::new(Refused {
            candidate: candidate.clone(),
            reason,
            blocking: blocking.cloned(),
            next: next(top, line_top, policy),
        })
    };
    let accept = |bump: Bump, previous: Option<&Existing>| Accepted {
        version: candidate.clone(),
        previous: previous.cloned(),
        bump,
        prerelease: !candidate.pre.is_empty(),
    };

    if let Some(duplicate) = duplicate_of(candidate, existing) {
        return Err(refuse(Reason::Duplicate, Some(duplicate)));
    }
    if !candidate.pre.is_empty() && !policy.allow_prerelease {
        return Err(refuse(Reason::Prerelease, None));
    }
    let Some(top) = top else {
        return Ok(accept(Bump::Initial, None));
    };
    if candidate.cmp_precedence(&top.version) == Ordering::Greater {
        return Ok(accept(bump(&top.version, candidate), Some(top)));
    }
    if !policy.allow_backports {
        return Err(refuse(Reason::NotHighest, Some(top)));
    }
    match line_top {
        None => Err(refuse(Reason::NoSuchLine, Some(top))),
        Some(l) if candidate.cmp_precedence(&l.version) == Ordering::Greater => Ok(accept(Bump::Backport, Some(l))),
        Some(l) => Err(refuse(Reason::NotHighestInLine, Some(l))),
    }
}

/// The existing versions that count as released under `policy`: all of them when prereleases
/// are allowed; only those without a prerelease part when they are denied (a prerelease tag
/// that exists was refused, or belongs to a series the policy no longer releases — it is not a
/// previous version).
pub fn counted(existing: &[Existing], policy: &Policy) -> Vec<Existing> {
    existing.iter().filter(|e| policy.allow_prerelease || e.version.pre.is_empty()).cloned().collect()
}

/// Whether tag `existing` can block `candidate`: only a version of equal or higher precedence
/// (a duplicate, or one the candidate is not higher than). Lower versions never block, so only
/// these need the costlier checks (is the tag on the branch?).
pub fn can_block(candidate: &Version, existing: &Existing) -> bool {
    existing.version.cmp_precedence(candidate) != Ordering::Less
}

/// The existing version with the highest precedence; the first of equals.
fn highest<'a>(versions: impl Iterator<Item = &'a Existing>) -> Option<&'a Existing> {
    versions.fold(None, |best: Option<&Existing>, e| match best {
        Some(b) if e.version.cmp_precedence(&b.version) != Ordering::Greater => Some(b),
        _ => Some(e),
    })
}

/// An existing version equal in precedence to `candidate`; an exact match (same build
/// metadata) is preferred, as the clearest one to name.
fn duplicate_of<'a>(candidate: &Version, existing: &'a [Existing]) -> Option<&'a Existing> {
    let mut equal = existing.iter().filter(|e| e.version.cmp_precedence(candidate) == Ordering::Equal);
    let first = equal.next()?;
    Some(std::iter::once(first).chain(equal).find(|e| e.version == *candidate).unwrap_or(first))
}

/// The first part that grew from `from` (lower) to `to` (higher).
fn bump(from: &Version, to: &Version) -> Bump {
    if to.major != from.major {
        Bump::Major
    } else if to.minor != from.minor {
        Bump::Minor
    } else if to.patch != from.patch {
        Bump::Patch
    } else {
        Bump::Prerelease
    }
}

fn next(top: Option<&Existing>, line_top: Option<&Existing>, policy: &Policy) -> Next {
    let zero = Version::new(0, 0, 0);
    let from = top.map_or(&zero, |t| &t.version);
    let pre = !from.pre.is_empty();
    let release = |major, minor, patch| Version::new(major, minor, patch);
    let patch = if pre { Some(release(from.major, from.minor, from.patch)) } else { next_patch(from) };
    let minor = if pre && from.patch == 0 {
        Some(release(from.major, from.minor, 0))
    } else {
        from.minor.checked_add(1).map(|m| release(from.major, m, 0))
    };
    let major = if pre && from.minor == 0 && from.patch == 0 {
        Some(release(from.major, 0, 0))
    } else {
        from.major.checked_add(1).map(|m| release(m, 0, 0))
    };
    let prerelease = if pre && policy.allow_prerelease { next_prerelease(from) } else { None };
    let other_line = |l: &&Existing| (l.version.major, l.version.minor) != (from.major, from.minor);
    let backport = match line_top.filter(other_line) {
        Some(l) if policy.allow_backports => next_patch(&l.version),
        _ => None,
    };
    Next { patch, minor, major, prerelease, backport }
}

/// The lowest release above `v` in its line: `v` released if it is a prerelease, else patch + 1.
fn next_patch(v: &Version) -> Option<Version> {
    if v.pre.is_empty() {
        v.patch.checked_add(1).map(|p| Version::new(v.major, v.minor, p))
    } else {
        Some(Version::new(v.major, v.minor, v.patch))
    }
}

/// `rc.1` → `rc.2`, `beta` → `beta.1`, `rc.9` → `rc.10`.
fn next_prerelease(v: &Version) -> Option<Version> {
    let text = v.pre.as_str();
    let (head, last) = text.rsplit_once('.').map_or(("", text), |(h, l)| (h, l));
    let numeric = !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit());
    let pre = if numeric {
        let joined = if head.is_empty() { String::new() } else { format!("{head}.") };
        format!("{joined}{}", increment_decimal(last))
    } else {
        format!("{text}.1")
    };
    let pre = Prerelease::new(&pre).ok()?;
    Some(Version { major: v.major, minor: v.minor, patch: v.patch, pre, build: BuildMetadata::EMPTY })
}

/// Adds one to a decimal number of any length (SemVer puts no bound on prerelease numbers).
fn increment_decimal(digits: &str) -> String {
    let mut bytes = digits.as_bytes().to_vec();
    for b in bytes.iter_mut().rev() {
        if *b == b'9' {
            *b = b'0';
        } else {
            *b += 1;
            return String::from_utf8(bytes).unwrap_or_default();
        }
    }
    format!("1{}", String::from_utf8(bytes).unwrap_or_default())
}
