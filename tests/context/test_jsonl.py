"""JSON Lines contexts: `records()` parses one line at a time as the iteration reaches it,
`where=` and `grep(field=)` search in Rust, malformed lines are reported by line number."""

from __future__ import annotations

import itertools
import json
import pathlib

import pytest

from rlm import Context
from rlm.errors import MalformedRecordError
from rlm.repl.toolkit import grep
from rlm.summary import describe_jsonl, summarize_jsonl

LOG = "\n".join([
    '{"ts": 1, "status": "OK", "message": "started"}',
    '{"ts": 2, "status": "FAILED", "message": "disk full on /var"}',
    "",
    '{"ts": 3, "status": "OK", "message": "FAILED earlier, retried"}',
    '{"ts": 4, "status": "F\\u0041ILED", "message": "escaped status", "code": 500}',
    '{"ts": 5, "status": "FAILED", "message": "timeout", "code": 5e2}',
]) + "\n"


def test_records_are_the_parsed_non_blank_lines() -> None:
    records = list(Context.from_str(LOG).records())
    assert [r["ts"] for r in records] == [1, 2, 3, 4, 5]
    assert records[3]["status"] == "FAILED"  # decoded, as json.loads decodes


def test_where_keeps_records_whose_fields_equal_the_values() -> None:
    c = Context.from_str(LOG)
    # ts 3 holds "FAILED" in another field; ts 4 spells it with an escape the scan cannot see.
    assert [r["ts"] for r in c.records(where={"status": "FAILED"})] == [2, 4, 5]
    # Numbers compare as Python values: 500 == 5e2.
    assert [r["ts"] for r in c.records(where={"status": "FAILED", "code": 500})] == [4, 5]
    assert list(c.records(where={"status": "MISSING"})) == []


def test_where_must_be_a_dict() -> None:
    with pytest.raises(TypeError, match="where must be a dict"):
        Context.from_str(LOG).records(where="FAILED")  # type: ignore[arg-type]


def test_malformed_lines_are_skipped_and_named_by_line_number(capsys) -> None:
    c = Context.from_str('{"a": 1}\n{"a": \n{"a": 3}\nnot json\n')
    records = c.records()
    assert [r["a"] for r in records] == [1, 3]
    assert [n for n, _ in records.malformed] == [2, 4]
    err = capsys.readouterr().err
    assert "records(): line 2 is not JSON (Expecting value at column 7), skipped" in err
    assert "line 4 is not JSON" in err
    quiet = c.records(errors="skip")
    assert len(list(quiet)) == 2 and len(quiet.malformed) == 2
    assert capsys.readouterr().err == ""


def test_raise_mode_names_the_line_when_it_is_reached() -> None:
    records = Context.from_str('{"a": 1}\n[1, 2\n{"a": 3}\n').records(errors="raise")
    assert next(records) == {"a": 1}
    with pytest.raises(MalformedRecordError, match="line 2 is not JSON") as info:
        next(records)
    assert info.value.line_number == 2 and isinstance(info.value, ValueError)
    assert next(records) == {"a": 3}  # the iteration goes on after the bad line


def test_records_are_numbered_by_newlines_not_splitlines() -> None:
    # JSON allows a raw U+2028 in a string: splitlines() would cut this record in two.
    c = Context.from_str('{"m": "a\u2028b"}\n{"m": "c"}\n')
    records = c.records(errors="raise")
    assert [r["m"] for r in records] == ["a\u2028b", "c"]
    assert records.line_number == 2
    assert c.count_records() == 2


@pytest.fixture(scope="module")
def big_jsonl(tmp_path_factory) -> pathlib.Path:
    """~60 MB of records with one malformed line near the end."""
    path = tmp_path_factory.mktemp("jsonl") / "big.jsonl"
    row = '{{"i": {i}, "status": "{s}", "message": "request {i} served in {i} ms by worker-7"}}\n'
    with open(path, "w", encoding="utf-8") as f:
        for start in range(0, 600_000, 10_000):
            f.write("".join(row.format(i=i, s="FAILED" if i % 100_000 == 7 else "OK")
                            for i in range(start, start + 10_000)))
        f.write('{"i": "truncated\n')
        f.write('{"i": 600000, "status": "FAILED", "message": "last"}\n')
    return path


def test_a_big_file_is_iterated_lazily(big_jsonl: pathlib.Path) -> None:
    c = Context.open(big_jsonl)
    assert c.is_jsonl and c.is_mapped
    records = c.records(errors="raise")
    # The malformed line 600,001 would raise if anything parsed ahead of the iteration.
    first = list(itertools.islice(records, 1000))
    assert [r["i"] for r in first] == list(range(1000))
    assert records.malformed == []


@pytest.mark.skipif(not pathlib.Path("/proc/self/status").exists(), reason="Linux /proc only")
def test_iterating_a_big_file_holds_one_record_at_a_time(big_jsonl: pathlib.Path, rss_anon) -> None:
    size = big_jsonl.stat().st_size
    c = Context.open(big_jsonl)
    list(itertools.islice(c.records(), 10))  # warm up the allocator and thread pool
    before = rss_anon()
    seen = sum(1 for _ in c.records(errors="skip"))
    assert seen == 600_001
    assert rss_anon() - before < 0.05 * size


def test_where_on_a_big_file_finds_the_records_and_reports_the_malformed_candidate(
        big_jsonl: pathlib.Path) -> None:
    records = Context.open(big_jsonl).records(where={"status": "FAILED"}, errors="skip")
    assert [r["i"] for r in records] == [7, 100_007, 200_007, 300_007, 400_007, 500_007, 600_000]
    assert records.malformed == []  # the truncated line holds no "FAILED": never parsed


def test_grep_field_searches_one_decoded_field() -> None:
    c = Context.from_str(LOG)
    hits = c.grep("FAILED", field="message")
    assert [m.line_number for m in hits] == [4]  # not the status fields
    assert hits[0].line == LOG.splitlines()[3] and c[hits[0].start:hits[0].end] == hits[0].line
    assert [m.line_number for m in c.grep("^FAILED$", field="status")] == [2, 5, 6]
    assert [m.line_number for m in c.grep("^500$", field="code")] == [5]  # non-strings as JSON
    assert c.count_lines_matching("ed$", field="message") == 2  # started, retried
    with pytest.raises(ValueError, match="before= and after= do not apply"):
        c.grep("x", field="message", before=1)


def test_the_repl_grep_takes_field(monkeypatch) -> None:
    shown = repr(grep("disk|timeout", text=LOG, field="message"))
    assert shown == ("2 matching lines for 'disk|timeout':\n"
                     f"2:{LOG.splitlines()[1]}\n6:{LOG.splitlines()[5]}")
    capped = grep("e", text=LOG, field="message", max_count=1)
    assert len(capped) == 1 and capped.total == 4  # all but "disk full on /var"


def test_open_decides_jsonl_from_the_extension_or_the_format(tmp_path: pathlib.Path) -> None:
    for name in ("a.jsonl", "b.NDJSON"):
        (tmp_path / name).write_text(LOG)
        assert Context.open(tmp_path / name).is_jsonl
    (tmp_path / "c.log").write_text(LOG)
    assert not Context.open(tmp_path / "c.log").is_jsonl
    assert Context.open(tmp_path / "c.log", format="jsonl").is_jsonl
    assert not Context.open(tmp_path / "a.jsonl", format="text").is_jsonl
    assert "JSON Lines" in repr(Context.open(tmp_path / "a.jsonl"))
    with pytest.raises(ValueError, match="format must be"):
        Context.open(tmp_path / "c.log", format="csv")  # type: ignore[arg-type]


def test_the_summary_names_records_and_the_first_keys(tmp_path: pathlib.Path, monkeypatch) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text(LOG)
    summary = summarize_jsonl(Context.open(path))
    assert summary is not None
    assert (summary.records, summary.estimated) == (5, False)
    assert summary.keys == ("ts", "status", "message", "code")
    assert describe_jsonl(summary).startswith(
        "It is JSON Lines: 5 records, one JSON object per line, with keys ts, status, message, code")
    monkeypatch.setattr("rlm.summary.JSONL_EXACT_BYTES", 10)  # above it: the line count, labelled
    estimated = summarize_jsonl(Context.open(path))
    assert estimated is not None and estimated.estimated and estimated.records == 6
    assert describe_jsonl(estimated).startswith("It is JSON Lines: ~6 records")
    assert summarize_jsonl(Context.open(path, format="text")) is None


def test_record_lines_is_the_raw_walk() -> None:
    c = Context.from_str('{"a":1}\r\n  \n{"a":2}')
    assert list(c.record_lines()) == [(1, '{"a":1}'), (3, '{"a":2}')]
    assert list(c.record_lines(['"a":2'])) == [(3, '{"a":2}')]
    assert json.loads(next(c.record_lines())[1]) == {"a": 1}
