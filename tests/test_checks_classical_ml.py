import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GroupKFold, KFold, cross_val_score
from sklearn.neighbors import NearestCentroid

from course_utils import evaluate
from course_utils.checks import CheckFailed
from course_utils.checks import classical_ml as checks
from course_utils.data import track_folds
from course_utils.models import classical


def sklearn_centroid(X_train, y_train, X):
    return NearestCentroid().fit(X_train, y_train).predict(X)


def centroid_by_index(X_train, y_train, X):
    return np.asarray(sklearn_centroid(X_train, pd.factorize(pd.Series(y_train), sort=True)[0], X))


def farthest_centroid(X_train, y_train, X):
    X_train, y_train = np.asarray(X_train), np.asarray(y_train)
    genres = np.unique(y_train)
    centres = np.stack([X_train[y_train == g].mean(axis=0) for g in genres])
    return genres[np.linalg.norm(X[:, None] - centres[None], axis=2).argmax(axis=1)]


def first_seen_names(X_train, y_train, X):
    X_train, y_train = np.asarray(X_train), np.asarray(y_train)
    genres = np.unique(y_train)
    centres = np.stack([X_train[y_train == g].mean(axis=0) for g in genres])
    return pd.unique(y_train)[np.linalg.norm(X[:, None] - centres[None], axis=2).argmin(axis=1)]


def median_centroid(X_train, y_train, X):
    return NearestCentroid(metric="manhattan").fit(X_train, y_train).predict(X)  # medians, city-block distance


def test_nearest_centroid_right_and_wrong(capsys):
    assert checks.check_nearest_centroid(sklearn_centroid)
    for wrong, feedback in [(centroid_by_index, "genre names"), (farthest_centroid, "farthest"),
                            (first_seen_names, "first appear"), (median_centroid, "Euclidean"),
                            (lambda X_train, y_train, X: sklearn_centroid(X_train, y_train, X_train),
                             "not the training rows")]:
        capsys.readouterr()
        assert not checks.check_nearest_centroid(wrong), feedback
        assert feedback in capsys.readouterr().out


def cv_reference(table, *, features, C, cv=None, model="svm_rbf", parts=("train", "valid")):
    rows = table[table["split"].isin(parts)].reset_index(drop=True)
    folds = track_folds(rows, n_splits=3, seed=42) if cv is None else cv(rows)
    model = classical.build(model).set_params(model__C=C)
    return cross_val_score(model, rows[features], rows["label"], cv=folds).mean()


def test_grouped_cv_right_answer_passes(capsys):
    assert checks.check_grouped_cv(cv_reference)
    assert "✔ Exercise 7.2: correct" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, feedback", [
    (lambda table, *, features, C: cv_reference(table, features=features, C=C,
                                                cv=lambda rows: KFold(3, shuffle=True, random_state=0)),
     "segments of one track on both sides"),
    # plausible answers that earlier versions of the check accepted (tolerances of 0.10-0.15)
    (lambda table, *, features, C: cv_reference(table, features=features, C=C, model="logreg"), "logistic regression"),
    (lambda table, *, features, C: cv_reference(table, features=features, C=C,
                                                cv=lambda rows: GroupKFold(5).split(rows, groups=rows["track_id"])),
     "GroupKFold(5)"),
    (lambda table, *, features, C: cv_reference(table, features=features, C=C,
                                                cv=lambda rows: track_folds(rows, n_splits=5, seed=42)), "5 folds"),
    (lambda table, *, features, C: cv_reference(table, features=features, C=C, parts=("train",)), "'train' rows only"),
    (lambda table, *, features, C: cv_reference(table, features=features, C=C, model="svm_linear"), "linear SVM"),
    (lambda table, *, features, C: cv_reference(table, features=features, C=C, cv=lambda rows: 3), "folds of rows"),
    (lambda table, *, features, C: cross_val_score(classical.build("svm_rbf").set_params(model__C=C),
                                                   table[features], table["label"],
                                                   cv=track_folds(table, n_splits=3)).mean(),
     "used the test rows"),
    (lambda table, *, features, C: cv_reference(table, features=features, C=10.0), "set the model's C"),
    (lambda table, *, features, C: np.zeros(3), "one number"),
])
def test_grouped_cv_mistakes_are_named(wrong, feedback, capsys):
    assert not checks.check_grouped_cv(wrong)
    assert feedback in capsys.readouterr().out


def track_predictions(model, table, *, features, parts=("train", "valid"), method="mean"):
    fit_rows, test = table[table["split"].isin(parts)], table[table["split"] == "test"]
    model.fit(fit_rows[features], fit_rows["label"])
    scores = evaluate.class_scores(model, test[features])
    return evaluate.aggregate_tracks(test["track_id"], scores, classes=model.classes_, method=method,
                                     y_true=test["label"])


def first_segment(model, table, *, features):
    tracks = track_predictions(model, table, features=features)
    test = table[table["split"] == "test"].sort_values("segment").drop_duplicates("track_id").set_index("track_id")
    return tracks.assign(predicted=tracks["track_id"].map(pd.Series(model.predict(test[features]), index=test.index)))


def per_segment(model, table, *, features):
    development, test = table[table["split"] != "test"], table[table["split"] == "test"]
    model.fit(development[features], development["label"])
    return test.assign(predicted=model.predict(test[features]))[["track_id", "label", "predicted"]]


def test_track_predictions_right_answers_pass():
    assert checks.check_test_track_predictions(track_predictions)
    assert checks.check_test_track_predictions(lambda m, t, *, features: track_predictions(m, t, features=features,
                                                                                          method="vote"))


@pytest.mark.parametrize("wrong, feedback", [
    (lambda m, t, *, features: track_predictions(m, t, features=features, parts=("train", "valid", "test")),
     "fitted on 9 test rows"),
    (lambda m, t, *, features: track_predictions(m, t, features=features, parts=("train",)), "'train' rows only"),
    (per_segment, "one per test segment"),
    (first_segment, "combine all segments"),
    (lambda m, t, *, features: track_predictions(m, t, features=list(t.columns)), "pass only table[features]"),
    (lambda m, t, *, features: None, "never fitted"),
])
def test_track_prediction_mistakes_are_named(wrong, feedback, capsys):
    assert not checks.check_test_track_predictions(wrong)
    assert feedback in capsys.readouterr().out


@pytest.fixture(scope="module")
def swap_case():
    rng = np.random.default_rng(0)
    rows = []
    for t in range(18):
        genre = ("blues", "jazz", "rock")[t % 3]
        part = "test" if t >= 12 else "train"
        for k in range(3):
            rows.append({"track_id": f"{genre}.{t:05d}", "label": genre, "split": part, "segment": k,
                         **{f"f{j}": rng.normal(loc=3.0 * (t % 3 == j)) for j in range(3)}})
    table = pd.DataFrame(rows)
    return table, ["f0", "f1", "f2"]


def test_model_swap(swap_case, capsys):
    table, features = swap_case
    model = classical.build("xgboost", seed=0).set_params(model__estimator__n_estimators=10)
    tracks = track_predictions(model, table, features=features)
    scores = evaluate.score(tracks["label"], tracks["predicted"])
    assert checks.check_model_swap(model, tracks, scores, table=table, features=features)
    assert "XGBoost gets" in capsys.readouterr().out

    svm = classical.build("svm_rbf")
    svm_tracks = track_predictions(svm, table, features=features)
    assert not checks.check_model_swap(svm, svm_tracks, scores, table=table, features=features)
    assert "not XGBoost" in capsys.readouterr().out

    test = table[table["split"] == "test"]
    segment_scores = evaluate.score(test["label"], model.predict(test[features]))
    assert not checks.check_model_swap(model, tracks, segment_scores, table=table, features=features)
    assert "not the segments" in capsys.readouterr().out

    assert not checks.check_model_swap(model, tracks, scores.accuracy, table=table, features=features)
    assert "evaluate.score" in capsys.readouterr().out

    cheat = classical.build("xgboost", seed=0).set_params(model__estimator__n_estimators=10)
    cheat.fit(table[features], table["label"])
    assert not checks.check_model_swap(cheat, tracks, scores, table=table, features=features)
    assert "the test rows were included" in capsys.readouterr().out


def test_strict_mode_and_unanswered(monkeypatch):
    def unanswered(*args, **kwargs):
        raise NotImplementedError("Exercise 7.1: hint")

    with pytest.raises(NotImplementedError, match="7.1"):
        checks.check_nearest_centroid(unanswered)
    monkeypatch.setenv("COURSE_CHECKS_STRICT", "1")
    with pytest.raises(CheckFailed, match="Exercise 7.3"):
        checks.check_test_track_predictions(per_segment)
