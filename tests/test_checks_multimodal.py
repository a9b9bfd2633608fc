"""The checks of chapter 11's exercises accept right answers and name the plausible mistakes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from course_utils.checks import multimodal as checks


def right_average(p_a, p_b, *, weight):
    return weight * np.asarray(p_a) + (1 - weight) * np.asarray(p_b)


def test_weighted_average_right_answer_passes(capsys):
    assert checks.check_weighted_average(right_average)
    assert "✔ Exercise 11.1: correct" in capsys.readouterr().out


def in_place_average(p_a, p_b, *, weight):
    p_a *= weight
    return p_a + (1 - weight) * p_b


@pytest.mark.parametrize("wrong, feedback", [
    (lambda p_a, p_b, *, weight: (1 - weight) * p_a + weight * p_b, "weights are swapped"),
    (lambda p_a, p_b, *, weight: weight * p_a + p_b, "1 - weight"),
    (lambda p_a, p_b, *, weight: right_average(p_a, p_b, weight=weight).argmax(axis=1), "not the chosen genres"),
    (in_place_average, "changed the probabilities"),
    (lambda p_a, p_b, *, weight: right_average(p_a, p_b, weight=min(weight + 0.1, 1.0)), "differ from"),
])
def test_weighted_average_mistakes_are_named(wrong, feedback, capsys):
    assert not checks.check_weighted_average(wrong)
    assert feedback in capsys.readouterr().out


def accuracies(p_a, p_b, y, grid):
    return [np.mean(right_average(p_a, p_b, weight=w).argmax(axis=1) == y) for w in grid]


def right_choice(p_a, p_b, y, *, grid):
    return grid[int(np.argmax(accuracies(p_a, p_b, y, grid)))]


def test_the_weight_case_has_one_best_weight():
    p_a, p_b, y, grid, best = checks._weight_case()
    scores = accuracies(p_a, p_b, y, grid)
    assert scores.count(max(scores)) == 1 and grid[int(np.argmax(scores))] == best
    assert scores.count(min(scores)) == 1 and not set(scores) & set(grid)


def test_choose_weight_right_answer_passes(capsys):
    assert checks.check_choose_weight(right_choice)
    assert "✔ Exercise 11.2: correct" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, feedback", [
    (lambda p_a, p_b, y, *, grid: max(accuracies(p_a, p_b, y, grid)), "an accuracy"),
    (lambda p_a, p_b, y, *, grid: int(np.argmax(accuracies(p_a, p_b, y, grid))), "a position in grid"),
    (lambda p_a, p_b, y, *, grid: grid[int(np.argmin(accuracies(p_a, p_b, y, grid)))], "the worst"),
    (lambda p_a, p_b, y, *, grid: 0.5, "but 0.75 gets"),
    (lambda p_a, p_b, y, *, grid: 0.6, "not one of the weights"),
    (lambda p_a, p_b, y, *, grid: "0.75", "a number"),
])
def test_choose_weight_mistakes_are_named(wrong, feedback, capsys):
    assert not checks.check_choose_weight(wrong)
    assert feedback in capsys.readouterr().out


def right_agreement(y, pred_a, pred_b):
    a, b = np.asarray(pred_a) == np.asarray(y), np.asarray(pred_b) == np.asarray(y)
    return pd.Series([np.sum(a & b), np.sum(a & ~b), np.sum(~a & b), np.sum(~a & ~b)], index=list(checks.AGREEMENT))


def test_agreement_right_answer_passes(capsys):
    assert checks.check_agreement(right_agreement)
    assert "✔ Exercise 11.3: correct" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, feedback", [
    (lambda y, a, b: right_agreement(y, a, b) / len(y), "not shares"),
    (lambda y, a, b: pd.Series([2, int(np.sum(a == y)), int(np.sum(b == y)), 2], index=list(checks.AGREEMENT)),
     "you counted every track A gets right"),
    (lambda y, a, b: right_agreement(y, a, b).to_dict(), "pandas Series"),
    (lambda y, a, b: right_agreement(y, a, b).iloc[::-1], "in that order"),
    (lambda y, a, b: right_agreement(y, a, b) + pd.Series([1, -1, 0, 0], index=list(checks.AGREEMENT)), "expected"),
])
def test_agreement_mistakes_are_named(wrong, feedback, capsys):
    assert not checks.check_agreement(wrong)
    assert feedback in capsys.readouterr().out
