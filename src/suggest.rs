//! "Did you mean": one way to find a close match for a misspelt name — a command, an input, a
//! stages-file setting, a stage — so that every suggestion follows the same rules.

/// Names longer than this are not compared: the edit distance costs the product of the lengths,
/// and no name this action knows is anywhere near it.
const LONGEST_COMPARED: usize = 1024;

/// A close match for `given` among `known`. Optimal string alignment counts a swap of two
/// letters as one edit (`form` → `from`); the edits allowed grow with the length (a third of
/// it, at least one), so short words do not match everything. Case, and `_` versus `-`, are
/// ignored first: `min_soak` and `Min-Soak` both mean `min-soak`.
pub fn closest<'k>(given: &str, known: impl IntoIterator<Item = &'k str>) -> Option<&'k str> {
    let plausible = |s: &str| s.len() <= LONGEST_COMPARED;
    if !plausible(given) {
        return None;
    }
    let normal = |s: &str| s.to_lowercase().replace('_', "-");
    let given_normal = normal(given);
    known
        .into_iter()
        .filter(|k| plausible(k))
        .map(|k| (strsim::osa_distance(&given_normal, &normal(k)), k))
        .filter(|(d, k)| *d <= (k.chars().count() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_names_match_and_far_or_short_ones_do_not() {
        assert_eq!(closest("form", ["from", "state"]), Some("from"));
        assert_eq!(closest("min_soak", ["min-soak", "hold"]), Some("min-soak"));
        assert_eq!(closest("lokup", ["lookup", "guard", "promote"]), Some("lookup"));
        assert_eq!(closest("x", ["to", "tag"]), None);
        assert_eq!(closest("replicas", ["state", "address"]), None);
        assert_eq!(closest(&"a".repeat(5000), ["a"]), None);
    }
}
