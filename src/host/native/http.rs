//! HTTP/1.1 over `std::net::TcpStream`, so that code speaking HTTP (the GitHub client, backends)
//! runs under plain `cargo test` against a loopback server started by the test.
//!
//! Plain `http://` only: there is no TLS here, and none is needed, because the shipped action
//! is wasm under Node and its HTTP is Node's `fetch` (`js/host.js`). This client keeps the same
//! contract as that one: the whole exchange ends within the request's time-out ([`TIMED_OUT`]),
//! a body over [`RESPONSE_LIMIT`] is an error ([`TOO_LARGE`]), and redirects are returned as the
//! responses they are (the facade in `host/mod.rs` decides which to follow). One request per
//! connection (`Connection: close`); bodies by `Content-Length`, chunked, or up to the close.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use crate::host::{HostError, HttpRequest, HttpResponse, RESPONSE_LIMIT, TIMED_OUT, TOO_LARGE};

/// The most a response's status line and headers may take.
const HEAD_LIMIT: usize = 64 << 10;

/// Sends `request` and reads the whole response.
pub fn send(request: &HttpRequest) -> Result<HttpResponse, HostError> {
    send_with_limit(request, RESPONSE_LIMIT)
}

/// [`send`] with a body limit of `limit` bytes.
fn send_with_limit(request: &HttpRequest, limit: u64) -> Result<HttpResponse, HostError> {
    let what = format!("{} {}", request.method, request.url);
    let deadline = Instant::now() + Duration::from_millis(request.timeout_ms);
    let target = Target::parse(&request.url).ok_or_else(|| HostError {
        code: "ENOTSUP".into(),
        message: format!("cannot {what}: a native build speaks plain http:// only (the action's HTTP is Node's fetch)"),
    })?;
    if request.tls.as_ref().is_some_and(|tls| tls.cert.is_some() || tls.key.is_some()) {
        return Err(HostError {
            code: "ENOTSUP".into(),
            message: format!(
                "cannot {what}: a native build cannot present a client certificate (the action's is Node's https)"
            ),
        });
    }
    let mut conn = Connection::open(&target, deadline, &what, request.timeout_ms)?;

    let mut head =
        format!("{} {} HTTP/1.1\r\nhost: {}\r\nconnection: close\r\n", request.method, target.path, target.authority);
    for (name, value) in &request.headers {
        if value.contains(['\r', '\n']) || name.contains(['\r', '\n', ':']) {
            return Err(HostError {
                code: "EINVAL".into(),
                message: format!("cannot {what}: header {name} is malformed"),
            });
        }
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !request.body.is_empty() || !matches!(request.method.as_str(), "GET" | "HEAD") {
        head.push_str(&format!("content-length: {}\r\n", request.body.len()));
    }
    head.push_str("\r\n");
    conn.write_all(head.as_bytes())?;
    conn.write_all(&request.body)?;

    // 1xx answers (100 Continue and the like) come before the real one.
    let (status, headers) = loop {
        let (status, headers) = conn.read_head()?;
        if !(100..200).contains(&status) {
            break (status, headers);
        }
    };
    let get = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    if let Some(encoding) = get("content-encoding").filter(|e| !e.eq_ignore_ascii_case("identity")) {
        return Err(HostError {
            code: "ENOTSUP".into(),
            message: format!("{what} answered with content-encoding {encoding}, which a native build does not decode"),
        });
    }
    let body = if request.method == "HEAD" || status == 204 || status == 304 {
        Vec::new()
    } else if get("transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
        conn.read_chunked(limit)?
    } else if let Some(length) = get("content-length") {
        let length: u64 = length
            .trim()
            .parse()
            .map_err(|_| conn.broken(&format!("its content-length {length:?} is not a number")))?;
        if length > limit {
            return Err(conn.too_large(limit));
        }
        conn.read_exact(length as usize)?
    } else {
        conn.read_to_close(limit)?
    };
    Ok(HttpResponse { status, headers, body })
}

/// Where a URL leads: `host:port` to connect to, the `Host` header, and the request target.
struct Target {
    connect: String,
    authority: String,
    path: String,
}

impl Target {
    /// An `http://` URL's parts; `None` for anything else (https, no host, user info).
    fn parse(url: &str) -> Option<Target> {
        let rest = url.strip_prefix("http://")?;
        let rest = rest.split('#').next().unwrap_or("");
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(end);
        if authority.is_empty() || authority.contains('@') {
            return None;
        }
        // `[::1]:8080`, `127.0.0.1:8080`, or a name without a port.
        let has_port =
            authority.rsplit_once(':').is_some_and(|(_, p)| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        let connect = if has_port { authority.to_string() } else { format!("{authority}:80") };
        let path = match path {
            "" => "/".to_string(),
            p if p.starts_with('?') => format!("/{p}"),
            p => p.to_string(),
        };
        Some(Target { connect, authority: authority.to_string(), path })
    }
}

/// One connection, every step bounded by the request's deadline, with what was read but not
/// yet used.
struct Connection<'a> {
    stream: TcpStream,
    deadline: Instant,
    what: &'a str,
    timeout_ms: u64,
    pending: Vec<u8>,
    /// The bytes of `pending` already used.
    used: usize,
}

impl<'a> Connection<'a> {
    fn open(target: &Target, deadline: Instant, what: &'a str, timeout_ms: u64) -> Result<Connection<'a>, HostError> {
        let timed_out = || HostError {
            code: TIMED_OUT.into(),
            message: format!("{what} did not finish within {} s", timeout_ms as f64 / 1000.0),
        };
        let failed = |e: std::io::Error| HostError { code: code(&e).into(), message: format!("{what}: {e}") };
        let addresses = target.connect.to_socket_addrs().map_err(failed)?;
        let mut last = None;
        for address in addresses {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(timed_out());
            }
            match TcpStream::connect_timeout(&address, left) {
                Ok(stream) => {
                    return Ok(Connection { stream, deadline, what, timeout_ms, pending: Vec::new(), used: 0 });
                }
                Err(e) if is_timeout(&e) => return Err(timed_out()),
                Err(e) => last = Some(e),
            }
        }
        Err(last.map(failed).unwrap_or_else(|| HostError {
            code: "ENOTFOUND".into(),
            message: format!("{what}: {} has no address", target.connect),
        }))
    }

    fn timed_out(&self) -> HostError {
        HostError {
            code: TIMED_OUT.into(),
            message: format!("{} did not finish within {} s", self.what, self.timeout_ms as f64 / 1000.0),
        }
    }

    /// The same words as `js/host.js` uses for a body over the limit.
    fn too_large(&self, limit: u64) -> HostError {
        HostError { code: TOO_LARGE.into(), message: format!("{} gave more than {limit} bytes", self.what) }
    }

    fn broken(&self, why: &str) -> HostError {
        HostError { code: "EPROTO".into(), message: format!("{}: the response is not HTTP/1.1: {why}", self.what) }
    }

    /// The time left, or the time-out error.
    fn left(&self) -> Result<Duration, HostError> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(self.timed_out());
        }
        Ok(left)
    }

    fn failed(&self, e: std::io::Error) -> HostError {
        if is_timeout(&e) {
            return self.timed_out();
        }
        HostError { code: code(&e).into(), message: format!("{}: {e}", self.what) }
    }

    fn write_all(&mut self, mut data: &[u8]) -> Result<(), HostError> {
        while !data.is_empty() {
            let left = self.left()?;
            self.stream.set_write_timeout(Some(left)).map_err(|e| self.failed(e))?;
            match self.stream.write(data) {
                Ok(0) => return Err(self.broken("the connection closed while the request was sent")),
                Ok(n) => data = &data[n..],
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.failed(e)),
            }
        }
        Ok(())
    }

    /// Reads more into `pending`; `false` at the end of the stream.
    fn fill(&mut self) -> Result<bool, HostError> {
        if self.used > 0 {
            self.pending.drain(..self.used);
            self.used = 0;
        }
        let mut buf = [0u8; 16 << 10];
        loop {
            let left = self.left()?;
            self.stream.set_read_timeout(Some(left)).map_err(|e| self.failed(e))?;
            match self.stream.read(&mut buf) {
                Ok(0) => return Ok(false),
                Ok(n) => {
                    self.pending.extend_from_slice(&buf[..n]);
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.failed(e)),
            }
        }
    }

    fn unread(&self) -> &[u8] {
        &self.pending[self.used..]
    }

    /// The bytes up to `delimiter` (which is consumed), at most `limit` of them.
    fn read_until(&mut self, delimiter: &[u8], limit: usize, what: &str) -> Result<Vec<u8>, HostError> {
        loop {
            if let Some(i) = self.unread().windows(delimiter.len()).position(|w| w == delimiter) {
                let line = self.unread()[..i].to_vec();
                self.used += i + delimiter.len();
                return Ok(line);
            }
            if self.unread().len() > limit {
                return Err(self.broken(&format!("{what} is longer than {limit} bytes")));
            }
            if !self.fill()? {
                return Err(self.broken(&format!("the connection closed in {what}")));
            }
        }
    }

    /// The status and the headers (names in lower case).
    fn read_head(&mut self) -> Result<(u16, Vec<(String, String)>), HostError> {
        let head = self.read_until(b"\r\n\r\n", HEAD_LIMIT, "the status line and headers")?;
        let head = String::from_utf8_lossy(&head);
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or("");
        let status = status_line
            .strip_prefix("HTTP/1.")
            .and_then(|s| s.get(2..5))
            .and_then(|s| s.parse::<u16>().ok())
            .ok_or_else(|| self.broken(&format!("its status line is {status_line:?}")))?;
        let mut headers = Vec::new();
        for line in lines {
            let (name, value) = line.split_once(':').ok_or_else(|| self.broken(&format!("header line {line:?}")))?;
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
        Ok((status, headers))
    }

    fn read_exact(&mut self, n: usize) -> Result<Vec<u8>, HostError> {
        while self.unread().len() < n {
            if !self.fill()? {
                return Err(self.broken(&format!("the connection closed after {} of {n} bytes", self.unread().len())));
            }
        }
        let body = self.unread()[..n].to_vec();
        self.used += n;
        Ok(body)
    }

    fn read_to_close(&mut self, limit: u64) -> Result<Vec<u8>, HostError> {
        while self.fill()? {
            if self.unread().len() as u64 > limit {
                return Err(self.too_large(limit));
            }
        }
        let body = self.unread().to_vec();
        self.used = self.pending.len();
        Ok(body)
    }

    fn read_chunked(&mut self, limit: u64) -> Result<Vec<u8>, HostError> {
        let mut body = Vec::new();
        loop {
            let line = self.read_until(b"\r\n", 1024, "a chunk's size")?;
            let line = String::from_utf8_lossy(&line);
            let hex = line.split(';').next().unwrap_or("").trim();
            let size = u64::from_str_radix(hex, 16).map_err(|_| self.broken(&format!("chunk size {hex:?}")))?;
            if size == 0 {
                // Trailers, if any, end with an empty line.
                while !self.read_until(b"\r\n", HEAD_LIMIT, "the trailers")?.is_empty() {}
                return Ok(body);
            }
            if body.len() as u64 + size > limit {
                return Err(self.too_large(limit));
            }
            body.extend(self.read_exact(size as usize)?);
            if !self.read_until(b"\r\n", 0, "a chunk's end")?.is_empty() {
                return Err(self.broken("a chunk is longer than its size"));
            }
        }
    }
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(e.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock)
}

/// The code Node would give the same failure.
fn code(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::ConnectionRefused => "ECONNREFUSED",
        std::io::ErrorKind::ConnectionReset => "ECONNRESET",
        std::io::ErrorKind::ConnectionAborted => "ECONNABORTED",
        std::io::ErrorKind::NotFound => "ENOTFOUND",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    /// A server that answers one connection with `reply` (raw bytes) and hands back what it
    /// read (up to the end of the request's head and `Content-Length` body).
    fn answer_once(reply: &'static [u8]) -> (String, std::thread::JoinHandle<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let handle = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut seen = Vec::new();
            let mut buf = [0u8; 4096];
            while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = stream.read(&mut buf).unwrap();
                seen.extend_from_slice(&buf[..n]);
            }
            let text = String::from_utf8_lossy(&seen).to_string();
            let length = text
                .lines()
                .find_map(|l| l.strip_prefix("content-length: "))
                .map_or(0, |n| n.trim().parse::<usize>().unwrap());
            let head_end = seen.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
            while seen.len() < head_end + length {
                let n = stream.read(&mut buf).unwrap();
                seen.extend_from_slice(&buf[..n]);
            }
            stream.write_all(reply).unwrap();
            String::from_utf8_lossy(&seen).to_string()
        });
        (url, handle)
    }

    fn request(method: &str, url: String, body: &[u8], timeout_ms: u64) -> HttpRequest {
        HttpRequest {
            method: method.into(),
            url,
            headers: vec![("x-test".into(), "yes".into())],
            body: body.to_vec(),
            timeout_ms,
            tls: None,
        }
    }

    #[test]
    fn a_request_goes_out_as_http_1_1_with_its_headers_and_body() {
        let (url, server) =
            answer_once(b"HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello");
        let reply = send(&request("POST", format!("{url}/x?y=1"), b"{\"a\":1}", 5_000)).unwrap();
        assert_eq!(reply.status, 201);
        assert_eq!(reply.body, b"hello");
        assert!(reply.headers.contains(&("content-type".into(), "text/plain".into())), "{:?}", reply.headers);
        let seen = server.join().unwrap();
        assert!(seen.starts_with("POST /x?y=1 HTTP/1.1\r\n"), "{seen}");
        assert!(seen.contains("\r\nx-test: yes\r\n") && seen.contains("\r\ncontent-length: 7\r\n"), "{seen}");
        assert!(seen.ends_with("\r\n\r\n{\"a\":1}"), "{seen}");
    }

    #[test]
    fn chunked_bodies_and_bodies_up_to_the_close_are_read_whole() {
        let (url, _server) =
            answer_once(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n");
        assert_eq!(send(&request("GET", url, b"", 5_000)).unwrap().body, b"abcde");
        let (url, _server) = answer_once(b"HTTP/1.1 200 OK\r\n\r\nuntil the end");
        assert_eq!(send(&request("GET", url, b"", 5_000)).unwrap().body, b"until the end");
    }

    #[test]
    fn a_redirect_is_returned_as_it_is() {
        let (url, _server) =
            answer_once(b"HTTP/1.1 302 Found\r\nLocation: http://elsewhere.example/\r\nContent-Length: 0\r\n\r\n");
        let reply = send(&request("GET", url, b"", 5_000)).unwrap();
        assert_eq!(reply.status, 302);
        assert!(reply.headers.contains(&("location".into(), "http://elsewhere.example/".into())));
    }

    #[test]
    fn a_body_over_the_limit_is_refused() {
        let (url, _server) = answer_once(b"HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n");
        let e = send_with_limit(&request("GET", url.clone(), b"", 5_000), 1000).unwrap_err();
        assert_eq!((e.code.as_str(), e.message), (TOO_LARGE, format!("GET {url} gave more than 1000 bytes")));
        let (url, _server) = answer_once(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n");
        assert_eq!(send_with_limit(&request("GET", url, b"", 5_000), 1000).unwrap_err().code, TOO_LARGE);
    }

    #[test]
    fn a_server_that_never_answers_is_abandoned_at_the_time_out() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/slow", listener.local_addr().unwrap());
        let started = Instant::now();
        let e = send(&request("GET", url.clone(), b"", 300)).unwrap_err();
        assert_eq!((e.code.as_str(), e.message), (TIMED_OUT, format!("GET {url} did not finish within 0.3 s")));
        assert!(started.elapsed() < Duration::from_secs(3));
        drop(listener);
    }

    #[test]
    fn https_and_unreachable_servers_are_errors_not_panics() {
        let e = send(&request("GET", "https://api.github.com/".into(), b"", 1_000)).unwrap_err();
        assert_eq!(e.code, "ENOTSUP");
        // Port 1 on loopback: nothing listens there.
        let e = send(&request("GET", "http://127.0.0.1:1/".into(), b"", 1_000)).unwrap_err();
        assert_eq!(e.code, "ECONNREFUSED");
    }

    #[test]
    fn tls_settings_without_a_client_certificate_change_nothing_on_plain_http() {
        let (url, _server) = answer_once(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        let tls = crate::host::Tls { ca: Some("PEM".into()), insecure: true, ..Default::default() };
        let reply = send(&HttpRequest { tls: Some(tls), ..request("GET", url, b"", 5_000) }).unwrap();
        assert_eq!((reply.status, reply.body.as_slice()), (200, &b"ok"[..]));
        let tls = crate::host::Tls { cert: Some("PEM".into()), key: Some("PEM".into()), ..Default::default() };
        let e = send(&HttpRequest { tls: Some(tls), ..request("GET", "http://127.0.0.1:1/".into(), b"", 1_000) })
            .unwrap_err();
        assert_eq!(e.code, "ENOTSUP");
        assert_eq!(crate::host::certificate("PEM").unwrap_err().code, "ENOTSUP");
    }

    #[test]
    fn urls_split_into_where_to_connect_and_what_to_ask() {
        let t = Target::parse("http://127.0.0.1:8080/api/v3?x=1#frag").unwrap();
        assert_eq!(
            (t.connect.as_str(), t.authority.as_str(), t.path.as_str()),
            ("127.0.0.1:8080", "127.0.0.1:8080", "/api/v3?x=1")
        );
        let t = Target::parse("http://example.com?x").unwrap();
        assert_eq!((t.connect.as_str(), t.path.as_str()), ("example.com:80", "/?x"));
        assert_eq!(Target::parse("http://[::1]:9/").unwrap().connect, "[::1]:9");
        for refused in ["https://example.com/", "http://", "http://user@example.com/", "ftp://x/"] {
            assert!(Target::parse(refused).is_none(), "{refused}");
        }
    }
}
