//! NFC of a segment that is not NFC, with a map from offsets of the result back to the input.
//!
//! NFC changes text only around characters that may compose with what precedes them or be
//! reordered (combining marks, conjoining jamo, ...). Before a character with canonical combining
//! class 0 and NFC_Quick_Check=Yes nothing composes or reorders across, so
//! `NFC(a + b) == NFC(a) + NFC(b)` when `b` starts with one (Unicode's "normalization boundary").
//! Only the regions between such boundaries that hold another kind of character are normalized;
//! the rest is copied, so offsets outside the changed regions map back exactly.

use std::ops::Range;

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// A region NFC changed: its range in the normalized text and in the input.
pub type Changed = (Range<usize>, Range<usize>);

fn boundary_before(c: char) -> bool {
    c.is_ascii()
        || (canonical_combining_class(c) == 0
            && is_nfc_quick(std::iter::once(c)) == IsNormalized::Yes)
}

/// `NFC(seg)` and the regions it changed, in order.
///
/// Example: for `"cafe\u{301}!"` the result is `"café!"` with one region, `3..5` of the result
/// for `3..6` of the input.
pub fn normalize(seg: &str) -> (String, Vec<Changed>) {
    let mut out = String::with_capacity(seg.len());
    let mut changed = Vec::new();
    let mut copied = 0; // seg[..copied] is in `out`
    let mut last_boundary = 0; // offset of the last character a boundary precedes
    let mut chars = seg.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if boundary_before(c) {
            last_boundary = i;
            continue;
        }
        // `c` may compose or reorder: its region runs from the last boundary to the next one.
        let mut end = seg.len();
        while let Some(&(j, d)) = chars.peek() {
            if boundary_before(d) {
                end = j;
                break;
            }
            chars.next();
        }
        out.push_str(&seg[copied..last_boundary]);
        let region = &seg[last_boundary..end];
        let at = out.len();
        out.extend(region.nfc());
        if &out[at..] != region {
            changed.push((at..out.len(), last_boundary..end));
        }
        copied = end;
    }
    out.push_str(&seg[copied..]);
    (out, changed)
}

/// The input offset of offset `x` of the normalized text, or `None` inside a changed region
/// (where no input offset corresponds).
pub fn to_input(changed: &[Changed], x: usize) -> Option<usize> {
    let k = changed.partition_point(|(n, _)| n.start < x);
    match k.checked_sub(1).map(|k| &changed[k]) {
        None => Some(x),
        Some((n, _)) if x < n.end => None,
        Some((n, o)) => Some(x - n.end + o.end),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_only_the_regions_that_change_and_maps_offsets_back() {
        let (out, changed) = normalize("cafe\u{301}! x\u{327}\u{301} ok");
        assert_eq!(
            out,
            "café! ".to_owned() + &"x\u{327}\u{301}".nfc().collect::<String>() + " ok"
        );
        assert_eq!(changed[0], (3..5, 3..6));
        assert_eq!(to_input(&changed, 3), Some(3));
        assert_eq!(to_input(&changed, 4), None);
        assert_eq!(to_input(&changed, 5), Some(6));
        assert_eq!(
            to_input(&changed, out.len()),
            Some("cafe\u{301}! x\u{327}\u{301} ok".len())
        );
    }

    #[test]
    fn equals_whole_text_nfc_on_mixed_text() {
        let pieces = [
            "e\u{301}",
            "\u{301}",
            "a",
            " ",
            "\u{1100}\u{1161}\u{11a8}",
            "\u{0b47}\u{0b3e}",
            "A\u{30a}",
            "\u{212b}",
            "東",
            "\u{327}\u{301}",
            "\r\n",
            "ſ",
        ];
        let mut r = 7u64;
        for _ in 0..2000 {
            let mut s = String::new();
            for _ in 0..12 {
                r = r
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                s.push_str(pieces[(r >> 33) as usize % pieces.len()]);
            }
            let (out, changed) = normalize(&s);
            assert_eq!(out, s.nfc().collect::<String>(), "{s:?}");
            for (n, o) in &changed {
                assert_eq!(out[n.clone()], s[o.clone()].nfc().collect::<String>());
            }
        }
    }
}
