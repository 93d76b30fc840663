//! The only door to the outside world: environment, files, standard streams, randomness, time.
//!
//! Inside wasm every call goes through the private `ffi` module to `js/host.js` (Node); a
//! JavaScript exception becomes a [`HostError`] here and no `JsValue` travels further. Built
//! natively (for `cargo test`, or a CLI tomorrow) the same API is served by `std`.

#[cfg(target_arch = "wasm32")]
mod ffi;
#[cfg(not(target_arch = "wasm32"))]
mod native;
#[cfg(target_arch = "wasm32")]
mod wasm;

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
    /// A socket, device or the like.
    Other,
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

/// The whole file, read straight into one buffer.
pub fn read_file(path: &str) -> Result<Vec<u8>, HostError> {
    imp::read_file(path)
}

/// A file open for reading, closed when dropped. Reads straight into the caller's buffer, so a
/// large file streams through a small window instead of being held whole.
pub struct File {
    inner: imp::File,
}

impl File {
    /// Opens `path` for reading.
    pub fn open(path: &str) -> Result<File, HostError> {
        Ok(File { inner: imp::File::open(path)? })
    }
}

impl std::io::Read for File {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf).map_err(|e| std::io::Error::other(e.message))
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

/// Runs `program` with `args` in `cwd` (no shell), adding `env` to the environment, and waits.
/// A program that cannot be started (not installed) is an error with code `ENOENT`.
pub fn run_process(program: &str, args: &[&str], cwd: &str, env: &[(&str, &str)]) -> Result<ProcessOutput, HostError> {
    imp::run_process(program, args, cwd, env)
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
}

/// An HTTP response, whatever its status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Header names (lower case) and values.
    pub headers: Vec<(String, String)>,
    /// The body, decompressed.
    pub body: Vec<u8>,
}

/// Sends one HTTP request (redirects followed). Only transport failures are errors; any status
/// is a response. Inside wasm this is Node's `fetch`; a native build has no HTTP client and says so.
pub async fn http(request: HttpRequest) -> Result<HttpResponse, HostError> {
    imp::http(request).await
}

/// Runs a future to completion on the host's event loop, in the background.
pub fn spawn(future: std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>) -> Result<(), HostError> {
    imp::spawn(future)
}

/// Tells the JavaScript entry that a panic was already reported, so it does not report the
/// resulting trap a second time.
pub fn mark_panicked() {
    imp::mark_panicked()
}
