"""The two kinds of trained estimator a saved classifier can hold: a scikit-learn pipeline or a Keras model.

Each kind knows its file name in the archive, how to turn the estimator into bytes and back, the
library whose version must match on loading, and how to get class probabilities from it.

Used in: :mod:`course_utils.classifier.genre` and :mod:`course_utils.classifier.storage`.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Callable

import numpy as np

from course_utils.errors import ConfigError


def _dump_sklearn(estimator) -> bytes:
    import joblib

    buffer = io.BytesIO()
    joblib.dump(estimator, buffer)
    return buffer.getvalue()


def _load_sklearn(data: bytes):
    import joblib

    return joblib.load(io.BytesIO(data))


def _proba_sklearn(estimator, X: np.ndarray, labels: list[str]) -> np.ndarray:
    proba = estimator.predict_proba(np.asarray(X, dtype=np.float64))
    order = [list(estimator.classes_).index(label) for label in labels]
    return proba[:, order]


def _dump_keras(estimator) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "estimator.keras"
        estimator.save(path)
        return path.read_bytes()


def _load_keras(data: bytes):
    import keras

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "estimator.keras"
        path.write_bytes(data)
        return keras.saving.load_model(path)


def _proba_keras(estimator, X: np.ndarray, labels: list[str]) -> np.ndarray:
    proba = np.asarray(estimator.predict(np.asarray(X, dtype=np.float32), verbose=0), dtype=np.float64)
    if proba.ndim != 2 or proba.shape[1] != len(labels):
        raise ConfigError(f"the Keras model gives outputs of shape {proba.shape}; expected one probability "
                          f"per genre, shape (n, {len(labels)}), in the order {labels}")
    return proba


@dataclass(frozen=True)
class EstimatorKind:
    """How one kind of estimator is stored and used.

    Attributes
    ----------
    kind : str
        ``"sklearn"`` or ``"keras"``.
    file : str
        Its file name inside a saved classifier.
    library : str
        The distribution whose version is recorded, and checked on loading.
    same_version : int
        How many leading parts of the library version must match (2: major and minor).
    dump, load : callable
        Estimator to bytes, and back.
    probabilities : callable
        ``(estimator, X (n, d), labels) -> (n, n_labels)`` in the order of ``labels``.
    """

    kind: str
    file: str
    library: str
    same_version: int
    dump: Callable
    load: Callable
    probabilities: Callable

    def version(self) -> str:
        """The installed version of :attr:`library`."""
        return metadata.version(self.library)

    def compatible(self, saved_version: str) -> bool:
        """Whether an estimator saved with ``saved_version`` of the library loads faithfully here."""
        parts = slice(0, self.same_version)
        return saved_version.split(".")[parts] == self.version().split(".")[parts]


KINDS = {kind.kind: kind for kind in (
    # scikit-learn does not promise that a pickled model works in another minor version.
    EstimatorKind("sklearn", "estimator.joblib", "scikit-learn", 2, _dump_sklearn, _load_sklearn, _proba_sklearn),
    # The .keras format is read by every Keras 3.
    EstimatorKind("keras", "estimator.keras", "keras", 1, _dump_keras, _load_keras, _proba_keras),
)}


def kind_of(estimator) -> EstimatorKind:
    """The :class:`EstimatorKind` of a fitted estimator, told by its package (nothing is imported)."""
    package = type(estimator).__module__.split(".")[0]
    if package not in KINDS:
        raise ConfigError(f"cannot save a {type(estimator).__name__} from {package!r}; a classifier holds a "
                          f"scikit-learn pipeline or a Keras model")
    return KINDS[package]
