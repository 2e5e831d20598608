"""`rlm --context-glob PATTERN` end to end with a replayed model: several files as one tree
context, `path:line` grep output in the run's REPL, one-line usage errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from rlm.cli import main


def test_rlm_context_glob_end_to_end(logs: Path, capsys: Any, replay_file: Any) -> None:
    model = replay_file(["```python\nprint(grep('ERROR'))\n```",
                         "```python\nFINAL(repr(context.file_of(context.find('timeout'))))\n```"])
    code = main(["-t", "Which file has the timeout?", "--context-glob", "logs/**/*.log",
                 "--context-glob", "conf/*.yaml", "--model", f"replay:{model}", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    response = json.loads(out)
    assert response["answer"] == "('logs/old/app.1.log', 1)"
    trajectory = response["trajectory"]
    assert trajectory["iterations"][0]["output"].startswith(
        "2 matching lines in 2 files for 'ERROR':\nlogs/app.log:2:ERROR disk full\nlogs/old/app.1.log:1:ERROR timeout")
    first = trajectory["first_message"]
    assert "They are the text files a glob matched, 3 files" in first
    assert "Left out: 1 binary file (logs/core.log)." in first
    assert trajectory["context"]["source"] == "glob" and trajectory["context"]["files"] == 3


def test_rlm_context_glob_usage_errors(logs: Path, capsys: Any) -> None:
    assert main(["-t", "x", "--context-glob", "nothing/*.log", "--model", "replay:/none"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "rlm: error: --context-glob 'nothing/*.log' matches no file"
    with pytest.raises(SystemExit) as exit_:
        main(["-t", "x", "-f", "conf/app.yaml", "--context-glob", "logs/*.log"])
    assert exit_.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_rlm_chat_takes_context_glob_and_keeps_the_tree(logs: Path, replay_file: Any) -> None:
    turns = ["```python\nerrors = grep('ERROR')\nFINAL(errors[0].line)\n```",
             "```python\nFINAL(context.file_of(errors[1].start)[0])\n```"]
    done = subprocess.run(
        [sys.executable, "-m", "rlm", "chat", "--context-glob", "logs/**/*.log", "--model",
         f"replay:{replay_file(turns)}", "--no-check-answers"],
        input="First error?\nIn which file is the second?\n", capture_output=True, text=True,
        timeout=120, cwd=logs)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "ERROR disk full\nlogs/old/app.1.log\n"
