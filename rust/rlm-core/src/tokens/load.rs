//! Reading tokenizer.json: the parts of the format a byte-level BPE tokenizer uses, checked so that
//! anything this crate would count differently from the `tokenizers` library is refused, not
//! approximated.

use std::collections::HashMap;

use serde_json::Value;

use super::TokenizerError;

/// What [`super::Tokenizer`] is built from.
pub struct Spec {
    pub byte_ids: [u32; 256],
    /// (left, right, merged) ids in rank order.
    pub merges: Vec<(u32, u32, u32)>,
    /// Raw-byte spelling -> id of every vocabulary entry, kept only when `ignore_merges` is set
    /// (a piece that is itself in the vocabulary is then one token).
    pub whole_words: Option<Vec<(Vec<u8>, u32)>>,
    /// (content, id) of the added tokens, matched in the raw text before anything else.
    pub added: Vec<(String, u32)>,
    pub nfc: bool,
    pub pattern: String,
    /// Bytes each id stands for (index = id; 0 for an id no text spells).
    pub token_lens: Vec<u32>,
}

fn unsupported(what: impl Into<String>) -> TokenizerError {
    TokenizerError::Unsupported(what.into())
}

fn invalid(what: impl Into<String>) -> TokenizerError {
    TokenizerError::Invalid(what.into())
}

/// GPT-2's byte <-> printable character table that byte-level vocabularies are spelt in.
pub fn byte_chars() -> [char; 256] {
    let mut table = ['\0'; 256];
    let mut extra = 0u32;
    for b in 0..256u32 {
        let printable =
            (33..=126).contains(&b) || (161..=172).contains(&b) || (174..=255).contains(&b);
        table[b as usize] = if printable {
            char::from_u32(b).unwrap()
        } else {
            extra += 1;
            char::from_u32(255 + extra).unwrap()
        };
    }
    table
}

fn is_null_or(v: Option<&Value>, ok: impl Fn(&Value) -> bool) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(v) => ok(v),
    }
}

fn flag(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn parse_pre_tokenizer(pre: &Value) -> Result<String, TokenizerError> {
    // Sequence[Split(Regex, Isolated, not inverted), ByteLevel(no prefix space, no regex)].
    let steps = match pre.get("type").and_then(Value::as_str) {
        Some("Sequence") => pre["pretokenizers"].as_array().cloned().unwrap_or_default(),
        _ => vec![pre.clone()],
    };
    let [split, byte_level] = steps.as_slice() else {
        return Err(unsupported("a pre-tokenizer other than Split + ByteLevel"));
    };
    let pattern = split["pattern"]["Regex"].as_str();
    if split["type"] != "Split"
        || split["behavior"] != "Isolated"
        || flag(split, "invert")
        || pattern.is_none()
    {
        return Err(unsupported(
            "a Split pre-tokenizer that is not an isolated regex split",
        ));
    }
    if byte_level["type"] != "ByteLevel"
        || flag(byte_level, "add_prefix_space")
        || flag(byte_level, "use_regex")
    {
        return Err(unsupported(
            "a ByteLevel pre-tokenizer with a prefix space or its own regex",
        ));
    }
    Ok(pattern.unwrap().to_owned())
}

fn parse_normalizer(norm: Option<&Value>) -> Result<bool, TokenizerError> {
    match norm {
        None | Some(Value::Null) => Ok(false),
        Some(n) if n["type"] == "NFC" => Ok(true),
        Some(n) => Err(unsupported(format!("the normalizer {}", n["type"]))),
    }
}

fn parse_merges(
    merges: &[Value],
    vocab: &HashMap<&str, u32>,
) -> Result<Vec<(u32, u32, u32)>, TokenizerError> {
    let id = |s: &str| {
        vocab
            .get(s)
            .copied()
            .ok_or_else(|| invalid(format!("merge part {s:?} is not in the vocabulary")))
    };
    merges
        .iter()
        .map(|m| {
            let (a, b) = match m {
                Value::String(s) => s
                    .split_once(' ')
                    .ok_or_else(|| invalid(format!("merge {s:?} is not two tokens")))?,
                Value::Array(p) if p.len() == 2 => (
                    p[0].as_str()
                        .ok_or_else(|| invalid("a merge that is not text"))?,
                    p[1].as_str()
                        .ok_or_else(|| invalid("a merge that is not text"))?,
                ),
                _ => return Err(invalid("a merge that is neither \"a b\" nor [a, b]")),
            };
            Ok((id(a)?, id(b)?, id(&format!("{a}{b}"))?))
        })
        .collect()
}

/// The raw bytes a byte-level token spells, or `None` if it uses a character outside the table.
fn token_bytes(token: &str, from_char: &HashMap<char, u8>) -> Option<Vec<u8>> {
    token.chars().map(|c| from_char.get(&c).copied()).collect()
}

pub fn parse(json: &str) -> Result<Spec, TokenizerError> {
    let root: Value = serde_json::from_str(json).map_err(|e| invalid(format!("not JSON: {e}")))?;
    let model = &root["model"];
    if model["type"] != "BPE" {
        return Err(unsupported(format!("the model type {}", model["type"])));
    }
    let plain = |key: &str| is_null_or(model.get(key), |v| v.as_str() == Some(""));
    if !is_null_or(model.get("dropout"), |v| v.as_f64() == Some(0.0))
        || flag(model, "byte_fallback")
        || !plain("continuing_subword_prefix")
        || !plain("end_of_word_suffix")
    {
        return Err(unsupported(
            "BPE with dropout, byte fallback or word prefixes/suffixes",
        ));
    }
    let nfc = parse_normalizer(root.get("normalizer"))?;
    let pattern = parse_pre_tokenizer(&root["pre_tokenizer"])?;
    let vocab: HashMap<&str, u32> = model["vocab"]
        .as_object()
        .ok_or_else(|| invalid("model.vocab is not an object"))?
        .iter()
        .map(|(k, v)| {
            Ok((
                k.as_str(),
                v.as_u64().ok_or_else(|| invalid("a non-integer id"))? as u32,
            ))
        })
        .collect::<Result<_, TokenizerError>>()?;
    let chars = byte_chars();
    let mut byte_ids = [0u32; 256];
    for (b, c) in chars.iter().enumerate() {
        byte_ids[b] = *vocab
            .get(c.to_string().as_str())
            .ok_or_else(|| unsupported(format!("a vocabulary without the byte {b:#04x}")))?;
    }
    let merges = parse_merges(
        model["merges"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default(),
        &vocab,
    )?;
    let whole_words = flag(model, "ignore_merges").then(|| {
        let from_char: HashMap<char, u8> = chars
            .iter()
            .enumerate()
            .map(|(b, &c)| (c, b as u8))
            .collect();
        vocab
            .iter()
            .filter_map(|(t, &id)| Some((token_bytes(t, &from_char)?, id)))
            .collect()
    });
    let mut added = Vec::new();
    for t in root["added_tokens"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let content = t["content"]
            .as_str()
            .ok_or_else(|| invalid("an added token without content"))?;
        if flag(t, "single_word") || flag(t, "lstrip") || flag(t, "rstrip") || flag(t, "normalized")
        {
            return Err(unsupported(format!(
                "the added token {content:?} (single_word, lstrip, rstrip or normalized)"
            )));
        }
        let id = t["id"]
            .as_u64()
            .ok_or_else(|| invalid("an added token without an id"))? as u32;
        added.push((content.to_owned(), id));
    }
    let top = vocab
        .values()
        .chain(added.iter().map(|(_, id)| id))
        .max()
        .map_or(0, |&m| m as usize + 1);
    let mut token_lens = vec![0u32; top];
    let from_char: HashMap<char, u8> = chars
        .iter()
        .enumerate()
        .map(|(b, &c)| (c, b as u8))
        .collect();
    for (t, &id) in &vocab {
        if t.chars().all(|c| from_char.contains_key(&c)) {
            token_lens[id as usize] = t.chars().count() as u32; // one character per byte
        }
    }
    for (content, id) in &added {
        token_lens[*id as usize] = content.len() as u32;
    }
    Ok(Spec {
        token_lens,
        byte_ids,
        merges,
        whole_words,
        added,
        nfc,
        pattern,
    })
}
