"""How sure are we? Bootstrap intervals over test tracks, and paired comparisons of two models.

A test set of a few hundred tracks gives each accuracy an uncertainty of several points, so two
models whose accuracies differ by less than that may not differ at all. Both tools here resample
or count *tracks*, the unit the split is made of:

- :func:`bootstrap_scores`: 95 % intervals of accuracy and macro F1, from resampling the test
  tracks with replacement (Efron's percentile bootstrap).
- :func:`paired_comparison`: two models on the same test tracks; McNemar's exact test on the
  tracks that only one of them gets right, and a paired bootstrap interval of the difference.
- :func:`paired_table`: one reference against several models, with Holm-corrected p-values.
- :func:`holm`: Holm's step-down correction of several p-values, for when one run makes several
  tests (chapter 12 compares the best model with every other one).

Used in: book/08_cnn.ipynb to book/12_comparison.ipynb.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from course_utils.errors import ConfigError

N_BOOT = 2000


def _check_level(level: float) -> float:
    if not 0 < level < 1:
        raise ConfigError(f"level must be between 0 and 1, got {level!r}")
    return float(level)


def _pairs(y_true, y_pred, labels: Sequence[str]) -> tuple[np.ndarray, int]:
    """Each track's (true, predicted) pair as one index into a flattened confusion matrix."""
    labels = list(labels)
    index = {label: i for i, label in enumerate(labels)}
    y_true, y_pred = np.asarray(y_true, dtype=object), np.asarray(y_pred, dtype=object)
    if y_true.ndim != 1 or y_true.shape != y_pred.shape or y_true.size == 0:
        raise ConfigError(f"y_true and y_pred must be non-empty, 1-D and of equal length, got shapes "
                          f"{y_true.shape} and {y_pred.shape}")
    unknown = (set(y_true) | set(y_pred)) - set(labels)
    if unknown:
        raise ConfigError(f"labels {sorted(map(str, unknown))} occur in y_true or y_pred but not in labels={labels}")
    k = len(labels)
    return np.array([index[t] * k + index[p] for t, p in zip(y_true, y_pred)]), k


def _weights(n: int, n_boot: int, seed: int) -> np.ndarray:
    """How often each of ``n`` tracks is drawn in each of ``n_boot`` resamples: shape (n_boot, n)."""
    if not isinstance(n_boot, (int, np.integer)) or n_boot < 100:
        raise ConfigError(f"n_boot must be a whole number of at least 100 resamples, got {n_boot!r}")
    return np.random.default_rng(seed).multinomial(n, np.full(n, 1.0 / n), size=n_boot)


def _accuracy_and_macro_f1(confusions: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Accuracy and macro F1 of each flattened confusion matrix (rows of ``confusions``).

    Macro F1 averages over the labels that have tracks in that matrix: a label a resample happens to
    leave out has no F1 (counting it as 0 would drag every resample below the full test set's score).
    """
    c = confusions.reshape(len(confusions), k, k)
    tp = np.diagonal(c, axis1=1, axis2=2)
    total = c.sum(axis=(1, 2))
    support = c.sum(axis=2)
    denominator = support + c.sum(axis=1)  # 2 TP + FN + FP
    f1 = np.divide(2 * tp, denominator, out=np.zeros_like(tp, dtype=float), where=denominator > 0)
    present = support > 0
    return tp.sum(axis=1) / total, (f1 * present).sum(axis=1) / present.sum(axis=1)


def bootstrap_scores(y_true, y_pred, *, labels: Sequence[str], level: float = 0.95, n_boot: int = N_BOOT,
                     seed: int = 0) -> pd.DataFrame:
    """Accuracy and macro F1 with percentile-bootstrap intervals over the test tracks.

    Parameters
    ----------
    y_true, y_pred : array-like of str, shape (n_tracks,)
        One true and one predicted label per test track.
    labels : sequence of str
        Every label of the task. Macro F1 averages over those with test tracks (all of them on a
        split that tests every genre, where it equals :func:`score`'s).
    level : float
        Coverage of the intervals.
    n_boot : int
        Resamples (2000 give interval ends stable to about 0.005).
    seed : int
        Seed of the resampling, so that the numbers are reproducible.

    Returns
    -------
    pd.DataFrame
        Index ``accuracy, macro_f1``; columns ``estimate, low, high``.
    """
    level = _check_level(level)
    pairs, k = _pairs(y_true, y_pred, labels)
    one_hot = np.zeros((len(pairs), k * k))
    one_hot[np.arange(len(pairs)), pairs] = 1.0
    estimate = _accuracy_and_macro_f1(one_hot.sum(axis=0, keepdims=True), k)
    resampled = _accuracy_and_macro_f1(_weights(len(pairs), n_boot, seed) @ one_hot, k)
    tails = [100 * (1 - level) / 2, 100 * (1 + level) / 2]
    rows = {name: [float(point[0]), *np.percentile(values, tails)]
            for name, point, values in zip(("accuracy", "macro_f1"), estimate, resampled)}
    return pd.DataFrame.from_dict(rows, orient="index", columns=["estimate", "low", "high"])


@dataclass(frozen=True)
class PairedComparison:
    """Two models on the same test tracks.

    Attributes
    ----------
    n : int
        Test tracks both models predicted.
    only_a, only_b : int
        Tracks that only model A (only model B) gets right: the discordant pairs McNemar's test counts.
    difference : float
        Accuracy of A minus accuracy of B.
    low, high : float
        Paired-bootstrap interval of ``difference``.
    p_value : float
        Two-sided exact McNemar test (binomial on the discordant pairs): the chance of a split of
        discordant tracks at least this uneven if both models were equally accurate.
    """

    n: int
    only_a: int
    only_b: int
    difference: float
    low: float
    high: float
    p_value: float


def paired_comparison(a: pd.DataFrame, b: pd.DataFrame, *, level: float = 0.95, n_boot: int = N_BOOT,
                      seed: int = 0) -> PairedComparison:
    """Compare two models' predictions track by track.

    Parameters
    ----------
    a, b : pd.DataFrame
        Each with columns ``track_id, label, predicted`` (one row per test track, as recorded in
        the results registry). Both must cover the same tracks.
    level, n_boot, seed
        As in :func:`bootstrap_scores`.
    """
    level = _check_level(level)
    columns = {"track_id", "label", "predicted"}
    for name, table in (("a", a), ("b", b)):
        if not isinstance(table, pd.DataFrame) or columns - set(table.columns):
            raise ConfigError(f"{name} must be a DataFrame with columns {sorted(columns)}")
        if table["track_id"].duplicated().any():
            raise ConfigError(f"{name} holds a track more than once; expected one row per test track")
    if set(a["track_id"]) != set(b["track_id"]):
        raise ConfigError(f"a and b must cover the same test tracks; {len(set(a['track_id']) ^ set(b['track_id']))} "
                          "tracks are in only one of them (were both trained on the same split?)")
    joined = a.merge(b, on="track_id", suffixes=("_a", "_b"))
    if (joined["label_a"] != joined["label_b"]).any():
        raise ConfigError("a and b disagree on the true label of some tracks")
    right_a = (joined["predicted_a"] == joined["label_a"]).to_numpy()
    right_b = (joined["predicted_b"] == joined["label_b"]).to_numpy()
    only_a, only_b = int(np.sum(right_a & ~right_b)), int(np.sum(right_b & ~right_a))
    discordant = only_a + only_b
    p_value = 1.0 if discordant == 0 else float(stats.binomtest(only_a, discordant, 0.5).pvalue)
    gain = right_a.astype(float) - right_b.astype(float)
    resampled = _weights(len(gain), n_boot, seed) @ gain / len(gain)
    low, high = np.percentile(resampled, [100 * (1 - level) / 2, 100 * (1 + level) / 2])
    return PairedComparison(n=len(gain), only_a=only_a, only_b=only_b, difference=float(gain.mean()),
                            low=float(low), high=float(high), p_value=p_value)


def holm(p_values: Sequence[float]) -> np.ndarray:
    """Holm's step-down adjustment of ``m`` p-values (Holm 1979).

    The smallest p-value is multiplied by ``m``, the next by ``m - 1``, and so on, each kept at least
    as large as the one before and at most 1. Rejecting where the adjusted value is below ``alpha``
    keeps the chance of *any* false "the models differ" at ``alpha`` or less over all ``m`` tests.

    Parameters
    ----------
    p_values : sequence of float, shape (m,)
        Each between 0 and 1.

    Returns
    -------
    np.ndarray, shape (m,)
        The adjusted p-values, in the order given.
    """
    p = np.asarray(p_values, dtype=float)
    if p.ndim != 1 or ((p < 0) | (p > 1) | np.isnan(p)).any():
        raise ConfigError(f"p_values must be a 1-D sequence of numbers between 0 and 1, got {p_values!r}")
    order = np.argsort(p, kind="stable")
    m = len(p)
    stepped = np.maximum.accumulate((m - np.arange(m)) * p[order])
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(stepped, 1.0)
    return adjusted


def paired_table(predictions: Mapping[str, pd.DataFrame], *, reference: str, level: float = 0.95,
                 n_boot: int = N_BOOT, seed: int = 0) -> pd.DataFrame:
    """``reference`` against every other model of ``predictions``, on the same test tracks.

    Parameters
    ----------
    predictions : mapping of str to pd.DataFrame
        Each model's test-track predictions (``track_id, label, predicted``), by name.
    reference : str
        One of the names.
    level, n_boot, seed
        As in :func:`paired_comparison`.

    Returns
    -------
    pd.DataFrame
        One row per other model: ``model, n, difference`` (reference minus model), ``low, high,
        only_reference, only_model, p_value`` (McNemar) and ``p_holm`` (Holm-corrected over the rows).
    """
    if reference not in predictions:
        raise ConfigError(f"reference must be one of {sorted(predictions)}, got {reference!r}")
    rows = []
    for name, tracks in predictions.items():
        if name == reference:
            continue
        result = paired_comparison(predictions[reference], tracks, level=level, n_boot=n_boot, seed=seed)
        rows.append({"model": name, "n": result.n, "difference": result.difference, "low": result.low,
                     "high": result.high, "only_reference": result.only_a, "only_model": result.only_b,
                     "p_value": result.p_value})
    table = pd.DataFrame(rows, columns=["model", "n", "difference", "low", "high", "only_reference", "only_model",
                                        "p_value"])
    table["p_holm"] = holm(table["p_value"].to_numpy()) if rows else pd.Series(dtype=float)
    return table
