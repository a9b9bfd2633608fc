"""Where the course keeps its data, which profile it runs in, and how runs are seeded.

Used in: every chapter (first cell: :func:`summary`; last cell: :func:`execution_line`).
"""

from __future__ import annotations

import os
import platform
import random
import sys
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import numpy as np
import platformdirs

from course_utils.errors import ConfigError

PROFILE_ENV = "COURSE_PROFILE"
DATA_HOME_ENV = "COURSE_DATA_HOME"
OFFLINE_ENV = "COURSE_OFFLINE"
DEFAULT_SEED = 42


def offline() -> bool:
    """Whether ``$COURSE_OFFLINE`` forbids downloads (``1``, ``true`` or ``yes``)."""
    return os.environ.get(OFFLINE_ENV, "").strip().lower() in ("1", "true", "yes")


@dataclass(frozen=True)
class Profile:
    """Every number that differs between a quick run (CI, tests) and a full run (learners).

    Attributes
    ----------
    name : str
        ``"quick"`` or ``"full"``.
    tracks_per_genre : int or None
        How many tracks of each genre a chapter uses from a real data set (``None``: all).
    synthetic_per_genre : int
        Tracks per genre in the generated synthetic data set.
    synthetic_seconds : float
        Length of each synthetic clip in seconds.
    epochs : int
        Training epochs of neural models.
    batch_size : int
        Mini-batch size of neural models.
    image_size : int
        Side in pixels of spectrogram images fed to image models.
    cv_folds : int
        Folds of cross-validation in model selection.
    """

    name: str
    tracks_per_genre: int | None
    synthetic_per_genre: int
    synthetic_seconds: float
    epochs: int
    batch_size: int
    image_size: int
    cv_folds: int


PROFILES: dict[str, Profile] = {
    "quick": Profile("quick", tracks_per_genre=5, synthetic_per_genre=6, synthetic_seconds=10.0,
                     epochs=2, batch_size=16, image_size=64, cv_folds=3),
    "full": Profile("full", tracks_per_genre=None, synthetic_per_genre=50, synthetic_seconds=30.0,
                    epochs=30, batch_size=32, image_size=224, cv_folds=5),
}


def get_profile(name: str | None = None) -> Profile:
    """Return the profile named by ``name``, else by ``$COURSE_PROFILE``, else ``full``.

    Raises
    ------
    ConfigError
        If the name is not one of :data:`PROFILES`.
    """
    chosen = name if name is not None else os.environ.get(PROFILE_ENV, "full")
    try:
        return PROFILES[chosen.strip().lower()]
    except KeyError:
        origin = "profile" if name is not None else f"${PROFILE_ENV}"
        raise ConfigError(
            f"{origin}={chosen!r} is not a profile; expected one of {sorted(PROFILES)}"
        ) from None


def data_home() -> Path:
    """Folder for downloads, generated data and caches: ``$COURSE_DATA_HOME`` or the user cache.

    The folder is created when missing.
    """
    configured = os.environ.get(DATA_HOME_ENV)
    home = Path(configured).expanduser() if configured else platformdirs.user_cache_path("genre-course")
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ConfigError(
            f"cannot create the data home {home} ({err.strerror}); set ${DATA_HOME_ENV} to a writable folder"
        ) from err
    return home


def set_seed(seed: int = DEFAULT_SEED, *, tensorflow: bool | None = None) -> int:
    """Seed Python's ``random``, NumPy's global generator and, optionally, TensorFlow.

    Parameters
    ----------
    seed : int
        The seed.
    tensorflow : bool or None
        Seed TensorFlow (and Keras) too. ``None`` seeds it only when it is already imported,
        so chapters without neural networks do not pay for importing it.

    Returns
    -------
    int
        The seed, so that a chapter can record it with its results.
    """
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ConfigError(f"seed must be a non-negative integer, got {seed!r}")
    random.seed(seed)
    np.random.seed(seed)
    if tensorflow or (tensorflow is None and "tensorflow" in sys.modules):
        import tensorflow as tf

        tf.keras.utils.set_random_seed(seed)
    return int(seed)


SUMMARY_PACKAGES = ("numpy", "librosa", "scikit-learn", "tensorflow", "course-utils")


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


_RUN: dict = {}  # what the last summary() call reported, and when: execution_line() reads it
NVIDIA_GPUS = Path("/proc/driver/nvidia/gpus")  # one folder per GPU when NVIDIA's driver is loaded (Linux)


def gpu_note() -> str | None:
    """A line for :func:`summary` when a GPU is at hand, else ``None``.

    With TensorFlow already imported it names the GPUs TensorFlow sees; otherwise (so that a chapter
    without neural networks does not import TensorFlow) it reports an NVIDIA driver's GPUs, which
    TensorFlow uses without any change when its CUDA build is installed.
    """
    if "tensorflow" in sys.modules:
        gpus = sys.modules["tensorflow"].config.list_physical_devices("GPU")
        return (f"gpu       : TensorFlow uses {len(gpus)} GPU(s): {', '.join(g.name for g in gpus)}"
                if gpus else None)
    found = sorted(NVIDIA_GPUS.iterdir()) if NVIDIA_GPUS.is_dir() else []
    return (f"gpu       : {len(found)} NVIDIA GPU(s) found; check that TensorFlow sees them with "
            "tf.config.list_physical_devices('GPU')" if found else None)


def summary(dataset=None, *, profile: Profile | None = None) -> str:
    """One block of text that each chapter prints first: profile, data set, library versions.

    It also starts the clock that :func:`execution_line` reads in the chapter's last cell.

    Parameters
    ----------
    dataset : course_utils.data.Dataset, optional
        The data set the chapter works on.
    profile : Profile, optional
        Defaults to :func:`get_profile`.
    """
    profile = profile or get_profile()
    _RUN.update(started=time.monotonic(), profile=profile.name,
                dataset=None if dataset is None else f"{dataset.name} ({len(dataset)} tracks)")
    settings = ", ".join(f"{k}={v}" for k, v in asdict(profile).items() if k != "name")
    lines = [f"profile   : {profile.name} ({settings})"]
    if dataset is not None:
        lines.append(f"data set  : {dataset.describe()}")
    versions = ", ".join(f"{p} {_version(p)}" for p in SUMMARY_PACKAGES)
    lines.append(f"python    : {platform.python_version()}; {versions}")
    gpu = gpu_note()
    return "\n".join([*lines, gpu] if gpu else lines)


def execution_line() -> str:
    """The line each chapter prints last: data set, profile and how long the chapter took to run.

    The time runs from the chapter's :func:`summary` call (its first cell) to this call.

    Raises
    ------
    ConfigError
        If :func:`summary` was not called first in this kernel.
    """
    if not _RUN:
        raise ConfigError("execution_line() reports on a run that summary() started: "
                          "print summary(...) in the chapter's first cell")
    minutes, seconds = divmod(round(time.monotonic() - _RUN["started"]), 60)
    took = f"{minutes} min {seconds} s" if minutes else f"{seconds} s"
    on = f"on {_RUN['dataset']}" if _RUN["dataset"] else "without a data set"
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"Executed {on} in the {_RUN['profile']} profile in {took} ({when})."
