//! The guard's policy: precedence, each bump, each refusal and what it suggests instead.

use std::cmp::Ordering;

use semver::Version;

use super::super::*;
use super::v;

fn existing<S: AsRef<str>>(tags: &[S]) -> Vec<Existing> {
    let existing = |t: &str| Existing { tag: t.to_string(), version: v(t.trim_start_matches('v')) };
    tags.iter().map(|t| existing(t.as_ref())).collect()
}

fn tags(versions: &[&str]) -> Vec<String> {
    versions.iter().map(|s| format!("v{s}")).collect()
}

const STRICT: Policy = Policy { allow_prerelease: false, allow_backports: false };
const PRE: Policy = Policy { allow_prerelease: true, allow_backports: false };
const BACKPORTS: Policy = Policy { allow_prerelease: false, allow_backports: true };
const ALL: Policy = Policy { allow_prerelease: true, allow_backports: true };

/// SemVer 2.0.0 §11, in order.
const SPEC_ORDER: &[&str] = &[
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-alpha.beta",
    "1.0.0-beta",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0",
    "2.0.0",
    "2.1.0",
    "2.1.1",
];

#[test]
fn precedence_follows_semver_section_11() {
    for (i, a) in SPEC_ORDER.iter().enumerate() {
        for (j, b) in SPEC_ORDER.iter().enumerate() {
            assert_eq!(v(a).cmp_precedence(&v(b)), i.cmp(&j), "{a} vs {b}");
        }
    }
}

#[test]
fn each_release_in_spec_order_is_accepted_after_the_ones_before_it() {
    let all = existing(&tags(SPEC_ORDER));
    for i in 1..all.len() {
        let got = decide(&all[i].version, &all[..i], &PRE).unwrap_or_else(|r| panic!("{}: {r}", all[i].tag));
        assert_eq!(got.previous.as_ref(), Some(&all[i - 1]));
        // ...and refused before them.
        let refused = decide(&all[i - 1].version, &all[i..], &PRE).unwrap_err();
        assert_eq!(refused.reason, Reason::NotHighest);
    }
}

/// A small deterministic shuffle (no rand crate): a linear congruential generator.
fn shuffled<T: Clone>(items: &[T], seed: u64) -> Vec<T> {
    let mut out = items.to_vec();
    let mut state = seed;
    for i in (1..out.len()).rev() {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        out.swap(i, (state >> 33) as usize % (i + 1));
    }
    out
}

#[test]
fn sorting_a_shuffled_list_by_precedence_restores_the_reference_order() {
    // The reference order, written by hand from the spec's rules: numeric parts as numbers,
    // a prerelease below its release, numeric identifiers as numbers and below alphanumeric
    // ones, alphanumeric ones in ASCII order, a longer list above its prefix.
    let reference = [
        "0.0.1",
        "0.0.9",
        "0.0.10",
        "0.1.0",
        "0.9.0",
        "0.10.0",
        "1.0.0-0",
        "1.0.0-1",
        "1.0.0-2",
        "1.0.0-10",
        "1.0.0-A",
        "1.0.0-Z",
        "1.0.0-a",
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.1.1",
        "1.0.0-alpha.2",
        "1.0.0-alpha.10",
        "1.0.0-alpha.a",
        "1.0.0-alpha.beta",
        "1.0.0-alpha-1",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.1",
        "1.2.0",
        "1.10.0",
        "2.0.0-rc.1",
        "2.0.0",
        "10.0.0",
        "18446744073709551615.0.0",
    ];
    let versions: Vec<Version> = reference.iter().map(|s| v(s)).collect();
    for seed in 0..50 {
        let mut got = shuffled(&versions, seed);
        got.sort_by(|a, b| a.cmp_precedence(b));
        assert_eq!(got, versions, "seed {seed}");
        // decide agrees: the highest of any shuffled prefix is what a newer version follows.
        let list = existing(&tags(&shuffled(&reference, seed + 100)));
        let got = decide(&v("18446744073709551615.0.1"), &list, &STRICT).unwrap();
        assert_eq!(got.previous.unwrap().tag, "v18446744073709551615.0.0");
    }
}

#[test]
fn build_metadata_does_not_count_but_ord_would_count_it() {
    assert_eq!(v("1.2.3+ci.7").cmp_precedence(&v("1.2.3")), Ordering::Equal);
    assert_eq!(v("1.2.3+ci.8").cmp(&v("1.2.3+ci.7")), Ordering::Greater, "why decide never uses Ord");
}

struct Case {
    name: &'static str,
    candidate: &'static str,
    existing: &'static [&'static str],
    policy: Policy,
    /// The bump and the previous tag, or the refusal's message with prefix "v".
    want: Result<(Bump, Option<&'static str>), &'static str>,
}

#[test]
fn the_policy_table() {
    use Bump::*;
    let cases = [
        Case { name: "first release", candidate: "0.1.0", existing: &[], policy: STRICT, want: Ok((Initial, None)) },
        Case { name: "first release is a prerelease", candidate: "1.0.0-rc.1", existing: &[], policy: PRE, want: Ok((Initial, None)) },
        Case { name: "major", candidate: "2.0.0", existing: &["v1.4.2", "v1.3.0"], policy: STRICT, want: Ok((Major, Some("v1.4.2"))) },
        Case { name: "minor", candidate: "1.5.0", existing: &["v1.3.0", "v1.4.2"], policy: STRICT, want: Ok((Minor, Some("v1.4.2"))) },
        Case { name: "patch", candidate: "1.4.3", existing: &["v1.4.2"], policy: STRICT, want: Ok((Patch, Some("v1.4.2"))) },
        Case { name: "skipping numbers is allowed", candidate: "1.4.9", existing: &["v1.4.2"], policy: STRICT, want: Ok((Patch, Some("v1.4.2"))) },
        Case { name: "major that is a prerelease", candidate: "2.0.0-rc.1", existing: &["v1.4.2"], policy: PRE, want: Ok((Major, Some("v1.4.2"))) },
        Case { name: "next prerelease", candidate: "2.0.0-rc.2", existing: &["v1.4.2", "v2.0.0-rc.1"], policy: PRE, want: Ok((Prerelease, Some("v2.0.0-rc.1"))) },
        Case { name: "release of a prerelease", candidate: "2.0.0", existing: &["v2.0.0-rc.2", "v1.4.2"], policy: PRE, want: Ok((Prerelease, Some("v2.0.0-rc.2"))) },
        Case { name: "under deny a prerelease is no previous version", candidate: "2.0.0", existing: &["v2.0.0-rc.2", "v1.4.2"], policy: STRICT, want: Ok((Major, Some("v1.4.2"))) },
        Case { name: "a refused rc does not block a later patch", candidate: "1.0.1", existing: &["v1.0.0", "v1.1.0-rc.1"], policy: STRICT, want: Ok((Patch, Some("v1.0.0"))) },
        Case { name: "only prereleases exist, under deny", candidate: "0.9.0", existing: &["v1.0.0-rc.1"], policy: BACKPORTS, want: Ok((Initial, None)) },
        Case { name: "rc.11 after rc.2", candidate: "2.0.0-rc.11", existing: &["v2.0.0-rc.2"], policy: PRE, want: Ok((Prerelease, Some("v2.0.0-rc.2"))) },
        Case { name: "build metadata on a new version is fine", candidate: "1.4.3+ci.9", existing: &["v1.4.2"], policy: STRICT, want: Ok((Patch, Some("v1.4.2"))) },
        Case {
            name: "duplicate",
            candidate: "1.4.2",
            existing: &["v1.4.2"],
            policy: ALL,
            want: Err("v1.4.2 already exists; the next valid tags are v1.4.3, v1.5.0 or v2.0.0"),
        },
        Case {
            name: "duplicate but for build metadata",
            candidate: "1.4.2+ci.8",
            existing: &["v1.4.2+ci.7"],
            policy: ALL,
            want: Err("v1.4.2+ci.7 already exists, and build metadata does not count when comparing versions; the next valid tags are v1.4.3, v1.5.0 or v2.0.0"),
        },
        Case {
            name: "a duplicate names the exact match among equals",
            candidate: "1.4.2+ci.8",
            existing: &["v1.4.2", "v1.4.2+ci.8"],
            policy: STRICT,
            want: Err("v1.4.2+ci.8 already exists; the next valid tags are v1.4.3, v1.5.0 or v2.0.0"),
        },
        Case {
            name: "a duplicate of an old version with backports allowed",
            candidate: "1.2.0",
            existing: &["v1.2.0", "v1.2.1", "v2.0.0"],
            policy: BACKPORTS,
            want: Err("v1.2.0 already exists; the next valid tags are v1.2.2, v2.0.1, v2.1.0 or v3.0.0"),
        },
        Case {
            name: "older than the highest",
            candidate: "1.3.0",
            existing: &["v1.2.0", "v2.5.0", "v1.9.0"],
            policy: STRICT,
            want: Err("it is not higher than v2.5.0, the highest existing version; the next valid tags are v2.5.1, v2.6.0 or v3.0.0"),
        },
        Case {
            name: "a release below the highest prerelease",
            candidate: "1.9.9",
            existing: &["v1.9.0", "v2.0.0-rc.1"],
            policy: PRE,
            want: Err("it is not higher than v2.0.0-rc.1, the highest existing version; the next valid tags are v2.0.0-rc.2 or v2.0.0"),
        },
        Case {
            name: "a prerelease below its release",
            candidate: "1.4.2-rc.1",
            existing: &["v1.4.2"],
            policy: PRE,
            want: Err("it is not higher than v1.4.2, the highest existing version; the next valid tags are v1.4.3, v1.5.0 or v2.0.0"),
        },
        Case {
            name: "prerelease not allowed",
            candidate: "1.5.0-rc.1",
            existing: &["v1.4.2"],
            policy: STRICT,
            want: Err("it is a prerelease, and prereleases are not allowed; the next valid tags are v1.4.3, v1.5.0 or v2.0.0"),
        },
        Case {
            name: "prerelease not allowed, nothing exists",
            candidate: "1.0.0-rc.1",
            existing: &[],
            policy: BACKPORTS,
            want: Err("it is a prerelease, and prereleases are not allowed; the next valid tags are v0.0.1, v0.1.0 or v1.0.0"),
        },
        Case {
            name: "the next prerelease is suggested when they are allowed",
            candidate: "2.0.0-rc.1",
            existing: &["v2.0.0-rc.1"],
            policy: PRE,
            want: Err("v2.0.0-rc.1 already exists; the next valid tags are v2.0.0-rc.2 or v2.0.0"),
        },
        Case {
            name: "backport",
            candidate: "1.2.4",
            existing: &["v1.2.3", "v2.0.0", "v1.2.2"],
            policy: BACKPORTS,
            want: Ok((Backport, Some("v1.2.3"))),
        },
        Case {
            name: "backport that finishes an old line's prerelease",
            candidate: "1.2.0",
            existing: &["v1.2.0-rc.1", "v2.0.0"],
            policy: ALL,
            want: Ok((Backport, Some("v1.2.0-rc.1"))),
        },
        Case {
            name: "under deny an old line's prerelease is no release to backport to",
            candidate: "1.2.0",
            existing: &["v1.2.0-rc.1", "v2.0.0"],
            policy: BACKPORTS,
            want: Err("it is lower than v2.0.0, the highest existing version, and no 1.2 release exists to backport to; the next valid tags are v2.0.1, v2.1.0 or v3.0.0"),
        },
        Case {
            name: "backport that is a prerelease",
            candidate: "1.2.4-rc.1",
            existing: &["v1.2.3", "v2.0.0"],
            policy: ALL,
            want: Ok((Backport, Some("v1.2.3"))),
        },
        Case {
            name: "backport prerelease not allowed",
            candidate: "1.2.4-rc.1",
            existing: &["v1.2.3", "v2.0.0"],
            policy: BACKPORTS,
            want: Err("it is a prerelease, and prereleases are not allowed; the next valid tags are v1.2.4, v2.0.1, v2.1.0 or v3.0.0"),
        },
        Case {
            name: "backport not allowed",
            candidate: "1.2.4",
            existing: &["v1.2.3", "v2.0.0"],
            policy: STRICT,
            want: Err("it is not higher than v2.0.0, the highest existing version; the next valid tags are v2.0.1, v2.1.0 or v3.0.0"),
        },
        Case {
            name: "backport below the top of its line",
            candidate: "1.2.2",
            existing: &["v1.2.1", "v1.2.3", "v2.0.0"],
            policy: BACKPORTS,
            want: Err("it is not higher than v1.2.3, the highest of the 1.2 line; the next valid tags are v1.2.4, v2.0.1, v2.1.0 or v3.0.0"),
        },
        Case {
            name: "backport to a line that was never released",
            candidate: "1.3.0",
            existing: &["v1.2.3", "v2.0.0"],
            policy: BACKPORTS,
            want: Err("it is lower than v2.0.0, the highest existing version, and no 1.3 release exists to backport to; the next valid tags are v2.0.1, v2.1.0 or v3.0.0"),
        },
        Case {
            name: "lower in the highest's own line, with backports allowed",
            candidate: "2.0.1",
            existing: &["v2.0.0", "v2.0.2"],
            policy: BACKPORTS,
            want: Err("it is not higher than v2.0.2, the highest of the 2.0 line; the next valid tags are v2.0.3, v2.1.0 or v3.0.0"),
        },
    ];
    for case in cases {
        let existing = existing(case.existing);
        let got = decide(&v(case.candidate), &existing, &case.policy);
        match (got, case.want) {
            (Ok(accepted), Ok((bump, previous))) => {
                assert_eq!(accepted.bump, bump, "{}", case.name);
                assert_eq!(accepted.previous.as_ref().map(|p| p.tag.as_str()), previous, "{}", case.name);
                assert_eq!(accepted.version, v(case.candidate), "{}", case.name);
                assert_eq!(accepted.prerelease, case.candidate.contains('-'), "{}", case.name);
            }
            (Err(refused), Err(message)) => assert_eq!(refused.message("v"), message, "{}", case.name),
            (got, _) => panic!("{}: got {got:?}", case.name),
        }
    }
}

#[test]
fn a_refusal_names_its_reason_and_blocker() {
    let list = existing(&["v1.2.3", "v2.0.0"]);
    let cases = [
        ("2.0.0", STRICT, Reason::Duplicate, Some("v2.0.0")),
        ("2.1.0-rc.1", STRICT, Reason::Prerelease, None),
        ("1.2.4", STRICT, Reason::NotHighest, Some("v2.0.0")),
        ("1.3.0", BACKPORTS, Reason::NoSuchLine, Some("v2.0.0")),
        ("1.2.2", BACKPORTS, Reason::NotHighestInLine, Some("v1.2.3")),
    ];
    for (candidate, policy, reason, blocking) in cases {
        let refused = decide(&v(candidate), &list, &policy).unwrap_err();
        assert_eq!(refused.reason, reason, "{candidate}");
        assert_eq!(refused.blocking.as_ref().map(|b| b.tag.as_str()), blocking, "{candidate}");
        assert_eq!(refused.candidate, v(candidate));
    }
}

#[test]
fn a_duplicate_is_refused_before_a_prerelease() {
    let refused = decide(&v("1.0.0-rc.1+b.2"), &existing(&["v1.0.0-rc.1"]), &PRE).unwrap_err();
    assert_eq!(refused.reason, Reason::Duplicate);
    // Under deny, existing prereleases are no previous versions: the candidate is refused for
    // being a prerelease, and the suggestions start from the releases.
    let refused = decide(&v("1.0.0-rc.1"), &existing(&["v0.9.0", "v1.0.0-rc.1"]), &STRICT).unwrap_err();
    assert_eq!(refused.reason, Reason::Prerelease);
    assert_eq!(refused.next.patch, Some(v("0.9.1")));
}

#[test]
fn display_writes_versions_without_a_prefix() {
    let refused = decide(&v("1.0.0"), &existing(&["v1.0.0"]), &STRICT).unwrap_err();
    assert_eq!(refused.to_string(), "v1.0.0 already exists; the next valid tags are 1.0.1, 1.1.0 or 2.0.0");
}

#[test]
fn next_versions_from_a_release_and_from_a_prerelease() {
    // (highest, policy, patch, minor, major, prerelease); node-semver's `inc` gives the same.
    let cases = [
        ("1.4.2", PRE, "1.4.3", "1.5.0", "2.0.0", None),
        ("1.4.2+ci.3", PRE, "1.4.3", "1.5.0", "2.0.0", None),
        ("1.5.0-rc.1", PRE, "1.5.0", "1.5.0", "2.0.0", Some("1.5.0-rc.2")),
        ("1.5.3-rc.1", PRE, "1.5.3", "1.6.0", "2.0.0", Some("1.5.3-rc.2")),
        ("2.0.0-beta", PRE, "2.0.0", "2.0.0", "2.0.0", Some("2.0.0-beta.1")),
        ("2.0.0-rc.9", PRE, "2.0.0", "2.0.0", "2.0.0", Some("2.0.0-rc.10")),
        ("2.0.0-99999999999999999999", PRE, "2.0.0", "2.0.0", "2.0.0", Some("2.0.0-100000000000000000000")),
        ("2.0.0-alpha.1.beta", PRE, "2.0.0", "2.0.0", "2.0.0", Some("2.0.0-alpha.1.beta.1")),
        ("2.1.0-rc.1", PRE, "2.1.0", "2.1.0", "3.0.0", Some("2.1.0-rc.2")),
    ];
    for (highest, policy, patch, minor, major, prerelease) in cases {
        let refused = decide(&v(highest), &existing(&tags(&[highest])), &policy).unwrap_err();
        let next = &refused.next;
        assert_eq!(next.patch, Some(v(patch)), "{highest}");
        assert_eq!(next.minor, Some(v(minor)), "{highest}");
        assert_eq!(next.major, Some(v(major)), "{highest}");
        assert_eq!(next.prerelease, prerelease.map(v), "{highest}");
        for suggested in next.versions() {
            assert_eq!(suggested.cmp_precedence(&v(highest)), Ordering::Greater, "{suggested} after {highest}");
            let accepted = decide(suggested, &existing(&tags(&[highest])), &policy);
            assert!(accepted.is_ok(), "{suggested} after {highest} is suggested but refused");
        }
    }
}

#[test]
fn every_suggestion_is_accepted() {
    let lists: &[&[&str]] =
        &[&[], &["v1.2.3", "v2.0.0"], &["v1.2.0-rc.1", "v2.0.0", "v2.1.0-beta"], &["v0.1.0", "v0.1.1", "v0.2.0-rc.1"]];
    for list in lists {
        let list = existing(list);
        for policy in [STRICT, PRE, BACKPORTS, ALL] {
            for candidate in ["0.0.0", "1.2.0", "1.2.2", "1.3.0-rc.1", "2.0.0"] {
                let Err(refused) = decide(&v(candidate), &list, &policy) else { continue };
                for suggested in refused.next.versions() {
                    let got = decide(suggested, &list, &policy);
                    assert!(
                        got.is_ok(),
                        "{candidate} refused ({:?}); {suggested} suggested but {got:?}",
                        refused.reason
                    );
                }
            }
        }
    }
}

#[test]
fn next_stops_where_a_part_would_overflow() {
    let max = u64::MAX;
    let list = existing(&[format!("v{max}.{max}.{max}")]);
    let refused = decide(&v("1.0.0"), &list, &STRICT).unwrap_err();
    assert_eq!(refused.next.patch, None);
    assert_eq!(refused.next.minor, None);
    assert_eq!(refused.next.major, None);
    assert_eq!(refused.message("v"), format!("it is not higher than v{max}.{max}.{max}, the highest existing version"));
}

#[test]
fn bumps_display_as_lower_case_words() {
    let words: Vec<String> = [Bump::Initial, Bump::Major, Bump::Minor, Bump::Patch, Bump::Prerelease, Bump::Backport]
        .map(|b| b.to_string())
        .into();
    assert_eq!(words, ["initial", "major", "minor", "patch", "prerelease", "backport"]);
}
