"""The page in a real browser (headless Chromium): it renders, its own script runs, and no script
from model text does; the eval index links every run."""

from __future__ import annotations

from pathlib import Path

from rlm.eval.results import RunResult
from rlm.view import load_run, render_run
from rlm.view.index import write_eval_pages

from .conftest import DOM, INJECTED, block

LONG = "for i in range(400):\n    print('row', i, 'x' * 60)"


def _html_element(dom: DOM):
    return dom.one(tag="html")


def test_a_run_with_markup_in_every_field_renders_and_runs_no_model_script(
        replay_run, browser, tmp_path: Path) -> None:
    # The answer is printed first: the engine checks that a FINAL answer was seen somewhere.
    turns = [block(f"hits = grep('secret')  # {INJECTED}\nprint(hits)\nprint({('42 ' + INJECTED)!r})"),
             block(f"a = llm_query({INJECTED!r} + context[:200])\nprint(a)"),
             block(LONG),
             block(f"FINAL({('42 ' + INJECTED)!r})")]
    path = replay_run(turns, sub=[f"a reply {INJECTED}"], task=f"Find it {INJECTED}",
                      max_output_chars=2000)
    page = path.with_suffix(".html")
    page.write_text(render_run(load_run(path)), encoding="utf-8")

    dom = DOM(browser.dump_dom(page))
    root = _html_element(dom)
    assert root.attrs.get("data-viewer") == "ready"  # the page's own script ran ...
    assert "data-pwned" not in root.attrs            # ... and none from the model's text
    assert len(dom.find("script")) == 1 and not dom.find("img")
    assert len(dom.find("li", cls="turn")) == 4
    assert dom.one(id="answer").text == "42 " + INJECTED
    assert dom.one(id="task").text == f"Find it {INJECTED}"
    # The script built its toolbar; the long output is folded, the short ones open.
    assert [b.text for b in dom.find("button")] == ["expand all", "collapse all"]
    outputs = dom.find("details", cls="output")
    assert ["open" in d.attrs for d in outputs] == [True, True, False]
    # The REPL's truncation marker is highlighted, in the output and in the feedback it became.
    marks = [m.text for m in dom.find("mark", cls="cut")]
    assert len(marks) == 2 and all("characters cut from the middle of the output" in m for m in marks)


def test_a_screenshot_of_the_page_is_a_real_image(replay_run, browser, tmp_path: Path) -> None:
    path = replay_run([block("print(grep('secret'))"), block("FINAL('42')")])
    page = tmp_path / "run.html"
    page.write_text(render_run(load_run(path)), encoding="utf-8")
    shot = browser.screenshot(page, tmp_path / "shot.png")
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1100, 900)
    assert len(data) > 20_000  # text and chart drawn, not a blank page (a blank PNG is ~3 KB)


def test_the_eval_index_links_every_run_with_its_score(replay_run, browser, tmp_path: Path) -> None:
    solved = replay_run([block("FINAL(context[-4:-2])")])
    failed = replay_run([block("FINAL(context[-3:-2])")])
    runs = [RunResult("needle-32K-s0", "needle", 32768, 0, "rlm", "replay", 1.0, "42", ["42"], 1,
                      100, 0.5, trajectory=str(solved)),
            RunResult("needle-32K-s1", "needle", 32768, 1, "rlm", "replay", 0.0, "7", ["13"], 1,
                      90, 0.4, trajectory=str(failed)),
            RunResult("needle-32K-s1", "needle", 32768, 1, "direct", "replay", 0.0, None, ["13"], 1,
                      900, 2.0, error="no answer")]
    index = write_eval_pages(solved.parent, runs)
    dom = DOM(browser.dump_dom(index))
    assert dom.one(id="headline").text == "3 runs · solved 1/3 · mean score 0.33"
    links = [a.attrs["href"] for a in dom.find("a")]
    assert links == [solved.with_suffix(".html").name, failed.with_suffix(".html").name]
    assert [tr.attrs.get("class") for tr in dom.find("tr")[1:]] == ["solved", "failed", "failed"]
    # Each linked page exists and links back.
    back = DOM(browser.dump_dom(solved.with_suffix(".html")))
    assert [a.attrs["href"] for a in back.find("a")][0] == "index.html"


def test_the_engines_interventions_are_in_the_rendered_page(replay_run, browser, tmp_path: Path) -> None:
    # A turn repeated until the engine stops the run: resamples, a repeat not run, the stop, and
    # the best-answer turn, as badges on their turns.
    path = replay_run([block("x = 1")] * 8 + [block("FINAL(context[-4:-2])")])
    page = tmp_path / "stalled.html"
    page.write_text(render_run(load_run(path)), encoding="utf-8")
    dom = DOM(browser.dump_dom(page))
    assert dom.one(tag="html").attrs.get("data-viewer") == "ready"
    kinds = [li.attrs["data-kind"] for li in dom.find("li") if "data-kind" in li.attrs]
    assert kinds == ["resample", "resample", "repeat_not_run"] * 2 + ["stop_no_progress",
                                                                      "resample", "budget_stop"]
    assert dom.one(id="status").text == "exhausted" and dom.one(id="answer").text == "42"
