//! PostgreSQL's frontend/backend protocol, version 3, as far as reading a state needs: the
//! messages a client sends, built as bytes, and those a server sends, read from bytes. Pure;
//! [`super::session`] carries them over a socket.

/// The most a single server message may hold: a state as large as the action reads (64 MiB)
/// plus its framing. Longer is refused before it is buffered.
pub const MAX_MESSAGE: usize = (crate::host::RESPONSE_LIMIT as usize) + 1024;

/// `SSLRequest`: asks the server to talk TLS first; it answers one byte, `S` or `N`.
pub fn ssl_request() -> Vec<u8> {
    let mut out = 8i32.to_be_bytes().to_vec();
    out.extend_from_slice(&80877103i32.to_be_bytes());
    out
}

/// `StartupMessage`, protocol 3.0, with the given parameters (`user`, `database`, …).
pub fn startup(params: &[(&str, &str)]) -> Vec<u8> {
    let mut body = 196608i32.to_be_bytes().to_vec();
    for (k, v) in params {
        cstring(&mut body, k);
        cstring(&mut body, v);
    }
    body.push(0);
    let mut out = ((body.len() + 4) as i32).to_be_bytes().to_vec();
    out.extend_from_slice(&body);
    out
}

fn cstring(out: &mut Vec<u8>, s: &str) {
    // A NUL would end the string early: what follows it is dropped, as lib/pq's
    // QuoteIdentifier does (every value here is ours, or checked to hold none).
    out.extend_from_slice(s.split('\0').next().unwrap_or_default().as_bytes());
    out.push(0);
}

/// A message of type `tag` with `body`.
fn message(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 5);
    out.push(tag);
    out.extend_from_slice(&((body.len() + 4) as i32).to_be_bytes());
    out.extend_from_slice(body);
    out
}

/// `PasswordMessage`: a cleartext or md5 password.
pub fn password(text: &str) -> Vec<u8> {
    let mut body = Vec::new();
    cstring(&mut body, text);
    message(b'p', &body)
}

/// `SASLInitialResponse`: the mechanism and the client-first-message.
pub fn sasl_initial(mechanism: &str, data: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    cstring(&mut body, mechanism);
    body.extend_from_slice(&(data.len() as i32).to_be_bytes());
    body.extend_from_slice(data);
    message(b'p', &body)
}

/// `SASLResponse`: the client-final-message.
pub fn sasl_response(data: &[u8]) -> Vec<u8> {
    message(b'p', data)
}

/// One query of the extended protocol, with text parameters (never pasted into the SQL):
/// `Parse`, `Bind`, `Execute` and `Sync`, so an error in it ends at its own `ReadyForQuery`
/// and several can be sent at once.
pub fn query(sql: &str, params: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut parse = Vec::new();
    cstring(&mut parse, ""); // the unnamed statement
    cstring(&mut parse, sql);
    parse.extend_from_slice(&0i16.to_be_bytes()); // parameter types: the server infers them
    out.extend(message(b'P', &parse));
    let mut bind = Vec::new();
    cstring(&mut bind, ""); // the unnamed portal
    cstring(&mut bind, "");
    bind.extend_from_slice(&0i16.to_be_bytes()); // every parameter in text format
    bind.extend_from_slice(&(params.len() as i16).to_be_bytes());
    for p in params {
        bind.extend_from_slice(&(p.len() as i32).to_be_bytes());
        bind.extend_from_slice(p.as_bytes());
    }
    bind.extend_from_slice(&0i16.to_be_bytes()); // every result column in text format
    out.extend(message(b'B', &bind));
    let mut execute = Vec::new();
    cstring(&mut execute, "");
    execute.extend_from_slice(&0i32.to_be_bytes()); // every row
    out.extend(message(b'E', &execute));
    out.extend(message(b'S', &[]));
    out
}

/// `Terminate`: the polite goodbye.
pub fn terminate() -> Vec<u8> {
    message(b'X', &[])
}

/// The length of the first complete message in `buf` (tag, length and body), `None` when more
/// bytes are needed; an error when its length is impossible or over [`MAX_MESSAGE`].
pub fn complete(buf: &[u8]) -> Result<Option<usize>, String> {
    if buf.len() < 5 {
        return Ok(None);
    }
    let len = i32::from_be_bytes([buf[1], buf[2], buf[3], buf[4]]);
    if len < 4 {
        return Err(format!("a message of type {:?} with an impossible length {len}", buf[0] as char));
    }
    let total = len as usize + 1;
    if total > MAX_MESSAGE {
        return Err(format!(
            "a message of {} (more than the {} this action reads)",
            crate::host::format_bytes(total as u64),
            crate::host::format_bytes(MAX_MESSAGE as u64)
        ));
    }
    Ok((buf.len() >= total).then_some(total))
}

/// What an `Authentication` message asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// Authenticated.
    Ok,
    /// The password in clear text (over TLS, one hopes).
    Cleartext,
    /// The md5 hash of the password, with this salt.
    Md5([u8; 4]),
    /// SASL, with the mechanisms the server offers.
    Sasl(Vec<String>),
    /// The server-first-message of a SASL exchange.
    SaslContinue(Vec<u8>),
    /// The server-final-message of a SASL exchange.
    SaslFinal(Vec<u8>),
    /// Anything else (Kerberos, GSSAPI, SSPI): its code.
    Other(i32),
}

/// Reads the body of an `Authentication` (`R`) message.
pub fn auth(body: &[u8]) -> Result<Auth, String> {
    let code = int32(body, 0).ok_or("a short authentication message")?;
    let rest = &body[4..];
    Ok(match code {
        0 => Auth::Ok,
        3 => Auth::Cleartext,
        5 => Auth::Md5(rest.get(..4).and_then(|s| s.try_into().ok()).ok_or("an md5 request without its salt")?),
        10 => Auth::Sasl(
            rest.split(|b| *b == 0)
                .filter(|m| !m.is_empty())
                .map(|m| String::from_utf8_lossy(m).into_owned())
                .collect(),
        ),
        11 => Auth::SaslContinue(rest.to_vec()),
        12 => Auth::SaslFinal(rest.to_vec()),
        other => Auth::Other(other),
    })
}

fn int32(body: &[u8], at: usize) -> Option<i32> {
    Some(i32::from_be_bytes(body.get(at..at + 4)?.try_into().ok()?))
}

/// The fields of an `ErrorResponse` or `NoticeResponse` that a message uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerError {
    /// `ERROR`, `FATAL`, …
    pub severity: String,
    /// The SQLSTATE: `28P01` (wrong password), `42P01` (no such table), ….
    pub code: String,
    /// The primary message.
    pub message: String,
    /// The server's hint, if any.
    pub hint: Option<String>,
}

/// Reads the body of an `ErrorResponse` (`E`).
pub fn server_error(body: &[u8]) -> ServerError {
    let mut e = ServerError::default();
    for field in body.split(|b| *b == 0).filter(|f| !f.is_empty()) {
        let value = String::from_utf8_lossy(&field[1..]).into_owned();
        match field[0] {
            b'V' => e.severity = value,
            b'S' if e.severity.is_empty() => e.severity = value,
            b'C' => e.code = value,
            b'M' => e.message = value,
            b'H' => e.hint = Some(value),
            _ => {}
        }
    }
    e
}

/// Reads the body of a `DataRow` (`D`): each column's text, `None` for NULL.
pub fn data_row(body: &[u8]) -> Result<Vec<Option<Vec<u8>>>, String> {
    let count = body.get(..2).map(|b| i16::from_be_bytes([b[0], b[1]])).ok_or("a short data row")?;
    let mut at = 2;
    let mut columns = Vec::with_capacity(count.max(0) as usize);
    for _ in 0..count {
        let len = int32(body, at).ok_or("a data row cut short")?;
        at += 4;
        if len < 0 {
            columns.push(None);
            continue;
        }
        let value = body.get(at..at + len as usize).ok_or("a data row cut short")?;
        columns.push(Some(value.to_vec()));
        at += len as usize;
    }
    Ok(columns)
}

/// An identifier quoted as lib/pq's `QuoteIdentifier` does: in double quotes, a double quote
/// doubled, anything after a NUL dropped. The schema name is written into SQL this way only.
pub fn quote_identifier(name: &str) -> String {
    let name = name.split('\0').next().unwrap_or_default();
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_startup_message_is_length_version_and_nul_terminated_pairs() {
        assert_eq!(startup(&[("user", "tf")]), b"\0\0\0\x11\0\x03\0\0user\0tf\0\0".to_vec());
        assert_eq!(ssl_request(), vec![0, 0, 0, 8, 4, 210, 22, 47]);
    }

    #[test]
    fn a_query_carries_its_parameter_apart_from_the_sql() {
        let bytes = query("SELECT $1", &["x'; DROP"]);
        let mut expected: Vec<u8> = Vec::new();
        expected.extend(b"P\0\0\0\x11\0SELECT $1\0\0\0");
        expected.extend(b"B\0\0\0\x18\0\0\0\0\0\x01\0\0\0\x08x'; DROP\0\0");
        expected.extend(b"E\0\0\0\x09\0\0\0\0\0");
        expected.extend(b"S\0\0\0\x04");
        assert_eq!(bytes, expected);
    }

    #[test]
    fn a_message_is_complete_when_its_length_has_arrived_and_refused_when_too_long() {
        assert_eq!(complete(b"Z\0\0\0"), Ok(None));
        assert_eq!(complete(b"Z\0\0\0\x05I"), Ok(Some(6)));
        assert_eq!(complete(b"Z\0\0\0\x05"), Ok(None));
        assert_eq!(complete(b"Z\0\0\0\x02").unwrap_err(), "a message of type 'Z' with an impossible length 2");
        assert!(complete(b"D\x7f\0\0\0").unwrap_err().starts_with("a message of 2 GiB"));
    }

    #[test]
    fn authentication_requests_are_read_with_their_data() {
        assert_eq!(auth(&[0, 0, 0, 0]), Ok(Auth::Ok));
        assert_eq!(auth(&[0, 0, 0, 5, 1, 2, 3, 4]), Ok(Auth::Md5([1, 2, 3, 4])));
        assert_eq!(
            auth(b"\0\0\0\x0aSCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0\0"),
            Ok(Auth::Sasl(vec!["SCRAM-SHA-256-PLUS".into(), "SCRAM-SHA-256".into()]))
        );
        assert_eq!(auth(&[0, 0, 0, 7]), Ok(Auth::Other(7)));
        assert!(auth(&[0, 0, 0, 5, 1]).is_err());
    }

    #[test]
    fn an_error_response_gives_its_code_message_and_hint() {
        let body = b"SFATAL\0VFATAL\0C28P01\0Mpassword authentication failed for user \"tf\"\0Fauth.c\0\0";
        assert_eq!(
            server_error(body),
            ServerError {
                severity: "FATAL".into(),
                code: "28P01".into(),
                message: "password authentication failed for user \"tf\"".into(),
                hint: None,
            }
        );
    }

    #[test]
    fn a_data_row_gives_text_and_null_and_refuses_a_cut_row() {
        assert_eq!(data_row(b"\0\x02\0\0\0\x02hi\xff\xff\xff\xff"), Ok(vec![Some(b"hi".to_vec()), None]));
        assert!(data_row(b"\0\x01\0\0\0\x09hi").is_err());
    }

    #[test]
    fn identifiers_are_quoted_as_lib_pq_quotes_them() {
        assert_eq!(quote_identifier("terraform_remote_state"), "\"terraform_remote_state\"");
        assert_eq!(quote_identifier("a\"; DROP TABLE x; --"), "\"a\"\"; DROP TABLE x; --\"");
        assert_eq!(quote_identifier("a\0b"), "\"a\"");
    }
}
