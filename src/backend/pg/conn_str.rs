//! `conn_str` as lib/pq (Terraform's PostgreSQL driver) reads it: a URL
//! (`postgres://user:password@host:port/dbname?sslmode=verify-full`) or a `key=value` DSN
//! (`host=db user=tf password='it''s' sslmode=disable`), into its settings by libpq's names.
//! Pure, and never quotes the text back: it may hold a password.

use percent_encoding::percent_decode_str;

/// The settings a connection string gives, by libpq's key names, in the order written (a later
/// key overrides an earlier one).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    /// The value of `key`, the last one written.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// Reads `text` as a URL when it starts with `postgres://` or `postgresql://`, else as a DSN.
/// The error says what is wrong without quoting the text.
pub fn parse(text: &str) -> Result<Params, String> {
    let text = text.trim();
    match text.strip_prefix("postgres://").or_else(|| text.strip_prefix("postgresql://")) {
        Some(rest) => parse_url(rest),
        None if text.contains("://") => Err("is a URL whose scheme is not postgres:// or postgresql://".to_string()),
        None => parse_dsn(text),
    }
}

fn decode(part: &str, what: &str) -> Result<String, String> {
    percent_decode_str(part)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| format!("has a {what} that is not UTF-8 once percent-decoded"))
}

/// `user:password@host:port/dbname?key=value&…` (after the scheme), as Go's `net/url` and
/// lib/pq's `ParseURL` read it.
fn parse_url(rest: &str) -> Result<Params, String> {
    let rest = rest.split('#').next().unwrap_or_default();
    let (before_query, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, path) = before_query.split_once('/').unwrap_or((before_query, ""));
    let mut params = Vec::new();
    // The user information ends at the last `@`: a password may hold one unescaped.
    let host_port = match authority.rsplit_once('@') {
        Some((userinfo, host_port)) => {
            let (user, password) = match userinfo.split_once(':') {
                Some((u, p)) => (u, Some(p)),
                None => (userinfo, None),
            };
            if !user.is_empty() {
                params.push(("user".to_string(), decode(user, "user name")?));
            }
            if let Some(p) = password {
                params.push(("password".to_string(), decode(p, "password")?));
            }
            host_port
        }
        None => authority,
    };
    let (host, port) = if let Some(bracketed) = host_port.strip_prefix('[') {
        let (host, after) = bracketed.split_once(']').ok_or("has an IPv6 address without its closing `]`")?;
        (host, after.strip_prefix(':'))
    } else {
        match host_port.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (host_port, None),
        }
    };
    if host.contains(',') {
        return Err("names several hosts, which Terraform's driver (lib/pq) does not support".to_string());
    }
    if !host.is_empty() {
        params.push(("host".to_string(), decode(host, "host")?));
    }
    if let Some(port) = port.filter(|p| !p.is_empty()) {
        params.push(("port".to_string(), port.to_string()));
    }
    if !path.is_empty() {
        params.push(("dbname".to_string(), decode(path, "database name")?));
    }
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        // Query strings write a space as `+`.
        let k = decode(&k.replace('+', " "), "parameter name")?;
        let v = decode(&v.replace('+', " "), "parameter value")?;
        params.push((k, v));
    }
    Ok(Params(params))
}

/// `key=value key2='quoted \' value'`: keys and values separated by whitespace, `=` possibly
/// surrounded by spaces, values in single quotes when they hold spaces, `\` escaping the next
/// character (lib/pq's `parseOpts`).
fn parse_dsn(text: &str) -> Result<Params, String> {
    let mut chars = text.chars().peekable();
    let mut params = Vec::new();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            return Ok(Params(params));
        }
        let mut key = String::new();
        while let Some(c) = chars.next_if(|c| *c != '=' && !c.is_whitespace()) {
            key.push(c);
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.next() != Some('=') {
            // The word is not quoted: it may be a password written without its key.
            return Err("is neither a postgres:// URL nor key=value pairs: a word has no `=`".to_string());
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut value = String::new();
        if chars.next_if_eq(&'\'').is_some() {
            loop {
                match chars.next() {
                    None => {
                        return Err(format!("has an unterminated quoted value for key {}", crate::text::quote(&key)))
                    }
                    Some('\'') => break,
                    Some('\\') => value.extend(chars.next()),
                    Some(c) => value.push(c),
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                if c == '\\' {
                    value.extend(chars.next());
                } else {
                    value.push(c);
                }
            }
        }
        params.push((key, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(String, String)> {
        parse(text).unwrap().0
    }

    fn p(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn a_url_gives_user_password_host_port_database_and_its_query() {
        assert_eq!(
            pairs("postgres://tf:s%40cr%3At@db.example:6432/tfstate?sslmode=verify-full&application_name=a+b"),
            p(&[
                ("user", "tf"),
                ("password", "s@cr:t"),
                ("host", "db.example"),
                ("port", "6432"),
                ("dbname", "tfstate"),
                ("sslmode", "verify-full"),
                ("application_name", "a b"),
            ])
        );
        assert_eq!(pairs("postgresql://[::1]:5433/x"), p(&[("host", "::1"), ("port", "5433"), ("dbname", "x")]));
        // The user information ends at the last `@`.
        assert_eq!(pairs("postgres://u:p@ss@h"), p(&[("user", "u"), ("password", "p@ss"), ("host", "h")]));
    }

    #[test]
    fn a_dsn_takes_quotes_escapes_and_spaces_around_the_equals_sign() {
        assert_eq!(
            pairs(r"host=127.0.0.1 port = 5432 user=tf password='it\'s a secret' dbname=a\ b sslmode=disable"),
            p(&[
                ("host", "127.0.0.1"),
                ("port", "5432"),
                ("user", "tf"),
                ("password", "it's a secret"),
                ("dbname", "a b"),
                ("sslmode", "disable"),
            ])
        );
        assert_eq!(pairs("  "), Vec::new());
    }

    #[test]
    fn a_malformed_string_is_refused_without_quoting_a_value() {
        assert_eq!(
            parse("mysql://u:pw@h/db").unwrap_err(),
            "is a URL whose scheme is not postgres:// or postgresql://"
        );
        assert_eq!(
            parse("host=h secret").unwrap_err(),
            "is neither a postgres:// URL nor key=value pairs: a word has no `=`"
        );
        assert_eq!(parse("password='open").unwrap_err(), "has an unterminated quoted value for key \"password\"");
        assert!(parse("postgres://h1,h2/db").unwrap_err().contains("several hosts"));
    }
}
