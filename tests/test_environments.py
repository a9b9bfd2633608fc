"""Every way of installing the course gets the same pins: `make install` (scripts/install.sh),
conda and Binder (environment.yml + postBuild), Colab (the notebooks' install cell), on Python
3.11 and 3.12. Static checks, no network: .ci/run resolves the environment for 3.12."""

from __future__ import annotations

import os
import re
import tomllib

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from conftest import ROOT
from course_utils.embeddings.musicnn import WHEEL
from course_utils.launch import install_cell_source

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
INSTALL_SH = (ROOT / "scripts" / "install.sh").read_text()
ENVIRONMENT = yaml.safe_load((ROOT / "environment.yml").read_text())
POSTBUILD = ROOT / "postBuild"


def locked() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements" / "lock.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            requirement = Requirement(line)
            pins[requirement.name.lower().replace("_", "-")] = str(requirement.specifier)
    return pins


def test_the_package_admits_python_3_11_and_3_12_which_colab_runs():
    supported = SpecifierSet(PYPROJECT["requires-python"])
    assert "3.11" in supported and "3.12" in supported and "3.10" not in supported
    assert "scripts/resolve_for.sh 3.12" in (ROOT / ".ci" / "run").read_text().splitlines()
    assert "(3, 11), (3, 12)" in INSTALL_SH  # a learner's own venv on either


UNPINNED = {"ipython"}  # the kernel's own package: Colab's kernel needs the IPython it comes with


def test_every_pin_of_pyproject_is_the_locked_version():
    lock = locked()
    requirements = PYPROJECT["dependencies"] + [r for extra in PYPROJECT["optional-dependencies"].values()
                                                for r in extra]
    for text in requirements:
        requirement = Requirement(text)
        name = requirement.name.lower().replace("_", "-")
        assert name in lock, f"{text}: not in requirements/lock.txt"
        assert lock[name].removeprefix("==") in requirement.specifier, f"{text}: the lock has {lock[name]}"
        if name not in UNPINNED:
            assert lock[name] == str(requirement.specifier), f"{text}: requirements/lock.txt has {lock[name]}"


def test_environment_yml_installs_the_package_as_make_install_does():
    dependencies = ENVIRONMENT["dependencies"]
    python = next(d for d in dependencies if isinstance(d, str) and d.startswith("python="))
    assert python.removeprefix("python=") in SpecifierSet(PYPROJECT["requires-python"])
    pip = next(d["pip"] for d in dependencies if isinstance(d, dict))
    extras = re.search(r'install -c requirements/lock\.txt -e "(\.\[[\w,]+\])"', INSTALL_SH).group(1)
    assert pip == ["-c requirements/lock.txt", f"-e {extras}"]


def test_binder_installs_musicnn_without_dependencies_as_every_other_way_does():
    assert os.access(POSTBUILD, os.X_OK), "postBuild must be executable for repo2docker to run it"
    command = f"install --no-cache-dir --no-deps {WHEEL}"
    assert f"python -m pip {command}" in POSTBUILD.read_text().splitlines()
    assert f"install --no-deps {WHEEL}" in INSTALL_SH
    assert f'"--no-deps", "{WHEEL}"' in install_cell_source()


def test_the_publishing_workflow_builds_on_a_supported_python():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "publish-book.yml").read_text())
    python = next(s["with"]["python-version"] for s in workflow["jobs"]["build"]["steps"]
                  if s.get("uses", "").startswith("actions/setup-python"))
    assert python in SpecifierSet(PYPROJECT["requires-python"])
