"""Sentences that compare the numbers of a run, written from those numbers, ties and uncertainty included.

A chapter never types "A is more accurate than B" or "the most confused pair is ...": the numbers of
its run go through these functions, and the Markdown they return says what the numbers support,
no more. Two models on the same test tracks are judged by :data:`RULE`; times, which have no test,
count as equal within :data:`TIME_TOLERANCE`; counts tie when they are equal.

Used in: book/08_cnn.ipynb, book/09_recurrent.ipynb, book/10_transfer_learning.ipynb,
book/11_multimodal.ipynb, book/12_comparison.ipynb (through :mod:`course_utils.compare.discussion`).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from course_utils.errors import ConfigError
from course_utils.evaluate.confusion import confused_pairs
from course_utils.evaluate.significance import PairedComparison, holm

ALPHA = 0.05
TIME_TOLERANCE = 0.2
RULE = ("a difference between two models counts only when both tests find it: McNemar's p-value "
        f"(Holm-corrected when one run makes several tests) below {ALPHA} *and* a 95 % paired-bootstrap "
        "interval of the difference that excludes 0. When only one of them finds it, the tests disagree, "
        "and no difference is claimed: it is too small for these test tracks to settle")

VERDICTS = {"reference": "reference better", "model": "model better", "none": "no measurable difference",
            "disagree": "tests disagree"}


def join(names: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    names = [str(name) for name in names]
    if not names:
        raise ConfigError("join needs at least one name")
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def best_of(scores: Mapping[str, float], *, what: str = "test track accuracy") -> str:
    """A Markdown sentence naming the highest score, or the models that share it."""
    values = pd.Series({str(k): float(v) for k, v in scores.items()})
    if values.empty:
        raise ConfigError("best_of needs at least one score")
    top = values.max()
    tied = values[np.isclose(values, top)].index.tolist()
    if len(tied) == 1:
        return f"**{tied[0]}** has the highest {what} ({top:.2f})."
    return f"**{join(tied)}** share the highest {what} ({top:.2f})."


def verdict(difference: float, low: float, high: float, p_value: float, *, alpha: float = ALPHA) -> str:
    """What :data:`RULE` concludes for one paired comparison of a reference with a model.

    Parameters
    ----------
    difference, low, high : float
        Reference accuracy minus the model's, and the paired-bootstrap interval of it.
    p_value : float
        McNemar's p-value (already corrected when several tests were made).

    Returns
    -------
    str
        ``"reference"`` or ``"model"`` (the better of the two, when both tests find a difference),
        ``"none"`` (neither finds one) or ``"disagree"``.
    """
    mcnemar = p_value < alpha
    bootstrap = low > 0 or high < 0
    if mcnemar and bootstrap:
        return "reference" if difference > 0 else "model"
    return "none" if not (mcnemar or bootstrap) else "disagree"


def _details(paired: pd.Series | PairedComparison, p_value: float, a: str, b: str) -> str:
    return (f"{a} minus {b}: {paired.difference:+.2f} (95 % interval {paired.low:+.2f} to {paired.high:+.2f}), "
            f"McNemar p = {p_value:.2g}")


def compare_two(a: str, b: str, paired: PairedComparison, *, p_value: float | None = None,
                adjective: str = "more accurate") -> str:
    """One Markdown sentence on two models scored on the same test tracks.

    Parameters
    ----------
    a, b : str
        The names of the two models, in the order given to :func:`~course_utils.evaluate.paired_comparison`.
    paired : PairedComparison
    p_value : float, optional
        A corrected p-value to judge by (default: ``paired.p_value``).
    adjective : str
        What "better" means here ("more accurate").
    """
    p = paired.p_value if p_value is None else p_value
    result = verdict(paired.difference, paired.low, paired.high, p)
    counts = (f"{paired.only_a} tracks only {a} gets right, {paired.only_b} only {b}; "
              + _details(paired, p, a, b))
    where = f"on these {paired.n} test tracks"
    if result in ("reference", "model"):
        better, worse = (a, b) if result == "reference" else (b, a)
        return f"**{better} is {adjective} than {worse}** {where} ({counts})."
    if result == "none":
        return f"**No measurable difference** between {a} and {b} {where} ({counts})."
    found = "finds a difference" if p < ALPHA else "finds none"
    interval = "excludes" if paired.low > 0 or paired.high < 0 else "includes"
    return (f"**The tests disagree** on {a} against {b} {where}: McNemar's test {found}, the bootstrap "
            f"interval {interval} 0 ({counts}). By the course's rule both must find a difference, so none is "
            "claimed; more test tracks would settle it.")


def with_verdicts(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` (one row per model against a reference: ``difference, low, high, p_value``) with
    ``p_holm`` (Holm-corrected over its rows, unless present) and ``verdict`` (by :data:`RULE`, in words)."""
    missing = {"difference", "low", "high", "p_value"} - set(table.columns)
    if missing:
        raise ConfigError(f"table lacks the columns {sorted(missing)} of a paired comparison")
    table = table.copy()
    if "p_holm" not in table:
        table["p_holm"] = holm(table["p_value"].to_numpy()) if len(table) else []
    table["verdict"] = [VERDICTS[verdict(r.difference, r.low, r.high, r.p_holm)] for r in table.itertuples()]
    return table


def against_reference(reference: str, table: pd.DataFrame, *, name: str = "model",
                      adjective: str = "more accurate") -> str:
    """A Markdown paragraph: ``reference`` against every model of ``table``, Holm-corrected.

    Parameters
    ----------
    reference : str
    table : pd.DataFrame
        One row per other model: its name in column ``name``, and ``difference`` (reference minus
        model), ``low, high, p_value`` as :func:`~course_utils.evaluate.paired_table` gives them.
    """
    if table.empty:
        return f"{reference} is the only model, so there is nothing to compare it with."
    table = with_verdicts(table)
    groups = {key: [f"*{model}*" for model in table.loc[table["verdict"] == words, name]]
              for key, words in VERDICTS.items()}
    tests = f"{len(table)} paired tests" if len(table) > 1 else "one paired test"
    first = f"*{reference}*"
    parts = []
    if groups["reference"]:
        parts.append(f"{first} is {adjective} than {join(groups['reference'])}")
    if groups["model"]:
        parts.append(f"{join(groups['model'])} {'is' if len(groups['model']) == 1 else 'are'} {adjective} than "
                     f"{first}")
    if groups["none"]:
        parts.append(f"{first} shows no measurable difference from {join(groups['none'])}")
    if groups["disagree"]:
        parts.append(f"the two tests disagree on {first} against {join(groups['disagree'])}, so no difference "
                     "is claimed there")
    n = int(table["n"].iloc[0]) if "n" in table else None
    where = f"On these {n} test tracks" if n else "On these test tracks"
    return (f"{where} ({tests}, Holm-corrected; a difference counts when McNemar's test and the paired-bootstrap "
            f"interval both find it): {'; '.join(parts)}.")


def rank_times(times: Mapping[str, float], *, what: str = "Training", unit: str = "s",
               tolerance: float = TIME_TOLERANCE) -> str:
    """A Markdown sentence ranking models by a time, quickest first.

    A time is one measurement on one machine, with no test behind it: times within ``tolerance``
    (a share) of the quickest count as equally quick.
    """
    values = pd.Series({str(k): float(v) for k, v in times.items()}).dropna()
    if values.empty or (values <= 0).any():
        raise ConfigError(f"rank_times needs positive times, got {dict(times)!r}")
    values = values.sort_values(kind="stable")
    quickest = values.iloc[0]
    tied = values[values <= quickest * (1 + tolerance)]
    rest = values.drop(tied.index)
    listed = join([f"{name} ({value:.3g} {unit})" for name, value in tied.items()])
    if len(tied) == 1:
        sentence = f"{what}: {listed} is the quickest"
    else:
        sentence = f"{what}: {listed} are the quickest, within {tolerance:.0%} of one another"
    if not rest.empty:
        sentence += "; then " + ", ".join(f"{name} ({value:.3g} {unit}, {value / quickest:.1f} times as long)"
                                          for name, value in rest.items())
    return sentence + "."


def most_confused(confusion: pd.DataFrame) -> str:
    """A Markdown sentence naming the pair(s) of genres a model mixes up most, ties stated.

    Pairs are ranked by :func:`~course_utils.evaluate.genre_similarity` (the mean share of each
    genre's tracks given the other); equal shares tie.
    """
    n_pairs = len(confusion) * (len(confusion) - 1) // 2
    pairs = confused_pairs(confusion, n=max(n_pairs, 1))
    top = float(pairs["similarity"].iloc[0]) if len(pairs) else 0.0
    if top == 0:
        return "No two genres are mixed up on these test tracks."
    tied = pairs[np.isclose(pairs["similarity"], top)]
    if len(tied) == 1:
        row = tied.iloc[0]
        return (f"The most confused pair is **{row.genre_a} and {row.genre_b}**: {row.a_as_b} {row.genre_a} "
                f"tracks called {row.genre_b}, {row.b_as_a} the other way round.")
    genres = sorted(set(tied["genre_a"]) | set(tied["genre_b"]))
    counts = "; ".join(f"{r.genre_a} and {r.genre_b}: {r.a_as_b + r.b_as_a}" for r in tied.itertuples())
    if len(tied) == len(genres) * (len(genres) - 1) // 2:
        return (f"**{join(genres)}** tie for the most confused pair: each two of them are mixed up equally "
                f"often (tracks mixed up in either direction: {counts}).")
    return (f"{len(tied)} pairs tie for the most confused, mixed up equally often: "
            f"{join([f'**{r.genre_a} and {r.genre_b}**' for r in tied.itertuples()])} ({counts}).")


def most_frequent_mistake(mistakes: pd.DataFrame, *, n_models: int, left_out: Sequence[str] = ()) -> str:
    """A Markdown sentence on the most frequent mistake(s), summed over models, ties stated.

    Parameters
    ----------
    mistakes : pd.DataFrame
        ``true, predicted, tracks, models``, as :meth:`~course_utils.compare.Comparison.confused_genres` gives.
    n_models : int
        How many models were summed over.
    left_out : sequence of str
        Models left out of the sum (the baselines), named in the sentence.
    """
    over = f"over the {_count(n_models, 'model')}" + (f" (leaving out {join(left_out)})" if left_out else "")
    if mistakes.empty or mistakes["tracks"].max() == 0:
        return f"No test track is mistaken by any model {over}."
    top = mistakes["tracks"].max()
    tied = mistakes[mistakes["tracks"] == top]
    named = join([f"**{r.true} taken for {r.predicted}** (by {_count(r.models, 'model')})" for r in tied.itertuples()])
    if len(tied) == 1:
        return f"Summed {over}, the most frequent mistake is {named}: {_count(top, 'time')}."
    return f"Summed {over}, {len(tied)} mistakes tie as the most frequent, {top} times each: {named}."


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
