"""`rlm -f x.jsonl` end to end with a replayed model: the first message describes JSON Lines
records, and `context.records()` / `grep(field=)` work in the run's REPL worker."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from rlm.cli import main

COUNT_FAILED = ('```python\nfailed = [r["id"] for r in context.records(where={"status": "FAILED"})]\n'
                'print(failed)\n```')
ANSWER = '```python\nFINAL(f"{len(failed)} failed: {grep(\'disk\', field=\'message\')[0].line_number}")\n```'


def write_log(path: Path) -> Path:
    rows = [{"id": i, "status": "FAILED" if i in (3, 8) else "OK",
             "message": "disk full" if i == 8 else f"request {i}"} for i in range(10)]
    lines = [json.dumps(r) for r in rows]
    lines.insert(5, '{"id": 5, "status": ')  # a truncated record: reported, not fatal
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_jsonl_file_is_described_and_searched_as_records(tmp_path: Path, capsys: Any,
                                                           replay_file: Any) -> None:
    log = write_log(tmp_path / "app.jsonl")
    model = replay_file([COUNT_FAILED, ANSWER])
    code = main(["-t", "How many requests failed?", "-f", str(log), "--model", f"replay:{model}",
                 "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    response = json.loads(out)
    assert response["answer"] == "2 failed: 10"  # line 10: the record after the truncated line 6
    trajectory = response["trajectory"]
    assert trajectory["context"]["format"] == "jsonl"
    first = trajectory["first_message"]
    assert "It is JSON Lines: 11 records, one JSON object per line, with keys id, status, message" in first
    output = trajectory["iterations"][0]["output"]
    assert "[3, 8]" in output
    assert "records(): line 6 is not JSON" not in output  # not a candidate: it holds no "FAILED"


def test_malformed_lines_reach_the_model_as_one_line_each(tmp_path: Path, capsys: Any,
                                                          replay_file: Any) -> None:
    log = write_log(tmp_path / "app.ndjson")
    model = replay_file(['```python\nn = sum(1 for r in context.records())\nprint(n)\n```',
                         '```python\nFINAL(n)\n```'])
    code = main(["-t", "How many records?", "-f", str(log), "--model", f"replay:{model}", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    response = json.loads(out)
    assert response["answer"] == "10"
    output = response["trajectory"]["iterations"][0]["output"]
    assert "records(): line 6 is not JSON (Expecting value at column 21), skipped" in output


def test_jsonl_reads_stdin_or_any_name_as_json_lines(tmp_path: Path, replay_file: Any) -> None:
    log = write_log(tmp_path / "app.log")  # not named .jsonl: --jsonl says what it is
    model = replay_file([COUNT_FAILED, '```python\nFINAL(len(failed))\n```'])
    done = subprocess.run(
        [sys.executable, "-m", "rlm", "-t", "How many failed?", "--jsonl", "--model",
         f"replay:{model}", "--json", "--no-check-answers"],
        input=log.read_text(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    response = json.loads(done.stdout)
    assert response["answer"] == "2"
    assert "It is JSON Lines: 11 records" in response["trajectory"]["first_message"]
    assert response["trajectory"]["context"]["format"] == "jsonl"


def test_jsonl_refuses_a_directory(tmp_path: Path, capsys: Any) -> None:
    assert main(["-t", "x", "--jsonl", "-f", str(tmp_path), "--model", "replay:/none"]) == 2
    assert "is a directory: JSON Lines is one file or stream" in capsys.readouterr().err
