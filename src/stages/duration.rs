//! Soak times: `45s`, `30m`, `2h`, `1d`, and combinations such as `1h30m` or `1d 12h`.
//!
//! Whole seconds only. A soak time is a policy a person writes and reads, so the grammar is
//! deliberately small: units from largest to smallest, each at most once, no fractions, no
//! unit-less numbers (is `90` seconds or minutes?). [`format_duration`] writes what
//! [`parse_duration`] reads, so a duration shown in a refusal can be pasted back into the file.

use std::time::Duration;

/// The units, largest first, with their length in seconds.
const UNITS: [(&str, u64); 4] = [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)];

/// Parses a duration such as `2h`, `1h30m` or `1d 12h` (spaces between parts are allowed, so
/// [`format_duration`]'s output parses back). Refuses zero, negative, fractional and unit-less
/// durations, unknown units, units out of order or repeated, and overflow.
///
/// The error does not quote `text`: the caller says which setting holds it.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("it is empty".into());
    }
    // Messages below quote parts of the text: a soak time is a few characters, so a long text
    // is refused before anything of it is shown.
    const LONGEST: usize = 64;
    if text.chars().count() > LONGEST {
        return Err(format!(
            "it is {} characters long; a soak time is short, such as 2h or 1h30m",
            text.chars().count()
        ));
    }
    if text.starts_with('-') {
        return Err("it is negative; a soak time counts forward from a change".into());
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(if text.bytes().all(|b| b == b'0') {
            zero()
        } else {
            format!("the number {text} has no unit; write it with d, h, m or s, e.g. {text}m")
        });
    }

    let mut total: u64 = 0;
    // The rank (index in UNITS) of the previous part's unit, to keep them in order.
    let mut previous: Option<usize> = None;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        let (number, after) = rest.split_at(digits);
        let unit_len = after.find(|c: char| c.is_ascii_digit() || c.is_whitespace()).unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_len);
        if number.is_empty() {
            return Err(format!("{} has no number before it", crate::text::quote(unit)));
        }
        if unit.is_empty() {
            let next = after.trim_start();
            if next.starts_with(|c: char| c.is_alphabetic()) {
                let unit: String = next.chars().take_while(|c| c.is_alphabetic()).collect();
                return Err(format!("write the unit right after the number: {number}{unit}, not {number} {unit}"));
            }
            return Err(format!("the number {number} has no unit (d, h, m or s)"));
        }
        if unit.starts_with(['.', ',']) {
            return Err("fractions are not supported; use a smaller unit instead (90m, not 1.5h)".into());
        }
        let Some(rank) = UNITS.iter().position(|(u, _)| *u == unit) else {
            return Err(format!("unknown unit {}; the units are d, h, m and s", crate::text::quote(unit)));
        };
        match previous {
            Some(p) if p == rank => return Err(format!("the unit \"{unit}\" appears twice")),
            Some(p) if p > rank => {
                return Err(format!(
                    "\"{unit}\" comes after \"{}\"; write the units largest first, e.g. 1d2h30m",
                    UNITS[p].0
                ))
            }
            _ => previous = Some(rank),
        }
        let part = number.parse::<u64>().ok().and_then(|n| n.checked_mul(UNITS[rank].1));
        total = part.and_then(|p| total.checked_add(p)).ok_or_else(|| "it is too long".to_string())?;
        rest = after.trim_start();
    }
    if total == 0 {
        return Err(zero());
    }
    Ok(Duration::from_secs(total))
}

fn zero() -> String {
    "it is zero; give a positive duration such as 30m".into()
}

/// Writes a duration in whole seconds, largest units first, skipping zero parts: `1h 30m`,
/// `2d 3h`, `45s`; `0s` for less than a second. Sub-second parts are dropped: the caller
/// rounds first when the direction matters (a time that remains rounds up).
pub fn format_duration(duration: Duration) -> String {
    let mut left = duration.as_secs();
    if left == 0 {
        return "0s".into();
    }
    let mut parts = Vec::new();
    for (unit, seconds) in UNITS {
        if left >= seconds {
            parts.push(format!("{}{unit}", left / seconds));
            left %= seconds;
        }
    }
    parts.join(" ")
}
