"""Fitting and scoring the classical pipelines: grid search with folds grouped by track, one honest
fit-and-score per model, and the class scores of the test rows in the split's class order.

The pipelines themselves (a scaler inside, the search grids) are built by
:mod:`course_utils.models.classical`; here they are chosen on the training tracks, the test tracks
are predicted once, segment scores are aggregated to tracks, and the result can be recorded.

Used in: book/06_evaluation_and_splits.ipynb, book/07_classical_ml.ipynb, book/12_comparison.ipynb.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from course_utils.cache import default_jobs
from course_utils.config import Profile
from course_utils.data import fold_count, track_folds
from course_utils.errors import ConfigError, SplitError
from course_utils.evaluate.aggregate import aggregate_tracks
from course_utils.evaluate.fingerprints import fingerprint
from course_utils.evaluate.metrics import Scores, score
from course_utils.evaluate.registry import record_result
from course_utils.models.classical import build, count_parameters, param_grid

TRAIN_PARTS = ("train", "valid")
# Most rows a grid search cross-validates on (the 500-track synthetic set's 3-s segments fit under it).
SEARCH_ROWS = 5000


def search_sample(table: pd.DataFrame, *, max_rows: int | None, seed: int = 42) -> pd.DataFrame:
    """Whole tracks drawn from ``table`` (the same share of every genre) so that at most ``max_rows`` rows remain.

    ``max_rows=None`` or a table that is small enough: the table itself.
    """
    if max_rows is None or len(table) <= max_rows:
        return table
    tracks = table.drop_duplicates("track_id")
    share = max_rows / len(table)
    kept = [genre.sample(n=min(len(genre), max(2, int(len(genre) * share))), random_state=seed)["track_id"]
            for _, genre in tracks.groupby("label")]
    return table[table["track_id"].isin(pd.concat(kept))].reset_index(drop=True)


def grid_search(name: str, table: pd.DataFrame, *, features: list[str], profile: Profile, seed: int = 42,
                scale: bool = True, grid: dict[str, list] | None = None, n_jobs: int | None = None,
                max_search_rows: int | None = SEARCH_ROWS) -> GridSearchCV:
    """Choose the hyper-parameters of ``name`` by cross-validation grouped by track, then refit.

    Parameters
    ----------
    table : pd.DataFrame
        Training rows only (tracks or segments) with ``track_id``, ``label`` and ``features``.
    features : list of str
        The feature columns.
    profile : Profile
        Sets the grid (:func:`param_grid`) and the number of folds (``profile.cv_folds``, fewer
        when the smallest genre has fewer training tracks).
    grid : dict, optional
        A grid of your own instead of :func:`param_grid` (keys like ``model__C``).
    n_jobs : int, optional
        Parallel fits (default: ``$COURSE_JOBS`` or every core).
    max_search_rows : int or None
        The search is sized to the data: above this many rows it cross-validates on whole tracks
        drawn from every genre alike (:func:`search_sample`), so its cost stops growing with the
        data; the chosen model is then refitted on every row. ``None``: search on every row.

    Returns
    -------
    GridSearchCV
        Fitted; ``best_estimator_`` is the pipeline refitted on every row of ``table``;
        ``n_search_rows_`` says how many rows the search used.
    """
    everything = table.reset_index(drop=True)
    table = search_sample(everything, max_rows=max_search_rows, seed=seed)
    n_splits = fold_count(table, wanted=profile.cv_folds)
    grid = param_grid(name, profile=profile) if grid is None else grid
    search = GridSearchCV(build(name, seed=seed, scale=scale), grid,
                          cv=track_folds(table, n_splits=n_splits, seed=seed), scoring="accuracy",
                          n_jobs=n_jobs or default_jobs(), error_score="raise")
    search.fit(table[features], table["label"])
    if len(table) < len(everything):
        search.best_estimator_ = clone(search.best_estimator_).fit(everything[features], everything["label"])
    search.n_search_rows_ = len(table)
    return search


def class_scores(model, X) -> np.ndarray:
    """Scores of each class for each row, shape (n_rows, n_classes), in ``model.classes_`` order.

    Probabilities where the model gives them, else its decision function (SVMs): both are
    "higher means more likely", which is all that track aggregation needs.
    """
    if hasattr(model, "predict_proba"):
        return np.asarray(model.predict_proba(X))
    values = np.asarray(model.decision_function(X), dtype=float)
    return np.column_stack([-values, values]) if values.ndim == 1 else values


def in_class_order(scores: np.ndarray, model_classes, labels) -> np.ndarray:
    """``scores`` (one column per class of ``model_classes``) with one column per label of ``labels``, in
    that order: the class order of the split, which every model's columns follow. A label the model
    never saw in training gets ``-inf`` (never the top class)."""
    position = {str(c): i for i, c in enumerate(model_classes)}
    unknown = sorted(set(position) - set(map(str, labels)))
    if unknown:
        raise ConfigError(f"the model knows classes {unknown} that labels={list(labels)} lacks")
    ordered = np.full((len(scores), len(labels)), -np.inf)
    for j, label in enumerate(labels):
        if str(label) in position:
            ordered[:, j] = scores[:, position[str(label)]]
    return ordered


@dataclass(frozen=True)
class Fitted:
    """A model chosen on the training tracks and scored once on the test tracks.

    Attributes
    ----------
    name : str
    model : Pipeline
        The best pipeline, refitted on all training tracks.
    best_params : dict
        The hyper-parameters the grid search chose.
    cv_accuracy : float
        Its mean accuracy over the grouped folds (rows, not tracks).
    scores : Scores
        Track-level test scores: the headline numbers.
    segment_scores : Scores
        Test scores per row (per segment when the table holds segments).
    tracks : pd.DataFrame
        Track-level predictions (:func:`course_utils.evaluate.aggregate_tracks`).
    train_seconds, predict_seconds : float
        Grid search with refit, and prediction of the test rows.
    n_params : int
        :func:`count_parameters`.
    definition : dict
        What was fitted (:func:`pipeline_definition`), for the registry's fingerprint.
    columns : list of str
        The feature columns it read.
    """

    name: str
    model: Pipeline
    best_params: dict
    cv_accuracy: float
    scores: Scores
    segment_scores: Scores
    tracks: pd.DataFrame
    train_seconds: float
    predict_seconds: float
    n_params: int
    definition: dict
    columns: list

    def record(self, *, features: str, split, profile, dataset, seed: int, inputs: dict | None = None,
               data=None) -> Path:
        """Add these track-level results to the registry (:func:`course_utils.evaluate.record_result`)
        under the model's name, the chosen hyper-parameters as notes; returns the file written.

        The record's fingerprint holds :attr:`definition`, ``inputs`` (default: a feature table named
        ``features`` with :attr:`columns`), the data (``data``, default ``dataset``: pass the table when
        ``dataset`` is only a name), the split and ``seed``.
        """
        inputs = {"input": "feature table", "features": features, "columns": list(self.columns)} if inputs is None \
            else inputs
        made = fingerprint(definition=self.definition, inputs=inputs, data=dataset if data is None else data,
                           split=split, seed=seed)
        return record_result(model=self.name, features=features, scores=self.scores, split=split, profile=profile,
                             dataset=dataset, train_seconds=self.train_seconds, predict_seconds=self.predict_seconds,
                             n_params=self.n_params, seed=seed, notes=str(self.best_params), predictions=self.tracks,
                             fingerprint=made)

    def summary(self) -> dict:
        """One row for a results table."""
        return {"model": self.name, "track accuracy": self.scores.accuracy, "track macro F1": self.scores.macro_f1,
                "segment accuracy": self.segment_scores.accuracy, "cv accuracy": self.cv_accuracy,
                "train s": self.train_seconds, "params": self.n_params,
                "best": ", ".join(f"{k.split('__')[-1]}={v}" for k, v in self.best_params.items())}


def pipeline_definition(name: str, *, profile: Profile, seed: int = 42, scale: bool = True, method: str = "mean",
                        grid: dict[str, list] | None = None) -> dict:
    """What :func:`fit_and_evaluate` fits, as the registry's fingerprint sees it: the pipeline with its
    settings, the grid searched, the number of folds and how segments become tracks."""
    return {"trainer": "pipeline", "pipeline": repr(build(name, seed=seed, scale=scale)),
            "grid": param_grid(name, profile=profile) if grid is None else grid, "cv_folds": profile.cv_folds,
            "method": method}


def fit_and_evaluate(name: str, table: pd.DataFrame, *, features: list[str], labels: list[str],
                     profile: Profile, seed: int = 42, scale: bool = True, method: str = "mean",
                     grid: dict[str, list] | None = None, n_jobs: int | None = None) -> Fitted:
    """Grid-search ``name`` on the training tracks, predict the test tracks once, score per track.

    Parameters
    ----------
    table : pd.DataFrame
        Rows (tracks or segments) with ``track_id``, ``label``, ``split`` (``TrackSplit.assign``)
        and the ``features``. Rows in ``"train"`` and ``"valid"`` are used for model selection
        (by grouped cross-validation), rows in ``"test"`` only for the final scores.
    labels : list of str
        Every genre of the task, in the class order of the split: the track predictions'
        probability columns follow it (:func:`in_class_order`).
    method : {"mean", "vote"}
        How segment scores become a track's prediction.
    grid : dict, optional
        Hyper-parameters to search instead of :func:`param_grid`.
    """
    missing = {"track_id", "label", "split", *features} - set(table.columns)
    if missing:
        raise ConfigError(f"the table lacks columns {sorted(missing)}; add 'split' with TrackSplit.assign")
    train = table[table["split"].isin(TRAIN_PARTS)]
    test = table[table["split"] == "test"]
    if train.empty or test.empty:
        raise SplitError(f"need training and test rows, got {len(train)} and {len(test)}")
    start = time.perf_counter()
    search = grid_search(name, train, features=features, profile=profile, seed=seed, scale=scale, grid=grid,
                         n_jobs=n_jobs)
    train_seconds = time.perf_counter() - start
    model = search.best_estimator_
    start = time.perf_counter()
    segment_scores = in_class_order(class_scores(model, test[features]), model.classes_, labels)
    predict_seconds = time.perf_counter() - start
    tracks = aggregate_tracks(test["track_id"], segment_scores, classes=list(labels), method=method,
                              y_true=test["label"])
    segment_predictions = np.asarray(labels, dtype=object)[segment_scores.argmax(axis=1)]
    return Fitted(
        name=name, model=model, best_params=dict(search.best_params_), cv_accuracy=float(search.best_score_),
        scores=score(tracks["label"], tracks["predicted"], labels=labels),
        segment_scores=score(test["label"], segment_predictions, labels=labels),
        tracks=tracks, train_seconds=train_seconds, predict_seconds=predict_seconds,
        n_params=count_parameters(model),
        definition=pipeline_definition(name, profile=profile, seed=seed, scale=scale, method=method, grid=grid),
        columns=list(features),
    )
