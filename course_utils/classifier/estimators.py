"""The two kinds of trained estimator a saved classifier can hold: a scikit-learn pipeline or a Keras model.

Each kind knows its file name in the archive, how to turn the estimator into bytes and back, the
library whose version must match on loading, and how to get class probabilities from it.

Used in: :mod:`course_utils.classifier.genre` and :mod:`course_utils.classifier.storage`.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Callable

import numpy as np

import course_utils.classifier.sklearn_format as sklearn_format
from course_utils.errors import ConfigError


def _proba_sklearn(estimator, X: np.ndarray, labels: list[str]) -> np.ndarray:
    proba = estimator.predict_proba(np.asarray(X, dtype=np.float64))
    order = [list(estimator.classes_).index(label) for label in labels]
    return proba[:, order]


def _fit_sklearn(estimator) -> dict:
    classes = [str(c) for c in getattr(estimator, "classes_", [])]
    return {"classes": classes, "n_outputs": len(classes), "n_features": getattr(estimator, "n_features_in_", None)}


def _dump_keras(estimator) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "estimator.keras"
        estimator.save(path)
        return path.read_bytes()


def _load_keras(data: bytes, *, max_bytes: int, trusted_types: frozenset[str] = frozenset()):
    import keras

    sklearn_format.check_unpacked_size(data, max_bytes=max_bytes)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "estimator.keras"
        path.write_bytes(data)
        try:   # safe mode: no Python code from the file (a Lambda layer), unless the caller trusts it
            return keras.saving.load_model(path, compile=False, safe_mode=KERAS_CODE not in trusted_types)
        except ValueError as err:
            if "safe_mode" in str(err):
                raise sklearn_format.UntrustedTypes([KERAS_CODE]) from None
            raise


KERAS_CODE = "Python code in a Keras layer (Lambda)"


def _proba_keras(estimator, X: np.ndarray, labels: list[str]) -> np.ndarray:
    proba = np.asarray(estimator.predict(np.asarray(X, dtype=np.float32), verbose=0), dtype=np.float64)
    if proba.ndim != 2 or proba.shape[1] != len(labels):
        raise ConfigError(f"the Keras model gives outputs of shape {proba.shape}; expected one probability "
                          f"per genre, shape (n, {len(labels)}), in the order {labels}")
    return proba


def _fit_keras(estimator) -> dict:
    return {"classes": None, "n_outputs": estimator.output_shape[-1], "n_features": estimator.input_shape[-1]}


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
        Estimator to bytes, and back (``load(data, *, max_bytes, trusted_types)``: nothing is unpickled).
    probabilities : callable
        ``(estimator, X (n, d), labels) -> (n, n_labels)`` in the order of ``labels``.
    fit_shape : callable
        ``estimator -> {"classes", "n_outputs", "n_features"}`` (``classes`` is None where the
        estimator does not name them), checked against a saved model's manifest.
    """

    kind: str
    file: str
    library: str
    same_version: int
    dump: Callable
    load: Callable
    probabilities: Callable
    fit_shape: Callable

    def version(self) -> str:
        """The installed version of :attr:`library`."""
        return metadata.version(self.library)

    def compatible(self, saved_version: str) -> bool:
        """Whether an estimator saved with ``saved_version`` of the library loads faithfully here."""
        parts = slice(0, self.same_version)
        return saved_version.split(".")[parts] == self.version().split(".")[parts]


KINDS = {kind.kind: kind for kind in (
    # scikit-learn does not promise that a fitted model's state means the same in another minor version.
    EstimatorKind("sklearn", "estimator.skops", "scikit-learn", 2, sklearn_format.dump, sklearn_format.load,
                  _proba_sklearn, _fit_sklearn),
    # The .keras format is read by every Keras 3.
    EstimatorKind("keras", "estimator.keras", "keras", 1, _dump_keras, _load_keras, _proba_keras, _fit_keras),
)}


def kind_of(estimator) -> EstimatorKind:
    """The :class:`EstimatorKind` of a fitted estimator, told by its package (nothing is imported)."""
    package = type(estimator).__module__.split(".")[0]
    if package not in KINDS:
        raise ConfigError(f"cannot save a {type(estimator).__name__} from {package!r}; a classifier holds a "
                          f"scikit-learn pipeline or a Keras model")
    return KINDS[package]
