"""`-v`: each turn's line shows tokens/s; long outputs are shown cut as the model is shown them."""

from __future__ import annotations

import io
import json
from pathlib import Path

from rlm.events import Event, StderrPrinter


def test_the_turn_line_shows_tokens_seconds_and_tokens_per_second() -> None:
    out = io.StringIO()
    StderrPrinter(out)(Event("generated", 1, {"text": "x", "prompt_tokens": 300,
                                              "prefill_tokens": 244, "generated_tokens": 22,
                                              "seconds": 5.1}))
    assert out.getvalue() == "x\n[244 prefilled, 22 generated, 5.1 s, 4.3 tok/s]\n"


def test_a_turn_without_timing_shows_no_rate() -> None:
    out = io.StringIO()
    StderrPrinter(out)(Event("generated", 1, {"text": "", "prompt_tokens": 1, "prefill_tokens": 1,
                                              "generated_tokens": 0, "seconds": 0.0}))
    assert "tok/s" not in out.getvalue()


def test_a_long_output_is_printed_cut_exactly_as_the_model_saw_it(tmp_path: Path, run, code,
                                                                  capsys) -> None:
    out = tmp_path / "t.json"
    run([code("for i in range(2000): print('row', i)"), code("FINAL('done')")],
        trajectory=out, verbose=True, max_output_chars=1000)
    err = capsys.readouterr().err
    feedback = json.loads(out.read_text())["iterations"][0]["feedback"]
    assert "characters cut from the middle of the output" in feedback
    assert f"── output ──\n{feedback}\n" in err
    assert "row 1000\n" not in err and "row 0\n" in err and "row 1999\n" in err
