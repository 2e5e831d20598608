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
        try:
            protocol.send(w, big)
        finally:
            os._exit(0)  # never return into pytest in the child, whatever happened
    os.close(w)  # if the child dies early, the read below sees end of file instead of waiting forever
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


def test_a_message_stopped_halfway_times_out_instead_of_blocking(pipe) -> None:
    r, w = pipe
    os.set_blocking(r, False)
    os.write(w, struct.pack(">I", 100) + b'{"type": ')  # the writer stalls mid-message
    with pytest.raises(protocol.ProtocolTimeout):
        protocol.recv(r, timeout=0.2)


def test_a_reader_that_stopped_reading_times_the_writer_out(pipe) -> None:
    r, w = pipe
    os.set_blocking(w, False)
    with pytest.raises(protocol.ProtocolTimeout):
        protocol.send(w, {"type": "llm_result", "text": ["x" * 1_000_000]}, timeout=0.2)
