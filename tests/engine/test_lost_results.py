"""Call results the model's code overwrote before reading them (rlm.lost_results)."""

from __future__ import annotations

from rlm.lost_results import overwritten


def test_lookups_into_one_name_are_lost_but_the_last_and_the_loop_keeps_them() -> None:
    code = ("hits = grep('Osprey', ignore_case=True)  # a word from the task\n"
            "hits = grep('Otter', ignore_case=True)\nhits = grep('Bison', ignore_case=True)\nprint(hits)")
    lost = overwritten(code)
    assert lost is not None and (lost.name, lost.times) == ("hits", 3)
    assert lost.loop() == "for item in ['Osprey', 'Otter', 'Bison']: print(grep(item, ignore_case=True))"


def test_unlike_calls_are_named_without_a_loop() -> None:
    lost = overwritten("x = grep('a')\nx = search('b')\nprint(x)")
    assert lost is not None and lost.times == 2 and lost.loop() is None


def test_results_read_in_between_or_not_from_calls_are_not_lost() -> None:
    assert overwritten("x = grep('a')\nprint(x)\nx = grep('b')\nprint(x)") is None
    assert overwritten("x = grep('a')\nx = grep('b', text=x)") is None  # the second call reads x
    assert overwritten("x = 1\nx = 2") is None and overwritten("a, b = f(), f()") is None
    assert overwritten("x = grep(") is None  # not Python: nothing to say
