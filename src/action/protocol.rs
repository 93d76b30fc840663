//! The runner's wire formats, byte for byte as `@actions/core` writes them
//! (packages/core/src/command.ts and file-command.ts).

/// Escapes a workflow command's message: `%`, CR and LF.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a workflow command's property value: as [`escape_data`], plus `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// `::name key=value,key=value::message` with everything escaped, without the line end.
pub fn command(name: &str, properties: &[(&str, String)], message: &str) -> String {
    let mut out = format!("::{name}");
    if !properties.is_empty() {
        out.push(' ');
        let props: Vec<String> = properties.iter().map(|(k, v)| format!("{k}={}", escape_property(v))).collect();
        out.push_str(&props.join(","));
    }
    out.push_str("::");
    out.push_str(&escape_data(message));
    out
}

/// One `$GITHUB_OUTPUT` entry: `name<<delimiter` LF value LF delimiter LF.
/// Refuses a name or value that contains the delimiter, as `@actions/core` does.
pub fn output_entry(name: &str, value: &str, delimiter: &str) -> Result<String, String> {
    if name.contains(delimiter) {
        return Err(format!("Unexpected input: name should not contain the delimiter \"{delimiter}\""));
    }
    if value.contains(delimiter) {
        return Err(format!("Unexpected input: value should not contain the delimiter \"{delimiter}\""));
    }
    Ok(format!("{name}<<{delimiter}\n{value}\n{delimiter}\n"))
}

/// Breaks every `##[` in text bound for the log: the runner takes `##[command]` for a command
/// anywhere in a line. `##\[` shows the same to a person and is nothing to the runner.
pub fn defuse(s: &str) -> String {
    s.replace("##[", "##\\[")
}

/// A line of the step's log that the runner shows and never obeys, whatever data it holds. The
/// runner splits its input at CR and LF, trims each line's leading white space, runs a line that
/// then starts with `::` as a workflow command, and one holding `##[` anywhere as an old-style
/// one. So: control characters are escaped (`\n`, `\u{1b}`: one item, one line), `##[` is broken,
/// and a line that would start with `::` once trimmed starts with `\::` instead.
pub fn safe_log_line(line: &str) -> String {
    let out = defuse(&crate::text::one_line(line));
    let body = out.trim_start();
    if body.starts_with("::") {
        let lead = out.len() - body.len();
        format!("{}\\{}", &out[..lead], body)
    } else {
        out
    }
}

/// Escapes text for a Markdown summary so that it renders as the text it is: no emphasis,
/// links, images, HTML, entities, strike-through or table cells of its own, and none of GitHub's
/// autolinks for `https://…` and `www.…`. Only what could start markup is backslash-escaped
/// (CommonMark allows that for any ASCII punctuation), so an image or a path reads as itself
/// in the raw Markdown too: `*` `` ` `` `[` `]` `<` `>` `|` `&` `~` `!` `\\` and `@` always, `_`
/// unless inside a word (where it cannot open emphasis), `:` before `//`, and the `.` of `www.`.
/// Line breaks become `<br>`, so a value cannot end a table row or start a block.
pub fn escape_markdown(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for (i, &c) in chars.iter().enumerate() {
        let before = |n: usize| i.checked_sub(n).map(|j| chars[j]);
        let after = |n: usize| chars.get(i + n).copied();
        let escape = match c {
            '*' | '`' | '[' | ']' | '<' | '>' | '|' | '&' | '~' | '!' | '\\' | '@' => true,
            '_' => !(before(1).is_some_and(char::is_alphanumeric) && after(1).is_some_and(char::is_alphanumeric)),
            ':' => after(1) == Some('/') && after(2) == Some('/'),
            '.' => (1..=3).all(|n| before(n).is_some_and(|b| b.eq_ignore_ascii_case(&'w'))),
            _ => false,
        };
        match c {
            '\n' => out.push_str("<br>"),
            '\r' => {}
            c if c.is_control() => out.push(' '),
            c => {
                if escape {
                    out.push('\\');
                }
                out.push(c);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_escapes_percent_cr_lf_only() {
        assert_eq!(escape_data("50% a:b,c\r\nd"), "50%25 a:b,c%0D%0Ad");
    }

    #[test]
    fn property_also_escapes_colon_and_comma() {
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn command_with_and_without_properties() {
        assert_eq!(command("add-mask", &[], "s3cr%t"), "::add-mask::s3cr%25t");
        assert_eq!(
            command(
                "error",
                &[("title", "bad: input".into()), ("file", "a,b.yml".into()), ("line", "3".into())],
                "x\ny"
            ),
            "::error title=bad%3A input,file=a%2Cb.yml,line=3::x%0Ay"
        );
    }

    #[test]
    fn output_entry_refuses_the_delimiter() {
        let d = "ghadelimiter_1";
        assert_eq!(output_entry("image", "a:1", d).unwrap(), "image<<ghadelimiter_1\na:1\nghadelimiter_1\n");
        assert!(output_entry("image", "x ghadelimiter_1 y", d).unwrap_err().contains("value should not contain"));
        assert!(output_entry("ghadelimiter_1", "x", d).unwrap_err().contains("name should not contain"));
    }

    #[test]
    fn markdown_escape_leaves_no_markup_links_or_pipes() {
        assert_eq!(escape_markdown("<img src=x onerror='a'>|`"), r"\<img src=x onerror='a'\>\|\`");
        assert_eq!(escape_markdown("[x](https://evil.example) ![i](y)"), r"\[x\](https\://evil.example) \!\[i\](y)");
        assert_eq!(
            escape_markdown("WWW.evil.example a@b.c *b* _i_ &amp; ~~s~~"),
            r"WWW\.evil.example a\@b.c \*b\* \_i\_ \&amp; \~\~s\~\~"
        );
        assert_eq!(escape_markdown("a\r\nb\u{1b}"), "a<br>b ");
        // What is not markup stays as written.
        let plain = "ghcr.io/acme/backend:1.4.2 kubernetes_deployment_v1.web (sensitive)";
        assert_eq!(escape_markdown(plain), plain);
    }

    /// The runner's own reading of a line of output: split at CR and LF, leading white space
    /// trimmed, `::` at the start or `##[` anywhere makes a command.
    fn runner_sees_a_command(output: &str) -> bool {
        output.split(['\r', '\n']).any(|l| l.trim_start().starts_with("::") || l.contains("##["))
    }

    #[test]
    fn log_lines_never_become_commands_under_the_runners_rules() {
        let hostile = [
            "::set-output name=image::evil",
            "  \t ::add-mask::a",
            "x\n::warning::forged",
            "x\r::stop-commands::t0k",
            "x\r\n  ::error::e",
            "see ##[error]forged",
            "#\u{2028}##[group]x",
            "###[x",
            "\u{1b}[2K::debug::x",
            "\u{85}::error::x",
        ];
        for line in hostile {
            let safe = safe_log_line(line);
            assert!(!runner_sees_a_command(&safe), "{line:?} became {safe:?}");
            assert!(!safe.contains(['\r', '\n']), "{safe:?}");
        }
        assert_eq!(safe_log_line("dev: ghcr.io/a:1"), "dev: ghcr.io/a:1");
        assert_eq!(safe_log_line("::x"), r"\::x");
        assert_eq!(safe_log_line("a\n::x ##[y"), r"a\n::x ##\[y");
    }
}
