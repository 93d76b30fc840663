//! Dates of the clock in UTC, for headers and messages, written out rather than through a date
//! crate: chrono's formatting alone adds 18 KB to the module every run loads.

/// A moment in UTC, to the second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Utc {
    /// The year, e.g. 2026.
    pub year: i64,
    /// 1–12.
    pub month: u32,
    /// 1–31.
    pub day: u32,
    /// 0–23.
    pub hour: u32,
    /// 0–59.
    pub minute: u32,
    /// 0–59.
    pub second: u32,
    /// 0 = Sunday … 6 = Saturday.
    pub weekday: u32,
}

impl Utc {
    /// The moment `epoch` seconds after 1970-01-01T00:00:00Z (Howard Hinnant's days-to-civil).
    pub fn from_epoch(epoch: i64) -> Utc {
        let days = epoch.div_euclid(86_400);
        let secs = epoch.rem_euclid(86_400);
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        Utc {
            year: yoe + era * 400 + i64::from(month <= 2),
            month: month as u32,
            day: day as u32,
            hour: (secs / 3600) as u32,
            minute: (secs % 3600 / 60) as u32,
            second: (secs % 60) as u32,
            // 1970-01-01 was a Thursday.
            weekday: (days + 4).rem_euclid(7) as u32,
        }
    }

    /// The moment `ms` milliseconds after the epoch (the host's clock), to the second below.
    pub fn from_ms(ms: f64) -> Utc {
        Utc::from_epoch((ms / 1000.0).floor() as i64)
    }

    /// `YYYY-MM-DD HH:MM:SS UTC`, for messages.
    pub fn readable(&self) -> String {
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`: RFC 3339, for outputs a program reads.
    pub fn rfc3339(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    /// `YYYYMMDD'T'HHMMSS'Z'`: ISO 8601's basic form, as AWS's SigV4 dates it.
    pub fn basic(&self) -> String {
        format!(
            "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    /// An HTTP date (RFC 9110's IMF-fixdate, `Sun, 29 Nov 2026 12:33:08 GMT`).
    pub fn http(&self) -> String {
        const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
        const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        format!(
            "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
            DAYS[self.weekday as usize % 7],
            self.day,
            MONTHS[(self.month as usize).clamp(1, 12) - 1],
            self.year,
            self.hour,
            self.minute,
            self.second
        )
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's days-from-civil).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(month) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Milliseconds since the epoch of a checked civil moment; `None` when a field is out of range.
fn epoch_ms(year: i64, month: u32, day: u32, hour: u32, minute: u32, second: u32, ms: f64) -> Option<f64> {
    let valid = (1..=9999).contains(&year)
        && (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && hour < 24
        && minute < 60
        && second < 61;
    let days = days_from_civil(year, month, day);
    // A day past the month's end (31 April) comes back as another date: refuse it.
    (valid && Utc::from_epoch(days * 86_400).day == day).then(|| {
        (days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second)) as f64 * 1000.0 + ms
    })
}

/// An HTTP date (`Last-Modified: Sun, 29 Nov 2026 12:23:08 GMT`, RFC 9110's IMF-fixdate, the
/// only form a server may send) as milliseconds since the epoch; `None` for anything else.
pub fn parse_http_date(text: &str) -> Option<f64> {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let mut parts = text.trim().split(' ');
    let (_weekday, day, month, year, time, zone) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || zone != "GMT" || day.len() != 2 || year.len() != 4 {
        return None;
    }
    let month = MONTHS.iter().position(|m| *m == month)? as u32 + 1;
    let (h, m, s) = clock(time)?;
    epoch_ms(year.parse().ok()?, month, day.parse().ok()?, h, m, s, 0.0)
}

/// An RFC 3339 time in UTC (`2026-11-29T12:23:08Z`, `…08.123Z`, `…08+00:00`) as milliseconds
/// since the epoch; other offsets are applied. `None` for anything else.
pub fn parse_rfc3339(text: &str) -> Option<f64> {
    let text = text.trim();
    let (date, rest) = text.split_once(['T', 't'])?;
    let mut ymd = date.split('-');
    let (y, mo, d) = (ymd.next()?, ymd.next()?, ymd.next()?);
    if ymd.next().is_some() || y.len() != 4 || mo.len() != 2 || d.len() != 2 {
        return None;
    }
    let zone_at = rest.find(['Z', 'z', '+', '-'])?;
    let (time, zone) = rest.split_at(zone_at);
    let (time, fraction) = match time.split_once('.') {
        Some((t, f)) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => {
            (t, format!("0.{}", &f[..f.len().min(9)]).parse::<f64>().ok()? * 1000.0)
        }
        Some(_) => return None,
        None => (time, 0.0),
    };
    let offset_minutes = match zone {
        "Z" | "z" => 0,
        _ => {
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let (oh, om) = zone[1..].split_once(':')?;
            if oh.len() != 2 || om.len() != 2 {
                return None;
            }
            sign * (oh.parse::<i64>().ok()? * 60 + om.parse::<i64>().ok()?)
        }
    };
    let (h, m, s) = clock(time)?;
    let at = epoch_ms(y.parse().ok()?, mo.parse().ok()?, d.parse().ok()?, h, m, s, fraction)?;
    Some(at - (offset_minutes * 60_000) as f64)
}

/// `HH:MM:SS`, each two digits.
fn clock(text: &str) -> Option<(u32, u32, u32)> {
    let mut parts = text.split(':');
    let mut two = || parts.next().filter(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()))?.parse().ok();
    let hms = (two()?, two()?, two()?);
    parts.next().is_none().then_some(hms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_seconds_print_as_utc() {
        let utc = |epoch| Utc::from_epoch(epoch).readable();
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(1_798_761_599), "2026-12-31 23:59:59 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00 UTC");
    }

    #[test]
    fn each_form_of_a_date() {
        let t = Utc::from_epoch(1_795_954_988); // 2026-11-29T12:23:08Z, a Sunday
        assert_eq!(
            (t.readable(), t.basic(), t.http()),
            (
                "2026-11-29 12:23:08 UTC".to_string(),
                "20261129T122308Z".to_string(),
                "Sun, 29 Nov 2026 12:23:08 GMT".to_string()
            )
        );
        assert_eq!(Utc::from_epoch(0).http(), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(Utc::from_epoch(951_782_400).readable(), "2000-02-29 00:00:00 UTC");
        assert_eq!(Utc::from_epoch(-1).readable(), "1969-12-31 23:59:59 UTC");
        assert_eq!(Utc::from_ms(1_440_938_160_999.0).basic(), "20150830T123600Z");
    }

    #[test]
    fn dates_a_server_sends_are_read_back_and_anything_else_is_none() {
        let t = 1_795_954_988.0 * 1000.0;
        assert_eq!(parse_http_date("Sun, 29 Nov 2026 12:23:08 GMT"), Some(t));
        assert_eq!(parse_http_date(&Utc::from_ms(t).http()), Some(t));
        assert_eq!(parse_rfc3339("2026-11-29T12:23:08Z"), Some(t));
        assert_eq!(parse_rfc3339("2026-11-29T12:23:08.250Z"), Some(t + 250.0));
        assert_eq!(parse_rfc3339("2026-11-29T13:23:08+01:00"), Some(t));
        assert_eq!(parse_rfc3339("2000-02-29T00:00:00Z"), Some(951_782_400_000.0));
        for bad in [
            "",
            "Sun, 29 Nov 2026 12:23:08 UTC",
            "29 Nov 2026 12:23:08 GMT",
            "Sun, 31 Apr 2026 12:23:08 GMT",
            "Sun, 29 Nov 2026 25:23:08 GMT",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
        for bad in [
            "2026-11-29",
            "2026-11-29T12:23:08",
            "2026-13-01T00:00:00Z",
            "2026-02-30T00:00:00Z",
            "2026-11-29T12:23:08.Z",
            "x026-11-29T12:23:08Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn rfc3339_times_as_github_writes_them() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(Utc::from_epoch(1_798_761_599).rfc3339(), "2026-12-31T23:59:59Z");
        assert_eq!(parse_rfc3339("2026-12-31T23:59:59Z"), Some(1_798_761_599_000.0));
        assert_eq!(parse_rfc3339("2000-02-29T00:00:00.5Z"), Some(951_782_400_500.0));
        for bad in ["", "2026-12-31 23:59:59Z", "2026-13-01T00:00:00Z", "2026-12-31T23:59:59"] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
        // Another offset is applied.
        assert_eq!(parse_rfc3339("2026-12-31T23:59:59+02:00"), Some(1_798_754_399_000.0));
    }
}
