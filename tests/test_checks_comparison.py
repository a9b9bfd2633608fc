"""The checks of chapter 12's exercises accept right answers and name plausible wrong ones."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import evaluate
from course_utils.checks import comparison as checks


def bootstrap(correct, n_boot=2000, seed=0, *, replace=True, tails=(2.5, 97.5), scale=1.0):
    correct = np.asarray(correct, dtype=float)
    rng = np.random.default_rng(seed)
    if replace:
        draws = rng.integers(0, len(correct), size=(n_boot, len(correct)))
    else:
        draws = np.stack([rng.permutation(len(correct)) for _ in range(n_boot)])
    low, high = np.percentile(correct[draws].mean(axis=1), tails)
    return scale * low, scale * high


def bootstrap_in_a_loop(correct, n_boot=2000, seed=0):
    rng, correct = np.random.default_rng(seed), np.asarray(correct, dtype=float)
    accuracies = [rng.choice(correct, len(correct)).mean() for _ in range(n_boot)]
    return tuple(np.percentile(accuracies, [2.5, 97.5]))


def wald(correct, n_boot=2000, seed=0):
    p, n = np.mean(correct), len(correct)
    return p - 1.96 * np.sqrt(p * (1 - p) / n), p + 1.96 * np.sqrt(p * (1 - p) / n)


def unseeded(correct, n_boot=2000, seed=0):
    correct = np.asarray(correct, dtype=float)
    draws = np.random.randint(0, len(correct), size=(n_boot, len(correct)))
    return tuple(np.percentile(correct[draws].mean(axis=1), [2.5, 97.5]))


def test_bootstrap_accuracy_accepts_the_percentile_bootstrap(capsys):
    assert checks.check_bootstrap_accuracy(bootstrap)
    assert "✔ Exercise 12.1: correct" in capsys.readouterr().out
    assert checks.check_bootstrap_accuracy(bootstrap_in_a_loop)


@pytest.mark.parametrize("wrong, feedback", [
    (lambda c, n_boot, seed: bootstrap(c, n_boot, seed, replace=False), "not drawn with replacement"),
    (lambda c, n_boot, seed: bootstrap(c, n_boot, seed, tails=(5, 95)), "90 % interval"),
    (lambda c, n_boot, seed: bootstrap(c, n_boot, seed, scale=100.0), "not percentages"),
    (lambda c, n_boot, seed: bootstrap(c, n_boot, seed)[::-1], "lower end comes first"),
    (lambda c, n_boot, seed: 0.5, "a pair (low, high)"),
    (lambda c, n_boot, seed: bootstrap(c, n_boot, seed, tails=(80, 99.9)), "contain the accuracy"),
    # plausible answers that an earlier version of the check accepted
    (wald, "(Wald) interval"),
    (unseeded, "two calls with seed=0"),
    (lambda c, n_boot, seed: bootstrap(c, n_boot, seed=42), "ignores its seed argument"),
    (lambda c, n_boot, seed: evaluate.accuracy_interval(int(np.sum(c)), len(c)), "Wilson interval"),
    (lambda c, n_boot, seed: bootstrap(c, 2000, seed), "draw exactly n_boot resamples"),
])
def test_bootstrap_accuracy_names_the_mistake(wrong, feedback, capsys):
    assert not checks.check_bootstrap_accuracy(wrong)
    assert feedback in capsys.readouterr().out


def discordant(a, b):
    joined = a.merge(b, on="track_id", suffixes=("_a", "_b"))
    right_a = joined["predicted_a"] == joined["label_a"]
    right_b = joined["predicted_b"] == joined["label_b"]
    return int((right_a & ~right_b).sum()), int((right_b & ~right_a).sum())


def by_position(a, b):
    right_a = (a["predicted"] == a["label"]).to_numpy()
    right_b = (b["predicted"] == b["label"]).to_numpy()
    return int((right_a & ~right_b).sum()), int((right_b & ~right_a).sum())


def test_discordant_accepts_tracks_matched_by_id(capsys):
    assert checks.check_discordant(discordant)
    assert "✔ Exercise 12.2: correct" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, feedback", [
    (by_position, "match the rows by track_id"),
    (lambda a, b: discordant(a, b)[::-1], "the first number is for tracks only a gets right"),
    (lambda a, b: (int((a.merge(b, on="track_id")["predicted_x"] != a.merge(b, on="track_id")["predicted_y"]).sum()), 0),
     "every track where the two predictions differ"),
    (lambda a, b: (1, 1), "expected (2, 1)"),
])
def test_discordant_names_the_mistake(wrong, feedback, capsys):
    assert not checks.check_discordant(wrong)
    assert feedback in capsys.readouterr().out


def cheapest_tied(results, paired, *, alpha=0.05, column="train_seconds", keep_best=True):
    tied = paired.loc[paired["p_value"] >= alpha, "key"].tolist()
    keys = ([results["key"].iloc[0]] if keep_best else []) + tied
    candidates = results[results["key"].isin(keys)]
    return candidates.loc[candidates[column].idxmin(), "key"] if len(candidates) else results["key"].iloc[0]


def test_cheapest_tied_accepts_the_fastest_equal(capsys):
    assert checks.check_cheapest_tied(cheapest_tied)
    assert "✔ Exercise 12.3: correct" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, feedback", [
    (lambda r, p: r.loc[r["train_seconds"].idxmin(), "key"], "reliably worse (p < 0.05)"),
    (lambda r, p: r["key"].iloc[0], "the best model is not the fastest"),
    (lambda r, p: cheapest_tied(r, p, column="predict_seconds", alpha=0.01), "predicts fastest"),
    (lambda r, p: "slow and close", "the slowest of the tied"),
    (lambda r, p: "nothing", "one key of results"),
])
def test_cheapest_tied_names_the_mistake(wrong, feedback, capsys):
    assert not checks.check_cheapest_tied(wrong)
    assert feedback in capsys.readouterr().out


def test_cheapest_tied_alone_is_the_best(capsys):
    def forgets_the_best(results, paired):
        return cheapest_tied(results, paired, keep_best=False) if len(paired) else "nobody"
    assert not checks.check_cheapest_tied(forgets_the_best)
    assert "its own cheapest equal" in capsys.readouterr().out
