//! Container image references, by the grammar of distribution/reference (what Docker and
//! Kubernetes accept): `[host[:port]/]path[:tag][@algorithm:hex]`.
//!
//! Hand-written rather than a crate: the grammar is a few dozen lines, and the crates that
//! implement it pull in a regex engine that would double the size of `dist/`.

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

/// Parses `text`, or says what is wrong with it.
pub fn parse(text: &str) -> Result<ImageRef<'_>, String> {
    if text.is_empty() {
        return Err("the reference is empty".into());
    }
    let (rest, digest) = match text.split_once('@') {
        Some((rest, digest)) => {
            check_digest(digest)?;
            (rest, Some(digest))
        }
        None => (text, None),
    };
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (repository, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => {
            let tag = &rest[last_slash + i + 1..];
            check_tag(tag)?;
            (&rest[..last_slash + i], Some(tag))
        }
        None => (rest, None),
    };
    if repository.len() > 255 {
        return Err("the repository name is longer than 255 characters".into());
    }
    let (registry, path) = split_registry(repository);
    if let Some(host) = registry {
        check_host(host)?;
    }
    if path.is_empty() {
        return Err("the repository name is empty".into());
    }
    for component in path.split('/') {
        check_path_component(component)?;
    }
    Ok(ImageRef { repository, registry, tag, digest })
}

/// Docker's rule: the first component is a registry when it has a `.` or `:`, is `localhost`,
/// or has upper-case letters (which a repository path never has).
fn split_registry(name: &str) -> (Option<&str>, &str) {
    match name.split_once('/') {
        Some((first, rest))
            if first.contains(['.', ':']) || first == "localhost" || first.chars().any(|c| c.is_ascii_uppercase()) =>
        {
            (Some(first), rest)
        }
        _ => (None, name),
    }
}

fn check_host(host: &str) -> Result<(), String> {
    let (name, port) = if let Some(v6) = host.strip_prefix('[') {
        let (addr, after) = v6.split_once(']').ok_or("the registry's IPv6 address has no closing \"]\"")?;
        if addr.is_empty() || !addr.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.') {
            return Err(format!("\"[{addr}]\" is not an IPv6 address"));
        }
        (None, after.strip_prefix(':'))
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
                return Err(format!("\"{name}\" is not a valid registry host"));
            }
        }
    }
    if let Some(port) = port {
        if port.is_empty() || !port.chars().all(|c| c.is_ascii_digit()) {
            return Err(format!("\"{port}\" is not a registry port number"));
        }
    }
    Ok(())
}

/// `[a-z0-9]+` joined by `.`, `_`, `__` or runs of `-`.
fn check_path_component(c: &str) -> Result<(), String> {
    let bad = || {
        Err(format!(
            "\"{c}\" is not a valid repository path component (lower-case letters and digits, joined by \".\", \"_\", \"__\" or \"-\")"
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
        let sep = &c[start..i];
        if !(sep == "." || sep == "_" || sep == "__" || sep.chars().all(|ch| ch == '-')) {
            return bad();
        }
    }
    Ok(())
}

/// `[\w][\w.-]{0,127}`.
fn check_tag(tag: &str) -> Result<(), String> {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let ok = tag.len() <= 128
        && tag.chars().next().is_some_and(word)
        && tag.chars().all(|c| word(c) || c == '.' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "\"{tag}\" is not a valid tag (at most 128 letters, digits, \"_\", \".\" and \"-\", not starting with \".\" or \"-\")"
        ))
    }
}

/// `algorithm:hex`, with sha256 exactly 64 hex digits and others at least 32.
fn check_digest(digest: &str) -> Result<(), String> {
    let (algorithm, hex) =
        digest.split_once(':').ok_or_else(|| format!("\"{digest}\" is not a digest (algorithm:hex)"))?;
    let algorithm_ok = !algorithm.is_empty()
        && algorithm.split(['+', '.', '-', '_']).all(|part| {
            part.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && part.chars().all(|c| c.is_ascii_alphanumeric())
        });
    if !algorithm_ok {
        return Err(format!("\"{algorithm}\" is not a digest algorithm"));
    }
    let hex_ok = hex.len() >= 32 && hex.chars().all(|c| c.is_ascii_hexdigit());
    if !hex_ok || (algorithm == "sha256" && hex.len() != 64) || (algorithm == "sha512" && hex.len() != 128) {
        return Err(format!("\"{digest}\" is not a valid {algorithm} digest"));
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
    fn distinctive_means_tag_digest_or_path() {
        assert!(!parse("nginx").unwrap().is_distinctive());
        assert!(!parse("FOO").is_ok_and(|r| r.is_distinctive()));
        assert!(parse("nginx:1").unwrap().is_distinctive());
        assert!(parse("org/app").unwrap().is_distinctive());
    }
}
