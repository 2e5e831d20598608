"""JSON Lines files inside a tree: `records(file=)`, `count_records(file=)`, grep over their fields
with `path:line:`, and the first message naming them with their record counts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rlm import Context
from rlm.prompts import describe_context
from rlm.repl.toolkit import grep
from rlm import summary as summary_module
from rlm.summary import summarize


def jsonl(*records: dict) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


@pytest.fixture
def tree(tmp_path: Path) -> Context:
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "api.jsonl").write_text(
        jsonl({"level": "INFO", "msg": "started"}, {"level": "ERROR", "msg": "disk full"})
        + "\nnot json\n" + jsonl({"level": "ERROR", "msg": "timeout"}))
    (tmp_path / "logs" / "jobs.ndjson").write_text(jsonl({"level": "ERROR", "msg": "job 7 failed"}))
    # Not JSON Lines by name, though its lines parse: left to the caller, as Context.open does.
    (tmp_path / "notes.txt").write_text('{"level": "ERROR", "msg": "a note"}\n')
    return Context.open_tree(tmp_path)


def test_records_of_one_file_are_that_files_numbered_from_its_first_line(tree: Context) -> None:
    errors = tree.records(file="logs/api.jsonl", where={"level": "ERROR"}, errors="skip")
    first = next(errors)
    assert (first["msg"], errors.line_number) == ("disk full", 2)
    assert [r["msg"] for r in errors] == ["timeout"]
    assert errors.line_number == 5  # line 3 is blank, line 4 is not JSON
    everything = tree.records(file="logs/api.jsonl", errors="skip")
    assert len(list(everything)) == 3 and everything.malformed == [(4, "Expecting value at column 1")]
    assert [r["msg"] for r in tree.records(file="logs/jobs.ndjson")] == ["job 7 failed"]
    assert list(tree.record_lines(file="logs/jobs.ndjson")) == [
        (1, '{"level": "ERROR", "msg": "job 7 failed"}')]


def test_count_records_of_one_file(tree: Context) -> None:
    assert tree.count_records(file="logs/api.jsonl") == 4  # non-blank lines, the bad one included
    assert tree.count_records(file="logs/jobs.ndjson") == 1
    assert tree.count_records() == sum(1 for line in str(tree).splitlines() if line.strip())


def test_a_malformed_line_is_named_with_its_file(tree: Context, capsys: pytest.CaptureFixture[str]) -> None:
    list(tree.records(file="logs/api.jsonl"))
    assert "records(): logs/api.jsonl line 4 is not JSON" in capsys.readouterr().err


def test_file_must_name_a_file_of_a_tree(tree: Context) -> None:
    with pytest.raises(ValueError, match=r"no such file in this tree \(context.files\(\) lists the 3"):
        tree.records(file="logs/missing.jsonl")
    with pytest.raises(ValueError, match="not a tree"):
        Context.from_str("{}\n").count_records(file="a.jsonl")


def test_grep_over_a_field_prints_each_records_file_and_line(tree: Context) -> None:
    assert str(grep("fail|full", tree, field="msg")) == (
        "2 matching lines in 2 files for 'fail|full':\n"
        'logs/api.jsonl:2:{"level": "ERROR", "msg": "disk full"}\n'
        'logs/jobs.ndjson:1:{"level": "ERROR", "msg": "job 7 failed"}'
    )


def test_the_first_message_names_the_jsonl_files_with_their_record_counts(tree: Context) -> None:
    summary = summarize(tree, lambda s: len(s.split()))
    assert summary.tree is not None
    assert summary.tree.jsonl == (("logs/api.jsonl", 4, False), ("logs/jobs.ndjson", 1, False))
    text = describe_context(summary)
    assert "JSON Lines files: logs/api.jsonl (4 records), logs/jobs.ndjson (1 record)." in text
    assert 'context.records(file="logs/api.jsonl", where={"key": value})' in text


def test_above_the_exact_limit_a_files_lines_stand_in_for_its_records(
        tree: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(summary_module, "JSONL_EXACT_BYTES", 0)
    summary = summarize(tree, lambda s: len(s.split()))
    assert summary.tree is not None
    assert summary.tree.jsonl == (("logs/api.jsonl", 5, True), ("logs/jobs.ndjson", 1, True))
    assert "logs/api.jsonl (~5 records)" in describe_context(summary)


def test_a_tree_without_jsonl_files_says_nothing_of_them(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("plain\n")
    summary = summarize(Context.open_tree(tmp_path), lambda s: len(s.split()))
    assert summary.tree is not None and summary.tree.jsonl == ()
    assert "JSON Lines" not in describe_context(summary)
