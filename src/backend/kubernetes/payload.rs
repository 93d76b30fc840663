//! A state as Terraform's kubernetes backend stores it: gzip of the state JSON, cut into 1 MiB
//! chunks, each the `data.tfstate` of one Secret (`tfstate-<ws>-<suffix>`, then `…-part-1`,
//! `…-part-2`, …), base64-encoded by the API as any Secret's data. Pure: bytes in, bytes out.

use base64::Engine;

/// The position of a Secret's chunk in the state: the number after the name's last `-` when
/// the name ends in `-part-<N>`, else 0 (the first chunk has no suffix). Terraform orders by
/// the number after the last `-`; a secret suffix never ends in `-<digits>` (it is refused), so
/// only `-part-N` can end a chunk's name in digits.
pub fn chunk_index(name: &str) -> u64 {
    match name.rsplit_once("-part-") {
        Some((_, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => n.parse().unwrap_or(u64::MAX),
        _ => 0,
    }
}

/// The Secret whose `data.tfstate` is not base64.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotBase64(pub String);

/// Why the joined chunks are not a state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// They are not gzip (what is wrong with them).
    NotGzip(String),
    /// The state they hold is larger than `limit` bytes once decompressed.
    TooLarge { limit: u64 },
}

/// The bytes of `chunks` (Secret name, base64 of its `data.tfstate`), in chunk order.
pub fn join(mut chunks: Vec<(String, String)>) -> Result<Vec<u8>, NotBase64> {
    chunks.sort_by_key(|(name, _)| chunk_index(name));
    let mut gz = Vec::new();
    for (name, data) in &chunks {
        // The API server writes standard base64 with padding; Go's decoder is as strict.
        base64::engine::general_purpose::STANDARD
            .decode_vec(data.as_bytes(), &mut gz)
            .map_err(|_| NotBase64(name.clone()))?;
    }
    Ok(gz)
}

const FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;

/// The state inside one gzip member (RFC 1952), at most `limit` bytes of it: more is
/// [`Problem::TooLarge`], found while inflating, so a small bomb never grows past the limit.
/// The trailer's CRC-32 and length are checked: chunks joined wrong do not pass for a state.
pub fn gunzip(gz: &[u8], limit: u64) -> Result<Vec<u8>, Problem> {
    let not_gzip = |why: &str| Problem::NotGzip(why.to_string());
    if gz.len() < 18 || gz[0] != 0x1f || gz[1] != 0x8b {
        return Err(not_gzip("it does not start with gzip's magic bytes 1f 8b"));
    }
    if gz[2] != 8 {
        return Err(not_gzip("its compression method is not deflate"));
    }
    let flags = gz[3];
    let mut at = 10usize;
    let truncated = || not_gzip("its header is cut short");
    if flags & FEXTRA != 0 {
        let len = gz.get(at..at + 2).ok_or_else(truncated)?;
        at += 2 + u16::from_le_bytes([len[0], len[1]]) as usize;
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            let end = gz.get(at..).and_then(|rest| rest.iter().position(|&b| b == 0)).ok_or_else(truncated)?;
            at += end + 1;
        }
    }
    if flags & FHCRC != 0 {
        at += 2;
    }
    if at + 8 > gz.len() {
        return Err(truncated());
    }
    let (deflate, trailer) = (&gz[at..gz.len() - 8], &gz[gz.len() - 8..]);
    let max = usize::try_from(limit).unwrap_or(usize::MAX);
    let state = miniz_oxide::inflate::decompress_to_vec_with_limit(deflate, max).map_err(|e| match e.status {
        miniz_oxide::inflate::TINFLStatus::HasMoreOutput => Problem::TooLarge { limit },
        _ => not_gzip("its compressed data is damaged or cut short"),
    })?;
    let crc = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
    let size = u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]);
    if size != state.len() as u32 || crc != crc32(&state) {
        return Err(not_gzip("its checksum does not match its content (chunks missing or out of order?)"));
    }
    Ok(state)
}

/// CRC-32 (IEEE), gzip's checksum; a table computed once at compile time.
fn crc32(data: &[u8]) -> u32 {
    const TABLE: [u32; 256] = {
        let mut table = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
                k += 1;
            }
            table[i] = c;
            i += 1;
        }
        table
    };
    !data.iter().fold(!0u32, |c, &b| TABLE[((c ^ b as u32) & 0xff) as usize] ^ (c >> 8))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A gzip member of `data` as Go's writer makes it (no name, stored mtime 0).
    pub fn gzip(data: &[u8]) -> Vec<u8> {
        let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
        out.extend(miniz_oxide::deflate::compress_to_vec(data, 6));
        out.extend(crc32(data).to_le_bytes());
        out.extend((data.len() as u32).to_le_bytes());
        out
    }

    pub fn b64(data: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(data)
    }

    #[test]
    fn chunks_are_ordered_by_the_number_after_part() {
        assert_eq!(chunk_index("tfstate-default-app"), 0);
        assert_eq!(chunk_index("tfstate-default-app-part-1"), 1);
        assert_eq!(chunk_index("tfstate-default-app-part-12"), 12);
        assert_eq!(chunk_index("tfstate-big-part-x"), 0);
    }

    #[test]
    fn chunks_listed_out_of_order_join_in_order_and_gunzip_to_the_state() {
        let state = br#"{"version":4,"serial":3}"#.repeat(1000);
        let gz = gzip(&state);
        let third = gz.len() / 3;
        let (a, rest) = gz.split_at(third);
        let (b, c) = rest.split_at(third);
        let chunks = vec![
            ("tfstate-default-app-part-10".to_string(), b64(c)),
            ("tfstate-default-app".to_string(), b64(a)),
            ("tfstate-default-app-part-2".to_string(), b64(b)),
        ];
        // part-10 after part-2: ordered by number, not by text.
        let joined = join(chunks).unwrap();
        assert_eq!(gunzip(&joined, 1 << 20).unwrap(), state);
    }

    #[test]
    fn chunks_in_the_wrong_order_fail_the_checksum_or_the_inflater() {
        let state: Vec<u8> = (0..50_000u32).flat_map(|i| i.wrapping_mul(2_654_435_761).to_le_bytes()).collect();
        let gz = gzip(&state);
        let (a, b) = gz.split_at(gz.len() / 2);
        let wrong = join(vec![("x".into(), b64(a)), ("x-part-1".into(), b64(b))]).unwrap();
        assert_eq!(gunzip(&wrong, 1 << 30).unwrap(), state);
        let mut swapped = b.to_vec();
        swapped.extend(a);
        assert!(matches!(gunzip(&swapped, 1 << 30), Err(Problem::NotGzip(_))));
    }

    #[test]
    fn a_gzip_bomb_stops_at_the_limit() {
        let bomb = gzip(&vec![0u8; 8 << 20]);
        assert!(bomb.len() < 64 << 10);
        assert_eq!(gunzip(&bomb, 1 << 20), Err(Problem::TooLarge { limit: 1 << 20 }));
        assert_eq!(gunzip(&bomb, 8 << 20).unwrap().len(), 8 << 20);
    }

    #[test]
    fn data_that_is_not_gzip_or_not_base64_says_so() {
        assert_eq!(
            gunzip(br#"{"version":4,"serial":1,"lineage":"x"}"#, 1 << 20),
            Err(Problem::NotGzip("it does not start with gzip's magic bytes 1f 8b".into()))
        );
        let mut cut = gzip(b"hello world, hello world");
        cut.truncate(cut.len() - 12);
        assert!(matches!(gunzip(&cut, 1 << 20), Err(Problem::NotGzip(_))));
        assert_eq!(join(vec![("s".into(), "not base64!".into())]), Err(NotBase64("s".into())));
    }

    #[test]
    fn header_fields_go_writes_or_others_might_are_skipped() {
        let plain = gzip(b"state");
        let mut named = vec![0x1f, 0x8b, 8, FNAME | FEXTRA, 0, 0, 0, 0, 0, 3, 2, 0, b'x', b'y'];
        named.extend(b"terraform.tfstate\0");
        named.extend(&plain[10..]);
        assert_eq!(gunzip(&named, 100).unwrap(), b"state");
    }
}
