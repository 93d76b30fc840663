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
}
