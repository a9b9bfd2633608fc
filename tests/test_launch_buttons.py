"""The launch buttons come from one setting, ``repository.url`` of ``_config.yml``: a book built
without it has none (rather than broken ones), a book built with it opens that repository.
Each test builds a one-notebook book with the course's own Jupyter Book configuration."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from conftest import ROOT
from course_utils.launch import LaunchError, repository_setting, set_repository_url

JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")


def tiny_book(folder: Path) -> Path:
    """A book of one page and one notebook under ``folder``, configured like the course
    (minus execution, static files and references); returns its ``_config.yml``."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["execute"] = {"execute_notebooks": "off"}
    config["bibtex_bibfiles"] = ["references.bib"]
    for key in ("html_static_path", "html_css_files"):
        config["sphinx"]["config"].pop(key)
    (folder / "book").mkdir(parents=True)
    (folder / "references.bib").write_text("")
    (folder / "book" / "intro.md").write_text("# A tiny book\n")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A chapter"),
                                               nbformat.v4.new_code_cell("1 + 1")])
    notebook.metadata.update(kernelspec={"name": "python3", "display_name": "Python 3", "language": "python"},
                             language_info={"name": "python"})
    nbformat.write(notebook, folder / "book" / "chapter.ipynb")
    (folder / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nchapters:\n- file: book/chapter\n")
    (folder / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    return folder / "_config.yml"


def built_chapter(folder: Path) -> str:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run([str(JUPYTER_BOOK), "build", str(folder)], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return (folder / "_build" / "html" / "book" / "chapter.html").read_text()


def launchers() -> dict[str, str]:
    """The launch services of _config.yml (Binder, Colab), by name."""
    buttons = yaml.safe_load((ROOT / "_config.yml").read_text())["launch_buttons"]
    return {key: url for key, url in buttons.items() if key.endswith("_url")}


def test_the_course_names_no_repository_until_it_has_a_public_home():
    assert repository_setting().url == ""
    assert "OWNER" not in (ROOT / "_config.yml").read_text()


def test_a_book_without_the_repository_setting_has_no_launch_buttons(tmp_path):
    config = tiny_book(tmp_path)
    assert repository_setting(config).url == ""
    page = built_chapter(tmp_path)
    assert "A chapter" in page
    for name, url in launchers().items():
        assert url not in page, f"{name}: a launch button without a repository"
    assert "launch-buttons" not in page and "OWNER" not in page


def test_a_book_with_the_repository_setting_launches_that_repository(tmp_path):
    config = tiny_book(tmp_path)
    set_repository_url("https://github.com/someone/course-copy", config=config)
    page = built_chapter(tmp_path)
    services = launchers()
    assert "launch-buttons" in page  # the theme's menu of launch buttons
    assert f"{services['binderhub_url']}/v2/gh/someone/course-copy/main?urlpath=lab/tree/book/chapter.ipynb" in page
    assert f"{services['colab_url']}/github/someone/course-copy/blob/main/book/chapter.ipynb" in page


def test_setting_the_repository_keeps_the_rest_of_the_configuration(tmp_path):
    config = tmp_path / "_config.yml"
    original = (ROOT / "_config.yml").read_text()
    config.write_text(original)
    setting = set_repository_url("https://github.com/someone/course-copy/", config=config)
    assert setting.url == "https://github.com/someone/course-copy" and setting.branch == "main"
    assert setting.pip_source == "git+https://github.com/someone/course-copy@main"
    changed = [(a, b) for a, b in zip(original.splitlines(), config.read_text().splitlines()) if a != b]
    assert changed == [('  url: ""', '  url: "https://github.com/someone/course-copy"')]
    assert set_repository_url("", config=config).url == "" and config.read_text() == original


@pytest.mark.parametrize("url", ["github.com/someone/course", "https://github.com/someone",
                                 "https://github.com/someone/course.git", "https://github.com/a/b c"])
def test_a_malformed_repository_url_is_refused_with_the_expected_form(tmp_path, url):
    config = tmp_path / "_config.yml"
    config.write_text((ROOT / "_config.yml").read_text())
    with pytest.raises(LaunchError, match="expected https://host/owner/name"):
        set_repository_url(url, config=config)
    config.write_text(config.read_text().replace('url: ""', f"url: {url}"))
    with pytest.raises(LaunchError, match=url.split("/")[-1]):
        repository_setting(config)
