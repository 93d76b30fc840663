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
    let mut shown = 0;
    for c in data.chars() {
        if shown == EXCERPT_CHARS {
            out.push_str(&format!("…\" ({} characters)", data.chars().count()));
            return out;
        }
        push_escaped(&mut out, c);
        shown += 1;
    }
    out.push('"');
    out
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
        c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') => {
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
    }

    #[test]
    fn long_data_is_cut_to_an_excerpt_with_its_length() {
        let long = "x".repeat(100_000_000);
        let q = quote(&long);
        assert_eq!(q, format!("\"{}…\" (100000000 characters)", "x".repeat(EXCERPT_CHARS)));
        assert_eq!(quote(&"y".repeat(EXCERPT_CHARS)), format!("\"{}\"", "y".repeat(EXCERPT_CHARS)));
    }
}
