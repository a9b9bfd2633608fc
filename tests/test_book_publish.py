"""The workflow that publishes the book: valid, and it builds the book the way the README says."""

from __future__ import annotations

import re

import yaml

from conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "publish-book.yml"


def steps(job: dict) -> list[dict]:
    return job["steps"]


def runs(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in steps(job))


def test_workflow_builds_the_readme_book_command_in_the_full_profile_and_deploys_it():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    readme_command = re.search(r"^(make book)\b", (ROOT / "README.md").read_text(), re.M).group(1)
    assert readme_command in runs(build).splitlines()
    assert build["env"]["COURSE_PROFILE"] == "full"
    python = next(s for s in steps(build) if s.get("uses", "").startswith("actions/setup-python"))
    assert python["with"]["python-version"] == "3.11"
    upload = next(s for s in steps(build) if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "_build/html"
    assert any(s.get("uses", "").startswith("actions/deploy-pages") for s in steps(deploy))
    assert deploy["needs"] == "build" and workflow["permissions"]["pages"] == "write"


def test_workflow_checks_the_pages_in_the_browser_before_uploading_them():
    build = yaml.safe_load(WORKFLOW.read_text())["jobs"]["build"]
    order = [s.get("run", s.get("uses", "")) for s in steps(build)]
    check = next(i for i, s in enumerate(order) if "COURSE_REQUIRE_BROWSER=1" in s and "test_book_browser.py" in s)
    upload = next(i for i, s in enumerate(order) if s.startswith("actions/upload-pages-artifact"))
    book = order.index("make book")
    assert book < check < upload


def test_workflow_points_the_launch_buttons_at_the_repository_it_runs_in_before_building():
    build = yaml.safe_load(WORKFLOW.read_text())["jobs"]["build"]
    order = [s.get("run", "") for s in steps(build)]
    command = '.venv/bin/python -m course_utils.launch set-repository "${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}"'
    setting = next(i for i, run in enumerate(order) if command in run.splitlines())
    assert order.index("make install") < setting < order.index("make book")
    assert "::warning::" in order[setting]  # when the committed setting names another repository


def test_workflow_uses_real_gtzan_only_where_configured():
    text = WORKFLOW.read_text()
    build = yaml.safe_load(text)["jobs"]["build"]
    assert build["env"]["GTZAN_DIR"] == "${{ vars.GTZAN_DIR }}"
    fetch = next(s for s in steps(build) if "download_gtzan()" in s.get("run", ""))
    assert "vars.GTZAN_DOWNLOAD == 'true'" in fetch["if"]
