"""Notebooks are committed clean and the table of contents names every chapter."""

import json
from pathlib import Path

import pytest

from conftest import ROOT

NOTEBOOKS = sorted(p for folder in ("book", "solutions", "exercises") for p in (ROOT / folder).glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_committed_without_outputs(path):
    cells = json.loads(path.read_text())["cells"]
    dirty = [i for i, c in enumerate(cells) if c["cell_type"] == "code" and (c["outputs"] or c["execution_count"])]
    assert not dirty, f"{path.name}: cells {dirty} have stored outputs; clear them before committing"


def toc_files() -> list[str]:
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


def toc_chapters() -> list[Path]:
    """The chapter notebooks that _toc.yml lists, in reading order."""
    return [ROOT / f"{name}.ipynb" for name in toc_files() if (ROOT / f"{name}.ipynb").is_file()]


def test_toc_names_existing_files_and_every_chapter():
    files = toc_files()
    for name in files:
        assert any((ROOT / f"{name}{ext}").is_file() for ext in (".md", ".ipynb")), f"{name} in _toc.yml is missing"
    chapters = {str(p.relative_to(ROOT).with_suffix("")) for p in (ROOT / "book").glob("*.ipynb")}
    assert chapters <= set(files), f"chapters missing from _toc.yml: {sorted(chapters - set(files))}"


def test_chapters_use_the_package_not_their_own_loaders():
    for path in (ROOT / "book").glob("*.ipynb"):
        source = "\n".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code")
        assert "librosa.load(" not in source and "def " not in source, f"{path.name} defines its own helpers"


CODE_WIDTH = 90  # characters: what the book's content column shows without wrapping
HINT = "# Hint:"  # the exercise generator takes a hint from one line, so a hint may be longer


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.parent.name in ("book", "solutions")],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_code_lines_fit_the_page(path):
    cells = json.loads(path.read_text())["cells"]
    long = [f"cell {i}: {line.strip()[:50]}... ({len(line)} characters)"
            for i, cell in enumerate(cells) if cell["cell_type"] == "code"
            for line in "".join(cell["source"]).splitlines()
            if len(line) > CODE_WIDTH and not line.lstrip().startswith(HINT)]
    assert not long, f"{path.name}: code lines over {CODE_WIDTH} characters:\n" + "\n".join(long)
