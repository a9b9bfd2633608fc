import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, Normalizer, StandardScaler

from course_utils import embeddings
from course_utils.checks import CheckFailed
from course_utils.checks import embeddings as checks
from course_utils.data import track_folds
from course_utils.embeddings import yamnet

HOP_S, WINDOW, HOP = 0.48, 15600, 7680


def true_frame_times(n_samples):
    return np.arange(1 + int(np.ceil(max(0, n_samples - WINDOW) / HOP))) * HOP_S


def true_mean_std(frames):
    return np.concatenate([frames.mean(axis=0), frames.std(axis=0)])


def true_held_out_accuracy(classifier, X, table):
    test = (table["split"] == "test").to_numpy()
    labels = table["label"].to_numpy()
    classifier.fit(X[~test], labels[~test])
    return float(np.mean(classifier.predict(X[test]) == labels[test]))


def test_right_answers_pass(capsys):
    assert checks.check_frame_times(true_frame_times)
    assert checks.check_frame_times(lambda n: list(true_frame_times(n)))
    assert checks.check_mean_std(true_mean_std)
    assert checks.check_knn(make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=5)))
    assert checks.check_knn(make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=3, weights="distance")))
    assert checks.check_knn(make_pipeline(MinMaxScaler(), KNeighborsClassifier()))  # another scaler behaves alike here
    assert checks.check_held_out_accuracy(true_held_out_accuracy)
    assert checks.check_held_out_accuracy(  # a clone and .score are fine too
        lambda c, X, t: clone(c).fit(X[t["split"].ne("test").to_numpy()], t["label"][t["split"] != "test"])
        .score(X[t["split"].eq("test").to_numpy()], t.loc[t["split"] == "test", "label"]))
    out = capsys.readouterr().out
    assert "✔ Exercise 5.1: correct" in out and "✔ Exercise 5.5: correct" in out
    assert "✘" not in out


def test_frame_times_answer_agrees_with_the_package():
    for n in (1, WINDOW - 1, WINDOW, WINDOW + 1, 160_000, 480_000):
        assert len(true_frame_times(n)) == yamnet.frame_count(n)


@pytest.mark.parametrize("wrong, feedback", [
    (lambda n: np.arange(1 + (n - WINDOW) // HOP) * HOP_S, "no frame"),
    (lambda n: np.arange(1 + max(0, n - WINDOW) // HOP) * HOP_S, "round up, not down"),
    (lambda n: np.arange(int(np.ceil(n / HOP))) * HOP_S, "too many"),
    (lambda n: np.arange(len(true_frame_times(n))) * HOP, "in samples"),
    (lambda n: np.arange(len(true_frame_times(n))) * 0.975, "frames overlap"),
    (lambda n: (np.arange(len(true_frame_times(n))) + 1) * HOP_S, "starts at 0 s"),
    (lambda n: len(true_frame_times(n)), "start times"),
])
def test_wrong_frame_times_are_rejected_with_a_reason(wrong, feedback, capsys):
    assert not checks.check_frame_times(wrong)
    assert feedback in capsys.readouterr().out


def in_place_mean_std(frames):
    frames -= frames.mean(axis=0)
    return np.concatenate([np.zeros(frames.shape[1]), frames.std(axis=0)])


@pytest.mark.parametrize("wrong, feedback", [
    (lambda f: np.concatenate([f.mean(axis=1), f.std(axis=1)]), "axis=1"),
    (lambda f: np.stack([f.mean(axis=0), f.std(axis=0)]), "not np.stack"),
    (lambda f: f.mean(axis=0), "append the standard deviation"),
    (lambda f: np.concatenate([f.std(axis=0), f.mean(axis=0)]), "put the mean first"),
    (lambda f: np.concatenate([f.mean(axis=0), f.std(axis=0, ddof=1)]), "ddof=1"),
    (lambda f: np.concatenate([f.mean(axis=0), f.var(axis=0)]), "variance"),
    (lambda f: np.concatenate([np.median(f, axis=0), f.std(axis=0)]), "mean of each column"),
    (in_place_mean_std, "changed the frames"),
])
def test_wrong_pooling_is_rejected_with_a_reason(wrong, feedback, capsys):
    assert not checks.check_mean_std(wrong)
    assert feedback in capsys.readouterr().out


def test_single_frame_with_ddof_1_names_the_nan(capsys):
    assert not checks.check_mean_std(lambda f: np.concatenate([f.mean(axis=0), np.std(f, axis=0, ddof=1)]))
    assert "ddof" in capsys.readouterr().out


@pytest.fixture
def fake_embeddings(monkeypatch):
    """embed_dataset replaced by fixed tables: 30 tracks of 3 genres; musicnn with mean pooling separates best."""
    labels = np.repeat(["blues", "jazz", "rock"], 10)
    table = pd.DataFrame({"track_id": [f"{g}.{i:05d}" for i, g in enumerate(labels)], "label": labels})
    strength = {("yamnet", "mean"): 0.3, ("yamnet", "mean_std"): 0.6,
                ("MSD_musicnn", "mean"): 3.0, ("MSD_musicnn", "mean_std"): 1.0}

    def embed_dataset(dataset, *, model="yamnet", pooling="mean"):
        rng = np.random.default_rng(len(model) + len(pooling))
        d = 6 if pooling == "mean" else 12
        X = rng.normal(size=(len(labels), d)) * 1000
        X[:, 0] += 1000 * strength[(model, pooling)] * (labels == "jazz")
        X[:, 1] += 1000 * strength[(model, pooling)] * (labels == "rock")
        return table, X

    monkeypatch.setattr(embeddings, "embed_dataset", embed_dataset)
    folds = track_folds(table, n_splits=3, seed=0)
    cv = pd.DataFrame({pooling: [cross_val_score(make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)),
                                                 embed_dataset(None, model=m, pooling=pooling)[1], labels,
                                                 cv=folds).mean() for m in checks.MODELS]
                       for pooling in checks.POOLINGS}, index=list(checks.MODELS))
    return cv, folds


def test_best_input_accepts_the_right_table(fake_embeddings, capsys):
    cv, folds = fake_embeddings
    assert cv.stack().idxmax() == ("MSD_musicnn", "mean")
    assert checks.check_best_input(cv, cv.stack().idxmax(), dataset=None, folds=folds)
    assert checks.check_best_input(cv.loc[::-1, ::-1], ["MSD_musicnn", "mean"], dataset=None, folds=folds)
    assert "✔ Exercise 5.3: correct" in capsys.readouterr().out


def test_best_input_with_musicnn_alone(fake_embeddings, capsys):
    """Offline without YAMNet the exercise runs on the models the run could load."""
    cv, folds = fake_embeddings
    alone = cv.loc[["MSD_musicnn"]]
    assert checks.check_best_input(alone, ("MSD_musicnn", "mean"), dataset=None, folds=folds, models=["MSD_musicnn"])
    assert "✔ Exercise 5.3: correct" in capsys.readouterr().out
    assert not checks.check_best_input(cv, ("MSD_musicnn", "mean"), dataset=None, folds=folds, models=["MSD_musicnn"])
    assert "should have rows ['MSD_musicnn']" in capsys.readouterr().out
    assert not checks.check_best_input(alone, ("MSD_musicnn", "mean_std"), dataset=None, folds=folds,
                                       models=["MSD_musicnn"])
    assert "pick the highest" in capsys.readouterr().out


def test_best_input_names_the_mistake(fake_embeddings, capsys):
    cv, folds = fake_embeddings
    assert not checks.check_best_input(cv.T, ("MSD_musicnn", "mean"), dataset=None, folds=folds)
    assert "transposed" in capsys.readouterr().out
    assert not checks.check_best_input(cv, ("yamnet", "mean"), dataset=None, folds=folds)
    assert "pick the highest" in capsys.readouterr().out
    assert not checks.check_best_input(cv, "MSD_musicnn", dataset=None, folds=folds)
    assert "a pair (model, pooling)" in capsys.readouterr().out
    assert not checks.check_best_input(100 * cv, ("MSD_musicnn", "mean"), dataset=None, folds=folds)
    assert "not percentages" in capsys.readouterr().out
    half = cv.copy()
    half.loc["yamnet", "mean_std"] = np.nan
    assert not checks.check_best_input(half, ("MSD_musicnn", "mean"), dataset=None, folds=folds)
    assert "empty or non-numeric" in capsys.readouterr().out


def test_best_input_recognises_a_missing_scaler_and_other_folds(fake_embeddings, capsys):
    cv, folds = fake_embeddings
    labels = np.repeat(["blues", "jazz", "rock"], 10)
    X = embeddings.embed_dataset(None, model="yamnet", pooling="mean")[1]
    unscaled = cv.copy()
    unscaled.loc["yamnet", "mean"] = cross_val_score(LogisticRegression(max_iter=5000), X, labels, cv=folds).mean()
    other_folds = cv.copy()
    other_folds.loc["yamnet", "mean"] = cross_val_score(
        make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)), X, labels, cv=3).mean()
    for table, feedback in ((unscaled, "without the scaler"), (other_folds, "pass cv=folds")):
        assert abs(table.loc["yamnet", "mean"] - cv.loc["yamnet", "mean"]) > 1e-3, "the case must differ"
        assert not checks.check_best_input(table, ("MSD_musicnn", "mean"), dataset=None, folds=folds)
        assert feedback in capsys.readouterr().out


@pytest.mark.parametrize("wrong, feedback", [
    (KNeighborsClassifier(n_neighbors=5), "Put a StandardScaler before it"),
    (make_pipeline(StandardScaler(with_std=False), KNeighborsClassifier()), "not scaled"),
    (make_pipeline(Normalizer(), KNeighborsClassifier()), "scale with StandardScaler"),
    (make_pipeline(StandardScaler(), LogisticRegression()), "ends in LogisticRegression"),
    (KNeighborsClassifier, "build an object"),
    (StandardScaler(), "fit and predict"),
])
def test_wrong_knn_is_rejected_with_a_reason(wrong, feedback, capsys):
    assert not checks.check_knn(wrong)
    assert feedback in capsys.readouterr().out


def test_scale_problem_needs_the_scaler():
    X_train, y_train, X_test, y_test = checks._scale_problem()
    scaled = make_pipeline(StandardScaler(), KNeighborsClassifier()).fit(X_train, y_train).score(X_test, y_test)
    raw = KNeighborsClassifier().fit(X_train, y_train).score(X_test, y_test)
    assert scaled > 0.85 and raw < 0.65


def fit_on_everything(classifier, X, table):
    labels = table["label"].to_numpy()
    test = (table["split"] == "test").to_numpy()
    classifier.fit(X, labels)
    return float(np.mean(classifier.predict(X[test]) == labels[test]))


def fit_on_train_only(classifier, X, table):
    labels, part = table["label"].to_numpy(), table["split"].to_numpy()
    classifier.fit(X[part == "train"], labels[part == "train"])
    return float(np.mean(classifier.predict(X[part == "test"]) == labels[part == "test"]))


def rows_by_index(classifier, X, table):
    train, test = table.index[table["split"] != "test"], table.index[table["split"] == "test"]
    classifier.fit(X[train - 100], table.loc[train, "label"])
    return float(np.mean(classifier.predict(X[test - 100]) == table.loc[test, "label"].to_numpy()))


def score_on_everything(classifier, X, table):
    test = (table["split"] == "test").to_numpy()
    labels = table["label"].to_numpy()
    classifier.fit(X[~test], labels[~test])
    return float(np.mean(classifier.predict(X) == labels))


def misaligned_labels(classifier, X, table):
    test = (table["split"] == "test").to_numpy()
    classifier.fit(X[~test], np.sort(table["label"].to_numpy()[~test]))
    return float(np.mean(classifier.predict(X[test]) == table["label"].to_numpy()[test]))


@pytest.mark.parametrize("wrong, feedback", [
    (fit_on_everything, "fitted on 10 test rows"),
    (fit_on_train_only, "valid rows were left out"),
    (rows_by_index, "not by the table's index"),
    (score_on_everything, "on the test rows only"),
    (misaligned_labels, "labels passed to fit"),
    (lambda c, X, t: 100 * true_held_out_accuracy(c, X, t), "not a percentage"),
    (lambda c, X, t: c.fit(X[t["split"].ne("test").to_numpy()], t["label"][t["split"] != "test"]),
     "you returned the classifier"),
    (lambda c, X, t: [0.6], "one number"),
    (lambda c, X, t: 0.6, "never fitted"),
])
def test_wrong_held_out_accuracy_is_rejected_with_a_reason(wrong, feedback, capsys):
    assert not checks.check_held_out_accuracy(wrong)
    assert feedback in capsys.readouterr().out


def test_strict_mode_raises_and_unanswered_propagates(monkeypatch):
    monkeypatch.setenv("COURSE_CHECKS_STRICT", "1")
    with pytest.raises(CheckFailed, match="Exercise 5.2"):
        checks.check_mean_std(lambda f: f.mean(axis=0))

    def unanswered(n_samples):
        raise NotImplementedError("Exercise 5.1: hint")

    with pytest.raises(NotImplementedError, match="5.1"):
        checks.check_frame_times(unanswered)
