"""Self-checks for the exercise notebooks: precise feedback on what a learner's answer does.

Each chapter has a module (``course_utils.checks.audio_basics`` ...) of check functions. A check
runs the learner's function or value on cases with known answers and prints either a
confirmation or what exactly is wrong. Checks test behaviour, never the code's wording.

For a learner a failed check only prints. It raises :class:`CheckFailed` (an ``AssertionError``
whose message holds the same feedback) when grading: in strict mode (``COURSE_CHECKS_STRICT=1``,
set by the tests) and while nbgrader autogrades or validates a notebook (nbgrader then sets
``NBGRADER_EXECUTION`` to ``autograde`` or ``validate`` in the kernel's environment).
"""

from __future__ import annotations

import functools
import os
from typing import Callable, Iterable

import numpy as np

from course_utils.errors import CourseError

STRICT_ENV = "COURSE_CHECKS_STRICT"
NBGRADER_ENV = "NBGRADER_EXECUTION"


class CheckFailed(CourseError, AssertionError):
    """A learner's answer does not behave as the exercise asks (raised in strict mode)."""


class _Rejected(Exception):
    """Internal: carries the feedback of a failed check to :func:`check`."""


def reject(message: str):
    """Stop the running check with ``message`` as feedback."""
    raise _Rejected(message)


class Verdict:
    """Outcome of a check: true when the answer is right. It displays as nothing in a notebook,
    since the printed feedback already says it all."""

    def __init__(self, passed: bool):
        self.passed = passed

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return f"Verdict(passed={self.passed})"

    def _ipython_display_(self) -> None:
        pass


def reject_known_mistake(got, mistakes: Iterable[tuple], *, where: str, rtol: float = 1e-5,
                         atol: float = 1e-8) -> None:
    """Reject with ``f"{where}: {hint}"`` when ``got`` matches the result of a known mistake.

    ``mistakes`` holds ``(wrong_result, hint)`` pairs; a ``None`` result is passed over.
    """
    for wrong, hint in mistakes:
        if wrong is not None and np.allclose(got, wrong, rtol=rtol, atol=atol):
            reject(f"{where}: {hint}")


def check(exercise: str) -> Callable:
    """Decorator for check functions: prints feedback and returns a :class:`Verdict`.

    A check function calls :func:`reject` with a specific message, or returns a short
    confirmation. An exception raised by the learner's own code is reported, not propagated,
    except ``NotImplementedError``: an unanswered exercise stops the notebook with its hint.
    """
    def wrap(func: Callable[..., str]) -> Callable[..., Verdict]:
        @functools.wraps(func)
        def run(*args, **kwargs) -> Verdict:
            __tracebackhide__ = True  # noqa: F841 (IPython then shows the message, not the check's code)
            try:
                confirmation = func(*args, **kwargs)
            except _Rejected as rejected:
                message = str(rejected)
            except NotImplementedError:
                raise  # an unanswered exercise stops the notebook right there, with its hint
            except Exception as err:  # the learner's code failed: say how, without a traceback
                message = f"your code raised {type(err).__name__}: {err}"
            else:
                print(f"✔ Exercise {exercise}: correct. {confirmation}")
                return Verdict(True)
            return _fail(exercise, message)  # outside the except clauses: no chained traceback
        run.exercise = exercise  # which exercise's check cell may call it (tests/test_exercises.py)
        return run
    return wrap


def grading() -> bool:
    """True when a failed check must raise: strict mode, or nbgrader's autograde or validate."""
    return (os.environ.get(STRICT_ENV, "") == "1"
            or os.environ.get(NBGRADER_ENV, "") in ("autograde", "validate"))


def _fail(exercise: str, message: str) -> Verdict:
    __tracebackhide__ = True  # noqa: F841
    if grading():
        raise CheckFailed(f"Exercise {exercise}: {message}")
    print(f"✘ Exercise {exercise}: not yet. {message}")
    return Verdict(False)
