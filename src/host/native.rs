//! The host API over `std`, for native builds (tests, a future CLI).

use std::io::Write;

use super::{HostError, HttpRequest, HttpResponse, Kind, Metadata, ProcessOutput};

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

pub fn args() -> Vec<String> {
    std::env::args().skip(1).collect()
}

pub fn cwd() -> Result<String, HostError> {
    Ok(std::env::current_dir().map_err(caught)?.to_string_lossy().into_owned())
}

pub fn stat(path: &str) -> Result<Option<Metadata>, HostError> {
    match std::fs::metadata(path) {
        Ok(m) => {
            let kind = if m.is_file() {
                Kind::File
            } else if m.is_dir() {
                Kind::Dir
            } else {
                Kind::Other
            };
            let modified_ms = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0.0, |d| d.as_secs_f64() * 1000.0);
            Ok(Some(Metadata { kind, size: m.len(), modified_ms }))
        }
        Err(e) if matches!(e.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory) => Ok(None),
        Err(e) => Err(caught(e)),
    }
}

pub fn read_file(path: &str) -> Result<Vec<u8>, HostError> {
    std::fs::read(path).map_err(caught)
}

pub struct File(std::fs::File);

impl File {
    pub fn open(path: &str) -> Result<File, HostError> {
        std::fs::File::open(path).map(File).map_err(caught)
    }

    pub fn read(&mut self, buf: &mut [u8]) -> Result<usize, HostError> {
        std::io::Read::read(&mut self.0, buf).map_err(caught)
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

pub fn run_process(program: &str, args: &[&str], cwd: &str, env: &[(&str, &str)]) -> Result<ProcessOutput, HostError> {
    let mut command = std::process::Command::new(program);
    command.args(args).envs(env.iter().copied());
    if !cwd.is_empty() {
        command.current_dir(cwd);
    }
    let out = command.output().map_err(caught)?;
    Ok(ProcessOutput { status: out.status.code().unwrap_or(-1), stdout: out.stdout, stderr: out.stderr })
}

/// A native build has no HTTP client: the action's HTTP goes through Node's fetch.
pub async fn http(request: HttpRequest) -> Result<HttpResponse, HostError> {
    Err(HostError {
        code: "ENOTSUP".into(),
        message: format!(
            "cannot {} {}: HTTP is available only inside the action (wasm under Node)",
            request.method, request.url
        ),
    })
}

/// A native build has no event loop to run background work on.
pub fn spawn(_future: std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>) -> Result<(), HostError> {
    Err(HostError {
        code: "ENOTSUP".into(),
        message: "background tasks run only inside the action (wasm under Node)".into(),
    })
}
