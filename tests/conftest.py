"""Shared fixtures: a private data home per test, tiny audio files, and the real GTZAN sample."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def private_data_home(tmp_path_factory, monkeypatch):
    """Each test gets an empty data home, no GTZAN_DIR, no network and lenient exercise checks."""
    home = tmp_path_factory.mktemp("data_home")
    monkeypatch.setenv("COURSE_DATA_HOME", str(home))
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    monkeypatch.delenv("GTZAN_DIR", raising=False)
    monkeypatch.delenv("GTZAN_SPLITS_DIR", raising=False)
    monkeypatch.delenv("GTZAN_INDEX", raising=False)
    monkeypatch.delenv("COURSE_CHECKS_STRICT", raising=False)
    return home


REQUIRE_REAL_DATA_ENV = "COURSE_REQUIRE_REAL_DATA"


def require_shared_data(folder: Path = SHARED_DATA) -> Path:
    """``folder`` when it holds the real sample; otherwise skip, or fail when ``$COURSE_REQUIRE_REAL_DATA=1``
    (as ``.ci/run`` sets it, so that a green CI means the real-data tests ran)."""
    if not (folder / "gtzan-mini").is_dir():
        message = f"{folder} (../shared/data) is not available"
        if os.environ.get(REQUIRE_REAL_DATA_ENV, "").strip() == "1":
            pytest.fail(f"{message}, and ${REQUIRE_REAL_DATA_ENV}=1 requires the real-data tests to run")
        pytest.skip(message)
    return folder


@pytest.fixture
def shared_data() -> Path:
    """``../shared/data`` beside the project; the test is skipped when it is absent (failed with
    ``$COURSE_REQUIRE_REAL_DATA=1``)."""
    return require_shared_data()


def tone(seconds: float, *, sr: int = 22050, freq: float = 440.0, channels: int = 1) -> np.ndarray:
    """A sine at ``freq`` Hz and amplitude 0.5; shape (n,) or (n, channels) as soundfile writes it."""
    t = np.arange(int(round(seconds * sr))) / sr
    y = 0.5 * np.sin(2 * np.pi * freq * t)
    return y if channels == 1 else np.stack([y * (c + 1) / channels for c in range(channels)], axis=1)


def write_tone(path: Path, seconds: float = 2.0, *, sr: int = 22050, freq: float = 440.0,
               channels: int = 1, format: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, tone(seconds, sr=sr, freq=freq, channels=channels), sr, format=format, subtype="PCM_16")
    return path


def make_collection(root: Path, labels=("blues", "rock"), per_label: int = 4, *, seconds: float = 2.0,
                    suffix: str = ".wav", sr: int = 22050) -> Path:
    """A folder ``root/<label>/<label>.000NN<suffix>`` of short tones, a different pitch per label."""
    for i, label in enumerate(labels):
        for k in range(per_label):
            write_tone(root / label / f"{label}.{k:05d}{suffix}", seconds, sr=sr, freq=220.0 * (i + 1) + 5 * k)
    return root
