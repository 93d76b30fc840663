//! Soak times: what parses, what is refused and why, and that formatting reads back.

use std::time::Duration;

use super::super::*;

const MINUTE: u64 = 60;
const HOUR: u64 = 3_600;
const DAY: u64 = 86_400;

#[test]
fn durations_parse_in_every_unit_and_combination() {
    let cases = [
        ("45s", 45),
        ("30m", 30 * MINUTE),
        ("2h", 2 * HOUR),
        ("1d", DAY),
        ("1h30m", HOUR + 30 * MINUTE),
        ("1h 30m", HOUR + 30 * MINUTE),
        ("1d2h3m4s", DAY + 2 * HOUR + 3 * MINUTE + 4),
        ("1d 2h 3m 4s", DAY + 2 * HOUR + 3 * MINUTE + 4),
        ("  2h  ", 2 * HOUR),
        ("90m", 90 * MINUTE),
        ("0h30m", 30 * MINUTE),
        ("007m", 7 * MINUTE),
        ("1d0s", DAY),
        ("213503982334601d 7h 15s", u64::MAX),
    ];
    for (text, seconds) in cases {
        assert_eq!(parse_duration(text), Ok(Duration::from_secs(seconds)), "{text:?}");
    }
}

#[test]
fn bad_durations_say_what_is_wrong() {
    let cases = [
        ("", "it is empty"),
        ("   ", "it is empty"),
        ("0", "it is zero; give a positive duration such as 30m"),
        ("0s", "it is zero; give a positive duration such as 30m"),
        ("0h 0m", "it is zero; give a positive duration such as 30m"),
        ("-1h", "it is negative; a soak time counts forward from a change"),
        ("-0", "it is negative; a soak time counts forward from a change"),
        ("90", "the number 90 has no unit; write it with d, h, m or s, e.g. 90m"),
        ("1h30", "the number 30 has no unit (d, h, m or s)"),
        ("2 h", "write the unit right after the number: 2h, not 2 h"),
        ("2w", "unknown unit \"w\"; the units are d, h, m and s"),
        ("500ms", "unknown unit \"ms\"; the units are d, h, m and s"),
        ("2H", "unknown unit \"H\"; the units are d, h, m and s"),
        ("2hours", "unknown unit \"hours\"; the units are d, h, m and s"),
        ("1:30", "unknown unit \":\"; the units are d, h, m and s"),
        ("1.5h", "fractions are not supported; use a smaller unit instead (90m, not 1.5h)"),
        ("1,5h", "fractions are not supported; use a smaller unit instead (90m, not 1.5h)"),
        ("h", "\"h\" has no number before it"),
        ("1h h", "\"h\" has no number before it"),
        ("+1h", "\"+\" has no number before it"),
        ("1h2h", "the unit \"h\" appears twice"),
        ("30m1h", "\"h\" comes after \"m\"; write the units largest first, e.g. 1d2h30m"),
        ("1s1d", "\"d\" comes after \"s\"; write the units largest first, e.g. 1d2h30m"),
        ("213503982334602d", "it is too long"),
        ("213503982334601d 7h 16s", "it is too long"),
        ("18446744073709551615m", "it is too long"),
        ("99999999999999999999s", "it is too long"),
    ];
    for (text, message) in cases {
        assert_eq!(parse_duration(text), Err(message.to_string()), "{text:?}");
    }
}

#[test]
fn durations_format_largest_unit_first_without_zero_parts() {
    let cases = [
        (0, "0s"),
        (45, "45s"),
        (60, "1m"),
        (90 * MINUTE, "1h 30m"),
        (HOUR + 12 * MINUTE, "1h 12m"),
        (2 * DAY + 3 * HOUR, "2d 3h"),
        (DAY + 1, "1d 1s"),
        (3 * DAY + 4 * HOUR + 5 * MINUTE + 6, "3d 4h 5m 6s"),
        (u64::MAX, "213503982334601d 7h 15s"),
    ];
    for (seconds, text) in cases {
        assert_eq!(format_duration(Duration::from_secs(seconds)), text, "{seconds}");
    }
}

#[test]
fn sub_second_parts_are_dropped_when_formatting() {
    assert_eq!(format_duration(Duration::from_millis(999)), "0s");
    assert_eq!(format_duration(Duration::from_millis(61_500)), "1m 1s");
}

#[test]
fn formatted_durations_parse_back_to_themselves() {
    let mut seconds = 1u64;
    while seconds < 400 * DAY {
        let d = Duration::from_secs(seconds);
        assert_eq!(parse_duration(&format_duration(d)), Ok(d), "{seconds}");
        // Roughly geometric, with odd steps so every unit gets a non-zero part along the way.
        seconds = seconds * 3 / 2 + 7;
    }
    for text in ["45s", "30m", "2h", "1d", "1h 30m", "2d 3h", "1d 2h 3m 4s"] {
        assert_eq!(format_duration(parse_duration(text).unwrap()), text);
    }
}
