"""The newcomer's path: chapter 5 and its exercises run offline with no YAMNet handle, on the synthetic set.

The page says that YAMNet is not available, why and how to get it, and carries on with musicnn.
"""

from __future__ import annotations

import re

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT


def outputs(notebook, mime: str) -> list[str]:
    return [o["data"][mime] for c in notebook.cells if c.cell_type == "code" for o in c.outputs
            if mime in o.get("data", {})]


def printed(notebook) -> str:
    return "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs)


@pytest.fixture
def newcomer(monkeypatch, tmp_path):
    """No variable pointing at ../shared, no network, the quick profile (the data home is already private)."""
    for name in ("YAMNET_HANDLE", "YAMNET_CLASS_MAP", "GTZAN_DIR", "GTZAN_SPLITS_DIR", "KAGGLE_FEATURES_CSV"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(tmp_path / "tfhub"))
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    monkeypatch.setenv("COURSE_PROFILE", "quick")
    monkeypatch.setenv("COURSE_CHECKS_STRICT", "1")


def execute(relative: str):
    notebook = nbformat.read(ROOT / relative, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    return notebook


def test_chapter_5_without_yamnet_says_so_and_runs_musicnn(newcomer):
    notebook = execute("book/05_pretrained_embeddings.ipynb")
    notes = [text for text in outputs(notebook, "text/markdown") if "Not available in this run: YAMNet" in text]
    assert len(notes) == 1, "the page should carry one note saying that YAMNet is not available"
    assert "COURSE_OFFLINE" in notes[0] and "YAMNET_HANDLE" in notes[0]
    text = printed(notebook)
    assert "synthetic" in text and text.count("YAMNet is not available in this run") >= 3
    assert re.search(r"gain over MFCC means: musicnn [+-]\d", text)
    results = next(html for html in outputs(notebook, "text/html") if "CV accuracy" in html)
    assert re.search(r"<th>musicnn embedding</th>\s*<td>yes</td>\s*<td>[\d.]+</td>\s*<td>[\d.]+</td>", results)
    assert re.search(r"<th>YAMNet embedding</th>\s*<td>no: weights not available", results)


def test_chapter_5_exercises_without_yamnet_pass_their_checks(newcomer):
    notebook = execute("solutions/05_pretrained_embeddings_exercises.ipynb")
    text = printed(notebook)
    assert text.count("✔ Exercise 5.") == 5 and "✘" not in text
    assert "models: MSD_musicnn" in text
