"""The install cell: the first code cell of every chapter and exercise notebook.

On Colab or a bare Jupyter, where ``course_utils`` is missing, the cell pip-installs the course
(from ``COURSE_INSTALL_SOURCE`` if set, else from the repository of ``_config.yml``) and musicnn
without its dependencies, then says whether the kernel must restart; where the course is
importable (the repository, Binder) it does nothing. The cell cannot import the course it
installs, so it is self-contained, and written into every notebook from the one template here.
"""

from __future__ import annotations

import json
from pathlib import Path
from string import Template

from course_utils.io import atomic_write_text
from course_utils.launch.repository import ROOT, LaunchError, Repository, repository_setting

INSTALL_CELL_ID = "install-course"
TEMPLATE = Template('''\
# Colab or a bare Jupyter: this cell installs the course (once) and says when to restart.
# In the repository and on Binder the course is installed already: the cell does nothing.
import importlib.util

# Where the course comes from (_config.yml); COURSE_INSTALL_SOURCE overrides it.
COURSE_SOURCE = "$source"
if importlib.util.find_spec("course_utils") is None:
    import importlib.metadata as metadata, os, subprocess, sys

    source = os.environ.get("COURSE_INSTALL_SOURCE") or COURSE_SOURCE
    if not source:
        raise RuntimeError("This copy does not name the course's repository: run "
                           "%env COURSE_INSTALL_SOURCE=git+<its URL> (or a folder of it)")
    before = {d.metadata["Name"]: d.version for d in metadata.distributions()}
    pip = [sys.executable, "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, source], check=True)
    if importlib.util.find_spec("musicnn") is None:  # its metadata pins an ancient numpy
        subprocess.run([*pip, "--no-deps", "$musicnn"], check=True)
    importlib.invalidate_caches()
    changed = {d.metadata["Name"] for d in metadata.distributions()
               if before.get(d.metadata["Name"], d.version) != d.version}
    stale = sorted(module for module, names in metadata.packages_distributions().items()
                   if module in sys.modules and changed.intersection(names))
    if stale:
        raise SystemExit(f"The course is installed, but {', '.join(stale)} changed under "
                         "this kernel: restart it (Colab: Runtime > Restart session), "
                         "then run the notebook again from the top.")
    print("The course is installed: carry on.")''')


def install_cell_source(repository: Repository | None = None) -> str:
    """The install cell's code for ``repository`` (default: the setting in ``_config.yml``).

    Used in: every notebook of book/, solutions/ and exercises/ (its first code cell).
    """
    from course_utils.embeddings.musicnn import WHEEL  # here: the book build imports this module

    repository = repository_setting() if repository is None else repository
    return TEMPLATE.substitute(source=repository.pip_source, musicnn=WHEEL)


def source_notebooks(root: Path = ROOT) -> list[Path]:
    """The notebooks the cell is written into: the chapters and the solutions (the exercises
    are generated from the solutions)."""
    return sorted((root / "book").glob("*.ipynb")) + sorted((root / "solutions").glob("*.ipynb"))


def _first_code_cell(notebook: dict, *, name: str) -> int:
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "code":
            return index
    raise LaunchError(f"{name}: a notebook without code cells needs no install cell")


def with_install_cell(notebook: dict, source: str, *, name: str = "notebook") -> dict:
    """``notebook`` (changed in place) with ``source`` as its first code cell, the install cell:
    replaced where it is already there, inserted before the first code cell otherwise."""
    index = _first_code_cell(notebook, name=name)
    cells = notebook["cells"]
    if cells[index].get("id") != INSTALL_CELL_ID:
        cells.insert(index, {"cell_type": "code", "execution_count": None,
                             "metadata": {"tags": ["remove-cell"]}, "outputs": [], "source": [],
                             "id": INSTALL_CELL_ID})
    cells[index]["source"] = source.splitlines(keepends=True)
    return notebook


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _text(notebook: dict) -> str:
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def write_install_cells(root: Path = ROOT, *, repository: Repository | None = None) -> list[Path]:
    """Write the install cell into every chapter and solution, then regenerate ``exercises/``.

    Returns the chapters and solutions that changed. Used in: ``python -m course_utils.launch``.
    """
    from course_utils import exercises  # the hand-outs are generated from the solutions

    source = install_cell_source(repository_setting(root / "_config.yml") if repository is None
                                 else repository)
    changed = []
    for path in source_notebooks(root):
        text = path.read_text(encoding="utf-8")
        new = _text(with_install_cell(json.loads(text), source, name=path.name))
        if new != text:
            changed.append(atomic_write_text(path, new))
    exercises.build(root / "solutions", root / "exercises")
    return changed


def out_of_date(root: Path = ROOT) -> list[str]:
    """Notebooks (chapters, solutions, exercises) whose first code cell is not the install cell
    that ``_config.yml`` asks for."""
    source = install_cell_source(repository_setting(root / "_config.yml"))
    stale = []
    for path in source_notebooks(root) + sorted((root / "exercises").glob("*.ipynb")):
        notebook = _read(path)
        cell = notebook["cells"][_first_code_cell(notebook, name=path.name)]
        if cell.get("id") != INSTALL_CELL_ID or "".join(cell["source"]) != source:
            stale.append(str(path.relative_to(root)))
    return stale
