"""The page as HTML text: self-contained, everything escaped, long parts folded, all shown."""

from __future__ import annotations

import re
from pathlib import Path

from rlm.view import cli
from rlm.view.highlight import highlight_python
from rlm.view.load import normalise
from rlm.view.render import render_run

from .conftest import DOM, INJECTED, block


def _page(data: dict) -> str:
    return render_run(normalise(data))


def test_the_page_loads_nothing_from_outside() -> None:
    page = _page({"version": 1, "task": "t", "answer": "a",
                  "iterations": [{"code": "print('https://example.com')", "output": "x"}]})
    dom = DOM(page)
    assert not [e for e in dom.elements if e.tag in ("link", "img", "iframe", "object", "embed")]
    assert not [e for e in dom.elements if "src" in e.attrs]
    assert [e.tag for e in dom.elements if e.tag in ("style", "script")] == ["style", "script"]
    hrefs = [e.attrs["href"] for e in dom.elements if "href" in e.attrs]
    assert hrefs and all(h.startswith("#turn-") for h in hrefs)


def test_model_text_with_markup_is_shown_as_text_everywhere() -> None:
    page = _page({"version": 1, "task": "task " + INJECTED, "model": INJECTED,
                  "answer": INJECTED, "error": None, "context": {"source": INJECTED},
                  "iterations": [{"code": "x = 1  # " + INJECTED, "text": "prose " + INJECTED,
                                  "output": INJECTED, "feedback": INJECTED, "error": INJECTED,
                                  "final": INJECTED, "restored_names": [INJECTED],
                                  "llm_calls": [{"prompt": INJECTED, "response": INJECTED}],
                                  "interventions": [{"kind": INJECTED, INJECTED: INJECTED}]}]})
    dom = DOM(page)
    assert len(dom.find("script")) == 1  # the page's own
    assert not dom.find("img")
    assert "<script>document" not in page and "onerror=" not in page.replace("onerror=&quot;", "")
    # ... and the text is all there, as text.
    assert dom.one(id="answer").text == INJECTED
    assert INJECTED in dom.one(tag="pre", cls="code").text
    assert "task " + INJECTED in dom.one(id="task").text


def test_long_outputs_start_folded_and_short_ones_open() -> None:
    long_output = "".join(f"line {i}\n" for i in range(200))
    page = _page({"version": 1, "iterations": [
        {"code": "print(1)", "output": "1\n"}, {"code": "loop()", "output": long_output}]})
    dom = DOM(page)
    short, long_ = dom.find("details", cls="output")
    assert "open" in short.attrs and "open" not in long_.attrs
    assert "line 199" in long_.text and "200 lines" in long_.text


def test_the_truncation_marker_is_marked_and_the_summary_says_how_much_the_model_saw() -> None:
    shown = "head\n\n[... 9,000 of 14,000 characters cut from the middle of the output; print less ...]\ntail\n"
    page = _page({"version": 1, "iterations": [{"code": "p()", "output": shown,
                                                "output_chars": 14000, "output_truncated": True}]})
    dom = DOM(page)
    assert dom.one(tag="mark", cls="cut").text.startswith("[... 9,000 of 14,000 characters cut")
    assert f"the model saw {len(shown):,} of 14,000 chars" in dom.one(tag="summary").text


def test_each_turn_shows_its_tokens_speed_and_seconds() -> None:
    page = _page({"version": 1, "iterations": [{
        "code": "print(1)", "prefill_tokens": 244, "generated_tokens": 22,
        "timings": {"generate": 5.0, "execute": 0.25}}]})
    stat = DOM(page).one(tag="span", cls="stat").text
    assert "244 prefilled" in stat and "22 generated" in stat and "4.4 tok/s" in stat
    assert "5.0 s generate + 0.2 s execute" in stat


def test_sub_calls_show_their_prompt_head_and_reply_or_error() -> None:
    page = _page({"version": 1, "iterations": [{"code": "q()", "llm_calls": [
        {"prompt": "Summarise: abc", "prompt_chars": 5000, "response": "a summary"},
        {"prompt": "second", "error": "BudgetExhaustedError: no more sub-calls"}]}]})
    dom = DOM(page)
    first, second = dom.find("div", cls="subcall")
    assert "prompt 5,000 chars" in first.text and "Summarise: abc" in first.text
    assert "a summary" in first.text
    assert "error: BudgetExhaustedError" in second.text


def test_interventions_of_any_shape_are_listed() -> None:
    page = _page({"version": 1, "iterations": [{"code": "x", "restored_names": ["context", "FINAL"],
        "interventions": [{"kind": "resample", "temp": 0.8, "seed": 3},
                          {"kind": "repeat", "dropped_turns": [2, 3]}, {"other": "shape"}]}]})
    items = [li.text for li in DOM(page).find("li") if "interventions" not in li.classes
             and li.tag == "li" and "turn" not in li.classes]
    assert "resampled temp: 0.8; seed: 3" in items
    assert "repeat dropped_turns: [2, 3]" in items
    assert "intervention other: shape" in items
    assert "names restored names: context, FINAL" in items


def test_every_exit_path_renders_its_outcome(replay_run) -> None:
    answered = render_run(normalise({"status": "answered", "answer": "42", "iterations": []}))
    assert DOM(answered).one(id="answer").text == "42"
    for status, error in [("exhausted", "budget exhausted (max_iterations (1) reached)"),
                          ("error", "BackendError: ran out of turns"),
                          ("interrupted", "interrupted (Ctrl-C)")]:
        dom = DOM(render_run(normalise({"status": status, "error": error, "answer": None,
                                        "iterations": [{"code": "print(1)"}]})))
        assert dom.one(id="status").text == status
        assert dom.one(id="run-error").text == error


def test_the_chart_has_one_linked_bar_group_per_turn_in_each_panel() -> None:
    turns = [{"iteration": i, "code": "x", "prefill_tokens": 100 * i, "generated_tokens": 10,
              "timings": {"generate": 1.0 * i, "execute": 0.5}} for i in range(1, 5)]
    svgs = re.findall(r"<svg.*?</svg>", _page({"version": 1, "iterations": turns}))
    assert len(svgs) == 2
    for svg in svgs:
        assert re.findall(r'<a href="#turn-(\d+)">', svg) == ["1", "2", "3", "4"]
    assert "turn 4: 4.5 s (generate 4 s, execute 0.5 s)" in svgs[0]


def test_highlighting_survives_broken_code_and_escapes_it() -> None:
    html = highlight_python('s = """never closed <b>\nFINAL(x')
    assert '<span class="s">&quot;&quot;&quot;never closed &lt;b&gt;\nFINAL(x</span>' in html
    assert highlight_python("def f(): return 1") == (
        '<span class="k">def</span> <span class="f">f</span>(): '
        '<span class="k">return</span> <span class="n">1</span>')


def test_rlm_view_writes_the_page_next_to_the_trajectory(replay_run, capsys) -> None:
    path = replay_run([block("FINAL(context[-4:-2])")])
    assert cli.main([str(path)]) == 0
    page = path.with_suffix(".html")
    assert capsys.readouterr().out.strip() == str(page)
    assert DOM(page.read_text()).one(id="answer").text == "42"


def test_rlm_view_usage_errors_exit_2_with_one_line(tmp_path: Path, capsys) -> None:
    assert cli.main([str(tmp_path / "missing.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rlm view: error: trajectory not found") and err.count("\n") == 1
    same = tmp_path / "t.json"
    same.write_text("{}")
    assert cli.main([str(same), "-o", str(same)]) == 2
    assert "would overwrite the trajectory" in capsys.readouterr().err


def test_the_main_cli_dispatches_view(replay_run, tmp_path: Path) -> None:
    from rlm.cli import main

    out = tmp_path / "page.html"
    assert main(["view", str(replay_run([block("FINAL(context[-4:-2])")])), "-o", str(out)]) == 0
    assert out.read_text().startswith("<!doctype html>")


def test_a_page_stays_small() -> None:
    # Styles and script are inline: they must not dwarf the run itself.
    page = _page({"version": 1, "iterations": []})
    assert len(page.encode()) < 12_000


def test_the_readme_shows_a_small_screenshot_of_the_page() -> None:
    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text()
    assert "![rlm view" in readme and "(docs/viewer.png)" in readme
    shot = (root / "docs" / "viewer.png").read_bytes()
    assert shot.startswith(b"\x89PNG\r\n\x1a\n") and len(shot) < 100_000
