"""`rlm chat`: one answer per question line, state kept between them, --json lines, -o DIR."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

CONTEXT = "The secret code is 42.\nThe backup code is 7.\n"
# Question 1 keeps `codes` in the REPL; question 2 uses it and `history`.
TURNS = [
    "```python\ncodes = re.findall(r'\\d+', context)\nFINAL(codes[0])\n```",
    "```python\nFINAL(codes[1] + ' after ' + history[0]['answer'])\n```",
]


@pytest.fixture
def context_file(tmp_path: Path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_text(CONTEXT, encoding="utf-8")
    return path


def chat(replay_file: Any, *argv: str, questions: str, turns: list[str] = TURNS) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rlm", "chat", "--model", f"replay:{replay_file(turns)}",
         "--no-check-answers", *argv],
        input=questions, capture_output=True, text=True, timeout=120)


def test_each_question_line_gets_its_answer_and_state_is_kept(replay_file, context_file) -> None:
    done = chat(replay_file, "-f", str(context_file), questions="Secret code?\n\n  \nBackup code?\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "42\n7 after 42\n"  # blank lines are not questions
    assert done.stderr == ""  # no prompt: the questions come from a pipe


def test_json_prints_one_object_per_answer(replay_file, context_file) -> None:
    done = chat(replay_file, "-f", str(context_file), "--json", questions="Secret code?\nBackup code?\n")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(r["question"], r["answer"]) for r in lines] == [("Secret code?", "42"),
                                                           ("Backup code?", "7 after 42")]
    assert lines[1]["trajectory"]["session"] == {"question": 2}


def test_output_dir_gets_one_trajectory_per_question(replay_file, context_file, tmp_path: Path) -> None:
    out = tmp_path / "runs" / "today"
    done = chat(replay_file, "-c", CONTEXT, "-o", str(out), questions="Secret code?\nBackup code?\n")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["question-001.json", "question-002.json"]
    second = json.loads((out / "question-002.json").read_text())
    assert (second["task"], second["answer"], second["status"]) == ("Backup code?", "7 after 42", "answered")


def test_a_question_without_an_answer_is_reported_and_the_rest_go_on(replay_file, context_file) -> None:
    turns = ["```python\nx = 1\n```", "```python\ny = 2\n```", "```python\nFINAL(x + y)\n```"]
    done = chat(replay_file, "-f", str(context_file), "--max-iterations", "1", turns=turns,
                questions="First?\nSecond?\n")
    assert done.returncode == 1
    assert done.stdout == "3\n"
    assert done.stderr.startswith("rlm chat: error: question 1: budget exhausted")


def test_a_context_is_required(replay_file) -> None:
    done = chat(replay_file, questions="Secret code?\n")
    assert done.returncode == 2
    assert done.stderr.startswith("rlm chat: error: one of the arguments")


def test_a_missing_context_file_fails_before_any_question(replay_file, tmp_path: Path) -> None:
    done = chat(replay_file, "-f", str(tmp_path / "missing.txt"), questions="Secret code?\n")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.strip() == f"rlm chat: error: context file not found: {tmp_path / 'missing.txt'}"


def test_no_questions_is_no_work(replay_file, context_file) -> None:
    done = chat(replay_file, "-f", str(context_file), questions="")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_each_question_is_asked_for_on_stderr(capsys) -> None:
    from rlm.chat import PROMPT, questions

    assert list(questions(_Terminal("Who?\n\nWhen?\n"))) == ["Who?", "When?"]
    assert capsys.readouterr().err == PROMPT * 4 + "\n"  # asked again after the blank line and at EOF
