"""Metrics, track-level aggregation and confusion analysis on tiny cases with known answers."""

import numpy as np
import pandas as pd
import pytest

from course_utils import evaluate
from course_utils.errors import ConfigError

LABELS = ["blues", "jazz", "rock"]
Y = ["blues", "blues", "jazz", "jazz", "rock", "rock"]


def test_perfect_predictor_scores_one():
    scores = evaluate.score(Y, Y, labels=LABELS)
    assert scores.accuracy == scores.macro_f1 == scores.weighted_f1 == 1.0
    assert (scores.per_class_f1 == 1.0).all()
    assert np.array_equal(scores.confusion.to_numpy(), np.diag([2, 2, 2]))
    assert scores.n == 6 and "accuracy 1.000" in str(scores)


def test_wilson_interval():
    scores = evaluate.score(["a"] * 7 + ["b"] * 3, ["a"] * 10)  # 7 of 10 right
    low, high = scores.interval()
    assert low == pytest.approx(0.3968, abs=1e-3) and high == pytest.approx(0.8922, abs=1e-3)
    assert scores.interval(0.5)[0] > low
    perfect = evaluate.score(["a"] * 10, ["a"] * 10).interval()
    assert perfect[1] == pytest.approx(1.0) and 0.6 < perfect[0] < 0.75
    with pytest.raises(ConfigError, match="level"):
        scores.interval(95)
    assert evaluate.accuracy_interval(7, 10) == pytest.approx((low, high))
    narrow = evaluate.accuracy_interval(700, 1000)
    assert narrow[0] == pytest.approx(0.671, abs=1e-3) and narrow[1] == pytest.approx(0.728, abs=1e-3)
    with pytest.raises(ConfigError, match="correct"):
        evaluate.accuracy_interval(11, 10)


def test_constant_predictor():
    scores = evaluate.score(Y, ["rock"] * 6, labels=LABELS)
    assert scores.accuracy == pytest.approx(1 / 3)
    report = scores.report
    # rock: precision 2/6, recall 1, F1 = 2 * (1/3) / (4/3) = 0.5; the others are never predicted.
    assert report.loc["rock", "precision"] == pytest.approx(1 / 3)
    assert report.loc["rock", "f1"] == pytest.approx(0.5)
    assert report.loc["blues", ["precision", "recall", "f1"]].tolist() == [0, 0, 0]
    assert scores.macro_f1 == pytest.approx(0.5 / 3)
    assert scores.confusion["rock"].tolist() == [2, 2, 2]
    assert report.loc["macro avg", "support"] == 6


def test_macro_f1_averages_over_the_genres_present_in_the_scored_data():
    # A 10-genre model scored on a folder of 3 genres: the 7 absent genres have rows but no F1 to average.
    task = ["blues", "classical", "country", "disco", "hiphop", "jazz", "metal", "pop", "reggae", "rock"]
    y_true = ["blues"] * 4 + ["jazz"] * 4 + ["reggae"] * 2
    y_pred = ["blues"] * 4 + ["jazz"] * 3 + ["rock"] + ["reggae"] * 2
    scores = evaluate.score(y_true, y_pred, labels=task)
    jazz_f1 = 2 * 1.0 * 0.75 / 1.75
    assert scores.macro_f1 == pytest.approx((1.0 + jazz_f1 + 1.0) / 3)
    assert scores.report.loc["rock", "f1"] == 0 and scores.report.loc["rock", "support"] == 0
    assert list(scores.report.index[:10]) == task   # every genre keeps its row
    assert scores.weighted_f1 == pytest.approx((4 + 4 * jazz_f1 + 2) / 10)


def test_weighted_f1_weights_by_support():
    y_true = ["a"] * 3 + ["b"]
    y_pred = ["a"] * 3 + ["a"]
    report = evaluate.classification_report(y_true, y_pred)
    f1_a = 2 * 0.75 * 1 / 1.75
    assert report.loc["weighted avg", "f1"] == pytest.approx(0.75 * f1_a)
    assert report.loc["macro avg", "f1"] == pytest.approx(f1_a / 2)


def test_confusion_matrix_normalised_rows_are_recall():
    y_true = ["a", "a", "a", "a", "b", "b"]
    y_pred = ["a", "a", "a", "b", "b", "b"]
    rates = evaluate.confusion_matrix(y_true, y_pred, normalize="true")
    assert rates.loc["a", "a"] == pytest.approx(0.75) and rates.loc["b", "b"] == 1.0
    assert np.allclose(rates.sum(axis=1), 1)
    counts = evaluate.confusion_matrix(y_true, y_pred, labels=["b", "a", "c"])
    assert list(counts.index) == ["b", "a", "c"] and counts.loc["a", "b"] == 1 and counts.loc["c"].sum() == 0


@pytest.mark.parametrize("y_pred, labels, match", [
    (["a"], None, "equal length"),
    (["a", "z"], ["a", "b"], "'z'"),
])
def test_scoring_errors(y_pred, labels, match):
    with pytest.raises(ConfigError, match=match):
        evaluate.score(["a", "b"], y_pred, labels=labels)


def test_scoring_nothing_is_an_error():
    with pytest.raises(ConfigError, match="empty"):
        evaluate.score([], [])
    with pytest.raises(ConfigError, match="normalize"):
        evaluate.confusion_matrix(["a"], ["a"], normalize="rows")


# Track t1 (blues): two segments lean blues, one leans jazz strongly. Track t2 (jazz): a 1-1 vote tie.
TRACKS = ["t1", "t1", "t1", "t2", "t2"]
TRUTH = ["blues", "blues", "blues", "jazz", "jazz"]
SCORES = np.array([[0.6, 0.4], [0.55, 0.45], [0.0, 1.0], [0.9, 0.1], [0.3, 0.7]])


def test_mean_aggregation():
    tracks = evaluate.aggregate_tracks(TRACKS, SCORES, classes=["blues", "jazz"], y_true=TRUTH)
    assert tracks["track_id"].tolist() == ["t1", "t2"] and tracks["label"].tolist() == ["blues", "jazz"]
    assert tracks["n_segments"].tolist() == [3, 2]
    assert tracks.loc[0, "blues"] == pytest.approx(1.15 / 3) and tracks.loc[0, "jazz"] == pytest.approx(1.85 / 3)
    assert tracks["predicted"].tolist() == ["jazz", "blues"]  # one confident segment outweighs two weak ones


def test_vote_aggregation_and_tie_break():
    tracks = evaluate.aggregate_tracks(TRACKS, SCORES, classes=["blues", "jazz"], method="vote")
    assert "label" not in tracks.columns
    assert tracks.loc[0, "blues"] == pytest.approx(2 / 3)
    # t1: two votes of three for blues; t2: a tie, broken by the higher mean score (blues 0.6).
    assert tracks["predicted"].tolist() == ["blues", "blues"]


def test_track_level_scores_from_aggregation():
    tracks = evaluate.aggregate_tracks(TRACKS, SCORES, classes=["blues", "jazz"], y_true=TRUTH, method="vote")
    assert evaluate.score(tracks["label"], tracks["predicted"]).accuracy == 0.5


@pytest.mark.parametrize("kwargs, match", [
    ({"scores": SCORES[:, :1]}, "shape"),
    ({"method": "median"}, "method"),
    ({"y_true": ["blues", "jazz", "blues", "jazz", "jazz"]}, "different labels"),
])
def test_aggregation_errors(kwargs, match):
    args = {"track_ids": TRACKS, "scores": SCORES, "classes": ["blues", "jazz"], **kwargs}
    with pytest.raises(ConfigError, match=match):
        evaluate.aggregate_tracks(**args)


def confusion_of(counts, labels=("blues", "jazz", "rock", "metal")):
    return pd.DataFrame(counts, index=list(labels), columns=list(labels))


CONFUSION = confusion_of([[8, 2, 0, 0],
                          [4, 6, 0, 0],
                          [0, 0, 7, 3],
                          [0, 0, 1, 9]])


def test_genre_similarity_is_symmetric_mean_of_rates():
    similarity = evaluate.genre_similarity(CONFUSION)
    assert np.allclose(similarity, similarity.T) and np.allclose(np.diag(similarity), 0)
    assert similarity.loc["blues", "jazz"] == pytest.approx((0.2 + 0.4) / 2)
    assert similarity.loc["rock", "metal"] == pytest.approx((0.3 + 0.1) / 2)
    assert similarity.loc["blues", "rock"] == 0


def test_most_and_least_confused_pairs():
    most = evaluate.confused_pairs(CONFUSION, n=2)
    assert most[["genre_a", "genre_b"]].values.tolist() == [["blues", "jazz"], ["rock", "metal"]]
    assert most.loc[0, ["a_as_b", "b_as_a"]].tolist() == [2, 4]
    least = evaluate.confused_pairs(CONFUSION, n=4, least=True)
    assert (least["similarity"] == 0).all() and len(least) == 4
    with pytest.raises(ConfigError, match="positive"):
        evaluate.confused_pairs(CONFUSION, n=0)


def test_similarity_linkage_merges_confused_genres_first():
    linkage = evaluate.similarity_linkage(evaluate.genre_similarity(CONFUSION))
    assert linkage.shape == (3, 4)
    first = {int(linkage[0, 0]), int(linkage[0, 1])}
    assert first == {0, 1}  # blues and jazz (similarity 0.3) before rock and metal (0.2)


def test_confusion_analysis_rejects_bad_matrices():
    with pytest.raises(ConfigError, match="square"):
        evaluate.genre_similarity(CONFUSION.iloc[:, :3])
    with pytest.raises(ConfigError, match="negative"):
        evaluate.genre_similarity(-CONFUSION)


def test_evaluation_plots_draw_what_they_are_given():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from course_utils import plots

    ax = plots.confusion_matrix(CONFUSION)
    assert [t.get_text() for t in ax.get_yticklabels()] == list(CONFUSION.index)
    assert sorted(t.get_text() for t in ax.texts)[:2] == [".10", ".20"]  # row shares, zeros left blank
    counts = plots.confusion_matrix(CONFUSION, normalize=False)
    assert len(counts.texts) == int((CONFUSION.to_numpy() > 0).sum()) and "9" in {t.get_text() for t in counts.texts}
    f1 = pd.DataFrame({"svm": [0.5, 1.0], "xgb": [0.2, 0.4]}, index=["blues", "jazz"])
    bars = plots.per_class_f1(f1)
    assert len(bars.patches) == 4 and bars.get_legend() is not None
    assert len(plots.per_class_f1(f1["svm"]).patches) == 2
    axes = plots.training_curves({"loss": [1.0, 0.5], "val_loss": [1.1, 0.8], "accuracy": [0.3, 0.6]})
    assert len(axes) == 2 and len(axes[0].lines) == 2 and len(axes[1].lines) == 1
    similarity = evaluate.genre_similarity(CONFUSION)
    tree = plots.genre_similarity(similarity)
    assert {t.get_text() for t in tree.get_xticklabels()} == set(CONFUSION.index)
    assert plots.genre_similarity(similarity, kind="heatmap").images
    with pytest.raises(ConfigError, match="kind"):
        plots.genre_similarity(similarity, kind="tree")
    with pytest.raises(ConfigError, match="history"):
        plots.training_curves({"auc": [0.5]})
    with pytest.raises(ConfigError, match="square"):
        plots.confusion_matrix(CONFUSION.iloc[:, :2])
    plt.close("all")
