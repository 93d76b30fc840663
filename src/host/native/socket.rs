//! TCP sockets over `std::net`, for native builds (tests against a loopback server). Blocking:
//! each future is ready when first polled. No TLS: [`Socket::start_tls`] is `ENOTSUP`.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::time::Duration;

use crate::host::{HostError, TlsOptions, NOT_SUPPORTED, TIMED_OUT};

/// An open TCP stream; `None` once closed.
pub struct Socket(Option<TcpStream>);

/// A socket error with the code Node would give it (`ECONNREFUSED`, `ETIMEDOUT`, …).
fn caught(e: std::io::Error) -> HostError {
    use std::io::ErrorKind as K;
    let code = match e.kind() {
        K::ConnectionRefused => "ECONNREFUSED",
        K::ConnectionReset => "ECONNRESET",
        K::TimedOut | K::WouldBlock => TIMED_OUT,
        K::NotFound => "ENOTFOUND",
        K::BrokenPipe => "EPIPE",
        _ => "",
    };
    HostError { code: code.to_string(), message: e.to_string() }
}

fn closed() -> HostError {
    HostError { code: "EPIPE".into(), message: "the connection is closed".into() }
}

impl Socket {
    pub async fn connect(host: &str, port: u16, timeout_ms: u64) -> Result<Socket, HostError> {
        let timeout = Duration::from_millis(timeout_ms.max(1));
        let addrs = (host, port)
            .to_socket_addrs()
            .map_err(|e| HostError { code: "ENOTFOUND".into(), message: format!("cannot resolve {host}: {e}") })?;
        let mut last = None;
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, timeout) {
                Ok(stream) => {
                    let _ = stream.set_nodelay(true);
                    return Ok(Socket(Some(stream)));
                }
                Err(e) => last = Some(caught(e)),
            }
        }
        Err(last.unwrap_or(HostError { code: "ENOTFOUND".into(), message: format!("{host} has no address") }))
    }

    pub async fn start_tls(&mut self, _options: &TlsOptions, _timeout_ms: u64) -> Result<(), HostError> {
        Err(HostError { code: NOT_SUPPORTED.into(), message: "TLS is not available in a native build".into() })
    }

    pub async fn write(&mut self, data: &[u8], timeout_ms: u64) -> Result<(), HostError> {
        let stream = self.0.as_mut().ok_or_else(closed)?;
        stream.set_write_timeout(Some(Duration::from_millis(timeout_ms.max(1)))).map_err(caught)?;
        stream.write_all(data).map_err(caught)
    }

    pub async fn read(&mut self, max: usize, timeout_ms: u64) -> Result<Vec<u8>, HostError> {
        let stream = self.0.as_mut().ok_or_else(closed)?;
        stream.set_read_timeout(Some(Duration::from_millis(timeout_ms.max(1)))).map_err(caught)?;
        let mut buf = vec![0; max.clamp(1, 1 << 20)];
        let n = stream.read(&mut buf).map_err(caught)?;
        buf.truncate(n);
        Ok(buf)
    }

    pub fn close(&mut self) {
        if let Some(stream) = self.0.take() {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
}
