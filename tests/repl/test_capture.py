"""OutputCapture keeps exactly the head and tail a full copy would show, whatever the writes."""

from __future__ import annotations

import os
import tempfile

from hypothesis import given, settings
from hypothesis import strategies as st

from rlm.repl.capture import OutputCapture, truncation_marker


def _expected(text: str, cap: int) -> str:
    if len(text) <= cap:
        return text
    head, tail = text[: cap // 2], text[len(text) - (cap - cap // 2):]
    return head + truncation_marker(len(text) - len(head) - len(tail), len(text)) + tail


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(st.text(max_size=40), max_size=30), cap=st.integers(min_value=2, max_value=60))
def test_head_and_tail_equal_those_of_the_whole_text(pieces: list[str], cap: int) -> None:
    out = OutputCapture(cap)
    for piece in pieces:
        assert out.write(piece) == len(piece)
    text = "".join(pieces)
    assert out.result() == (_expected(text, cap), len(text))


def test_file_descriptor_output_is_read_only_around_the_cap_and_the_file_emptied() -> None:
    with tempfile.TemporaryFile() as f:
        fd = f.fileno()
        os.write(fd, b"before")
        mark = os.lseek(fd, 0, os.SEEK_CUR)
        os.write(fd, b"a" * 1000 + b"b" * 10**6 + b"z" * 1000)
        out = OutputCapture(100)
        out.append_fd_output(fd, mark)
        text, total = out.result()
        assert text.startswith("a" * 50) and text.endswith("z" * 50)
        assert total == 10**6 + 2000
        assert os.fstat(fd).st_size == 0 and os.lseek(fd, 0, os.SEEK_CUR) == 0
