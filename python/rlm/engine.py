"""The RLM loop (docs/engine.md): generate a turn, execute its code in the REPL, feed back, repeat.

One `_Run` per question of a `rlm.session.Session` (`rlm_generate` is a session of one question):
it owns the conversation and decides each next step; the session keeps the backend, the opened
context, its summary and the REPL across questions. Around the loop: `rlm.turns.TurnGenerator`
generates each turn through the backend (rlm.backends); the REPL (rlm.repl.session) runs the
model's code in a child process and sends its `llm_query` / `rlm_query` calls to the run's
`rlm.subcalls.SubCalls`; `rlm.budget.Budget` counts what the run (and its child runs) used;
`rlm.run_log.RunLog` saves the trajectory and emits the events; `rlm.direct` answers without the
loop. Nothing here imports MLX.
"""

from __future__ import annotations

import os
import re
from functools import cache, partial
from typing import TYPE_CHECKING

from rlm.answer_check import (
    ANSWER_START,
    AnswerChecker,
    copies_example,
    opening_start,
    quoted,
)
from rlm.backends.base import Message, Sampling
from rlm.budget import Budget, window_full
from rlm.config import RLMResponse
from rlm.count_answers import asks_count, count_start, counted, final_before_count
from rlm.errors import RLMError
from rlm.direct import answer_directly, choose_mode
from rlm.file_answers import asks_one_file, context_files
from rlm.list_answers import shows_grep_lines
from rlm.loop_control import (
    Progress,
    appears_in,
    asks_for_several,
    degenerate_cut,
    grep_line_texts,
    merge_final_calls,
    named_items,
    prints_only_literals,
)
from rlm.lost_results import overwritten
from rlm.parsing import find_prose_final, first_code_block
from rlm.prompts import (
    ASSISTANT_PREFIX,
    CUT_NOTE,
    DEGENERATE_NOTE,
    EXAMPLE_NOTE,
    FINAL_BEFORE_COUNT_NOTE,
    FINAL_BEFORE_LOOKUPS_NOTE,
    FINAL_BEFORE_OUTPUT_NOTE,
    LAST_TURN,
    MIXED_NOTE,
    NARROWED_NOTE,
    NO_CODE_NOTE,
    NO_PROGRESS_WHY,
    REPEAT_NOTE,
    SYSTEM_PROMPT,
    earlier_questions,
    first_user_message,
    found_nothing,
    turn_feedback,
)
from rlm.repl.headers import grep_count, grep_headers
from rlm.repl.session import ExecResult, ReplSession
from rlm.run_log import RunLog
from rlm.subcalls import SubCalls, children_at_once
from rlm.task_hints import (
    KindSearch,
    describe_hits,
    kind_search,
    present_words,
    quoted_form_starts,
    task_hits,
)
from rlm.trajectory import IterationRecord, LLMCallRecord, Trajectory, clip, execution_fields
from rlm.turns import TurnGenerator

if TYPE_CHECKING:
    from rlm.session import Session

# Loop control (docs/engine.md): a turn that repeats code already run is drawn again up to RESAMPLES
# times at this temperature; MAX_STALLS turns in a row without new output end the run early.
RESAMPLES = 2
# Steered turn starts (after the opening code fence): see _Run.steered_prefix.
STEER_SEARCH = 'print(grep("'
# With the quote: the 0.5B's last turns wrote FINAL(7566-JC) (a NameError) without it.
STEER_FINAL = 'FINAL("'
# The literal pattern of a grep or search call in the model's code.
_SEARCHED = re.compile(r"""\b(?:grep|search)\(\s*r?["']([^"']*)["']""")
RESAMPLE_TEMP = 0.8
RESAMPLE_TOP_P = 0.95
MAX_STALLS = 3


def search_note(missed: KindSearch | None) -> str | None:
    """The feedback note for a list task's grep that missed the hits' kind of line, or None."""
    if missed is None:
        return None
    if missed.narrowed:
        return NARROWED_NOTE.format(n=missed.hits, word=missed.word)
    return MIXED_NOTE.format(word=missed.word, off=missed.off, n=missed.shown)


class _Run:
    """One run of the loop: one question of `session` over its opened context."""

    def __init__(self, session: Session, task: str,
                 trajectory_path: str | os.PathLike[str] | None, parent: _Run | None = None) -> None:
        self.session = session
        self.backend = backend = session.backend
        self.opened = session.opened
        self.task = task
        self.config = config = session.config
        self.sampling = Sampling(config.max_tokens_per_turn, config.temp, config.top_p, config.top_k)
        # rlm_query's child runs (docs/subcalls.md) share the root's budgets: tokens, sub-calls, time.
        self.budget: Budget = parent.budget if parent is not None else Budget(config)
        self.tokens = self.budget.tokens
        self.depth: int = parent.depth + 1 if parent is not None else 0
        # Start each turn inside a code block (small models answer in prose otherwise), unless the
        # backend returns whole messages (replay) or its template cannot continue an assistant turn.
        self.prefix = ASSISTANT_PREFIX if getattr(backend, "supports_assistant_prefix", True) else ""
        # How the next turn starts after the code fence: a search after a turn that made no
        # step, what an answer check asked for, or freely (None).
        self.next_start: str | None = None
        # How an answer check started the next turn ("" when freely or in a search; None when the
        # last turn was not checked): the code it started (aliases, a Counter, a sub-call) or a
        # lookup seen before, once printed, has the turn after start inside FINAL.
        self.checked: str | None = None
        self.present_words: list[str] | None = None  # the task's words in the context, rarest first
        self.hit_lines: list[str] = []  # the search hits' lines shown in the first message
        self.final_unseen_given = False  # a questioned FINAL written before its block's output
        self.current: IterationRecord | None = None
        self.progress = Progress()  # what ran and what it showed: repeats, stalls, grounding
        # doubts about a FINAL answer
        self.checker = AnswerChecker(task, self.in_context,
                                     files_of=cache(lambda: context_files(self.opened.context)))
        self.resample = Sampling(config.max_tokens_per_turn, max(config.temp, RESAMPLE_TEMP),
                                 RESAMPLE_TOP_P, config.top_k)
        sub_sampling = Sampling(config.sub_max_tokens, config.temp, config.top_p, config.top_k)
        self.trajectory = Trajectory(task=task, model=backend.name, config=config.to_dict(),
                                     context=self.opened.describe(), path=trajectory_path)
        self.log = RunLog(self.trajectory, config, self.budget)  # events and trajectory saves
        self.emit, self.intervene, self.save = self.log.emit, self.log.intervene, self.log.save
        self.turns = TurnGenerator(backend, self.sampling, self.tokens, emit=self.emit,
                                   intervene=self.intervene, time_is_up=self.budget.time_is_up)
        spawn = partial(session.ask_child, self) if self.depth + 1 < config.max_depth else None
        sub_backend = session.sub_backend or backend
        self.subcalls = SubCalls(sub_backend, sub_sampling, self.budget, stop=degenerate_cut,
                                 max_batch=config.max_batch, on_call=self.record_call, spawn=spawn,
                                 children_at_once=children_at_once(backend, sub_backend))

    # -- budgets and sub-calls (rlm.budget, rlm.subcalls) ---------------------------------------

    def stalled(self, rec: IterationRecord) -> str | None:
        """Why the run should stop early for lack of progress, or None."""
        if self.progress.stalls < MAX_STALLS:
            return None
        self.intervene(rec, "stop_no_progress", stalls=self.progress.stalls)
        return NO_PROGRESS_WHY.format(n=self.progress.stalls)

    def record_call(self, record: LLMCallRecord) -> None:
        """A sub-call was answered or refused (rlm.subcalls): into the turn's record and an event."""
        iteration = self.current.iteration if self.current is not None else 0
        if self.current is not None:
            self.current.llm_calls.append(record)
        self.emit("llm_query", iteration, prompt_chars=record.prompt_chars,
                  response_chars=0 if record.error else len(record.response),
                  tokens=record.prompt_tokens + record.generated_tokens, error=record.error)

    # -- one turn -----------------------------------------------------------------------------------

    def feedback_for(self, code: str, result: ExecResult, iteration: int) -> str:
        clean = result.error is None and not result.timed_out and not result.restarted
        repeated = bool(result.output.strip()) and result.output in self.progress.outputs
        # Literals copied from output already seen are the model collecting its answer (the
        # 1.5B printed the four values grep had shown, was told they were made up, and lost them).
        copied = len(result.output.strip()) >= 3 and appears_in(result.output,
                                                            seen=self.progress.outputs)
        only_literals = prints_only_literals(code)
        literal = only_literals and not copied
        new = self.progress.record(code, result.output, iteration, clean=clean, own=literal)
        self.next_start = STEER_SEARCH if literal or not new else None
        if copied and new and clean and only_literals and self.config.check_answers:
            # Values copied from the hits, echoed as a list: the answer, collected. The 0.5B
            # printed the four right codes and then re-printed subsets of them until its turns
            # ran out (held-out multivalue seeds 55-57).
            self.next_start = self.checker.filled_start()
        checked, self.checked = self.checked, None
        shows = clean and not found_nothing(result.output)
        if checked and not checked.startswith(STEER_FINAL) and shows and new:
            # The 0.5B ran the aliases() call a check started, saw the four names, and FINALed
            # the questioned value again (eval, held-out seed 30).
            self.next_start = STEER_FINAL
        reread = checked is not None and shows and repeated
        if reread:
            # Questioned, the 0.5B looked the four items up again, was told "the same output as
            # before: try a different approach", and grepped them until its turns ran out
            # (held-out seed 51): the output it saw again is the evidence, so start the answer.
            self.next_start = self.checker.filled_start()
        retry = self.retry_word() if clean and found_nothing(result.output) else None
        lost = overwritten(code) if clean and not literal else None
        if lost is not None and lost.loop() is not None:
            self.next_start = lost.loop() + "\n"  # the 0.5B did not write the loop when told to
        most = None
        if clean and not repeated and grep_count(result.output) > 1 and not counted(self.progress, None):
            # Shown 27 'bird sighting logged: X' lines for "which bird was logged most often",
            # the 0.5B FINALed all 27 names until cut as degenerate (held-out commonword seeds
            # 50-51): start the count for it; once it prints, the next turn answers.
            most = count_start(self.task, result.output)
            if most is not None:
                self.next_start = self.checked = most
        missed = self.kind_missed(result.output) if clean and not repeated and most is None else None
        if missed is not None and self.next_start in (None, STEER_SEARCH):
            self.next_start = f'print(grep("{missed.word}"))\n'  # no quote or backslash in it (task_hints._TERM_CHARS)
        return turn_feedback(output=result.output, clean=clean, most=most is not None,
                             restored_names=result.restored_names, repeated=repeated,
                             reread=reread, literal=literal, several=asks_for_several(self.task),
                             counting=asks_count(self.task), retry_word=retry, lost=lost,
                             one_file=asks_one_file(self.task), search_note=search_note(missed))

    def kind_missed(self, output: str) -> KindSearch | None:
        """How a list task's grep missed the kind of line the search hits show (held-out extract
        seed 60: one hit's id grepped at 32K, `RMA-.*` at 1M), or None."""
        if not (self.config.check_answers and asks_for_several(self.task)) or not self.hit_lines:
            return None
        if named_items(self.task):  # "the codes for Falcon, Heron and Lynx": one grep per name is right
            return None
        heads = grep_headers(output)
        if len(heads) != 1 or not heads[0].count:
            return None
        lines = grep_line_texts(output)
        return kind_search(self.opened.context, self.task, self.hit_lines, heads[0].pattern, lines)

    def retry_word(self) -> str | None:
        """The rarest task word the context holds that no grep has searched for alone yet (after
        a search that found nothing: the 0.5B searched "import distutils.core" for a file that
        says "from distutils.core import", then searched for words of the note itself)."""
        if self.present_words is None:  # counted once, on the first empty search
            # A quoted form's fixed part first: "Lines of the form 'tag: WORD'" was grepped as
            # `tag: WORD`, then as the task's word "form" (held-out commonword seed 59).
            fixed = [t for t in quoted_form_starts(self.task) if self.in_context(t)]
            self.present_words = fixed + present_words(self.opened.context, self.task)
        searched = {p.lower() for c in self.progress.codes for p in _SEARCHED.findall(c)}
        return next((w for w in self.present_words if w.lower() not in searched), None)

    def steered_prefix(self, rec: IterationRecord) -> str:
        """How this turn starts: inside a code block, and after a turn that made no step (or in the
        last turn) already inside a search (or a FINAL).

        A small model that printed a literal or repeated itself does the same again at any
        temperature (eval trajectories: 2 resamples at 0.8 gave the same line); starting its
        code for it with `print(grep("` leaves it only the pattern to choose, from the task.
        """
        if not self.prefix:
            return ""
        if rec.last_turn:
            self.intervene(rec, "steer", start=STEER_FINAL)
            return self.prefix + STEER_FINAL
        start, self.next_start = self.next_start, None
        if start:
            self.intervene(rec, "steer", start=start)
        return self.prefix + (start or "")

    def fresh_code(self, messages: list[Message], rec: IterationRecord, text: str) -> str:
        """`text`, or a resample of it when its code only repeats code that already ran.

        Greedy decoding over the same conversation gives the same turn again, so the repeat is
        drawn again at a raised temperature (each draw advances the sampler: a fresh seed) and
        the repeated text never reaches the conversation.
        """
        for attempt in range(1, RESAMPLES + 1):
            block = first_code_block(text)
            if block is None or not block.code.strip():
                return text
            seen = self.progress.repeats(block.code)
            if seen is None:
                return text
            self.intervene(rec, "resample", reason=f"repeats the code of turn {seen}",
                           attempt=attempt, temp=self.resample.temp)
            text = self.turns.generate(messages, rec, self.resample)
        return text

    def turn(self, repl: ReplSession, messages: list[Message], iteration: int,
             last: bool) -> IterationRecord:
        """Generate one turn, execute its code, and fill its record (`final` set when the run is answered)."""
        rec = IterationRecord(iteration=iteration, last_turn=last)
        self.current = rec
        self.trajectory.iterations.append(rec)
        self.turns.prefix = self.steered_prefix(rec)
        self.emit("turn", iteration, last=last, prefix=self.turns.prefix)
        text = self.fresh_code(messages, rec, self.turns.generate(messages, rec))
        messages.append({"role": "assistant", "content": text})
        block = first_code_block(text)
        if block is not None and block.code.strip():
            self.emit("code", iteration, code=block.code)
            seen = self.progress.repeats(block.code)
            if seen is not None:  # every resample repeated too: running it again shows nothing new
                rec.code = block.code
                rec.feedback = REPEAT_NOTE.format(turn=seen)
                self.progress.stall()
                self.next_start = self.after_repeat(seen)
                self.intervene(rec, "repeat_not_run", turn=seen)
                return rec
            self.execute(repl, block.code, rec, source="code")
            notes = []
            if self.turns.degenerated:
                notes.append(DEGENERATE_NOTE)
            elif not block.closed and rec.finish_reason == "length":
                notes.append(CUT_NOTE.format(max_tokens=self.config.max_tokens_per_turn))
            if rec.feedback is not None and notes:
                rec.feedback = "\n\n".join([*notes, rec.feedback])
            return rec
        # No code: a FINAL written as prose counts (only here: code and a FINAL in the same turn
        # means the model has not seen that code's output yet).
        prose = find_prose_final(text)
        if prose is None:
            rec.feedback = DEGENERATE_NOTE if self.turns.degenerated else NO_CODE_NOTE
            self.progress.stall()
            self.next_start = STEER_SEARCH
        elif prose.kind == "FINAL":
            self.accept_final(rec, prose.value, "prose", code=None)
        else:  # FINAL_VAR(name): the REPL holds the value (or reports the missing name)
            self.execute(repl, f"FINAL_VAR({prose.value!r})", rec, source="prose")
        return rec

    def after_repeat(self, seen: int) -> str:
        """How the turn after a repeat of turn `seen` starts: inside the answer when that turn's
        grep showed lines (held-out multivalue seed 55: the 0.5B had grepped the four values,
        was steered into `print(grep("` after repeating it, grepped them again until its turns
        ran out and FINALed one), else inside a new search."""
        prior = self.trajectory.iterations[seen - 1].execution
        if (self.config.check_answers and prior is not None and prior.error is None
                and shows_grep_lines(prior.output)):
            return self.checker.filled_start()
        return STEER_SEARCH

    def execute(self, repl: ReplSession, code: str, rec: IterationRecord, source: str) -> None:
        """Execute `code`; the record gets the answer if it called FINAL, else the feedback."""
        rec.code = code
        merged = merge_final_calls(code)
        if merged is not None:  # FINAL(a) FINAL(b) ...: the model meant all of them
            self.intervene(rec, "merge_finals")
        result = repl.execute(merged or code)
        rec.execution = result
        self.emit("output", rec.iteration, **execution_fields(result), final=result.final)
        note = None if result.final is None else self.final_before_output(rec, code, result, source)
        if note is not None:
            printed = bool(result.output.strip())
            rec.feedback = (self.feedback_for(code, result, rec.iteration) + "\n\n"
                            + note.format(answer=quoted(result.final)))
            # Its next turn repeated the questioned FINAL, then was steered into a grep: start it
            # inside the answer instead, now that the output holds the values (when the lookups
            # were never printed, feedback_for started the turn with the loop that prints them).
            if note is FINAL_BEFORE_COUNT_NOTE:  # one word to pick, not a list to fill in
                self.next_start = ANSWER_START
            elif printed:
                self.next_start = self.checker.filled_start()
        elif result.final is not None:
            self.accept_final(rec, result.final, source, code=code if source == "code" else None)
        else:
            rec.feedback = self.feedback_for(code, result, rec.iteration)

    def final_before_output(self, rec: IterationRecord, code: str, result: ExecResult,
                            source: str) -> str | None:
        """The note for a block that printed output (or looked things up and threw the results
        away) and FINALed an answer already questioned, without having seen them (once per run): the 0.5B
        ran the lookup loop a check gave it and, in the same block, FINAL("2408-AA") again, one of
        the four codes the loop then printed; or wrote `hits = grep("Falcon")`, `hits =
        grep("Lynx")`, ... and FINAL("2089-RV") again with nothing printed (held-out seed 50).
        A literal FINAL under a count for a "most often" task counts too. Returns the note that
        says so, or None when the answer is taken."""
        if self.final_unseen_given or source != "code" or rec.last_turn:
            return None
        if self.config.check_answers and final_before_count(self.task, code, result.output):
            self.final_unseen_given = True
            self.intervene(rec, "final_before_count", answer=clip(result.final or "", 200))
            return FINAL_BEFORE_COUNT_NOTE
        if not self.checker.was_questioned(result.final):
            return None
        printed = bool(result.output.strip())
        lost = overwritten(code) if result.error is None else None
        if not printed and (lost is None or lost.loop() is None):
            return None
        self.final_unseen_given = True
        self.intervene(rec, "final_before_output", answer=clip(result.final or "", 200))
        return FINAL_BEFORE_OUTPUT_NOTE if printed else FINAL_BEFORE_LOOKUPS_NOTE

    def accept_final(self, rec: IterationRecord, answer: str, source: str, code: str | None) -> None:
        """Take `answer` as the run's answer, unless the answer checks (`rlm.answer_check`) doubt
        it: then the model gets a turn to check it, and the note says why."""
        if self.config.check_answers and copies_example(answer, self.in_context, self.progress.outputs):
            self.intervene(rec, "example_answer", answer=clip(answer, 200))
            if not rec.last_turn:  # never taken, not even as the last turn's answer
                rec.feedback = EXAMPLE_NOTE.format(answer=quoted(answer))
                self.next_start = STEER_SEARCH
            return
        if self.config.check_answers and not rec.last_turn:
            note = self.checker.check(answer, code, self.progress)
            if note is not None:
                start = self.checker.next_start
                self.next_start = STEER_SEARCH if start is None else start
                self.checked = start or ""
                if code is not None:  # the same FINAL again is a repeat: resampled, not taken as is
                    self.progress.note_code(code, rec.iteration)
                rec.feedback = note
                self.intervene(rec, "check_answer", answer=clip(answer, 200))
                return
        rec.final, rec.final_source = answer, source

    def in_context(self, text: str) -> bool:
        return self.opened.context.find(text) != -1

    # -- the loop -----------------------------------------------------------------------------------

    def run(self) -> RLMResponse:
        traj, cfg = self.trajectory, self.config
        summary = self.session.summary()
        traj.context.update(tokens=summary.tokens, tokens_estimated=summary.tokens_estimated)
        traj.system_prompt = SYSTEM_PROMPT
        hits = (task_hits(self.opened.context, self.task)
                if cfg.search_hints and cfg.mode != "direct" else [])
        traj.context["search_hits"] = [h.line_number for h in hits]
        self.hit_lines = [h.line for h in hits]
        earlier = earlier_questions(self.session.history)  # "" for a single run
        hints = describe_hits(hits, brief=bool(earlier))  # the note explains a later one's hits
        self.progress.show(hints, matches=len(hits))
        self.progress.show(earlier)  # an answer taken from an earlier one was shown, not guessed
        traj.first_message = first_user_message(self.task, summary, hints, earlier=earlier)
        if self.session.history:
            traj.session = {"question": len(self.session.history) + 1}
        messages: list[Message] = [{"role": "system", "content": SYSTEM_PROMPT},
                                   {"role": "user", "content": traj.first_message}]
        self.log.start()  # an unwritable -o path fails here, before any model time is spent
        self.emit("start", 0, context=traj.context, model=self.backend.name)
        traj.mode = choose_mode(cfg.mode, summary.tokens, self.backend.context_window)
        if traj.mode == "direct":
            return answer_directly(self.backend, self.opened.context, self.task, summary, self.log)
        answer: str | None = None
        why_last: str | None = None
        opening = opening_start(self.task, [h.line for h in hits]) if cfg.check_answers else None
        if opening is not None:  # a helper's call, started like a check's: once printed, FINAL
            self.next_start = self.checked = opening
        try:
            repl = self.session.repl_for_question([h.line for h in hits])
            self.log.report_sandbox(repl.sandbox_report)
            iteration = 0
            while True:
                iteration += 1
                rec = self.turn(repl, messages, iteration, last=why_last is not None)
                if rec.final is not None or why_last is not None:
                    answer = rec.final
                    break
                feedback = rec.feedback or ""
                why_last = (self.budget.exhausted(iteration)
                            or window_full(self.backend, rec.prompt_tokens + rec.generated_tokens, feedback)
                            or self.stalled(rec))
                if why_last is not None:  # one last turn, asked in the same user message
                    feedback += "\n\n" + LAST_TURN.format(why=why_last)
                rec.feedback = feedback
                messages.append({"role": "user", "content": feedback})
                self.emit("feedback", iteration, text=feedback)
                self.save()
            traj.status = "exhausted" if why_last is not None else "answered"
            if answer is None and self.checker.fallback() is not None:
                answer = self.checker.fallback()  # a questioned answer beats none
                self.intervene(rec, "fallback_answer", answer=clip(answer or "", 200))
            if answer is None:
                traj.error = f"budget exhausted ({why_last}) and the last turn gave no FINAL answer"
        except KeyboardInterrupt as e:  # Ctrl-C, or SIGTERM from the CLI (its message says so)
            traj.status, traj.error = "interrupted", f"interrupted ({e or 'Ctrl-C'})"
            raise
        except RLMError as e:
            traj.status, traj.error = "error", str(e)
        except BaseException as e:
            traj.status, traj.error = "error", f"{type(e).__name__}: {e}"
            raise
        finally:  # the REPL stays open for the session's next question (Session.close stops it)
            traj.answer, traj.exhausted = answer, why_last is not None
            self.save()
        self.emit("end", len(traj.iterations), answer=answer, error=traj.error,
                  exhausted=traj.exhausted, iterations=len(traj.iterations),
                  total_tokens=self.tokens.total, elapsed=traj.elapsed)
        return RLMResponse(answer=answer, iterations=len(traj.iterations), tokens=self.tokens,
                           trajectory=traj.to_dict(), error=traj.error, exhausted=traj.exhausted,
                           elapsed=traj.elapsed)
