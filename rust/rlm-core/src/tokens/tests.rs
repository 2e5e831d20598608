//! A handmade tokenizer.json (the 256 bytes, a few merges, two added tokens) exercising the whole
//! pipeline; equality with the `tokenizers` library itself is tested from Python
//! (tests/tokens/test_tokenizer.py), where the library is.

use super::load::byte_chars;
use super::pretok::QWEN2_PATTERN;
use super::*;

fn spec(merges: &[(&str, &str)], added: &[&str]) -> String {
    let chars = byte_chars();
    let mut vocab: Vec<String> = chars.iter().map(|c| c.to_string()).collect();
    for (a, b) in merges {
        vocab.push(format!("{a}{b}"));
    }
    let vocab_json: serde_json::Map<String, serde_json::Value> = vocab
        .iter()
        .enumerate()
        .map(|(i, t)| (t.clone(), (i as u64).into()))
        .collect();
    let added_json: Vec<serde_json::Value> = added
        .iter()
        .enumerate()
        .map(|(i, c)| {
            serde_json::json!({"id": 1000 + i, "content": c, "single_word": false, "lstrip": false,
                               "rstrip": false, "normalized": false, "special": true})
        })
        .collect();
    serde_json::json!({
        "added_tokens": added_json,
        "normalizer": {"type": "NFC"},
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": QWEN2_PATTERN}, "behavior": "Isolated", "invert": false},
            {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}]},
        "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
                  "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false,
                  "ignore_merges": false, "vocab": vocab_json,
                  "merges": merges.iter().map(|(a, b)| format!("{a} {b}")).collect::<Vec<_>>()},
    })
    .to_string()
}

/// Byte-level spelling of a space is `Ġ`, of a newline `Ċ`.
fn tokenizer() -> Tokenizer {
    let merges = [
        ("i", "n"),
        ("Ġ", "in"),
        ("d", "e"),
        ("de", "f"),
        ("Ġ", "Ġ"),
        ("ĠĠ", "ĠĠ"),
    ];
    Tokenizer::from_json(&spec(&merges, &["<|im_end|>", "<|x|>"])).unwrap()
}

#[test]
fn merges_apply_inside_pieces_only() {
    let t = tokenizer();
    // "def" -> de+f -> def; " in" -> Ġ+in. Four spaces before a word: the pieces "   " (ĠĠ + Ġ)
    // and " x" (no merge), so 4 tokens; without the word, "    " is one piece: ĠĠĠĠ.
    assert_eq!(t.encode("def in"), [256 + 3, 256 + 1]);
    assert_eq!(t.count("    x"), 4);
    assert_eq!(t.encode("    "), [256 + 5]);
}

#[test]
fn added_tokens_are_one_id_and_cut_the_text_before_pre_tokenizing() {
    let t = tokenizer();
    assert_eq!(t.encode("<|im_end|>"), [1000]);
    assert_eq!(t.encode("a<|x|>b"), [b'a' as u32, 1001, b'b' as u32]);
    // Two spaces at the end of a segment stay one piece (`\s+(?!\S)` sees the segment end).
    assert_eq!(t.encode("  <|im_end|>"), [256 + 4, 1000]);
}

#[test]
fn nfc_composes_before_splitting() {
    let t = tokenizer();
    assert_eq!(t.encode("e\u{301}"), t.encode("é"));
}

/// Texts built from many short lines and words, big enough to be cut into parts.
fn big_texts() -> Vec<String> {
    let lines = [
        "def f(x):",
        "    return x  # it's",
        "",
        "\t\r",
        "  \n",
        "class A:",
        "  é e\u{301} 東京",
        "<|im_end|>",
        "1 2 3",
        "x = {'a': 1}\r",
        "word word word",
        "\u{3000}\u{85}",
    ];
    let mut out = Vec::new();
    for stride in [1, 3, 5, 7] {
        let mut s = String::new();
        let mut i = 0;
        while s.len() < 3 * PAR_MIN {
            s.push_str(lines[i % lines.len()]);
            s.push(if i % 11 == 0 { ' ' } else { '\n' });
            i += stride;
        }
        out.push(s);
    }
    // No line breaks at all: cut only between words.
    out.push("alpha beta, gamma (delta) ".repeat(3 * PAR_MIN / 26));
    out
}

#[test]
fn a_big_text_counted_in_parallel_parts_equals_one_serial_count() {
    let t = tokenizer();
    for text in big_texts() {
        let parts = split::parts(&text, PART);
        assert!(parts.len() > 1, "the test text must be cut");
        assert_eq!(t.count(&text), t.count_serial(&text, &mut Cache::default()));
        let mut serial = Vec::new();
        t.encode_into(&text, &mut Cache::default(), &mut |ids| {
            serial.extend_from_slice(ids)
        });
        assert_eq!(t.encode(&text), serial);
    }
}

#[test]
fn parts_cover_the_text_in_order() {
    for text in big_texts() {
        let parts = split::parts(&text, 1000);
        assert_eq!(parts.first().unwrap().0, 0);
        assert_eq!(parts.last().unwrap().1, text.len());
        assert!(parts
            .windows(2)
            .all(|w| w[0].1 == w[1].0 && w[0].0 < w[0].1));
    }
}

#[test]
fn refuses_what_it_would_count_differently() {
    let other = spec(&[], &[]).replace(r#""type":"NFC""#, r#""type":"NFKC""#);
    assert!(matches!(
        Tokenizer::from_json(&other),
        Err(TokenizerError::Unsupported(m)) if m.contains("NFKC")
    ));
    assert!(matches!(
        Tokenizer::from_json("{"),
        Err(TokenizerError::Invalid(_))
    ));
}
