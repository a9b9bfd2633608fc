"""The install cell at the top of every notebook: the same everywhere (written from one template);
a no-op where the course is importable; outside the repository, in a fresh kernel of a Python
without the course, it installs the course (here offline, from a local checkout) and says when
the kernel must restart."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from conftest import ROOT
from course_utils.embeddings.musicnn import WHEEL
from course_utils.launch import INSTALL_CELL_ID, install_cell_source, out_of_date, write_install_cells
from course_utils.launch.repository import Repository, set_repository_url

CHAPTER = ROOT / "book" / "01_audio_basics.ipynb"
CELL = "".join(next(c for c in json.loads(CHAPTER.read_text())["cells"] if c["cell_type"] == "code")["source"])
INSTALLED = "The course is installed: carry on."
# pip, offline and fast: the checkout alone, built with the shared environment's setuptools
OFFLINE_PIP = {"PIP_NO_INDEX": "1", "PIP_NO_DEPS": "1", "PIP_NO_BUILD_ISOLATION": "0",
               "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


def run_cell(python: Path | str, source: str, *, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """``source`` in a fresh interpreter (as a fresh kernel would run it), with ``env`` added to a
    copy of this environment without ``PYTHONPATH`` and without any course install source."""
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "COURSE_INSTALL_SOURCE")}
    return subprocess.run([str(python), "-c", source], cwd=cwd, env={**clean, **env},
                          capture_output=True, text=True, timeout=600)


@pytest.fixture
def bare_python(tmp_path) -> Path:
    """A new virtual environment that sees the shared environment's packages but not the course:
    the course's editable install hooks in through a .pth file that only the shared
    environment's own interpreter runs."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "shared-environment.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


@pytest.fixture
def outside(tmp_path) -> Path:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


def checkout_copy(tmp_path: Path) -> Path:
    """What pip needs of the repository to install the course (a copy: pip builds in the source tree)."""
    copy = tmp_path / "checkout"
    shutil.copytree(ROOT / "course_utils", copy / "course_utils", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, copy / name)
    return copy


def test_every_notebook_starts_with_the_install_cell_of_the_template():
    assert out_of_date() == [], "run `python -m course_utils.launch write` and commit the notebooks"
    for folder in ("book", "solutions", "exercises"):
        for path in sorted((ROOT / folder).glob("*.ipynb")):
            cells = json.loads(path.read_text())["cells"]
            installs = [c for c in cells if c.get("id") == INSTALL_CELL_ID]
            assert len(installs) == 1 and "remove-cell" in installs[0]["metadata"]["tags"], path.name


def test_the_cell_installs_from_the_repository_setting_and_musicnn_without_its_dependencies():
    assert 'COURSE_SOURCE = ""' in CELL  # no public home yet: the cell asks for a source
    named = install_cell_source(Repository(url="https://github.com/someone/course-copy", branch="main"))
    assert 'COURSE_SOURCE = "git+https://github.com/someone/course-copy@main"' in named
    assert f'[*pip, "--no-deps", "{WHEEL}"]' in CELL


def test_setting_the_repository_rewrites_every_notebook_and_exercise(tmp_path):
    for folder in ("book", "solutions", "exercises"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    shutil.copy(ROOT / "_config.yml", tmp_path / "_config.yml")
    set_repository_url("https://github.com/someone/course-copy", config=tmp_path / "_config.yml")
    assert out_of_date(tmp_path)
    changed = write_install_cells(tmp_path)
    assert len(changed) == len(list((ROOT / "book").glob("*.ipynb"))) + len(list((ROOT / "solutions").glob("*.ipynb")))
    assert out_of_date(tmp_path) == [] and write_install_cells(tmp_path) == []
    handout = next((tmp_path / "exercises").glob("*.ipynb")).read_text()
    assert "git+https://github.com/someone/course-copy@main" in handout


def test_the_cell_does_nothing_where_the_course_is_importable(tmp_path):
    run = run_cell(sys.executable, CELL, cwd=ROOT / "book", PYTHONPATH=str(ROOT),
                   COURSE_INSTALL_SOURCE=str(tmp_path / "not-a-checkout"), **OFFLINE_PIP)
    assert (run.returncode, run.stdout, run.stderr) == (0, "", "")


def kernel_outputs(python: Path, sources: list[str], *, cwd: Path, monkeypatch, **env: str) -> list[str]:
    """The text each cell printed, run in a fresh Jupyter kernel of ``python`` started in ``cwd``."""
    spec = cwd.parent / "jupyter" / "kernels" / "bare"
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "a Python without the course", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(spec.parents[1]))
    monkeypatch.delenv("PYTHONPATH", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    NotebookClient(notebook, timeout=600, kernel_name="bare", resources={"metadata": {"path": str(cwd)}}).execute()
    return ["".join(o.get("text", "") for o in cell.outputs) for cell in notebook.cells]


def test_outside_the_repository_the_cell_installs_the_course_in_a_fresh_kernel(tmp_path, bare_python, outside,
                                                                               monkeypatch):
    assert run_cell(bare_python, "import course_utils", cwd=outside).returncode != 0
    checkout = checkout_copy(tmp_path)
    env = {"COURSE_INSTALL_SOURCE": str(checkout), **OFFLINE_PIP}
    probe = "import course_utils.config\nprint(course_utils.__file__)"
    installed, location = kernel_outputs(bare_python, [CELL, probe], cwd=outside, monkeypatch=monkeypatch, **env)
    assert installed.strip() == INSTALLED  # and no restart: nothing the kernel had loaded changed
    assert Path(location.strip()).is_relative_to(bare_python.parents[1])
    again = run_cell(bare_python, CELL, cwd=outside, **env)
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")  # a fresh kernel: nothing to do


def test_the_cell_asks_for_a_restart_when_it_upgraded_something_already_imported(tmp_path, bare_python,
                                                                                  outside, monkeypatch):
    site = Path(run_cell(bare_python, "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                         cwd=outside).stdout.strip())
    (site / "restart_probe.py").write_text("VERSION = 1\n")
    info = site / "restart_probe-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: restart-probe\nVersion: 1.0\n")
    (info / "RECORD").write_text("restart_probe.py,,\nrestart_probe-1.0.dist-info/METADATA,,\n"
                                 "restart_probe-1.0.dist-info/RECORD,,\n")
    newer = tmp_path / "restart-probe"
    newer.mkdir()
    (newer / "restart_probe.py").write_text("VERSION = 2\n")
    (newer / "pyproject.toml").write_text('[project]\nname = "restart-probe"\nversion = "2.0"\n'
                                          '[tool.setuptools]\npy-modules = ["restart_probe"]\n')
    with pytest.raises(CellExecutionError) as stopped:  # "run all" stops at the install cell
        kernel_outputs(bare_python, ["import restart_probe", CELL, "print('went on')"], cwd=outside,
                       monkeypatch=monkeypatch, COURSE_INSTALL_SOURCE=str(newer), **OFFLINE_PIP)
    assert stopped.value.ename == "SystemExit"
    assert ("restart_probe changed under this kernel: restart it (Colab: Runtime > Restart session)"
            in stopped.value.evalue)


def test_without_a_source_the_cell_says_what_to_set(bare_python, outside):
    run = run_cell(bare_python, CELL, cwd=outside, **OFFLINE_PIP)
    assert run.returncode == 1 and "%env COURSE_INSTALL_SOURCE=git+<its URL>" in run.stderr


def test_the_command_line_check_passes_on_the_committed_notebooks(capsys):
    from course_utils.launch.__main__ import main

    assert main(["check"]) == 0 and capsys.readouterr().err == ""
