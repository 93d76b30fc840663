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

    /// Milliseconds since the epoch of an RFC 3339 UTC time as GitHub writes it
    /// (`2026-11-29T13:29:08Z`, fractions of a second allowed); `None` for anything else
    /// (Howard Hinnant's days-from-civil).
    pub fn parse_rfc3339_ms(text: &str) -> Option<f64> {
        let b = text.as_bytes();
        let digits = |from: usize, len: usize| -> Option<i64> {
            let part = text.get(from..from + len)?;
            part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok())?
        };
        if b.len() < 20
            || b[4] != b'-'
            || b[7] != b'-'
            || !matches!(b[10], b'T' | b't')
            || b[13] != b':'
            || b[16] != b':'
        {
            return None;
        }
        let (y, m, d) = (digits(0, 4)?, digits(5, 2)?, digits(8, 2)?);
        let (h, min, sec) = (digits(11, 2)?, digits(14, 2)?, digits(17, 2)?);
        let mut rest = &text[19..];
        let mut fraction = 0.0;
        if let Some(f) = rest.strip_prefix('.') {
            let n = f.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return None;
            }
            fraction = format!("0.{}", &f[..n]).parse::<f64>().ok()?;
            rest = &f[n..];
        }
        if !matches!(rest, "Z" | "z" | "+00:00")
            || !(1..=12).contains(&m)
            || !(1..=31).contains(&d)
            || h > 23
            || min > 59
            || sec > 60
        {
            return None;
        }
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        Some(((days * 86_400 + h * 3600 + min * 60 + sec) as f64 + fraction) * 1000.0)
    }

    /// The moment `ms` milliseconds after the epoch (the host's clock), to the second below.
    pub fn from_ms(ms: f64) -> Utc {
        Utc::from_epoch((ms / 1000.0).floor() as i64)
    }

    /// RFC 3339, `YYYY-MM-DDTHH:MM:SSZ`, for JSON.
    pub fn rfc3339(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    /// `YYYY-MM-DD HH:MM:SS UTC`, for messages.
    pub fn readable(&self) -> String {
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn rfc3339_times_as_github_writes_them() {
        assert_eq!(Utc::parse_rfc3339_ms("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(Utc::from_epoch(1_798_761_599).rfc3339(), "2026-12-31T23:59:59Z");
        assert_eq!(Utc::parse_rfc3339_ms("2026-12-31T23:59:59Z"), Some(1_798_761_599_000.0));
        assert_eq!(Utc::parse_rfc3339_ms("2000-02-29T00:00:00.5Z"), Some(951_782_400_500.0));
        for bad in
            ["", "2026-12-31 23:59:59Z", "2026-13-01T00:00:00Z", "2026-12-31T23:59:59+02:00", "2026-12-31T23:59:59"]
        {
            assert_eq!(Utc::parse_rfc3339_ms(bad), None, "{bad}");
        }
    }
}
