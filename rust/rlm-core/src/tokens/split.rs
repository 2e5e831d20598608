//! Where a text may be cut so that tokenizing the parts gives exactly the tokens of the whole.
//!
//! A cut at byte `p` is safe when (1) no regex match of the pre-tokenizer crosses `p`, (2) matching
//! the left part alone ends the same way (the pattern's only look-ahead, `\s+(?!\S)`, must not be
//! what decides its last piece), (3) no added token crosses `p`, and (4) NFC does not compose or
//! reorder across `p`. For the Qwen2 / Llama 3 pattern two kinds of place satisfy all four:
//!
//! - **after a `\n` followed by a printable ASCII character** (`!`..`~`): no alternative puts a
//!   line break and a following non-space in one match (line breaks only end a match:
//!   `[\r\n]*` and `\s*[\r\n]+`), so a piece ends at the `\n`. On the left, a whitespace run that
//!   ends in `\n` is taken by `\s*[\r\n]+`, which comes before `\s+(?!\S)`, so the look-ahead is
//!   never the deciding alternative;
//! - **before a space between two ASCII letters** (`a b`): a letter run ends at a space, and
//!   ` b...` starts a new `[^\r\n\p{L}\p{N}]?\p{L}+` match whatever precedes it; no look-ahead
//!   touches a letter.
//!
//! The character after the cut is ASCII, which NFC never composes with what precedes it, and
//! [`super::Tokenizer`] disables cutting when an added token holds a space or a `\n`. A text with
//! neither kind of place (one huge line of non-letters) is counted in one piece on one core.

/// How far past the wanted size to look for a line-break cut before settling for a space cut.
const LINE_WINDOW: usize = 64 << 10;

fn after_line_break(b: &[u8], p: usize) -> bool {
    b[p - 1] == b'\n' && (0x21..=0x7e).contains(&b[p])
}

fn before_space_in_words(b: &[u8], p: usize) -> bool {
    b[p] == b' '
        && b[p - 1].is_ascii_alphabetic()
        && b.get(p + 1).is_some_and(u8::is_ascii_alphabetic)
}

/// The first safe cut at or after `from` (and before `len - 1`), if any.
pub fn next_cut(text: &str, from: usize) -> Option<usize> {
    let b = text.as_bytes();
    let from = from.max(1);
    if from >= b.len() {
        return None;
    }
    let window = &b[from - 1..b.len().min(from + LINE_WINDOW)];
    for nl in memchr::memchr_iter(b'\n', window) {
        let p = from + nl; // the byte after the `\n`
        if p < b.len() && after_line_break(b, p) {
            return Some(p);
        }
    }
    // No usable line break nearby: a space between words, then line breaks further on.
    for sp in memchr::memchr_iter(b' ', &b[from..]) {
        let p = from + sp;
        if before_space_in_words(b, p) {
            return Some(p);
        }
        if p > from + 4 * LINE_WINDOW {
            break;
        }
    }
    let start = from + window.len().saturating_sub(1);
    memchr::memchr_iter(b'\n', &b[start.min(b.len())..])
        .map(|nl| start + nl + 1)
        .find(|&p| p < b.len() && after_line_break(b, p))
}

/// Byte ranges covering `text`, each about `size` bytes or more, cut only at safe places.
///
/// Example: `parts("ab\ncd\n", 1)` is `[(0, 3), (3, 6)]`.
pub fn parts(text: &str, size: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let end = next_cut(text, start + size.max(1)).unwrap_or(text.len());
        out.push((start, end));
        start = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_after_a_line_break_before_a_printable_character() {
        assert_eq!(parts("ab\ncd\n", 1), [(0, 3), (3, 6)]);
        // Not before an indented line, a blank line, or a line starting with a non-ASCII letter.
        assert_eq!(parts("ab\n  cd\n\néf\n", 1), [(0, 13)]);
    }

    #[test]
    fn falls_back_to_a_space_between_ascii_words() {
        assert_eq!(parts("aaa bbb ccc", 2), [(0, 3), (3, 7), (7, 11)]);
        assert_eq!(parts("a1 2b", 1), [(0, 5)]);
    }

    #[test]
    fn a_crlf_is_never_cut() {
        assert_eq!(parts("a\r\nb", 1), [(0, 3), (3, 4)]);
        assert_eq!(parts("a\r\nb", 2), [(0, 3), (3, 4)]);
    }
}
