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

/// Escapes text for Markdown table cells and HTML: data never becomes markup.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '|' => out.push_str("&#124;"),
            '`' => out.push_str("&#96;"),
            '\n' => out.push_str("<br>"),
            '\r' => {}
            c => out.push(c),
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
    fn html_escape_neutralises_markup_and_table_pipes() {
        assert_eq!(escape_html("<img src=x onerror='a'>|`"), "&lt;img src=x onerror=&#39;a&#39;&gt;&#124;&#96;");
    }
}
