"""run_all: one protocol, reuse of registry rows, training only what is missing, skipped models."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import make_collection
from course_utils import compare, evaluate
from course_utils.config import get_profile
from course_utils.errors import ConfigError

QUICK = get_profile("quick")


@pytest.fixture
def protocol(tmp_path):
    """Three labels of six 2-s tones each, split 4/0/2 per label (the quick profile keeps five per label)."""
    root = make_collection(tmp_path / "tones", labels=("blues", "jazz", "rock"), per_label=6, seconds=2.0)
    return compare.Protocol.create(root, profile=QUICK)


def recipes():
    return [r for r in compare.classical_recipes() if r.key.startswith(("majority", "logreg on"))]


def test_protocol_knows_its_test_tracks(protocol):
    assert len(protocol.test_ids) == 3 and protocol.test_ids <= set(protocol.dataset.tracks["track_id"])
    assert "stratified track split" in protocol.describe() and "profile quick" in protocol.describe()


def test_protocol_keeps_artists_apart_when_they_are_known(tmp_path):
    root = make_collection(tmp_path / "tones", labels=("blues", "jazz", "rock"), per_label=6, seconds=2.0)
    (root / "artists.csv").write_text("track_id,artist\n" + "".join(
        f"{label}.{k:05d},{label} {k % 3}\n" for label in ("blues", "jazz", "rock") for k in range(6)))
    protocol = compare.Protocol.create(root, profile=QUICK)
    assert protocol.split.method == "artist" and "track split by artist (" in protocol.describe()
    tracks = protocol.split.assign(protocol.dataset.tracks)
    assert (tracks.groupby("artist")["split"].nunique() == 1).all()
    assert protocol.test_ids and tracks["split"].eq("train").any()


def test_run_all_trains_what_is_missing_then_reuses_it(protocol, capsys):
    first = compare.run_all(protocol, recipes())
    assert first.results["status"].tolist() == ["trained", "trained"]
    assert "trained  majority on handcrafted features" in capsys.readouterr().out
    rows = len(evaluate.load_results(latest=False))
    second = compare.run_all(protocol, recipes())
    assert second.results["status"].tolist() == ["reused", "reused"]
    assert len(evaluate.load_results(latest=False)) == rows  # nothing trained again
    pd.testing.assert_frame_equal(first.results.drop(columns="status"), second.results.drop(columns="status"))
    retrained = compare.run_all(protocol, recipes(), retrain=True, verbose=False)
    assert retrained.results["status"].eq("trained").all()


def test_only_the_missing_model_is_trained(protocol):
    majority, logreg = recipes()
    majority.train(protocol)  # as if its chapter had run
    comparison = compare.run_all(protocol, [majority, logreg], verbose=False)
    status = comparison.results.set_index("key")["status"]
    assert status[majority.key] == "reused" and status[logreg.key] == "trained"


def test_rows_of_another_protocol_are_not_reused(protocol, tmp_path):
    majority = recipes()[0]
    compare.run_all(protocol, [majority], verbose=False)
    other = compare.Protocol.create(protocol.dataset.root, profile=QUICK, seed=7)
    assert other.test_ids != protocol.test_ids
    assert compare.run_all(other, [majority], verbose=False).results["status"].tolist() == ["trained"]


def test_results_carry_intervals_and_paired_tests(protocol):
    comparison = compare.run_all(protocol, recipes(), verbose=False)
    results = comparison.results
    assert (results["accuracy_low"] <= results["accuracy"]).all() and (results["accuracy"] <= results["accuracy_high"]).all()
    assert (results["macro_f1_low"] <= results["macro_f1"]).all() and (results["macro_f1"] <= results["macro_f1_high"]).all()
    assert results["accuracy"].is_monotonic_decreasing and comparison.best == results["key"].iloc[0]
    paired = comparison.paired()
    assert paired["key"].tolist() == results["key"].tolist()[1:]
    assert (paired["difference"] >= 0).all() and paired["p_value"].between(0, 1).all()
    assert list(comparison.per_class_f1.columns) == protocol.labels
    assert list(comparison.confused_genres().columns) == ["true", "predicted", "tracks", "models"]
    with pytest.raises(ConfigError, match="reference must be one of"):
        comparison.paired("no such model")


def test_unavailable_models_are_listed_as_skipped_with_their_reason(protocol):
    majority = recipes()[0]
    missing = compare.Recipe("needs weights", "transfer learning", 10, lambda p: ("x", "y"),
                             lambda p: pytest.fail("must not train"), lambda p: "weights absent: set KERAS_HOME")
    comparison = compare.run_all(protocol, [majority, missing], verbose=False)
    assert comparison.skipped.to_dict("records") == [
        {"key": "needs weights", "family": "transfer learning", "reason": "weights absent: set KERAS_HOME"}]
    assert comparison.results["key"].tolist() == [majority.key]


def test_a_recipe_that_records_nothing_is_named(protocol):
    silent = compare.Recipe("silent", "baseline", 7, lambda p: ("x", "y"), lambda p: None)
    with pytest.raises(ConfigError, match="recipe 'silent' trained but recorded no row"):
        compare.run_all(protocol, [silent], verbose=False)
