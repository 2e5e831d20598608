//! Invariants of every strategy on generated texts (the Python property tests add hypothesis'
//! texts): spans cover the text in order, respect the maximum, overlap as asked, and never cut a
//! `\r\n` (character offsets cannot cut a UTF-8 character).

use super::*;

/// A pseudo-random text of `n` pieces mixing prose, code, logs, CRLF and non-ASCII.
fn text(seed: u64, n: usize) -> String {
    const PIECES: [&str; 16] = [
        "word ",
        "Sentence ends. ",
        "\n",
        "\r\n",
        "\n\n",
        "def f(x):\n",
        "    return x\n",
        "# Title\n",
        "2024-01-31 10:00:00 ERROR boom\n",
        "  at frame\n",
        "{\"k\": 1}\n",
        "é",
        "東京",
        "😀",
        "\t",
        "x",
    ];
    let mut s = String::new();
    let mut r = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    for _ in 0..n {
        r = r
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        s.push_str(PIECES[(r >> 33) as usize % PIECES.len()]);
    }
    s
}

fn check(strategy: Strategy, text: &str, size: usize, overlap: usize) -> Vec<(usize, usize)> {
    let ctx = Context::from_string(text.to_owned());
    let spans = spans(&ctx, strategy, size, overlap, None).unwrap();
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    if n == 0 {
        assert!(spans.is_empty());
        return spans;
    }
    assert_eq!(spans[0].0, 0, "{strategy:?} starts at 0");
    assert_eq!(spans.last().unwrap().1, n, "{strategy:?} ends at the end");
    let crlf_at = |i: usize| i > 0 && i < n && chars[i - 1] == '\r' && chars[i] == '\n';
    for (k, &(s, e)) in spans.iter().enumerate() {
        assert!(s < e, "{strategy:?} chunk {k} is empty");
        assert!(
            !crlf_at(s) && !crlf_at(e),
            "{strategy:?} cuts a CRLF at chunk {k}"
        );
        if strategy != Strategy::Lines {
            assert!(
                e - s <= size,
                "{strategy:?} chunk {k} has {} > {size} chars",
                e - s
            );
        }
        if k > 0 {
            let prev_end = spans[k - 1].1;
            let got = prev_end as isize - s as isize;
            assert!(got >= 0, "{strategy:?} leaves a gap before chunk {k}");
            if strategy != Strategy::Lines {
                // Exact, or less by one or two where this start or the previous end would have cut
                // a CRLF (with overlap = size - 1 both can happen to one chunk).
                let near_crlf = (s.saturating_sub(2)..=(prev_end + 2).min(n)).any(crlf_at);
                let moved = near_crlf && (overlap as isize - 2..overlap as isize).contains(&got);
                assert!(
                    got == overlap as isize || moved,
                    "{strategy:?} overlap {got} != {overlap} at chunk {k}"
                );
            }
            assert!(
                s > spans[k - 1].0,
                "{strategy:?} does not advance at chunk {k}"
            );
        }
    }
    spans
}

#[test]
fn every_char_strategy_covers_respects_the_maximum_and_overlaps_exactly() {
    for seed in 0..40 {
        let t = text(seed, 400);
        for strategy in [Strategy::Chars, Strategy::Recursive, Strategy::Structural] {
            for (size, overlap) in [
                (2, 0),
                (2, 1),
                (3, 2),
                (17, 0),
                (64, 10),
                (200, 199),
                (5000, 0),
            ] {
                check(strategy, &t, size, overlap);
            }
        }
    }
}

#[test]
fn lines_hold_size_lines_and_overlap_by_lines() {
    let t = "a\nb\r\nc\n\nd";
    let ctx = Context::from_string(t.into());
    assert_eq!(
        spans(&ctx, Strategy::Lines, 2, 0, None).unwrap(),
        [(0, 5), (5, 8), (8, 9)]
    );
    assert_eq!(
        spans(&ctx, Strategy::Lines, 2, 1, None).unwrap(),
        [(0, 5), (2, 7), (5, 8), (7, 9)]
    );
    for seed in 0..20 {
        check(Strategy::Lines, &text(seed, 300), 3, 1);
    }
}

#[test]
fn recursive_prefers_paragraphs_then_lines_then_sentences_then_words() {
    let ctx = |s: &str| Context::from_string(s.into());
    let t = "aaaa bbbb\ncccc\n\ndddd eeee";
    assert_eq!(
        spans(&ctx(t), Strategy::Recursive, 18, 0, None).unwrap(),
        [(0, 16), (16, 25)]
    );
    let t = "aaaa bbbb\ncccc dddd eeee";
    assert_eq!(
        spans(&ctx(t), Strategy::Recursive, 18, 0, None).unwrap(),
        [(0, 10), (10, 24)]
    );
    let t = "One two. Three four five six";
    assert_eq!(
        spans(&ctx(t), Strategy::Recursive, 16, 0, None).unwrap(),
        [(0, 9), (9, 25), (25, 28)]
    );
    let t = "abcdefghij";
    assert_eq!(
        spans(&ctx(t), Strategy::Recursive, 4, 0, None).unwrap(),
        [(0, 4), (4, 8), (8, 10)]
    );
}

#[test]
fn structural_keeps_records_whole_with_their_continuation_lines() {
    let log = "2024-01-01 a\n  more a\n2024-01-02 b\n  more b\n  more b\n2024-01-03 c\n";
    let ctx = Context::from_string(log.into());
    let got = spans(&ctx, Strategy::Structural, 40, 0, None).unwrap();
    let texts: Vec<&str> = got.iter().map(|&(s, e)| &log[s..e]).collect();
    assert_eq!(
        texts,
        [
            "2024-01-01 a\n  more a\n",
            "2024-01-02 b\n  more b\n  more b\n",
            "2024-01-03 c\n"
        ]
    );
    let code = "import os\n\n@cache\ndef f():\n    return 1\n\nclass C:\n    x = 1\n";
    let ctx = Context::from_string(code.into());
    let got = spans(&ctx, Strategy::Structural, 30, 0, None).unwrap();
    let texts: Vec<&str> = got.iter().map(|&(s, e)| &code[s..e]).collect();
    assert_eq!(
        texts,
        [
            "import os\n\n",
            "@cache\ndef f():\n    return 1\n\n",
            "class C:\n    x = 1\n"
        ]
    );
}

#[test]
fn rejects_bad_sizes_and_unknown_names() {
    let ctx = Context::from_string("abc".into());
    assert!(matches!(
        Chunker::new(&ctx, Strategy::Chars, 3, 3, None),
        Err(ChunkError::BadSize(_))
    ));
    assert!(matches!(
        Chunker::new(&ctx, Strategy::Chars, 1, 0, None),
        Err(ChunkError::BadSize(_))
    ));
    assert!(matches!(
        Chunker::new(&ctx, Strategy::Tokens, 3, 0, None),
        Err(ChunkError::NeedsTokenizer)
    ));
    assert_eq!(Strategy::from_name("semantic"), None);
    assert_eq!(
        Strategy::from_name("structural"),
        Some(Strategy::Structural)
    );
}
