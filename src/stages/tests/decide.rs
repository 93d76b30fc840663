//! The promotion decision: each refusal word for word, their order, soak boundaries, and
//! whether a promotion changes the target.

use std::time::Duration;

use super::super::history::{compare_versions, version};
use super::super::*;

const HOUR_MS: f64 = 3_600_000.0;
const MINUTE_MS: f64 = 60_000.0;
/// A fixed "now": 2025-01-01T00:00:00Z.
const NOW: f64 = 1_735_689_600_000.0;

fn stage(name: &str, from: Option<&str>) -> Stage {
    Stage {
        name: name.into(),
        state: format!("infra/stages/{name}"),
        address: "kubernetes_deployment_v1.backend".into(),
        from: from.map(str::to_string),
        ..Stage::default()
    }
}

fn dev() -> Stage {
    stage("dev", None)
}

fn qa() -> Stage {
    stage("qa", Some("dev"))
}

/// A reading of `image`, with the tag and digest split as the state module would.
fn reading(image: &str) -> Reading {
    let (rest, digest) = match image.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest.to_string())),
        None => (image, None),
    };
    let last = rest.rsplit('/').next().unwrap_or(rest);
    let tag = last.split_once(':').map(|(_, tag)| tag.to_string());
    Reading {
        image: image.into(),
        tag,
        digest,
        changed_at_ms: Some(NOW - 48.0 * HOUR_MS),
        serial: Some(7),
        ..Reading::default()
    }
}

fn request<'a>(target: &'a Stage, source: &'a Stage, found: &'a Reading) -> PromotionRequest<'a> {
    PromotionRequest {
        target,
        source,
        source_reading: found,
        target_reading: None,
        expected_tag: None,
        expected_commit: None,
        now_ms: NOW,
        allow_locked: false,
        target_history: &[],
        allow_rollback: false,
        no_clock: NoClock::NotRecorded,
    }
}

fn refusal(request: &PromotionRequest) -> String {
    match decide(request) {
        Ok(p) => panic!("allowed: {p:?}"),
        Err(r) => r.to_string(),
    }
}

#[test]
fn a_pinned_soaked_image_is_promoted_and_says_what_changes() {
    let (qa, dev) = (Stage { min_soak: Some(Duration::from_secs(7200)), ..qa() }, dev());
    let found = reading("ghcr.io/org/app:v1.2.3");
    let before = reading("ghcr.io/org/app:v1.2.2");
    let got = decide(&PromotionRequest { target_reading: Some(&before), ..request(&qa, &dev, &found) }).unwrap();
    assert_eq!(
        got,
        Promotion {
            from: "dev".into(),
            to: "qa".into(),
            image: "ghcr.io/org/app:v1.2.3".into(),
            tag: Some("v1.2.3".into()),
            digest: None,
            previous: Some("ghcr.io/org/app:v1.2.2".into()),
            changed: true,
            soaked: Some(Duration::from_secs(48 * 3600)),
            rollback: None,
        }
    );
}

#[test]
fn changed_compares_the_references_as_written() {
    let (qa, dev) = (qa(), dev());
    let digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let cases = [
        ("app:v1", None, true),
        ("app:v1", Some("app:v1"), false),
        ("app:v1", Some("app:v0"), true),
        (&*format!("app@{digest}"), Some(&*format!("app@{digest}")), false),
        // The same image, one pinned by digest: the target's configuration does change.
        (&*format!("app:v1@{digest}"), Some("app:v1"), true),
        ("app:v1", Some(&*format!("app:v1@{digest}")), true),
        // A registry written out is a different reference, even if it is the default one.
        ("docker.io/library/app:v1", Some("app:v1"), true),
    ];
    for (source, target, changed) in cases {
        let found = reading(source);
        let before = target.map(reading);
        let got = decide(&PromotionRequest { target_reading: before.as_ref(), ..request(&qa, &dev, &found) }).unwrap();
        assert_eq!((got.changed, got.previous.as_deref()), (changed, target), "{source} over {target:?}");
        if let Some(before) = &before {
            let same = relate(&found, before, &[], &[]) == Some(Relation::Same);
            assert_eq!(same, !changed, "same: {source} over {target:?}");
        }
    }
}

#[test]
fn each_refusal_says_what_to_do() {
    let (dev, qa) = (dev(), qa());
    let held = Stage { hold: true, ..qa.clone() };
    let soaking = Stage { min_soak: Some(Duration::from_secs(7200)), ..qa.clone() };
    let pinned = reading("ghcr.io/org/app:v1.2.3");
    let by_digest =
        Reading { image: "app@sha256:ab".into(), tag: None, digest: Some("sha256:ab".into()), ..pinned.clone() };
    /// What is tested, target, source, what the source runs, image-tag, the refusal.
    type Case<'a> = (&'a str, &'a Stage, &'a Stage, Reading, Option<&'a str>, &'a str);
    let cases: Vec<Case> = vec![
        (
            "no from",
            &dev,
            &qa,
            pinned.clone(),
            None,
            "dev has no \"from\" in the stages file, so nothing is promoted into it; deploy to dev directly, or add \"from: <stage>\" to it",
        ),
        (
            "on hold",
            &held,
            &dev,
            pinned.clone(),
            None,
            "qa is on hold (\"hold: true\" in the stages file); set \"hold: false\" to promote into it again",
        ),
        (
            "another tag expected",
            &qa,
            &dev,
            pinned.clone(),
            Some("v1.2.4"),
            "image-tag is v1.2.4, but dev runs ghcr.io/org/app:v1.2.3; promote v1.2.4 once dev runs it, or set image-tag to v1.2.3",
        ),
        (
            "a tag expected, a digest found",
            &qa,
            &dev,
            by_digest,
            Some("v1.2.4"),
            "image-tag is v1.2.4, but dev runs app@sha256:ab, which has no tag; promote v1.2.4 once dev runs it, or leave image-tag empty to promote what dev runs",
        ),
        (
            "tainted",
            &qa,
            &dev,
            Reading { tainted: true, ..pinned.clone() },
            None,
            "dev's kubernetes_deployment_v1.backend is tainted: Terraform will replace it on the next apply, so what dev runs is not settled; apply dev (or untaint it), then promote",
        ),
        (
            "untagged",
            &qa,
            &dev,
            reading("ghcr.io/org/app"),
            None,
            "dev runs ghcr.io/org/app, which has no tag or digest, so it is whatever \"latest\" is when pulled; deploy dev with a pinned tag or digest, or set \"allow-latest: true\" on qa",
        ),
        (
            "latest",
            &qa,
            &dev,
            reading("ghcr.io/org/app:latest"),
            None,
            "dev runs ghcr.io/org/app:latest, and \"latest\" can name a different image at any time; deploy dev with a pinned tag or digest, or set \"allow-latest: true\" on qa",
        ),
        (
            "soak not met",
            &soaking,
            &dev,
            Reading { changed_at_ms: Some(NOW - 40.0 * MINUTE_MS), ..pinned.clone() },
            None,
            "dev changed 40m ago, and qa needs 2h of soak after dev changes: 1h 20m left; promote again then",
        ),
        (
            "soak unknown",
            &soaking,
            &dev,
            Reading { changed_at_ms: None, ..pinned.clone() },
            None,
            "qa needs 2h of soak after dev changes, but since when dev runs its image is not known: no successful deployment to dev records it, and dev's backend keeps no change time; record each deployment of dev with `command: record` after its apply, or remove min-soak from qa",
        ),
    ];
    for (what, target, source, found, expected_tag, message) in cases {
        assert_eq!(refusal(&PromotionRequest { expected_tag, ..request(target, source, &found) }), message, "{what}");
    }
}

#[test]
fn refusals_come_in_order_of_what_to_fix_first() {
    // A request that fails every check: each fix uncovers the next refusal, soak last.
    let dev = dev();
    let mut target = Stage { hold: true, min_soak: Some(Duration::from_secs(7200)), ..qa() };
    let mut found = Reading {
        tainted: true,
        changed_at_ms: Some(NOW - MINUTE_MS),
        lock: Some("locked by root@ci for apply".into()),
        ..reading("app:latest")
    };
    let mut expected_tag = Some("v2");
    let order = |target: &Stage, found: &Reading, expected_tag| {
        let request = PromotionRequest { expected_tag, ..request(target, &dev, found) };
        match decide(&request) {
            Err(Refusal::NoFrom { .. }) => "no from",
            Err(Refusal::Hold { .. }) => "hold",
            Err(Refusal::Locked { .. }) => "locked",
            Err(Refusal::TagMismatch { .. }) => "tag mismatch",
            Err(Refusal::CommitMismatch { .. } | Refusal::NotCommitTagged { .. }) => "commit",
            Err(Refusal::Tainted { .. }) => "tainted",
            Err(Refusal::Untagged { .. }) => "untagged",
            Err(Refusal::Latest { .. }) => "latest",
            Err(Refusal::SoakUnknown { .. }) => "soak unknown",
            Err(Refusal::SoakNotMet { .. }) => "soak not met",
            Err(Refusal::Rollback { .. }) => "rollback",
            Ok(_) => "allowed",
        }
    };
    let mut seen = Vec::new();
    let unrooted = Stage { from: None, ..target.clone() };
    seen.push(order(&unrooted, &found, expected_tag));
    seen.push(order(&target, &found, expected_tag));
    target.hold = false;
    seen.push(order(&target, &found, expected_tag));
    found.lock = None;
    seen.push(order(&target, &found, expected_tag));
    expected_tag = Some("latest");
    seen.push(order(&target, &found, expected_tag));
    found.tainted = false;
    seen.push(order(&target, &found, expected_tag));
    target.allow_latest = true;
    seen.push(order(&target, &found, expected_tag));
    found.changed_at_ms = Some(NOW - 2.0 * HOUR_MS);
    seen.push(order(&target, &found, expected_tag));
    assert_eq!(seen, ["no from", "hold", "locked", "tag mismatch", "tainted", "latest", "soak not met", "allowed"]);
}

#[test]
fn the_checks_that_need_no_state_run_before_any_is_read() {
    let (dev, qa) = (dev(), qa());
    assert_eq!(promotion_source(&qa), Ok("dev"));
    assert_eq!(promotion_source(&dev), Err(Refusal::NoFrom { to: "dev".into() }));
    // No from outranks hold: there is nothing to hold.
    assert_eq!(promotion_source(&Stage { hold: true, ..dev.clone() }), Err(Refusal::NoFrom { to: "dev".into() }));
    assert_eq!(promotion_source(&Stage { hold: true, ..qa.clone() }), Err(Refusal::Hold { to: "qa".into() }));
}

#[test]
fn a_held_stage_refuses_even_what_it_already_runs() {
    let (dev, held) = (dev(), Stage { hold: true, ..qa() });
    let found = reading("app:v1");
    let request = PromotionRequest { target_reading: Some(&found), ..request(&held, &dev, &found) };
    assert_eq!(decide(&request), Err(Refusal::Hold { to: "qa".into() }));
}

#[test]
fn pinned_means_a_digest_or_a_tag_other_than_latest() {
    let (dev, qa) = (dev(), qa());
    let allows = Stage { allow_latest: true, ..qa.clone() };
    let digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let cases = [
        ("app:v1", true, true),
        ("app:latest-fixes", true, true),
        ("app:Latest", true, true),
        (&*format!("app@{digest}"), true, true),
        (&*format!("app:latest@{digest}"), true, true),
        ("app", false, true),
        ("app:latest", false, true),
        ("localhost:5000/app", false, true),
        ("localhost:5000/app:latest", false, true),
    ];
    for (image, allowed, allowed_with_allow_latest) in cases {
        let found = reading(image);
        assert_eq!(decide(&request(&qa, &dev, &found)).is_ok(), allowed, "{image}");
        assert_eq!(
            decide(&request(&allows, &dev, &found)).is_ok(),
            allowed_with_allow_latest,
            "{image} with allow-latest"
        );
    }
}

#[test]
fn allow_latest_is_the_targets_not_the_sources() {
    let dev_allows = Stage { allow_latest: true, ..dev() };
    let found = reading("app:latest");
    assert!(matches!(decide(&request(&qa(), &dev_allows, &found)), Err(Refusal::Latest { .. })));
}

#[test]
fn soak_is_met_from_exactly_min_soak_on() {
    let dev = dev();
    let qa = Stage { min_soak: Some(Duration::from_secs(7200)), ..qa() };
    let at = |elapsed_ms: f64| Reading { changed_at_ms: Some(NOW - elapsed_ms), ..reading("app:v1") };
    /// Seconds soaked when allowed; (elapsed, remaining) seconds when refused.
    type Outcome = Result<u64, (u64, u64)>;
    let cases: [(f64, Outcome); 8] = [
        (2.0 * HOUR_MS, Ok(7200)),
        (2.0 * HOUR_MS + 1.0, Ok(7200)),
        (30.0 * 24.0 * HOUR_MS, Ok(30 * 86_400)),
        // (elapsed, remaining) in seconds: elapsed rounds down, remaining up.
        (2.0 * HOUR_MS - 1.0, Err((7199, 1))),
        (2.0 * HOUR_MS - 1000.0, Err((7199, 1))),
        (HOUR_MS + 12.5 * MINUTE_MS, Err((4350, 2850))),
        (0.0, Err((0, 7200))),
        // Changed "in the future" (the clocks disagree): as if just now.
        (-5.0 * MINUTE_MS, Err((0, 7200))),
    ];
    for (elapsed_ms, expected) in cases {
        let found = at(elapsed_ms);
        let got = match decide(&request(&qa, &dev, &found)) {
            Ok(p) => Ok(p.soaked.unwrap().as_secs()),
            Err(Refusal::SoakNotMet { elapsed, remaining, min, .. }) => {
                assert_eq!(min, Duration::from_secs(7200));
                Err((elapsed.as_secs(), remaining.as_secs()))
            }
            Err(other) => panic!("{elapsed_ms}: {other}"),
        };
        assert_eq!(got, expected, "{elapsed_ms}");
    }
}

#[test]
fn a_remaining_soak_reads_in_the_largest_units() {
    let dev = dev();
    let qa = Stage { min_soak: Some(Duration::from_secs(3 * 86_400)), ..qa() };
    let found = Reading { changed_at_ms: Some(NOW - (HOUR_MS + 30_000.0)), ..reading("app:v1") };
    assert_eq!(
        refusal(&request(&qa, &dev, &found)),
        "dev changed 1h 30s ago, and qa needs 3d of soak after dev changes: 2d 22h 59m 30s left; promote again then"
    );
}

#[test]
fn soak_is_not_judged_when_the_target_needs_none() {
    let (dev, qa) = (dev(), qa());
    let found = Reading { changed_at_ms: None, ..reading("app:v1") };
    assert_eq!(decide(&request(&qa, &dev, &found)).unwrap().soaked, None);
    let just_now = Reading { changed_at_ms: Some(NOW), ..reading("app:v1") };
    assert_eq!(decide(&request(&qa, &dev, &just_now)).unwrap().soaked, Some(Duration::ZERO));
}

#[test]
fn an_unusable_change_time_is_an_unknown_one() {
    let dev = dev();
    let qa = Stage { min_soak: Some(Duration::from_secs(60)), ..qa() };
    for at in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let found = Reading { changed_at_ms: Some(at), ..reading("app:v1") };
        assert!(matches!(decide(&request(&qa, &dev, &found)), Err(Refusal::SoakUnknown { .. })), "{at}");
    }
}

#[test]
fn an_empty_image_tag_means_whatever_the_source_runs() {
    let (dev, qa) = (dev(), qa());
    let found = reading("app:v1");
    for expected_tag in [None, Some("")] {
        assert!(decide(&PromotionRequest { expected_tag, ..request(&qa, &dev, &found) }).is_ok());
    }
    let got = decide(&PromotionRequest { expected_tag: Some("v1"), ..request(&qa, &dev, &found) }).unwrap();
    assert_eq!(got.tag.as_deref(), Some("v1"));
    // Compared exactly: v1 is not 1.
    let refused = decide(&PromotionRequest { expected_tag: Some("1"), ..request(&qa, &dev, &found) });
    assert!(matches!(refused, Err(Refusal::TagMismatch { .. })));
}

#[test]
fn a_lock_on_either_state_refuses_unless_allowed() {
    let (dev, qa) = (dev(), qa());
    let locked =
        Reading { lock: Some("locked by root@ci for apply since 2026-11-29T05:42:19Z".into()), ..reading("app:v2") };
    let free = reading("app:v1");
    assert_eq!(
        refusal(&request(&qa, &dev, &locked)),
        "the state of dev is locked by root@ci for apply since 2026-11-29T05:42:19Z: an apply may be in progress; promote once it has finished, or set `allow-locked: true` to promote anyway"
    );
    let into_locked = PromotionRequest { target_reading: Some(&locked), ..request(&qa, &dev, &free) };
    assert_eq!(decide(&into_locked), Err(Refusal::Locked { stage: "qa".into(), lock: locked.lock.clone().unwrap() }));
    let allowed = PromotionRequest { allow_locked: true, ..into_locked };
    assert_eq!(decide(&allowed).map(|p| p.image), Ok("app:v1".to_string()));
}

fn ran(image: &str, hours_ago: f64, successful: bool) -> Deployed {
    Deployed { image: Some(image.into()), at_ms: NOW - hours_ago * HOUR_MS, successful }
}

#[test]
fn soak_without_a_clock_says_how_to_get_one() {
    let (qa, dev) = (Stage { min_soak: Some(Duration::from_secs(7200)), ..qa() }, dev());
    let found = Reading { changed_at_ms: None, ..reading("app:v1.2.3") };
    let no_token = PromotionRequest { no_clock: NoClock::NoToken, ..request(&qa, &dev, &found) };
    assert_eq!(
        refusal(&no_token),
        "qa needs 2h of soak after dev changes, and since when dev runs its image is read from the deployments `command: record` records, but no token is set to read them; set `token: ${{ github.token }}` with `deployments: read`, or remove min-soak from qa"
    );
    // Without min-soak, no clock is needed.
    let unsoaked = Stage { min_soak: None, ..qa.clone() };
    assert!(decide(&request(&unsoaked, &dev, &found)).is_ok());
}

#[test]
fn the_soak_clock_starts_at_the_first_of_the_latest_run_of_deployments_of_the_image() {
    let history = [
        ran("app:2", 1.0, true),
        ran("app:3", 1.5, false), // failed: not what ran
        ran("app:2", 3.0, true),
        ran("app:1", 5.0, true),
        ran("app:2", 9.0, true),
    ];
    assert_eq!(running_since(&history, "app:2"), Some(NOW - 3.0 * HOUR_MS));
    // The latest successful deployment is of another image: the state changed unrecorded.
    assert_eq!(running_since(&history, "app:1"), None);
    assert_eq!(running_since(&[], "app:1"), None);
    let other_tool = Deployed { image: None, at_ms: NOW, successful: true };
    assert_eq!(running_since(&[other_tool, ran("app:2", 2.0, true)], "app:2"), None);
}

#[test]
fn a_rollback_is_refused_unless_allowed_and_then_said() {
    let (qa, dev) = (qa(), dev());
    // SemVer: 1.4.2 into a target on 1.6.0.
    let found = reading("ghcr.io/org/app:1.4.2");
    let before = reading("ghcr.io/org/app:1.6.0");
    let into = PromotionRequest { target_reading: Some(&before), ..request(&qa, &dev, &found) };
    assert_eq!(
        refusal(&into),
        "qa runs 1.6.0 (ghcr.io/org/app:1.6.0), and 1.4.2 is a lower version: promoting it takes qa back; set `allow-rollback: true` to roll back on purpose"
    );
    let allowed = decide(&PromotionRequest { allow_rollback: true, ..into }).unwrap();
    assert_eq!(allowed.rollback, Some(Rollback::LowerVersion { new: "1.4.2".into(), old: "1.6.0".into() }));
    assert!(allowed.changed);
    // v-prefixed versions compare too; a higher one, or a tag that is no version, is no rollback.
    for (new, old, refused) in [
        ("v1.4.2", "v1.10.0", true),
        ("1.6.1", "1.6.0", false),
        ("abc1234", "1.6.0", false),
        ("1.6.0-rc.1", "1.6.0", true),
    ] {
        let (found, before) = (reading(&format!("app:{new}")), reading(&format!("app:{old}")));
        let got = decide(&PromotionRequest { target_reading: Some(&before), ..request(&qa, &dev, &found) });
        assert_eq!(matches!(got, Err(Refusal::Rollback { .. })), refused, "{new} over {old}");
    }

    // History: qa ran app:aaa1111, then left it for app:bbb2222; promoting aaa1111 again is a rollback.
    let (found, before) = (reading("app:aaa1111"), reading("app:bbb2222"));
    let history = [ran("app:bbb2222", 1.0, true), ran("app:aaa1111", 5.0, true)];
    let into =
        PromotionRequest { target_reading: Some(&before), target_history: &history, ..request(&qa, &dev, &found) };
    assert_eq!(
        refusal(&into),
        "qa ran app:aaa1111 before and left it for app:bbb2222: promoting it takes qa back; set `allow-rollback: true` to roll back on purpose"
    );
    // A deployment of it that failed does not count.
    let failed = [ran("app:bbb2222", 1.0, true), ran("app:aaa1111", 5.0, false)];
    assert!(decide(&PromotionRequest { target_history: &failed, ..into }).is_ok());
    // The same image: nothing goes back.
    let same =
        PromotionRequest { target_reading: Some(&found), target_history: &history, ..request(&qa, &dev, &found) };
    assert_eq!(decide(&same).unwrap().rollback, None);
    // Soak comes after: waiting does not fix a rollback.
    let soaking = Stage { min_soak: Some(Duration::from_secs(7200)), ..qa.clone() };
    let fresh = Reading { changed_at_ms: Some(NOW - MINUTE_MS), ..found.clone() };
    let both =
        PromotionRequest { target_reading: Some(&before), target_history: &history, ..request(&soaking, &dev, &fresh) };
    assert!(matches!(decide(&both), Err(Refusal::Rollback { .. })));
}

#[test]
fn relations_from_the_image_the_histories_and_the_versions() {
    let r = |image: &str| reading(image);
    assert_eq!(relate(&r("app:1.5.0"), &r("app:1.5.0"), &[], &[]), Some(Relation::Same));
    assert_eq!(relate(&r("app:1.5.0"), &r("app:1.4.2"), &[], &[]), Some(Relation::Behind));
    // prod on 1.6.0, qa on 1.4.2: prod is ahead, not "behind qa".
    assert_eq!(relate(&r("app:1.4.2"), &r("app:1.6.0"), &[], &[]), Some(Relation::Ahead));
    assert_eq!(relate(&r("app:aaa1111"), &r("app:bbb2222"), &[], &[]), None);
    // The source ran what the stage runs, then moved on: behind.
    let source_history = [ran("app:aaa1111", 1.0, true), ran("app:bbb2222", 4.0, true)];
    assert_eq!(relate(&r("app:aaa1111"), &r("app:bbb2222"), &source_history, &[]), Some(Relation::Behind));
    // The stage ran what the source runs, then moved on: ahead.
    let stage_history = [ran("app:bbb2222", 1.0, true), ran("app:aaa1111", 4.0, true)];
    assert_eq!(relate(&r("app:aaa1111"), &r("app:bbb2222"), &[], &stage_history), Some(Relation::Ahead));
    assert_eq!(relate(&r("app:aaa1111"), &r("app:bbb2222"), &source_history, &stage_history), Some(Relation::Diverged));
    // The same version under two references: the tags do not tell.
    assert_eq!(relate(&r("app:1.5.0"), &r("app:1.5.0@sha256:00"), &[], &[]), None);
}

#[test]
fn commit_tags_and_versions() {
    assert_eq!(commit_of(Some("a1b2c3d")), Some("a1b2c3d"));
    assert_eq!(
        commit_of(Some("a1b2c3d4e5f60718293a4b5c6d7e8f9012345678")),
        Some("a1b2c3d4e5f60718293a4b5c6d7e8f9012345678")
    );
    for no in ["a1b2c3", "1.4.2", "A1B2C3D", "a1b2c3d4e5f60718293a4b5c6d7e8f90123456789", "latest"] {
        assert_eq!(commit_of(Some(no)), None, "{no}");
    }
    assert_eq!(commit_of(None), None);
    assert_eq!(version("v1.2.3").map(|v| v.to_string()).as_deref(), Some("1.2.3"));
    assert_eq!(version("1.2"), None);
    assert_eq!(compare_versions(Some("1.2.3+build.1"), Some("1.2.3")), Some(std::cmp::Ordering::Equal));
    // A tag is a version here exactly when it is one to the guard reading a deployment's tag:
    // the same parser, prefix `v` or none.
    for tag in ["v1.2.3", "1.2.3", "1.2.3-rc.1+b", "V1.2.3", "vv1.2.3", "v01.2.3", "v1.2", "a1b2c3d", "latest", ""] {
        let guard = crate::version::released_version([tag], "v").map(|e| e.version);
        assert_eq!(version(tag), guard, "{tag:?}");
    }
}

const SHA: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
const OTHER: &str = "0f9e8d7c6b5a49382716051f2e3d4c5b6a798081";

#[test]
fn a_release_commit_must_be_the_one_the_image_was_built_from() {
    let (dev, qa) = (dev(), qa());
    let decide_with = |image: &str, commit: Option<&str>| {
        let found = reading(image);
        decide(&PromotionRequest { expected_commit: commit, ..request(&qa, &dev, &found) }).map(|p| p.image)
    };
    // The full SHA, a short SHA tag of the full commit, a short commit of a full SHA tag, any case
    // of the commit; a digest beside the tag does not matter.
    for (image, commit) in [
        (format!("app:{SHA}"), SHA.to_string()),
        ("app:a1b2c3d".to_string(), SHA.to_string()),
        (format!("app:{SHA}"), "a1b2c3d4e".to_string()),
        ("app:a1b2c3d4".to_string(), "A1B2C3D".to_string()),
        (format!("app:{SHA}@sha256:ab"), SHA.to_string()),
    ] {
        assert_eq!(decide_with(&image, Some(&commit)), Ok(image.clone()), "{image} from {commit}");
    }
    // No commit, or an empty one: no check.
    for commit in [None, Some("")] {
        assert!(decide_with("app:1.4.2", commit).is_ok());
    }
    assert_eq!(
        decide_with(&format!("app:{OTHER}"), Some(SHA)).unwrap_err().to_string(),
        format!("the release's commit is {SHA}, but dev runs app:{OTHER}, built from commit {OTHER}; promote the image of {SHA} to dev first, or tag the commit dev runs ({OTHER})")
    );
    // A short tag that is not a prefix of the commit; prefixes that share only their start.
    assert!(matches!(decide_with("app:a1b2c3e", Some(SHA)), Err(Refusal::CommitMismatch { .. })));
    assert!(matches!(decide_with("app:a1b2c3d", Some("a1b2c3e")), Err(Refusal::CommitMismatch { .. })));
    for image in ["app:1.4.2", "app@sha256:ab", "app:A1B2C3D", "app:a1b2c3"] {
        assert_eq!(
            decide_with(image, Some(SHA)).unwrap_err().to_string(),
            format!("the release's commit is {SHA}, but dev runs {image}, whose tag is not a commit SHA, so the commit it was built from is not known: the commit check needs images tagged with the commit SHA they were built from; deploy dev with a SHA-tagged image, or leave commit empty"),
            "{image}"
        );
    }
    // After image-tag, before a tainted source.
    let tainted = Reading { tainted: true, ..reading("app:1.4.2") };
    let both =
        PromotionRequest { expected_tag: Some("v9"), expected_commit: Some(SHA), ..request(&qa, &dev, &tainted) };
    assert!(matches!(decide(&both), Err(Refusal::TagMismatch { .. })));
    let commit_only = PromotionRequest { expected_tag: None, ..both };
    assert!(matches!(decide(&commit_only), Err(Refusal::NotCommitTagged { .. })));
}
