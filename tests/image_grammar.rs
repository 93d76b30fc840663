//! Differential test: `state::image::parse` against distribution/reference's regular
//! expression, transcribed with the `regex` crate (a dev-dependency only, so `dist/` does not
//! grow). Over a large, deterministic set of strings — every short string over the grammar's
//! punctuation, valid references mutated with quotes, `$`, `;`, blanks, newlines and Unicode,
//! and references built near every limit — the parser must accept exactly what the regex
//! matches (plus the rules the module documents), and split it the same way.
//!
//! The regex and the comparison live in `fuzz/src/lib.rs`, shared with the `image_ref` fuzz
//! target.

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod checks;

/// A small, fixed pseudo-random sequence (xorshift64*): the same strings on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

const SHA256: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// Valid references of every shape, the mutations' starting points.
fn seeds() -> Vec<String> {
    let mut v: Vec<String> = [
        "nginx",
        "nginx:1.25",
        "library/nginx:latest",
        "ghcr.io/org/app:v1.2.3",
        "localhost/app",
        "localhost:5000/app:v2",
        "[::1]:5000/app:1",
        "[fe80::1]/team/app",
        "[AB]/c",
        "127.0.0.1:5000/a/b/c:tag_1",
        "Registry.Example.COM/app",
        "a.b_c/d:1",
        "a__b/c---d_e.f:x",
        "my-registry.io:443/team/app_x.y:1.0-rc.1",
        "215848077383.dkr.ecr.us-east-2.amazonaws.com/infrahash:latest",
        "app@sha512:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "app@multihash+base58.x-y_z:0123456789abcdef0123456789abcdef",
    ]
    .map(String::from)
    .to_vec();
    v.push(format!("ghcr.io/org/app:1.2@{SHA256}"));
    v.push(format!("[::1]:5000/app@{SHA256}"));
    v
}

/// Characters the mutations insert: the grammar's punctuation, what a shell acts on, blanks,
/// and Unicode that case-folds or classifies surprisingly (Kelvin sign, dotted I, long s, Arabic
/// digit, full-width letter, a combining accent, the bidirectional override).
const INSERTS: &[&str] = &[
    "[", "]", ":", "@", "/", ".", "_", "-", "__", "--", "+", "\"", "$", ";", "\n", "\r", " ", "\t", "'", "`", "\\",
    "${IFS}", "a", "Z", "0", "f", "é", "\u{212a}", "\u{130}", "\u{17f}", "\u{663}", "Ａ", "e\u{301}", "\u{202e}", "\0",
    "sha256:", "::1",
];

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut s: Vec<char> = text.chars().collect();
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(s.len() + 1);
        match rng.below(5) {
            0 | 1 => {
                let insert: Vec<char> = rng.pick(INSERTS).chars().collect();
                s.splice(at..at, insert);
            }
            2 if at < s.len() => {
                s.remove(at);
            }
            3 if at < s.len() => {
                let insert: Vec<char> = rng.pick(INSERTS).chars().collect();
                s.splice(at..at + 1, insert);
            }
            _ => {
                // Repeat a span: doubled separators, doubled ports, doubled brackets.
                let end = (at + 1 + rng.below(6)).min(s.len());
                let span: Vec<char> = s[at.min(end)..end].to_vec();
                s.splice(end..end, span);
            }
        }
    }
    s.into_iter().collect()
}

/// A reference assembled from random parts, each sometimes just over a limit: components and
/// separators, ports, IPv6 hosts, 128-character tags, 32/64/128-digit digests, 255-character names.
fn built(rng: &mut Rng) -> String {
    let mut s = String::new();
    match rng.below(5) {
        0 => {}
        1 => s.push_str(rng.pick(&["ghcr.io/", "localhost/", "a-b.c-d.e/", "-a.b/", "a.b-/", "x.y:80/", "x.y:/"])),
        2 => s.push_str(rng.pick(&["[::1]/", "[::]:1/", "[a:b]/", "[::1]x/", "[::g]/", "[]/", "[::1]:/", "[::1]]/"])),
        3 => s.push_str(&format!("{}.io/", "r".repeat(1 + rng.below(60)))),
        _ => s.push_str("Upper/"),
    }
    let components = 1 + rng.below(4);
    for i in 0..components {
        if i > 0 {
            s.push('/');
        }
        s.push_str(&"ab0".repeat(1 + rng.below(3)));
        if rng.below(2) == 0 {
            s.push_str(rng.pick(&[".", "_", "__", "-", "---", "..", "___", "-_", ""]));
            s.push_str(rng.pick(&["x", "9", "", "X"]));
        }
    }
    if rng.below(8) == 0 {
        s.push_str(&"n".repeat(200 + rng.below(80)));
    }
    if rng.below(2) == 0 {
        s.push(':');
        let first = rng.pick(&['v', '_', '9', '.', '-', 'V']);
        s.push(first);
        let len = rng.pick(&[0, 5, 126, 127, 128]);
        s.extend((0..len).map(|i| ['a', '.', '-', '_', 'Z'][i % 5]));
    }
    if rng.below(2) == 0 {
        s.push('@');
        s.push_str(rng.pick(&["sha256", "sha512", "sha384", "a+b", "a.b-c_d", "1sha", "sha-", "", "Sha256"]));
        s.push(':');
        let len = rng.pick(&[31, 32, 33, 63, 64, 65, 127, 128, 129]);
        s.extend((0..len).map(|i| ['0', 'f', 'A', '9'][i % 4]));
    }
    s
}

/// Every string of up to `max` characters over `alphabet`.
fn exhaustive(alphabet: &[char], max: usize, out: &mut Vec<String>) {
    let mut level = vec![String::new()];
    for _ in 0..max {
        let mut next = Vec::with_capacity(level.len() * alphabet.len());
        for s in &level {
            for c in alphabet {
                next.push(format!("{s}{c}"));
            }
        }
        out.extend(next.iter().cloned());
        level = next;
    }
}

fn disagreements(texts: &[String]) -> (usize, Vec<String>) {
    let mut accepted = 0;
    let mut wrong = Vec::new();
    for t in texts {
        if let Some(why) = checks::image_disagreement(t) {
            wrong.push(why);
        } else if stage_action::state::image::parse(t).is_ok() {
            accepted += 1;
        }
    }
    (accepted, wrong)
}

fn assert_agree(what: &str, texts: &[String], min_accepted: usize) {
    let (accepted, wrong) = disagreements(texts);
    assert!(
        wrong.is_empty(),
        "{what}: {} of {} strings disagree; the first:\n{}",
        wrong.len(),
        texts.len(),
        wrong.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
    );
    assert!(accepted >= min_accepted, "{what}: only {accepted} of {} strings were valid references", texts.len());
}

#[test]
fn the_seeds_are_valid_references_by_both() {
    let seeds = seeds();
    for s in &seeds {
        assert!(checks::expected_image(s).is_some(), "{s}");
    }
    assert_agree("seeds", &seeds, seeds.len());
}

#[test]
fn every_short_string_over_the_grammar_s_punctuation_agrees() {
    let mut texts = Vec::new();
    exhaustive(&['a', 'A', '0', '.', '-', '_', ':', '/', '@', '[', ']'], 5, &mut texts);
    assert_agree("short strings", &texts, 1_000);
}

#[test]
fn mutated_references_agree() {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let seeds = seeds();
    let mut texts = Vec::new();
    for _ in 0..150_000 {
        let seed = seeds[rng.below(seeds.len())].clone();
        texts.push(mutate(&mut rng, &seed));
    }
    assert_agree("mutations", &texts, 5_000);
}

#[test]
fn references_built_near_every_limit_agree() {
    let mut rng = Rng(0x5eed_1234_abcd_0002);
    let texts: Vec<String> = (0..40_000).map(|_| built(&mut rng)).collect();
    assert_agree("built references", &texts, 5_000);
}

#[test]
fn the_reported_injection_is_refused_by_both() {
    for text in ["[::1]x/a:1", "[::1]\";touch${IFS}PWNED;echo${IFS}\"/app:1.0", "[::1]\n/app:1", "[::1]\r/app"] {
        assert!(checks::expected_image(text).is_none(), "{text:?}");
        assert!(stage_action::state::image::parse(text).is_err(), "{text:?}");
    }
}
