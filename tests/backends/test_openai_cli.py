"""`rlm --backend openai`: a whole run against scripted servers, the sub-call server and model, the
server's token counts in the trajectory, and the usage errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rlm.backends.openai import OpenAIBackend
from rlm.cli import main


def _turn(code: str, usage: dict[str, int] | None = None) -> tuple[Any, ...]:
    """A root turn as a server that honours the stop string "```\\n" streams it: without the fence."""
    return ("stream", ["```python\n", code + "\n"], "stop", usage)


def _cli(capsys: Any, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_run_through_a_server_answers_and_records_the_server_s_token_counts(
        server, tmp_path: Path, capsys) -> None:
    url, script = server
    script.replies.append(_turn("FINAL(re.findall(r'\\d+', context)[0])",
                                {"prompt_tokens": 900, "completion_tokens": 14}))
    traj = tmp_path / "run.json"
    code, out, err = _cli(capsys, "--backend", "openai", "--base-url", url, "--model", "served-name",
                          "-t", "Find the code", "-c", "the code is 42", "-o", str(traj))
    assert (code, out) == (0, "42\n"), err
    saved = json.loads(traj.read_text())
    (turn,) = saved["iterations"]
    assert (turn["prompt_tokens"], turn["generated_tokens"]) == (900, 14)
    assert saved["model"] == "openai:served-name"
    sent = script.requests[0]
    assert sent["model"] == "served-name" and sent["stop"] == ["```\n"]
    assert [m["role"] for m in sent["messages"]] == ["system", "user"]


def test_sub_calls_go_to_the_sub_server_and_model(make_server, capsys) -> None:
    root_url, root = make_server()
    sub_url, sub = make_server()
    root.replies += [_turn("print(llm_query('Say hi'))"), _turn("FINAL('done')")]
    sub.replies.append(("stream", ["hello ", "there"], "stop", {"prompt_tokens": 9, "completion_tokens": 2}))
    code, out, err = _cli(capsys, "--base-url", root_url, "--model", "big", "--sub-base-url", sub_url,
                          "--sub-model", "small", "--no-check-answers", "-t", "Greet", "-c", "x")
    assert (code, out) == (0, "done\n"), err
    assert [r["model"] for r in sub.requests] == ["small"]
    assert sub.requests[0]["messages"] == [{"role": "user", "content": "Say hi"}]
    assert [r["model"] for r in root.requests] == ["big", "big"]
    assert "hello there" in root.requests[1]["messages"][-1]["content"]


def _record_closes(monkeypatch: Any) -> list[tuple[str, bool]]:
    """(base_url, pool closed afterwards) for every OpenAIBackend.close() call."""
    closes: list[tuple[str, bool]] = []
    original = OpenAIBackend.close

    def close(self: OpenAIBackend) -> None:
        original(self)
        closes.append((self.base_url, self._client.is_closed))

    monkeypatch.setattr(OpenAIBackend, "close", close)
    return closes


def test_a_run_closes_the_connection_pools_of_the_root_and_the_sub_server(
        make_server, capsys, monkeypatch) -> None:
    closes = _record_closes(monkeypatch)
    root_url, root = make_server()
    sub_url, sub = make_server()
    root.replies += [_turn("print(llm_query('Say hi'))"), _turn("FINAL('done')")]
    code, out, err = _cli(capsys, "--base-url", root_url, "--model", "big", "--sub-base-url", sub_url,
                          "--no-check-answers", "-t", "Greet", "-c", "x")
    assert (code, out) == (0, "done\n"), err
    assert sorted(closes) == sorted([(root_url.rstrip("/"), True), (sub_url.rstrip("/"), True)])


def test_a_run_that_fails_on_a_down_server_still_closes_its_pool(monkeypatch, capsys) -> None:
    closes = _record_closes(monkeypatch)
    code, _, _ = _cli(capsys, "--base-url", "http://127.0.0.1:9/v1", "--model", "m", "-t", "Find", "-c", "x")
    assert code == 1 and closes == [("http://127.0.0.1:9/v1", True)]


def test_a_server_that_is_down_is_one_error_line_exit_1_and_a_trajectory(tmp_path: Path, capsys) -> None:
    traj = tmp_path / "run.json"
    code, out, err = _cli(capsys, "--base-url", "http://127.0.0.1:9/v1", "--model", "m",
                          "-t", "Find the code", "-c", "the code is 42", "-o", str(traj))
    assert (code, out) == (1, "")
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rlm: error: cannot reach the server at "
                                                   "http://127.0.0.1:9/v1 after 4 attempts"), err
    saved = json.loads(traj.read_text())
    assert saved["status"] == "error" and "cannot reach the server" in saved["error"]


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--backend", "openai", "--model", "m"], "needs --base-url"),
        (["--backend", "openai", "--base-url", "http://127.0.0.1:9/v1"], "needs --model NAME"),
        (["--backend", "mlx", "--base-url", "http://127.0.0.1:9/v1"], "--base-url is for --backend openai"),
        (["--base-url", "http://127.0.0.1:9/v1", "--model", "m", "--max-concurrency", "0"], "above 0"),
    ],
)
def test_openai_usage_errors_exit_2(capsys, argv: list[str], fragment: str) -> None:
    try:
        code = main([*argv, "-t", "x", "-c", "y"])
    except SystemExit as stop:  # argparse's own errors
        code = stop.code  # type: ignore[assignment]
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and fragment in err[0], err


def test_a_server_dying_mid_run_keeps_the_turns_so_far(server, tmp_path: Path, capsys) -> None:
    url, script = server
    script.replies += [_turn("print(len(context))"), ("die", ["```python\n", "pri"])]
    traj = tmp_path / "run.json"
    code, _, err = _cli(capsys, "--base-url", url, "--model", "m", "-t", "Find the code",
                        "-c", "the code is 42", "-o", str(traj))
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "closed the connection in the middle of a reply" in lines[0], err
    saved = json.loads(traj.read_text())
    assert saved["status"] == "error" and saved["iterations"][0]["code"] == "print(len(context))\n"
    assert saved["iterations"][0]["output"] == "14\n"


def test_a_map_sharing_a_prefix_sends_the_first_prompt_first_and_records_the_reuse(
        make_server, tmp_path: Path, capsys) -> None:
    root_url, root = make_server()
    sub_url, sub = make_server()
    shared = "Say which service this log part names, one word:\n" + "log line\n" * 40
    root.replies += [_turn(f"print(llm_query_batched([{shared!r} + c for c in ['db', 'web', 'cache']]))"),
                     _turn("FINAL('done')")]
    for i, chunk in enumerate(["db", "web", "cache"]):
        cached = 0 if i == 0 else 100  # the first prefilled the shared part; the others reused it
        sub.by_prompt[shared + chunk] = [("stream", [chunk], "stop", {
            "prompt_tokens": 110, "completion_tokens": 1, "prompt_tokens_details": {"cached_tokens": cached}})]
    traj = tmp_path / "run.json"
    code, out, err = _cli(capsys, "--base-url", root_url, "--model", "m", "--sub-base-url", sub_url,
                          "--no-check-answers", "-t", "Name the services", "-c", "x", "-o", str(traj))
    assert (code, out) == (0, "done\n"), err
    assert sub.requests[0]["messages"][0]["content"].endswith("db")  # sent alone, first
    calls = json.loads(traj.read_text())["iterations"][0]["llm_calls"]
    assert [(c["response"], c["prompt_tokens"], c["prefill_tokens"]) for c in calls] == [
        ("db", 110, 110), ("web", 110, 10), ("cache", 110, 10)]
