//! The host API over Node, through `ffi`.

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};

use super::{
    ffi, Certificate, HostError, HttpRequest, HttpResponse, Kind, Metadata, ProcessOutput, TlsOptions, Verify,
};

/// Turns a thrown JavaScript value (usually a Node `Error` with a `code`) into a `HostError`.
fn caught(e: JsValue) -> HostError {
    let code = Reflect::get(&e, &JsValue::from_str("code")).ok().and_then(|c| c.as_string()).unwrap_or_default();
    let message = match e.dyn_ref::<js_sys::Error>() {
        Some(err) => String::from(err.message()),
        None => e.as_string().unwrap_or_else(|| format!("{e:?}")),
    };
    HostError { code, message }
}

fn field(obj: &JsValue, name: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

pub fn env(name: &str) -> Option<String> {
    ffi::env_get(name)
}

pub fn env_names(prefix: &str) -> Vec<String> {
    ffi::env_names(prefix).iter().filter_map(|v| v.as_string()).collect()
}

pub fn args() -> Vec<String> {
    ffi::args().iter().filter_map(|v| v.as_string()).collect()
}

pub fn cwd() -> Result<String, HostError> {
    ffi::cwd().map_err(caught)
}

pub fn stat(path: &str) -> Result<Option<Metadata>, HostError> {
    let s = ffi::stat(path).map_err(caught)?;
    if s.is_null() || s.is_undefined() {
        return Ok(None);
    }
    Ok(Some(metadata(&s)))
}

fn metadata(s: &JsValue) -> Metadata {
    Metadata {
        kind: Kind::from_name(&field(s, "kind").as_string().unwrap_or_default()),
        size: field(s, "size").as_f64().unwrap_or(0.0) as u64,
        modified_ms: field(s, "mtime_ms").as_f64().unwrap_or(0.0),
    }
}

pub fn realpath(path: &str) -> Result<String, HostError> {
    ffi::realpath(path).map_err(caught)
}

/// An open file descriptor and the position of the next read.
pub struct File {
    fd: f64,
    position: f64,
}

impl File {
    /// Opens a regular file; anything else is not opened, and comes back with fd -1 and its kind.
    pub fn open(path: &str) -> Result<(File, Metadata), HostError> {
        let opened = ffi::open_regular(path).map_err(caught)?;
        let meta = metadata(&opened);
        let fd = field(&opened, "fd").as_f64().unwrap_or(-1.0);
        // A File with fd -1 is never read; dropping it closes nothing.
        Ok((File { fd, position: 0.0 }, meta))
    }

    pub fn read(&mut self, buf: &mut [u8]) -> Result<usize, HostError> {
        if buf.is_empty() {
            return Ok(0);
        }
        let n = ffi::read_into(self.fd, buf, self.position).map_err(caught)? as usize;
        self.position += n as f64;
        Ok(n)
    }
}

impl Drop for File {
    fn drop(&mut self) {
        if self.fd >= 0.0 {
            let _ = ffi::close(self.fd);
        }
    }
}

pub fn read_dir(path: &str) -> Result<Vec<String>, HostError> {
    Ok(ffi::read_dir(path).map_err(caught)?.iter().filter_map(|v| v.as_string()).collect())
}

pub fn append_file(path: &str, data: &[u8]) -> Result<(), HostError> {
    ffi::append_file(path, data).map_err(caught)
}

pub fn write_stdout(text: &str) -> Result<(), HostError> {
    ffi::write_stdout(text).map_err(caught)
}

pub fn write_stderr(text: &str) -> Result<(), HostError> {
    ffi::write_stderr(text).map_err(caught)
}

pub fn random_uuid() -> String {
    ffi::random_uuid()
}

pub fn now_ms() -> f64 {
    ffi::now_ms()
}

pub fn mark_panicked() {
    ffi::mark_panicked()
}

fn bytes_field(obj: &JsValue, name: &str) -> Vec<u8> {
    let v = field(obj, name);
    if v.is_undefined() || v.is_null() {
        Vec::new()
    } else {
        js_sys::Uint8Array::new(&v).to_vec()
    }
}

fn flat_pairs(pairs: &[(&str, &str)]) -> Vec<String> {
    pairs.iter().flat_map(|(k, v)| [k.to_string(), v.to_string()]).collect()
}

pub async fn run_process(
    program: &str,
    args: &[&str],
    cwd: &str,
    env: &[(&str, &str)],
    timeout_ms: u64,
) -> Result<ProcessOutput, HostError> {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let limit = super::PROCESS_OUTPUT_LIMIT as f64;
    let r = ffi::run_process(program, args, cwd, flat_pairs(env), timeout_ms as f64, limit).await.map_err(caught)?;
    Ok(ProcessOutput {
        status: field(&r, "status").as_f64().unwrap_or(-1.0) as i32,
        stdout: bytes_field(&r, "stdout"),
        stderr: bytes_field(&r, "stderr"),
    })
}

pub async fn http(request: &HttpRequest) -> Result<HttpResponse, HostError> {
    let headers: Vec<String> = request.headers.iter().flat_map(|(k, v)| [k.clone(), v.clone()]).collect();
    let limit = super::RESPONSE_LIMIT as f64;
    let timeout_ms = request.timeout_ms as f64;
    let tls = request.tls.as_ref();
    let r = ffi::http_request(
        &request.method,
        &request.url,
        headers,
        &request.body,
        timeout_ms,
        limit,
        tls.and_then(|t| t.ca.clone()),
        tls.and_then(|t| t.cert.clone()),
        tls.and_then(|t| t.key.clone()),
        tls.is_some_and(|t| t.insecure),
    )
    .await
    .map_err(caught)?;
    let flat: Vec<String> = js_sys::Array::from(&field(&r, "headers")).iter().filter_map(|v| v.as_string()).collect();
    Ok(HttpResponse {
        status: field(&r, "status").as_f64().unwrap_or(0.0) as u16,
        headers: flat.chunks(2).filter(|p| p.len() == 2).map(|p| (p[0].clone(), p[1].clone())).collect(),
        body: bytes_field(&r, "body"),
    })
}

pub fn certificate(pem: &str) -> Result<Certificate, HostError> {
    let c = ffi::x509(pem).map_err(caught)?;
    Ok(Certificate {
        subject: field(&c, "subject").as_string().unwrap_or_default(),
        not_before_ms: field(&c, "not_before_ms").as_f64().unwrap_or(f64::NAN),
        not_after_ms: field(&c, "not_after_ms").as_f64().unwrap_or(f64::NAN),
    })
}

pub fn certificate_matches_key(cert: &str, key: &str) -> Result<bool, HostError> {
    ffi::x509_matches_key(cert, key).map_err(caught)
}

#[cfg(not(feature = "cloud"))]
pub async fn on_demand(op: &str, backend: &str, location: &str) -> Result<(String, Vec<u8>), HostError> {
    let r = ffi::on_demand(op, backend, location).await.map_err(caught)?;
    Ok((field(&r, "answer").as_string().unwrap_or_default(), bytes_field(&r, "body")))
}

pub fn sign_rs256(pem: &str, data: &[u8]) -> Result<Vec<u8>, HostError> {
    ffi::sign_rs256(pem, data).map(|a| a.to_vec()).map_err(caught)
}

/// A socket `js/host.js` keeps under an id; closed (and forgotten there) when dropped.
pub struct Socket {
    id: f64,
}

impl Socket {
    pub async fn connect(host: &str, port: u16, timeout_ms: u64) -> Result<Socket, HostError> {
        let id = ffi::socket_connect(host, port as f64, timeout_ms as f64).await.map_err(caught)?;
        Ok(Socket { id: id.as_f64().unwrap_or(-1.0) })
    }

    pub async fn start_tls(&mut self, options: &TlsOptions, timeout_ms: u64) -> Result<(), HostError> {
        let verify = match options.verify {
            Verify::Nothing => "none",
            Verify::Chain => "chain",
            Verify::Full => "full",
        };
        ffi::socket_start_tls(self.id, options.ca.clone(), verify, &options.servername, timeout_ms as f64)
            .await
            .map_err(caught)?;
        Ok(())
    }

    pub async fn write(&mut self, data: &[u8], timeout_ms: u64) -> Result<(), HostError> {
        ffi::socket_write(self.id, data, timeout_ms as f64).await.map_err(caught)?;
        Ok(())
    }

    pub async fn read(&mut self, max: usize, timeout_ms: u64) -> Result<Vec<u8>, HostError> {
        let chunk = ffi::socket_read(self.id, max as f64, timeout_ms as f64).await.map_err(caught)?;
        Ok(js_sys::Uint8Array::new(&chunk).to_vec())
    }

    pub fn close(&mut self) {
        ffi::socket_close(self.id)
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        ffi::socket_close(self.id)
    }
}
