//! The three character classes a byte-level BPE pre-tokenizer regex uses: `\p{L}`, `\p{N}`, `\s`.
//!
//! Taken from `regex-syntax`'s Unicode tables (the ones the regex crate matches with), flattened
//! into a byte per BMP code point so the pre-tokenizer classifies a character with one load.

use regex_syntax::hir::{Class, HirKind};

pub const LETTER: u8 = 1;
pub const NUMBER: u8 = 2;
pub const SPACE: u8 = 4;

pub struct Classes {
    bmp: Vec<u8>,
    /// Ranges above U+FFFF, sorted: (first, last, class bits).
    astral: Vec<(u32, u32, u8)>,
}

fn ranges(pattern: &str) -> Vec<(u32, u32)> {
    let hir = regex_syntax::parse(pattern).expect("a valid Unicode class");
    match hir.kind() {
        HirKind::Class(Class::Unicode(c)) => c
            .ranges()
            .iter()
            .map(|r| (r.start() as u32, r.end() as u32))
            .collect(),
        _ => unreachable!("{pattern} is a Unicode class"),
    }
}

impl Classes {
    pub fn new() -> Self {
        let mut bmp = vec![0u8; 0x10000];
        let mut astral = Vec::new();
        for (pattern, bit) in [(r"\p{L}", LETTER), (r"\p{N}", NUMBER), (r"\s", SPACE)] {
            for (lo, hi) in ranges(pattern) {
                for cp in lo..=hi.min(0xFFFF) {
                    bmp[cp as usize] |= bit;
                }
                if hi > 0xFFFF {
                    astral.push((lo.max(0x10000), hi, bit));
                }
            }
        }
        astral.sort_unstable();
        Classes { bmp, astral }
    }

    /// The class bits of `c` (0 for anything else: punctuation, symbols, controls).
    #[inline(always)]
    pub fn of(&self, c: char) -> u8 {
        let cp = c as u32;
        if cp < 0x10000 {
            return self.bmp[cp as usize];
        }
        // Above U+FFFF the classes are disjoint (a letter is never a number; no space is astral),
        // so the last range starting at or before cp is the only one that can hold it.
        let i = self.astral.partition_point(|&(lo, _, _)| lo <= cp);
        match i.checked_sub(1).map(|j| self.astral[j]) {
            Some((_, hi, bit)) if cp <= hi => bit,
            _ => 0,
        }
    }
}

impl Default for Classes {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_letters_numbers_and_spaces_of_every_width() {
        let k = Classes::new();
        assert_eq!(k.of('a'), LETTER);
        assert_eq!(k.of('é'), LETTER);
        assert_eq!(k.of('中'), LETTER);
        assert_eq!(k.of('𝒜'), LETTER); // U+1D49C, astral
        assert_eq!(k.of('7'), NUMBER);
        assert_eq!(k.of('½'), NUMBER);
        assert_eq!(k.of('𝟙'), NUMBER); // U+1D7D9
        assert_eq!(k.of(' '), SPACE);
        assert_eq!(k.of('\u{3000}'), SPACE);
        assert_eq!(k.of('\u{85}'), SPACE);
        assert_eq!(k.of('\x1c'), 0);
        assert_eq!(k.of('!'), 0);
        assert_eq!(k.of('😀'), 0);
    }
}
