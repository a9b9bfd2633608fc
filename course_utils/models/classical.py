"""Classical classifiers on feature tables: builders, search grids, and what a fitted pipeline holds.

Every model is a scikit-learn ``Pipeline`` whose scaler sits inside it, so cross-validation and
the final fit compute the scaling from training tracks only. Fitting and scoring them (grid search
with folds grouped by track, one honest fit-and-score) is :mod:`course_utils.evaluate.pipelines`.
Used in: book/06_evaluation_and_splits.ipynb, book/07_classical_ml.ipynb, book/12_comparison.ipynb.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import LabelEncoder, StandardScaler
from sklearn.svm import SVC, LinearSVC
from xgboost import XGBClassifier

from course_utils.config import Profile
from course_utils.errors import ConfigError

MODELS = ("majority", "knn", "logreg", "svm_linear", "svm_rbf", "xgboost")
STATISTICS_ROWS = 1024  # matrices summarised at a time by frame_statistics
# Columns of a feature table that describe a row rather than measure the audio.
NOT_FEATURES = {"segment", "start", "end", "duration", "sr", "channels", "length", "n_segments"}


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
    X : np.ndarray or RowFile, shape (n_rows, n_bands, n_frames)
        E.g. log-mel segments from :func:`course_utils.features.segment_spectrograms`.
    table : pd.DataFrame, n_rows rows
        What each matrix is (``track_id``, ``label``, ``segment``, ...); kept as the first columns.
    prefix : str
        Column names are ``{prefix}{band}_mean`` and ``{prefix}{band}_std`` (bands from 1).

    Returns
    -------
    pd.DataFrame, shape (n_rows, len(table.columns) + 2 * n_bands)
    """
    if np.ndim(X) != 3 or len(X) != len(table):
        raise ConfigError(f"expected X of shape (n_rows={len(table)}, n_bands, n_frames), got {np.shape(X)}")
    bands = range(1, X.shape[1] + 1)
    values = np.empty((len(X), 2 * X.shape[1]))
    for start in range(0, len(X), STATISTICS_ROWS):  # a chunk at a time: X may be on disk (a RowFile)
        chunk = np.asarray(X[start:start + STATISTICS_ROWS], dtype=np.float64)
        values[start:start + len(chunk)] = np.concatenate([chunk.mean(axis=2), chunk.std(axis=2)], axis=1)
    stats = pd.DataFrame(values,
                         columns=[f"{prefix}{b}_mean" for b in bands] + [f"{prefix}{b}_std" for b in bands])
    return pd.concat([table.reset_index(drop=True), stats], axis=1)


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


