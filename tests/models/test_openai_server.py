"""An RLM run through the OpenAI-compatible backend against a real `mlx_lm.server` on the bundled
model (started and stopped here); a server that dies mid-run ends the run with one clear error."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from rlm import RLMConfig, rlm_generate
from rlm.backends.openai import OpenAIBackend

# A run is a few root turns over HTTP; on a loaded 2-core machine one turn took minutes.
pytestmark = [pytest.mark.real_model, pytest.mark.timeout(1800)]

# mlx_lm.server's own main, with Debian's OpenBLAS loaded into MLX first (20x faster prefill here).
SERVE = ("import sys\nfrom rlm import _openblas\n_openblas.preload()\nfrom mlx_lm.server import main\n"
         "sys.argv[0] = 'mlx_lm.server'\nmain()\n")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(model_dir: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    """`mlx_lm.server --model DIR --host 127.0.0.1 --port PORT`, once GET /health answers."""
    out = open(log, "wb")
    proc = subprocess.Popen([sys.executable, "-c", SERVE, "--model", str(model_dir), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"mlx_lm.server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise RuntimeError("mlx_lm.server did not become ready within 180 s")


@pytest.fixture
def server(small_model_dir: Path, tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = _free_port()
    proc = start_server(small_model_dir, port, tmp_path / "server.log")
    try:
        yield f"http://127.0.0.1:{port}/v1", proc
    finally:
        proc.kill()
        proc.wait()


def test_an_rlm_run_through_mlx_lm_server_answers_and_counts_the_server_s_tokens(
        server: tuple[str, Any], small_model_dir: Path, tmp_path: Path) -> None:
    url, _ = server
    backend = OpenAIBackend(url, str(small_model_dir))
    trajectory = tmp_path / "run.json"
    r = rlm_generate(backend=backend, context="The secret code is 42.", task="Find the secret code",
                     config=RLMConfig(max_iterations=3, max_tokens_per_turn=48, check_answers=False),
                     output_trajectory=trajectory)
    saved = json.loads(trajectory.read_text())
    assert r.answer is not None and "42" in r.answer, saved["iterations"]
    turns = saved["iterations"]
    assert r.tokens.root_generated == sum(t["generated_tokens"] for t in turns) > 0
    assert r.tokens.root_prefill == sum(t["prefill_tokens"] for t in turns) > 0
    # The server's prompt cache: after the first turn only the new part of the conversation is prefilled.
    assert all(t["prefill_tokens"] < t["prompt_tokens"] / 2 for t in turns[1:])
    first = backend.count_tokens(saved["system_prompt"]) + backend.count_tokens(saved["first_message"])
    assert first < turns[0]["prompt_tokens"] < first + 40  # the server's count: the same tokenizer + template


def test_the_server_dying_mid_run_ends_it_with_one_error_and_keeps_the_trajectory(
        server: tuple[str, Any], small_model_dir: Path, tmp_path: Path) -> None:
    url, proc = server

    def kill_after_the_first_turn(event: Any) -> None:
        if event.kind == "generated" and event.iteration == 1:
            proc.kill()
            proc.wait()

    backend = OpenAIBackend(url, str(small_model_dir), max_retries=1, backoff=0.1)
    trajectory = tmp_path / "run.json"
    r = rlm_generate(backend=backend, context="The secret code is 42.", task="Find the secret code",
                     config=RLMConfig(max_iterations=4, max_tokens_per_turn=32, check_answers=False,
                                      on_event=kill_after_the_first_turn),
                     output_trajectory=trajectory)
    saved = json.loads(trajectory.read_text())
    assert r.answer is None and saved["status"] == "error"
    assert r.error is not None and r.error.startswith(f"cannot reach the server at {url} after 2 attempts")
    assert "\n" not in r.error
    assert len(saved["iterations"]) >= 1 and saved["iterations"][0]["text"]
