//! Azure Storage's Shared Key authorization (version 2009-09-19 and later) and the `x-ms-date`
//! it signs: `Authorization: SharedKey <account>:base64(HMAC-SHA256(key, StringToSign))`.
//!
//! StringToSign = VERB, Content-Encoding, Content-Language, Content-Length (empty for 0),
//! Content-MD5, Content-Type, Date, If-Modified-Since, If-Match, If-None-Match,
//! If-Unmodified-Since, Range — one line each — then the `x-ms-*` headers (lower case, sorted,
//! `name:value\n`) and the canonicalized resource: `/<account><encoded path>`, then
//! `\n<param>:<value>` per query parameter (lower-case name, sorted, decoded values).

/// The string Shared Key signs for a request without a body (GET, HEAD) to `path` (already
/// percent-encoded, from the first `/`) with the query `params` (decoded) and `headers`.
pub fn string_to_sign(
    method: &str,
    account: &str,
    path: &str,
    params: &[(&str, &str)],
    headers: &[(String, String)],
) -> String {
    let mut s = String::from(method);
    // Eleven standard headers, all empty for a read: the date goes in x-ms-date.
    s.push_str(&"\n".repeat(12));
    let mut ms: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.trim().to_string()))
        .filter(|(n, _)| n.starts_with("x-ms-"))
        .collect();
    ms.sort();
    for (n, v) in ms {
        s.push_str(&format!("{n}:{v}\n"));
    }
    s.push('/');
    s.push_str(account);
    s.push_str(path);
    let mut ps: Vec<(String, &str)> = params.iter().map(|(n, v)| (n.to_ascii_lowercase(), *v)).collect();
    ps.sort();
    for (n, v) in ps {
        s.push_str(&format!("\n{n}:{v}"));
    }
    s
}

/// The `Authorization` value for `string_to_sign`, with the account's key (base64, as the
/// portal shows it); `None` when the key is not base64.
pub fn authorization(account: &str, key_base64: &str, string_to_sign: &str) -> Option<String> {
    use base64::Engine;
    let key = base64::engine::general_purpose::STANDARD.decode(key_base64.trim()).ok()?;
    let signature = base64::engine::general_purpose::STANDARD
        .encode(crate::backend::mac::hmac_sha256(&key, string_to_sign.as_bytes()));
    Some(format!("SharedKey {account}:{signature}"))
}

/// `ms` since the epoch as an HTTP date (RFC 1123, `Sun, 29 Nov 2026 12:33:08 GMT`), for
/// `x-ms-date`.
pub fn http_date(ms: f64) -> String {
    crate::time::Utc::from_ms(ms).http()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_are_rfc_1123() {
        assert_eq!(http_date(0.0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(http_date(1_795_955_588_000.0), "Sun, 29 Nov 2026 12:33:08 GMT");
    }

    #[test]
    fn the_string_to_sign_of_a_list_matches_azure_blob_py() {
        let headers = vec![
            ("x-ms-version".to_string(), "2023-11-03".to_string()),
            ("x-ms-date".to_string(), "Sun, 29 Nov 2026 12:33:08 GMT".to_string()),
        ];
        let s = string_to_sign(
            "GET",
            "tfstatetest",
            "/tfstate",
            &[("restype", "container"), ("comp", "list"), ("prefix", "stages/app/terraform.tfstateenv:")],
            &headers,
        );
        assert_eq!(
            s,
            "GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:Sun, 29 Nov 2026 12:33:08 GMT\nx-ms-version:2023-11-03\n/tfstatetest/tfstate\ncomp:list\nprefix:stages/app/terraform.tfstateenv:\nrestype:container"
        );
    }

    #[test]
    fn the_signature_matches_pythons_hmac_for_the_same_string() {
        // python3 -c 'import base64,hmac,hashlib;print(base64.b64encode(hmac.new(base64.b64decode("a2V5"),b"GET\n",hashlib.sha256).digest()).decode())'
        assert_eq!(
            authorization("acct", "a2V5", "GET\n").unwrap(),
            "SharedKey acct:dfF7EbZN60mEIE+fezcUKys7aqcmouvN38rxD78BUJk="
        );
        assert_eq!(authorization("acct", "not base64!", "GET\n"), None);
    }
}
