"""Run every model of the course on one protocol, reusing what the registry already holds.

Used in: book/12_comparison.ipynb.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from course_utils import zoo
from course_utils.compare.protocol import Protocol
from course_utils.errors import ConfigError
from course_utils.evaluate import accuracy_interval, bootstrap_scores, load_results, paired_comparison, reusable
from course_utils.zoo import ModelSpec


@dataclass(frozen=True)
class Comparison:
    """Every model's track-level results on one protocol.

    Attributes
    ----------
    protocol : Protocol
    results : pd.DataFrame
        One row per model that ran, best accuracy first: ``key, label`` (its key in
        :mod:`course_utils.zoo`), ``family, chapter, model, features`` (the registry's names),
        ``status`` (``"trained"`` or ``"reused"``), ``recorded_at`` (when its record was written),
        ``why`` (reused: same fingerprint; trained: no record yet, or which parts of the fingerprint
        changed), ``accuracy, accuracy_low, accuracy_high, macro_f1,
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

    def provenance(self) -> pd.DataFrame:
        """Where each row comes from: ``status`` (reused or trained in this run), ``recorded`` (the
        record's time, UTC) and ``why``; by label, oldest record first."""
        table = self.results.set_index("label")[["status", "recorded_at", "why"]].rename(
            columns={"recorded_at": "recorded"})
        return table.assign(recorded=table["recorded"].dt.strftime("%Y-%m-%d %H:%M")).sort_values("recorded")

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


# The models of the comparison, in the order of the chapters: every family of the course.
COMPARED = ("majority class", "logreg, handcrafted", "SVM, handcrafted", "XGBoost, handcrafted", "logreg, musicnn",
            "logreg, YAMNet", "CNN, log-mel", "CNN, log-mel, augmented", "CNN, MFCC", "1-D CNN, embeddings",
            "LSTM, MFCC", "BiLSTM, MFCC", "LSTM, embeddings", "{default backbone}, frozen", "ResNet50, frozen",
            "CNN, scalogram stream", "fusion, average", "fusion, joined", "combined model")


def compared_models() -> list[ModelSpec]:
    """The definitions (:func:`course_utils.zoo.get`, with the learner's overrides) of :data:`COMPARED`
    (``{default backbone}``: :data:`course_utils.models.transfer.DEFAULT_BACKBONE`)."""
    from course_utils.models.transfer import DEFAULT_BACKBONE

    return [zoo.get(key) for key in dict.fromkeys(k.replace("{default backbone}", DEFAULT_BACKBONE) for k in COMPARED)]


def _why_trained(rows: pd.DataFrame, spec: ModelSpec, made, protocol: Protocol) -> str:
    """Why no record could be reused: none of this model, or which parts of the fingerprint changed."""
    same = rows[(rows["model"] == spec.name) & (rows["dataset"] == protocol.dataset.name)] if not rows.empty else rows
    if same.empty:
        return "no record yet"
    last = same.iloc[-1]
    changed = made.changed(last["fingerprint_parts"] if isinstance(last["fingerprint_parts"], dict) else None)
    return f"changed since {last['recorded_at']:%Y-%m-%d %H:%M}: {', '.join(changed)}" if changed else "retrain asked"


def run_all(protocol: Protocol, models: Sequence[ModelSpec] | None = None, *, retrain: bool = False,
            verbose: bool = True) -> Comparison:
    """Train every model whose record the registry lacks for ``protocol``; reuse the others.

    A record is reused only when its fingerprint equals the model's on this protocol
    (:meth:`course_utils.zoo.ModelSpec.fingerprint`: definition, hyper-parameters, input, data set,
    split, seed and package version); a record without one is never reused.

    Parameters
    ----------
    protocol : Protocol
    models : sequence of ModelSpec, optional
        Default: every family of the course (:func:`compared_models`).
    retrain : bool
        Train every model again even when the registry holds it.
    verbose : bool
        Print one line per model: reused (with the date of its record), trained (why, and the
        seconds it took) or skipped.

    Returns
    -------
    Comparison
    """
    models = compared_models() if models is None else list(models)
    keys = [spec.key for spec in models]
    if len(set(keys)) != len(keys):
        raise ConfigError(f"model keys must be unique, got {keys}")
    rows, found, skipped = load_results(latest=False), {}, []
    for spec in models:
        reason = spec.unavailable()
        if reason:
            skipped.append({"key": spec.key, "family": spec.family, "reason": reason})
            if verbose:
                print(f"skipped  {spec.key} (its weights are not available: see the skipped models)")
            continue
        made = spec.fingerprint(**protocol.record_options)
        row = None if retrain else reusable(rows, made)
        if row is not None:
            status, why = "reused", "same fingerprint"
            line = f"reused   {spec.key} (recorded {row['recorded_at']:%Y-%m-%d %H:%M})"
        else:
            why = "retrain asked" if retrain else _why_trained(rows, spec, made, protocol)
            start = time.perf_counter()
            zoo.fit(spec, verbose=False, **protocol.record_options)
            rows = load_results(latest=False)  # with the records it wrote (a fusion writes several)
            row = reusable(rows, made)
            if row is None:
                raise ConfigError(f"{spec.key!r} trained but wrote no record with its fingerprint and test-track "
                                  "predictions")
            status, line = "trained", f"trained  {spec.key} in {time.perf_counter() - start:.0f} s ({why})"
        if verbose:
            print(line)
        found[spec.key] = (spec, row, status, why)
    return _comparison(protocol, found, skipped)


def _comparison(protocol: Protocol, found: dict, skipped: list[dict]) -> Comparison:
    rows, predictions, f1, confusions = [], {}, {}, {}
    for key, (spec, row, status, why) in found.items():
        tracks = row["predictions"]
        intervals = bootstrap_scores(tracks["label"], tracks["predicted"], labels=protocol.labels, seed=protocol.seed)
        scores = {f"{name}{suffix}": intervals.loc[name, column] for name in ("accuracy", "macro_f1")
                  for suffix, column in (("", "estimate"), ("_low", "low"), ("_high", "high"))}
        scores["accuracy_low"], scores["accuracy_high"] = accuracy_interval(
            int((tracks["label"] == tracks["predicted"]).sum()), len(tracks))
        rows.append({"key": key, "label": spec.key, "family": spec.family, "chapter": spec.chapter,
                     "model": row["model"], "features": row["features"], "status": status,
                     "recorded_at": row["recorded_at"], "why": why, **scores,
                     "train_seconds": row["train_seconds"], "predict_seconds": row["predict_seconds"],
                     "n_params": int(row["n_params"])})
        predictions[key], f1[spec.key], confusions[key] = tracks, pd.Series(row["per_class_f1"]), row["confusion"]
    if not rows:
        raise ConfigError("no model could run on this protocol; see the reasons printed above")
    results = pd.DataFrame(rows).sort_values(["accuracy", "macro_f1"], ascending=False, kind="stable")
    order = results["label"].tolist()
    per_class = pd.DataFrame(f1).T.reindex(index=order, columns=protocol.labels).astype(np.float64)
    return Comparison(protocol=protocol, results=results.reset_index(drop=True),
                      skipped=pd.DataFrame(skipped, columns=["key", "family", "reason"]),
                      predictions=predictions, per_class_f1=per_class, confusions=confusions)
