"""Reference values of pretrained models, stored once in ``tests/reference/*.json`` and compared with every run.

A model is deterministic when a fresh process gives the numbers stored earlier, not merely when two
calls in one process agree (a cached result or a shared random state would pass that). What is
stored for an array of frames: the number of frames, each frame's mean and norm, and its first 16
values. To write a reference again (after a deliberate change of model or code), run the test with
``COURSE_WRITE_REFERENCE=1`` and commit the file; the test then fails once, saying it wrote it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

FOLDER = Path(__file__).resolve().parent / "reference"
WRITE_ENV = "COURSE_WRITE_REFERENCE"


def summary(X: np.ndarray) -> dict:
    X = np.asarray(X, dtype=np.float64)
    return {"shape": list(X.shape), "mean": X.mean(axis=1).tolist(), "norm": np.linalg.norm(X, axis=1).tolist(),
            "head": X[:, :16].tolist()}


def check_reference(name: str, arrays: dict[str, np.ndarray], *, rtol: float = 1e-4, atol: float = 1e-5) -> None:
    """Compare ``arrays`` with the stored reference ``name``; write it when ``$COURSE_WRITE_REFERENCE`` is set."""
    path = FOLDER / f"{name}.json"
    found = {key: summary(X) for key, X in arrays.items()}
    if os.environ.get(WRITE_ENV):
        path.write_text(json.dumps(found, indent=1) + "\n", encoding="utf-8")
        pytest.fail(f"wrote {path}: check and commit it, then run again without ${WRITE_ENV}")
    assert path.is_file(), f"{path} is missing: run this test once with {WRITE_ENV}=1 and commit the file"
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert set(stored) == set(found)
    for key, expected in stored.items():
        assert found[key]["shape"] == expected["shape"], key
        for part in ("mean", "norm", "head"):
            np.testing.assert_allclose(found[key][part], expected[part], rtol=rtol, atol=atol, err_msg=f"{key} {part}")
