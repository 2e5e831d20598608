"""Context as a str-like object: opening, errors, limits, offsets and lines."""

from __future__ import annotations

import pathlib

import pytest

from rlm import Context
from rlm.errors import ContextError, ContextTooLargeError


def test_open_maps_the_file_and_reports_its_path(tmp_path: pathlib.Path) -> None:
    p = tmp_path / "t.txt"
    p.write_text("héllo\nwörld\n", encoding="utf-8")
    c = Context.open(p)
    assert c.is_mapped
    assert c.path == str(p)
    assert (len(c), c.byte_len, c.line_count()) == (12, 14, 2)
    assert "mapped from" in repr(c) and "12 chars" in repr(c)


def test_empty_file_is_a_valid_empty_context(tmp_path: pathlib.Path) -> None:
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    c = Context.open(p)
    assert (len(c), c.line_count(), str(c), bool(c)) == (0, 0, "", False)


def test_invalid_utf8_names_the_first_bad_byte(tmp_path: pathlib.Path) -> None:
    p = tmp_path / "bad.txt"
    p.write_bytes(b"abc\xe2\x82xyz\xff")
    with pytest.raises(ContextError, match="byte offset 3"):
        Context.open(p)


def test_replace_mode_decodes_like_python(tmp_path: pathlib.Path) -> None:
    raw = b"abc\xe2\x82xyz\xff\xc3\xa9"
    p = tmp_path / "bad.txt"
    p.write_bytes(raw)
    c = Context.open(p, errors="replace")
    assert str(c) == raw.decode("utf-8", "replace")
    assert c.replaced and not c.is_mapped


def test_missing_file_raises_file_not_found(tmp_path: pathlib.Path) -> None:
    with pytest.raises(FileNotFoundError):
        Context.open(tmp_path / "nope.txt")


def test_unknown_errors_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="strict"):
        Context.from_bytes(b"x", errors="ignore")  # type: ignore[arg-type]


def test_owned_context_has_no_path_and_round_trips_bytes(tmp_path: pathlib.Path) -> None:
    c = Context.from_str("naïve € text")
    assert c.path is None and not c.is_mapped
    assert c.to_bytes() == "naïve € text".encode()
    target = tmp_path / "copy.txt"
    c.save(target)
    assert str(Context.open(target)) == "naïve € text"


def test_materialising_above_the_limit_is_refused_with_the_lazy_alternative() -> None:
    c = Context.from_str("line\n" * 100)
    c.max_materialize = 50
    with pytest.raises(ContextTooLargeError, match="lines()"):
        str(c)
    with pytest.raises(ContextTooLargeError, match="lines()"):
        c.splitlines()
    with pytest.raises(ContextTooLargeError, match="iter_split"):
        c.split()
    with pytest.raises(ContextTooLargeError):
        c[0:60]
    assert c[0:50] == ("line\n" * 10)
    assert sum(1 for _ in c.lines()) == 100
    c.max_materialize = 10_000
    assert len(c.splitlines()) == 100


def test_indexing_by_character() -> None:
    c = Context.from_str("aé€😀")
    assert (c[0], c[1], c[-1], c[1:3], c[::-1]) == ("a", "é", "😀", "é€", "😀€éa")
    with pytest.raises(IndexError):
        c[4]
    with pytest.raises(TypeError):
        c["x"]  # type: ignore[call-overload]


def test_offsets_convert_between_chars_and_bytes() -> None:
    c = Context.from_str("aé€z")
    assert [c.byte_offset(i) for i in range(5)] == [0, 1, 3, 6, 7]
    assert [c.char_offset(b) for b in range(8)] == [0, 1, 1, 2, 2, 2, 3, 4]
    with pytest.raises(IndexError):
        c.byte_offset(5)


def test_line_lookup_is_one_based_and_owns_its_ending() -> None:
    c = Context.from_str("one\r\ntwo\n\nfour")
    assert c.line_count() == 4
    assert [c.line(n) for n in (1, 2, 3, 4, -1)] == ["one", "two", "", "four", "four"]
    assert c.line_span(2) == (5, 8)
    assert [c.line_of(i) for i in (0, 3, 4, 5, 9, 10, 14)] == [1, 1, 1, 2, 3, 4, 4]
    with pytest.raises(IndexError, match="1..=4"):
        c.line(5)
    with pytest.raises(IndexError):
        c.line(0)


def test_lines_iterator_is_lazy_and_matches_splitlines() -> None:
    text = "a\r\nb\rc\x0cd\u2028e\n\n"
    c = Context.from_str(text)
    it = c.lines(keepends=True)
    assert next(it) == "a\r\n"
    assert ["a\r\n", *it] == text.splitlines(keepends=True)


@pytest.mark.skipif(not pathlib.Path("/proc/self/status").exists(), reason="Linux /proc only")
def test_opening_does_not_copy_the_file(tmp_path: pathlib.Path, rss_anon) -> None:
    p = tmp_path / "big.txt"
    unit = "def f(self, x):  # é€\r\n    return x\n" * 1000
    p.write_text(unit * 1700, encoding="utf-8", newline="")  # ~66 MB
    size = p.stat().st_size
    Context.open(p)  # the first open starts the thread pool: not part of the measurement
    before = rss_anon()
    c = Context.open(p)
    assert len(c) == len(unit) * 1700
    assert rss_anon() - before < 0.05 * size


def test_lines_iterate_past_their_internal_batches() -> None:
    text = "".join(f"line {i}" + ("\r\n" if i % 3 else "\u2028") for i in range(5000))
    c = Context.from_str(text)
    assert list(c.lines()) == text.splitlines()
    assert list(c.lines(keepends=True)) == text.splitlines(keepends=True)
    assert list(c.iter_split("\r\n")) == text.split("\r\n")


def test_a_pipe_is_read_rather_than_mapped(tmp_path: pathlib.Path) -> None:
    import os
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_text("streamed é\n", encoding="utf-8"))
    writer.start()
    c = Context.open(fifo)
    writer.join()
    assert str(c) == "streamed é\n" and not c.is_mapped


def test_a_directory_is_refused(tmp_path: pathlib.Path) -> None:
    with pytest.raises(IsADirectoryError):
        Context.open(tmp_path)


def test_other_str_methods_run_on_the_text_within_the_limit() -> None:
    c = Context.from_str("Hello Wörld\n")
    assert c.lower() == "hello wörld\n"  # type: ignore[attr-defined]
    assert c.strip().replace("o", "0") == "Hell0 Wörld"  # type: ignore[attr-defined]
    assert c.encode("utf-8") == "Hello Wörld\n".encode()  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        c.no_such_method  # type: ignore[attr-defined]  # noqa: B018
    c.max_materialize = 5
    assert hasattr(c, "lower")  # looking it up is free; calling it materialises
    with pytest.raises(ContextTooLargeError, match="slice"):
        c.lower()  # type: ignore[attr-defined]
