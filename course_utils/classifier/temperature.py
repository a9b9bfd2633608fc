"""Temperature scaling: one number that makes a classifier's probabilities mean what they say.

A clip's probabilities ``p`` become ``softmax(log(p) / T)``: ``T > 1`` flattens overconfident
probabilities, ``T < 1`` sharpens timid ones, ``T = 1`` leaves them. The order of the genres in a
row, hence the predicted genre, never changes. ``T`` is chosen to minimise the log loss of
out-of-fold predictions (:func:`choose_temperature`), those of the artist-grouped cross-validation
that chooses a recipe's regularization (:func:`course_utils.classifier.recipes.grouped_search`).

Used in: :mod:`course_utils.classifier.recipes`, :mod:`course_utils.classifier.genre`,
``benchmarks/bench_generalization.py``.
"""

from __future__ import annotations

import numpy as np

TEMPERATURE_RANGE = (0.05, 50.0)   # the temperatures searched; outside them a model is broken, not miscalibrated
_TINY = np.finfo(float).tiny       # the floor of a probability before its log (a genre never seen is 0)


def temper(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """``softmax(log(probabilities) / temperature)`` row by row: same argmax, rows summing to 1.

    Parameters
    ----------
    probabilities : np.ndarray, shape (n, n_labels) or (n_labels,)
    temperature : float
        Positive; 1 returns the probabilities as they are.
    """
    probabilities = np.asarray(probabilities, dtype=float)
    if temperature == 1.0:
        return probabilities
    scores = np.log(np.maximum(probabilities, _TINY)) / temperature
    scores -= scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores)
    return weights / weights.sum(axis=-1, keepdims=True)


def log_loss(probabilities: np.ndarray, truth: np.ndarray) -> float:
    """Mean ``-log`` of the probability given to the true column ``truth`` (an index per row)."""
    return float(-np.mean(np.log(np.maximum(probabilities[np.arange(len(truth)), truth], _TINY))))


def choose_temperature(probabilities: np.ndarray, truth: np.ndarray) -> float:
    """The temperature that minimises the log loss of :func:`temper` ``(probabilities)`` against ``truth``.

    Parameters
    ----------
    probabilities : np.ndarray, shape (n, n_labels)
        Out-of-fold probabilities (of data the model did not train on).
    truth : np.ndarray, shape (n,)
        The column of each row's true genre.

    Returns
    -------
    float
        In :data:`TEMPERATURE_RANGE`; 1.0 when there are no rows.
    """
    from scipy.optimize import minimize_scalar

    if len(truth) == 0:
        return 1.0
    low, high = np.log(TEMPERATURE_RANGE)
    best = minimize_scalar(lambda log_t: log_loss(temper(probabilities, float(np.exp(log_t))), truth),
                           bounds=(low, high), method="bounded", options={"xatol": 1e-4})
    return float(np.exp(best.x))
