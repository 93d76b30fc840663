//! Percent-encoding as the clouds' APIs want it: every byte but RFC 3986's unreserved
//! characters (`A–Z a–z 0–9 - _ . ~`), which is what SigV4 signs, what OAuth token endpoints
//! take as `application/x-www-form-urlencoded`, and safe in any URL part.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Everything but the unreserved characters.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// Also keeps `/`: an object key as a path.
const UNRESERVED_AND_SLASH: &AsciiSet = &UNRESERVED.remove(b'/');

/// `value` with every byte but the unreserved characters percent-encoded (`%3A`, upper case).
pub fn component(value: &str) -> String {
    utf8_percent_encode(value, UNRESERVED).to_string()
}

/// As [`component`], keeping `/` (a path of segments).
pub fn path(value: &str) -> String {
    utf8_percent_encode(value, UNRESERVED_AND_SLASH).to_string()
}

/// `application/x-www-form-urlencoded` of `pairs`, in their order.
pub fn form(pairs: &[(&str, &str)]) -> Vec<u8> {
    pairs.iter().map(|(k, v)| format!("{}={}", component(k), component(v))).collect::<Vec<_>>().join("&").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unreserved_characters_stay_as_they_are() {
        assert_eq!(component("env:/a b+c~d_e.f-g/é"), "env%3A%2Fa%20b%2Bc~d_e.f-g%2F%C3%A9");
        assert_eq!(path("env:/a b/k"), "env%3A/a%20b/k");
        assert_eq!(form(&[("grant_type", "urn:x"), ("a=b", "c&d")]), b"grant_type=urn%3Ax&a%3Db=c%26d");
    }
}
