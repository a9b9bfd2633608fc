"""Generate the exercise notebooks in ``exercises/`` from the single source in ``solutions/``.

In a solution notebook each answer sits between nbgrader's markers, right after a hint::

    # Hint: square the samples, average them, take the square root.
    ### BEGIN SOLUTION
    return np.sqrt(np.mean(y ** 2))
    ### END SOLUTION

The generator replaces everything between the markers (markers included) with
``raise NotImplementedError("Exercise 1.1: square the samples, ...")`` at the markers'
indentation, numbering exercises by chapter and order; everything else is copied.

Command line::

    python -m course_utils.exercises build   # write exercises/ from solutions/
    python -m course_utils.exercises check   # exit 1 if exercises/ is out of date
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from pathlib import Path

from course_utils.errors import CourseError
from course_utils.io import atomic_write_text

BEGIN, END, HINT = "### BEGIN SOLUTION", "### END SOLUTION", "# Hint:"
ROOT = Path(__file__).resolve().parents[1]


class ExerciseFormatError(CourseError):
    """A solution notebook's markers or hints are not in the expected form."""


def _chapter_number(path: Path) -> int:
    match = re.match(r"(\d+)_", path.name)
    if not match:
        raise ExerciseFormatError(f"{path.name}: solution notebooks are named NN_topic_exercises.ipynb")
    return int(match.group(1))


def strip_solutions(lines: list[str], *, chapter: int, first: int, where: str) -> tuple[list[str], int]:
    """Replace each marked region of one cell; return the new lines and the next exercise number."""
    out, number, inside = [], first, False
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise ExerciseFormatError(f"{where}: {BEGIN} inside another solution (line {i + 1})")
            previous = out[-1].strip() if out else ""
            if not previous.startswith(HINT):
                raise ExerciseFormatError(f"{where}: line {i + 1}: put a '{HINT} ...' line right above {BEGIN}")
            indent = line[: len(line) - len(line.lstrip())]
            hint = previous[len(HINT):].strip()
            message = json.dumps(f"Exercise {chapter}.{number}: {hint}")
            out.append(f"{indent}raise NotImplementedError({message})\n")
            inside, number = True, number + 1
        elif stripped == END:
            if not inside:
                raise ExerciseFormatError(f"{where}: {END} without {BEGIN} (line {i + 1})")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ExerciseFormatError(f"{where}: {BEGIN} is never closed by {END}")
    return out, number


def exercise_notebook(solution: dict, *, chapter: int, name: str) -> dict:
    """The hand-out version of a solution notebook (a new dict; the input is not changed)."""
    notebook = copy.deepcopy(solution)
    number = 1
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = cell["source"]
        lines = source.splitlines(keepends=True) if isinstance(source, str) else list(source)
        new, number = strip_solutions(lines, chapter=chapter, first=number, where=f"{name}, cell {index}")
        if new != lines:
            cell["source"] = new
            cell["outputs"], cell["execution_count"] = [], None
    if number == 1:
        raise ExerciseFormatError(f"{name}: no {BEGIN} ... {END} region found")
    return notebook


def render(solution_path: Path) -> str:
    """Text of the exercise notebook generated from ``solution_path``."""
    solution = json.loads(solution_path.read_text(encoding="utf-8"))
    notebook = exercise_notebook(solution, chapter=_chapter_number(solution_path), name=solution_path.name)
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def build(solutions: Path = ROOT / "solutions", exercises: Path = ROOT / "exercises") -> list[Path]:
    """Write one exercise notebook per solution notebook; remove hand-outs whose source is gone."""
    written = []
    sources = sorted(solutions.glob("*.ipynb"))
    for path in sources:
        written.append(atomic_write_text(exercises / path.name, render(path)))
    for stale in set(exercises.glob("*.ipynb")) - {exercises / p.name for p in sources}:
        stale.unlink()
    return written


def out_of_date(solutions: Path = ROOT / "solutions", exercises: Path = ROOT / "exercises") -> list[str]:
    """Names of hand-outs that differ from what :func:`build` would write (missing or stale included)."""
    expected = {p.name: render(p) for p in sorted(solutions.glob("*.ipynb"))}
    actual = {p.name: p.read_text(encoding="utf-8") for p in exercises.glob("*.ipynb")}
    return sorted(n for n in expected.keys() | actual.keys() if expected.get(n) != actual.get(n))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_utils.exercises", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["build", "check"])
    args = parser.parse_args(argv)
    if args.command == "build":
        for path in build():
            print(f"wrote {path.relative_to(ROOT)}")
        return 0
    stale = out_of_date()
    for name in stale:
        print(f"exercises/{name} is out of date: run `make exercises`", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
