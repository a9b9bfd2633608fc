"""The results registry: round trip, latest-per-model view, interrupted writes, concurrent writers."""

import multiprocessing
from pathlib import Path

import pandas as pd
import pytest

from course_utils import evaluate
from course_utils.config import get_profile
from course_utils.errors import ConfigError
from course_utils.evaluate import registry
from course_utils.evaluate.fingerprints import PARTS

SCORES = evaluate.score(["blues", "jazz", "jazz", "rock"], ["blues", "jazz", "rock", "rock"],
                        labels=["blues", "jazz", "rock"])
PREDICTIONS = pd.DataFrame({"track_id": ["blues.00001", "jazz.00001", "jazz.00002", "rock.00001"],
                            "label": ["blues", "jazz", "jazz", "rock"], "predicted": ["blues", "jazz", "rock", "rock"]})


def record(model="svm_rbf", notes="", **overrides):
    args = dict(model=model, features="handcrafted", scores=SCORES, split="stratified", profile=get_profile("quick"),
                dataset="synthetic GTZAN", train_seconds=1.5, predict_seconds=0.01, n_params=1234, seed=42,
                notes=notes)
    return evaluate.record_result(**{**args, **overrides})


def test_empty_registry_is_an_empty_table():
    table = evaluate.load_results()
    assert table.empty and "accuracy" in table.columns


def test_round_trip(private_data_home):
    path = record()
    assert path.parent == private_data_home / "results" and path.suffix == ".json"
    table = evaluate.load_results()
    assert len(table) == 1
    row = table.iloc[0]
    assert (row.model, row.features, row.split, row.profile, row.dataset) == (
        "svm_rbf", "handcrafted", "stratified", "quick", "synthetic GTZAN")
    assert row.accuracy == pytest.approx(0.75) and row.macro_f1 == pytest.approx(SCORES.macro_f1)
    assert row.per_class_f1 == pytest.approx(SCORES.per_class_f1.to_dict())
    pd.testing.assert_frame_equal(row.confusion, SCORES.confusion)
    assert (row.train_seconds, row.predict_seconds, row.n_params, row.seed, row.n_test) == (1.5, 0.01, 1234, 42, 4)
    assert isinstance(row.recorded_at, pd.Timestamp) and row.predictions is None


def test_track_predictions_round_trip():
    record(predictions=PREDICTIONS.assign(extra=1))
    stored = evaluate.load_results().iloc[0].predictions
    pd.testing.assert_frame_equal(stored, PREDICTIONS)


def test_latest_keeps_the_newest_record_per_model():
    record(notes="first run")
    record(notes="second run")
    record(model="xgboost")
    assert len(evaluate.load_results(latest=False)) == 3
    latest = evaluate.load_results()
    assert sorted(latest["model"]) == ["svm_rbf", "xgboost"]
    assert latest.set_index("model").loc["svm_rbf", "notes"] == "second run"


def test_rows_of_one_data_set_and_profile():
    record(dataset="synthetic GTZAN")
    record(dataset="GTZAN")
    record(dataset="GTZAN", profile=get_profile("full"))
    assert evaluate.load_results(dataset="GTZAN", profile="quick")["dataset"].tolist() == ["GTZAN"]
    both = evaluate.load_results(dataset={"GTZAN", "synthetic GTZAN"}, profile=get_profile("quick"))
    assert sorted(both["dataset"]) == ["GTZAN", "synthetic GTZAN"]
    assert len(evaluate.load_results(profile="full")) == 1
    assert evaluate.load_results(dataset="no such set").empty
    with pytest.raises(ConfigError, match="dataset"):
        evaluate.load_results(dataset="")


def test_split_and_dataset_objects_give_their_names():
    class Split:
        method = "fault_filtered"

    class Data:
        name = "GTZAN"

    record(split=Split(), dataset=Data())
    row = evaluate.load_results().iloc[0]
    assert (row.split, row.dataset) == ("fault_filtered", "GTZAN")


@pytest.mark.parametrize("overrides, match", [
    ({"scores": 0.9}, "Scores"),
    ({"model": ""}, "model"),
    ({"train_seconds": -1.0}, "train_seconds"),
    ({"predict_seconds": float("nan")}, "predict_seconds"),
    ({"n_params": 1.5}, "n_params"),
    ({"seed": "42"}, "seed"),
    ({"predictions": PREDICTIONS[["track_id", "label"]]}, "predictions must be a DataFrame with columns"),
    ({"predictions": PREDICTIONS.iloc[:3]}, "one row per test track: 4 scored"),
    ({"predictions": PREDICTIONS.assign(track_id="blues.00001")}, "1 distinct track ids"),
    ({"predictions": PREDICTIONS.assign(predicted=PREDICTIONS["label"])}, "do not agree with scores"),
])
def test_bad_records_are_refused(overrides, match):
    with pytest.raises(ConfigError, match=match):
        record(**overrides)
    assert evaluate.load_results().empty


def test_an_interrupted_write_leaves_the_registry_readable(monkeypatch):
    record(notes="kept")
    real_write = Path.write_text

    def write_half_then_die(self, text, *args, **kwargs):
        real_write(self, text[: len(text) // 2], *args, **kwargs)
        raise KeyboardInterrupt

    with monkeypatch.context() as patched, pytest.raises(KeyboardInterrupt):
        patched.setattr(Path, "write_text", write_half_then_die)
        record(notes="lost")
    # A process killed outright leaves its temporary file behind; it must be ignored too.
    (evaluate.results_dir() / ".20250101-x.json.abc123.tmp").write_text('{"model": ')
    table = evaluate.load_results(latest=False)
    assert table["notes"].tolist() == ["kept"]
    assert len(list(evaluate.results_dir().glob("*.json"))) == 1


def test_a_corrupt_record_is_skipped_with_a_warning_naming_it():
    record(notes="good")
    (evaluate.results_dir() / "broken.json").write_text("{not json")
    with pytest.warns(RuntimeWarning, match="broken.json"):
        table = evaluate.load_results()
    assert table["notes"].tolist() == ["good"]


def write_many(worker: int, count: int = 10) -> None:
    for k in range(count):
        record(model=f"model{worker}", notes=f"{worker}-{k}")


def test_concurrent_writers_keep_every_row():
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=write_many, args=(w,)) for w in range(4)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=60)
    assert all(p.exitcode == 0 for p in workers)
    table = evaluate.load_results(latest=False)
    assert sorted(table["notes"]) == sorted(f"{w}-{k}" for w in range(4) for k in range(10))
    assert len(evaluate.load_results()) == 4  # latest view: one row per model


def test_results_dir_is_inside_the_data_home(private_data_home):
    assert registry.results_dir() == private_data_home / "results"


def made(**changes):
    from course_utils.data import TrackSplit
    from course_utils.evaluate import fingerprint

    tracks = pd.DataFrame({"track_id": PREDICTIONS["track_id"], "label": PREDICTIONS["label"], "feature": [1, 2, 3, 4]})
    split = TrackSplit("stratified", pd.Series("test", index=tracks["track_id"]), "")
    args = dict(definition={"model": "svm_rbf", "C": 1.0}, inputs={"features": "handcrafted"}, data=tracks,
                split=split, seed=42)
    return fingerprint(**{**args, **changes})


def test_a_fingerprint_changes_with_each_thing_that_made_the_result():
    base = made()
    assert made().digest == base.digest
    assert made(definition={"model": "svm_rbf", "C": 2.0}).changed(base.parts) == ["definition"]
    assert made(inputs={"features": "mfcc"}).changed(base.parts) == ["inputs"]
    assert made(seed=1).changed(base.parts) == ["seed"]
    assert base.changed(None) == list(PARTS)
    assert made(split="stratified") is None and made(data="a name") is None  # nothing identifies them


def test_records_are_reused_only_by_their_fingerprint():
    base = made()
    record(predictions=PREDICTIONS)  # same names, no fingerprint
    assert registry.reusable(evaluate.load_results(latest=False), base) is None
    record(predictions=PREDICTIONS, fingerprint=made(seed=1))
    assert registry.reusable(evaluate.load_results(latest=False), base) is None
    record(fingerprint=base)  # without test predictions: cannot be compared track by track
    assert registry.reusable(evaluate.load_results(latest=False), base) is None
    record(predictions=PREDICTIONS, fingerprint=base, notes="this one")
    row = registry.reusable(evaluate.load_results(latest=False), base)
    assert row["notes"] == "this one" and row["fingerprint"] == base.digest
    assert row["fingerprint_parts"] == dict(base.parts)
    with pytest.raises(ConfigError, match="fingerprint must be"):
        record(fingerprint="abc")
