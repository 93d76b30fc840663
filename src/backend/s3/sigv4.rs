//! AWS Signature Version 4, by hand over `sha2` + `hmac`: what S3, STS and DynamoDB take.
//!
//! The request is signed exactly as it is sent: the URL's path is already percent-encoded once
//! ([`crate::encode::path`], so `env:` is `env%3A`) and S3's canonical URI is that path as it is (S3 does not
//! encode it twice); the query is built sorted and encoded ([`query`]), so its canonical form is
//! the query itself. `Host` is what Node and the native host send (the URL's authority without a
//! default port); every header of the request is signed.

use crate::backend::mac::{hex, hmac_sha256 as hmac};
use crate::encode::component;
use sha2::{Digest, Sha256};

/// The keys that sign, for one region and service, at one instant.
pub struct Signer<'a> {
    /// The access key id (`AKIA…`, `ASIA…`).
    pub access_key_id: &'a str,
    /// The secret access key.
    pub secret: &'a str,
    /// The session token of temporary credentials: sent as `x-amz-security-token`, signed.
    pub token: Option<&'a str>,
    /// The region of the scope (`us-east-1`).
    pub region: &'a str,
    /// The service of the scope (`s3`, `sts`, `dynamodb`).
    pub service: &'a str,
    /// The time, `YYYYMMDD'T'HHMMSS'Z'`: [`amz_date`].
    pub amz_date: &'a str,
}

/// Hex SHA-256.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// A query string, sorted by name then value and encoded: what SigV4 signs is then what is sent.
pub fn query(pairs: &[(&str, &str)]) -> String {
    let mut encoded: Vec<(String, String)> = pairs.iter().map(|(k, v)| (component(k), component(v))).collect();
    encoded.sort();
    encoded.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
}

/// `YYYYMMDD'T'HHMMSS'Z'` of milliseconds since the epoch.
pub fn amz_date(now_ms: f64) -> String {
    crate::time::Utc::from_ms(now_ms).basic()
}

/// The URL's `Host` as an HTTP client sends it (no default port), its path and its query.
fn parts(url: &str) -> (String, &str, &str) {
    let https = url.starts_with("https://");
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let host = match authority.rsplit_once(':') {
        Some((h, "443")) if https => h,
        Some((h, "80")) if !https => h,
        _ => authority,
    };
    let tail = &rest[end..];
    let (path, query) = tail.split_once('?').unwrap_or((tail, ""));
    (host.to_ascii_lowercase(), if path.is_empty() { "/" } else { path }, query)
}

impl Signer<'_> {
    /// Adds `x-amz-date`, the session token, `x-amz-content-sha256` (S3) and `authorization` to
    /// `headers`, for `method url` with `body`.
    pub fn sign(&self, method: &str, url: &str, headers: &mut Vec<(String, String)>, body: &[u8]) {
        let payload = sha256_hex(body);
        headers.push(("x-amz-date".into(), self.amz_date.into()));
        if let Some(token) = self.token {
            headers.push(("x-amz-security-token".into(), token.into()));
        }
        if self.service == "s3" {
            headers.push(("x-amz-content-sha256".into(), payload.clone()));
        }
        let authorization = self.authorization(method, url, headers, &payload);
        headers.push(("authorization".into(), authorization));
    }

    /// The `Authorization` header's value for a request with these headers (besides `Host`).
    pub fn authorization(&self, method: &str, url: &str, headers: &[(String, String)], payload_hash: &str) -> String {
        let (host, path, query) = parts(url);
        let mut canonical: Vec<(String, String)> = headers
            .iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), v.split_whitespace().collect::<Vec<_>>().join(" ")))
            .chain([("host".to_string(), host)])
            .collect();
        canonical.sort();
        let signed = canonical.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(";");
        let header_lines: String = canonical.iter().map(|(n, v)| format!("{n}:{v}\n")).collect();
        let mut pairs: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
        pairs.sort();
        let canonical_query = pairs
            .iter()
            .map(|p| if p.contains('=') { p.to_string() } else { format!("{p}=") })
            .collect::<Vec<_>>()
            .join("&");
        let request = format!("{method}\n{path}\n{canonical_query}\n{header_lines}\n{signed}\n{payload_hash}");
        let date = &self.amz_date[..8.min(self.amz_date.len())];
        let scope = format!("{date}/{}/{}/aws4_request", self.region, self.service);
        let to_sign = format!("AWS4-HMAC-SHA256\n{}\n{scope}\n{}", self.amz_date, sha256_hex(request.as_bytes()));
        let key = [self.region, self.service, "aws4_request"]
            .iter()
            .fold(hmac(format!("AWS4{}", self.secret).as_bytes(), date.as_bytes()), |k, part| {
                hmac(&k, part.as_bytes())
            });
        let signature = hex(&hmac(&key, to_sign.as_bytes()));
        format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed}, Signature={signature}",
            self.access_key_id
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// AWS's SigV4 test suite, `get-vanilla`.
    #[test]
    fn the_test_suite_get_vanilla() {
        let signer = Signer {
            access_key_id: "AKIDEXAMPLE",
            secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            token: None,
            region: "us-east-1",
            service: "service",
            amz_date: "20150830T123600Z",
        };
        let headers = vec![("X-Amz-Date".to_string(), "20150830T123600Z".to_string())];
        assert_eq!(
            signer.authorization("GET", "https://example.amazonaws.com/", &headers, &sha256_hex(b"")),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
    }

    /// The S3 documentation's example: GET Object with a Range header.
    #[test]
    fn the_s3_documentation_get_object_example() {
        let signer = Signer {
            access_key_id: "AKIAIOSFODNN7EXAMPLE",
            secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            token: None,
            region: "us-east-1",
            service: "s3",
            amz_date: "20130524T000000Z",
        };
        let empty = sha256_hex(b"");
        let headers = vec![
            ("range".to_string(), "bytes=0-9".to_string()),
            ("x-amz-content-sha256".to_string(), empty.clone()),
            ("x-amz-date".to_string(), "20130524T000000Z".to_string()),
        ];
        assert_eq!(
            signer.authorization("GET", "https://examplebucket.s3.amazonaws.com/test.txt", &headers, &empty),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        );
    }

    /// botocore 1.x (`S3SigV4Auth`, path style) signs the workspace key with `env:` encoded once
    /// and a session token: the value below is what it computed for the same request.
    #[test]
    fn a_workspace_key_with_env_colon_and_a_session_token_as_botocore_signs_it() {
        let signer = Signer {
            access_key_id: "ASIAEXAMPLE",
            secret: "secret/key+example",
            token: Some("session-token"),
            region: "eu-west-1",
            service: "s3",
            amz_date: "20261129T120000Z",
        };
        let url = format!(
            "http://127.0.0.1:9000/tfstate/{}",
            crate::encode::path("env:/staging/stages/app/terraform.tfstate")
        );
        assert_eq!(url, "http://127.0.0.1:9000/tfstate/env%3A/staging/stages/app/terraform.tfstate");
        let mut headers = Vec::new();
        signer.sign("GET", &url, &mut headers, b"");
        let auth = &headers.last().unwrap().1;
        assert_eq!(auth, BOTOCORE_ENV_COLON);
    }

    const BOTOCORE_ENV_COLON: &str = "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20261129/eu-west-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=424f7d4ac33320826ee662a2cd5b573abd43eda39e87f0d6148fc510162e5d18";

    #[test]
    fn queries_are_sorted_and_encoded_and_dates_are_utc() {
        assert_eq!(
            query(&[("prefix", "env:/"), ("list-type", "2"), ("continuation-token", "a+b/c=")]),
            "continuation-token=a%2Bb%2Fc%3D&list-type=2&prefix=env%3A%2F"
        );
        assert_eq!(amz_date(1_369_353_600_000.0), "20130524T000000Z");
        assert_eq!(amz_date(1_796_558_399_000.0), "20261206T115959Z");
        assert_eq!(parts("https://b.s3.amazonaws.com:443/k?x=1"), ("b.s3.amazonaws.com".into(), "/k", "x=1"));
        assert_eq!(parts("http://127.0.0.1:9000"), ("127.0.0.1:9000".into(), "/", ""));
    }
}
