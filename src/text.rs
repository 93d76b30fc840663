//! Data inside messages. Whatever a state file, tag, version file or server says is quoted short
//! and escaped, so a hostile value can neither flood a log line nor forge one.

/// At most this many characters of one piece of data appear in a message.
pub const EXCERPT_CHARS: usize = 80;

/// `"text"`: the data in double quotes, control and bidirectional-override characters escaped
/// (`\n`, `\u{1b}`, `\u{202e}`), and cut after [`EXCERPT_CHARS`] characters with `…` and the
/// full length, so a 100 MB value costs one short line.
pub fn quote(data: &str) -> String {
    let mut out = String::with_capacity(data.len().min(EXCERPT_CHARS * 2) + 2);
    out.push('"');
    for (shown, c) in data.chars().enumerate() {
        if shown == EXCERPT_CHARS {
            out.push_str(&format!("…\" ({} characters)", data.chars().count()));
            return out;
        }
        push_escaped(&mut out, c);
    }
    out.push('"');
    out
}

/// As [`quote`], without the quotes: for a message that puts its own around the data.
pub fn excerpt(data: &str) -> String {
    let quoted = quote(data);
    match quoted.rsplit_once("…\" (") {
        Some((head, count)) => format!("{}… ({count}", &head[1..]),
        None => quoted[1..quoted.len() - 1].to_string(),
    }
}

/// A name from data (an attribute or map key) as a message lists it: as written when it is short
/// and has nothing to escape, so `spec` stays `spec`; else as [`quote`] gives it.
pub fn name(data: &str) -> String {
    let plain = data.chars().count() <= EXCERPT_CHARS
        && !data.is_empty()
        && data.chars().all(|c| {
            let mut one = String::new();
            push_escaped(&mut one, c);
            one.len() == c.len_utf8() && !c.is_whitespace()
        });
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_is_quoted_with_controls_escaped() {
        assert_eq!(quote("ghcr.io/a:1"), "\"ghcr.io/a:1\"");
        assert_eq!(quote("a\"b\\c\r\n::error::x\u{1b}[2K\u{202e}"), r#""a\"b\\c\r\n::error::x\u{1b}[2K\u{202e}""#);
        assert_eq!(escape("x\ny"), "x\\ny");
        assert_eq!(excerpt("a\nb"), "a\\nb");
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
    fn long_data_is_cut_to_an_excerpt_with_its_length() {
        let long = "x".repeat(100_000_000);
        let q = quote(&long);
        assert_eq!(q, format!("\"{}…\" (100000000 characters)", "x".repeat(EXCERPT_CHARS)));
        assert_eq!(quote(&"y".repeat(EXCERPT_CHARS)), format!("\"{}\"", "y".repeat(EXCERPT_CHARS)));
        assert_eq!(excerpt(&"z".repeat(1000)), format!("{}… (1000 characters)", "z".repeat(EXCERPT_CHARS)));
    }
}
