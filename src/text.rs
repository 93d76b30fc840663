//! Data inside messages. Whatever a state file, tag, version file or server says is quoted short
//! and escaped, so a hostile value can neither flood a log line nor forge one.

/// At most this many characters of one piece of data appear in a message.
pub const EXCERPT_CHARS: usize = 80;

/// `"text"`: the data in double quotes, control and bidirectional-override characters escaped
/// (`\n`, `\u{1b}`, `\u{202e}`), and cut after [`EXCERPT_CHARS`] characters with `…` and the
/// full length, so a 100 MB value costs one short line.
pub fn quote(data: &str) -> String {
    match cut(data) {
        (shown, None) => format!("\"{shown}\""),
        (shown, Some(count)) => format!("\"{shown}…\" ({count} characters)"),
    }
}

/// What a server said in the body of an answer, for a message: the text, trimmed, as [`quote`]
/// gives it (the start, escaped, with the whole length when cut); empty for an empty body. The
/// one way every backend shows a server's words.
pub fn said(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        String::new()
    } else {
        quote(text)
    }
}

/// As [`quote`], without the quotes: for a message that puts its own around the data.
pub fn excerpt(data: &str) -> String {
    match cut(data) {
        (shown, None) => shown,
        (shown, Some(count)) => format!("{shown}… ({count} characters)"),
    }
}

/// The first [`EXCERPT_CHARS`] characters of `data`, escaped, and its length in characters when
/// that is more: the one way data is shortened for a message.
fn cut(data: &str) -> (String, Option<usize>) {
    let mut shown = String::with_capacity(data.len().min(EXCERPT_CHARS * 2));
    for (n, c) in data.chars().enumerate() {
        if n == EXCERPT_CHARS {
            return (shown, Some(data.chars().count()));
        }
        push_escaped(&mut shown, c);
    }
    (shown, None)
}

/// A name from data (an attribute or map key) as a message lists it: as written when it is short
/// and has nothing to escape, so `spec` stays `spec`; else as [`quote`] gives it.
pub fn name(data: &str) -> String {
    let plain = !data.is_empty()
        && data.chars().count() <= EXCERPT_CHARS
        && !data.chars().any(char::is_whitespace)
        && escape(data) == data;
    if plain {
        data.to_string()
    } else {
        quote(data)
    }
}

/// `data` with control and bidirectional-override characters escaped, not quoted and not cut:
/// for text that must stay whole but on one line.
pub fn escape(data: &str) -> String {
    let mut out = String::with_capacity(data.len());
    for c in data.chars() {
        push_escaped(&mut out, c);
    }
    out
}

/// `text` on one line, as a person should see it: as [`escape`], but quotes, backslashes and
/// tabs stay as written (for a whole log line, not data inside quotes).
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' | '\\' | '\t' => out.push(c),
            c => push_escaped(&mut out, c),
        }
    }
    out
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        // C0 and C1 controls (ESC starts terminal sequences that can hide text), the Unicode line
        // and paragraph separators, and the bidirectional overrides that reorder what is shown.
        // Other white space than the space (a no-break space) is invisible: shown by its code.
        c if c.is_control()
            || (c.is_whitespace() && c != ' ')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') =>
        {
            out.push_str(&format!("\\u{{{:x}}}", c as u32))
        }
        c => out.push(c),
    }
}

/// `a, b or c`, each quoted as code, at most `max` of them and then "and N more".
pub fn list(items: &[String], max: usize) -> String {
    let shown: Vec<String> = items.iter().take(max).map(|s| s.to_string()).collect();
    let mut out = shown.join(", ");
    if items.len() > max {
        out.push_str(&format!(" and {} more", items.len() - max));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_is_quoted_with_controls_escaped() {
        assert_eq!(quote("ghcr.io/a:1"), "\"ghcr.io/a:1\"");
        assert_eq!(quote("a\"b\\c\r\n::error::x\u{1b}[2K\u{202e}"), r#""a\"b\\c\r\n::error::x\u{1b}[2K\u{202e}""#);
        assert_eq!(escape("x\ny"), "x\\ny");
        assert_eq!(excerpt("a\nb"), "a\\nb");
        assert_eq!(one_line("say \"hi\"\tC:\\x\r\n\u{1b}[2K\u{2028}"), "say \"hi\"\tC:\\x\\r\\n\\u{1b}[2K\\u{2028}");
    }

    #[test]
    fn names_stay_bare_unless_they_need_quoting() {
        assert_eq!(name("app.kubernetes.io/name"), "app.kubernetes.io/name");
        assert_eq!(name("a b"), "\"a b\"");
        assert_eq!(name("x\n::error::y"), "\"x\\n::error::y\"");
        assert_eq!(name(""), "\"\"");
        assert_eq!(name(&"k".repeat(81)), format!("\"{}…\" (81 characters)", "k".repeat(EXCERPT_CHARS)));
    }

    #[test]
    fn a_servers_body_is_said_trimmed_quoted_and_cut_with_its_whole_length() {
        assert_eq!(said(b""), "");
        assert_eq!(said(b" \n\t "), "");
        assert_eq!(said(b"  denied\n"), "\"denied\"");
        assert_eq!(said(b"line\x1b[31m"), quote("line\u{1b}[31m"));
        // The whole body's length, not a prefix's: the same for every backend.
        let long = "x".repeat(1000);
        assert_eq!(said(long.as_bytes()), format!("\"{}…\" (1000 characters)", "x".repeat(EXCERPT_CHARS)));
        assert_eq!(said(&[0xff, b'a']), "\"\u{fffd}a\"");
    }

    #[test]
    fn long_data_is_cut_to_an_excerpt_with_its_length() {
        let long = "x".repeat(100_000_000);
        let q = quote(&long);
        assert_eq!(q, format!("\"{}…\" (100000000 characters)", "x".repeat(EXCERPT_CHARS)));
        assert_eq!(quote(&"y".repeat(EXCERPT_CHARS)), format!("\"{}\"", "y".repeat(EXCERPT_CHARS)));
        assert_eq!(excerpt(&"z".repeat(1000)), format!("{}… (1000 characters)", "z".repeat(EXCERPT_CHARS)));
    }
}
