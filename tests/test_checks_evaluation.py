import numpy as np
import pandas as pd
import pytest
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from course_utils.checks import CheckFailed
from course_utils.checks import evaluation as checks


def true_macro_f1(y_true, y_pred):
    return f1_score(y_true, y_pred, average="macro", zero_division=0)


def true_leaked_tracks(table):
    parts = table.groupby("track_id")["split"].nunique()
    return sorted(parts.index[parts > 1])


def honest_selection(table, *, features, k):
    train, test = table[table["split"] != "test"], table[table["split"] == "test"]
    model = make_pipeline(StandardScaler(), SelectKBest(f_classif, k=k), SVC()).fit(train[features], train["label"])
    return model.score(test[features], test["label"])


def selection_on_all_rows(table, *, features, k):
    keep = SelectKBest(f_classif, k=k).fit(table[features], table["label"]).get_support()
    return honest_selection(table, features=[f for f, kept in zip(features, keep) if kept], k=k)


def no_selection(table, *, features, k):
    train, test = table[table["split"] != "test"], table[table["split"] == "test"]
    model = make_pipeline(StandardScaler(), SVC()).fit(train[features], train["label"])
    return model.score(test[features], test["label"])


def pipeline_on(table, features, steps, *, rows=None):
    train = table[table["split"] != "test"] if rows is None else table[table["split"] == rows]
    test = table[table["split"] == "test"]
    return make_pipeline(*steps).fit(train[features], train["label"]).score(test[features], test["label"])


def hard_coded_k(table, *, features, k):
    return honest_selection(table, features=features, k=5)


def without_scaler(table, *, features, k):
    return pipeline_on(table, features, [SelectKBest(f_classif, k=k), SVC()])


def train_rows_only(table, *, features, k):
    return pipeline_on(table, features, [StandardScaler(), SelectKBest(f_classif, k=k), SVC()], rows="train")


def another_classifier(table, *, features, k):
    return pipeline_on(table, features, [StandardScaler(), SelectKBest(f_classif, k=k), LogisticRegression()])


def trained_on_everything(table, *, features, k):
    model = make_pipeline(StandardScaler(), SelectKBest(f_classif, k=k), SVC()).fit(table[features], table["label"])
    test = table[table["split"] == "test"]
    return model.score(test[features], test["label"])


def test_right_answers_pass(capsys):
    assert checks.check_macro_f1(true_macro_f1)
    assert checks.check_leaked_tracks(true_leaked_tracks)
    assert checks.check_leaked_tracks(lambda t: set(true_leaked_tracks(t)))  # any collection of ids will do
    assert checks.check_test_size(245)
    assert checks.check_test_size(250)  # close to the smallest is fine
    assert checks.check_selection_inside(honest_selection)
    assert "✔ Exercise 6.4: correct" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, feedback", [
    (lambda t, p: float(np.mean(np.asarray(t) == np.asarray(p))), "that is the accuracy"),
    (lambda t, p: f1_score(t, p, average="weighted", zero_division=0), "weighted F1"),
    (lambda t, p: f1_score(t, p, labels=sorted(set(t)), average="macro", zero_division=0), "genres of y_true only"),
    (lambda t, p: f1_score(t, p, average=None, zero_division=0), "one number"),
    (lambda t, p: float("nan"), "count its F1 as 0"),
])
def test_plausible_wrong_macro_f1_is_rejected_with_a_reason(wrong, feedback, capsys):
    assert not checks.check_macro_f1(wrong)
    assert feedback in capsys.readouterr().out


def test_f1_of_averaged_precision_and_recall_is_named(capsys):
    from sklearn.metrics import precision_score, recall_score

    def f1_of_averages(t, p):
        precision = precision_score(t, p, average="macro", zero_division=0)
        recall = recall_score(t, p, average="macro", zero_division=0)
        return 2 * precision * recall / (precision + recall)

    assert not checks.check_macro_f1(f1_of_averages)
    assert "compute F1 per genre first" in capsys.readouterr().out


def only_train_and_test(table):
    both = table.groupby("track_id")["split"].agg(lambda parts: {"train", "test"} <= set(parts))
    return sorted(both.index[both])


@pytest.mark.parametrize("wrong, feedback", [
    (only_train_and_test, "Any two parts count"),
    (lambda t: sorted(set(t.loc[t["split"] == "test", "track_id"])), "jazz.00004 has all its segments in test"),
    (lambda t: list(t.loc[t.groupby("track_id")["split"].transform("nunique") > 1, "track_id"]), "more than once"),
    (lambda t: int((t.groupby("track_id")["split"].nunique() > 1).sum()), "should return the track ids"),
])
def test_wrong_leak_detectors_are_rejected(wrong, feedback, capsys):
    assert not checks.check_leaked_tracks(wrong)
    assert feedback in capsys.readouterr().out


@pytest.mark.parametrize("n, feedback", [
    (62, "not ±0.1"),
    (200, "you need more tracks"),
    (1000, "far fewer suffice"),
    (2.5, "whole number"),
])
def test_wrong_test_sizes(n, feedback, capsys):
    assert not checks.check_test_size(n)
    assert feedback in capsys.readouterr().out


@pytest.mark.parametrize("wrong, feedback", [
    (selection_on_all_rows, "put SelectKBest inside the pipeline"),
    (trained_on_everything, "trained on the test rows"),
    (no_selection, "keep the k best features"),
    (hard_coded_k, "ignores its k argument"),
    (without_scaler, "the scaler is missing"),
    (train_rows_only, "'train' rows only"),
    (another_classifier, "should score"),
])
def test_leaky_or_missing_selection_is_rejected(wrong, feedback, capsys):
    assert not checks.check_selection_inside(wrong)
    assert feedback in capsys.readouterr().out


def test_strict_mode_raises_and_unanswered_propagates(monkeypatch):
    monkeypatch.setenv("COURSE_CHECKS_STRICT", "1")
    with pytest.raises(CheckFailed, match="Exercise 6.3"):
        checks.check_test_size(10)

    def unanswered(table):
        raise NotImplementedError("Exercise 6.2: hint")

    with pytest.raises(NotImplementedError, match="6.2"):
        checks.check_leaked_tracks(unanswered)


def test_crafted_leak_table_has_the_stated_answer():
    table, expected = checks._parts_table()
    assert true_leaked_tracks(table) == expected
    assert isinstance(table, pd.DataFrame) and list(table.index) != sorted(table.index)
