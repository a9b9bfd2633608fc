import numpy as np
import pandas as pd
import pytest
import scipy.fft
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from course_utils.checks import CheckFailed
from course_utils.checks import features as checks
from course_utils.data import track_folds
from course_utils.models import classical


def true_mfcc(S_db, n_mfcc):
    return scipy.fft.dct(np.asarray(S_db), type=2, norm="ortho", axis=0)[:n_mfcc]


def true_summary(M, *, prefix="mfcc"):
    out = {}
    for i, row in enumerate(np.asarray(M, dtype=np.float64), start=1):
        out[f"{prefix}{i}_mean"], out[f"{prefix}{i}_var"] = row.mean(), row.var()
    return out


def true_fit_logreg(table, *, features):
    train = table[table["split"] != "test"]
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)).fit(train[features], train["label"])


def test_right_answers_pass(capsys):
    assert checks.check_mfcc_from_log_mel(true_mfcc)
    assert checks.check_kaggle_summary(true_summary)
    assert checks.check_fit_logreg(true_fit_logreg)
    assert checks.check_fit_logreg(lambda t, *, features: classical.build("logreg").fit(
        t.loc[t["split"] != "test", features], t.loc[t["split"] != "test", "label"]))
    out = capsys.readouterr().out
    assert "✔ Exercise 4.4: correct" in out and "✘" not in out


@pytest.mark.parametrize("wrong, feedback", [
    (lambda S, n: true_mfcc(S, n).T, "did you transpose?"),
    (lambda S, n: scipy.fft.dct(S, type=2, norm="ortho", axis=1)[:n], "along time (axis 1)"),
    (lambda S, n: scipy.fft.dct(S, type=2, axis=0)[:n], "norm='ortho'"),
    (lambda S, n: scipy.fft.dct(S, type=2, norm="ortho", axis=0), "keep the first n_mfcc rows"),
    (lambda S, n: scipy.fft.dct(S, type=2, norm="ortho", axis=0)[-n:], "last coefficients"),
    (lambda S, n: scipy.fft.dct(S, type=3, norm="ortho", axis=0)[:n], "type=2"),
    (lambda S, n: scipy.fft.idct(S, type=2, norm="ortho", axis=0)[:n], "type=2"),
    (lambda S, n: "mfcc", "should return a matrix"),
])
def test_wrong_mfccs_are_rejected_with_a_reason(wrong, feedback, capsys):
    assert not checks.check_mfcc_from_log_mel(wrong)
    assert feedback in capsys.readouterr().out


def test_input_modified_in_place_is_named(capsys):
    def in_place(S, n):
        S -= S.mean()
        return true_mfcc(S, n)

    assert not checks.check_mfcc_from_log_mel(in_place)
    assert "changed the log-mel matrix" in capsys.readouterr().out


def grouped_order(M, *, prefix="mfcc"):
    M = np.asarray(M, dtype=np.float64)
    means = {f"{prefix}{i}_mean": v for i, v in enumerate(M.mean(axis=1), start=1)}
    return means | {f"{prefix}{i}_var": v for i, v in enumerate(M.var(axis=1), start=1)}


@pytest.mark.parametrize("wrong, feedback", [
    (lambda M, *, prefix="mfcc": true_summary(np.asarray(M).T, prefix=prefix), "axis 1"),
    (lambda M, *, prefix="mfcc": {f"{prefix}{i}_{s}": v for i, row in enumerate(np.asarray(M, float))
                                  for s, v in (("mean", row.mean()), ("var", row.var()))}, "counts coefficients from 1"),
    (grouped_order, "each coefficient's mean then its variance"),
    (lambda M, *, prefix="mfcc": {k: (np.sqrt(v) if k.endswith("_var") else v)
                                  for k, v in true_summary(M, prefix=prefix).items()}, "standard deviations"),
    (lambda M, *, prefix="mfcc": {f"{prefix}{i}_{s}": v for i, row in enumerate(np.asarray(M, float), start=1)
                                  for s, v in (("mean", row.mean()), ("var", row.var(ddof=1)))}, "ddof=1"),
    (lambda M, *, prefix="mfcc": true_summary(M), "expected the columns"),  # ignores the prefix
    (lambda M, *, prefix="mfcc": list(true_summary(M, prefix=prefix).values()), "should return a dict"),
])
def test_wrong_summaries_are_rejected_with_a_reason(wrong, feedback, capsys):
    assert not checks.check_kaggle_summary(wrong)
    assert feedback in capsys.readouterr().out


@pytest.fixture
def mfcc_segments():
    """MFCC-like segments of 24 tracks (3 genres, 4 segments each): the first coefficients carry the genre."""
    rng = np.random.default_rng(0)
    genres = np.repeat(["blues", "jazz", "rock"], 8)
    rows = [(f"{g}.{t:05d}", g) for t, g in enumerate(genres) for _ in range(4)]
    segments = pd.DataFrame(rows, columns=["track_id", "label"])
    centre = {"blues": 0.0, "jazz": 1.0, "rock": 2.0}
    X = rng.normal(size=(len(segments), 12, 20))
    X[:, :3] += np.array([centre[g] for g in segments["label"]])[:, None, None]
    return X.astype(np.float32), segments["label"], track_folds(segments, n_splits=3, seed=0)


def cv_table(X, labels, folds, candidates, **options):
    build = options.pop("build", lambda: classical.build("logreg", seed=0))
    cv = options.pop("cv", folds)
    return pd.Series({k: cross_val_score(build(), checks.summary_matrix(X, k), labels, cv=cv).mean()
                      for k in candidates})


def test_enough_mfccs_accepts_the_smallest_within_reach_and_names_mistakes(mfcc_segments, capsys):
    X, labels, folds = mfcc_segments
    candidates = (1, 2, 3, 6, 12)
    right = cv_table(X, labels, folds, candidates)
    smallest = min(k for k in candidates if right[k] >= right.max() - 0.02)
    options = dict(X=X, labels=labels, folds=folds, seed=0)
    assert checks.check_enough_mfccs(right, smallest, **options)
    assert "✔ Exercise 4.3" in capsys.readouterr().out

    assert not checks.check_enough_mfccs(100 * right, smallest, **options)
    assert "not percentages" in capsys.readouterr().out
    stretched = X * np.linspace(1, 100, 12)[None, :, None]  # coefficients on different scales
    right_stretched = cv_table(stretched, labels, folds, candidates)
    unscaled = right_stretched.copy()  # k=1, below the answer, is checked: without a scaler there
    unscaled[1] = cv_table(stretched, labels, folds, (1,), build=lambda: classical.build("logreg", seed=0,
                                                                                         scale=False))[1]
    assert abs(unscaled[1] - right_stretched[1]) > 0.005
    assert not checks.check_enough_mfccs(unscaled, smallest, X=stretched, labels=labels, folds=folds, seed=0)
    assert "without its scaler" in capsys.readouterr().out
    ungrouped = cv_table(X, labels, folds, candidates, cv=3)  # 3 folds that ignore the tracks
    assert not checks.check_enough_mfccs(ungrouped, smallest, **options)
    assert "pass cv=folds" in capsys.readouterr().out
    assert smallest == 2 and right[6] >= right.max() - 0.02 > right[12]
    assert not checks.check_enough_mfccs(right, 6, **options)
    assert "take the smallest" in capsys.readouterr().out
    assert not checks.check_enough_mfccs(right, 12, **options)
    assert "more than 0.02 below the best" in capsys.readouterr().out
    assert not checks.check_enough_mfccs(right, 7, **options)
    assert "one of the n_mfcc values you tried" in capsys.readouterr().out
    assert not checks.check_enough_mfccs(right.to_dict(), smallest, **options)
    assert "should be a pandas Series" in capsys.readouterr().out


def leaky_scaler(table, *, features):
    scaler = StandardScaler().fit(table[features])
    train = table[table["split"] != "test"]
    model = LogisticRegression(max_iter=5000).fit(scaler.transform(train[features]), train["label"])
    return make_pipeline(scaler, model)


@pytest.mark.parametrize("wrong, feedback", [
    (lambda t, *, features: make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)).fit(
        t[features], t["label"]), "test rows included"),
    (leaky_scaler, "test rows included"),
    (lambda t, *, features: make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)).fit(
        t.loc[t["split"] == "train", features], t.loc[t["split"] == "train", "label"]), "'valid' rows join"),
    (lambda t, *, features: true_fit_logreg(t, features=features)[-1], "logistic regression alone"),
    (lambda t, *, features: LogisticRegression(max_iter=5000).fit(t.loc[t["split"] != "test", features],
                                                                  t.loc[t["split"] != "test", "label"]),
     "logistic regression alone"),
    (lambda t, *, features: make_pipeline(LogisticRegression(max_iter=5000)).fit(
        t.loc[t["split"] != "test", features], t.loc[t["split"] != "test", "label"]), "no StandardScaler"),
    (lambda t, *, features: make_pipeline(StandardScaler(), LogisticRegression()), "not fitted"),
    (lambda t, *, features: true_fit_logreg(t, features=[c for c in t.columns if c not in ("track_id", "label",
                                                                                          "split")]),
     "select table[features]"),
])
def test_leaky_or_incomplete_pipelines_are_rejected(wrong, feedback, capsys):
    assert not checks.check_fit_logreg(wrong)
    assert feedback in capsys.readouterr().out


def test_scaler_fitted_apart_from_the_model_is_named(capsys):
    def fitted_apart(table, *, features):
        model = true_fit_logreg(table, features=features)
        model[-1].fit(model[0].transform(table[features]), table["label"])  # refits the model on every row
        return model

    assert not checks.check_fit_logreg(fitted_apart)
    assert "fit the pipeline as a whole" in capsys.readouterr().out


def test_strict_mode_raises_and_unanswered_propagates(monkeypatch):
    monkeypatch.setenv("COURSE_CHECKS_STRICT", "1")
    with pytest.raises(CheckFailed, match="Exercise 4.1"):
        checks.check_mfcc_from_log_mel(lambda S, n: true_mfcc(S, n).T)

    def unanswered(table, *, features):
        raise NotImplementedError("Exercise 4.4: hint")

    with pytest.raises(NotImplementedError, match="4.4"):
        checks.check_fit_logreg(unanswered)
