"""Bootstrap intervals over test tracks and paired comparisons of two models."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from course_utils import evaluate
from course_utils.errors import ConfigError

LABELS = ["blues", "jazz", "metal", "rock"]


def predictions(n: int, accuracy: float, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    truth = rng.choice(LABELS, size=n)
    wrong = rng.random(n) > accuracy
    shifted = np.array([LABELS[(LABELS.index(t) + 1) % len(LABELS)] for t in truth])
    return truth, np.where(wrong, shifted, truth)


def test_bootstrap_estimates_are_the_scores_and_lie_inside_their_intervals():
    truth, predicted = predictions(80, 0.7)
    table = evaluate.bootstrap_scores(truth, predicted, labels=LABELS + ["pop"], seed=1)
    scores = evaluate.score(truth, predicted, labels=LABELS)  # "pop" has no test track, so no F1
    assert table.loc["accuracy", "estimate"] == pytest.approx(scores.accuracy)
    assert table.loc["macro_f1", "estimate"] == pytest.approx(scores.macro_f1)
    assert (table["low"] <= table["estimate"]).all() and (table["estimate"] <= table["high"]).all()
    assert (table["high"] - table["low"] > 0.05).all()
    pd.testing.assert_frame_equal(table, evaluate.bootstrap_scores(truth, predicted, labels=LABELS + ["pop"], seed=1))


def test_tiny_test_sets_keep_the_estimate_inside_the_interval():
    """One test track per genre: resamples leave genres out, which must not drag macro F1 down."""
    labels = [f"g{i}" for i in range(10)]
    predicted = labels[:7] + ["g0", "g1", "g2"]
    for seed in range(5):
        table = evaluate.bootstrap_scores(labels, predicted, labels=labels, seed=seed)
        assert (table["low"] <= table["estimate"]).all() and (table["estimate"] <= table["high"]).all()


def test_intervals_narrow_as_the_test_set_grows():
    truth, predicted = predictions(40, 0.7)
    widths = []
    for copies in (1, 4, 16):  # the same scores on 40, 160 and 640 tracks
        table = evaluate.bootstrap_scores(np.tile(truth, copies), np.tile(predicted, copies), labels=LABELS)
        widths.append((table["high"] - table["low"]).to_numpy())
    assert np.all(np.diff(np.stack(widths), axis=0) < 0)
    # about 1/sqrt(n): sixteen times the tracks, a quarter of the width
    assert widths[2] / widths[0] == pytest.approx([0.25, 0.25], abs=0.05)


def test_bootstrap_accuracy_interval_agrees_with_wilson():
    truth, predicted = predictions(400, 0.7, seed=3)
    table = evaluate.bootstrap_scores(truth, predicted, labels=LABELS)
    low, high = evaluate.accuracy_interval(int(np.sum(truth == predicted)), len(truth))
    assert table.loc["accuracy", "low"] == pytest.approx(low, abs=0.01)
    assert table.loc["accuracy", "high"] == pytest.approx(high, abs=0.01)


def frame(truth, predicted) -> pd.DataFrame:
    return pd.DataFrame({"track_id": [f"t{i:03d}" for i in range(len(truth))], "label": truth, "predicted": predicted})


def test_paired_comparison_counts_discordant_tracks():
    truth = np.array(["jazz"] * 30)
    a = np.array(["jazz"] * 20 + ["rock"] * 10)                  # 20 right
    b = np.array(["jazz"] * 12 + ["rock"] * 8 + ["jazz"] * 2 + ["rock"] * 8)  # 14 right, 2 that A misses
    result = evaluate.paired_comparison(frame(truth, a), frame(truth, b).sample(frac=1.0, random_state=0))
    assert (result.n, result.only_a, result.only_b) == (30, 8, 2)
    assert result.difference == pytest.approx(6 / 30)
    assert result.p_value == pytest.approx(stats.binomtest(8, 10, 0.5).pvalue)
    assert result.low <= result.difference <= result.high


def test_equal_models_do_not_differ():
    truth, predicted = predictions(50, 0.6)
    result = evaluate.paired_comparison(frame(truth, predicted), frame(truth, predicted))
    assert (result.only_a, result.only_b, result.difference, result.p_value) == (0, 0, 0.0, 1.0)
    assert result.low == result.high == 0.0


def test_bad_inputs_are_named():
    truth, predicted = predictions(20, 0.5)
    with pytest.raises(ConfigError, match="same test tracks"):
        evaluate.paired_comparison(frame(truth, predicted), frame(truth, predicted).iloc[:10])
    other = frame(truth, predicted).assign(label="jazz")
    with pytest.raises(ConfigError, match="disagree on the true label"):
        evaluate.paired_comparison(frame(truth, predicted), other)
    with pytest.raises(ConfigError, match="columns"):
        evaluate.paired_comparison(frame(truth, predicted).drop(columns="label"), frame(truth, predicted))
    with pytest.raises(ConfigError, match="not in labels"):
        evaluate.bootstrap_scores(truth, predicted, labels=["jazz"])
    with pytest.raises(ConfigError, match="n_boot"):
        evaluate.bootstrap_scores(truth, predicted, labels=LABELS, n_boot=10)
    with pytest.raises(ConfigError, match="level"):
        evaluate.bootstrap_scores(truth, predicted, labels=LABELS, level=95)
