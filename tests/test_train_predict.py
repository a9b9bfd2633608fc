"""train.predict_tracks (segments to tracks, by the right ids), evaluate_and_record, and saving trained models."""

import json

import keras
import numpy as np
import pandas as pd
import pytest

from course_utils import evaluate, models, train
from course_utils.config import get_profile
from course_utils.data import TrackSplit
from course_utils.errors import ConfigError

CLASSES = ["blues", "jazz", "rock"]


def echo_model():
    """A 'model' whose class probabilities are its input: predictions are whatever the test writes."""
    inputs = keras.Input((3,))
    return keras.Model(inputs, keras.layers.Identity()(inputs))


def interleaved_segments():
    """Segments of three tracks in mixed order; per track, the mean and the vote of its segments differ."""
    rows = [  # track, true genre, segment probabilities
        ("jazz.00003", "jazz", [0.1, 0.5, 0.4]), ("blues.00001", "blues", [0.9, 0.05, 0.05]),
        ("rock.00002", "rock", [0.0, 0.6, 0.4]), ("jazz.00003", "jazz", [0.1, 0.45, 0.45]),
        ("blues.00001", "blues", [0.1, 0.8, 0.1]), ("rock.00002", "rock", [0.0, 0.0, 1.0]),
        ("jazz.00003", "jazz", [0.0, 0.2, 0.8]), ("rock.00002", "rock", [0.0, 0.55, 0.45]),
    ]
    table = pd.DataFrame([(t, g, k) for k, (t, g, _) in enumerate(rows)], columns=["track_id", "label", "segment"])
    return np.array([p for *_, p in rows], np.float32), table


def test_segment_scores_are_aggregated_per_track_id():
    X, table = interleaved_segments()
    predictions = train.predict_tracks(echo_model(), X, table, classes=CLASSES)
    tracks = predictions.tracks.set_index("track_id")
    # means: blues (0.5, 0.425, 0.075) -> blues; jazz (0.067, 0.383, 0.55) -> rock; rock (0, 0.383, 0.617) -> rock
    assert tracks["predicted"].to_dict() == {"blues.00001": "blues", "jazz.00003": "rock", "rock.00002": "rock"}
    assert tracks["n_segments"].to_dict() == {"blues.00001": 2, "jazz.00003": 3, "rock.00002": 3}
    assert tracks.loc["jazz.00003", "rock"] == pytest.approx((0.4 + 0.45 + 0.8) / 3)
    assert predictions.segments["predicted"].tolist() == ["jazz", "blues", "jazz", "jazz", "jazz", "rock", "rock",
                                                          "jazz"]
    assert predictions.scores.accuracy == pytest.approx(2 / 3) and predictions.scores.n == 3
    assert predictions.segment_scores.accuracy == pytest.approx(4 / 8) and predictions.segment_scores.n == 8
    assert predictions.probabilities.shape == (8, 3) and predictions.seconds_per_track == predictions.seconds / 3


def test_majority_vote_is_an_option():
    X, table = interleaved_segments()
    tracks = train.predict_tracks(echo_model(), X, table, classes=CLASSES, method="vote").tracks.set_index("track_id")
    # votes: blues 1-1 (tie, broken by the mean: blues), jazz 2 of 3 jazz, rock 2 of 3 jazz
    assert tracks["predicted"].to_dict() == {"blues.00001": "blues", "jazz.00003": "jazz", "rock.00002": "jazz"}


def test_without_labels_there_are_predictions_but_no_scores():
    X, table = interleaved_segments()
    predictions = train.predict_tracks(echo_model(), X, table.drop(columns="label"), classes=CLASSES)
    assert predictions.scores is None and "label" not in predictions.tracks and len(predictions.tracks) == 3


def test_predict_tracks_checks_rows_and_classes():
    X, table = interleaved_segments()
    with pytest.raises(ConfigError, match="one row per input row"):
        train.predict_tracks(echo_model(), X[:-1], table, classes=CLASSES)
    with pytest.raises(ConfigError, match="2 classes"):
        train.predict_tracks(echo_model(), X, table, classes=CLASSES[:2])


def separable_parts():
    """Three tracks per genre and part, four segments each; genre c is bright in rows 3c..3c+2."""
    rng = np.random.default_rng(0)
    rows, X = [], []
    for part, first in (("train", 0), ("valid", 3), ("test", 6)):
        for c, genre in enumerate(CLASSES):
            for t in range(first, first + 3):
                for k in range(4):
                    rows.append((f"{genre}.{t:05d}", genre, k))
                    segment = rng.normal(size=(9, 12))
                    segment[3 * c:3 * c + 3] += 2.0
                    X.append(segment)
    table = pd.DataFrame(rows, columns=["track_id", "label", "segment"])
    part = pd.Series({t: ("train" if int(t[-1]) < 3 else "valid" if int(t[-1]) < 6 else "test")
                      for t in table["track_id"].unique()})
    split = TrackSplit("stratified", part, "test")
    return train.split_parts(np.array(X, np.float32), table, split, classes=CLASSES), split


def test_evaluate_and_record_writes_track_level_scores_times_and_parameters(capsys):
    parts, split = separable_parts()
    model = models.cnn2d((9, 12), 3, filters=(8,), downsample=(1, 1), seed=0)
    run = train.evaluate_and_record(model, parts, features="stripes", classes=CLASSES, split=split,
                                    profile=get_profile("quick"), dataset="toy", epochs=6, batch_size=8,
                                    augment=train.Augmentation(), seed=0)
    assert run.name == "cnn2d+specaugment+shift" and run.scores.n == 9
    record = json.loads(run.record.read_text())
    assert record["model"] == run.name and record["n_params"] == model.count_params()
    assert record["n_test"] == 9 and record["accuracy"] == run.scores.accuracy
    assert record["train_seconds"] == pytest.approx(run.fit.train_seconds)
    assert record["predict_seconds"] == pytest.approx(run.predictions.seconds)
    assert f"best epoch {run.fit.best_epoch}" in record["notes"]
    row = evaluate.load_results(dataset="toy").iloc[0]
    assert row["model"] == run.name and row["features"] == "stripes" and row["split"] == "stratified"
    stored = row["predictions"].set_index("track_id")["predicted"]
    assert stored.to_dict() == run.predictions.tracks.set_index("track_id")["predicted"].to_dict()
    summary = run.summary()
    assert summary["track accuracy"] == run.scores.accuracy and summary["params"] == model.count_params()
    assert "test tracks accuracy" in capsys.readouterr().out


def test_evaluate_and_record_can_skip_the_registry_and_needs_three_parts():
    parts, split = separable_parts()
    options = dict(features="stripes", classes=CLASSES, split=split, profile=get_profile("quick"), dataset="toy",
                   epochs=1, batch_size=8, verbose=False)
    run = train.evaluate_and_record(models.cnn2d((9, 12), 3, filters=4), parts, record=False, **options)
    assert run.record is None and evaluate.load_results().empty
    with pytest.raises(ConfigError, match="valid"):
        train.evaluate_and_record(models.cnn2d((9, 12), 3, filters=4), {"train": parts["train"],
                                                                        "test": parts["test"]}, **options)


@pytest.mark.parametrize("builder, shape, options", [
    ("cnn2d", (9, 12), {"filters": (4, 8)}), ("cnn1d", (12, 9), {}), ("lstm", (9, 12), {"time_axis": 1, "pool": 2}),
    ("bilstm", (12, 9), {"units": 8}),
])
def test_a_trained_model_saved_and_loaded_predicts_the_same(tmp_path, builder, shape, options):
    parts, _ = separable_parts()
    X = parts["train"].X if shape == (9, 12) else np.swapaxes(parts["train"].X, 1, 2)
    model = getattr(models, builder)(shape, 3, **options)
    train.fit(model, (X, parts["train"].y), None, epochs=2, batch_size=8, verbose=False)
    model.save(tmp_path / "model.keras")
    loaded = keras.models.load_model(tmp_path / "model.keras")
    before, after = model.predict(X, verbose=0), loaded.predict(X, verbose=0)
    assert np.array_equal(before, after)
    assert loaded.get_layer("normalize").adapt_mean.numpy().any()  # the training statistics travelled along
