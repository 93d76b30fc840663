//! The only door to the outside world: environment, files, standard streams, randomness, time.
//!
//! Inside wasm every call goes through the private `ffi` module to `js/host.js` (Node); a
//! JavaScript exception becomes a [`HostError`] here and no `JsValue` travels further. Built
//! natively (for `cargo test`, or a CLI tomorrow) the same API is served by `std`.

#[cfg(target_arch = "wasm32")]
mod ffi;
#[cfg(not(target_arch = "wasm32"))]
mod native;
mod tls;
#[cfg(target_arch = "wasm32")]
mod wasm;

pub use tls::{certificate, certificate_matches_key, Certificate, Tls, TlsFailure};

#[cfg(not(target_arch = "wasm32"))]
use native as imp;
#[cfg(target_arch = "wasm32")]
use wasm as imp;

use std::fmt;

/// A failed host call, with the OS error code when there is one (`ENOENT`, `EACCES`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostError {
    /// `ENOENT` and the like, or empty.
    pub code: String,
    /// The message as the host gave it.
    pub message: String,
}

impl std::error::Error for HostError {}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// What is at a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A named pipe: reading it waits for a writer, possibly forever.
    Fifo,
    /// A socket.
    Socket,
    /// A character device (`/dev/zero`, `/dev/urandom`, a terminal): endless, or interactive.
    CharDevice,
    /// A block device (a disk).
    BlockDevice,
    /// Anything else.
    Other,
}

impl Kind {
    /// What it is, for a message: "a FIFO (named pipe)".
    pub fn describe(self) -> &'static str {
        match self {
            Kind::File => "a regular file",
            Kind::Dir => "a directory",
            Kind::Fifo => "a FIFO (named pipe)",
            Kind::Socket => "a socket",
            Kind::CharDevice => "a character device",
            Kind::BlockDevice => "a block device",
            Kind::Other => "not a regular file",
        }
    }

    /// The kind `js/host.js` names (`fifo`, `char-device`, …).
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    fn from_name(name: &str) -> Kind {
        match name {
            "file" => Kind::File,
            "dir" => Kind::Dir,
            "fifo" => Kind::Fifo,
            "socket" => Kind::Socket,
            "char-device" => Kind::CharDevice,
            "block-device" => Kind::BlockDevice,
            _ => Kind::Other,
        }
    }
}

/// The code of a [`HostError`] for a path that is not a regular file (its message says what it is).
pub const NOT_REGULAR: &str = "ENOTREG";
/// The code of a [`HostError`] for a file, a response or a program's output over its limit.
pub const TOO_LARGE: &str = "EFBIG";
/// The code of a [`HostError`] for a request or a program that did not finish in time.
pub const TIMED_OUT: &str = "ETIMEDOUT";

/// At most this much of a response body is read; more is an error ([`TOO_LARGE`]).
pub const RESPONSE_LIMIT: u64 = 64 << 20;
/// At most this much of a program's standard output and error together is kept.
pub const PROCESS_OUTPUT_LIMIT: u64 = 64 << 20;
/// Same-origin redirects a GET or HEAD follows before its 3xx answer is returned as it is.
pub const MAX_REDIRECTS: usize = 5;

/// `n` bytes for a message: `512 bytes`, `1 MiB`, `2.5 GiB`.
pub fn format_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} bytes");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    let text = format!("{value:.1}");
    format!("{} {}", text.strip_suffix(".0").unwrap_or(&text), UNITS[unit])
}

/// The parts of `stat` this action uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metadata {
    /// File, directory or other.
    pub kind: Kind,
    /// Size in bytes.
    pub size: u64,
    /// Last modification, milliseconds since the Unix epoch.
    pub modified_ms: f64,
}

/// The value of an environment variable, if set.
pub fn env(name: &str) -> Option<String> {
    imp::env(name)
}

/// The names of the environment variables that start with `prefix` (Terraform's `TF_TOKEN_<host>`
/// variables, whose names hold the host).
pub fn env_names(prefix: &str) -> Vec<String> {
    imp::env_names(prefix)
}

/// Command-line arguments after the program (and script) name.
pub fn args() -> Vec<String> {
    imp::args()
}

/// The current directory.
pub fn cwd() -> Result<String, HostError> {
    imp::cwd()
}

/// What is at `path`; `Ok(None)` when nothing is.
pub fn stat(path: &str) -> Result<Option<Metadata>, HostError> {
    imp::stat(path)
}

/// `path` with every symbolic link resolved (`ENOENT` when nothing is there).
pub fn realpath(path: &str) -> Result<String, HostError> {
    imp::realpath(path)
}

/// The whole of a regular file of at most `limit` bytes, read straight into one buffer. Anything
/// else is refused before a byte is read: a FIFO, device or socket ([`NOT_REGULAR`]), a larger
/// file ([`TOO_LARGE`]).
pub fn read_file(path: &str, limit: u64) -> Result<Vec<u8>, HostError> {
    let (mut file, meta) = File::open(path, limit)?;
    let mut data = Vec::with_capacity(meta.size as usize + 1);
    if let Err(e) = std::io::Read::read_to_end(&mut file, &mut data) {
        return Err(file.take_error().unwrap_or(HostError { code: String::new(), message: e.to_string() }));
    }
    Ok(data)
}

/// A regular file open for reading, closed when dropped. Reads straight into the caller's
/// buffer, so a large file streams through a small window instead of being held whole; reading
/// past `limit` bytes (a file that grows while it is read) fails with [`TOO_LARGE`].
pub struct File {
    inner: imp::File,
    read: u64,
    limit: u64,
    /// The host error behind the last failed read, so it keeps its code through `std::io::Read`.
    error: Option<HostError>,
}

impl File {
    /// Opens `path` for reading when it is a regular file of at most `limit` bytes; returns it
    /// with its metadata, taken from the open file itself.
    pub fn open(path: &str, limit: u64) -> Result<(File, Metadata), HostError> {
        let (inner, meta) = imp::File::open(path)?;
        if meta.kind != Kind::File {
            return Err(HostError { code: NOT_REGULAR.into(), message: format!("is {}", meta.kind.describe()) });
        }
        if meta.size > limit {
            return Err(too_large(meta.size, limit));
        }
        Ok((File { inner, read: 0, limit, error: None }, meta))
    }

    /// Takes the host error behind the last failed read, with its code.
    pub fn take_error(&mut self) -> Option<HostError> {
        self.error.take()
    }
}

fn too_large(size: u64, limit: u64) -> HostError {
    HostError {
        code: TOO_LARGE.into(),
        message: format!("is {}, more than the {} this action reads", format_bytes(size), format_bytes(limit)),
    }
}

impl std::io::Read for File {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // One byte past the limit is enough to know the file grew beyond it.
        let room = (self.limit + 1 - self.read.min(self.limit + 1)).min(buf.len() as u64) as usize;
        let n = match self.inner.read(&mut buf[..room]) {
            Ok(n) => n,
            Err(e) => {
                let message = e.message.clone();
                self.error = Some(e);
                return Err(std::io::Error::other(message));
            }
        };
        self.read += n as u64;
        if self.read > self.limit {
            let e = too_large(self.read, self.limit);
            let message = e.message.clone();
            self.error = Some(e);
            return Err(std::io::Error::other(message));
        }
        Ok(n)
    }
}

/// The names in a directory, sorted.
pub fn read_dir(path: &str) -> Result<Vec<String>, HostError> {
    let mut names = imp::read_dir(path)?;
    names.sort();
    Ok(names)
}

/// Appends `data` to `path`, creating it if needed.
pub fn append_file(path: &str, data: &[u8]) -> Result<(), HostError> {
    imp::append_file(path, data)
}

/// Writes to standard output, all of it, before returning.
pub fn write_stdout(text: &str) -> Result<(), HostError> {
    imp::write_stdout(text)
}

/// Writes to standard error, all of it, before returning.
pub fn write_stderr(text: &str) -> Result<(), HostError> {
    imp::write_stderr(text)
}

/// A random UUID (v4) from a cryptographic source.
pub fn random_uuid() -> String {
    imp::random_uuid()
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> f64 {
    imp::now_ms()
}

/// How a process ended, and what it printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessOutput {
    /// The exit code; -1 when a signal ended it.
    pub status: i32,
    /// Standard output, as bytes.
    pub stdout: Vec<u8>,
    /// Standard error, as bytes.
    pub stderr: Vec<u8>,
}

/// Runs `program` with `args` in `cwd` (no shell), adding `env` to the environment, and waits
/// at most `timeout_ms`: then it is killed with every process it started, and the error has
/// code [`TIMED_OUT`]. A program that cannot be started (not installed) is an error with code
/// `ENOENT`; one that prints more than [`PROCESS_OUTPUT_LIMIT`] is killed ([`TOO_LARGE`]).
pub async fn run_process(
    program: &str,
    args: &[&str],
    cwd: &str,
    env: &[(&str, &str)],
    timeout_ms: u64,
) -> Result<ProcessOutput, HostError> {
    imp::run_process(program, args, cwd, env, timeout_ms).await
}

/// An HTTP request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// `GET`, `POST`, …
    pub method: String,
    /// The absolute URL.
    pub url: String,
    /// Header names and values.
    pub headers: Vec<(String, String)>,
    /// The body; empty for none.
    pub body: Vec<u8>,
    /// The whole exchange, body included, must end within this many milliseconds.
    pub timeout_ms: u64,
    /// `None`: the system's trust roots, no client certificate. `Some`: these trust roots and
    /// this client certificate; see [`http`].
    pub tls: Option<Tls>,
}

/// An HTTP response, whatever its status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Header names (lower case) and values.
    pub headers: Vec<(String, String)>,
    /// The body, as sent (no `Accept-Encoding` is sent, so it is not compressed).
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first value of the header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// `Last-Modified`, milliseconds since the epoch, when the server sent a valid one: when an
    /// object store last wrote the state (a clock that survives a checkout, unlike a file's).
    pub fn last_modified_ms(&self) -> Option<f64> {
        self.header("last-modified").and_then(crate::time::parse_http_date)
    }
}

/// Sends one HTTP request. Only transport failures, a time-out ([`TIMED_OUT`]) and a body over
/// [`RESPONSE_LIMIT`] ([`TOO_LARGE`]) are errors; any status is a response. A GET or HEAD follows
/// up to [`MAX_REDIRECTS`] redirects within the same origin (scheme, host and port), so headers
/// such as a token never reach another host; any other redirect, and every redirect of a write,
/// comes back as the 3xx response it is.
///
/// Inside wasm, every request is Node's `https` (`http` for an `http://` URL), with the [`Tls`]
/// settings' roots and client certificate when given. (Not `fetch`: loading it costs ~30 ms of
/// a run, and it cannot present a client certificate.) Bodies come uncompressed: no
/// `Accept-Encoding` is sent. A TLS
/// failure keeps Node's code (`CERT_HAS_EXPIRED`, `ERR_OSSL_X509_KEY_VALUES_MISMATCH`, …; see
/// [`TlsFailure`] and [`HostError::tls_failure`]) with a message that says what it means.
///
/// A native build speaks plain HTTP/1.1 over a TCP socket, without TLS (for tests against
/// loopback servers): an `https://` URL, or a client certificate, is an error with code `ENOTSUP`;
/// a CA certificate or `insecure` has nothing to do on plain HTTP, and is ignored, as in Node.
pub async fn http(mut request: HttpRequest) -> Result<HttpResponse, HostError> {
    let mut hops = 0;
    loop {
        let response = imp::http(&request).await.map_err(|e| tls::explain(&request, e))?;
        let redirect = (300..400).contains(&response.status) && matches!(request.method.as_str(), "GET" | "HEAD");
        let location = response.header("location");
        match location.filter(|_| redirect && hops < MAX_REDIRECTS).and_then(|l| same_origin(&request.url, l)) {
            Some(next) => {
                request.url = next;
                hops += 1;
            }
            None => return Ok(response),
        }
    }
}

/// The RS256 signature (RSASSA-PKCS1-v1_5, SHA-256) of `data` with the RSA private key `pem`
/// (PKCS#8 or PKCS#1 PEM): what a Google service-account key signs its JWT with. Inside wasm,
/// Node's `crypto.sign`; a native build has no RSA and fails with [`NOT_SUPPORTED`]. The error
/// never holds the key.
pub fn sign_rs256(pem: &str, data: &[u8]) -> Result<Vec<u8>, HostError> {
    imp::sign_rs256(pem, data)
}

/// `url` without its query and fragment, for messages: a query may carry a token or the
/// parameters of a token request.
pub fn without_query(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

/// `scheme://authority` of an absolute http(s) URL.
pub fn origin(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some(&url[..url.len() - rest.len() + end])
}

/// Where a redirect from `from` to `location` leads, when it stays on `from`'s origin.
fn same_origin(from: &str, location: &str) -> Option<String> {
    let base = origin(from)?;
    if location.starts_with('/') && !location.starts_with("//") {
        return Some(format!("{base}{location}"));
    }
    (origin(location)?.eq_ignore_ascii_case(base)).then(|| location.to_string())
}

/// Runs `op` (`open` or `workspaces`) for `backend` at `location` (JSON) in the cloud backends'
/// module, loaded the first time (src/backend/on_demand.rs): its answer (JSON) and the state's
/// bytes. Only the action's own module has it: natively, and inside that module, the backends
/// are called directly.
#[cfg(all(target_arch = "wasm32", not(feature = "cloud")))]
pub async fn on_demand(op: &str, backend: &str, location: &str) -> Result<(String, Vec<u8>), HostError> {
    imp::on_demand(op, backend, location).await
}

// ---- Sockets: a TCP connection, upgraded to TLS on demand (PostgreSQL's SSLRequest) ----

/// The code of a [`HostError`] for what this build of the host cannot do (TLS, natively).
pub const NOT_SUPPORTED: &str = "ENOTSUP";

/// How a TLS connection checks the server's certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verify {
    /// Not at all: encryption only (libpq's `sslmode=require`).
    Nothing,
    /// The chain, up to the given CA (or the system's), but not the name (`verify-ca`).
    Chain,
    /// The chain and that the certificate names [`TlsOptions::servername`] (`verify-full`).
    Full,
}

/// What [`Socket::start_tls`] needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsOptions {
    /// PEM certificates that replace the system's roots; `None` keeps the system's.
    pub ca: Option<String>,
    /// What is checked of the server's certificate.
    pub verify: Verify,
    /// The host name the certificate must name (and the SNI sent, unless an IP address).
    pub servername: String,
}

/// A TCP connection, closed when dropped. Every operation ends by the deadline set at
/// [`Socket::connect`] (its `timeout_ms` bounds the whole conversation, not each step), else fails
/// with [`TIMED_OUT`]. Inside wasm this is Node's `node:net` (and `node:tls` for
/// [`Socket::start_tls`]); a native build uses `std::net::TcpStream` and has no TLS
/// ([`NOT_SUPPORTED`]), which is enough to test a protocol against a loopback server.
pub struct Socket {
    inner: imp::Socket,
    deadline_ms: f64,
    timeout_ms: u64,
    /// What was connected to, for messages (`host:port`).
    peer: String,
}

impl Socket {
    /// Connects to `host:port`; the conversation must be over within `timeout_ms`.
    pub async fn connect(host: &str, port: u16, timeout_ms: u64) -> Result<Socket, HostError> {
        let deadline_ms = now_ms() + timeout_ms as f64;
        let peer = if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") };
        match imp::Socket::connect(host, port, timeout_ms).await {
            Ok(inner) => Ok(Socket { inner, deadline_ms, timeout_ms, peer }),
            Err(e) if e.code == TIMED_OUT => Err(late(&peer, timeout_ms)),
            Err(e) => Err(e),
        }
    }

    /// Milliseconds left before the deadline; none left is [`TIMED_OUT`].
    fn remaining(&self) -> Result<u64, HostError> {
        let left = self.deadline_ms - now_ms();
        if left < 1.0 {
            return Err(late(&self.peer, self.timeout_ms));
        }
        Ok(left as u64)
    }

    /// The host's time-out, named for the whole conversation.
    fn named(&self, e: HostError) -> HostError {
        if e.code == TIMED_OUT {
            late(&self.peer, self.timeout_ms)
        } else {
            e
        }
    }

    /// Upgrades the connection to TLS (Node's `tls.connect({ socket })`). Bytes that arrived
    /// before the upgrade and were not read are refused: they could only be injected by someone
    /// between the client and the server (CVE-2021-23222).
    pub async fn start_tls(&mut self, options: &TlsOptions) -> Result<(), HostError> {
        let left = self.remaining()?;
        let result = self.inner.start_tls(options, left).await;
        result.map_err(|e| self.named(e))
    }

    /// Writes all of `data`.
    pub async fn write(&mut self, data: &[u8]) -> Result<(), HostError> {
        let left = self.remaining()?;
        let result = self.inner.write(data, left).await;
        result.map_err(|e| self.named(e))
    }

    /// At least one and at most `max` bytes, as they arrive; empty when the peer closed.
    pub async fn read(&mut self, max: usize) -> Result<Vec<u8>, HostError> {
        let left = self.remaining()?;
        let result = self.inner.read(max, left).await;
        result.map_err(|e| self.named(e))
    }

    /// Closes the connection (dropping it does too).
    pub fn close(&mut self) {
        self.inner.close()
    }
}

/// The time-out of a conversation with `peer`.
fn late(peer: &str, timeout_ms: u64) -> HostError {
    HostError {
        code: TIMED_OUT.into(),
        message: format!("{peer} did not answer within {} s", timeout_ms as f64 / 1000.0),
    }
}

/// Tells the JavaScript entry that a panic was already reported, so it does not report the
/// resulting trap a second time.
pub fn mark_panicked() {
    imp::mark_panicked()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_is_found_by_name_in_any_case_its_first_value() {
        let r = HttpResponse {
            status: 200,
            headers: vec![("Content-MD5".into(), "a".into()), ("content-md5".into(), "b".into())],
            body: Vec::new(),
        };
        assert_eq!(r.header("content-md5"), Some("a"));
        assert_eq!(r.header("CONTENT-MD5"), Some("a"));
        assert_eq!(r.header("link"), None);
    }

    #[test]
    fn last_modified_is_read_only_when_it_is_an_http_date() {
        let with =
            |v: &str| HttpResponse { status: 200, headers: vec![("Last-Modified".into(), v.into())], body: Vec::new() };
        assert_eq!(with("Sun, 29 Nov 2026 12:23:08 GMT").last_modified_ms(), Some(1_795_954_988_000.0));
        assert_eq!(with("yesterday").last_modified_ms(), None);
        assert_eq!(HttpResponse { status: 200, headers: Vec::new(), body: Vec::new() }.last_modified_ms(), None);
    }

    #[test]
    fn redirects_are_followed_only_within_the_origin() {
        let from = "https://api.github.com/repos/a/b/tags?page=2";
        assert_eq!(
            same_origin(from, "/repositories/1/tags").as_deref(),
            Some("https://api.github.com/repositories/1/tags")
        );
        assert_eq!(same_origin(from, "https://API.github.com/x").as_deref(), Some("https://API.github.com/x"));
        for elsewhere in [
            "https://evil.example/x",
            "//evil.example/x",
            "http://api.github.com/x",
            "https://api.github.com:8443/x",
            "https://api.github.com.evil.example/x",
            "https://api.github.com@evil.example/x",
            "relative/path",
            "file:///etc/passwd",
        ] {
            assert_eq!(same_origin(from, elsewhere), None, "{elsewhere}");
        }
    }

    #[test]
    fn sizes_read_as_a_person_writes_them() {
        assert_eq!(format_bytes(512), "512 bytes");
        assert_eq!(format_bytes(1 << 20), "1 MiB");
        assert_eq!(format_bytes(256 << 20), "256 MiB");
        assert_eq!(format_bytes(2_500_000_000), "2.3 GiB");
    }
}
