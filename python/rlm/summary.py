"""What the model is told about the context before its first turn: size, tokens, a short preview.

Never the context itself beyond the preview: the point of an RLM is that the text stays in the REPL.
"""

from __future__ import annotations

import collections
import itertools
import json
import posixpath
from dataclasses import dataclass
from typing import Any, Callable

from rlm import tokens
from rlm._core import Context
from rlm.file_headers import header_files

# Every run pays for this count before its first turn, so its exact limit is lower than the REPL's
# count_tokens: 4 Mi characters take ~0.2-0.4 s in Rust on this 2-core CPU (benches/README.md);
# the backend's own tokenizer (no tokenizer.json Rust reads) ~10x longer, so 200,000 there.
DESCRIBE_RUST = tokens.Limits(exact_chars=1 << 22, samples=tokens.RUST.samples,
                              sample_chars=tokens.RUST.sample_chars)
DESCRIBE_OTHER = tokens.Limits(exact_chars=200_000, samples=16, sample_chars=4096)

HEAD_PREVIEW_CHARS = 300
TAIL_PREVIEW_CHARS = 200


# A tree is described by its biggest files and commonest extensions, this many of each, and by
# its biggest JSON Lines files with their record counts.
TREE_LARGEST = 5
TREE_EXTENSIONS = 8
TREE_JSONL = 5
# The names `Context.open` reads as JSON Lines (rlm-core's `jsonl::EXTENSIONS`).
JSONL_EXTENSIONS = (".jsonl", ".ndjson")


@dataclass(frozen=True)
class TreeSummary:
    """What the model is told about a directory context instead of a head/tail preview."""

    files: int
    largest: tuple[tuple[str, int], ...]  # (path, characters), biggest first
    extensions: tuple[tuple[str, int], ...]  # (".py", files), commonest first; "" for none
    skipped: tuple[tuple[str, str], ...]  # (path, reason) of every file left out
    directory: bool = True  # False: files named one by one (--context-glob, Context.open_files)
    # One text made of `# FILE: path` sections (rlm.file_headers), not a directory read by rlm.
    sections: bool = False
    # (path, records, estimated) of the biggest JSON Lines files (by name), and how many there are.
    jsonl: tuple[tuple[str, int, bool], ...] = ()
    jsonl_files: int = 0


def summarize_tree(context: Context) -> TreeSummary | None:
    """The file count, biggest files, extensions and skipped files of a tree context, or of a
    text made of `# FILE: path` sections (None for other text).

    >>> summarize_tree(Context.from_str("x")) is None
    True
    """
    if context.is_tree:
        files, skipped = context.files(), tuple(context.skipped_files())
    else:
        sections = header_files(context)
        if sections is None:
            return None
        files, skipped = sections.files(), ()
    largest = sorted(((path, end - start) for path, start, end in files), key=lambda f: (-f[1], f[0]))
    extensions = collections.Counter(posixpath.splitext(path)[1].lower() for path, _, _ in files)
    jsonl = [(path, n) for path, n in largest if posixpath.splitext(path)[1].lower() in JSONL_EXTENSIONS]
    return TreeSummary(len(files), tuple(largest[:TREE_LARGEST]),
                       tuple(sorted(extensions.items(), key=lambda e: (-e[1], e[0]))[:TREE_EXTENSIONS]),
                       skipped, directory=context.path is not None, sections=not context.is_tree,
                       jsonl=_count_members(context, files, jsonl[:TREE_JSONL]) if context.is_tree else (),
                       jsonl_files=len(jsonl) if context.is_tree else 0)


def _count_members(context: Context, files: list[tuple[str, int, int]],
                   members: list[tuple[str, int]]) -> tuple[tuple[str, int, bool], ...]:
    """(path, records, estimated) of the JSON Lines files `members` (path, characters) of a tree:
    counted exactly while the files counted so far stay under `JSONL_EXACT_BYTES`, above that
    by their lines (`records(file=)` works on a tree only, so sections are not counted)."""
    spans = {path: (start, end) for path, start, end in files}
    counted, budget = [], JSONL_EXACT_BYTES
    for path, chars in members:
        if chars <= budget:
            counted.append((path, context.count_records(file=path), False))
            budget -= chars
        else:  # the lines from its first character to its last
            start, end = spans[path]
            counted.append((path, context.line_of(end - 1) - context.line_of(start) + 1, True))
    return tuple(counted)


# A JSON Lines context's records are counted exactly up to this size (a scan on every core, well
# under a second); above it the line count stands in, labelled as an estimate.
JSONL_EXACT_BYTES = 256 << 20
# The keys shown are those of this many first records (the rest of the file is not parsed).
JSONL_KEY_RECORDS = 5
JSONL_KEYS = 12


@dataclass(frozen=True)
class JsonlSummary:
    """What the model is told about a JSON Lines context besides its size and preview."""

    records: int
    estimated: bool  # `records` is the line count (blank lines included), not an exact count
    keys: tuple[str, ...]  # the top-level keys of the first records, in first-seen order


def summarize_jsonl(context: Context) -> JsonlSummary | None:
    """The record count and first records' keys of a JSON Lines context (None for other text).

    >>> summarize_jsonl(Context.from_str("{}")) is None
    True
    """
    if not getattr(context, "is_jsonl", False):
        return None
    if context.byte_len <= JSONL_EXACT_BYTES:
        records, estimated = context.count_records(), False
    else:
        records, estimated = context.line_count(), True
    keys: dict[str, None] = {}
    for _, line in itertools.islice(context.record_lines(), JSONL_KEY_RECORDS):
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            keys.update(dict.fromkeys(map(str, record)))
    return JsonlSummary(records, estimated, tuple(keys)[:JSONL_KEYS])


def describe_jsonl(jsonl: JsonlSummary) -> str:
    """The context description's sentence for a JSON Lines context (no final period).

    >>> describe_jsonl(JsonlSummary(1200, False, ("ts", "status")))
    'It is JSON Lines: 1,200 records, one JSON object per line, with keys ts, status in the first records; `context.records(where={"key": value})` yields them as dicts and `grep(pattern, field="key")` searches one field'
    """
    approx = "~" if jsonl.estimated else ""
    keys = f", with keys {', '.join(jsonl.keys)} in the first records" if jsonl.keys else ""
    return (f"It is JSON Lines: {approx}{jsonl.records:,} records, one JSON object per line{keys}; "
            '`context.records(where={"key": value})` yields them as dicts and '
            '`grep(pattern, field="key")` searches one field')


@dataclass(frozen=True)
class ContextSummary:
    """What the model is told about the context (never the context itself beyond a preview)."""

    chars: int
    lines: int
    tokens: int | None  # None when no count or estimate was possible
    tokens_estimated: bool  # True when `tokens` comes from a sample
    head: str  # the first characters; the whole text when it is short
    tail: str  # the last characters; "" when `head` already holds everything
    tree: TreeSummary | None = None  # a directory context: described by its files instead
    jsonl: JsonlSummary | None = None  # a JSON Lines context: its records, besides the preview


def summarize(context: Context, count_tokens: Callable[[str], int],
              tokenizer: tokens.Counter | None = None) -> ContextSummary:
    """Size, token count and preview of `context` for the prompt.

    Tokens are counted with `tokenizer` (the Rust one of the model's tokenizer.json) when given,
    else with `count_tokens` (the backend's `count_tokens(text) -> int`): exactly for small
    contexts, estimated from evenly spaced samples for big ones (labelled as an estimate).

    >>> summarize(Context.from_str("a b c\\nd"), lambda s: len(s.split())).tokens
    4
    """
    chars = len(context)
    lines = context.line_count()
    counter = tokenizer if tokenizer is not None else _CallableCounter(count_tokens)
    n_tokens: int | None
    try:
        n_tokens = tokens.count(counter, context, DESCRIBE_RUST if tokenizer is not None else DESCRIBE_OTHER)
    except Exception:  # a backend without a usable tokenizer: describe without tokens
        n_tokens = None
    estimated = isinstance(n_tokens, tokens.TokenEstimate)
    if chars <= HEAD_PREVIEW_CHARS + TAIL_PREVIEW_CHARS:
        head, tail = context[:], ""
    else:
        head, tail = context[:HEAD_PREVIEW_CHARS], context[chars - TAIL_PREVIEW_CHARS :]
    return ContextSummary(chars, lines, None if n_tokens is None else int(n_tokens), estimated, head, tail,
                          summarize_tree(context), summarize_jsonl(context))


class _CallableCounter:
    """A `count_tokens(str) -> int` function behind `tokens.Counter`'s `count(text, start, end)`."""

    def __init__(self, count_tokens: Callable[[str], int]) -> None:
        self._count = count_tokens

    def count(self, text: Any, start: int | None = None, end: int | None = None) -> int:
        return self._count(text[start:end])
