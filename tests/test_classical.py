"""Classical pipelines: builders, grids, grouped model selection, track-level scores, parameter counts."""

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from course_utils.config import get_profile
from course_utils.errors import ConfigError, SplitError
from course_utils import evaluate
from course_utils.evaluate import pipelines
from course_utils.models import classical

QUICK, FULL = get_profile("quick"), get_profile("full")
LABELS = ["blues", "jazz", "rock"]


def segment_features(*, tracks_per_label=6, segments=4, spread=0.3, seed=0) -> pd.DataFrame:
    """Segments whose 4 features cluster around a different point per genre (easy to separate)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i, label in enumerate(LABELS):
        for t in range(tracks_per_label):
            centre = 3.0 * i * np.array([1.0, -1.0, 1.0, 0.0]) + rng.normal(0, spread, 4)
            for s in range(segments):
                values = centre + rng.normal(0, spread, 4)
                rows.append({"track_id": f"{label}.{t:05d}", "label": label, "segment": s, "start": 3.0 * s,
                             **{f"f{k}": v for k, v in enumerate(values)}})
    table = pd.DataFrame(rows)
    test_tracks = {f"{label}.{t:05d}" for label in LABELS for t in range(2)}
    table["split"] = np.where(table["track_id"].isin(test_tracks), "test", "train")
    return table


FEATURES = ["f0", "f1", "f2", "f3"]


@pytest.mark.parametrize("name", classical.MODELS)
def test_every_model_is_a_pipeline_with_the_scaler_inside(name):
    pipeline = classical.build(name)
    assert isinstance(pipeline, Pipeline) and isinstance(pipeline.steps[0][1], StandardScaler)
    assert [step for step, _ in classical.build(name, scale=False).steps] == ["model"]
    quick, full = classical.param_grid(name, profile=QUICK), classical.param_grid(name, profile=FULL)
    assert np.prod([len(v) for v in quick.values()]) <= np.prod([len(v) for v in full.values()])
    for grid in (quick, full):
        pipeline.set_params(**{key: values[0] for key, values in grid.items()})  # keys name real parameters


def test_unknown_model_is_an_error():
    with pytest.raises(ConfigError, match="unknown model 'svm'"):
        classical.build("svm")
    with pytest.raises(ConfigError, match="unknown model"):
        classical.param_grid("forest", profile=QUICK)


def test_feature_columns_skip_ids_and_times():
    table = segment_features()
    assert classical.feature_columns(table) == FEATURES
    with pytest.raises(ConfigError, match="no numeric"):
        classical.feature_columns(table[["track_id", "label"]])


def test_grid_search_folds_never_split_a_track():
    train = segment_features().query("split == 'train'").reset_index(drop=True)
    search = evaluate.grid_search("logreg", train, features=FEATURES, profile=QUICK, n_jobs=1)
    assert len(search.cv) == QUICK.cv_folds
    for fit_rows, held_out in search.cv:
        assert not set(train["track_id"].iloc[fit_rows]) & set(train["track_id"].iloc[held_out])


def test_a_grid_of_your_own():
    grid = {"model__C": [0.5, 2.0], "model__class_weight": [None, "balanced"]}
    fitted = evaluate.fit_and_evaluate("svm_rbf", segment_features(), features=FEATURES, labels=LABELS,
                                        profile=QUICK, grid=grid, n_jobs=1)
    assert set(fitted.best_params) == set(grid) and fitted.best_params["model__C"] in grid["model__C"]


def test_grid_search_needs_two_tracks_per_genre():
    table = segment_features(tracks_per_label=1)
    with pytest.raises(SplitError, match="at least 2 tracks per genre"):
        evaluate.grid_search("logreg", table, features=FEATURES, profile=QUICK, n_jobs=1)


@pytest.mark.parametrize("name", ["knn", "logreg", "svm_linear", "svm_rbf", "xgboost"])
def test_separable_genres_are_classified_per_track(name):
    table = segment_features()
    fitted = evaluate.fit_and_evaluate(name, table, features=FEATURES, labels=LABELS, profile=QUICK, n_jobs=1)
    assert fitted.scores.accuracy == 1.0 and fitted.scores.n == 6  # two test tracks per genre
    assert fitted.segment_scores.n == 24 and fitted.segment_scores.accuracy > 0.9
    assert set(fitted.tracks["predicted"]) <= set(LABELS)
    assert fitted.train_seconds > 0 and fitted.predict_seconds > 0 and fitted.n_params > 0
    summary = fitted.summary()
    assert summary["model"] == name and summary["track accuracy"] == 1.0


def test_probability_columns_follow_the_class_order_of_the_split():
    """scikit-learn sorts its classes; the track predictions follow the order given instead."""
    order = ["rock", "blues", "jazz"]
    fitted = evaluate.fit_and_evaluate("logreg", segment_features(), features=FEATURES, labels=order, profile=QUICK,
                                        n_jobs=1)
    assert list(fitted.tracks.columns[-3:]) == order
    assert (fitted.tracks[order].idxmax(axis=1) == fitted.tracks["predicted"]).all()
    scores = np.array([[0.1, 0.7], [0.6, 0.2]])
    ordered = evaluate.in_class_order(scores, ["jazz", "blues"], ["blues", "jazz", "rock"])
    np.testing.assert_array_equal(ordered[:, :2], [[0.7, 0.1], [0.2, 0.6]])
    assert np.isneginf(ordered[:, 2]).all()  # a genre the model never saw is never its answer
    with pytest.raises(ConfigError, match="lacks"):
        evaluate.in_class_order(scores, ["jazz", "pop"], ["blues", "jazz"])


def test_majority_baseline_scores_chance_and_test_rows_stay_out_of_training():
    table = segment_features()
    table.loc[table["split"] == "test", "label"] = "rock"  # test labels must not influence the model
    table.loc[table["label"] == "jazz", "label"] = "blues"  # training: blues 16+16 rows, rock 16
    fitted = evaluate.fit_and_evaluate("majority", table, features=FEATURES, labels=LABELS, profile=QUICK, n_jobs=1)
    assert set(fitted.tracks["predicted"]) == {"blues"} and fitted.scores.accuracy == 0.0
    knn = evaluate.fit_and_evaluate("knn", segment_features(), features=FEATURES, labels=LABELS, profile=QUICK,
                                     n_jobs=1)
    assert knn.model[-1].n_samples_fit_ == 48  # 4 training tracks x 3 genres x 4 segments


def test_vote_aggregation_is_available():
    fitted = evaluate.fit_and_evaluate("svm_rbf", segment_features(), features=FEATURES, labels=LABELS,
                                        profile=QUICK, method="vote", n_jobs=1)
    assert fitted.tracks[LABELS].sum(axis=1).round(6).eq(1).all()  # vote shares


@pytest.mark.parametrize("change, error, match", [
    (lambda t: t.drop(columns="split"), ConfigError, "split"),
    (lambda t: t.assign(split="train"), SplitError, "test rows"),
])
def test_fit_and_evaluate_errors(change, error, match):
    with pytest.raises(error, match=match):
        evaluate.fit_and_evaluate("logreg", change(segment_features()), features=FEATURES, labels=LABELS,
                                   profile=QUICK, n_jobs=1)


def test_parameter_counts_of_known_models():
    table = segment_features()
    X, y = table[FEATURES], table["label"]
    assert classical.count_parameters(classical.build("logreg").fit(X, y)) == 2 * 4 + 3 * 4 + 3
    assert classical.count_parameters(classical.build("majority", scale=False).fit(X, y)) == 3
    assert classical.count_parameters(classical.build("knn", scale=False).fit(X, y)) == len(X) * 4
    svm = classical.build("svm_rbf", scale=False).fit(X, y)
    n_support = svm[-1].support_vectors_.shape[0]
    assert classical.count_parameters(svm) == n_support * 4 + n_support * 2 + 3
    trees = classical.build("xgboost", scale=False).fit(X, y)
    assert classical.count_parameters(trees) == len(trees[-1].estimator_.get_booster().trees_to_dataframe())


def test_class_scores_have_one_column_per_class():
    table = segment_features()
    two = table[table["label"] != "rock"]
    linear = classical.build("svm_linear").fit(two[FEATURES], two["label"])
    scores = evaluate.class_scores(linear, two[FEATURES])
    assert scores.shape == (len(two), 2)
    assert (np.asarray(linear.classes_)[scores.argmax(axis=1)] == linear.predict(two[FEATURES])).all()
    trees = classical.build("xgboost").fit(table[FEATURES], table["label"])
    assert set(trees.predict(table[FEATURES])) <= set(LABELS)
    assert evaluate.class_scores(trees, table[FEATURES]).shape == (len(table), 3)
    assert trees[-1].feature_importances_.shape == (4,)


def test_xgboost_gain_names_the_informative_features():
    table = segment_features()
    table["noise"] = np.random.default_rng(1).normal(size=len(table))
    columns = [*FEATURES, "noise"]
    trees = classical.build("xgboost").fit(table[columns], table["label"])
    gain = classical.xgboost_gain(trees, columns)
    assert gain.index[0] in {"f0", "f1", "f2"} and (gain >= 0).all()  # f3 and noise carry no genre
    assert set(gain.index) == set(columns)
    with pytest.raises(ConfigError, match="XGBoost"):
        classical.xgboost_gain(classical.build("logreg").fit(table[columns], table["label"]), columns)
    with pytest.raises(ConfigError, match="names"):
        classical.xgboost_gain(trees, FEATURES)


def test_frame_statistics_summarise_each_band():
    X = np.stack([np.tile(np.arange(4.0), (2, 1)), np.ones((2, 4))])  # 2 rows, 2 bands, 4 frames
    rows = pd.DataFrame({"track_id": ["a", "b"], "label": ["x", "y"]})
    stats = classical.frame_statistics(X, rows, prefix="band")
    assert list(stats.columns) == ["track_id", "label", "band1_mean", "band2_mean", "band1_std", "band2_std"]
    assert stats.loc[0, "band1_mean"] == 1.5 and stats.loc[0, "band1_std"] == pytest.approx(np.std(np.arange(4.0)))
    assert stats.loc[1, ["band1_mean", "band2_std"]].tolist() == [1.0, 0.0]
    with pytest.raises(ConfigError, match="shape"):
        classical.frame_statistics(X[0], rows)


def test_a_fitted_model_records_its_track_results(tmp_path, monkeypatch):
    from course_utils.evaluate import load_results

    monkeypatch.setenv("COURSE_DATA_HOME", str(tmp_path))
    fitted = evaluate.fit_and_evaluate("logreg", segment_features(), features=FEATURES, labels=LABELS,
                                        profile=QUICK, n_jobs=1)
    fitted.record(features="four numbers", split="stratified", profile=QUICK, dataset="toy", seed=7)
    (row,) = load_results().itertuples()
    assert (row.model, row.features, row.split, row.profile, row.dataset, row.seed) == (
        "logreg", "four numbers", "stratified", "quick", "toy", 7)
    assert row.accuracy == fitted.scores.accuracy and row.notes == str(fitted.best_params)
    columns = ["track_id", "label", "predicted"]
    pd.testing.assert_frame_equal(row.predictions[columns].reset_index(drop=True),
                                  fitted.tracks[columns].reset_index(drop=True), check_dtype=False)


def test_a_grid_search_on_more_rows_than_its_size_searches_whole_tracks_and_refits_on_all():
    train = segment_features(tracks_per_label=10).query("split == 'train'").reset_index(drop=True)
    sample = pipelines.search_sample(train, max_rows=48, seed=1)
    assert len(sample) <= 48 and sample["label"].value_counts().nunique() == 1  # every genre alike
    assert (sample.groupby("track_id").size() == 4).all()  # whole tracks only
    assert pipelines.search_sample(train, max_rows=None) is train
    search = evaluate.grid_search("logreg", train, features=FEATURES, profile=QUICK, n_jobs=1, max_search_rows=48)
    assert search.n_search_rows_ == len(sample) < len(train)
    assert all(len(fit) + len(held) == len(sample) for fit, held in search.cv)
    refit = search.best_estimator_.named_steps["scaler"]
    assert refit.n_samples_seen_ == len(train)  # the chosen model saw every row
    whole = evaluate.grid_search("logreg", train, features=FEATURES, profile=QUICK, n_jobs=1)
    assert whole.n_search_rows_ == len(train)


def test_frame_statistics_of_rows_on_disk_equal_those_in_memory(tmp_path, monkeypatch):
    from course_utils.row_files import RowFile

    X = np.random.default_rng(0).normal(size=(23, 3, 5)).astype(np.float32)
    np.save(tmp_path / "X.npy", X)
    rows = pd.DataFrame({"track_id": [f"t{k}" for k in range(23)], "label": ["x"] * 23})
    expected = classical.frame_statistics(X, rows)
    monkeypatch.setattr(classical, "STATISTICS_ROWS", 7)  # chunks that do not divide the rows
    pd.testing.assert_frame_equal(classical.frame_statistics(RowFile(tmp_path / "X.npy"), rows), expected)
