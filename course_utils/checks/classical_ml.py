"""Checks for the exercises of chapter 7 (classical machine learning).

Used in: solutions/07_classical_ml_exercises.ipynb
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupKFold, cross_val_score
from xgboost import XGBClassifier

from course_utils.checks import check, reject
from course_utils.data import track_folds
from course_utils.evaluate import aggregate_tracks, class_scores
from course_utils.models import classical

GENRES = ("blues", "jazz", "rock")


def _centroid_case(seed: int, *, spread: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Training rows around one centre per genre (genres first seen in non-sorted order), and new rows."""
    rng = np.random.default_rng(seed)
    order = ["rock", "blues", "jazz"]
    centres = {"rock": [4.0, 0.0], "blues": [0.0, 4.0], "jazz": [-4.0, -4.0]}
    y_train = np.array(order * 10, dtype=object)
    X_train = np.array([centres[g] for g in y_train]) + rng.normal(scale=spread, size=(30, 2))
    X = rng.normal(scale=3.0, size=(200, 2))
    return X_train, y_train, X


def _nearest(X_train, y_train, X, *, farthest: bool = False, first_seen: bool = False) -> np.ndarray:
    genres = np.unique(y_train)
    centres = np.stack([X_train[y_train == g].mean(axis=0) for g in genres])
    distances = ((X[:, None, :] - centres[None]) ** 2).sum(axis=2)
    index = distances.argmax(axis=1) if farthest else distances.argmin(axis=1)
    names = pd.unique(y_train) if first_seen else genres
    return np.asarray(names, dtype=object)[index]


@check("7.1")
def check_nearest_centroid(nearest_centroid) -> str:
    """``nearest_centroid(X_train, y_train, X)`` gives each row of X the genre of the closest mean."""
    X_train, y_train, X = _centroid_case(0, spread=0.5)
    predicted = np.asarray(nearest_centroid(X_train, pd.Series(y_train), X), dtype=object)
    if predicted.shape != (len(X),):
        reject(f"expected one genre per row of X, shape ({len(X)},), got shape {predicted.shape}"
               + (": predict the new rows X, not the training rows" if len(predicted) == len(X_train) else ""))
    if not set(predicted) <= set(GENRES):
        reject(f"predictions should be genre names such as 'rock', got {sorted(map(str, set(predicted)))[:3]}: "
               "map the index of the nearest centroid back to its genre")
    expected = _nearest(X_train, y_train, X)
    if not np.array_equal(predicted, expected):
        if np.array_equal(predicted, _nearest(X_train, y_train, X, farthest=True)):
            reject("every row got the genre of the *farthest* centroid: take the smallest distance (argmin)")
        if np.array_equal(predicted, _nearest(X_train, y_train, X, first_seen=True)):
            reject("the genres are mixed up: the centroids follow np.unique's sorted order, but you named them "
                   "in the order the genres first appear in y_train")
        if np.array_equal(predicted, _nearest(X, expected, X)):
            reject("the centroids seem to come from the new rows X: compute them from X_train and y_train")
        wrong = int(np.sum(predicted != expected))
        reject(f"{wrong} of {len(X)} rows got another genre than the one whose training mean is closest "
               "(Euclidean distance): a centroid is the mean of a genre's training rows")
    X_train, y_train, X = _centroid_case(1, spread=3.0)
    if not np.array_equal(np.asarray(nearest_centroid(X_train, y_train, X), dtype=object),
                          _nearest(X_train, y_train, X)):
        reject("right on well-separated genres, wrong on overlapping ones: use the mean of each genre's "
               "training rows and the Euclidean distance to every mean")
    return "A one-line baseline: no parameters to tune, one mean per genre."


def _cv_table(seed: int, *, informative: bool, separation: float = 3.0) -> tuple[pd.DataFrame, list[str]]:
    """Segments of 48 tracks (12 per genre, 4 segments each) in train, valid and test parts.

    The features of the 8 test tracks are NaN, so that a model fitted or scored on them fails.

    ``informative``: each genre has its own centre (``separation`` sets how far apart the centres
    lie). Otherwise each *track* has its own centre and the genres are assigned at random: only
    memorising recordings can score above chance.
    """
    rng = np.random.default_rng(seed)
    genres = ["blues", "jazz", "pop", "rock"]
    centres = {g: rng.normal(scale=separation, size=6) for g in genres}
    rows, labels = [], rng.permutation(np.repeat(genres, 12))
    for t, genre in enumerate(labels):
        centre = centres[genre] if informative else rng.normal(scale=3.0, size=6)
        part = "test" if t % 6 == 5 else ("valid" if t % 6 == 4 else "train")
        for k in range(4):
            values = centre + rng.normal(scale=1.0 if informative else 0.3, size=6)
            rows.append({"track_id": f"{genre}.{t:05d}", "label": genre, "split": part, "segment": k,
                         **{f"f{j}": values[j] for j in range(6)}})
    table = pd.DataFrame(rows)
    features = [f"f{j}" for j in range(6)]
    table.loc[table["split"] == "test", features] = np.nan  # using a test row makes the SVM fail
    return table, features


def _cv_accuracy(table: pd.DataFrame, features: list[str], C: float | None, *, model: str = "svm_rbf",
                 parts: tuple[str, ...] = ("train", "valid"), folds=None) -> float:
    """Mean accuracy of ``model`` (its C set unless ``None``) over folds of the rows in ``parts``:
    the exercise's recipe with its defaults, a learner's plausible mistake with others."""
    rows = table[table["split"].isin(parts)].reset_index(drop=True)
    pipeline = classical.build(model)
    if C is not None:
        pipeline = pipeline.set_params(model__C=C)
    cv = track_folds(rows, n_splits=3, seed=42) if folds is None else folds(rows)
    return float(cross_val_score(pipeline, rows[features], rows["label"], cv=cv).mean())


_CV_MISTAKES = (  # (keyword arguments of _cv_accuracy that reproduce a mistake, its hint)
    ({"model": "logreg"}, "that is the accuracy of a logistic regression: the exercise asks for the RBF SVM, "
                          "classical.build('svm_rbf')"),
    ({"model": "svm_linear"}, "that is a linear SVM: the exercise asks for the RBF SVM, classical.build('svm_rbf')"),
    ({"parts": ("train",)}, "you cross-validated the 'train' rows only: keep every row whose split is not "
                            "'test' (train and valid)"),
    ({"folds": lambda rows: list(GroupKFold(5).split(rows, groups=rows["track_id"]))},
     "those are GroupKFold(5) folds: use the asked folds, track_folds(rows, n_splits=3, seed=42)"),
    ({"folds": lambda rows: list(GroupKFold(3).split(rows, groups=rows["track_id"]))},
     "those are GroupKFold(3) folds: use the asked folds, track_folds(rows, n_splits=3, seed=42)"),
    ({"folds": lambda rows: track_folds(rows, n_splits=5, seed=42)},
     "those are 5 folds: use the asked folds, track_folds(rows, n_splits=3, seed=42)"),
    ({"folds": lambda rows: 3}, "cv=3 makes folds of rows, not of tracks (here they happen to keep tracks "
                                "together): use the asked folds, track_folds(rows, n_splits=3, seed=42)"),
    ({"C": None}, "that is the SVM with its default C whatever C you are given: set the model's C "
                  "(.set_params(model__C=C)) before cross-validating"),
)


def _run_cv(grouped_cv_accuracy, table: pd.DataFrame, features: list[str], C: float) -> float:
    try:
        value = grouped_cv_accuracy(table.copy(), features=features, C=C)
    except ValueError as err:
        if "NaN" in str(err) or "fits failed" in str(err):
            reject("your function used the test rows (the check filled their features with NaN, and the "
                   "SVM failed on them): keep only the rows with split != 'test'")
        raise
    if np.ndim(value) != 0:
        reject(f"return the mean accuracy over the folds (one number), got shape {np.shape(value)}")
    value = float(value)
    if np.isnan(value):
        reject("your function returned nan: some folds failed, probably on the test rows (the check filled "
               "their features with NaN); keep only the rows with split != 'test'")
    return value


@check("7.2")
def check_grouped_cv(grouped_cv_accuracy) -> str:
    """``grouped_cv_accuracy(table, features=, C=)``: SVM accuracy over track-grouped folds, no test rows."""
    table, features = _cv_table(0, informative=False)
    memorised = _run_cv(grouped_cv_accuracy, table, features, C=10.0)
    if memorised > 0.8:
        reject(f"on a table where only the recordings (not the genres) can be recognised, your cross-validated "
               f"accuracy is {memorised:.2f} (chance: 0.25): the folds put segments of one track on both sides. "
               "Use track_folds (folds grouped by track) as cv")
    easy, hard = _cv_table(1, informative=True), _cv_table(2, informative=True, separation=0.8)
    found = {}
    for name, (table, features), C in (("overlapping", hard, 1.0), ("overlapping", hard, 10.0), ("easy", easy, 1.0),
                                       ("easy", easy, 1e-3)):
        value, expected = _run_cv(grouped_cv_accuracy, table, features, C), _cv_accuracy(table, features, C)
        found[name, C] = value
        if abs(value - expected) < 1e-9:
            continue
        where = f"on {name} genres with C={C:g} the mean accuracy should be {expected:.3f}, yours is {value:.3f}"
        for arguments, hint in _CV_MISTAKES:
            if abs(value - _cv_accuracy(table, features, **{"C": C, **arguments})) < 1e-9:
                reject(f"{where}: {hint}")
        reject(f"{where}: keep the rows whose split is not 'test' (reset_index), make track_folds(rows, "
               "n_splits=3, seed=42) and average cross_val_score of classical.build('svm_rbf') with model__C=C")
    return (f"Memorising recordings gets {memorised:.2f} (chance 0.25) with your folds; on easy data C=1 "
            f"gives {found['easy', 1.0]:.2f} and C=0.001 {found['easy', 1e-3]:.2f}.")


class _SpyModel:
    """Stands in for a classifier: records what it is fitted on and scores rows by a marker column."""

    def __init__(self, scores: dict[float, list[float]], classes: list[str]):
        self.scores, self.classes = scores, classes
        self.fitted_on: list[float] | None = None

    @staticmethod
    def _markers(X) -> np.ndarray:
        values = X["marker"] if isinstance(X, pd.DataFrame) and "marker" in X else np.asarray(X)[:, 0]
        try:
            return np.asarray(values, dtype=float)
        except (TypeError, ValueError):
            reject("the model received non-numeric columns: pass only table[features]")

    def fit(self, X, y):
        if np.ndim(X) != 2 or np.shape(X)[1] != 2:
            reject(f"fit received {np.shape(X)[1] if np.ndim(X) == 2 else np.shape(X)} columns; the table has "
                   "2 feature columns: pass only table[features]")
        self.fitted_on, self.fitted_labels = list(self._markers(X)), list(np.asarray(y, dtype=object))
        self.classes_ = np.array(self.classes, dtype=object)
        return self

    def predict_proba(self, X) -> np.ndarray:
        if self.fitted_on is None:
            reject("the model was asked to predict before it was fitted: fit it on the non-test rows first")
        markers = self._markers(X)
        unknown = [m for m in markers if m not in self.scores]
        if unknown:
            reject("the model was asked to predict rows that are not test rows: predict only the test rows")
        return np.array([self.scores[m] for m in markers])

    def predict(self, X) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


def _spy_case() -> tuple[pd.DataFrame, _SpyModel, dict[str, str]]:
    """A shuffled segment table (train, valid, test tracks) and a spy whose test scores are crafted.

    On every test track the first segment disagrees with the others, and a mean of scores and a vote
    of segments agree.
    """
    test_scores = {  # track -> (true genre, predicted genre, scores of its segments)
        "blues.00007": ("blues", "blues", [[0.3, 0.6, 0.1], [0.8, 0.1, 0.1], [0.7, 0.2, 0.1]]),
        "jazz.00008": ("jazz", "rock", [[0.1, 0.7, 0.2], [0.1, 0.3, 0.6], [0.2, 0.2, 0.6]]),
        "rock.00009": ("rock", "rock", [[0.5, 0.1, 0.4], [0.1, 0.2, 0.7], [0.2, 0.1, 0.7]]),
    }
    rows, scores, marker = [], {}, 0.0
    for t in range(6):
        genre = GENRES[t % 3]
        for k in range(3):
            rows.append((f"{genre}.{t:05d}", genre, "train" if t < 3 else "valid", k, marker))
            marker += 1
    for track, (genre, _, segment_scores) in test_scores.items():
        for k, values in enumerate(segment_scores):
            rows.append((track, genre, "test", k, marker))
            scores[marker] = values
            marker += 1
    table = pd.DataFrame(rows, columns=["track_id", "label", "split", "segment", "marker"])
    table["loudness"] = np.linspace(-1.0, 1.0, len(table))
    table = table.sample(frac=1.0, random_state=1).reset_index(drop=True)
    return table, _SpyModel(scores, list(GENRES)), {t: p for t, (_, p, _) in test_scores.items()}


@check("7.3")
def check_test_track_predictions(test_track_predictions) -> str:
    """``test_track_predictions(model, table, features=)`` fits on non-test rows and predicts each test track."""
    table, spy, expected = _spy_case()
    tracks = test_track_predictions(spy, table.copy(), features=["marker", "loudness"])
    if spy.fitted_on is None:
        reject("the model you were given was never fitted: call model.fit(...) on the non-test rows")
    development = table[table["split"] != "test"]
    fitted_on, test_markers = set(spy.fitted_on), set(table.loc[table["split"] == "test", "marker"])
    if fitted_on & test_markers:
        reject(f"the model was fitted on {len(fitted_on & test_markers)} test rows: fit on split != 'test' only")
    if fitted_on == set(table.loc[table["split"] == "train", "marker"]):
        reject("the model was fitted on the 'train' rows only: fit it on every row that is not 'test' "
               "(train and valid tracks together)")
    if sorted(spy.fitted_on) != sorted(development["marker"]):
        reject(f"the model was fitted on {len(spy.fitted_on)} rows; expected the {len(development)} rows "
               "that are not 'test'")
    truth = dict(zip(development["marker"], development["label"]))
    if [truth[m] for m in spy.fitted_on] != spy.fitted_labels:
        reject("the labels given to fit do not belong to the rows given to fit: pass table['label'] of the "
               "same rows")
    if not isinstance(tracks, pd.DataFrame) or not {"track_id", "label", "predicted"} <= set(tracks.columns):
        reject("return a DataFrame with columns track_id, label and predicted (evaluate.aggregate_tracks "
               "makes one)")
    if len(tracks) == len(test_markers):
        reject(f"you returned {len(tracks)} rows, one per test segment: combine each track's segments into one "
               "prediction (evaluate.aggregate_tracks)")
    if sorted(tracks["track_id"]) != sorted(expected):
        reject(f"expected one row for each test track {sorted(expected)}, got {sorted(map(str, tracks['track_id']))}")
    got = dict(zip(tracks["track_id"], tracks["predicted"]))
    labels = dict(zip(tracks["track_id"], tracks["label"]))
    if any(labels[t] != t.split(".")[0] for t in expected):
        reject("the label column should hold each track's true genre")
    for track, genre in expected.items():
        if got[track] != genre:
            reject(f"{track}: its segments' scores and votes point to {genre!r}, you predicted {got[track]!r} "
                   "(only its first segment says so?): combine all segments of a track")
    return "Fitted on train and valid rows only, predicted the test rows, one answer per test track."


def _final_estimator(model):
    step = model.steps[-1][1] if hasattr(model, "steps") else model
    return getattr(step, "estimator_", getattr(step, "estimator", step))


@check("7.4")
def check_model_swap(model, tracks: pd.DataFrame, scores, *, table: pd.DataFrame, features: list[str]) -> str:
    """An XGBoost pipeline, fitted on the non-test rows, scored per test track."""
    estimator = _final_estimator(model)
    if not isinstance(estimator, XGBClassifier):
        reject(f"the model ends in a {type(estimator).__name__}, not XGBoost: build it with "
               "classical.build('xgboost', seed=seed)")
    if not hasattr(model, "classes_"):
        reject("the model is not fitted: pass it to test_track_predictions, which fits it")
    development, test = table[table["split"] != "test"], table[table["split"] == "test"]
    scaler = model.steps[0][1] if hasattr(model, "steps") else None
    seen = getattr(scaler, "n_samples_seen_", None)
    if seen is not None and int(seen) != len(development):
        reject(f"the model was fitted on {int(seen)} rows, but the table has {len(development)} non-test rows"
               + (": the test rows were included" if int(seen) > len(development) else ""))
    if not isinstance(tracks, pd.DataFrame) or "predicted" not in tracks or "track_id" not in tracks:
        reject("xgb_tracks should be the DataFrame returned by test_track_predictions")
    test_ids = sorted(test["track_id"].unique())
    if sorted(tracks["track_id"]) != test_ids:
        reject(f"xgb_tracks should have one row for each of the {len(test_ids)} test tracks, got {len(tracks)} "
               f"rows ({len(set(tracks['track_id']) - set(test_ids))} of them not test tracks)")
    segment_scores = class_scores(model, test[features])
    answers = [aggregate_tracks(test["track_id"], segment_scores, classes=model.classes_, method=method)
               .set_index("track_id")["predicted"] for method in ("mean", "vote")]
    mine = tracks.set_index("track_id")["predicted"]
    if not any(np.array_equal(mine.reindex(answer.index).astype(str), answer.astype(str)) for answer in answers):
        reject("xgb_tracks' predictions are not those of xgb_model on the test rows: compute them with this "
               "model")
    if not hasattr(scores, "n") or not hasattr(scores, "accuracy"):
        reject(f"xgb_scores should be the result of evaluate.score(...), got {type(scores).__name__}")
    if scores.n != len(test_ids):
        reject(f"the scores count {scores.n} items, but there are {len(test_ids)} test tracks: score xgb_tracks' "
               "label and predicted columns (one per track), not the segments")
    accuracy = float(np.mean(tracks["label"].to_numpy() == tracks["predicted"].to_numpy()))
    if abs(scores.accuracy - accuracy) > 1e-9:
        reject(f"the scores' accuracy {scores.accuracy:.3f} is not that of xgb_tracks ({accuracy:.3f})")
    low, high = scores.interval()
    return (f"XGBoost gets {scores.accuracy:.0%} of {scores.n} test tracks right (95% interval "
            f"{low:.2f}-{high:.2f}).")
