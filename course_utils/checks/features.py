"""Checks for the exercises of chapter 4 (MFCCs and the handcrafted feature table).

Used in: solutions/04_mfcc_and_features_exercises.ipynb
"""

from __future__ import annotations

import librosa
import numpy as np
import pandas as pd
import scipy.fft
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from course_utils.checks import check, reject, reject_known_mistake
from course_utils.models import classical


def _matrix(value, what: str) -> np.ndarray:
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        reject(f"{what} should return a matrix (numpy array), got {type(value).__name__}")


@check("4.1")
def check_mfcc_from_log_mel(mfcc_from_log_mel) -> str:
    """``mfcc_from_log_mel(S_db, n_mfcc)`` gives librosa's MFCCs of a log-mel spectrogram."""
    rng = np.random.default_rng(4)
    for n_mels, frames, n_mfcc in ((128, 50, 20), (40, 31, 13)):
        S_db = (rng.normal(size=(n_mels, frames)).cumsum(axis=0) * 3 - 40).astype(np.float32)
        original = S_db.copy()
        got = _matrix(mfcc_from_log_mel(S_db, n_mfcc), "mfcc_from_log_mel")
        if not np.array_equal(S_db, original):
            reject("your function changed the log-mel matrix it was given: compute a new array")
        expected = librosa.feature.mfcc(S=S_db, n_mfcc=n_mfcc)
        where = f"for a log-mel matrix of shape {S_db.shape} and n_mfcc={n_mfcc}"
        if got.shape == expected.shape[::-1]:
            reject(f"{where} expected shape {expected.shape}, got {got.shape}: did you transpose? One row per "
                   "coefficient, one column per frame, like the log-mel matrix")
        if got.shape == S_db.shape:
            reject(f"{where} you returned all {n_mels} coefficients: keep the first n_mfcc rows")
        if got.shape != expected.shape:
            reject(f"{where} expected shape {expected.shape}, got {got.shape}")
        if np.allclose(got, expected, rtol=1e-4, atol=1e-3):
            continue
        mistakes = [
            (scipy.fft.dct(S_db, type=2, norm="ortho", axis=1)[:n_mfcc] if frames >= n_mfcc else None,
             "you transformed along time (axis 1): the DCT runs over the mel bands of each frame (axis 0)"),
            (scipy.fft.dct(S_db, type=2, axis=0)[:n_mfcc],
             "the values are scaled differently: pass norm='ortho' (without it the DCT is not orthonormal)"),
            (scipy.fft.dct(S_db, type=2, norm="ortho", axis=0)[-n_mfcc:],
             "those are the last coefficients (the finest ripples): keep the first n_mfcc rows"),
            (scipy.fft.dct(S_db, type=3, norm="ortho", axis=0)[:n_mfcc],
             "that is the DCT of type III (the inverse): use type=2"),
            (scipy.fft.dct(librosa.power_to_db(S_db), type=2, norm="ortho", axis=0)[:n_mfcc],
             "S_db is already in decibels: apply the DCT to it directly, without another power_to_db"),
        ]
        reject_known_mistake(got, mistakes, where=where, rtol=1e-4, atol=1e-3)
        reject(f"{where} your coefficients differ from librosa.feature.mfcc(S=S_db, n_mfcc={n_mfcc}) by up to "
               f"{np.abs(got - expected).max():.3g}: use scipy.fft.dct(S_db, type=2, norm='ortho', axis=0)")
    return "The same as librosa.feature.mfcc(S=S_db): a DCT-II over the mel bands, orthonormal, first rows kept."


def kaggle_names(n: int, *, prefix: str) -> list[str]:
    """``{prefix}1_mean, {prefix}1_var, {prefix}2_mean, ...``: the Kaggle table's order."""
    return [f"{prefix}{i}_{stat}" for i in range(1, n + 1) for stat in ("mean", "var")]


def kaggle_summary_reference(M: np.ndarray, *, prefix: str = "mfcc") -> dict[str, float]:
    """The mean and variance (ddof=0) of each row of ``M`` over time, named and ordered as in the Kaggle table."""
    M = np.asarray(M, dtype=np.float64)
    values = np.column_stack([M.mean(axis=1), M.var(axis=1)]).ravel()
    return dict(zip(kaggle_names(len(M), prefix=prefix), values.tolist()))


@check("4.2")
def check_kaggle_summary(kaggle_summary) -> str:
    """``kaggle_summary(M, prefix=)`` gives the mean and variance over time of each row, with Kaggle names."""
    rng = np.random.default_rng(2)
    for rows, frames, prefix in ((20, 130, "mfcc"), (12, 7, "chroma")):
        M = rng.normal(loc=np.arange(rows)[:, None], scale=1 + np.arange(rows)[:, None], size=(rows, frames))
        got = kaggle_summary(M.astype(np.float32), prefix=prefix)
        where = f"for a matrix of shape {M.shape} with prefix={prefix!r}"
        if not isinstance(got, dict):
            reject(f"kaggle_summary should return a dict {{column name: value}}, got {type(got).__name__}")
        expected = kaggle_summary_reference(M, prefix=prefix)
        names = list(got)
        if len(names) == 2 * frames and frames != rows:
            reject(f"{where} you made {len(names)} columns: you summarised each frame over the coefficients (axis 0);"
                   " summarise each coefficient over time (axis 1)")
        if f"{prefix}0_mean" in names:
            reject(f"{where} the first name is {names[0]!r}: the Kaggle table counts coefficients from 1 "
                   f"({prefix}1_mean)")
        if sorted(names) != sorted(expected):
            reject(f"{where} expected the columns {list(expected)[:4]} ... {list(expected)[-1]}, got "
                   f"{names[:4]} ... {names[-1] if names else ''}")
        if names != list(expected):
            reject(f"{where} your columns start {names[:3]}: the Kaggle order gives each coefficient's mean then its "
                   f"variance ({list(expected)[:3]}, ...)")
        values = np.array([float(got[name]) for name in expected])
        right = np.array(list(expected.values()))
        if np.allclose(values, right, rtol=1e-4, atol=1e-6):
            continue
        means, variances = M.mean(axis=1), M.var(axis=1)
        mistakes = [(np.column_stack([means, M.std(axis=1)]).ravel(),
                     "the *_var columns hold standard deviations: the Kaggle table keeps the variance (std squared)"),
                    (np.column_stack([means, M.var(axis=1, ddof=1)]).ravel(),
                     "that is the variance with ddof=1: use numpy's default, ddof=0, as the Kaggle table does"),
                    (np.column_stack([variances, means]).ravel(), "means and variances are swapped")]
        reject_known_mistake(values, mistakes, where=where, rtol=1e-4, atol=1e-6)
        reject(f"{where} expected {dict(list(expected.items())[:2])}, got "
               f"{ {name: got[name] for name in list(expected)[:2]} }")
    return "Mean then variance of each coefficient over time, named mfcc1_mean, mfcc1_var, ... as in the Kaggle table."


def _cv(X: np.ndarray, labels, folds, *, seed: int, scale: bool = True, cv=None) -> float:
    model = classical.build("logreg", seed=seed, scale=scale)
    return float(cross_val_score(model, X, labels, cv=folds if cv is None else cv).mean())


def summary_matrix(X: np.ndarray, k: int) -> np.ndarray:
    """Per segment, the mean and variance of the first ``k`` MFCCs; shape (n_segments, 2 k)."""
    first = np.asarray(X, dtype=np.float64)[:, :k]
    return np.stack([first.mean(axis=2), first.var(axis=2)], axis=2).reshape(len(first), 2 * k)


@check("4.3")
def check_enough_mfccs(cv_by_n_mfcc, enough, *, X: np.ndarray, labels, folds, seed: int,
                       tolerance: float = 0.02, rounding: float = 0.005) -> str:
    """``cv_by_n_mfcc`` holds the grouped CV accuracy for each number of MFCCs and ``enough`` is the smallest
    number within ``tolerance`` of the best.

    The values that decide the answer (the best, ``enough`` and the candidate below it) are recomputed;
    recomputing all of them would double the learner's run time in the full profile.
    """
    if not isinstance(cv_by_n_mfcc, pd.Series):
        reject(f"cv_by_n_mfcc should be a pandas Series (index: n_mfcc, values: accuracy), got "
               f"{type(cv_by_n_mfcc).__name__}")
    values = pd.to_numeric(cv_by_n_mfcc, errors="coerce")
    if values.isna().any() or len(values) < 3:
        reject(f"cv_by_n_mfcc should hold one accuracy for each n_mfcc you tried (at least 3), got:\n{cv_by_n_mfcc}")
    values.index = [int(k) for k in values.index]
    values = values.sort_index()
    if not 1 <= values.index[0] <= values.index[-1] <= X.shape[1]:
        reject(f"every n_mfcc should lie between 1 and {X.shape[1]}, the number of MFCCs computed; you tried "
               f"{list(values.index)}")
    if isinstance(enough, (bool, np.bool_)) or not isinstance(enough, (int, np.integer)) or enough not in values:
        reject(f"enough should be one of the n_mfcc values you tried, {list(values.index)}, got {enough!r}")
    below = [k for k in values.index if k < enough]
    for k in sorted({int(values.idxmax()), int(enough), *below[-1:]}):
        got, right = float(values[k]), _cv(summary_matrix(X, k), labels, folds, seed=seed)
        if abs(got - right) <= rounding:  # float32 sums may flip a borderline segment or two
            continue
        where = f"for n_mfcc={k} you have {got:.3f}, expected {right:.3f}"
        if abs(got - 100 * right) <= 100 * rounding:
            reject(f"{where}: give accuracies as fractions between 0 and 1, not percentages")
        variants = [(lambda: _cv(summary_matrix(X, k), labels, folds, seed=seed, cv=len(folds)),
                     f"that is cv={len(folds)}: pass cv=folds, the folds by track, so that no track has segments on "
                     "both sides"),
                    (lambda: _cv(summary_matrix(X, k), labels, folds, seed=seed, scale=False),
                     "that is the model without its scaler: use classical.build('logreg', seed=seed)"),
                    (lambda: _cv(summary_matrix(X, X.shape[1]), labels, folds, seed=seed),
                     f"that is the accuracy with all {X.shape[1]} MFCCs: keep the first k rows, X[:, :k]")]
        for compute, hint in variants:
            if abs(got - compute()) <= rounding:
                reject(f"{where}: {hint}")
        reject(f"{where} (mean of cross_val_score(classical.build('logreg', seed=seed), table, labels, cv=folds) on "
               "the mean and variance of the first n_mfcc MFCCs)")
    best = float(values.max())
    smallest = min(k for k, v in values.items() if v >= best - tolerance)
    if enough != smallest:
        if values[enough] < best - tolerance:
            reject(f"n_mfcc={enough} scores {values[enough]:.3f}, more than {tolerance} below the best "
                   f"({best:.3f}): pick one within {tolerance} of the best")
        reject(f"n_mfcc={enough} is within {tolerance} of the best, but n_mfcc={smallest} already is "
               f"({values[smallest]:.3f}): take the smallest")
    return (f"{smallest} MFCCs score {values[smallest]:.3f}, within {tolerance} of the best ({best:.3f}, with "
            f"{int(values.idxmax())}).")


def _scaling_table(seed: int = 0) -> tuple[pd.DataFrame, list[str]]:
    """Two genres, 30 tracks; test rows shifted far away, so a scaler that saw them has other means.

    Two features on very different scales; an extra numeric column that is not a feature.
    """
    rng = np.random.default_rng(seed)
    labels = np.repeat(["blues", "rock"], 15)
    split = np.tile(["train"] * 9 + ["valid"] * 2 + ["test"] * 4, 2)
    sign = np.where(labels == "rock", 1.0, -1.0)
    table = pd.DataFrame({"track_id": [f"{g}.{i:05d}" for i, g in enumerate(labels)], "label": labels,
                          "split": split, "segment": rng.integers(0, 1000, size=30),
                          "tempo": 120 + 40 * sign + 10 * rng.normal(size=30),
                          "rms_var": 1e-4 * (1 + 0.3 * rng.normal(size=30))})
    test = table["split"] == "test"
    table.loc[test, "tempo"] += 500.0
    table.loc[test, "rms_var"] += 1e-3
    return table, ["tempo", "rms_var"]


@check("4.4")
def check_fit_logreg(fit_logreg) -> str:
    """``fit_logreg(table, features=)`` returns a fitted pipeline, a scaler then a logistic regression, fitted on
    the rows whose split is not "test"."""
    table, columns = _scaling_table()
    model = fit_logreg(table.copy(), features=list(columns))
    if not isinstance(model, Pipeline):
        if isinstance(model, LogisticRegression):
            reject("you returned the logistic regression alone: return the whole pipeline (scaler, then model), so "
                   "that it takes raw feature values and scales them the way it learned")
        reject(f"fit_logreg should return a fitted scikit-learn Pipeline, got {type(model).__name__}")
    if not isinstance(model[-1], LogisticRegression):
        reject(f"the pipeline should end in a LogisticRegression, yours ends in {type(model[-1]).__name__}")
    scalers = [step for _, step in model.steps[:-1] if isinstance(step, StandardScaler)]
    if not scalers:
        reject("the pipeline has no StandardScaler: tempo (about 100) and rms_var (about 0.0001) differ by a factor "
               "of a million; put a StandardScaler before the logistic regression")
    scaler = scalers[0]
    if not hasattr(scaler, "mean_"):
        reject("the pipeline is not fitted: call .fit on the training rows before returning it")
    if getattr(model[-1], "n_features_in_", None) != len(columns) or len(scaler.mean_) != len(columns):
        reject(f"the model was fitted on {len(scaler.mean_)} columns, expected the {len(columns)} listed in features "
               f"({columns}): select table[features]")
    train = table["split"] != "test"
    means = {"train and valid rows": table.loc[train, columns].mean().to_numpy(),
             "all rows": table[columns].mean().to_numpy(),
             "train rows only": table.loc[table["split"] == "train", columns].mean().to_numpy()}
    fitted_on = next((name for name, mean in means.items() if np.allclose(scaler.mean_, mean, rtol=1e-6)), None)
    if fitted_on == "all rows":
        reject("the scaler learned its means from all rows, test rows included (the test tempo is shifted by 500 "
               "here and the scaler's mean moved): fit the pipeline on the rows whose split is not 'test'")
    if fitted_on == "train rows only":
        reject("the pipeline was fitted on the 'train' rows only: nothing is tuned here, so the 'valid' rows join "
               "the training rows (split != 'test')")
    if fitted_on is None:
        reject(f"the scaler's means {scaler.mean_} are not those of the training rows ({means['train and valid rows']}):"
               " fit the whole pipeline on table[table['split'] != 'test']")
    reference = clone(model).fit(table.loc[train, columns], table.loc[train, "label"])
    if not np.array_equal(model.predict(table[columns]), reference.predict(table[columns])):
        reject("the logistic regression was not fitted on the same rows as the scaler: fit the pipeline as a whole "
               "(pipeline.fit(X_train, y_train))")
    return "Scaler and model learned from the training tracks only; the test tracks stay unseen until scoring."
