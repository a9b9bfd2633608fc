"""Scores of a classifier: accuracy, precision, recall, F1 per class and overall, confusion matrix.

Used in: book/06_evaluation_and_splits.ipynb, book/07_classical_ml.ipynb and every chapter that
trains a model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats
from sklearn import metrics

from course_utils.errors import ConfigError

REPORT_COLUMNS = ["precision", "recall", "f1", "support"]


def _as_labels(y_true, y_pred, labels: Sequence[str] | None) -> tuple[np.ndarray, np.ndarray, list]:
    y_true, y_pred = np.asarray(y_true, dtype=object), np.asarray(y_pred, dtype=object)
    if y_true.ndim != 1 or y_true.shape != y_pred.shape:
        raise ConfigError(f"y_true and y_pred must be 1-D and of equal length, got shapes {y_true.shape} "
                          f"and {y_pred.shape}")
    if y_true.size == 0:
        raise ConfigError("cannot score an empty set of predictions")
    labels = sorted(set(y_true) | set(y_pred)) if labels is None else list(labels)
    unknown = (set(y_true) | set(y_pred)) - set(labels)
    if unknown:
        raise ConfigError(f"labels {sorted(map(str, unknown))} occur in y_true or y_pred but not in labels={labels}")
    return y_true, y_pred, labels


def confusion_matrix(y_true, y_pred, *, labels: Sequence[str] | None = None,
                     normalize: str | None = None) -> pd.DataFrame:
    """Counts of (true label, predicted label) pairs.

    Parameters
    ----------
    y_true, y_pred : array-like, shape (n,)
        True and predicted labels.
    labels : sequence of str, optional
        Row and column order (default: the sorted labels that occur).
    normalize : {None, "true", "pred", "all"}
        ``"true"`` divides each row by its count, so the diagonal is each genre's recall.

    Returns
    -------
    pd.DataFrame, shape (n_labels, n_labels)
        Rows: true label (index name ``"true"``); columns: predicted label (``"predicted"``).
    """
    if normalize not in (None, "true", "pred", "all"):
        raise ConfigError(f"normalize must be None, 'true', 'pred' or 'all', got {normalize!r}")
    y_true, y_pred, labels = _as_labels(y_true, y_pred, labels)
    counts = metrics.confusion_matrix(y_true, y_pred, labels=labels).astype(float)
    if normalize == "true":
        counts /= np.maximum(counts.sum(axis=1, keepdims=True), 1)
    elif normalize == "pred":
        counts /= np.maximum(counts.sum(axis=0, keepdims=True), 1)
    elif normalize == "all":
        counts /= counts.sum()
    frame = pd.DataFrame(counts if normalize else counts.astype(int), index=labels, columns=labels)
    frame.index.name, frame.columns.name = "true", "predicted"
    return frame


def classification_report(y_true, y_pred, *, labels: Sequence[str] | None = None) -> pd.DataFrame:
    """Precision, recall, F1 and support of each label, then their macro and weighted averages.

    A label that is never predicted gets precision 0 (not a warning). The averages are over the
    labels present in ``y_true``: a label of the task that the scored data lacks (support 0) has
    a row of its own but no F1 to average, so a folder of 3 genres scored by a 10-genre model is
    not pulled down by the 7 genres it does not hold (predictions of those genres still count
    against the recall of the true ones).

    Returns
    -------
    pd.DataFrame
        Index: the labels, then ``"macro avg"`` and ``"weighted avg"``; columns:
        ``precision, recall, f1, support``.
    """
    y_true, y_pred, labels = _as_labels(y_true, y_pred, labels)
    p, r, f, s = metrics.precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    report = pd.DataFrame({"precision": p, "recall": r, "f1": f, "support": s}, index=pd.Index(labels, name="label"))
    weights = s / max(s.sum(), 1)
    present = s > 0
    report.loc["macro avg"] = [p[present].mean(), r[present].mean(), f[present].mean(), s.sum()]
    report.loc["weighted avg"] = [(p * weights).sum(), (r * weights).sum(), (f * weights).sum(), s.sum()]
    return report.astype({"support": int})


def accuracy_interval(correct: int, n: int, *, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of an accuracy of ``correct`` out of ``n``.

    Where the accuracy on unseen items plausibly lies: 7 right out of 10 gives about (0.40, 0.89),
    700 out of 1000 about (0.67, 0.73).
    """
    if not 0 < level < 1:
        raise ConfigError(f"level must be between 0 and 1, got {level!r}")
    if not 0 <= correct <= n or n < 1:
        raise ConfigError(f"need 0 <= correct <= n and n >= 1, got correct={correct}, n={n}")
    z = float(stats.norm.ppf(0.5 + level / 2))
    p = correct / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))


@dataclass(frozen=True)
class Scores:
    """Every score of one set of predictions (usually one per test track).

    Attributes
    ----------
    accuracy, macro_f1, weighted_f1 : float
    report : pd.DataFrame
        :func:`classification_report`.
    confusion : pd.DataFrame
        :func:`confusion_matrix` as counts.
    """

    accuracy: float
    macro_f1: float
    weighted_f1: float
    report: pd.DataFrame
    confusion: pd.DataFrame

    @property
    def labels(self) -> list[str]:
        return list(self.confusion.index)

    @property
    def per_class_f1(self) -> pd.Series:
        """F1 of each label, in label order."""
        return self.report.loc[self.labels, "f1"]

    @property
    def n(self) -> int:
        """How many predictions were scored."""
        return int(self.confusion.to_numpy().sum())

    def interval(self, level: float = 0.95) -> tuple[float, float]:
        """:func:`accuracy_interval` of this accuracy."""
        return accuracy_interval(round(self.accuracy * self.n), self.n, level=level)

    def __str__(self) -> str:
        low, high = self.interval()
        return (f"accuracy {self.accuracy:.3f} (95% interval {low:.2f}-{high:.2f}), "
                f"macro F1 {self.macro_f1:.3f} on {self.n} items")


def score(y_true, y_pred, *, labels: Sequence[str] | None = None) -> Scores:
    """Accuracy, macro and weighted F1, the per-label report and the confusion matrix.

    Parameters
    ----------
    y_true, y_pred : array-like, shape (n,)
    labels : sequence of str, optional
        All labels of the task, so that a label absent from the test set still gets a row.
    """
    y_true, y_pred, labels = _as_labels(y_true, y_pred, labels)
    report = classification_report(y_true, y_pred, labels=labels)
    return Scores(
        accuracy=float(np.mean(y_true == y_pred)),
        macro_f1=float(report.loc["macro avg", "f1"]),
        weighted_f1=float(report.loc["weighted avg", "f1"]),
        report=report,
        confusion=confusion_matrix(y_true, y_pred, labels=labels),
    )
