"""Generate the exercise notebooks in ``exercises/`` and the nbgrader metadata from the single
source in ``solutions/``.

In a solution notebook each answer sits between nbgrader's markers, right after a hint::

    # Hint: square the samples, average them, take the square root.
    ### BEGIN SOLUTION
    return np.sqrt(np.mean(y ** 2))
    ### END SOLUTION

The generator replaces everything between the markers (markers included) with
``raise NotImplementedError("Exercise 1.1: square the samples, ...")`` at the markers'
indentation, numbering exercises by chapter and order; everything else is copied.

Grading (nbgrader) is written from the same source. The markdown heading of exercise C.K ends
with its points, ``## Exercise 1.1: loudness as one number (2 points)``; the first code cell after
the solution cell calls its check (``checks.check_rms(rms)``). The solution cell becomes an
nbgrader solution cell (``exercise-C-K``), the check cell a locked, autograded test cell worth the
heading's points (``check-C-K``); no other cell of ``solutions/`` carries nbgrader metadata. An
nbgrader course folder gets the solution notebooks with every other code cell read-only.

Command line::

    python -m course_utils.exercises build    # write the metadata into solutions/, then exercises/
    python -m course_utils.exercises check    # exit 1 if solutions/ or exercises/ is out of date
    python -m course_utils.exercises points   # the points of each chapter's exercises (a table)
    python -m course_utils.exercises nbgrader COURSE   # COURSE/source/<chapter>/ for nbgrader
    python -m course_utils.exercises grade NOTEBOOK... # points without nbgrader (strict checks)
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import os
import re
import sys
from pathlib import Path

from course_utils.errors import CourseError
from course_utils.io import atomic_write_text

BEGIN, END, HINT = "### BEGIN SOLUTION", "### END SOLUTION", "# Hint:"
ROOT = Path(__file__).resolve().parents[1]
HEADING = re.compile(r"^## Exercise (\d+)\.(\d+):.*?(?:\((\d+) points?\))?\s*$", re.MULTILINE)
CHECK_CALL = re.compile(r"^\s*checks\.check_\w+\(", re.MULTILINE)
NBGRADER_CONFIG = """\
# nbgrader settings of the course (written by `python -m course_utils.exercises nbgrader`).
# Run nbgrader from this folder (it reads this file from the current directory).
c = get_config()  # noqa: F821 (nbgrader provides it)
# A chapter's cell may compute features or train a small model: allow more than nbgrader's 30 s.
c.Execute.timeout = 900
c.ClearSolutions.code_stub = {"python": 'raise NotImplementedError("Write your answer here (see the hint above)")'}
"""


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


def _text(cell: dict) -> str:
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


def _nbgrader(grade_id: str, *, grade: bool = False, locked: bool = False, solution: bool = False,
               points: int | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked}
    if points is not None:
        meta["points"] = points
    return {**meta, "schema_version": 3, "solution": solution, "task": False}


def grading_metadata(notebook: dict, *, chapter: int, name: str) -> dict[int, dict]:
    """nbgrader metadata by cell index: each exercise's solution cell and the check cell after it.

    Raises :class:`ExerciseFormatError` naming the cell when an exercise has no heading with its
    points, a solution cell holds two exercises, or no check cell follows a solution.
    """
    cells, metadata = notebook["cells"], {}
    heading, number = None, 0
    for index, cell in enumerate(cells):
        text = _text(cell)
        if cell["cell_type"] == "markdown":
            heading = next(iter(HEADING.findall(text)[-1:]), heading)
            continue
        regions = sum(line.strip() == BEGIN for line in text.splitlines())
        if cell["cell_type"] != "code" or not regions:
            continue
        number += 1
        where, wanted = f"{name}, cell {index}", f"## Exercise {chapter}.{number}: <title> (<N> points)"
        if regions > 1:
            raise ExerciseFormatError(f"{where}: one {BEGIN} per cell (each exercise is graded by its own check)")
        if heading is None or heading[:2] != (str(chapter), str(number)) or not heading[2]:
            raise ExerciseFormatError(f"{where}: put a markdown heading '{wanted}' above exercise {chapter}.{number}")
        following = next((i for i in range(index + 1, len(cells)) if cells[i]["cell_type"] == "code"), None)
        if following is None or not CHECK_CALL.search(_text(cells[following])) or BEGIN in _text(cells[following]):
            raise ExerciseFormatError(f"{where}: the next code cell must call the check of exercise "
                                      f"{chapter}.{number} (checks.check_...(...))")
        metadata[index] = _nbgrader(f"exercise-{chapter}-{number}", solution=True)
        metadata[following] = _nbgrader(f"check-{chapter}-{number}", grade=True, locked=True,
                                        points=int(heading[2]))
    return metadata


def with_grading_metadata(notebook: dict, *, chapter: int, name: str, read_only: bool = False) -> dict:
    """A copy of ``notebook`` whose solution and check cells carry their nbgrader metadata and whose
    other cells carry none, or, with ``read_only``, are locked (other code cells only)."""
    notebook = copy.deepcopy(notebook)
    metadata = grading_metadata(notebook, chapter=chapter, name=name)
    for index, cell in enumerate(notebook["cells"]):
        cell["metadata"].pop("nbgrader", None)
        if index in metadata:
            cell["metadata"]["nbgrader"] = metadata[index]
        elif read_only and cell["cell_type"] == "code":
            cell["metadata"]["nbgrader"] = _nbgrader(f"read-only-{index}", locked=True)
    return notebook


def _exercise(grade_id: str) -> str:
    """``"check-1-2"`` -> ``"1.2"``."""
    return grade_id.split("-", 1)[1].replace("-", ".")


def points(solutions: Path = ROOT / "solutions") -> dict[str, dict[str, int]]:
    """Points of every exercise, by solution notebook (``{"01_audio_basics_exercises": {"1.1": 2}}``)."""
    table = {}
    for path in sorted(solutions.glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        found = grading_metadata(notebook, chapter=_chapter_number(path), name=path.name).values()
        table[path.stem] = {_exercise(m["grade_id"]): m["points"] for m in found if m["grade"]}
    return table


def points_table(solutions: Path = ROOT / "solutions") -> str:
    """The points per chapter as a Markdown table (the one in ``book/instructors.md``)."""
    rows = ["| exercise notebook | exercises | points |", "|---|---|---|"]
    table = points(solutions)
    for stem, by_exercise in table.items():
        detail = ", ".join(f"{exercise}: {n}" for exercise, n in by_exercise.items())
        rows.append(f"| `{stem}.ipynb` | {detail} | {sum(by_exercise.values())} |")
    rows.append(f"| all | {sum(map(len, table.values()))} exercises | "
                f"{sum(sum(t.values()) for t in table.values())} |")
    return "\n".join(rows) + "\n"


def _dumps(notebook: dict) -> str:
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def render(solution_path: Path) -> tuple[str, str]:
    """Texts of the solution notebook with its grading metadata and of the exercise notebook."""
    chapter, name = _chapter_number(solution_path), solution_path.name
    solution = json.loads(solution_path.read_text(encoding="utf-8"))
    graded = with_grading_metadata(solution, chapter=chapter, name=name)
    return _dumps(graded), _dumps(exercise_notebook(graded, chapter=chapter, name=name))


def build(solutions: Path = ROOT / "solutions", exercises: Path = ROOT / "exercises") -> list[Path]:
    """Write the grading metadata into the solution notebooks and one exercise notebook per solution
    notebook; remove hand-outs whose source is gone. Returns the files written."""
    written = []
    sources = sorted(solutions.glob("*.ipynb"))
    for path in sources:
        solution, exercise = render(path)
        if solution != path.read_text(encoding="utf-8"):
            written.append(atomic_write_text(path, solution))
        written.append(atomic_write_text(exercises / path.name, exercise))
    for stale in set(exercises.glob("*.ipynb")) - {exercises / p.name for p in sources}:
        stale.unlink()
    return written


def out_of_date(solutions: Path = ROOT / "solutions", exercises: Path = ROOT / "exercises") -> list[str]:
    """Notebooks (``solutions/NAME`` or ``exercises/NAME``) that differ from what :func:`build` would
    write, missing or stale hand-outs included."""
    stale = []
    expected = {}
    for path in sorted(solutions.glob("*.ipynb")):
        solution, expected[path.name] = render(path)
        if solution != path.read_text(encoding="utf-8"):
            stale.append(f"{solutions.name}/{path.name}")
    actual = {p.name: p.read_text(encoding="utf-8") for p in exercises.glob("*.ipynb")}
    stale += [f"{exercises.name}/{n}" for n in sorted(expected.keys() | actual.keys())
              if expected.get(n) != actual.get(n)]
    return stale


def nbgrader_course(course: Path, *, solutions: Path = ROOT / "solutions",
                    chapters: list[str] | None = None) -> list[Path]:
    """Lay out an nbgrader course folder: ``course/source/NN_topic/NN_topic_exercises.ipynb`` for
    each solution notebook (or those whose names start with one of ``chapters``, e.g. ``["01"]``),
    other code cells read-only, and ``course/nbgrader_config.py`` unless one exists. Returns the
    files written."""
    paths = [p for p in sorted(solutions.glob("*.ipynb"))
             if chapters is None or any(p.name.startswith(prefix) for prefix in chapters)]
    if not paths:
        raise ExerciseFormatError(f"no solution notebook in {solutions} matches {chapters}")
    written = []
    for path in paths:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        graded = with_grading_metadata(notebook, chapter=_chapter_number(path), name=path.name, read_only=True)
        assignment = path.stem.removesuffix("_exercises")
        written.append(atomic_write_text(course / "source" / assignment / path.name, _dumps(graded)))
    config = course / "nbgrader_config.py"
    if not config.exists():
        written.append(atomic_write_text(config, NBGRADER_CONFIG))
    return written


@contextlib.contextmanager
def _environment(**variables: str):
    before = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def grade(submission: Path, *, solutions: Path = ROOT / "solutions", timeout: int = 900) -> dict[str, tuple[int, int, str]]:
    """Grade an exercise notebook without nbgrader: run it in strict mode with its check cells as
    written in the solution notebook of the same name, and give each exercise its points when its
    check cell runs without an error.

    Returns ``{"1.1": (points earned, points, feedback)}``; the feedback is the failed check's
    message (empty for a pass).
    """
    import nbformat
    from nbclient import NotebookClient

    source = solutions / submission.name
    if not source.is_file():
        raise ExerciseFormatError(f"{submission}: no solution notebook named {submission.name} in {solutions}")
    reference = json.loads(source.read_text(encoding="utf-8"))
    graded = grading_metadata(reference, chapter=_chapter_number(source), name=source.name)
    checks = {meta["grade_id"]: (_text(reference["cells"][index]), meta["points"])
              for index, meta in graded.items() if meta["grade"]}
    notebook = nbformat.read(submission, as_version=4)
    found = {}
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in checks:
            cell.source, found[grade_id] = checks[grade_id][0], cell
    client = NotebookClient(notebook, timeout=timeout, allow_errors=True, kernel_name="python3",
                            resources={"metadata": {"path": str(submission.resolve().parent)}})
    with _environment(COURSE_CHECKS_STRICT="1"):
        client.execute()
    results = {}
    for grade_id, (_, points) in checks.items():
        exercise = _exercise(grade_id)
        if grade_id not in found:
            results[exercise] = (0, points, "its check cell is missing from the notebook")
            continue
        errors = [o for o in found[grade_id].outputs if o.get("output_type") == "error"]
        ran = found[grade_id].get("execution_count") is not None
        feedback = f"{errors[0]['ename']}: {errors[0]['evalue']}" if errors else ("" if ran else "not run")
        results[exercise] = (points if ran and not errors else 0, points, feedback)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_utils.exercises", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["build", "check", "points", "nbgrader", "grade"])
    parser.add_argument("paths", nargs="*", type=Path,
                        help="nbgrader: the course folder to write; grade: the submitted notebooks")
    parser.add_argument("--chapters", nargs="+", help="nbgrader: only these chapters (e.g. 01 06)")
    args = parser.parse_args(argv)
    if args.command == "build":
        for path in build():
            print(f"wrote {path.relative_to(ROOT)}")
        return 0
    if args.command == "points":
        print(points_table(), end="")
        return 0
    if args.command == "nbgrader":
        if len(args.paths) != 1:
            parser.error("nbgrader needs one course folder, e.g. `nbgrader ~/genre-course-grading`")
        for path in nbgrader_course(args.paths[0], chapters=args.chapters):
            print(f"wrote {path}")
        return 0
    if args.command == "grade":
        if not args.paths:
            parser.error("grade needs the submitted notebooks, e.g. `grade submissions/ana/01_audio_basics_exercises.ipynb`")
        for path in args.paths:
            results = grade(path)
            for exercise, (earned, points, feedback) in results.items():
                print(f"{path}: exercise {exercise}: {earned}/{points}" + (f" ({feedback})" if feedback else ""))
            print(f"{path}: total {sum(r[0] for r in results.values())}/{sum(r[1] for r in results.values())}")
        return 0
    stale = out_of_date()
    for name in stale:
        print(f"{name} is out of date: run `make exercises`", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
