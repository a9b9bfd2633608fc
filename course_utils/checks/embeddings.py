"""Checks for the exercises of chapter 5 (pretrained embeddings: YAMNet and musicnn).

Used in: solutions/05_pretrained_embeddings_exercises.ipynb
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from course_utils import embeddings
from course_utils.checks import check, reject, reject_known_mistake
from course_utils.embeddings import yamnet

MODELS = ("yamnet", "MSD_musicnn")
POOLINGS = ("mean", "mean_std")


def _show(values: np.ndarray, n: int = 4) -> str:
    shown = ", ".join(f"{v:g}" for v in values[:n])
    return f"[{shown}{', ...' if len(values) > n else ''}]"


def _one_number(value, what: str) -> float:
    if np.ndim(value) != 0:
        reject(f"{what} should return one number, got an array of shape {np.shape(value)}")
    try:
        return float(value)
    except (TypeError, ValueError):
        reject(f"{what} should return a number, got {value!r}")


@check("5.1")
def check_frame_times(yamnet_frame_times) -> str:
    """``yamnet_frame_times(n_samples)`` gives the start (s) of each YAMNet frame of a 16-kHz signal."""
    window, hop, sr = yamnet.WINDOW, yamnet.HOP, yamnet.SR
    for n_samples in (8000, window, window + 1, window + hop, window + hop + 1, 10 * sr, 30 * sr + 123):
        expected = np.arange(yamnet.frame_count(n_samples)) * hop / sr
        value = yamnet_frame_times(n_samples)
        if np.ndim(value) != 1:
            reject(f"yamnet_frame_times({n_samples}) should return the start times (one value per frame), "
                   f"got {value!r}")
        got = np.asarray(value, dtype=float)
        where = f"for {n_samples} samples ({n_samples / sr:.3f} s)"
        if len(got) == len(expected) and np.allclose(got, expected, atol=1e-6):
            continue
        if len(got) == 0:
            reject(f"{where} you gave no frame: a signal shorter than one window is padded with zeros, "
                   "so it still gives one frame, at 0 s")
        if len(got) == len(expected) and np.allclose(got, expected * sr):
            reject(f"{where} your times are in samples ({_show(got)}): divide by the sample rate, {sr} Hz")
        if not np.isclose(got[0], 0.0):
            reject(f"{where} your first frame starts at {got[0]:g} s: the first frame starts at 0 s")
        if len(got) > 1 and np.isclose(got[1] - got[0], window / sr):
            reject(f"your frames start every {window / sr:g} s (the window): frames overlap, a new one "
                   f"starts every {hop / sr:g} s (the hop)")
        if len(got) > 1 and not np.isclose(got[1] - got[0], hop / sr):
            reject(f"your frames start every {got[1] - got[0]:g} s: a new frame starts every {hop / sr:g} s")
        if len(got) == len(expected) - 1:
            reject(f"{where} you gave {len(got)} frames, one too few: YAMNet pads the end with zeros, so a "
                   "window that would run past the end still gives a frame (round up, not down)")
        if len(got) > len(expected):
            reject(f"{where} you gave {len(got)} frames, {len(got) - len(expected)} too many: the last frame is "
                   f"the first whose {window / sr:g}-s window reaches the end of the signal; the length divided "
                   "by the hop counts frames that start where there is nothing left to see")
        reject(f"{where} expected {len(expected)} frames starting at {_show(expected)} s, got {len(got)}: "
               f"{_show(got)}")
    return (f"For 30 s of audio YAMNet gives {yamnet.frame_count(30 * sr)} frames, the last one ending in "
            "the zeros it pads the signal with.")


@check("5.2")
def check_mean_std(mean_std) -> str:
    """``mean_std(frames)`` turns frames (n_frames, d) into their mean followed by their std, shape (2 d,)."""
    rng = np.random.default_rng(5)
    cases = [rng.normal(2.0, 3.0, size=(7, 5)), rng.normal(size=(40, 3)) * [1.0, 10.0, 100.0],
             rng.normal(size=(1, 4)).astype(np.float32)]
    for frames in cases:
        n_frames, d = frames.shape
        original = frames.copy()
        got = np.asarray(mean_std(frames), dtype=float)
        if not np.array_equal(frames, original):
            reject("your function changed the frames it was given: compute new arrays, leave the input alone")
        mean, std = frames.mean(axis=0), frames.std(axis=0)
        expected = np.concatenate([mean, std])
        where = f"for frames of shape {frames.shape}"
        if got.shape == (2, d):
            reject(f"{where} you returned shape (2, {d}): join mean and std into one vector of {2 * d} values "
                   "(np.concatenate, not np.stack)")
        if got.shape in ((2 * n_frames,), (n_frames,)) and n_frames != d:
            reject(f"{where} you returned shape {got.shape}: you pooled the {d} values of each frame (axis=1); "
                   f"pool over the {n_frames} frames (axis=0) to get {2 * d} values")
        if got.shape == (d,):
            reject(f"{where} you returned {d} values: append the standard deviation after the mean ({2 * d} values)")
        if got.shape != (2 * d,):
            reject(f"{where} expected shape ({2 * d},), got {got.shape}")
        if np.isnan(got).any():
            reject(f"{where} you returned nan: with ddof=1 the standard deviation of a single frame divides by "
                   "n_frames - 1 = 0; use np.std's default, ddof=0")
        if np.allclose(got, expected, rtol=1e-5, atol=1e-6):
            continue
        mistakes = [
            (np.concatenate([std, mean]), "the standard deviation comes first: put the mean first, then the std"),
            (np.concatenate([mean, frames.std(axis=0, ddof=1)]) if n_frames > 1 else None,
             "that is the std with ddof=1: use np.std's default, ddof=0, as embeddings.pool does"),
            (np.concatenate([mean, frames.var(axis=0)]), "the second half is the variance: take its square root"),
        ]
        reject_known_mistake(got, mistakes, where=where, rtol=1e-5, atol=1e-6)
        reject(f"{where} expected {_show(expected)}, got {_show(got)} (mean of each column, then std of each "
               "column)")
    return "Same numbers as embeddings.pool(frames, pooling='mean_std'): d means, then d standard deviations."


def logistic_regression() -> Pipeline:
    """The chapter's classifier on embeddings: scaler, then logistic regression."""
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))


@check("5.3")
def check_best_input(cv_accuracy, best, *, dataset, folds, models=MODELS) -> str:
    """``cv_accuracy`` (rows: ``models``, columns: poolings) holds the chapter classifier's mean CV accuracy
    and ``best`` is the (model, pooling) pair with the highest."""
    models = tuple(models)
    if not isinstance(cv_accuracy, pd.DataFrame):
        reject(f"cv_accuracy should be a DataFrame (rows {models}, columns {POOLINGS}), got "
               f"{type(cv_accuracy).__name__}")
    rows, columns = set(cv_accuracy.index), set(cv_accuracy.columns)
    if rows == set(POOLINGS) and columns == set(models):
        reject("cv_accuracy is transposed: one row per model, one column per pooling")
    if rows != set(models) or columns != set(POOLINGS):
        reject(f"cv_accuracy should have rows {list(models)} and columns {list(POOLINGS)}, got rows "
               f"{list(cv_accuracy.index)} and columns {list(cv_accuracy.columns)}")
    values = cv_accuracy.apply(pd.to_numeric, errors="coerce")
    if values.isna().any().any():
        reject(f"cv_accuracy has empty or non-numeric cells:\n{cv_accuracy}")
    expected = {}
    for model in models:
        for pooling in POOLINGS:
            table, X = embeddings.embed_dataset(dataset, model=model, pooling=pooling)
            labels = table["label"].to_numpy()
            right = cross_val_score(logistic_regression(), X, labels, cv=folds).mean()
            got = float(values.loc[model, pooling])
            expected[(model, pooling)] = right
            if abs(got - right) <= 1e-3:
                continue
            where = f"for {model} with pooling {pooling!r} you have {got:.3f}, expected {right:.3f}"
            if abs(got - 100 * right) <= 0.1:
                reject(f"{where}: give accuracies as fractions between 0 and 1, not percentages")
            swapped = "mean_std" if pooling == "mean" else "mean"
            other = embeddings.embed_dataset(dataset, model=model, pooling=swapped)[1]
            variants = [
                (lambda: cross_val_score(LogisticRegression(max_iter=5000), X, labels, cv=folds).mean(),
                 "that is the classifier without the scaler: use make_pipeline(StandardScaler(), "
                 "LogisticRegression(max_iter=5000))"),
                (lambda: cross_val_score(logistic_regression(), X, labels, cv=len(folds)).mean(),
                 f"that is cross_val_score(..., cv={len(folds)}): pass cv=folds, the folds by track of the "
                 "set-up cell, so that every input is tested on the same tracks"),
                (lambda: cross_val_score(logistic_regression(), other, labels, cv=folds).mean(),
                 f"that is the accuracy with pooling {swapped!r}: pass pooling=pooling to embed_dataset"),
            ]
            for compute, hint in variants:
                if abs(got - compute()) <= 1e-3:
                    reject(f"{where}: {hint}")
            reject(f"{where} (the mean of cross_val_score(make_pipeline(StandardScaler(), "
                   "LogisticRegression(max_iter=5000)), X, labels, cv=folds))")
    if isinstance(best, str) or np.ndim(best) != 1 or len(best) != 2:
        reject(f"best should be a pair (model, pooling) such as ('yamnet', 'mean'), got {best!r}")
    best = tuple(str(v) for v in best)
    if best not in expected:
        reject(f"best should be a pair (model, pooling) with a model of {models} and a pooling of {POOLINGS}, "
               f"got {best!r}")
    top = max(expected.values())
    winners = [pair for pair, accuracy in expected.items() if accuracy >= top - 1e-9]
    if best not in winners:
        reject(f"{best} has a CV accuracy of {expected[best]:.3f}, but {winners[0]} has {top:.3f}: pick the "
               "highest")
    n_tracks = len(folds[0][0]) + len(folds[0][1])
    return (f"{best} scores {top:.3f}. One track more or less right moves a mean CV accuracy by about "
            f"{1 / n_tracks:.3f}: smaller differences than that are noise.")


def _scale_problem(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Two genres that one feature of tiny values separates, beside a noise feature of huge values."""
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.repeat(["blues", "rock"], 100))
    signal = 0.01 * (np.where(labels == "rock", 1.0, -1.0) + rng.normal(0.0, 0.6, size=200))
    X = np.column_stack([signal, 100.0 * rng.normal(size=200)])
    return X[:100], labels[:100], X[100:], labels[100:]


@check("5.4")
def check_knn(knn) -> str:
    """``knn`` is an unfitted classifier: a StandardScaler, then a k-nearest-neighbours classifier."""
    if isinstance(knn, type):
        reject(f"knn is the class {knn.__name__}: build an object, e.g. make_pipeline(StandardScaler(), "
               "KNeighborsClassifier(n_neighbors=5))")
    if not (hasattr(knn, "fit") and hasattr(knn, "predict")):
        reject(f"knn should be a scikit-learn classifier (with fit and predict), got {type(knn).__name__}")
    final = knn.steps[-1][1] if isinstance(knn, Pipeline) else knn
    if not isinstance(final, KNeighborsClassifier):
        reject(f"the classifier should end in a KNeighborsClassifier, yours ends in {type(final).__name__}")
    X_train, y_train, X_test, y_test = _scale_problem()
    predicted = clone(knn).fit(X_train, y_train).predict(X_test)
    scaled = make_pipeline(StandardScaler(), clone(final)).fit(X_train, y_train).predict(X_test)
    raw = clone(final).fit(X_train, y_train).predict(X_test)
    accuracy = {name: np.mean(p == y_test) for name, p in {"yours": predicted, "scaled": scaled, "raw": raw}.items()}
    if not np.array_equal(predicted, scaled):
        problem = (f"on two features of very different scales your kNN scores {accuracy['yours']:.2f}, a "
                   f"StandardScaler before the same kNN {accuracy['scaled']:.2f}")
        if np.array_equal(predicted, raw):
            reject(f"{problem}: your kNN measures distances on values that are not scaled, where the feature "
                   "with the largest numbers decides everything. Put a StandardScaler before it, inside the "
                   "pipeline")
        reject(f"{problem}: scale with StandardScaler inside the pipeline, then the kNN")
    return (f"On a feature of tiny values beside one of huge values, scaled kNN (k={final.n_neighbors}) scores "
            f"{accuracy['scaled']:.2f}, unscaled {accuracy['raw']:.2f}.")


class _Spy(ClassifierMixin, BaseEstimator):
    """A classifier that records the rows it is fitted on and asked about; column 0 of X numbers the rows.

    It predicts the true label for the rows listed in ``right`` and "wrong" for the others.
    """

    calls: list = []  # shared by the clones a learner may make; reset by the check

    def __init__(self, truth=(), right=()):
        self.truth = truth
        self.right = right

    def _rows(self, X) -> np.ndarray:
        return np.asarray(X)[:, 0].astype(int)

    def fit(self, X, y):
        _Spy.calls.append(("fit", self._rows(X), np.asarray(y).astype(str)))
        self.classes_ = np.unique(np.asarray(y).astype(str))
        return self

    def predict(self, X):
        rows = self._rows(X)
        _Spy.calls.append(("predict", rows, None))
        return np.where(np.isin(rows, self.right), np.asarray(self.truth, dtype=object)[rows], "wrong")


def _segment_table(seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Segments of 12 tracks split by track (6 train, 2 valid, 4 test), shuffled, with a scrambled index;
    X's column 0 numbers the rows."""
    rng = np.random.default_rng(seed)
    parts = ["train"] * 6 + ["valid"] * 2 + ["test"] * 4
    genres = ["blues", "jazz", "rock"] * 4
    rows = [(f"{genre}.{k:05d}", genre, part, s) for k, (genre, part) in enumerate(zip(genres, parts))
            for s in range(2 + k % 2)]
    table = pd.DataFrame(rows, columns=["track_id", "label", "split", "segment"])
    table = table.sample(frac=1.0, random_state=seed)
    table.index = rng.permutation(len(table)) + 100
    X = np.column_stack([np.arange(len(table)), rng.normal(size=(len(table), 3))])
    return table, X


@check("5.5")
def check_held_out_accuracy(held_out_accuracy) -> str:
    """``held_out_accuracy(classifier, X, table)`` fits on the rows whose split is not "test" and returns the
    accuracy on the test rows."""
    table, X = _segment_table()
    split = table["split"].to_numpy()
    test_rows, fit_rows = np.flatnonzero(split == "test"), np.flatnonzero(split != "test")
    right = test_rows[: round(0.6 * len(test_rows))]
    expected = len(right) / len(test_rows)
    _Spy.calls = []
    spy = _Spy(truth=tuple(table["label"]), right=tuple(int(r) for r in right))
    value = held_out_accuracy(spy, X.copy(), table.copy())
    if hasattr(value, "fit"):
        reject("you returned the classifier: return its accuracy on the test rows, one number")
    value = _one_number(value, "held_out_accuracy")
    fits = [i for i, call in enumerate(_Spy.calls) if call[0] == "fit"]
    if not fits:
        reject("the classifier was never fitted: call classifier.fit on the training rows first")
    _, fitted, y = _Spy.calls[fits[-1]]
    where = f"in a table of {len(table)} segment rows ({len(fit_rows)} train or valid, {len(test_rows)} test)"
    train_rows = np.flatnonzero(split == "train")
    if set(fitted.tolist()) == set(train_rows.tolist()):
        reject(f"{where} the {len(fit_rows) - len(train_rows)} valid rows were left out of training: nothing is "
               "tuned here, so they join the training rows (split != 'test')")
    if sorted(fitted.tolist()) != fit_rows.tolist():
        n_test_fitted = int(np.isin(fitted, test_rows).sum())
        if len(fitted) == len(fit_rows):
            reject(f"{where} the classifier was fitted on {len(fitted)} rows, but not on the right ones "
                   f"({n_test_fitted} of them are test rows). Select rows of X by position, with a boolean mask "
                   "such as (table['split'] != 'test').to_numpy(), not by the table's index")
        if n_test_fitted:
            reject(f"{where} the classifier was fitted on {n_test_fitted} test rows: fit only on the rows whose "
                   "split is not 'test'")
        reject(f"{where} the classifier was fitted on {len(fitted)} rows instead of the {len(fit_rows)} rows whose "
               "split is not 'test'. Select them with a boolean mask such as (table['split'] != 'test').to_numpy()")
    if not np.array_equal(y, table["label"].to_numpy().astype(str)[fitted]):
        reject(f"{where} the labels passed to fit are not those of the rows of X passed with them: select X's "
               "rows and the labels with the same mask")
    asked = np.concatenate([rows for kind, rows, _ in _Spy.calls[fits[-1]:] if kind == "predict"] or [[]])
    if not len(asked):
        reject("the classifier was never asked to predict: predict the test rows (or use classifier.score)")
    if not set(asked.tolist()) <= set(test_rows.tolist()):
        reject(f"{where} the classifier predicted {np.isin(asked, fit_rows).sum()} training rows: measure the "
               "accuracy on the test rows only")
    if set(asked.tolist()) != set(test_rows.tolist()):
        reject(f"{where} the classifier predicted {len(set(asked.tolist()))} of the {len(test_rows)} test rows: "
               "predict them all")
    if abs(value - expected) > 1e-9:
        if abs(value - 100 * expected) < 1e-6:
            reject(f"you returned {value:g}: give the accuracy as a fraction between 0 and 1, not a percentage")
        reject(f"{where} the classifier got {len(right)} of the {len(test_rows)} test rows right, so the "
               f"accuracy is {expected:.3f}; you returned {value:.3f}. Compare the predictions with the labels "
               "of the same test rows")
    return (f"Fitted on the {len(fit_rows)} train and valid rows only, scored on the {len(test_rows)} test rows, "
            "in a shuffled table with a scrambled index.")
