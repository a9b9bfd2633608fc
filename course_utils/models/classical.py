"""Classical classifiers on feature tables: builders, search grids, and one honest fit-and-score.

Every model is a scikit-learn ``Pipeline`` whose scaler sits inside it, so cross-validation and
the final fit compute the scaling from training tracks only. Hyper-parameters are chosen by grid
search with folds grouped by track (:func:`course_utils.data.track_folds`) on the training tracks;
the test tracks are predicted once, and segment scores are aggregated to tracks.
Used in: book/06_evaluation_and_splits.ipynb, book/07_classical_ml.ipynb, book/12_comparison.ipynb.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import LabelEncoder, StandardScaler
from sklearn.svm import SVC, LinearSVC
from xgboost import XGBClassifier

from course_utils.cache import default_jobs
from course_utils.config import Profile
from course_utils.data import track_folds
from course_utils.errors import ConfigError, SplitError
from course_utils.evaluate import Scores, aggregate_tracks, record_result, score

MODELS = ("majority", "knn", "logreg", "svm_linear", "svm_rbf", "xgboost")
TRAIN_PARTS = ("train", "valid")
# Columns of a feature table that describe a row rather than measure the audio.
NOT_FEATURES = {"segment", "start", "end", "duration", "sr", "channels", "length", "n_segments"}
# Most rows a grid search cross-validates on (the 500-track synthetic set's 3-s segments fit under it).
SEARCH_ROWS = 5000


class LabelEncoded(ClassifierMixin, BaseEstimator):
    """Let a classifier that needs classes ``0..k-1`` (XGBoost) take and return genre names.

    Parameters
    ----------
    estimator : classifier
        Cloned and fitted on the encoded labels as ``estimator_``.
    """

    def __init__(self, estimator):
        self.estimator = estimator

    def fit(self, X, y):
        self.encoder_ = LabelEncoder().fit(y)
        self.classes_ = self.encoder_.classes_
        self.estimator_ = clone(self.estimator).fit(X, self.encoder_.transform(y))
        return self

    def predict(self, X):
        return self.encoder_.inverse_transform(np.asarray(self.estimator_.predict(X), dtype=int))

    def predict_proba(self, X):
        return self.estimator_.predict_proba(X)

    @property
    def feature_importances_(self) -> np.ndarray:
        return self.estimator_.feature_importances_


def _estimator(name: str, seed: int):
    if name == "majority":
        return DummyClassifier(strategy="most_frequent")
    if name == "knn":
        return KNeighborsClassifier(n_neighbors=5)
    if name == "logreg":
        return LogisticRegression(C=1.0, max_iter=2000, random_state=seed)
    if name == "svm_linear":
        return LinearSVC(C=0.1, max_iter=10000, random_state=seed)
    if name == "svm_rbf":
        return SVC(C=10.0, gamma="scale", random_state=seed)
    if name == "xgboost":
        # 64 histogram bins per feature (not 256): plenty for a few thousand rows, and several times faster.
        return LabelEncoded(XGBClassifier(n_estimators=200, max_depth=4, learning_rate=0.1, subsample=0.8,
                                          colsample_bytree=0.8, tree_method="hist", max_bin=64, n_jobs=1,
                                          random_state=seed))
    raise ConfigError(f"unknown model {name!r}; expected one of {MODELS}")


def build(name: str, *, seed: int = 42, scale: bool = True) -> Pipeline:
    """A pipeline ``scaler -> model`` for one of :data:`MODELS`.

    Parameters
    ----------
    name : str
        ``"majority"`` (always the most frequent training genre), ``"knn"``, ``"logreg"``,
        ``"svm_linear"``, ``"svm_rbf"`` or ``"xgboost"``.
    seed : int
        Seed of the model's own randomness.
    scale : bool
        Put a ``StandardScaler`` first (``False`` only to show what goes wrong without it).
    """
    steps = [("scaler", StandardScaler())] if scale else []
    return Pipeline([*steps, ("model", _estimator(name, seed))])


def param_grid(name: str, *, profile: Profile) -> dict[str, list]:
    """The hyper-parameters searched for ``name``: a tiny grid in the quick profile.

    Keys are pipeline parameter names (``model__C``).
    """
    quick = profile.name == "quick"
    grids = {
        "majority": {},
        "knn": {"model__n_neighbors": [3, 7] if quick else [1, 3, 5, 9, 15],
                "model__weights": ["uniform"] if quick else ["uniform", "distance"]},
        "logreg": {"model__C": [1.0] if quick else [0.01, 0.1, 1.0, 10.0]},
        "svm_linear": {"model__C": [0.1] if quick else [0.001, 0.01, 0.1, 1.0]},
        "svm_rbf": {"model__C": [1.0, 10.0] if quick else [1.0, 10.0, 100.0],
                    "model__gamma": ["scale"] if quick else ["scale", 0.01, 0.001]},
        "xgboost": {"model__estimator__n_estimators": [60] if quick else [200, 500],
                    "model__estimator__max_depth": [3] if quick else [3, 6],
                    "model__estimator__learning_rate": [0.2] if quick else [0.05, 0.1]},
    }
    if name not in grids:
        raise ConfigError(f"unknown model {name!r}; expected one of {MODELS}")
    return grids[name]


def feature_columns(table: pd.DataFrame) -> list[str]:
    """The numeric columns of a feature table that are features (not ids, times or sizes)."""
    columns = [c for c in table.columns
               if c not in NOT_FEATURES and pd.api.types.is_numeric_dtype(table[c])
               and not pd.api.types.is_bool_dtype(table[c])]
    if not columns:
        raise ConfigError("the table has no numeric feature columns")
    return columns


def frame_statistics(X: np.ndarray, table: pd.DataFrame, *, prefix: str = "logmel") -> pd.DataFrame:
    """Summarise each time-frequency matrix by the mean and standard deviation of every band over time.

    Parameters
    ----------
    X : np.ndarray, shape (n_rows, n_bands, n_frames)
        E.g. log-mel segments from :func:`course_utils.features.segment_spectrograms`.
    table : pd.DataFrame, n_rows rows
        What each matrix is (``track_id``, ``label``, ``segment``, ...); kept as the first columns.
    prefix : str
        Column names are ``{prefix}{band}_mean`` and ``{prefix}{band}_std`` (bands from 1).

    Returns
    -------
    pd.DataFrame, shape (n_rows, len(table.columns) + 2 * n_bands)
    """
    X = np.asarray(X)
    if X.ndim != 3 or len(X) != len(table):
        raise ConfigError(f"expected X of shape (n_rows={len(table)}, n_bands, n_frames), got {X.shape}")
    bands = range(1, X.shape[1] + 1)
    stats = pd.DataFrame(np.concatenate([X.mean(axis=2), X.std(axis=2)], axis=1).astype(np.float64),
                         columns=[f"{prefix}{b}_mean" for b in bands] + [f"{prefix}{b}_std" for b in bands])
    return pd.concat([table.reset_index(drop=True), stats], axis=1)


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
    smallest = int(table.drop_duplicates("track_id")["label"].value_counts().min())
    n_splits = min(profile.cv_folds, smallest)
    if n_splits < 2:
        raise SplitError(f"grouped cross-validation needs at least 2 training tracks per genre; the smallest "
                         f"genre has {smallest}")
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


def count_parameters(pipeline: Pipeline) -> int:
    """How many numbers a fitted pipeline stores to make its predictions."""
    total = 0
    for _, step in pipeline.steps:
        step = getattr(step, "estimator_", step)
        if isinstance(step, StandardScaler):
            total += step.mean_.size + step.scale_.size
        elif isinstance(step, DummyClassifier):
            total += len(step.classes_)
        elif isinstance(step, KNeighborsClassifier):
            total += step.n_samples_fit_ * step.n_features_in_
        elif isinstance(step, (LogisticRegression, LinearSVC)):
            total += step.coef_.size + step.intercept_.size
        elif isinstance(step, SVC):
            total += step.support_vectors_.size + step.dual_coef_.size + step.intercept_.size
        elif isinstance(step, XGBClassifier):
            total += len(step.get_booster().trees_to_dataframe())  # one split or leaf value per node
        else:
            raise ConfigError(f"count_parameters does not know {type(step).__name__}")
    return int(total)


def xgboost_gain(pipeline: Pipeline, features: list[str]) -> pd.Series:
    """Average gain of the splits on each feature in a fitted XGBoost pipeline, largest first.

    The gain is how much a feature's splits reduce the training loss on average; features never
    used for a split get 0.
    """
    booster = getattr(pipeline[-1], "estimator_", pipeline[-1])
    if not isinstance(booster, XGBClassifier):
        raise ConfigError(f"expected a fitted XGBoost pipeline, got a {type(booster).__name__}")
    if booster.n_features_in_ != len(features):
        raise ConfigError(f"the model has {booster.n_features_in_} features, {len(features)} names were given")
    gain = booster.get_booster().get_score(importance_type="gain")
    values = [gain.get(f"f{i}", gain.get(name, 0.0)) for i, name in enumerate(features)]
    return pd.Series(values, index=features, name="gain").sort_values(ascending=False)


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

    def record(self, *, features: str, split, profile, dataset, seed: int) -> Path:
        """Add these track-level results to the registry (:func:`course_utils.evaluate.record_result`)
        under the model's name, the chosen hyper-parameters as notes; returns the file written."""
        return record_result(model=self.name, features=features, scores=self.scores, split=split, profile=profile,
                             dataset=dataset, train_seconds=self.train_seconds, predict_seconds=self.predict_seconds,
                             n_params=self.n_params, seed=seed, notes=str(self.best_params), predictions=self.tracks)

    def summary(self) -> dict:
        """One row for a results table."""
        return {"model": self.name, "track accuracy": self.scores.accuracy, "track macro F1": self.scores.macro_f1,
                "segment accuracy": self.segment_scores.accuracy, "cv accuracy": self.cv_accuracy,
                "train s": self.train_seconds, "params": self.n_params,
                "best": ", ".join(f"{k.split('__')[-1]}={v}" for k, v in self.best_params.items())}


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
        Every genre of the task.
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
    segment_scores = class_scores(model, test[features])
    predict_seconds = time.perf_counter() - start
    classes = list(model.classes_)
    tracks = aggregate_tracks(test["track_id"], segment_scores, classes=classes, method=method, y_true=test["label"])
    segment_predictions = np.asarray(classes, dtype=object)[segment_scores.argmax(axis=1)]
    return Fitted(
        name=name, model=model, best_params=dict(search.best_params_), cv_accuracy=float(search.best_score_),
        scores=score(tracks["label"], tracks["predicted"], labels=labels),
        segment_scores=score(test["label"], segment_predictions, labels=labels),
        tracks=tracks, train_seconds=train_seconds, predict_seconds=predict_seconds,
        n_params=count_parameters(model),
    )
