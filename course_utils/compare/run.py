"""Run every model of the course on one protocol, reusing what the registry already holds.

Used in: book/12_comparison.ipynb.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from course_utils.compare.protocol import Protocol, newest_row
from course_utils.compare.recipes import Recipe
from course_utils.errors import ConfigError
from course_utils.evaluate import accuracy_interval, bootstrap_scores, load_results, paired_comparison


@dataclass(frozen=True)
class Comparison:
    """Every model's track-level results on one protocol.

    Attributes
    ----------
    protocol : Protocol
    results : pd.DataFrame
        One row per model that ran, best accuracy first: ``key, label`` (a short name), ``family,
        chapter, model, features, status`` (``"trained"`` or ``"reused"``), ``accuracy, accuracy_low, accuracy_high, macro_f1,
        macro_f1_low, macro_f1_high`` (95 % bootstrap intervals over the test tracks),
        ``train_seconds, predict_seconds, n_params``.
    skipped : pd.DataFrame
        ``key, family, reason`` of the models that could not run here.
    predictions : dict of str to pd.DataFrame
        Each model's test-track predictions (``track_id, label, predicted``), by ``key``.
    per_class_f1 : pd.DataFrame
        Models (rows, by ``label``) by genres (columns).
    confusions : dict of str to pd.DataFrame
        Each model's confusion matrix of test tracks (counts), by ``key``.
    """

    protocol: Protocol
    results: pd.DataFrame
    skipped: pd.DataFrame
    predictions: dict[str, pd.DataFrame] = field(repr=False)
    per_class_f1: pd.DataFrame = field(repr=False)
    confusions: dict[str, pd.DataFrame] = field(repr=False)

    def table(self) -> pd.DataFrame:
        """The results for reading: one row per model (by label), scores with their intervals as text."""
        def interval(name: str) -> pd.Series:
            r = self.results
            return (r[name].map("{:.2f}".format) + " (" + r[f"{name}_low"].map("{:.2f}".format) + "-"
                    + r[f"{name}_high"].map("{:.2f}".format) + ")")

        return pd.DataFrame({"family": self.results["family"], "accuracy (95 % interval)": interval("accuracy"),
                             "macro F1 (95 % interval)": interval("macro_f1"), "status": self.results["status"]}
                            ).set_axis(pd.Index(self.results["label"], name="model"))

    @property
    def best(self) -> str:
        """Key of the model with the highest test accuracy (ties: the higher macro F1)."""
        return str(self.results["key"].iloc[0])

    def paired(self, reference: str | None = None, *, seed: int = 0) -> pd.DataFrame:
        """Every model against ``reference`` (default: :attr:`best`) on the same test tracks.

        Returns
        -------
        pd.DataFrame
            One row per other model: ``key, label, difference`` (reference accuracy minus the model's),
            ``low, high`` (paired-bootstrap 95 % interval), ``only_reference, only_model`` (tracks
            only one of the two gets right) and ``p_value`` (exact McNemar test).
        """
        reference = reference or self.best
        if reference not in self.predictions:
            raise ConfigError(f"reference must be one of the models that ran: {sorted(self.predictions)}")
        rows = []
        for key, label in zip(self.results["key"], self.results["label"]):
            if key == reference:
                continue
            result = paired_comparison(self.predictions[reference], self.predictions[key], seed=seed)
            rows.append({"key": key, "label": label, "difference": result.difference, "low": result.low,
                         "high": result.high, "only_reference": result.only_a, "only_model": result.only_b,
                         "p_value": result.p_value})
        return pd.DataFrame(rows, columns=["key", "label", "difference", "low", "high", "only_reference",
                                           "only_model", "p_value"])

    @property
    def constant(self) -> list[str]:
        """Keys of the models that give every test track the same genre (the majority-class baseline)."""
        return [key for key, tracks in self.predictions.items() if tracks["predicted"].nunique() == 1]

    def confused_genres(self, top: int = 5, *, leave_out_constant: bool = True) -> pd.DataFrame:
        """The pairs of genres most often mistaken for each other, summed over the models.

        By default the :attr:`constant` models are not counted: a majority-class baseline makes the
        same mistake on every track of the other genres, which says nothing about the genres.

        Returns
        -------
        pd.DataFrame
            ``true, predicted, tracks`` (mistakes summed over models), ``models`` (how many models
            make that mistake at least once), most frequent first.
        """
        mistakes = []
        left_out = set(self.constant) if leave_out_constant else set()
        for key, confusion in self.confusions.items():
            if key in left_out:
                continue
            counts = confusion.stack()
            counts = counts[[t != p for t, p in counts.index]]
            mistakes.append(counts[counts > 0])
        if not mistakes:
            return pd.DataFrame(columns=["true", "predicted", "tracks", "models"])
        joined = pd.concat(mistakes, axis=1).fillna(0)
        table = pd.DataFrame({"tracks": joined.sum(axis=1).astype(int), "models": (joined > 0).sum(axis=1)})
        table.index.names = ["true", "predicted"]
        return table.sort_values(["tracks", "models"], ascending=False).head(top).reset_index()


def run_all(protocol: Protocol, recipes: Sequence[Recipe] | None = None, *, retrain: bool = False,
            verbose: bool = True) -> Comparison:
    """Train every model that the registry does not yet hold for ``protocol``; reuse the others.

    Parameters
    ----------
    protocol : Protocol
    recipes : sequence of Recipe, optional
        Default: every model of the course (:data:`course_utils.compare.RECIPES`).
    retrain : bool
        Train every model again even when the registry holds it.
    verbose : bool
        Print one line per model: reused, trained (with the seconds it took) or skipped.

    Returns
    -------
    Comparison
    """
    if recipes is None:
        from course_utils.compare import all_recipes

        recipes = all_recipes()
    for names in ([r.key for r in recipes], [r.short for r in recipes]):
        if len(set(names)) != len(names):
            raise ConfigError(f"recipe keys and labels must be unique, got {names}")
    rows, found, skipped = load_results(latest=False), {}, []
    for recipe in recipes:
        reason = recipe.unavailable(protocol)
        if reason:
            skipped.append({"key": recipe.key, "family": recipe.family, "reason": reason})
            if verbose:
                print(f"skipped  {recipe.key} (its weights are not available: see the skipped models)")
            continue
        model, features = recipe.names(protocol)
        row = None if retrain else newest_row(rows, model=model, features=features, matches=protocol.matches)
        status, line = "reused", f"reused   {recipe.key}"
        if row is None:
            start = time.perf_counter()
            recipe.train(protocol)
            rows = load_results(latest=False)  # with the rows it wrote (some recipes write several)
            row = newest_row(rows, model=model, features=features, matches=protocol.matches)
            if row is None:
                raise ConfigError(f"recipe {recipe.key!r} trained but recorded no row named ({model!r}, {features!r}) "
                                  "with test-track predictions for this protocol")
            status, line = "trained", f"trained  {recipe.key} in {time.perf_counter() - start:.0f} s"
        if verbose:
            print(line)
        found[recipe.key] = (recipe, row, status)
    return _comparison(protocol, found, skipped)


def _comparison(protocol: Protocol, found: dict, skipped: list[dict]) -> Comparison:
    rows, predictions, f1, confusions = [], {}, {}, {}
    for key, (recipe, row, status) in found.items():
        tracks = row["predictions"]
        intervals = bootstrap_scores(tracks["label"], tracks["predicted"], labels=protocol.labels, seed=protocol.seed)
        scores = {f"{name}{suffix}": intervals.loc[name, column] for name in ("accuracy", "macro_f1")
                  for suffix, column in (("", "estimate"), ("_low", "low"), ("_high", "high"))}
        scores["accuracy_low"], scores["accuracy_high"] = accuracy_interval(
            int((tracks["label"] == tracks["predicted"]).sum()), len(tracks))
        rows.append({"key": key, "label": recipe.short, "family": recipe.family, "chapter": recipe.chapter,
                     "model": row["model"],
                     "features": row["features"], "status": status, **scores,
                     "train_seconds": row["train_seconds"], "predict_seconds": row["predict_seconds"],
                     "n_params": int(row["n_params"])})
        predictions[key], f1[recipe.short], confusions[key] = tracks, pd.Series(row["per_class_f1"]), row["confusion"]
    if not rows:
        raise ConfigError("no model could run on this protocol; see the reasons printed above")
    results = pd.DataFrame(rows).sort_values(["accuracy", "macro_f1"], ascending=False, kind="stable")
    order = results["label"].tolist()
    per_class = pd.DataFrame(f1).T.reindex(index=order, columns=protocol.labels).astype(np.float64)
    return Comparison(protocol=protocol, results=results.reset_index(drop=True),
                      skipped=pd.DataFrame(skipped, columns=["key", "family", "reason"]),
                      predictions=predictions, per_class_f1=per_class, confusions=confusions)
