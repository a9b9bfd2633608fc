"""nbgrader end to end on the two cheapest chapters, as an instructor runs it (book/instructors.md).

In a temporary course folder laid out by ``python -m course_utils.exercises nbgrader``:
``generate_assignment``, then ``autograde`` of three submissions (blank: 0 points, solved: every
point, one wrong answer: loses exactly that exercise's points), ``generate_feedback`` (the check's
hint reaches the student), and ``validate`` passes the solution notebook. Strict mode is switched
off: the checks must fail because nbgrader grades, not because the tests ask them to.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from course_utils import exercises

pytestmark = pytest.mark.nbgrader

# chapter -> (the solution cell answered wrongly, its wrong answer, a phrase of the check's hint)
WRONG = {
    "01_audio_basics": ("exercise-1-2", "hop_seconds = 3.0\n", "try a smaller hop"),
    "06_evaluation_and_splits": ("exercise-6-3", "n_tracks = 100\n", "you need more tracks"),
}


def nbgrader(course: Path, *args: str) -> str:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
           "COURSE_PROFILE": os.environ.get("COURSE_PROFILE", "quick")}
    env.pop("COURSE_CHECKS_STRICT", None)  # nbgrader alone must make a failed check count as failed
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def submit(course: Path, assignment: str, student: str, *, answers: dict[str, str]) -> None:
    """Copy the released notebook into ``submitted/``, with the given sources of solution cells."""
    released = next((course / "release" / assignment).glob("*.ipynb"))
    notebook = json.loads(released.read_text())
    for cell in notebook["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell["source"] = answers[grade_id]
    target = course / "submitted" / student / assignment / released.name
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps(notebook))


def scores(course: Path, assignment: str) -> dict[str, tuple[float, float]]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return {student: (gradebook.find_submission(assignment, student).score,
                          gradebook.find_submission(assignment, student).max_score)
                for student in ("blank", "solved", "wrong")}


@pytest.mark.parametrize("assignment", sorted(WRONG))
def test_generate_autograde_feedback_and_validate(assignment, tmp_path):
    course = tmp_path / "course"
    exercises.nbgrader_course(course, chapters=[assignment[:2]])
    source = course / "source" / assignment / f"{assignment}_exercises.ipynb"
    solutions = {cell["metadata"]["nbgrader"]["grade_id"]: cell["source"]
                 for cell in json.loads(source.read_text())["cells"]
                 if cell["metadata"].get("nbgrader", {}).get("solution")}
    points = exercises.points()[f"{assignment}_exercises"]
    wrong_cell, wrong_answer, hint = WRONG[assignment]
    lost = points[wrong_cell.removeprefix("exercise-").replace("-", ".")]

    nbgrader(course, "generate_assignment", assignment)
    released = (course / "release" / assignment / source.name).read_text()
    assert "BEGIN SOLUTION" not in released and "Write your answer here" in released
    submit(course, assignment, "blank", answers={})
    submit(course, assignment, "solved", answers=solutions)
    submit(course, assignment, "wrong", answers={**solutions, wrong_cell: wrong_answer})
    nbgrader(course, "autograde", assignment, "--create")

    total = sum(points.values())
    assert scores(course, assignment) == {"blank": (0.0, total), "solved": (total, total),
                                          "wrong": (total - lost, total)}
    nbgrader(course, "generate_feedback", assignment, "--student", "wrong")
    feedback = (course / "feedback" / "wrong" / assignment / f"{source.stem}.html").read_text()
    assert hint in feedback
    assert "passes all the tests" in nbgrader(course, "validate", str(source))


def test_grading_without_nbgrader_restores_the_checks_and_counts_points(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("COURSE_PROFILE", os.environ.get("COURSE_PROFILE", "quick"))
    name = "01_audio_basics_exercises.ipynb"
    answers = {c["metadata"]["nbgrader"]["grade_id"]: c["source"]
               for c in json.loads((ROOT / "solutions" / name).read_text())["cells"]
               if c["metadata"].get("nbgrader", {}).get("solution")}
    notebook = json.loads((ROOT / "exercises" / name).read_text())
    for cell in notebook["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id", "")
        if grade_id.startswith("exercise-"):
            cell["source"] = "hop_seconds = 3.0\n" if grade_id == "exercise-1-2" else answers[grade_id]
        if grade_id == "check-1-2":
            cell["source"] = "print('all good')\n"  # a learner who edited a check cell gains nothing
    (tmp_path / name).write_text(json.dumps(notebook))

    results = exercises.grade(tmp_path / name)
    assert {exercise: earned for exercise, (earned, _, _) in results.items()} == {"1.1": 2, "1.2": 0, "1.3": 1}
    assert "CheckFailed" in results["1.2"][2] and "try a smaller hop" in results["1.2"][2]
    assert {exercise: points for exercise, (_, points, _) in results.items()} == exercises.points()[Path(name).stem]
