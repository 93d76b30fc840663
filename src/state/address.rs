//! Terraform addresses as Terraform prints them, followed by an optional attribute path.
//!
//! ```text
//! output.NAME[.path]
//! [module.NAME[KEY].]...[data.]TYPE.NAME[KEY][.path]
//! KEY  := [0] | ["string"]          path := .name | [0] | [-1] | ["key"]
//! ```
//!
//! fujiwara/tfstate-lookup resolves such a string by trying ever shorter prefixes against the
//! state's addresses. Tokenizing first gives the same answers without that search: Terraform's
//! grammar already fixes where the resource part ends (module steps come in pairs, `data` is a
//! keyword, a type and a name are one identifier each, and only one instance key may follow),
//! so whatever remains is the attribute path. Quoted keys may hold dots and brackets.

use std::fmt;

/// An instance key: `[0]` for count, `["name"]` for for_each.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    /// A count index.
    Int(i64),
    /// A for_each key.
    Str(String),
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Int(i) => write!(f, "[{i}]"),
            Key::Str(s) => {
                f.write_str("[\"")?;
                for c in s.chars() {
                    match c {
                        '"' => f.write_str("\\\"")?,
                        '\\' => f.write_str("\\\\")?,
                        '\n' => f.write_str("\\n")?,
                        '\t' => f.write_str("\\t")?,
                        // No address the parser reads holds another control character, but a
                        // key in a state may: shown escaped, never raw.
                        c if c.is_control() => write!(f, "\\u{{{:x}}}", c as u32)?,
                        c => write!(f, "{c}")?,
                    }
                }
                f.write_str("\"]")
            }
        }
    }
}

/// One step of an attribute path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// `.name`, or `["name"]` on an object.
    Attr(String),
    /// `[3]`, or `[-1]` counting from the end.
    Index(i64),
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Any name the tokenizer reads back as one bare name is written after a dot: written
            // in brackets, a first step after a resource without a key would read back as one.
            Step::Attr(name) if is_bare(name) => write!(f, ".{name}"),
            Step::Attr(name) => write!(f, "{}", Key::Str(name.clone())),
            Step::Index(i) => write!(f, "[{i}]"),
        }
    }
}

/// Renders a path as it would be written after an address: `.spec[0].replicas`.
pub fn path_string(path: &[Step]) -> String {
    path.iter().map(|s| s.to_string()).collect()
}

/// Whether a resource is managed or a data source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// `resource` blocks.
    Managed,
    /// `data` blocks.
    Data,
}

/// One `module.NAME[KEY]` step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleStep {
    /// The module call's name.
    pub name: String,
    /// The module instance's key, when the call has count or for_each.
    pub key: Option<Key>,
}

/// A parsed address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    /// `output.NAME` and a path into its value.
    Output { name: String, path: Vec<Step> },
    /// A resource instance and a path into its attributes.
    Resource(ResourceAddress),
}

/// A resource (instance) address and a path into its attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceAddress {
    /// The module path; empty for the root module.
    pub module: Vec<ModuleStep>,
    /// Managed resource or data source.
    pub mode: Mode,
    /// The resource type, e.g. `kubernetes_deployment_v1`.
    pub type_: String,
    /// The resource name.
    pub name: String,
    /// The instance key, if one was written.
    pub key: Option<Key>,
    /// The attribute path after the instance.
    pub path: Vec<Step>,
}

impl ResourceAddress {
    /// `module.a.data.TYPE.NAME` without instance key or path.
    pub fn resource(&self) -> String {
        resource_string(&module_string(&self.module), self.mode, &self.type_, &self.name)
    }

    /// The resource with its instance key, as Terraform prints an instance.
    pub fn instance(&self) -> String {
        match &self.key {
            Some(k) => format!("{}{k}", self.resource()),
            None => self.resource(),
        }
    }
}

/// `module.a["x"].module.b`, or the empty string for the root module.
pub fn module_string(module: &[ModuleStep]) -> String {
    let parts: Vec<String> = module
        .iter()
        .map(|m| match &m.key {
            Some(k) => format!("module.{}{k}", m.name),
            None => format!("module.{}", m.name),
        })
        .collect();
    parts.join(".")
}

/// `MODULE.data.TYPE.NAME`, as Terraform prints a resource; `module` may be empty.
pub fn resource_string(module: &str, mode: Mode, type_: &str, name: &str) -> String {
    let data = if mode == Mode::Data { "data." } else { "" };
    if module.is_empty() {
        format!("{data}{type_}.{name}")
    } else {
        format!("{module}.{data}{type_}.{name}")
    }
}

/// Whether `s` can be written after a dot.
fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !s.starts_with(|c: char| c.is_ascii_digit())
}

/// Whether `s` reads back as one bare name after a dot (see `tokenize`).
fn is_bare(s: &str) -> bool {
    !s.is_empty() && !s.chars().any(|c| matches!(c, '.' | '[' | ']' | '"') || c.is_whitespace() || c.is_control())
}

/// A token of an address.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    Name(String),
    Int(i64),
    Str(String),
}

/// Why an address did not parse, and at which 1-based column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based column of the problem.
    pub column: usize,
    /// What is wrong there.
    pub problem: String,
}

fn err<T>(column: usize, problem: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError { column, problem: problem.into() })
}

/// Splits `text` into names and bracketed keys, remembering each token's column.
fn tokenize(text: &str) -> Result<Vec<(Token, usize)>, ParseError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    let mut expect_name = true; // at the start, or right after a dot
    while i < chars.len() {
        let column = i + 1;
        match chars[i] {
            '.' => {
                if expect_name {
                    return err(column, "unexpected \".\"");
                }
                expect_name = true;
                i += 1;
                if i == chars.len() {
                    return err(column, "the address ends with \".\"");
                }
            }
            '[' => {
                if expect_name && !tokens.is_empty() {
                    return err(column, "\"[\" right after \".\"");
                }
                if tokens.is_empty() {
                    return err(column, "an address cannot start with \"[\"");
                }
                i += 1;
                if chars.get(i) == Some(&'"') {
                    i += 1;
                    let mut s = String::new();
                    loop {
                        match chars.get(i) {
                            None => return err(column, "unterminated string key"),
                            Some('"') => break,
                            Some('\\') => {
                                match chars.get(i + 1) {
                                    Some('"') => s.push('"'),
                                    Some('\\') => s.push('\\'),
                                    Some('n') => s.push('\n'),
                                    Some('t') => s.push('\t'),
                                    _ => return err(i + 1, "unknown escape in string key"),
                                }
                                i += 2;
                            }
                            // A raw line break or escape code would end up in logs as written.
                            Some(c) if c.is_control() => {
                                return err(
                                    i + 1,
                                    format!(
                                        "a control character (U+{:04X}) in a string key; write a line break as \\n and a tab as \\t",
                                        *c as u32
                                    ),
                                )
                            }
                            Some(c) => {
                                s.push(*c);
                                i += 1;
                            }
                        }
                    }
                    i += 1; // closing quote
                    if chars.get(i) != Some(&']') {
                        return err(i + 1, "expected \"]\" after the string key");
                    }
                    tokens.push((Token::Str(s), column));
                } else {
                    let start = i;
                    if chars.get(i) == Some(&'-') {
                        i += 1;
                    }
                    while chars.get(i).is_some_and(|c| c.is_ascii_digit()) {
                        i += 1;
                    }
                    let digits: String = chars[start..i].iter().collect();
                    if chars.get(i) != Some(&']') || digits.is_empty() || digits == "-" {
                        return err(column, "an index is a whole number like [0] or a quoted key like [\"blue\"]");
                    }
                    match digits.parse::<i64>() {
                        Ok(n) => tokens.push((Token::Int(n), column)),
                        Err(_) => return err(column, "the index is too large"),
                    }
                }
                i += 1; // ]
                expect_name = false;
            }
            c if c.is_whitespace() => return err(column, "white space is not allowed in an address"),
            ']' | '"' => return err(column, format!("unexpected \"{}\"", chars[i])),
            _ => {
                if !expect_name {
                    return err(column, "expected \".\" or \"[\"");
                }
                let start = i;
                while i < chars.len() && !matches!(chars[i], '.' | '[' | ']' | '"') && !chars[i].is_whitespace() {
                    if chars[i].is_control() {
                        return err(
                            i + 1,
                            format!("a control character (U+{:04X}) is not allowed in an address", chars[i] as u32),
                        );
                    }
                    i += 1;
                }
                tokens.push((Token::Name(chars[start..i].iter().collect()), column));
                expect_name = false;
            }
        }
    }
    Ok(tokens)
}

fn key_of(token: &Token) -> Option<Key> {
    match token {
        Token::Int(i) => Some(Key::Int(*i)),
        Token::Str(s) => Some(Key::Str(s.clone())),
        Token::Name(_) => None,
    }
}

/// Checks a Terraform identifier (type, name, module name).
fn identifier(token: Option<&(Token, usize)>, what: &str, end: usize) -> Result<String, ParseError> {
    match token {
        Some((Token::Name(n), col)) => {
            if is_identifier(n) {
                Ok(n.clone())
            } else {
                err(*col, format!("{} is not a valid {what}", crate::text::quote(n)))
            }
        }
        Some((_, col)) => err(*col, format!("expected a {what}")),
        None => err(end, format!("the address ends before the {what}")),
    }
}

impl Address {
    /// Parses an address with an optional attribute path.
    pub fn parse(text: &str) -> Result<Address, ParseError> {
        if text.is_empty() {
            return err(1, "the address is empty");
        }
        let tokens = tokenize(text)?;
        let end = text.chars().count() + 1;
        let mut pos = 0;
        if matches!(tokens.first(), Some((Token::Name(n), _)) if n == "output") {
            let name = identifier(tokens.get(1), "output name", end)?;
            let path = path_steps(&tokens[2..]);
            return Ok(Address::Output { name, path });
        }
        let module = module_steps(&tokens, &mut pos, end)?;
        let mut mode = Mode::Managed;
        if matches!(tokens.get(pos), Some((Token::Name(n), _)) if n == "data") {
            mode = Mode::Data;
            pos += 1;
        }
        let type_ = identifier(tokens.get(pos), "resource type", end)?;
        let name = identifier(tokens.get(pos + 1), "resource name", end)?;
        pos += 2;
        let key = tokens.get(pos).and_then(|(t, _)| key_of(t));
        if key.is_some() {
            pos += 1;
        }
        let path = path_steps(&tokens[pos..]);
        Ok(Address::Resource(ResourceAddress { module, mode, type_, name, key, path }))
    }
}

fn path_steps(tokens: &[(Token, usize)]) -> Vec<Step> {
    tokens
        .iter()
        .map(|(t, _)| match t {
            Token::Name(n) | Token::Str(n) => Step::Attr(n.clone()),
            Token::Int(i) => Step::Index(*i),
        })
        .collect()
}

/// Parses a module path as stored in state v4 (`module.a["x"].module.b`).
pub fn parse_module(text: &str) -> Result<Vec<ModuleStep>, ParseError> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let tokens = tokenize(text)?;
    let mut pos = 0;
    let module = module_steps(&tokens, &mut pos, text.chars().count() + 1)?;
    match tokens.get(pos) {
        None => Ok(module),
        Some((_, col)) => err(*col, "expected \"module\""),
    }
}

/// Reads `module.NAME[KEY]` steps from `tokens[*pos..]` while they last.
fn module_steps(tokens: &[(Token, usize)], pos: &mut usize, end: usize) -> Result<Vec<ModuleStep>, ParseError> {
    let mut module = Vec::new();
    while matches!(tokens.get(*pos), Some((Token::Name(n), _)) if n == "module") {
        let name = identifier(tokens.get(*pos + 1), "module name", end)?;
        *pos += 2;
        let key = tokens.get(*pos).and_then(|(t, _)| key_of(t));
        if key.is_some() {
            *pos += 1;
        }
        module.push(ModuleStep { name, key });
    }
    Ok(module)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(text: &str) -> ResourceAddress {
        match Address::parse(text).unwrap() {
            Address::Resource(r) => r,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_path_step_that_is_no_identifier_renders_after_a_dot_and_reads_back_the_same() {
        let a = Address::parse("aws_instance.web.a$b").unwrap();
        let Address::Resource(r) = &a else { panic!("{a:?}") };
        assert_eq!(format!("{}{}", r.instance(), path_string(&r.path)), "aws_instance.web.a$b");
        assert_eq!(Address::parse("aws_instance.web.a$b").unwrap(), a);
        assert_eq!(path_string(&[Step::Attr("a.b/c".into())]), "[\"a.b/c\"]");
    }

    #[test]
    fn string_keys_render_their_escapes_and_never_a_raw_control_character() {
        let key = Key::Str("a\"b\\c\nd\te\u{1b}".into());
        assert_eq!(key.to_string(), r#"["a\"b\\c\nd\te\u{1b}"]"#);
        let a = Address::parse(r#"t.n["x\ty"]"#).unwrap();
        let Address::Resource(r) = &a else { panic!("{a:?}") };
        assert_eq!(Address::parse(&r.instance()).unwrap(), a);
    }

    #[test]
    fn control_characters_are_refused_in_bare_names_too() {
        let e = Address::parse("l.e.\u{0}").unwrap_err();
        assert_eq!((e.column, e.problem.as_str()), (5, "a control character (U+0000) is not allowed in an address"));
    }

    #[test]
    fn output_with_path() {
        assert_eq!(
            Address::parse("output.dash-tuple[-1]").unwrap(),
            Address::Output { name: "dash-tuple".into(), path: vec![Step::Index(-1)] }
        );
    }

    #[test]
    fn module_chain_with_keys_and_data_source() {
        let r = res("module.a[\"x.y\"].module.b[2].data.aws_lb.app[\"dev1\"].name");
        assert_eq!(r.module_string(), "module.a[\"x.y\"].module.b[2]");
        assert_eq!(r.mode, Mode::Data);
        assert_eq!(r.type_, "aws_lb");
        assert_eq!(r.key, Some(Key::Str("dev1".into())));
        assert_eq!(r.path, vec![Step::Attr("name".into())]);
        assert_eq!(r.instance(), "module.a[\"x.y\"].module.b[2].data.aws_lb.app[\"dev1\"]");
    }

    #[test]
    fn quoted_keys_keep_dots_brackets_and_escapes() {
        let r = res(r#"aws_iam_user.users["foo.bar[0] \"q\""].tags["a.b/c"]"#);
        assert_eq!(r.key, Some(Key::Str("foo.bar[0] \"q\"".into())));
        assert_eq!(r.path, vec![Step::Attr("tags".into()), Step::Attr("a.b/c".into())]);
        assert_eq!(r.instance(), r#"aws_iam_user.users["foo.bar[0] \"q\""]"#);
    }

    #[test]
    fn deep_attribute_path() {
        let r = res("kubernetes_deployment_v1.web.spec[0].template[0].metadata[0].labels[\"app\"]");
        assert_eq!(r.key, None);
        assert_eq!(path_string(&r.path), ".spec[0].template[0].metadata[0].labels.app");
    }

    #[test]
    fn errors_name_the_column() {
        let cases = [
            ("", 1, "the address is empty"),
            ("aws_instance", 13, "the address ends before the resource name"),
            ("aws_instance.web.", 17, "the address ends with \".\""),
            ("aws_instance..web", 14, "unexpected \".\""),
            ("aws_instance.web[x]", 17, "an index is a whole number like [0] or a quoted key like [\"blue\"]"),
            ("aws_instance.web[\"x]", 17, "unterminated string key"),
            ("aws_instance.web x", 17, "white space is not allowed in an address"),
            ("module.1a.x.y", 8, "\"1a\" is not a valid module name"),
            ("[0].x", 1, "an address cannot start with \"[\""),
            ("output", 7, "the address ends before the output name"),
            (
                "x.y[\"a\n::error::b\"]",
                7,
                "a control character (U+000A) in a string key; write a line break as \\n and a tab as \\t",
            ),
        ];
        for (text, column, problem) in cases {
            let e = Address::parse(text).unwrap_err();
            assert_eq!((e.column, e.problem.as_str()), (column, problem), "{text}");
        }
    }

    #[test]
    fn module_strings_from_state_parse() {
        let m = parse_module("module.a[\"k\"].module.b").unwrap();
        assert_eq!(module_string(&m), "module.a[\"k\"].module.b");
        assert!(parse_module("").unwrap().is_empty());
        assert!(parse_module("modul.a").is_err());
    }

    impl ResourceAddress {
        fn module_string(&self) -> String {
            module_string(&self.module)
        }
    }
}
