"""Checks for the exercises of chapter 11 (multimodal models).

Used in: solutions/11_multimodal_exercises.ipynb
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from course_utils.checks import check, reject, reject_known_mistake

AGREEMENT = ("both right", "only A", "only B", "both wrong")


def _probabilities(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    p = rng.random((n, k)) ** 3
    return p / p.sum(axis=1, keepdims=True)


@check("11.1")
def check_weighted_average(weighted_average) -> str:
    """``weighted_average(p_a, p_b, *, weight)`` is ``weight * p_a + (1 - weight) * p_b``."""
    rng = np.random.default_rng(0)
    p_a, p_b = _probabilities(rng, 6, 4), _probabilities(rng, 6, 4)
    copies = p_a.copy(), p_b.copy()
    for weight in (0.3, 1.0, 0.0, 0.5):
        got = np.asarray(weighted_average(p_a, p_b, weight=weight), dtype=float)
        if not (np.array_equal(p_a, copies[0]) and np.array_equal(p_b, copies[1])):
            reject("your function changed the probabilities it was given: compute a new array")
        if got.shape != p_a.shape:
            hint = ": return the fused probabilities, not the chosen genres" if got.ndim == 1 else ""
            reject(f"expected probabilities of shape {p_a.shape} (one row per track, one column per genre), got "
                   f"{got.shape}{hint}")
        expected = weight * p_a + (1 - weight) * p_b
        if np.allclose(got, expected):
            continue
        reject_known_mistake(got, [
            ((1 - weight) * p_a + weight * p_b, "the weights are swapped: weight multiplies the first model's "
                                                "probabilities (p_a), 1 - weight the second's"),
            (weight * p_a + p_b, "multiply p_b by 1 - weight, so that each row still sums to 1"),
            (p_a + p_b, "weigh the two models: weight * p_a + (1 - weight) * p_b"),
        ], where=f"weight={weight}")
        reject(f"weight={weight}: the rows differ from weight * p_a + (1 - weight) * p_b by up to "
               f"{np.abs(got - expected).max():.3g}")
    return "weight=1 gives the first model, weight=0 the second, 0.5 their plain average."


def _weight_case() -> tuple[np.ndarray, np.ndarray, np.ndarray, list[float], float]:
    """Two models' probabilities for 7 tracks and 3 genres where exactly one weight of the grid is best
    (and no accuracy equals a weight of the grid: the last track no weight gets right)."""
    p_a = np.array([[.6, .3, .1], [.2, .7, .1], [.5, .1, .4], [.1, .5, .4], [.4, .3, .3], [.2, .2, .6], [.1, .1, .8]])
    p_b = np.array([[.1, .8, .1], [.3, .3, .4], [.1, .1, .8], [.1, .1, .8], [.1, .8, .1], [.1, .1, .8], [.1, .1, .8]])
    y = np.array([0, 1, 2, 2, 1, 2, 0])
    return p_a, p_b, y, [0.0, 0.25, 0.5, 0.75, 1.0], 0.75


def _accuracy(p_a, p_b, y, weight) -> float:
    return float(np.mean((weight * p_a + (1 - weight) * p_b).argmax(axis=1) == y))


@check("11.2")
def check_choose_weight(choose_weight) -> str:
    """``choose_weight(p_a, p_b, y, *, grid)`` returns the weight of ``grid`` whose average is most often right."""
    p_a, p_b, y, grid, best = _weight_case()
    scores = {w: _accuracy(p_a, p_b, y, w) for w in grid}
    got = choose_weight(p_a, p_b, y, grid=grid)
    if isinstance(got, (int, np.integer)) and not isinstance(got, bool) and got not in grid:
        reject(f"you returned {got}, a position in grid: return the weight itself (grid[{got}] = {grid[got]})")
    if not isinstance(got, (float, int, np.floating, np.integer)) or isinstance(got, bool):
        reject(f"return one weight of grid (a number), got {type(got).__name__}")
    got = float(got)
    if got == best:
        worst = min(scores, key=scores.get)
        return (f"weight {best} gets {scores[best]:.0%} of these tracks right (the worst, {worst}, "
                f"{scores[worst]:.0%}).")
    if got not in grid:
        if any(abs(got - s) < 1e-9 for s in scores.values()):
            reject(f"you returned {got:.3f}, an accuracy: return the weight that reaches the best accuracy")
        reject(f"you returned {got}, which is not one of the weights in grid {grid}")
    if scores[got] == min(scores.values()):
        reject(f"weight {got} is the worst of the grid ({scores[got]:.0%} right): take the one with the *highest* "
               "accuracy")
    reject(f"weight {got} gets {scores[got]:.0%} right, but {best} gets {scores[best]:.0%}: score every weight of "
           "grid with the fused probabilities' argmax against y, and keep the best")


@check("11.3")
def check_agreement(agreement) -> str:
    """``agreement(y, pred_a, pred_b)`` counts the tracks both models, only A, only B, or neither get right."""
    y = np.array(["rock", "jazz", "pop", "rock", "jazz", "pop", "rock", "blues"])
    pred_a = np.array(["rock", "jazz", "rock", "pop", "jazz", "jazz", "rock", "blues"])
    pred_b = np.array(["rock", "pop", "pop", "pop", "jazz", "rock", "jazz", "jazz"])
    expected = pd.Series([2, 3, 1, 2], index=list(AGREEMENT))
    got = agreement(pd.Series(y), pd.Series(pred_a), pd.Series(pred_b))
    if not isinstance(got, pd.Series) or list(got.index) != list(AGREEMENT):
        reject(f"return a pandas Series with the index {list(AGREEMENT)} (in that order), got "
               f"{type(got).__name__}" + (f" with index {list(got.index)}" if hasattr(got, "index") else ""))
    got = got.astype(float)
    if np.allclose(got.to_numpy(), expected.to_numpy()):
        return "2 tracks both get right, 3 only A, 1 only B, 2 neither: a fusion could reach 6 of 8 at best."
    if np.isclose(got.sum(), 1.0):
        reject("return counts of tracks, not shares")
    if got["only A"] == 5 or got["only B"] == 3:
        reject("'only A' counts the tracks A gets right *and* B gets wrong; you counted every track A gets right")
    if got.sum() != len(y):
        reject(f"the four counts should add up to the {len(y)} tracks, yours add up to {got.sum():g}")
    reject(f"expected {expected.to_dict()}, got {got.to_dict()}")
