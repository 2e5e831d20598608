"""`rlm eval`: synthetic long-context tasks with known answers, run in RLM or direct mode, scored.

>>> from rlm.eval import make_task
>>> # task = make_task("needle", 1 << 20, seed=0); task.question, task.expected
"""

from rlm.eval.results import RunResult
from rlm.eval.runner import run_eval
from rlm.eval.tasks import KINDS, Task, make_task, parse_size

__all__ = ["KINDS", "RunResult", "Task", "make_task", "parse_size", "run_eval"]
