//! The promotion decision: may the image a stage runs be promoted into the next stage?
//!
//! Pure. The `promote` command reads both stages' states with the lookup and hands over what
//! it found as [`Reading`]s; [`decide`] answers with a [`Promotion`] or the [`Refusal`] that
//! stands in the way.
//!
//! Checks that need no state ([`promotion_source`]: the target has a `from` and is not on
//! hold) can run before any state is read; [`decide`] repeats them so that it is complete on
//! its own.

use std::fmt;
use std::time::Duration;

use super::duration::format_duration;
use super::history::{commit_of, compare_versions, left_before, Deployed};
use super::model::Stage;

/// What a stage's state says it runs: one lookup's answer, as the decision needs it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reading {
    /// The image reference exactly as written in the state (`ghcr.io/org/app:v1.2.3`).
    pub image: String,
    /// The reference's tag, if it has one.
    pub tag: Option<String>,
    /// The reference's digest (`sha256:…`), if it has one.
    pub digest: Option<String>,
    /// Whether the instance is tainted (Terraform will replace it on the next apply).
    pub tainted: bool,
    /// Since when the stage runs this image, in milliseconds since the Unix epoch (as
    /// JavaScript's `Date.now()`): its latest recorded deployments, else its backend's own
    /// change time; `None` when neither says (a local file's modification time never counts:
    /// a checkout resets it).
    pub changed_at_ms: Option<f64>,
    /// The state's serial, for the summary.
    pub serial: Option<u64>,
    /// Terraform's lock on the state, as a person reads it (`locked by root@vm for apply since
    /// …`), when the backend shows one: an apply may be under way.
    pub lock: Option<String>,
}

/// Everything [`decide`] looks at.
#[derive(Debug, Clone, Copy)]
pub struct PromotionRequest<'a> {
    /// The stage promoted into.
    pub target: &'a Stage,
    /// The stage promoted from: the one `target.from` names. Only its name and address are
    /// used, in messages.
    pub source: &'a Stage,
    /// What the source runs.
    pub source_reading: &'a Reading,
    /// What the target runs; `None` when the target has no state yet (its first deployment).
    pub target_reading: Option<&'a Reading>,
    /// The `image-tag` input: the tag the caller expects to promote. `None` (or empty) for
    /// "whatever the source runs".
    pub expected_tag: Option<&'a str>,
    /// The `commit` input: the release's commit (7 to 40 lowercase hex digits). When set, the
    /// source's image must have been built from it: its tag is that commit's SHA, in full or a
    /// prefix of at least 7 digits, either way. `None` (or empty) for no check.
    pub expected_commit: Option<&'a str>,
    /// Now, in milliseconds since the Unix epoch.
    pub now_ms: f64,
    /// `allow-locked`: promote even while Terraform holds a lock on either state.
    pub allow_locked: bool,
    /// The target's recorded deployments, newest first (empty when none were read).
    pub target_history: &'a [Deployed],
    /// `allow-rollback`: promote even when it takes the target back to an older image.
    pub allow_rollback: bool,
    /// Why the source's reading has no change time, when it has none: said when soak is needed.
    pub no_clock: NoClock,
}

/// Why there is no clock for the source's soak time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NoClock {
    /// No successful deployment recorded for the source names the image it runs, and its
    /// backend keeps no change time.
    #[default]
    NotRecorded,
    /// The deployments could not be read: no token.
    NoToken,
}

/// Why a promotion takes the target back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rollback {
    /// The target's recorded deployments show it ran the image before, and then left it.
    RanBefore,
    /// Both tags are SemVer versions, and the new one is lower.
    LowerVersion { new: String, old: String },
}

/// An allowed promotion: what to deploy into the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Promotion {
    /// The source stage's name.
    pub from: String,
    /// The target stage's name.
    pub to: String,
    /// The image to deploy: the source's reference exactly as written in its state.
    pub image: String,
    /// Its tag, if any.
    pub tag: Option<String>,
    /// Its digest, if any.
    pub digest: Option<String>,
    /// What the target runs now; `None` when it has no state yet.
    pub previous: Option<String>,
    /// Whether the promotion changes what the target runs: `false` when the target already
    /// runs exactly this reference. References are compared as written, so
    /// `app:v1@sha256:…` and `app:v1` count as different even when they name the same image:
    /// deploying the digest-pinned one does change what the target's configuration says, and
    /// telling the two apart would need the registry.
    pub changed: bool,
    /// How long the source had been unchanged, when its state says when it changed (whole
    /// seconds, rounded down).
    pub soaked: Option<Duration>,
    /// The promotion takes the target back, as `allow-rollback` allows: why it is a rollback.
    pub rollback: Option<Rollback>,
}

impl Rollback {
    /// What goes back, for a message: `qa would go back to app:1.4.2, …`.
    pub fn describe(&self, to: &str, image: &str, previous: &str) -> String {
        match self {
            Rollback::RanBefore => {
                format!("{to} ran {image} before and left it for {previous}: promoting it takes {to} back")
            }
            Rollback::LowerVersion { new, old } => {
                format!("{to} runs {old} ({previous}), and {new} is a lower version: promoting it takes {to} back")
            }
        }
    }
}

/// Why a promotion is refused. `Display` says what is wrong and what to do, in one sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The target has no `from`: nothing is promoted into it.
    NoFrom { to: String },
    /// The target is on hold.
    Hold { to: String },
    /// `image-tag` was given and the source runs another tag (or none).
    TagMismatch { stage: String, image: String, expected: String, actual: Option<String> },
    /// `commit` was given and the source's image is tagged with another commit's SHA.
    CommitMismatch { stage: String, image: String, commit: String, built_from: String },
    /// `commit` was given and the source's image tag is not a commit SHA (or there is none), so
    /// the commit it was built from is not known.
    NotCommitTagged { stage: String, image: String, commit: String },
    /// The source's instance is tainted.
    Tainted { stage: String, address: String },
    /// The source's image has neither tag nor digest, and the target does not allow that.
    Untagged { stage: String, image: String, to: String },
    /// The source's image is tagged `latest` without a digest, and the target does not allow it.
    Latest { stage: String, image: String, to: String },
    /// The target needs soak time, and when the source last changed is not known.
    SoakUnknown { stage: String, to: String, min: Duration, why: NoClock },
    /// The promotion would take the target back to an older image.
    Rollback { to: String, image: String, previous: String, why: Rollback },
    /// The source's or the target's state is locked by Terraform: an apply is under way there.
    Locked { stage: String, lock: String },
    /// The source changed too recently.
    SoakNotMet { stage: String, to: String, elapsed: Duration, remaining: Duration, min: Duration },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NoFrom { to } => write!(
                f,
                "{to} has no \"from\" in the stages file, so nothing is promoted into it; deploy to {to} directly, or add \"from: <stage>\" to it"
            ),
            Refusal::Hold { to } => write!(
                f,
                "{to} is on hold (\"hold: true\" in the stages file); set \"hold: false\" to promote into it again"
            ),
            Refusal::TagMismatch { stage, image, expected, actual: Some(actual) } => write!(
                f,
                "image-tag is {expected}, but {stage} runs {image}; promote {expected} once {stage} runs it, or set image-tag to {actual}"
            ),
            Refusal::TagMismatch { stage, image, expected, actual: None } => write!(
                f,
                "image-tag is {expected}, but {stage} runs {image}, which has no tag; promote {expected} once {stage} runs it, or leave image-tag empty to promote what {stage} runs"
            ),
            Refusal::CommitMismatch { stage, image, commit, built_from } => write!(
                f,
                "the release's commit is {commit}, but {stage} runs {image}, built from commit {built_from}; promote the image of {commit} to {stage} first, or tag the commit {stage} runs ({built_from})"
            ),
            Refusal::NotCommitTagged { stage, image, commit } => write!(
                f,
                "the release's commit is {commit}, but {stage} runs {image}, whose tag is not a commit SHA, so the commit it was built from is not known: the commit check needs images tagged with the commit SHA they were built from; deploy {stage} with a SHA-tagged image, or leave commit empty"
            ),
            Refusal::Locked { stage, lock } => write!(
                f,
                "the state of {stage} is {lock}: an apply may be in progress; promote once it has finished, or set `allow-locked: true` to promote anyway"
            ),
            Refusal::Tainted { stage, address } => write!(
                f,
                "{stage}'s {address} is tainted: Terraform will replace it on the next apply, so what {stage} runs is not settled; apply {stage} (or untaint it), then promote"
            ),
            Refusal::Untagged { stage, image, to } => write!(
                f,
                "{stage} runs {image}, which has no tag or digest, so it is whatever \"latest\" is when pulled; deploy {stage} with a pinned tag or digest, or set \"allow-latest: true\" on {to}"
            ),
            Refusal::Latest { stage, image, to } => write!(
                f,
                "{stage} runs {image}, and \"latest\" can name a different image at any time; deploy {stage} with a pinned tag or digest, or set \"allow-latest: true\" on {to}"
            ),
            Refusal::SoakUnknown { stage, to, min, why: NoClock::NotRecorded } => write!(
                f,
                "{to} needs {} of soak after {stage} changes, but since when {stage} runs its image is not known: no successful deployment to {stage} records it, and {stage}'s backend keeps no change time; record each deployment of {stage} with `command: record` after its apply, or remove min-soak from {to}",
                format_duration(*min)
            ),
            Refusal::SoakUnknown { stage, to, min, why: NoClock::NoToken } => write!(
                f,
                "{to} needs {} of soak after {stage} changes, and since when {stage} runs its image is read from the deployments `command: record` records, but no token is set to read them; set `token: ${{{{ github.token }}}}` with `deployments: read`, or remove min-soak from {to}",
                format_duration(*min)
            ),
            Refusal::Rollback { to, image, previous, why } => write!(
                f,
                "{}; set `allow-rollback: true` to roll back on purpose",
                why.describe(to, image, previous)
            ),
            Refusal::SoakNotMet { stage, to, elapsed, remaining, min } => write!(
                f,
                "{stage} changed {} ago, and {to} needs {} of soak after {stage} changes: {} left; promote again then",
                format_duration(*elapsed),
                format_duration(*min),
                format_duration(*remaining)
            ),
        }
    }
}

impl std::error::Error for Refusal {}

/// The checks that need no state: the target names a stage to promote from (returned), and is
/// not on hold. A command calls this before reading any state, so that a refusal that no state
/// could change is not hidden behind a failure to read one.
pub fn promotion_source(target: &Stage) -> Result<&str, Refusal> {
    let Some(from) = target.from.as_deref() else {
        return Err(Refusal::NoFrom { to: target.name.clone() });
    };
    if target.hold {
        return Err(Refusal::Hold { to: target.name.clone() });
    }
    Ok(from)
}

/// Decides a promotion of what `source` runs into `target`. Checks, in this order, and refuses
/// at the first that fails:
///
/// 1. the target has a `from` ([`Refusal::NoFrom`]) — without one there is nothing to decide;
/// 2. the target is not on hold ([`Refusal::Hold`]) — a person's deliberate stop outranks
///    everything else: fixing any other refusal would not let the promotion through;
/// 3. the source runs the `image-tag` the caller expects ([`Refusal::TagMismatch`]) and was
///    built from the `commit` the caller releases ([`Refusal::CommitMismatch`],
///    [`Refusal::NotCommitTagged`]) — when the caller meant another image, what is wrong with
///    this one is beside the point;
/// 4. the source's instance is not tainted ([`Refusal::Tainted`]);
/// 5. the source's image is pinned ([`Refusal::Untagged`], [`Refusal::Latest`]);
/// 6. the promotion does not take the target back ([`Refusal::Rollback`]): to an image its
///    recorded deployments show it ran and left, or to a lower SemVer version — unless
///    `allow_rollback`, and then [`Promotion::rollback`] says why it is one;
/// 7. the source has soaked long enough ([`Refusal::SoakUnknown`], [`Refusal::SoakNotMet`]).
///
/// Soak comes last because it is the only refusal that waiting fixes: "1h left" must not be
/// followed, an hour later, by a refusal that was there all along.
///
/// **Pinned** means a digest, or a tag other than `latest`. A digest pins the exact image
/// whatever the tag says, so `app:latest@sha256:…` counts as pinned. The *target's*
/// `allow-latest` lifts this check: it is the target that would run an image that can change
/// under the same name, so it is the target's owner who accepts that (a dev stage that runs
/// `latest` should not make every later stage accept it).
///
/// **Soak** is the target's `min-soak`, measured from [`Reading::changed_at_ms`]: since when the
/// source runs its image, as its recorded deployments say (or its backend's own change time;
/// never a file's modification time, which a checkout resets). A source
/// changed exactly `min-soak` ago has soaked enough. A change time in the future (clock skew)
/// counts as just now.
///
/// Every check applies whether or not the promotion would change the target: a held stage
/// refuses even a promotion of what it already runs, so that a refusal never depends on the
/// target's state. [`Promotion::changed`] says whether there is anything to apply.
pub fn decide(request: &PromotionRequest) -> Result<Promotion, Refusal> {
    let PromotionRequest {
        target,
        source,
        source_reading: found,
        target_reading,
        expected_tag,
        expected_commit,
        now_ms,
        allow_locked,
        target_history,
        allow_rollback,
        no_clock,
    } = *request;
    promotion_source(target)?;
    let stage = source.name.as_str();

    // An apply in flight may change what the source runs, or overwrite what the promotion
    // applies to the target.
    if !allow_locked {
        let locked = [(source, Some(found)), (target, target_reading)];
        if let Some((stage, lock)) = locked.iter().find_map(|(s, r)| Some((s, r.as_ref()?.lock.as_ref()?))) {
            return Err(Refusal::Locked { stage: stage.name.clone(), lock: lock.clone() });
        }
    }

    if let Some(expected) = expected_tag.filter(|t| !t.is_empty()) {
        if found.tag.as_deref() != Some(expected) {
            return Err(Refusal::TagMismatch {
                stage: stage.to_string(),
                image: found.image.clone(),
                expected: expected.to_string(),
                actual: found.tag.clone(),
            });
        }
    }

    if let Some(commit) = expected_commit.filter(|c| !c.is_empty()) {
        check_commit(stage, found, commit)?;
    }

    if found.tainted {
        return Err(Refusal::Tainted { stage: stage.to_string(), address: source.address.clone() });
    }

    if found.digest.is_none() && !target.allow_latest {
        let (stage, image, to) = (stage.to_string(), found.image.clone(), target.name.clone());
        match found.tag.as_deref() {
            None => return Err(Refusal::Untagged { stage, image, to }),
            Some("latest") => return Err(Refusal::Latest { stage, image, to }),
            Some(_) => {}
        }
    }

    let rollback = target_reading.filter(|r| r.image != found.image).and_then(|now| {
        if left_before(target_history, &now.image, &found.image) {
            return Some(Rollback::RanBefore);
        }
        let lower = compare_versions(found.tag.as_deref(), now.tag.as_deref()) == Some(std::cmp::Ordering::Less);
        lower.then(|| Rollback::LowerVersion {
            new: found.tag.clone().unwrap_or_default(),
            old: now.tag.clone().unwrap_or_default(),
        })
    });
    if let (Some(why), false) = (&rollback, allow_rollback) {
        return Err(Refusal::Rollback {
            to: target.name.clone(),
            image: found.image.clone(),
            previous: target_reading.map(|r| r.image.clone()).unwrap_or_default(),
            why: why.clone(),
        });
    }

    let elapsed_ms = found.changed_at_ms.map(|at| now_ms - at).filter(|ms| ms.is_finite()).map(|ms| ms.max(0.0));
    if let Some(min) = target.min_soak {
        let Some(elapsed_ms) = elapsed_ms else {
            return Err(Refusal::SoakUnknown { stage: stage.to_string(), to: target.name.clone(), min, why: no_clock });
        };
        let min_ms = min.as_millis() as f64;
        if elapsed_ms < min_ms {
            // Elapsed rounds down and what remains rounds up, so "left" is never "0s" and the
            // two add up to min-soak when min-soak is whole seconds.
            let remaining = Duration::from_secs(((min_ms - elapsed_ms) / 1000.0).ceil() as u64);
            return Err(Refusal::SoakNotMet {
                stage: stage.to_string(),
                to: target.name.clone(),
                elapsed: whole_seconds(elapsed_ms),
                remaining,
                min,
            });
        }
    }

    Ok(Promotion {
        from: stage.to_string(),
        to: target.name.clone(),
        image: found.image.clone(),
        tag: found.tag.clone(),
        digest: found.digest.clone(),
        previous: target_reading.map(|r| r.image.clone()),
        changed: target_reading.is_none_or(|r| r.image != found.image),
        soaked: elapsed_ms.map(whole_seconds),
        rollback,
    })
}

/// Milliseconds (finite, not negative) as whole seconds, rounded down.
fn whole_seconds(ms: f64) -> Duration {
    Duration::from_secs((ms / 1000.0).floor() as u64)
}

/// Whether the image `found` was built from `commit`: its tag is a commit SHA ([`commit_of`])
/// and one of the two is a prefix of the other (a short SHA tag of the full commit, or the
/// other way round; both at least 7 digits). Letters are compared in lower case.
fn check_commit(stage: &str, found: &Reading, commit: &str) -> Result<(), Refusal> {
    let commit = commit.to_ascii_lowercase();
    let Some(built_from) = commit_of(found.tag.as_deref()) else {
        return Err(Refusal::NotCommitTagged { stage: stage.to_string(), image: found.image.clone(), commit });
    };
    if commit.starts_with(built_from) || built_from.starts_with(&commit) {
        return Ok(());
    }
    Err(Refusal::CommitMismatch {
        stage: stage.to_string(),
        image: found.image.clone(),
        commit,
        built_from: built_from.to_string(),
    })
}
