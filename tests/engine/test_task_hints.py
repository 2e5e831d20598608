"""Search hits for the task: the lines holding the task's rarest words, look-alikes left out."""

from __future__ import annotations

from rlm._core import Context
from rlm.task_hints import describe_hits, task_hits, task_words

LOCKERS = "".join(f"filler line {i}\n" for i in range(300)) + "".join(
    f"The locker assigned to {key} opens with combination {code}.\n"
    for key, code in [("frosty-glacier", "7974-LQ"), ("lunar-meadow", "8604-VJ"),
                      ("brisk-meadow", "8256-VA"), ("lunar-lantern", "5794-UT")])


def test_the_line_with_the_rarest_task_word_is_the_only_hit_among_look_alikes() -> None:
    hits = task_hits(Context.from_str(LOCKERS), "What is the locker combination for lunar-meadow?")
    assert [h.line for h in hits] == ["The locker assigned to lunar-meadow opens with combination 8604-VJ."]


def test_lines_that_match_equally_well_are_all_shown_in_line_order() -> None:
    text = "".join(f"noise {i}\n" for i in range(200)) + (
        "The project code for Falcon is 8546-QZ.\nThe project code for Bison is 7065-UZ.\n")
    hits = task_hits(Context.from_str(text), "What are the project codes for Falcon and Bison?")
    assert [h.line_number for h in hits] == [201, 202]
    assert describe_hits(hits).splitlines()[1:] == [
        "201:The project code for Falcon is 8546-QZ.", "202:The project code for Bison is 7065-UZ."]


def test_no_task_word_in_the_context_gives_no_hits() -> None:
    assert task_hits(Context.from_str("nothing relevant\n" * 10), "Where is Orion?") == []
    assert describe_hits([]) == ""
    assert task_words("What is the code for the Orion deployment?") == ["code", "orion", "deployment"]


def test_hits_in_a_tree_name_the_file_and_its_line_as_grep_does(tmp_path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "README.md").write_text("# Demo\nNothing here.\n")
    (tmp_path / "src" / "deploy.py").write_text("import os\n\nORION_ACCESS_CODE = '4817-ZQ'  # Orion access code\n")
    c = Context.open_tree(tmp_path)
    hits = task_hits(c, "What is the access code for Orion?")
    assert [(h.path, h.file_line, h.line_number) for h in hits] == [("src/deploy.py", 3, 7)]
    assert describe_hits(hits).splitlines()[1] == (
        "src/deploy.py:3:ORION_ACCESS_CODE = '4817-ZQ'  # Orion access code")


def test_the_hit_lines_are_the_repl_variable_hits_the_first_message_names(run, code) -> None:
    r = run([code("print([h.split()[-1] for h in hits])"), code("FINAL('x')")], context=LOCKERS,
            task="What is the locker combination for lunar-meadow?", search_hints=True)
    assert "in the REPL as `hits`" in r.trajectory["first_message"]
    assert "['8604-VJ.']" in r.trajectory["iterations"][0]["output"]
    none = run([code("print(hits)"), code("FINAL('x')")], context="nothing here\n",
               task="Where is Orion?", search_hints=True)
    assert none.trajectory["iterations"][0]["output"].strip() == "[]"


def test_a_name_never_assigned_is_named_in_the_feedback(run, code) -> None:
    r = run([code("print(sum(rows))"), code("FINAL('x')")])
    feedback = r.trajectory["iterations"][0]["feedback"]
    assert "NameError" in feedback and "`rows` does not exist: only what your code assigned" in feedback


PEOPLE = "".join(f"filler line {i}\n" for i in range(300)) + (
    "Rosalind reviewed the quarterly budget draft.\n" + "filler\n" * 40
    + "Rosalind lost a phone on the train last week.\n" + "filler\n" * 40
    + "You can ring Rosalind on +35 282 4382.\n" + "filler\n" * 40
    + "Lunch with Rosalind moved to Friday.\n")


def test_every_line_naming_the_task_s_person_is_a_hit_when_they_are_few() -> None:
    # The answer shares only the name with the question; a decoy holds the question's noun and
    # outranks it (paraphrase, held-out seeds 40-51: the decoy was the only hit).
    hits = task_hits(Context.from_str(PEOPLE), "What is Rosalind's phone number?")
    assert hits[0].line == "Rosalind lost a phone on the train last week."  # the best rank first
    assert "You can ring Rosalind on +35 282 4382." in [h.line for h in hits]
    assert len(hits) == 4


def test_a_name_on_many_lines_adds_no_hits_and_sentence_starts_are_not_names() -> None:
    crowd = PEOPLE + "Rosalind was here.\n" * 6
    hits = task_hits(Context.from_str(crowd), "What is Rosalind's phone number?")
    assert [h.line for h in hits] == ["Rosalind lost a phone on the train last week."]
    from rlm.task_hints import task_names
    assert task_names("Which room does Svetlana work in? Give the Office code.") == ["svetlana", "office"]
    assert task_names("What are the codes for Falcon and Lynx?") == ["falcon", "lynx"]


def test_hits_in_a_text_of_joined_files_name_the_file_and_its_line_as_grep_does() -> None:
    text = ("# FILE: /usr/share/doc/a/copyright\nNo warranty.\n"
            "# FILE: /usr/share/doc/b/copyright\nsome text\nNO OBLIGATION WHATSOEVER TO PROVIDE IT\n")
    hits = task_hits(Context.from_str(text), 'Which file contains "OBLIGATION WHATSOEVER"?')
    assert [(h.path, h.file_line, h.line_number) for h in hits] == [("/usr/share/doc/b/copyright", 2, 5)]
    assert describe_hits(hits).splitlines()[1] == (
        "/usr/share/doc/b/copyright:2:NO OBLIGATION WHATSOEVER TO PROVIDE IT")
