//! The host API over `std`, for native builds (tests, a future CLI).

mod http;
mod socket;

use std::io::Write;

use super::{Certificate, HostError, HttpRequest, HttpResponse, Kind, Metadata, ProcessOutput};
pub use socket::Socket;

fn caught(e: std::io::Error) -> HostError {
    let code = match e.kind() {
        std::io::ErrorKind::NotFound => "ENOENT",
        std::io::ErrorKind::PermissionDenied => "EACCES",
        std::io::ErrorKind::IsADirectory => "EISDIR",
        std::io::ErrorKind::NotADirectory => "ENOTDIR",
        _ => "",
    };
    HostError { code: code.to_string(), message: e.to_string() }
}

pub fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

pub fn env_names(prefix: &str) -> Vec<String> {
    std::env::vars_os().filter_map(|(n, _)| n.into_string().ok()).filter(|n| n.starts_with(prefix)).collect()
}

pub fn args() -> Vec<String> {
    std::env::args().skip(1).collect()
}

pub fn cwd() -> Result<String, HostError> {
    Ok(std::env::current_dir().map_err(caught)?.to_string_lossy().into_owned())
}

pub fn stat(path: &str) -> Result<Option<Metadata>, HostError> {
    match std::fs::metadata(path) {
        Ok(m) => Ok(Some(metadata(&m))),
        Err(e) if matches!(e.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory) => Ok(None),
        Err(e) => Err(caught(e)),
    }
}

fn metadata(m: &std::fs::Metadata) -> Metadata {
    use std::os::unix::fs::FileTypeExt;
    let t = m.file_type();
    let kind = if t.is_file() {
        Kind::File
    } else if t.is_dir() {
        Kind::Dir
    } else if t.is_fifo() {
        Kind::Fifo
    } else if t.is_socket() {
        Kind::Socket
    } else if t.is_char_device() {
        Kind::CharDevice
    } else if t.is_block_device() {
        Kind::BlockDevice
    } else {
        Kind::Other
    };
    let modified_ms = m
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    Metadata { kind, size: m.len(), modified_ms }
}

pub fn realpath(path: &str) -> Result<String, HostError> {
    Ok(std::fs::canonicalize(path).map_err(caught)?.to_string_lossy().into_owned())
}

pub struct File(Option<std::fs::File>);

impl File {
    /// Opens without waiting for a FIFO's writer, and returns a non-regular file unopened.
    pub fn open(path: &str) -> Result<(File, Metadata), HostError> {
        use std::os::unix::fs::OpenOptionsExt;
        const O_NONBLOCK: i32 = 0o4000; // Linux
        let file = std::fs::OpenOptions::new().read(true).custom_flags(O_NONBLOCK).open(path).map_err(caught)?;
        let meta = metadata(&file.metadata().map_err(caught)?);
        let file = (meta.kind == Kind::File).then_some(file);
        Ok((File(file), meta))
    }

    pub fn read(&mut self, buf: &mut [u8]) -> Result<usize, HostError> {
        match &mut self.0 {
            Some(f) => std::io::Read::read(f, buf).map_err(caught),
            None => Ok(0),
        }
    }
}

pub fn read_dir(path: &str) -> Result<Vec<String>, HostError> {
    std::fs::read_dir(path)
        .map_err(caught)?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()).map_err(caught))
        .collect()
}

pub fn append_file(path: &str, data: &[u8]) -> Result<(), HostError> {
    let mut f = std::fs::OpenOptions::new().append(true).create(true).open(path).map_err(caught)?;
    f.write_all(data).map_err(caught)
}

pub fn write_stdout(text: &str) -> Result<(), HostError> {
    std::io::stdout().write_all(text.as_bytes()).map_err(caught)
}

pub fn write_stderr(text: &str) -> Result<(), HostError> {
    std::io::stderr().write_all(text.as_bytes()).map_err(caught)
}

/// Not cryptographic: native builds use it only in tests, where the delimiter need not be secret.
pub fn random_uuid() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut parts = [0u64; 2];
    for p in &mut parts {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos());
        *p = h.finish();
    }
    let hex = format!("{:016x}{:016x}", parts[0], parts[1]);
    format!("{}-{}-4{}-a{}-{}", &hex[0..8], &hex[8..12], &hex[13..16], &hex[17..20], &hex[20..32])
}

pub fn now_ms() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

pub fn mark_panicked() {}

/// Natively (tests), the time-out kills the program itself; the wasm host kills its whole group.
pub async fn run_process(
    program: &str,
    args: &[&str],
    cwd: &str,
    env: &[(&str, &str)],
    timeout_ms: u64,
) -> Result<ProcessOutput, HostError> {
    use std::io::Read;
    use std::process::Stdio;
    let mut command = std::process::Command::new(program);
    command.args(args).envs(env.iter().copied()).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    if !cwd.is_empty() {
        command.current_dir(cwd);
    }
    let mut child = command.spawn().map_err(caught)?;
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = pipe.read_to_end(&mut buf);
            buf
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("piped")));
    let stderr = drain(Box::new(child.stderr.take().expect("piped")));
    let deadline = std::time::Instant::now() + std::time::Duration::from_millis(timeout_ms);
    let status = loop {
        if let Some(status) = child.try_wait().map_err(caught)? {
            break status;
        }
        if std::time::Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(HostError {
                code: super::TIMED_OUT.into(),
                message: format!("{program} did not finish within {} s", timeout_ms as f64 / 1000.0),
            });
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    let (stdout, stderr) = (stdout.join().unwrap_or_default(), stderr.join().unwrap_or_default());
    Ok(ProcessOutput { status: status.code().unwrap_or(-1), stdout, stderr })
}

/// Plain HTTP/1.1 over a TCP socket (no TLS: the shipped action's HTTP is Node's `https`).
/// Blocking: the future is ready when first polled.
pub async fn http(request: &HttpRequest) -> Result<HttpResponse, HostError> {
    http::send(request)
}

/// Natively there is no RSA signer (the shipped action asks Node's `node:crypto`).
pub fn sign_rs256(_pem: &str, _data: &[u8]) -> Result<Vec<u8>, HostError> {
    Err(HostError {
        code: "ENOTSUP".into(),
        message: "a native build cannot sign with RSA (the action's host is Node's node:crypto)".into(),
    })
}

/// Natively there is no X.509 parser (the shipped action asks Node's `node:crypto`).
pub fn certificate(_pem: &str) -> Result<Certificate, HostError> {
    Err(HostError {
        code: "ENOTSUP".into(),
        message: "a native build cannot read certificates (the action's host is Node's node:crypto)".into(),
    })
}

/// Natively there is no X.509 parser (the shipped action asks Node's `node:crypto`).
pub fn certificate_matches_key(_cert: &str, _key: &str) -> Result<bool, HostError> {
    Err(HostError {
        code: "ENOTSUP".into(),
        message: "a native build cannot read certificates (the action's host is Node's node:crypto)".into(),
    })
}
