"""Every default of a run, in one place: the CLI, `RLMConfig`, the REPL session and its worker read
these, so the documented default is the one each layer applies.
"""

from __future__ import annotations

from typing import Final

MAX_ITERATIONS = 20  # root turns before the last "give your best answer" turn
MAX_TOKENS_PER_TURN = 4096  # generated tokens per root turn
# A sub-call answers about one piece of text: a few sentences or a list. 512 tokens is ~2 minutes
# of decoding at the 0.5B's worst measured CPU speed; 4096 would be over 20.
SUB_MAX_TOKENS = 512
TEMP = 0.0  # greedy
TOP_P = 1.0  # off
TOP_K = 0  # off
EXEC_TIMEOUT = 60.0  # seconds of code running time per execution (sub-calls excluded)
INTERRUPT_GRACE = 2.0  # seconds an interrupted execution has to stop before a hard kill
MAX_OUTPUT_CHARS = 5000  # REPL output fed back per turn (head + tail beyond this)
MAX_LLM_CALLS = 200  # llm_query sub-calls per run
MEMORY_LIMIT_BYTES = 4 * 1024**3  # new memory model code may use (the mapped context not counted)
SANDBOX: Final = "auto"  # confine the REPL worker as far as the system allows (rlm.repl.sandbox)
MAX_BATCH = 16  # sub-calls decoded at once (fewer when memory would not hold them)
MAX_DEPTH = 1  # rlm_query nesting: 1 = plain llm_query sub-calls only; 2 = child runs, whose sub-calls are plain
