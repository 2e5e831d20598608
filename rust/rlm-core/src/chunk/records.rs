//! Where a record starts, for the `structural` strategy: a line that begins a markdown section, a
//! code definition, a JSON Lines record or a timestamped log record. Lines that do not start a
//! record (a traceback under its log line, a function body) stay with the record above them.

/// The line starting at byte `at` of `b` (up to its `\n`, without it).
fn line_at(b: &[u8], at: usize) -> &[u8] {
    let end = memchr::memchr(b'\n', &b[at..]).map_or(b.len(), |i| at + i);
    &b[at..end]
}

fn strip_prefix<'a>(s: &'a [u8], p: &[u8]) -> Option<&'a [u8]> {
    s.starts_with(p).then(|| &s[p.len()..])
}

fn starts_with_any(s: &[u8], prefixes: &[&[u8]]) -> bool {
    prefixes.iter().any(|p| s.starts_with(p))
}

/// `# Title` .. `###### Title`.
fn markdown_heading(line: &[u8]) -> bool {
    let hashes = line.iter().take_while(|&&c| c == b'#').count();
    (1..=6).contains(&hashes) && line.get(hashes) == Some(&b' ')
}

/// `2024-01-31`, `[2024-01-31`, `12:34:56`, or syslog's `Jan 31 12:34:56`.
fn timestamp(line: &[u8]) -> bool {
    let d = |i: usize| line.get(i).is_some_and(u8::is_ascii_digit);
    let at = |i: usize, c: u8| line.get(i) == Some(&c);
    let iso = |o: usize| {
        d(o) && d(o + 1)
            && d(o + 2)
            && d(o + 3)
            && at(o + 4, b'-')
            && d(o + 5)
            && d(o + 6)
            && at(o + 7, b'-')
    };
    let clock =
        |o: usize| d(o) && d(o + 1) && at(o + 2, b':') && d(o + 3) && d(o + 4) && at(o + 5, b':');
    const MONTHS: [&[u8]; 12] = [
        b"Jan ", b"Feb ", b"Mar ", b"Apr ", b"May ", b"Jun ", b"Jul ", b"Aug ", b"Sep ", b"Oct ",
        b"Nov ", b"Dec ",
    ];
    // By the first byte, so that a line of code is rejected in one comparison, not twelve.
    match line.first() {
        Some(c) if c.is_ascii_digit() => iso(0) || clock(0),
        Some(b'[') => iso(1),
        Some(b'J' | b'F' | b'M' | b'A' | b'S' | b'O' | b'N' | b'D') => {
            starts_with_any(line, &MONTHS)
                && (d(4) || at(4, b' '))
                && d(5)
                && at(6, b' ')
                && clock(7)
        }
        _ => false,
    }
}

/// A definition line of Python, Rust, JavaScript/TypeScript or Go (indented or not), or a
/// decorator / attribute line that precedes one.
fn code_definition(line: &[u8]) -> bool {
    let s = &line[line
        .iter()
        .take_while(|&&c| c == b' ' || c == b'\t')
        .count()..];
    let visibility: [&[u8]; 5] = [
        b"pub(crate) ",
        b"pub(super) ",
        b"pub ",
        b"export default ",
        b"export ",
    ];
    // Only lines starting with `p` or `e` can carry one: the others skip the five comparisons.
    let s = match s.first() {
        Some(b'p' | b'e') => visibility
            .iter()
            .find_map(|p| strip_prefix(s, p))
            .unwrap_or(s),
        _ => s,
    };
    // Dispatch on the first byte: most lines start with none of these, and each byte has only a
    // few keywords, so a line costs a comparison or two instead of one per keyword.
    let keywords: &[&[u8]] = match s.first() {
        Some(b'@') => return true, // Python: a decorator starts the definition under it
        Some(b'#') => &[b"#["],    // Rust attribute
        Some(b'd') => &[b"def "],
        Some(b'c') => &[b"class ", b"const fn "],
        Some(b'a') => &[b"async def ", b"async fn ", b"async function "],
        Some(b'f') => &[b"fn ", b"function ", b"func "],
        Some(b'u') => &[b"unsafe fn "],
        Some(b'i') => &[b"impl ", b"impl<", b"interface "],
        Some(b's') => &[b"struct "],
        Some(b'e') => &[b"enum "],
        Some(b't') => &[b"trait ", b"type "],
        Some(b'm') => &[b"mod "],
        _ => return false,
    };
    starts_with_any(s, keywords)
}

/// Whether a record starts at byte `at` (a line start) of `b`, whose line is `line` (`b[at..]` up
/// to its `\n`; the backward scan of `structural` knows it from the line break it passed just
/// before). A definition right under a decorator or attribute line is not a new record: the
/// decorator started it.
pub fn is_record_line(b: &[u8], at: usize, line: &[u8]) -> bool {
    if line.first() == Some(&b'{') || markdown_heading(line) || timestamp(line) {
        return true;
    }
    if !code_definition(line) {
        return false;
    }
    if at == 0 {
        return true;
    }
    let prev_start = memchr::memrchr(b'\n', &b[..at - 1]).map_or(0, |i| i + 1);
    let prev = line_at(b, prev_start);
    let prev = &prev[prev
        .iter()
        .take_while(|&&c| c == b' ' || c == b'\t')
        .count()..];
    !(prev.starts_with(b"@") || prev.starts_with(b"#["))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starts(text: &str) -> Vec<&str> {
        let b = text.as_bytes();
        let mut at = vec![0];
        at.extend(
            memchr::memchr_iter(b'\n', b)
                .map(|i| i + 1)
                .filter(|&i| i < b.len()),
        );
        at.into_iter()
            .filter(|&i| is_record_line(b, i, line_at(b, i)))
            .map(|i| line_at(b, i))
            .map(|l| std::str::from_utf8(l).unwrap())
            .collect()
    }

    #[test]
    fn finds_headings_definitions_records_and_log_lines() {
        assert_eq!(starts("# A\ntext\n## B\n#no\n"), ["# A", "## B"]);
        assert_eq!(
            starts("@dec\ndef f():\n    pass\nclass C:\n    def m(self):\n"),
            ["@dec", "class C:", "    def m(self):"]
        );
        assert_eq!(
            starts("pub fn a() {}\n#[test]\nfn b() {}\nimpl X {\n"),
            ["pub fn a() {}", "#[test]", "impl X {"]
        );
        assert_eq!(
            starts("{\"a\": 1}\n{\"a\": 2}\n"),
            ["{\"a\": 1}", "{\"a\": 2}"]
        );
        assert_eq!(
            starts("2024-01-31 ERROR x\nTraceback:\n  File y\n[2024-02-01 10:00] ok\nJan  5 10:11:12 host\n"),
            ["2024-01-31 ERROR x", "[2024-02-01 10:00] ok", "Jan  5 10:11:12 host"]
        );
        assert_eq!(
            starts("func main() {\ntype T struct{}\nexport function f() {}\n"),
            ["func main() {", "type T struct{}", "export function f() {}"]
        );
        assert_eq!(starts("pub(crate) struct S;\nexport default class A {}\nexport enum E {}\npub enum F {}\n  @x\n"),
                   ["pub(crate) struct S;", "export default class A {}", "export enum E {}", "pub enum F {}", "  @x"]);
    }

    #[test]
    fn words_that_only_begin_like_a_keyword_start_no_record() {
        let text = "define = 1\nclassify(x)\npub_key = 3\nexport_name = 1\nfnord()\nimpls\ntypes = []\nmodule.x\n";
        assert_eq!(starts(text), Vec::<&str>::new());
        assert_eq!(
            starts("pub  fn two_spaces() {}\nexport  function f() {}\n"),
            Vec::<&str>::new()
        );
    }
}
