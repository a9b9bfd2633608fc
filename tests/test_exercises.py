"""The exercise generator, the sync of exercises/ with solutions/, and how hand-outs stop."""

import importlib
import json
import os
import re

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from conftest import ROOT, SHARED_DATA
from course_utils import exercises
from course_utils.exercises import ExerciseFormatError, strip_solutions

HANDOUTS = sorted((ROOT / "exercises").glob("*.ipynb"))


def lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def test_region_becomes_a_numbered_hint_at_its_indentation():
    cell = lines("def f(y):\n    # Hint: add one.\n    ### BEGIN SOLUTION\n    z = y + 1\n    return z\n"
                 "    ### END SOLUTION\n\nf(1)\n")
    out, following = strip_solutions(cell, chapter=4, first=2, where="test")
    assert "".join(out) == ('def f(y):\n    # Hint: add one.\n'
                            '    raise NotImplementedError("Exercise 4.2: add one.")\n\nf(1)\n')
    assert following == 3


@pytest.mark.parametrize("text, problem", [
    ("### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n", "Hint"),
    ("# Hint: h\n### BEGIN SOLUTION\nx = 1\n", "never closed"),
    ("x = 1\n### END SOLUTION\n", "without"),
    ("# Hint: h\n### BEGIN SOLUTION\n# Hint: h\n### BEGIN SOLUTION\n", "inside another"),
])
def test_malformed_regions_are_named(text, problem):
    with pytest.raises(ExerciseFormatError, match=problem):
        strip_solutions(lines(text), chapter=1, first=1, where="nb.ipynb, cell 3")


def test_numbering_runs_across_cells_and_outputs_are_cleared():
    code = lambda src: {"cell_type": "code", "source": src, "metadata": {}, "outputs": ["x"], "execution_count": 3}
    notebook = {"cells": [code("# Hint: a\n### BEGIN SOLUTION\na = 1\n### END SOLUTION\n"),
                          {"cell_type": "markdown", "source": "### BEGIN SOLUTION is text here", "metadata": {}},
                          code(["# Hint: b\n", "### BEGIN SOLUTION\n", "b = 2\n", "### END SOLUTION\n"])]}
    out = exercises.exercise_notebook(notebook, chapter=7, name="x")
    sources = ["".join(c["source"]) for c in out["cells"]]
    assert "Exercise 7.1: a" in sources[0] and "Exercise 7.2: b" in sources[2]
    assert out["cells"][0]["outputs"] == [] and notebook["cells"][0]["outputs"] == ["x"]
    with pytest.raises(ExerciseFormatError, match="no ### BEGIN SOLUTION"):
        exercises.exercise_notebook({"cells": [code("x = 1\n")]}, chapter=1, name="empty.ipynb")


def test_exercises_folder_is_in_sync_with_solutions():
    assert exercises.out_of_date() == [], "run `make exercises` and commit exercises/"
    assert [p.name for p in HANDOUTS] == [p.name for p in sorted((ROOT / "solutions").glob("*.ipynb"))]


def test_every_solution_cell_carries_nbgrader_metadata():
    for path in sorted((ROOT / "solutions").glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            if "### BEGIN SOLUTION" in "".join(cell["source"]) and cell["cell_type"] == "code":
                assert cell["metadata"].get("nbgrader", {}).get("solution") is True, path.name


def graded_cells(path):
    cells = json.loads(path.read_text())["cells"]
    return [(i, c, c["metadata"]["nbgrader"]) for i, c in enumerate(cells) if "nbgrader" in c["metadata"]]


@pytest.mark.parametrize("folder", ["solutions", "exercises"])
def test_each_check_cell_is_a_locked_test_cell_worth_its_headings_points(folder):
    for path in sorted((ROOT / folder).glob("*.ipynb")):
        chapter, cells = int(path.name[:2]), graded_cells(path)
        solutions = [(i, meta) for i, _, meta in cells if meta["solution"]]
        tests = [(i, cell, meta) for i, cell, meta in cells if meta["grade"]]
        assert len(solutions) == len(tests) > 0, path.name
        for number, ((s, solution), (t, cell, test)) in enumerate(zip(solutions, tests), start=1):
            assert solution["grade_id"] == f"exercise-{chapter}-{number}" and not solution["locked"]
            assert test["grade_id"] == f"check-{chapter}-{number}" and test["locked"] and not test["solution"]
            assert s < t and "checks.check_" in "".join(cell["source"]), f"{path.name}: exercise {chapter}.{number}"
            assert test["points"] == exercises.points()[path.stem][f"{chapter}.{number}"] >= 1


def test_each_check_cell_calls_the_check_of_its_own_exercise():
    for path in sorted((ROOT / "solutions").glob("*.ipynb")):
        chapter, cells = int(path.name[:2]), json.loads(path.read_text())["cells"]
        setup = "".join(next(c["source"] for c in cells if "course_utils.checks import" in "".join(c["source"])))
        module = importlib.import_module("course_utils.checks." + re.search(
            r"from course_utils\.checks import (\w+) as checks", setup).group(1))
        calls = [re.search(r"checks\.(check_\w+)\(", "".join(cell["source"])).group(1)
                 for _, cell, meta in graded_cells(path) if meta["grade"]]
        assert [getattr(module, name).exercise for name in calls] == [
            f"{chapter}.{k}" for k in range(1, len(calls) + 1)], path.name


def cell(kind, source, metadata=None):
    return {"cell_type": kind, "source": source, "metadata": metadata or {}, "outputs": [], "execution_count": None}


def small_notebook(heading="## Exercise 3.1: add one (2 points)\n", check="checks.check_add(add)\n"):
    return {"cells": [cell("code", "from course_utils.checks import wavelets as checks\n"),
                      cell("markdown", "Some text.\n\n" + heading),
                      cell("code", "# Hint: h\n### BEGIN SOLUTION\nadd = 1\n### END SOLUTION\n",
                           {"nbgrader": {"grade": True, "stale": 1}}),
                      cell("markdown", "Between."),
                      cell("code", check),
                      cell("code", "print(add)\n", {"nbgrader": {"locked": True}})]}


def test_grading_metadata_comes_from_the_heading_and_the_next_code_cell():
    graded = exercises.with_grading_metadata(small_notebook(), chapter=3, name="x.ipynb")
    meta = [c["metadata"].get("nbgrader") for c in graded["cells"]]
    assert meta[2] == {"grade": False, "grade_id": "exercise-3-1", "locked": False, "schema_version": 3,
                       "solution": True, "task": False}
    assert meta[4] == {"grade": True, "grade_id": "check-3-1", "locked": True, "points": 2, "schema_version": 3,
                       "solution": False, "task": False}
    assert meta[0] is None and meta[5] is None  # other cells carry none (a stale entry is removed)
    locked = exercises.with_grading_metadata(small_notebook(), chapter=3, name="x.ipynb", read_only=True)
    assert [c["metadata"].get("nbgrader", {}).get("locked") for c in locked["cells"]] == [
        True, None, False, None, True, True]


@pytest.mark.parametrize("notebook, problem", [
    (small_notebook(heading="## Exercise 3.1: add one\n"), "(<N> points)"),
    (small_notebook(heading="## Exercise 3.2: add one (2 points)\n"), "Exercise 3.1"),
    (small_notebook(check="print(add)\n"), "must call the check of exercise 3.1"),
])
def test_grading_metadata_names_what_is_missing(notebook, problem):
    with pytest.raises(ExerciseFormatError, match=re.escape(problem)):
        exercises.with_grading_metadata(notebook, chapter=3, name="x.ipynb")


def test_nbgrader_course_folder(tmp_path):
    written = exercises.nbgrader_course(tmp_path, chapters=["01"])
    source = tmp_path / "source" / "01_audio_basics" / "01_audio_basics_exercises.ipynb"
    assert written == [source, tmp_path / "nbgrader_config.py"]
    code = [c for c in json.loads(source.read_text())["cells"] if c["cell_type"] == "code"]
    assert all("nbgrader" in c["metadata"] for c in code)
    assert "Execute.timeout" in (tmp_path / "nbgrader_config.py").read_text()
    (tmp_path / "nbgrader_config.py").write_text("# the instructor's own\n")
    exercises.nbgrader_course(tmp_path, chapters=["01"])
    assert (tmp_path / "nbgrader_config.py").read_text() == "# the instructor's own\n"  # never overwritten
    with pytest.raises(ExerciseFormatError, match="99"):
        exercises.nbgrader_course(tmp_path, chapters=["99"])


def test_the_instructors_page_shows_the_computed_points():
    assert exercises.points_table() in (ROOT / "book" / "instructors.md").read_text()


def test_every_book_chapter_has_exercises():
    chapters = {p.stem for p in (ROOT / "book").glob("[0-9][0-9]_*.ipynb")}
    handouts = {p.stem.removesuffix("_exercises") for p in HANDOUTS}
    assert chapters <= handouts, f"chapters without exercises: {sorted(chapters - handouts)}"


@pytest.mark.parametrize("path", HANDOUTS, ids=lambda p: p.name)
def test_handout_stops_at_its_first_exercise_with_not_implemented(path, monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", os.environ.get("COURSE_PROFILE", "quick"))
    if (SHARED_DATA / "gtzan-mini").is_dir():  # real clips when present, else the synthetic set
        monkeypatch.setenv("GTZAN_DIR", str(SHARED_DATA / "gtzan-mini"))
    notebook = nbformat.read(path, as_version=4)
    first = next(i for i, c in enumerate(notebook.cells) if "raise NotImplementedError(" in c.source)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}})
    with pytest.raises(CellExecutionError) as info:
        client.execute()
    assert info.value.ename == "NotImplementedError"
    assert info.value.evalue.startswith(f"Exercise {int(path.name[:2])}.1:")
    failed = [i for i, c in enumerate(notebook.cells)
              if any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    code_after = [i for i, c in enumerate(notebook.cells) if c.cell_type == "code" and i > first]
    assert failed in ([first], code_after[:1]), f"stopped at cell {failed}, not at exercise cell {first} or its check"


def test_each_chapter_and_the_instructors_page_link_its_exercises():
    guide = (ROOT / "book" / "instructors.md").read_text()
    for chapter in sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb")):
        target = f"exercises/{chapter.stem}_exercises.ipynb"
        assert target in chapter.read_text(), f"{chapter.name} does not link {target}"
        assert target in guide, f"book/instructors.md does not list {target}"
