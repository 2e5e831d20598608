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
    iso(0)
        || (at(0, b'[') && iso(1))
        || clock(0)
        || (starts_with_any(line, &MONTHS)
            && (d(4) || at(4, b' '))
            && d(5)
            && at(6, b' ')
            && clock(7))
}

/// A definition line of Python, Rust, JavaScript/TypeScript or Go (indented or not), or a
/// decorator / attribute line that precedes one.
fn code_definition(line: &[u8]) -> bool {
    let s = &line[line
        .iter()
        .take_while(|&&c| c == b' ' || c == b'\t')
        .count()..];
    let s = [
        &b"pub(crate) "[..],
        b"pub(super) ",
        b"pub ",
        b"export default ",
        b"export ",
    ]
    .iter()
    .find_map(|p| strip_prefix(s, p))
    .unwrap_or(s);
    starts_with_any(
        s,
        &[
            b"def ",
            b"class ",
            b"async def ",
            b"@", // Python (decorators start the definition)
            b"fn ",
            b"async fn ",
            b"unsafe fn ",
            b"const fn ",
            b"impl ",
            b"impl<",
            b"struct ",
            b"enum ",
            b"trait ",
            b"mod ",
            b"#[", // Rust
            b"function ",
            b"async function ",
            b"interface ", // JavaScript / TypeScript
            b"func ",
            b"type ", // Go
        ],
    )
}

/// Whether a record starts at byte `at` (a line start) of `b`. A definition right under a
/// decorator or attribute line is not a new record: the decorator started it.
pub fn is_record_start(b: &[u8], at: usize) -> bool {
    let line = line_at(b, at);
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
            .filter(|&i| is_record_start(b, i))
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
    }
}
