//! A JSON scanner over a byte stream, read in fixed-size chunks.
//!
//! It parses the few structural levels a lookup needs and skips everything else, checking only
//! what skipping has to: strings end, brackets match and nest at most [`MAX_DEPTH`] deep. What it
//! hands over (a captured value) is parsed in full by serde_json afterwards. Memory stays at one
//! chunk plus what is captured, whatever the size of the file, and each byte is looked at once.

use std::io::Read;

/// Bytes read per call: large enough that the host call is noise, small enough to stay in cache.
const CHUNK: usize = 1 << 20;

/// The nesting limit serde_json applies too; Terraform never comes near it.
pub const MAX_DEPTH: usize = 128;

/// What went wrong, and at which byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanError {
    /// Reading failed.
    Io(String),
    /// The text is not JSON at this point (1-based line and column).
    Syntax { line: u64, column: u64, problem: String },
    /// Nesting exceeds [`MAX_DEPTH`].
    TooDeep { line: u64, column: u64 },
}

type Result<T> = std::result::Result<T, ScanError>;

/// A chunked reader with the JSON primitives the state loader needs.
pub struct Scanner<R> {
    inner: R,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    /// Bytes before `buf[0]`.
    base: u64,
    /// Newlines seen, and the offset just after the last one: for error positions. Strings cannot
    /// hold a raw newline, so the loops that step over white space and brackets see them all.
    lines: u64,
    line_start: u64,
    eof: bool,
    /// Everything read, while recording (kept until the format version is known).
    record: Option<Vec<u8>>,
    /// Where the current capture started in `buf`, and what it holds from earlier chunks.
    capture_from: Option<usize>,
    captured: Vec<u8>,
}

impl<R: Read> Scanner<R> {
    /// A scanner that records everything it reads until [`Scanner::stop_recording`]. With the
    /// input's size, a small input gets a buffer of its own size rather than a whole chunk.
    pub fn new(inner: R, size_hint: Option<u64>) -> Self {
        let window = size_hint.map_or(CHUNK, |n| (n as usize).saturating_add(1).clamp(1, CHUNK));
        Scanner {
            inner,
            buf: vec![0; window],
            pos: 0,
            len: 0,
            base: 0,
            lines: 0,
            line_start: 0,
            eof: false,
            record: Some(Vec::new()),
            capture_from: None,
            captured: Vec::new(),
        }
    }

    /// Drops the recording: the loader knows it will not need the whole file.
    pub fn stop_recording(&mut self) {
        self.record = None;
    }

    /// Everything read so far, from the start (recording must be on); the reader, positioned
    /// just after it; and whether that is the end of the input.
    pub fn into_prefix(mut self) -> Result<(Vec<u8>, R, bool)> {
        let Some(mut all) = self.record.take() else {
            // The loader reads a file whole only before it knows it is version 4.
            return Err(ScanError::Io("internal error: the state was not kept while reading".into()));
        };
        all.extend_from_slice(&self.buf[..self.len]);
        Ok((all, self.inner, self.eof))
    }

    /// Reads the rest of the input and returns everything from the start (recording must be on).
    #[cfg(test)]
    pub fn into_whole(self) -> Result<Vec<u8>> {
        let (mut all, mut rest, _) = self.into_prefix()?;
        rest.read_to_end(&mut all).map_err(|e| ScanError::Io(e.to_string()))?;
        Ok(all)
    }

    /// Replaces the consumed chunk with the next one. Returns false at the end of input.
    fn refill(&mut self) -> Result<bool> {
        if self.eof {
            return Ok(false);
        }
        let old = &self.buf[..self.len];
        if let Some(r) = &mut self.record {
            r.extend_from_slice(old);
        }
        if let Some(from) = self.capture_from {
            self.captured.extend_from_slice(&old[from..]);
            self.capture_from = Some(0);
        }
        self.base += self.len as u64;
        self.pos = 0;
        self.len = 0;
        while self.len == 0 {
            match self.inner.read(&mut self.buf) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => self.len = n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(ScanError::Io(e.to_string())),
            }
        }
        Ok(true)
    }

    /// The next byte, not consumed; `None` at the end.
    #[inline]
    fn peek(&mut self) -> Result<Option<u8>> {
        if self.pos == self.len && !self.refill()? {
            return Ok(None);
        }
        Ok(Some(self.buf[self.pos]))
    }

    /// The line and column (1-based) of the next byte.
    fn position(&self) -> (u64, u64) {
        let offset = self.base + self.pos as u64;
        (self.lines + 1, offset - self.line_start + 1)
    }

    /// Notes a newline at `buf[i]`.
    #[inline]
    fn newline(&mut self, i: usize) {
        self.lines += 1;
        self.line_start = self.base + i as u64 + 1;
    }

    /// A syntax error at the next byte.
    pub fn fail(&self, problem: impl Into<String>) -> ScanError {
        let (line, column) = self.position();
        ScanError::Syntax { line, column, problem: problem.into() }
    }

    /// [`Scanner::fail`] as a result.
    pub fn error<T>(&self, problem: impl Into<String>) -> Result<T> {
        Err(self.fail(problem))
    }

    fn too_deep<T>(&self) -> Result<T> {
        let (line, column) = self.position();
        Err(ScanError::TooDeep { line, column })
    }

    /// Skips white space; returns the next byte (not consumed).
    pub fn skip_ws(&mut self) -> Result<Option<u8>> {
        loop {
            while self.pos < self.len {
                match self.buf[self.pos] {
                    b' ' | b'\r' | b'\t' => self.pos += 1,
                    b'\n' => {
                        self.newline(self.pos);
                        self.pos += 1;
                    }
                    b => return Ok(Some(b)),
                }
            }
            if !self.refill()? {
                return Ok(None);
            }
        }
    }

    /// Consumes `byte` after white space, or fails saying what was expected.
    pub fn expect(&mut self, byte: u8, what: &str) -> Result<()> {
        match self.skip_ws()? {
            Some(b) if b == byte => {
                self.pos += 1;
                Ok(())
            }
            Some(_) => self.error(format!("expected {what}")),
            None => self.error(format!("the file ends where {what} was expected")),
        }
    }

    /// Skips a byte order mark at the very start.
    pub fn skip_bom(&mut self) -> Result<()> {
        if self.peek()? == Some(0xEF) && self.buf[self.pos..self.len].starts_with(&[0xEF, 0xBB, 0xBF]) {
            self.pos += 3;
        }
        Ok(())
    }

    /// Whether anything but white space is left.
    pub fn at_end(&mut self) -> Result<bool> {
        Ok(self.skip_ws()?.is_none())
    }

    /// Iterates the members of an object: `each(self, key)` must consume the value.
    pub fn object(&mut self, depth: usize, mut each: impl FnMut(&mut Self, String) -> Result<()>) -> Result<()> {
        if depth >= MAX_DEPTH {
            return self.too_deep();
        }
        self.expect(b'{', "\"{\"")?;
        if self.skip_ws()? == Some(b'}') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            if self.skip_ws()? != Some(b'"') {
                return self.error("expected a quoted key");
            }
            let key = self.string()?;
            self.expect(b':', "\":\" after a key")?;
            self.skip_ws()?;
            each(self, key)?;
            match self.skip_ws()? {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(_) => return self.error("expected \",\" or \"}\""),
                None => return self.error("the file ends inside an object"),
            }
        }
    }

    /// Iterates the elements of an array: `each(self)` must consume the element.
    pub fn array(&mut self, depth: usize, mut each: impl FnMut(&mut Self) -> Result<()>) -> Result<()> {
        if depth >= MAX_DEPTH {
            return self.too_deep();
        }
        self.expect(b'[', "\"[\"")?;
        if self.skip_ws()? == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.skip_ws()?;
            each(self)?;
            match self.skip_ws()? {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(_) => return self.error("expected \",\" or \"]\""),
                None => return self.error("the file ends inside an array"),
            }
        }
    }

    /// Whether the next value is `null` (consumed if so).
    pub fn null(&mut self) -> Result<bool> {
        if self.skip_ws()? == Some(b'n') {
            let raw = self.capture(0)?;
            if raw != "null" {
                return self.error(format!("unexpected \"{raw}\""));
            }
            return Ok(true);
        }
        Ok(false)
    }

    /// A string value, decoded.
    pub fn string(&mut self) -> Result<String> {
        if self.skip_ws()? != Some(b'"') {
            return self.error("expected a string");
        }
        let raw = self.capture(0)?;
        serde_json::from_str(&raw).or_else(|e| self.error(format!("bad string: {e}")))
    }

    /// The next value's JSON text, as written.
    pub fn capture(&mut self, depth: usize) -> Result<String> {
        self.skip_ws()?;
        self.capture_from = Some(self.pos);
        self.captured.clear();
        let skipped = self.skip(depth);
        let from = self.capture_from.take().unwrap_or(0);
        skipped?;
        let mut bytes = std::mem::take(&mut self.captured);
        bytes.extend_from_slice(&self.buf[from..self.pos]);
        match String::from_utf8(bytes) {
            Ok(s) => Ok(s),
            Err(_) => self.error("the value is not UTF-8 text"),
        }
    }

    /// Skips the next value, whatever it is.
    pub fn skip(&mut self, depth: usize) -> Result<()> {
        match self.skip_ws()? {
            None => self.error("the file ends where a value was expected"),
            Some(b'"') => {
                self.pos += 1;
                self.skip_string_body()
            }
            Some(b'{' | b'[') => self.skip_container(depth),
            Some(b'}' | b']' | b',' | b':') => self.error("expected a value"),
            Some(_) => self.skip_scalar(),
        }
    }

    /// Skips a number or literal: everything up to the next delimiter.
    fn skip_scalar(&mut self) -> Result<()> {
        let mut n = 0;
        loop {
            while self.pos < self.len {
                match self.buf[self.pos] {
                    b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t' => return Ok(()),
                    b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E' | b'a'..=b'z' => {
                        self.pos += 1;
                        n += 1;
                    }
                    _ if n == 0 => return self.error("expected a value"),
                    _ => return self.error("unexpected character after a value"),
                }
            }
            if !self.refill()? {
                return Ok(());
            }
        }
    }

    /// Skips to just past the closing quote; the opening quote is consumed.
    fn skip_string_body(&mut self) -> Result<()> {
        loop {
            // Most strings in a state are short: a plain loop beats a vectorized search's set-up.
            let rest = &self.buf[self.pos..self.len];
            match rest.iter().position(|&b| b == b'"' || b == b'\\') {
                Some(i) => {
                    self.pos += i;
                    if self.buf[self.pos] == b'"' {
                        self.pos += 1;
                        return Ok(());
                    }
                    // A backslash: skip it and the byte it escapes (which may be in the next chunk).
                    self.pos += 1;
                    if self.pos == self.len && !self.refill()? {
                        return self.error("the file ends inside a string");
                    }
                    self.pos += 1;
                }
                None => {
                    self.pos = self.len;
                    if !self.refill()? {
                        return self.error("the file ends inside a string");
                    }
                }
            }
        }
    }

    /// Skips an object or array, checking that brackets match and nest at most MAX_DEPTH deep.
    ///
    /// The hottest loop of a lookup: it walks every byte of every resource that is not asked
    /// for. It works on locals and writes its position back only when it leaves, so the
    /// compiler keeps them in registers (in wasm too).
    fn skip_container(&mut self, depth: usize) -> Result<()> {
        // Bit i of `kinds` is set when level i (relative) is an object; the limit keeps i < 128.
        let mut kinds: u128 = 0;
        let mut level = 0usize;
        let room = MAX_DEPTH.saturating_sub(depth);
        let mut in_string = false;
        let mut escaped = false;
        loop {
            let (len, base) = (self.len, self.base);
            let mut i = self.pos;
            let (mut lines, mut line_start) = (self.lines, self.line_start);
            let mut done = None;
            {
                let buf = &self.buf[..len];
                'bytes: while i < len {
                    if in_string {
                        if escaped {
                            escaped = false;
                            i += 1;
                        }
                        while i < len {
                            let b = buf[i];
                            i += 1;
                            if b == b'"' {
                                in_string = false;
                                continue 'bytes;
                            }
                            if b == b'\\' {
                                if i < len {
                                    i += 1;
                                } else {
                                    escaped = true;
                                }
                            }
                        }
                        break;
                    }
                    let b = buf[i];
                    i += 1;
                    if !STRUCTURAL[b as usize] {
                        continue;
                    }
                    match b {
                        b'\n' => {
                            lines += 1;
                            line_start = base + i as u64;
                            // Indentation is most of a pretty-printed state: step over it eight
                            // spaces at a time.
                            while i + 8 <= len && buf[i..i + 8] == [b' '; 8] {
                                i += 8;
                            }
                        }
                        b'"' => in_string = true,
                        b'{' | b'[' => {
                            if level >= room {
                                done = Some(Err(Fault::TooDeep));
                                i -= 1;
                                break;
                            }
                            if b == b'{' {
                                kinds |= 1 << level;
                            } else {
                                kinds &= !(1 << level);
                            }
                            level += 1;
                        }
                        _ => {
                            // } or ]
                            if level == 0 {
                                done = Some(Err(Fault::Unbalanced("unexpected closing bracket")));
                                i -= 1;
                                break;
                            }
                            level -= 1;
                            if (kinds & (1 << level) != 0) != (b == b'}') {
                                done = Some(Err(Fault::Unbalanced("mismatched closing bracket")));
                                i -= 1;
                                break;
                            }
                            if level == 0 {
                                done = Some(Ok(()));
                                break;
                            }
                        }
                    }
                }
            }
            self.pos = i;
            self.lines = lines;
            self.line_start = line_start;
            match done {
                Some(Ok(())) => return Ok(()),
                Some(Err(Fault::TooDeep)) => return self.too_deep(),
                Some(Err(Fault::Unbalanced(problem))) => return self.error(problem),
                None => {}
            }
            if !self.refill()? {
                let what =
                    if in_string { "the file ends inside a string" } else { "the file ends inside an object or array" };
                return self.error(what);
            }
        }
    }
}

/// Why `skip_container` stopped short.
enum Fault {
    TooDeep,
    Unbalanced(&'static str),
}

/// The bytes `skip_container` acts on; everything else it steps over.
static STRUCTURAL: [bool; 256] = {
    let mut t = [false; 256];
    t[b'"' as usize] = true;
    t[b'{' as usize] = true;
    t[b'}' as usize] = true;
    t[b'[' as usize] = true;
    t[b']' as usize] = true;
    t[b'\n' as usize] = true;
    t
};

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out `step` bytes per call, to cross chunk boundaries everywhere.
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

    fn captured(text: &str, step: usize) -> Result<Vec<(String, String)>> {
        let mut s = Scanner::new(Trickle { data: text.as_bytes(), step }, None);
        let mut out = Vec::new();
        s.object(0, |s, key| {
            out.push((key, s.capture(1)?));
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn captures_values_exactly_across_any_chunking() {
        let text = r#"{"a": "x\"y\\", "b" : [1, {"c": "]}"}, [] ], "é\n": -1.5e3, "d": null, "e": {}}"#;
        for step in 1..8 {
            assert_eq!(
                captured(text, step).unwrap(),
                vec![
                    ("a".into(), r#""x\"y\\""#.into()),
                    ("b".into(), r#"[1, {"c": "]}"}, [] ]"#.into()),
                    ("é\n".into(), "-1.5e3".into()),
                    ("d".into(), "null".into()),
                    ("e".into(), "{}".into()),
                ],
                "step {step}"
            );
        }
    }

    #[test]
    fn structural_errors_say_where() {
        let cases = [
            ("{\"a\": [1, 2}", "mismatched closing bracket", 1, 12),
            ("{\"a\": \"x", "the file ends inside a string", 1, 9),
            ("{\"a\" 1}", "expected \":\" after a key", 1, 6),
            ("{\"a\": 1 \"b\": 2}", "expected \",\" or \"}\"", 1, 9),
            ("{\n  \"a\": [\n    1,\n", "the file ends inside an object or array", 4, 1),
            ("{a: 1}", "expected a quoted key", 1, 2),
        ];
        for (text, want, want_line, want_column) in cases {
            for step in [1, 3, 1000] {
                match captured(text, step) {
                    Err(ScanError::Syntax { problem, line, column, .. }) => {
                        assert_eq!(
                            (problem.as_str(), line, column),
                            (want, want_line, want_column),
                            "{text} step {step}"
                        )
                    }
                    other => panic!("{text}: {other:?}"),
                }
            }
        }
    }

    #[test]
    fn nesting_beyond_the_limit_is_refused_without_recursion() {
        let text = format!("{{\"a\": {}{}}}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(captured(&text, 4096), Err(ScanError::TooDeep { line: 1, column: 134 }));
        let ok = format!("{{\"a\": {}{}}}", "[".repeat(127), "]".repeat(127));
        assert!(captured(&ok, 4096).is_ok());
    }

    #[test]
    fn recording_returns_the_whole_input() {
        let text = "{\"version\": 3, \"x\": [1,2,3]}";
        let mut s = Scanner::new(Trickle { data: text.as_bytes(), step: 5 }, Some(3));
        s.expect(b'{', "{").unwrap();
        assert_eq!(s.string().unwrap(), "version");
        assert_eq!(s.into_whole().unwrap(), text.as_bytes());
    }
}
