"""The length-prefixed JSON wire format between driver and worker."""

from __future__ import annotations

import os
import struct

import pytest

from rlm.repl import protocol


@pytest.fixture()
def pipe():
    r, w = os.pipe()
    yield r, w
    for fd in (r, w):
        try:
            os.close(fd)
        except OSError:
            pass


def test_round_trip_keeps_unicode_and_lone_surrogates(pipe) -> None:
    r, w = pipe
    msg = {"type": "done", "output": "héllo 😀 \udcff", "n": 3, "list": [1, None]}
    protocol.send(w, msg)
    assert protocol.recv(r) == msg


def test_messages_larger_than_a_pipe_buffer_arrive_whole(pipe) -> None:
    r, w = pipe
    big = {"type": "llm_query", "prompts": ["x" * 300_000]}
    pid = os.fork()
    if pid == 0:  # the writer blocks until the reader drains the pipe
        protocol.send(w, big)
        os._exit(0)
    assert protocol.recv(r) == big
    os.waitpid(pid, 0)


def test_end_of_file_is_a_protocol_error(pipe) -> None:
    r, w = pipe
    os.write(w, struct.pack(">I", 10) + b'{"ty')
    os.close(w)
    with pytest.raises(protocol.ProtocolError):
        protocol.recv(r)


def test_oversized_header_is_refused_before_allocating(pipe) -> None:
    r, w = pipe
    os.write(w, struct.pack(">I", protocol.MAX_MESSAGE_BYTES + 1))
    with pytest.raises(protocol.ProtocolError, match="exceeds"):
        protocol.recv(r)


def test_a_message_must_be_an_object_with_a_type(pipe) -> None:
    r, w = pipe
    body = b"[1, 2]"
    os.write(w, struct.pack(">I", len(body)) + body)
    with pytest.raises(protocol.ProtocolError):
        protocol.recv(r)
