//! Tags: the semver.org lists, and a message for each way a tag can be wrong.

use super::super::*;
use super::v;

/// The valid list linked from semver.org's FAQ ("Is there a suggested regular expression?"),
/// less the one whose parts do not fit in a u64.
const SEMVER_ORG_VALID: &[&str] = &[
    "0.0.4",
    "1.2.3",
    "10.20.30",
    "1.1.2-prerelease+meta",
    "1.1.2+meta",
    "1.1.2+meta-valid",
    "1.0.0-alpha",
    "1.0.0-beta",
    "1.0.0-alpha.beta",
    "1.0.0-alpha.beta.1",
    "1.0.0-alpha.1",
    "1.0.0-alpha0.valid",
    "1.0.0-alpha.0valid",
    "1.0.0-alpha-a.b-c-somethinglong+build.1-aef.1-its-okay",
    "1.0.0-rc.1+build.1",
    "2.0.0-rc.1+build.123",
    "1.2.3-beta",
    "10.2.3-DEV-SNAPSHOT",
    "1.2.3-SNAPSHOT-123",
    "1.0.0",
    "2.0.0",
    "1.1.7",
    "2.0.0+build.1848",
    "2.0.1-alpha.1227",
    "1.0.0-alpha+beta",
    "1.2.3----RC-SNAPSHOT.12.9.1--.12+788",
    "1.2.3----R-S.12.9.1--.12+meta",
    "1.2.3----RC-SNAPSHOT.12.9.1--.12",
    "1.0.0+0.build.1-rc.10000aaa-kk-0.1",
    "1.0.0-0A.is.legal",
];

/// The invalid list linked from semver.org's FAQ.
const SEMVER_ORG_INVALID: &[&str] = &[
    "1",
    "1.2",
    "1.2.3-0123",
    "1.2.3-0123.0123",
    "1.1.2+.123",
    "+invalid",
    "-invalid",
    "-invalid+invalid",
    "-invalid.01",
    "alpha",
    "alpha.beta",
    "alpha.beta.1",
    "alpha.1",
    "alpha+beta",
    "alpha_beta",
    "alpha.",
    "alpha..",
    "beta",
    "1.0.0-alpha_beta",
    "-alpha.",
    "1.0.0-alpha..",
    "1.0.0-alpha..1",
    "1.0.0-alpha...1",
    "1.0.0-alpha....1",
    "1.0.0-alpha.....1",
    "1.0.0-alpha......1",
    "1.0.0-alpha.......1",
    "01.1.1",
    "1.01.1",
    "1.1.01",
    "1.2",
    "1.2.3.DEV",
    "1.2-SNAPSHOT",
    "1.2.31.2.3----RC-SNAPSHOT.12.09.1--..12+788",
    "1.2-RC-SNAPSHOT",
    "-1.0.3-gamma+b7718",
    "+justmeta",
    "9.8.7+meta+meta",
    "9.8.7-whatever+meta+meta",
    "99999999999999999999999.999999999999999999.99999999999999999----RC-SNAPSHOT.12.09.1--------------------------------..12",
];

fn problem(tag: &str, prefix: &str) -> String {
    match parse_tag(tag, prefix) {
        Ok(version) => panic!("{tag:?} parsed as {version}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn every_version_semver_org_lists_as_valid_parses_with_any_prefix() {
    for text in SEMVER_ORG_VALID {
        for prefix in ["", "v", "app/v"] {
            let tag = format!("{prefix}{text}");
            let got = parse_tag(&tag, prefix).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(got, v(text), "{tag}");
            assert_eq!(got.to_string(), *text, "the version reads back as written");
        }
    }
}

#[test]
fn every_version_semver_org_lists_as_invalid_is_refused() {
    for text in SEMVER_ORG_INVALID {
        let tag = format!("v{text}");
        assert!(parse_tag(&tag, "v").is_err(), "{tag} was accepted");
    }
}

#[test]
fn a_version_whose_parts_do_not_fit_in_u64_is_refused_as_too_large() {
    // Valid by SemVer's grammar, which sets no limit; refused because tools store u64.
    assert_eq!(
        problem("v99999999999999999999999.999999999999999999.99999999999999999", "v"),
        "tag \"v99999999999999999999999.999999999999999999.99999999999999999\": the major version 99999999999999999999999 is too large; the largest allowed is 18446744073709551615"
    );
    assert_eq!(
        problem("v1.18446744073709551616.0", "v"),
        "tag \"v1.18446744073709551616.0\": the minor version 18446744073709551616 is too large; the largest allowed is 18446744073709551615"
    );
    let max = parse_tag("v18446744073709551615.18446744073709551615.18446744073709551615", "v").unwrap();
    assert_eq!((max.major, max.minor, max.patch), (u64::MAX, u64::MAX, u64::MAX));
}

#[test]
fn our_check_and_the_semver_crate_agree_on_what_is_a_version() {
    // The explanations come from our check, the value from the crate: they must accept the
    // same strings, or a tag could be explained as wrong while being right (or the reverse).
    let extra = [
        "1.2.3-a.-.b",
        "1.2.3+001",
        "1.2.3-0",
        "1.2.3-00",
        "1.2.3-0a",
        "1.2.3-",
        "1.2.3+",
        "1.2.3-+",
        "1.2.3-é",
        "1.2.3+a/b",
        "1..3",
        "1.2.",
        ".1.2",
        "1.2.3.",
        "18446744073709551616.0.0",
        "1.2.x",
        "1.2.3-rc.1+b.2",
        "0.0.0",
        "1.2.3-rc..1",
    ];
    for text in SEMVER_ORG_VALID.iter().chain(SEMVER_ORG_INVALID).chain(&extra) {
        let ours = parse_tag(text, "").is_ok();
        let crates = semver::Version::parse(text).is_ok();
        assert_eq!(ours, crates, "{text}: ours {ours}, semver crate {crates}");
    }
}

#[test]
fn each_way_a_tag_can_be_wrong_has_its_own_message() {
    let cases = [
        ("", "v", "tag \"\": it is empty; a release tag looks like \"v1.2.3\""),
        ("1.2.3", "v", "tag \"1.2.3\" does not start with the prefix \"v\""),
        ("V1.2.3", "v", "tag \"V1.2.3\" does not start with the prefix \"v\" (the prefix is matched exactly, case included)"),
        ("api/v1.2.3", "app/v", "tag \"api/v1.2.3\" does not start with the prefix \"app/v\""),
        ("v", "v", "tag \"v\": nothing follows the prefix \"v\"; add a version, as in \"v1.2.3\""),
        ("vv1.2.3", "v", "tag \"vv1.2.3\": a second \"v\" after the prefix"),
        ("app/vv1.2.3", "app/v", "tag \"app/vv1.2.3\": a second \"v\" after the prefix"),
        ("app/v1.2.3", "app/", "tag \"app/v1.2.3\": a \"v\" after the prefix \"app/\", which does not end in \"v\""),
        ("v1.2.3", "", "tag \"v1.2.3\": a \"v\" before the version, but the prefix is empty"),
        ("vV1.2.3", "v", "tag \"vV1.2.3\": a second \"V\" after the prefix"),
        ("v1.2.3\n", "v", "tag \"v1.2.3\\n\": a line feed (U+000A) at position 7; a tag cannot contain whitespace or control characters"),
        (" v1.2.3", "v", "tag \" v1.2.3\": a space (U+0020) at position 1; a tag cannot contain whitespace or control characters"),
        ("v1.2.3\r", "v", "tag \"v1.2.3\\r\": a carriage return (U+000D) at position 7; a tag cannot contain whitespace or control characters"),
        ("v1.2.\t3", "v", "tag \"v1.2.\\t3\": a tab (U+0009) at position 6; a tag cannot contain whitespace or control characters"),
        ("v1.2.3\u{a0}", "v", "tag \"v1.2.3\\u{a0}\": a whitespace character (U+00A0) at position 7; a tag cannot contain whitespace or control characters"),
        ("v1.2\u{7}.3", "v", "tag \"v1.2\\u{7}.3\": a control character (U+0007) at position 5; a tag cannot contain whitespace or control characters"),
        ("v01.2.3", "v", "tag \"v01.2.3\": the major version has a leading zero"),
        ("v1.02.3", "v", "tag \"v1.02.3\": the minor version has a leading zero"),
        ("v1.2.03", "v", "tag \"v1.2.03\": the patch version has a leading zero"),
        ("v1..3", "v", "tag \"v1..3\": the minor version is empty"),
        ("v1.2.x", "v", "tag \"v1.2.x\": the patch version \"x\" is not a number"),
        ("valpha", "v", "tag \"valpha\": the major version \"alpha\" is not a number"),
        ("v1", "v", "tag \"v1\": \"1\" has only a major version; SemVer needs major.minor.patch, as in 1.0.0"),
        ("v1.2", "v", "tag \"v1.2\": \"1.2\" has only major.minor; SemVer needs major.minor.patch, as in 1.2.0"),
        ("v1.2-rc.1", "v", "tag \"v1.2-rc.1\": \"1.2\" has only major.minor; SemVer needs major.minor.patch, as in 1.2.0"),
        ("v1.2.3.4", "v", "tag \"v1.2.3.4\": \"1.2.3.4\" has 4 dot-separated parts; SemVer has exactly three (major.minor.patch), and a prerelease follows a \"-\", as in 1.2.3-rc.1"),
        ("v-1.2.3", "v", "tag \"v-1.2.3\": the version starts with \"-\"; it must start with major.minor.patch, as in 1.2.3"),
        ("v+meta", "v", "tag \"v+meta\": the version starts with \"+\"; it must start with major.minor.patch, as in 1.2.3"),
        ("v1.2.3-", "v", "tag \"v1.2.3-\": nothing follows the \"-\"; remove it, or add a prerelease as in 1.2.3-rc.1"),
        ("v1.2.3+", "v", "tag \"v1.2.3+\": nothing follows the \"+\"; remove it, or add build metadata as in 1.2.3+build.1"),
        ("v1.2.3-rc..1", "v", "tag \"v1.2.3-rc..1\": the prerelease \"rc..1\" has an empty identifier (a dot at the start or end, or two dots in a row)"),
        ("v1.2.3-rc.", "v", "tag \"v1.2.3-rc.\": the prerelease \"rc.\" has an empty identifier (a dot at the start or end, or two dots in a row)"),
        ("v1.2.3-alpha_beta", "v", "tag \"v1.2.3-alpha_beta\": the prerelease \"alpha_beta\" holds \"_\"; identifiers use only ASCII letters, digits and \"-\""),
        ("v1.2.3-é", "v", "tag \"v1.2.3-é\": the prerelease \"é\" holds \"é\"; identifiers use only ASCII letters, digits and \"-\""),
        ("v1.2.3-rc.01", "v", "tag \"v1.2.3-rc.01\": the prerelease identifier \"01\" is a number with a leading zero"),
        ("v1.2.3+.123", "v", "tag \"v1.2.3+.123\": the build metadata \".123\" has an empty identifier (a dot at the start or end, or two dots in a row)"),
        ("v1.2.3+a/b", "v", "tag \"v1.2.3+a/b\": the build metadata \"a/b\" holds \"/\"; identifiers use only ASCII letters, digits and \"-\""),
        ("v9.8.7+meta+meta", "v", "tag \"v9.8.7+meta+meta\": the build metadata \"meta+meta\" holds a second \"+\""),
    ];
    for (tag, prefix, want) in cases {
        assert_eq!(problem(tag, prefix), want, "{tag:?}");
    }
}

#[test]
fn build_metadata_may_have_leading_zeros_and_is_kept() {
    let got = parse_tag("v1.2.3+001.sha-0abc", "v").unwrap();
    assert_eq!(got.build.as_str(), "001.sha-0abc");
}

#[test]
fn the_error_says_which_kind_of_problem_it_is() {
    let e = parse_tag("1.2.3", "v").unwrap_err();
    assert_eq!(e.problem, TagProblem::MissingPrefix { prefix: "v".into() });
    assert_eq!(e.tag, "1.2.3");
    assert!(matches!(parse_tag("v1.2", "v").unwrap_err().problem, TagProblem::Invalid(_)));
}

#[test]
fn existing_versions_keep_valid_tags_report_broken_ones_and_skip_others() {
    let tags = ["v1.0.0", "v1.1.0-rc.1", "vnext", "latest", "app/v9.0.0", "v2", "v1.2", "v01", "v1.2.0+build.5"];
    let (valid, invalid) = existing_versions(tags, "v");
    let names: Vec<&str> = valid.iter().map(|e| e.tag.as_str()).collect();
    assert_eq!(names, ["v1.0.0", "v1.1.0-rc.1", "v1.2.0+build.5"]);
    assert_eq!(valid[2].version, v("1.2.0+build.5"));
    let broken: Vec<String> = invalid.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        broken,
        [
            "tag \"vnext\": the major version \"next\" is not a number",
            "tag \"v01\": the major version has a leading zero",
        ]
    );
}

#[test]
fn a_moving_major_or_minor_tag_is_an_alias_not_a_release_nor_malformed() {
    for alias in ["1", "1.2", "10.0", "0"] {
        assert!(is_alias(alias), "{alias}");
    }
    for not in ["", "1.2.3", "01", "1.02", "1.", "x", "1.2-rc.1", "1.x"] {
        assert!(!is_alias(not), "{not}");
    }
    // As a proposal it is still malformed: an alias is moved, never released.
    assert!(parse_tag("v1", "v").is_err());
    assert!(parse_tag("v1.0", "v").is_err());
}

#[test]
fn a_deployment_names_its_version_by_release_tag_image_tag_or_ref() {
    let named = |texts: &[&str], prefix: &str| released_version(texts.iter().copied(), prefix).map(|e| e.tag);
    assert_eq!(named(&["v1.0.1", "3f2a9c1", "main"], "v"), Some("v1.0.1".into()));
    assert_eq!(named(&["", "1.2.3", "abc"], "v"), Some("v1.2.3".into()));
    assert_eq!(named(&["", "0123abc4f00d0123abc4f00d0123abc4f00d0123", "refs/tags/v2.0.0"], "v"), None);
    assert_eq!(named(&["app/v2.0.0-rc.1"], "app/v"), Some("app/v2.0.0-rc.1".into()));
    assert_eq!(named(&["latest", "v1"], "v"), None);
}
