//! What a stage's recorded deployments and its images' tags say: since when a stage runs its
//! image (the soak clock), whether a promotion goes back to an image the target left (a
//! rollback), and how a stage relates to the stage it is promoted from (`status`).
//!
//! Pure: the commands read GitHub's deployments of an environment (written by `record`) and
//! hand them over as [`Deployed`]s, newest first.

use std::cmp::Ordering;
use std::fmt;

use super::decide::Reading;

/// One deployment to an environment, as the decisions need it.
#[derive(Debug, Clone, PartialEq)]
pub struct Deployed {
    /// The image its payload names (`record` writes it); `None` for another tool's deployment
    /// or a sensitive image.
    pub image: Option<String>,
    /// When it was created, ms since the epoch.
    pub at_ms: f64,
    /// Whether it succeeded (one of its statuses is `success`).
    pub successful: bool,
}

/// Since when the stage whose successful deployments are `history` (newest first) runs
/// `image`: the oldest of the unbroken run of successful deployments of `image` that starts at
/// the newest successful one (a second `record` of the same image does not restart the clock).
/// `None` when the newest successful deployment names another image (or none): the state
/// changed without a `record`, so when is not known.
pub fn running_since(history: &[Deployed], image: &str) -> Option<f64> {
    let mut since = None;
    for d in history.iter().filter(|d| d.successful) {
        if d.image.as_deref() != Some(image) {
            break;
        }
        since = Some(d.at_ms);
    }
    since
}

/// Whether a stage that runs `current` (its successful deployments: `history`, newest first)
/// ran `image` before and then left it: going to `image` would be a rollback.
pub fn left_before(history: &[Deployed], current: &str, image: &str) -> bool {
    image != current && history.iter().any(|d| d.successful && d.image.as_deref() == Some(image))
}

/// A tag as a SemVer version: `1.4.2` or `v1.4.2` (build metadata ignored in comparisons),
/// read as a release tag is ([`crate::version::parse_tag`], with the prefix `v` or none, as
/// [`crate::version::released_version`] reads a deployment's), so one tag is one version
/// everywhere.
pub fn version(tag: &str) -> Option<semver::Version> {
    crate::version::parse_tag(tag, "v").or_else(|_| crate::version::parse_tag(tag, "")).ok()
}

/// `new` against `old` when both tags are SemVer versions, else `None`.
pub fn compare_versions(new: Option<&str>, old: Option<&str>) -> Option<Ordering> {
    let (new, old) = (version(new?)?, version(old?)?);
    Some(new.cmp_precedence(&old))
}

/// The commit a tag names, when the tag is a commit SHA (7 to 40 hex digits, lower case as
/// git writes them): the image was built from it.
pub fn commit_of(tag: Option<&str>) -> Option<&str> {
    let tag = tag?;
    ((7..=40).contains(&tag.len()) && tag.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
        .then_some(tag)
}

/// How a stage relates to the stage it is promoted from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// Both run the same image.
    Same,
    /// The stage runs an older image than its source: a promotion would move it on.
    Behind,
    /// The stage runs a newer image than its source (the source was rolled back, or the stage
    /// was deployed directly).
    Ahead,
    /// Each runs something the other never ran, or their commits have diverged.
    Diverged,
    /// Nothing tells: no recorded history, tags that are neither versions nor commits.
    Unknown,
}

impl Relation {
    /// The word `status` shows.
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Same => "same",
            Relation::Behind => "behind",
            Relation::Ahead => "ahead",
            Relation::Diverged => "diverged",
            Relation::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Relation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How `stage` (with its successful deployments `stage_history`) relates to `source` (and
/// `source_history`), from what needs no more requests: the same image; else the histories
/// (the source ran what the stage runs, then moved on: behind; the stage ran what the source
/// runs, then moved on: ahead; both: diverged); else both tags as SemVer versions. `None` when
/// none of these tells: the caller may compare the commits of SHA tags ([`commit_of`]), else
/// it is [`Relation::Unknown`].
pub fn relate(
    source: &Reading,
    stage: &Reading,
    source_history: &[Deployed],
    stage_history: &[Deployed],
) -> Option<Relation> {
    if source.image == stage.image {
        return Some(Relation::Same);
    }
    let source_left_it = left_before(source_history, &source.image, &stage.image);
    let stage_left_it = left_before(stage_history, &stage.image, &source.image);
    match (source_left_it, stage_left_it) {
        (true, true) => return Some(Relation::Diverged),
        (true, false) => return Some(Relation::Behind),
        (false, true) => return Some(Relation::Ahead),
        (false, false) => {}
    }
    match compare_versions(stage.tag.as_deref(), source.tag.as_deref())? {
        Ordering::Less => Some(Relation::Behind),
        Ordering::Greater => Some(Relation::Ahead),
        // The same version under different references (a digest added, another registry):
        // the tags do not tell.
        Ordering::Equal => None,
    }
}
