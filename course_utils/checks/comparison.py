"""Checks for the exercises of chapter 12 (every model on one protocol).

Used in: solutions/12_comparison_exercises.ipynb
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from course_utils.checks import check, reject
from course_utils.evaluate import accuracy_interval

LEVEL_TAILS = (2.5, 97.5)


def _reference_interval(correct: np.ndarray, tails=LEVEL_TAILS, n_boot: int = 20000) -> np.ndarray:
    """Percentile-bootstrap interval of the mean of ``correct``, with many resamples (little Monte-Carlo noise)."""
    rng = np.random.default_rng(12345)
    means = rng.binomial(len(correct), correct.mean(), size=n_boot) / len(correct)
    return np.percentile(means, tails)


def _pair(value, what: str) -> tuple[float, float]:
    if isinstance(value, str) or np.ndim(value) != 1 or len(value) != 2:
        reject(f"{what} should return a pair (low, high), got {value!r}")
    try:
        return float(value[0]), float(value[1])
    except (TypeError, ValueError):
        reject(f"{what} should return two numbers, got {value!r}")


def _wald(correct: np.ndarray) -> np.ndarray:
    p, n = correct.mean(), len(correct)
    return p + np.array([-1.0, 1.0]) * 1.959964 * np.sqrt(p * (1 - p) / n)


@check("12.1")
def check_bootstrap_accuracy(bootstrap_accuracy) -> str:
    """``bootstrap_accuracy(correct, n_boot=, seed=)`` is the 95 % percentile-bootstrap interval of the accuracy."""
    # (tracks, right ones, tolerance): one step of the accuracy grid plus Monte-Carlo noise, except for 18 of
    # 20, whose percentiles sit on (0.75, 1.0) for any honest draw of 4000 resamples
    for n, right, tolerance in ((40, 28, 1.01 / 40 + 0.002), (20, 18, 1e-6), (200, 150, 1.01 / 200 + 0.002),
                                (1000, 700, 1.01 / 1000 + 0.002), (25, 25, 1e-6)):
        correct = np.zeros(n, dtype=bool)
        correct[:right] = True
        correct = np.random.default_rng(n).permutation(correct)
        low, high = _pair(bootstrap_accuracy(correct.copy(), n_boot=4000, seed=0), "bootstrap_accuracy")
        accuracy = right / n
        expected = _reference_interval(correct)
        where = f"for {right} right out of {n} tracks (accuracy {accuracy:.3f}) you gave ({low:.3f}, {high:.3f})"
        if max(low, high) > 1.5:
            reject(f"{where}: give accuracies as fractions between 0 and 1, not percentages")
        if low > high:
            reject(f"{where}: the lower end comes first")
        if np.allclose([low, high], expected, atol=tolerance):
            continue
        if np.allclose([low, high], _wald(correct), atol=2e-3):
            reject(f"{where}: that is the normal-approximation (Wald) interval, accuracy ± 1.96 standard errors, "
                   f"which can even pass 1; the exercise asks for the percentile bootstrap, here about "
                   f"({expected[0]:.3f}, {expected[1]:.3f}): resample the tracks and take percentiles")
        if np.allclose([low, high], accuracy_interval(right, n), atol=2e-3):
            reject(f"{where}: that is the Wilson interval (evaluate.accuracy_interval); the exercise asks for the "
                   "percentile bootstrap: resample the tracks n_boot times and take percentiles 2.5 and 97.5")
        if high > 1.0 + 1e-9:
            reject(f"{where}: an accuracy cannot pass 1, and neither can a percentile of resampled accuracies")
        if np.isclose(low, high) and 0 < right < n:
            reject(f"{where}: every resample gives the same accuracy, so the tracks were not drawn with "
                   "replacement. Draw n indices with rng.integers(0, n, size=n) (or rng.choice(n, n)), "
                   "so that some tracks come twice and others not at all")
        if np.allclose([low, high], _reference_interval(correct, (5, 95)), atol=tolerance):
            reject(f"{where}: that is a 90 % interval (percentiles 5 and 95); a 95 % interval cuts 2.5 % "
                   "off each end: percentiles 2.5 and 97.5")
        if not low <= accuracy <= high:
            reject(f"{where}: the interval should contain the accuracy itself")
        reject(f"{where}, expected about ({expected[0]:.3f}, {expected[1]:.3f}): resample the n tracks with "
               "replacement n_boot times, take each resample's accuracy, then percentiles 2.5 and 97.5")
    correct = np.random.default_rng(7).random(1000) < 0.7
    runs = [_pair(bootstrap_accuracy(correct.copy(), n_boot=500, seed=seed), "bootstrap_accuracy")
            for seed in (0, 0, 1, 2)]
    if runs[0] != runs[1]:
        reject(f"two calls with seed=0 gave {runs[0]} and {runs[1]}: draw every resample from "
               "rng = np.random.default_rng(seed), not from np.random's global generator, so that a result "
               "can be reproduced")
    if runs[0] == runs[2] == runs[3]:
        reject(f"seeds 0, 1 and 2 all gave {runs[0]}: your function ignores its seed argument; make the "
               "generator with np.random.default_rng(seed)")
    one = _pair(bootstrap_accuracy(correct.copy(), n_boot=1, seed=0), "bootstrap_accuracy")
    if one[0] != one[1]:
        reject(f"with n_boot=1 there is one resample, hence one accuracy and low == high, but you gave {one}: "
               "draw exactly n_boot resamples")
    return ("The interval narrows as the test set grows, about as 1/sqrt(n); with every track right it "
            "collapses to (1, 1), which says more about the bootstrap than about the model.")


def _predictions(truth, predicted, ids) -> pd.DataFrame:
    return pd.DataFrame({"track_id": ids, "label": truth, "predicted": predicted})


@check("12.2")
def check_discordant(discordant) -> str:
    """``discordant(a, b)`` counts the test tracks only model A gets right and those only model B gets right."""
    truth = ["blues", "jazz", "rock", "rock", "jazz", "blues", "pop", "pop"]
    a = ["blues", "jazz", "pop", "rock", "rock", "jazz", "pop", "blues"]   # right: 0, 1, 3, 6
    b = ["blues", "rock", "rock", "pop", "blues", "jazz", "pop", "rock"]   # right: 0, 2, 6
    ids = [f"t{i}" for i in range(len(truth))]
    first, second = _predictions(truth, a, ids), _predictions(truth, b, ids).iloc[::-1].reset_index(drop=True)
    value = discordant(first.copy(), second.copy())
    got = _pair(value, "discordant")
    expected = (2, 1)  # tracks 1 and 3 only A; track 2 only B
    if got == expected:
        return ("Tracks both models get right (0 and 6) or both get wrong (4, 5 and 7) say nothing about which "
                "is better; McNemar's test looks only at the 2 + 1 others.")
    by_position = tuple(int(np.sum(x)) for x in _split_right(first, second.assign(track_id=ids)))
    if got == by_position:
        reject(f"you counted {got}, but b lists the same tracks in another order: match the rows by "
               "track_id (e.g. a.merge(b, on='track_id')), not by position")
    if got == expected[::-1]:
        reject(f"you counted {got}: the first number is for tracks only a gets right, the second for b")
    disagree = int(np.sum(np.array(a) != np.array(b)))
    if sum(got) == disagree:
        reject(f"you counted {got}, {disagree} in all: that is every track where the two predictions differ, "
               "including tracks both get wrong in different ways. Count tracks right for one and wrong "
               "for the other")
    reject(f"you counted {got}, expected {expected}: a track counts for a when a's prediction equals the label "
           "and b's does not, and the other way round for b")


def _split_right(a: pd.DataFrame, b: pd.DataFrame):
    right_a = a["predicted"].to_numpy() == a["label"].to_numpy()
    right_b = b["predicted"].to_numpy() == b["label"].to_numpy()
    return right_a & ~right_b, right_b & ~right_a


@check("12.3")
def check_cheapest_tied(cheapest_tied) -> str:
    """``cheapest_tied(results, paired)`` is the key of the fastest-training model among the best and the
    models not reliably worse than it (p-value at least 0.05)."""
    results = pd.DataFrame({"key": ["best", "close", "fast but worse", "slow and close", "cheap predictor"],
                            "accuracy": [0.80, 0.78, 0.60, 0.77, 0.70],
                            "train_seconds": [50.0, 12.0, 1.0, 300.0, 40.0],
                            "predict_seconds": [1.0, 2.0, 0.1, 5.0, 0.01]})
    paired = pd.DataFrame({"key": ["close", "fast but worse", "slow and close", "cheap predictor"],
                           "p_value": [0.40, 0.001, 0.90, 0.03]})
    answers = {"close": None,
               "fast but worse": "that model is reliably worse (p < 0.05): keep only models with p >= 0.05",
               "best": "the best model is not the fastest of the tied ones: compare their training times",
               "cheap predictor": "that one predicts fastest, but it is reliably worse (p < 0.05) and the question "
                                  "is about training time",
               "slow and close": "that is the slowest of the tied models: pick the smallest train_seconds"}
    got = cheapest_tied(results.copy(), paired.copy())
    if got not in answers:
        reject(f"cheapest_tied should return one key of results['key'], got {got!r}")
    if answers[got]:
        reject(f"you chose {got!r}: {answers[got]}")
    alone = cheapest_tied(results.iloc[:1].copy(), paired.iloc[:0].copy())
    if alone != "best":
        reject(f"with no other model, the best is its own cheapest equal; you returned {alone!r}")
    return ("'close' trains four times faster than the best, and these test tracks cannot tell the two apart: "
            "on this evidence it is the better buy.")
