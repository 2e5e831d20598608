//! The pre-tokenizer of Qwen2 (and Llama 3) byte-level BPE, hand-compiled from its regex.
//!
//! tokenizer.json splits the text with
//! `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
//! (Llama 3: `\p{N}{1,3}` instead of `\p{N}`). A regex engine with look-ahead runs it at well under
//! 10 MB/s; every alternative is a run of one class, so [`piece_end`] decides the match at a
//! position by looking at a few characters, the way the backtracking engine would, in one pass.

use super::classes::{Classes, LETTER, NUMBER, SPACE};

/// Qwen2's split pattern, exactly as tokenizer.json spells it.
pub const QWEN2_PATTERN: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
/// Llama 3's: the same but numbers in groups of up to three digits.
pub const LLAMA3_PATTERN: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// A pre-tokenizer for one of the patterns above.
pub struct PreTokenizer {
    classes: Classes,
    /// Most digits in one piece (`\p{N}` = 1, `\p{N}{1,3}` = 3).
    max_digits: usize,
}

/// The character starting at byte `i` of `s` and its width.
#[inline(always)]
fn char_at(s: &str, i: usize) -> (char, usize) {
    let b = s.as_bytes()[i];
    if b < 0x80 {
        return (b as char, 1);
    }
    let c = s[i..]
        .chars()
        .next()
        .expect("i is a character boundary below len");
    (c, c.len_utf8())
}

impl PreTokenizer {
    /// The pre-tokenizer for `pattern`, or `None` when it is not one this module compiles.
    pub fn for_pattern(pattern: &str) -> Option<Self> {
        let max_digits = match pattern {
            QWEN2_PATTERN => 1,
            LLAMA3_PATTERN => 3,
            _ => return None,
        };
        Some(PreTokenizer {
            classes: Classes::new(),
            max_digits,
        })
    }

    #[inline(always)]
    fn class(&self, c: char) -> u8 {
        self.classes.of(c)
    }

    /// End of the run of characters from `i` whose class satisfies `keep`.
    #[inline(always)]
    fn run(&self, s: &str, mut i: usize, keep: impl Fn(char, u8) -> bool) -> usize {
        let b = s.as_bytes();
        while i < b.len() {
            let (c, w) = char_at(s, i);
            if !keep(c, self.class(c)) {
                break;
            }
            i += w;
        }
        i
    }

    /// Length of a contraction (`'s`, `'t`, `'re`, `'ve`, `'m`, `'ll`, `'d`, any case) at `i`, which
    /// holds an apostrophe; 0 if there is none.
    fn contraction(&self, s: &str, i: usize) -> usize {
        let rest = &s.as_bytes()[i + 1..];
        let lower = |k: usize| rest.get(k).map(|b| b.to_ascii_lowercase());
        match lower(0) {
            Some(b's' | b't' | b'm' | b'd') => 2,
            Some(b'r') if lower(1) == Some(b'e') => 3,
            Some(b'v') if lower(1) == Some(b'e') => 3,
            Some(b'l') if lower(1) == Some(b'l') => 3,
            // Case-insensitive `s` also matches U+017F (long s), which folds to it.
            _ if rest.starts_with("ſ".as_bytes()) => 3,
            _ => 0,
        }
    }

    /// Byte offset where the piece starting at byte `i` of `s` ends (`i < s.len()`, both on
    /// character boundaries): what the regex's leftmost-first match at `i` would be.
    pub fn piece_end(&self, s: &str, i: usize) -> usize {
        let len = s.len();
        let (c, w) = char_at(s, i);
        // 1. contractions
        if c == '\'' {
            let n = self.contraction(s, i);
            if n > 0 {
                return i + n;
            }
        }
        let k = self.class(c);
        let letters = |_: char, k: u8| k & LETTER != 0;
        // 2. `[^\r\n\p{L}\p{N}]?\p{L}+`
        if k & LETTER != 0 {
            return self.run(s, i + w, letters);
        }
        if k & NUMBER == 0 && c != '\r' && c != '\n' && i + w < len {
            let (c2, w2) = char_at(s, i + w);
            if self.class(c2) & LETTER != 0 {
                return self.run(s, i + w + w2, letters);
            }
        }
        // 3. `\p{N}` (or `\p{N}{1,3}`)
        if k & NUMBER != 0 {
            let mut end = i + w;
            for _ in 1..self.max_digits {
                if end >= len {
                    break;
                }
                let (c2, w2) = char_at(s, end);
                if self.class(c2) & NUMBER == 0 {
                    break;
                }
                end += w2;
            }
            return end;
        }
        // 4. ` ?[^\s\p{L}\p{N}]+[\r\n]*`
        let other = |_: char, k: u8| k == 0;
        let start = if c == ' ' { i + 1 } else { i };
        if start < len && self.class(char_at(s, start).0) == 0 {
            let end = self.run(s, start, other);
            return self.run(s, end, |c, _| c == '\r' || c == '\n');
        }
        // Only whitespace is left: `c` is in `\s`.
        debug_assert!(k & SPACE != 0);
        let run_end = self.run(s, i, |_, k| k & SPACE != 0);
        // 5. `\s*[\r\n]+`: the greedy `\s*` backs off to the last line break of the run.
        if let Some(last) = s.as_bytes()[i..run_end]
            .iter()
            .rposition(|&b| b == b'\r' || b == b'\n')
        {
            return i + last + 1;
        }
        // 6. `\s+(?!\S)`: all of the run at the end of the text, else all but its last character.
        if run_end == len {
            return run_end;
        }
        let last_start = s[..run_end]
            .char_indices()
            .next_back()
            .map_or(i, |(p, _)| p);
        if last_start > i {
            return last_start;
        }
        // 7. `\s+`
        run_end
    }

    /// The pieces of `s` as byte ranges, in order, covering it.
    ///
    /// Example: `"hi  there\n"` gives `hi`, ` `, ` there`, `\n`.
    pub fn pieces<'a>(&'a self, s: &'a str) -> impl Iterator<Item = (usize, usize)> + 'a {
        let mut i = 0;
        std::iter::from_fn(move || {
            if i >= s.len() {
                return None;
            }
            let end = self.piece_end(s, i);
            let span = (i, end);
            i = end;
            Some(span)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<&str> {
        let p = PreTokenizer::for_pattern(QWEN2_PATTERN).unwrap();
        p.pieces(text).map(|(a, b)| &text[a..b]).collect()
    }

    #[test]
    fn words_keep_one_leading_space_or_symbol() {
        assert_eq!(split("hi  there.foo"), ["hi", " ", " there", ".foo"]);
    }

    #[test]
    fn contractions_are_their_own_pieces_in_any_case() {
        assert_eq!(split("it's I'LL 'x"), ["it", "'s", " I", "'LL", " '", "x"]);
    }

    #[test]
    fn digits_are_single_pieces_in_qwen2_and_triples_in_llama3() {
        assert_eq!(split("x=12345"), ["x", "=", "1", "2", "3", "4", "5"]);
        let p = PreTokenizer::for_pattern(LLAMA3_PATTERN).unwrap();
        let t = "12345";
        let got: Vec<&str> = p.pieces(t).map(|(a, b)| &t[a..b]).collect();
        assert_eq!(got, ["123", "45"]);
    }

    #[test]
    fn whitespace_before_a_word_leaves_its_last_space_to_the_word() {
        assert_eq!(split("a    b"), ["a", "   ", " b"]);
        assert_eq!(split("a  \n\n  b  "), ["a", "  \n\n", " ", " b", "  "]);
    }

    #[test]
    fn symbols_take_a_leading_space_and_trailing_line_breaks() {
        assert_eq!(split("x = {}\r\n\ty"), ["x", " =", " {}\r\n", "\ty"]);
    }

    #[test]
    fn a_lone_space_before_a_digit_is_its_own_piece() {
        assert_eq!(split("a 1"), ["a", " ", "1"]);
    }
}
