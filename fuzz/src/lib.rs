//! What each fuzz target checks, in one place: the targets under `fuzz_targets/` call these on
//! libFuzzer's inputs, and the main crate's `tests/fuzz_regressions.rs` includes this file (by
//! `#[path]`) to replay the committed seeds and regression inputs under plain `cargo test`.
//!
//! Every check panics on a finding, with a message that says what disagreed; inputs that are
//! not the kind of text a target reads (not UTF-8, say) are skipped, not findings.
//!
//! Only `stage_action`, `regex`, `semver` and `serde_json` are used, all of which the main
//! crate's tests have too.

use std::cmp::Ordering;
use std::io::Read;
use std::sync::OnceLock;

use regex::Regex;
use stage_action::state::Error;
use stage_action::state::{self, image, path_string, Address, Lookup};
use stage_action::{stages, version};

/// Every target, by the name of its directory under `fuzz/seeds/` and `fuzz/regressions/`.
pub const TARGETS: [&str; 6] = ["image_ref", "address", "tag", "stages_file", "version_file", "state_reader"];

/// Runs `target`'s check on `data`; panics on a finding.
pub fn check(target: &str, data: &[u8]) {
    match target {
        "image_ref" => image_ref(data),
        "address" => address(data),
        "tag" => tag(data),
        "stages_file" => stages_file(data),
        "version_file" => version_file(data),
        "state_reader" => state_reader(data),
        other => panic!("no fuzz target {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// image_ref: `image::parse` against Docker's own regular expression.

/// distribution/reference's `ReferenceRegexp` (regexp.go), transcribed piece by piece with the
/// same names. Go's `\w` is ASCII-only and Rust's is not, so word characters are spelled out.
pub fn reference_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        let alpha_numeric = "[a-z0-9]+";
        let separator = "(?:[._]|__|[-]+)";
        let path_component = format!("{alpha_numeric}(?:{separator}{alpha_numeric})*");
        let domain_component = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
        let domain_name = format!(r"{domain_component}(?:\.{domain_component})*");
        let ipv6 = r"\[(?:[a-fA-F0-9:]+)\]";
        let host = format!("(?:{domain_name}|{ipv6})");
        let domain = format!("{host}(?::[0-9]+)?");
        let remote_name = format!("{path_component}(?:/{path_component})*");
        let name = format!("(?:(?P<domain>{domain})/)?{remote_name}");
        let tag = "[0-9A-Za-z_][0-9A-Za-z_.-]{0,127}";
        let digest = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
        let reference = format!(r"\A(?P<name>{name})(?::(?P<tag>{tag}))?(?:@(?P<digest>{digest}))?\z");
        Regex::new(&reference).expect("the transcribed reference regex compiles")
    })
}

/// repository, registry, tag, digest.
pub type ImageParts<'a> = (&'a str, Option<&'a str>, Option<&'a str>, Option<&'a str>);

/// What `image::parse` should answer for `text`, by the regex plus the rules the module
/// documents: the name at most 255 characters (Docker's `NameTotalLengthMax`), sha256 and
/// sha512 digests of exactly their length, and Docker's rule for which first component is a
/// registry (`splitDockerDomain`, plus brackets).
pub fn expected_image(text: &str) -> Option<ImageParts<'_>> {
    let c = reference_regex().captures(text)?;
    let name = c.name("name")?.as_str();
    if name.len() > 255 {
        return None;
    }
    let digest = c.name("digest").map(|m| m.as_str());
    if let Some((algorithm, hex)) = digest.and_then(|d| d.split_once(':')) {
        if (algorithm == "sha256" && hex.len() != 64) || (algorithm == "sha512" && hex.len() != 128) {
            return None;
        }
    }
    let registry = c.name("domain").map(|m| m.as_str()).filter(|d| {
        d.starts_with('[') || d.contains(['.', ':']) || *d == "localhost" || d.chars().any(|ch| ch.is_ascii_uppercase())
    });
    Some((name, registry, c.name("tag").map(|m| m.as_str()), digest))
}

/// Where `image::parse` and the regex disagree on `text`, if they do; also a parsed reference
/// holding anything a shell would act on, which the regex cannot match anyway.
pub fn image_disagreement(text: &str) -> Option<String> {
    let want = expected_image(text);
    let got = image::parse(text);
    let got_parts = got.as_ref().ok().map(|r| (r.repository, r.registry, r.tag, r.digest));
    if want != got_parts {
        return Some(format!("{text:?}: the regex says {want:?}, image::parse says {got:?}"));
    }
    if got.is_ok() && !text.chars().all(|c| c.is_ascii_alphanumeric() || "._-:/@[]+".contains(c)) {
        return Some(format!("{text:?} parses but holds characters outside the grammar"));
    }
    None
}

/// `image_ref`: any disagreement with the regex is a finding.
pub fn image_ref(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Some(why) = image_disagreement(text) {
        panic!("{why}");
    }
}

// ---------------------------------------------------------------------------------------------
// address: never panics; what parses re-renders and re-parses to the same address.

/// An address as Terraform prints it, with its path: what the `Display`s of keys and steps give.
pub fn render_address(address: &Address) -> String {
    match address {
        Address::Output { name, path } => format!("output.{name}{}", path_string(path)),
        Address::Resource(r) => format!("{}{}", r.instance(), path_string(&r.path)),
    }
}

/// `address`: parse, render, parse again.
pub fn address(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let wrapped = state::parse_address(text);
    match Address::parse(text) {
        Ok(parsed) => {
            assert_eq!(wrapped.as_ref().ok(), Some(&parsed), "{text:?}: parse_address and Address::parse differ");
            let rendered = render_address(&parsed);
            let again = Address::parse(&rendered)
                .unwrap_or_else(|e| panic!("{text:?} renders as {rendered:?}, which does not parse: {e:?}"));
            assert_eq!(again, parsed, "{text:?} renders as {rendered:?}, which parses to something else");
            assert_eq!(render_address(&again), rendered, "{text:?}: rendering is not stable");
        }
        Err(e) => {
            assert!(wrapped.is_err(), "{text:?}: Address::parse refuses it, parse_address does not");
            let end = text.chars().count() + 1;
            assert!((1..=end).contains(&e.column), "{text:?}: column {} outside 1..={end}", e.column);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// tag: `parse_tag` agrees with the `semver` crate, and precedence is SemVer 2.0.0 section 11.

/// SemVer 2.0.0 section 11 from the text of the specification, written independently of the
/// `semver` crate: core numbers compare numerically; a prerelease ranks below the release;
/// prerelease identifiers compare left to right, numeric ones numerically and below
/// alphanumeric ones, which compare in ASCII order; a shorter list of equal identifiers ranks
/// lower; build metadata does not count.
pub fn spec_precedence(a: &semver::Version, b: &semver::Version) -> Ordering {
    let core = (a.major, a.minor, a.patch).cmp(&(b.major, b.minor, b.patch));
    if core != Ordering::Equal {
        return core;
    }
    match (a.pre.is_empty(), b.pre.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        (false, false) => {}
    }
    let numeric = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let (xs, ys): (Vec<&str>, Vec<&str>) = (a.pre.as_str().split('.').collect(), b.pre.as_str().split('.').collect());
    for (x, y) in xs.iter().zip(&ys) {
        let order = match (numeric(x), numeric(y)) {
            // No leading zeros: the longer number is the larger.
            (true, true) => x.len().cmp(&y.len()).then_with(|| x.cmp(y)),
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => x.as_bytes().cmp(y.as_bytes()),
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    xs.len().cmp(&ys.len())
}

/// `tag`: the first line is the prefix, each further line (up to three) a tag.
/// A tag may only be refused where SemVer refuses it, or for being longer than git allows.
pub fn tag(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut lines = text.split('\n');
    let prefix = lines.next().unwrap_or_default();
    let mut versions = Vec::new();
    for tag in lines.take(3) {
        let parsed = version::parse_tag(tag, prefix);
        let clean = !tag.chars().any(|c| c.is_whitespace() || c.is_control());
        let rest = tag.strip_prefix(prefix).filter(|_| clean && !tag.is_empty());
        match (&parsed, rest) {
            (Ok(v), Some(rest)) => {
                let crate_says = semver::Version::parse(rest);
                assert_eq!(
                    crate_says.as_ref().ok(),
                    Some(v),
                    "{tag:?} (prefix {prefix:?}): semver says {crate_says:?}"
                );
                // Strict SemVer has one spelling per version.
                assert_eq!(v.to_string(), rest, "{tag:?} (prefix {prefix:?}) renders differently");
                versions.push(v.clone());
            }
            (Ok(v), None) => panic!("{tag:?} (prefix {prefix:?}) parsed as {v} but has no prefix or holds blanks"),
            // A documented rule stricter than SemVer: git keeps a tag as a file, so at most 255 bytes.
            (Err(_), Some(_)) if tag.len() > 255 => {}
            (Err(e), Some(rest)) => {
                assert!(
                    !matches!(e.problem, version::TagProblem::MissingPrefix { .. }),
                    "{tag:?} starts with {prefix:?} but is refused for its prefix"
                );
                if let Ok(v) = semver::Version::parse(rest) {
                    panic!("{tag:?} (prefix {prefix:?}) is refused ({e}) but semver reads {v}");
                }
            }
            (Err(_), None) => {}
        }
    }
    for a in &versions {
        for b in &versions {
            let ours = a.cmp_precedence(b);
            assert_eq!(ours, spec_precedence(a, b), "precedence of {a} and {b}");
            assert_eq!(ours, b.cmp_precedence(a).reverse(), "precedence of {a} and {b} is not antisymmetric");
            if ours != Ordering::Equal {
                assert_eq!(a.cmp(b), ours, "semver's order of {a} and {b} contradicts precedence");
            }
            for c in &versions {
                if ours != Ordering::Greater && b.cmp_precedence(c) != Ordering::Greater {
                    assert_ne!(a.cmp_precedence(c), Ordering::Greater, "{a} <= {b} <= {c} but {a} > {c}");
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// stages_file and version_file: never panic, and what they return is well-formed.

/// The number of lines `text` has, counting CR LF, LF and a lone CR as line breaks (YAML's
/// rule, the broadest of the formats read), and a last line without a break.
fn line_count(text: &str) -> usize {
    1 + text.replace("\r\n", "\n").matches(['\n', '\r']).count()
}

/// `stages_file`: any input; a refusal names at least one problem, each on a line of the file or
/// just past its end (the YAML loader places "unexpected end" there).
pub fn stages_file(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Err(problems) = stages::parse("stages.yml", &text) {
        assert!(!problems.is_empty(), "{text:?}: refused without a problem");
        for p in &problems {
            let lines = line_count(&text);
            assert!((1..=lines + 1).contains(&p.line), "{text:?}: problem on line {} of {lines}: {p}", p.line);
        }
    }
}

/// The file names `version_file` picks from with its first byte: one of each kind.
pub const VERSION_FILES: [&str; 5] = ["Cargo.toml", "package.json", "pyproject.toml", "Chart.yaml", "VERSION"];

/// `version_file`: the first byte picks the file name, the rest is the content.
pub fn version_file(data: &[u8]) {
    let Some((&pick, content)) = data.split_first() else { return };
    let name = VERSION_FILES[usize::from(pick) % VERSION_FILES.len()];
    let text = String::from_utf8_lossy(content);
    let lines = line_count(&text);
    match version::read_version_file(name, &text) {
        Ok(v) => {
            assert!(!v.version.trim().is_empty(), "{name} {text:?}: an empty version was read");
            assert!((1..=lines).contains(&v.line), "{name} {text:?}: version on line {} of {lines}", v.line);
        }
        Err(e) => {
            if let Some(line) = e.line {
                // Just past the end is where the YAML loader places an unexpected end.
                assert!((1..=lines + 1).contains(&line), "{name} {text:?}: error on line {line} of {lines}: {e}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// state_reader: the streaming loader answers exactly as the whole-file parser.

/// The addresses every state is asked about: an output, a workload, an attribute path under a
/// key, and a resource in a keyed module.
pub const STATE_ADDRESSES: [&str; 4] = [
    "output.image",
    "kubernetes_deployment.app",
    "aws_instance.web[0].ami",
    "module.m[\"k\"].null_resource.x.triggers",
];

/// A reader that hands out `step` bytes at a time, so chunk boundaries fall everywhere.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(self.data.len()).min(buf.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// `state_reader`: for each fixed address, both paths give the same value, the same error kind
/// and the same sensitivity.
pub fn state_reader(data: &[u8]) {
    const ORIGIN: &str = "fuzz.tfstate";
    // Odd read sizes, varied by the input, so a boundary falls inside every kind of token.
    let step = 1 + data.len() % 61;
    for address in STATE_ADDRESSES {
        let query = Lookup { address, container: None, origin: ORIGIN };
        let whole = state::parse(data, ORIGIN).and_then(|s| state::lookup(&s, query));
        let parsed = state::parse_address(address).expect("the fixed addresses parse");
        let streamed = state::load(Trickle { data, step }, None, ORIGIN, &state::Want::for_address(&parsed))
            .and_then(|loaded| loaded.state(ORIGIN).and_then(|s| state::lookup(&s, query)));
        for e in [whole.as_ref().err(), streamed.as_ref().err()].into_iter().flatten() {
            assert!(!matches!(e, Error::Internal(_) | Error::Read { .. }), "{address}: a reader's own fault: {e:?}");
        }
        match (&whole, &streamed) {
            (Ok(w), Ok(s)) => {
                assert_eq!(w.value, s.value, "{address}: the value differs");
                assert_eq!((w.sensitive, &w.secrets), (s.sensitive, &s.secrets), "{address}: the sensitivity differs");
                assert_eq!((&w.address, &w.image), (&s.address, &s.image), "{address}: the answer differs");
            }
            // The streamed reader refuses nothing the whole-file parser reads.
            (Ok(_), Err(s)) => panic!("{address}: the stream refuses a state the whole file reads: {s:?}"),
            // It checks the JSON syntax and UTF-8, and the shape of resources and outputs, only
            // of what it keeps (that is what makes it fast): a file broken only where the address
            // does not look may still answer. The top-level fields it checks as the whole does.
            (Err(Error::NotJson { .. } | Error::NotText { .. }), Ok(_)) => {}
            (Err(Error::Malformed { detail, .. }), Ok(_))
                if detail.starts_with("\"resources\"") || detail.starts_with("\"outputs\"") => {}
            (Err(w), Ok(_)) => panic!("{address}: the whole file is refused ({w:?}) but the stream answers"),
            // Both refuse: a file with several faults may be refused for a different one first.
            (Err(_), Err(_)) => {}
        }
    }
}
