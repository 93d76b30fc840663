//! Container image references, by the grammar of distribution/reference (what Docker and
//! Kubernetes accept):
//!
//! ```text
//! reference        := name [ ":" tag ] [ "@" digest ]
//! name             := [domain "/"] path-component ["/" path-component]*     (at most 255 characters)
//! domain           := host [":" port-number]
//! host             := domain-name | "[" [a-fA-F0-9:]+ "]"                    (IPv4 is a domain-name)
//! domain-name      := domain-component ["." domain-component]*
//! domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
//! port-number      := [0-9]+
//! path-component   := [a-z0-9]+ ([._] | "__" | "-"+) [a-z0-9]+ ...
//! tag              := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
//! digest           := algorithm ":" [0-9a-fA-F]{32,}
//! algorithm        := [A-Za-z][A-Za-z0-9]* ([+._-] [A-Za-z][A-Za-z0-9]*)*
//! ```
//!
//! The parser accepts exactly what that grammar accepts (a test holds it to a transcription of
//! Docker's regular expression), with two rules stricter than the grammar, both Docker's own
//! digest checks: a `sha256` digest has exactly 64 hex digits and a `sha512` digest exactly 128.
//! Exactness matters beyond tidiness: a reference that passes becomes the `image` output, which
//! workflows paste into shell commands, so nothing outside the grammar (quotes, `$`, `;`,
//! spaces, newlines) may ever pass.
//!
//! Which first component is the registry follows Docker's rule (`splitDockerDomain`): one with
//! a `.` or `:`, `localhost`, or one with upper-case letters — and one in brackets, which can
//! only be an IPv6 address. The grammar also reads a first component as a path when it is not a
//! valid host, so `a.b_c/d` is the repository `a.b_c/d` on the default registry, as Docker pulls it.
//!
//! Hand-written rather than a crate: the grammar is a few dozen lines, and the crates that
//! implement it pull in a regex engine that would double the size of `dist/`. Messages quote
//! the data with [`quote`]: a rejected reference may hold anything, newlines included.

use crate::text::quote;

/// A parsed reference; every part borrows from the text as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// Everything before the tag and digest, as written (`ghcr.io/org/app`).
    pub repository: &'a str,
    /// The registry host (and port), when the first component names one.
    pub registry: Option<&'a str>,
    /// The tag, if any.
    pub tag: Option<&'a str>,
    /// The digest (`sha256:…`), if any.
    pub digest: Option<&'a str>,
}

impl ImageRef<'_> {
    /// Whether this reference pins something or names a registry path: a tag, a digest or a
    /// `/`. A bare word such as `nginx` is a valid reference but also just a word.
    pub fn is_distinctive(&self) -> bool {
        self.tag.is_some() || self.digest.is_some() || self.repository.contains('/')
    }
}

/// The longest name (registry and path) Docker accepts.
const MAX_NAME: usize = 255;

/// Parses `text`, or says what is wrong with it.
pub fn parse(text: &str) -> Result<ImageRef<'_>, String> {
    if text.is_empty() {
        return Err("the reference is empty".into());
    }
    // Neither the name nor the tag may hold an "@", so the first one starts the digest.
    let (rest, digest) = match text.split_once('@') {
        Some((rest, digest)) => {
            check_digest(digest)?;
            (rest, Some(digest))
        }
        None => (text, None),
    };
    // A tag holds neither "/" nor ":", and the name holds a ":" only in its registry (before a
    // "/"), so a ":" after the last "/" starts the tag.
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (repository, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => {
            let tag = &rest[last_slash + i + 1..];
            check_tag(tag)?;
            (&rest[..last_slash + i], Some(tag))
        }
        None => (rest, None),
    };
    if repository.len() > MAX_NAME {
        return Err(format!("the repository name is longer than {MAX_NAME} characters"));
    }
    let (registry, path) = split_registry(repository)?;
    if path.is_empty() {
        return Err("the repository name is empty".into());
    }
    for component in path.split('/') {
        check_path_component(component)?;
    }
    Ok(ImageRef { repository, registry, tag, digest })
}

/// Splits off the registry by Docker's rule: the first of several components is a registry when
/// it has a `.` or `:`, is `localhost`, has upper-case letters (which a repository path never
/// has), or is in brackets. Such a component that is not a valid host may still be a valid
/// path component (`a.b_c`), as the grammar allows; otherwise the host's problem is the one named.
fn split_registry(name: &str) -> Result<(Option<&str>, &str), String> {
    let Some((first, rest)) = name.split_once('/') else { return Ok((None, name)) };
    let looks_like_host = first.starts_with('[')
        || first.contains(['.', ':'])
        || first == "localhost"
        || first.chars().any(|c| c.is_ascii_uppercase());
    if !looks_like_host {
        return Ok((None, name));
    }
    match check_host(first) {
        Ok(()) => Ok((Some(first), rest)),
        Err(_) if check_path_component(first).is_ok() => Ok((None, name)),
        Err(e) => Err(e),
    }
}

/// `host[:port]`, the host a domain name or a bracketed IPv6 address.
fn check_host(host: &str) -> Result<(), String> {
    let (name, port) = if let Some(v6) = host.strip_prefix('[') {
        let (addr, after) = v6.split_once(']').ok_or("the registry's IPv6 address has no closing \"]\"")?;
        // Docker's pattern is `\[[a-fA-F0-9:]+\]`: no embedded IPv4 (`::ffff:1.2.3.4`), no zone.
        if addr.is_empty() || !addr.chars().all(|c| c.is_ascii_hexdigit() || c == ':') {
            return Err(format!(
                "{} is not an IPv6 address (hex digits and \":\" in brackets)",
                quote(&format!("[{addr}]"))
            ));
        }
        // Only a port may follow the "]": anything else would ride along into the `image` output.
        let port = match after.strip_prefix(':') {
            Some(port) => Some(port),
            None if after.is_empty() => None,
            None => {
                return Err(format!(
                    "{} follows the registry's IPv6 address {}; only a port (\":\" and digits) may follow it",
                    quote(after),
                    quote(&format!("[{addr}]"))
                ))
            }
        };
        (None, port)
    } else {
        match host.split_once(':') {
            Some((n, p)) => (Some(n), Some(p)),
            None => (Some(host), None),
        }
    };
    if let Some(name) = name {
        for label in name.split('.') {
            let ok = !label.is_empty()
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-');
            if !ok {
                return Err(format!("{} is not a valid registry host", quote(name)));
            }
        }
    }
    if let Some(port) = port {
        if port.is_empty() || !port.chars().all(|c| c.is_ascii_digit()) {
            return Err(format!("{} is not a registry port number", quote(port)));
        }
    }
    Ok(())
}

/// `[a-z0-9]+` joined by `.`, `_`, `__` or runs of `-`.
fn check_path_component(c: &str) -> Result<(), String> {
    let bad = || {
        Err(format!(
            "{} is not a valid repository path component (lower-case letters and digits, joined by \".\", \"_\", \"__\" or \"-\")",
            quote(c)
        ))
    };
    if c.is_empty() {
        return bad();
    }
    let bytes = c.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return bad();
    }
    let mut i = 0;
    while i < bytes.len() {
        if alnum(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let sep = &bytes[start..i];
        if !(sep == b"." || sep == b"_" || sep == b"__" || sep.iter().all(|&b| b == b'-')) {
            return bad();
        }
    }
    Ok(())
}

/// `[\w][\w.-]{0,127}`, where `\w` is ASCII only (Go's regular expressions, unlike Rust's).
fn check_tag(tag: &str) -> Result<(), String> {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let ok = tag.len() <= 128
        && tag.chars().next().is_some_and(word)
        && tag.chars().all(|c| word(c) || c == '.' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{} is not a valid tag (at most 128 letters, digits, \"_\", \".\" and \"-\", not starting with \".\" or \"-\")",
            quote(tag)
        ))
    }
}

/// `algorithm:hex`, with sha256 exactly 64 hex digits, sha512 exactly 128 and others at least 32.
fn check_digest(digest: &str) -> Result<(), String> {
    let (algorithm, hex) =
        digest.split_once(':').ok_or_else(|| format!("{} is not a digest (algorithm:hex)", quote(digest)))?;
    let algorithm_ok = !algorithm.is_empty()
        && algorithm.split(['+', '.', '-', '_']).all(|part| {
            part.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && part.chars().all(|c| c.is_ascii_alphanumeric())
        });
    if !algorithm_ok {
        return Err(format!("{} is not a digest algorithm", quote(algorithm)));
    }
    let hex_ok = hex.len() >= 32 && hex.chars().all(|c| c.is_ascii_hexdigit());
    if !hex_ok || (algorithm == "sha256" && hex.len() != 64) || (algorithm == "sha512" && hex.len() != 128) {
        return Err(format!("{} is not a valid {algorithm} digest", quote(digest)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

    #[test]
    fn valid_references_split_as_docker_does() {
        let with_digest = format!("ghcr.io/org/app:1.2@{SHA}");
        // text, repository, registry, tag, digest
        type Case<'a> = (&'a str, &'a str, Option<&'a str>, Option<&'a str>, Option<&'a str>);
        let cases: Vec<Case> = vec![
            ("nginx", "nginx", None, None, None),
            ("nginx:1.25", "nginx", None, Some("1.25"), None),
            ("hashicorp/consul:latest", "hashicorp/consul", None, Some("latest"), None),
            ("localhost:5000/app", "localhost:5000/app", Some("localhost:5000"), None, None),
            ("localhost:5000/app:v2", "localhost:5000/app", Some("localhost:5000"), Some("v2"), None),
            ("localhost/app", "localhost/app", Some("localhost"), None, None),
            ("[::1]:5000/app:1", "[::1]:5000/app", Some("[::1]:5000"), Some("1"), None),
            ("wcg-1.latest", "wcg-1.latest", None, None, None),
            ("a__b/c---d_e.f:x", "a__b/c---d_e.f", None, Some("x"), None),
            (
                "215848077383.dkr.ecr.us-east-2.amazonaws.com/infrahash:latest",
                "215848077383.dkr.ecr.us-east-2.amazonaws.com/infrahash",
                Some("215848077383.dkr.ecr.us-east-2.amazonaws.com"),
                Some("latest"),
                None,
            ),
            (&with_digest, "ghcr.io/org/app", Some("ghcr.io"), Some("1.2"), Some(SHA)),
        ];
        for (text, repository, registry, tag, digest) in cases {
            let r = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(r, ImageRef { repository, registry, tag, digest }, "{text}");
        }
    }

    #[test]
    fn invalid_references_say_why() {
        let cases = [
            ("", "the reference is empty"),
            ("Nginx", "\"Nginx\" is not a valid repository path component (lower-case letters and digits, joined by \".\", \"_\", \"__\" or \"-\")"),
            ("app:", "\"\" is not a valid tag (at most 128 letters, digits, \"_\", \".\" and \"-\", not starting with \".\" or \"-\")"),
            ("app:-x", "\"-x\" is not a valid tag (at most 128 letters, digits, \"_\", \".\" and \"-\", not starting with \".\" or \"-\")"),
            ("app@sha256:abc", "\"sha256:abc\" is not a valid sha256 digest"),
            ("app@md5", "\"md5\" is not a digest (algorithm:hex)"),
            ("a//b", "\"\" is not a valid repository path component (lower-case letters and digits, joined by \".\", \"_\", \"__\" or \"-\")"),
            ("a..b", "\"a..b\" is not a valid repository path component (lower-case letters and digits, joined by \".\", \"_\", \"__\" or \"-\")"),
            ("host:port/app", "\"port\" is not a registry port number"),
            ("-bad.io/app", "\"-bad.io\" is not a valid registry host"),
            ("my app", "\"my app\" is not a valid repository path component (lower-case letters and digits, joined by \".\", \"_\", \"__\" or \"-\")"),
        ];
        for (text, why) in cases {
            assert_eq!(parse(text).unwrap_err(), why, "{text}");
        }
        assert!(parse(&format!("a:{}", "x".repeat(129))).is_err());
    }

    #[test]
    fn nothing_but_a_port_may_follow_an_ipv6_registry() {
        let only_a_port = "only a port (\":\" and digits) may follow it";
        let cases = [
            ("[::1]x/a:1", format!("\"x\" follows the registry's IPv6 address \"[::1]\"; {only_a_port}")),
            (
                "[::1]\";touch${IFS}PWNED;echo${IFS}\"/app:1.0",
                format!(
                    "\"\\\";touch${{IFS}}PWNED;echo${{IFS}}\\\"\" follows the registry's IPv6 address \"[::1]\"; {only_a_port}"
                ),
            ),
            ("[::1]\n/app:1", format!("\"\\n\" follows the registry's IPv6 address \"[::1]\"; {only_a_port}")),
            ("[::1] :5000/app", format!("\" :5000\" follows the registry's IPv6 address \"[::1]\"; {only_a_port}")),
            ("[::1]]/app", format!("\"]\" follows the registry's IPv6 address \"[::1]\"; {only_a_port}")),
            ("[::1]:50x/app", "\"50x\" is not a registry port number".to_string()),
            ("[::1]:/app", "\"\" is not a registry port number".to_string()),
            (
                "[::ffff:1.2.3.4]/app",
                "\"[::ffff:1.2.3.4]\" is not an IPv6 address (hex digits and \":\" in brackets)".to_string(),
            ),
            ("[fe80::1%eth0]/app", "\"[fe80::1%eth0]\" is not an IPv6 address (hex digits and \":\" in brackets)".to_string()),
            ("[]/app", "\"[]\" is not an IPv6 address (hex digits and \":\" in brackets)".to_string()),
            ("[::1/app", "the registry's IPv6 address has no closing \"]\"".to_string()),
        ];
        for (text, why) in cases {
            assert_eq!(parse(text).unwrap_err(), why, "{text:?}");
        }
    }

    #[test]
    fn refused_data_is_quoted_on_one_line() {
        let why = parse("app:1\n2").unwrap_err();
        assert_eq!(
            why,
            "\"1\\n2\" is not a valid tag (at most 128 letters, digits, \"_\", \".\" and \"-\", not starting with \".\" or \"-\")"
        );
        assert!(parse(&format!("a@sha256:{}\n", "f".repeat(64)))
            .unwrap_err()
            .ends_with("is not a valid sha256 digest"));
    }

    #[test]
    fn the_grammar_decides_where_docker_s_registry_rule_and_it_differ() {
        // A first component with a "." that is no host is a path component (Docker Hub's).
        assert_eq!(
            parse("a.b_c/d:1").unwrap(),
            ImageRef { repository: "a.b_c/d", registry: None, tag: Some("1"), digest: None }
        );
        // Anything in brackets can only be a host; upper-case hex is still hex.
        assert_eq!(parse("[AB]/c").unwrap().registry, Some("[AB]"));
        assert_eq!(parse("[ab]:443/c").unwrap().registry, Some("[ab]:443"));
        assert_eq!(parse("Registry.Example/c").unwrap().registry, Some("Registry.Example"));
        // The 255-character limit counts the registry too, and the tag and digest not at all.
        let name = format!("r.io/{}", "a".repeat(250));
        assert!(parse(&format!("{name}:{}", "t".repeat(128))).is_ok());
        assert_eq!(parse(&format!("{name}a")).unwrap_err(), "the repository name is longer than 255 characters");
        // Unicode letters are not Go's ASCII-only `\w`.
        assert!(parse("app:vé").is_err());
        assert!(parse("äpp").is_err());
    }

    #[test]
    fn sha256_and_sha512_digests_have_their_exact_lengths() {
        let hex = |n: usize| "a".repeat(n);
        assert!(parse(&format!("a@sha256:{}", hex(64))).is_ok());
        assert!(parse(&format!("a@sha512:{}", hex(128))).is_ok());
        assert!(parse(&format!("a@sha384:{}", hex(32))).is_ok());
        assert!(parse(&format!("a@multihash+base58:{}", hex(40))).is_ok());
        assert_eq!(
            parse(&format!("a@sha256:{}", hex(65))).unwrap_err(),
            format!("\"sha256:{}\" is not a valid sha256 digest", hex(65))
        );
        assert_eq!(
            parse(&format!("a@sha512:{}", hex(64))).unwrap_err(),
            format!("\"sha512:{}\" is not a valid sha512 digest", hex(64))
        );
        assert_eq!(parse(&format!("a@sha-:{}", hex(64))).unwrap_err(), "\"sha-\" is not a digest algorithm");
    }

    #[test]
    fn distinctive_means_tag_digest_or_path() {
        assert!(!parse("nginx").unwrap().is_distinctive());
        assert!(!parse("FOO").is_ok_and(|r| r.is_distinctive()));
        assert!(parse("nginx:1").unwrap().is_distinctive());
        assert!(parse("org/app").unwrap().is_distinctive());
    }
}
