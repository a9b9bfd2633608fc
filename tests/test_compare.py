"""run_all: one protocol, reuse of registry records by fingerprint, training only what is missing or changed."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import make_collection, write_tone
from course_utils import compare, evaluate, zoo
from course_utils.config import get_profile
from course_utils.errors import ConfigError

QUICK = get_profile("quick")


@pytest.fixture
def protocol(tmp_path):
    """Three labels of six 2-s tones each, split 4/0/2 per label (the quick profile keeps five per label)."""
    root = make_collection(tmp_path / "tones", labels=("blues", "jazz", "rock"), per_label=6, seconds=2.0)
    return compare.Protocol.create(root, profile=QUICK)


def models():
    return [zoo.get("majority class"), zoo.get("logreg, handcrafted")]


def statuses(comparison) -> dict:
    return comparison.results.set_index("key")["status"].to_dict()


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
    heard = set(tracks.loc[tracks["split"] != "test", "artist"])
    assert protocol.test_ids and not heard & set(tracks.loc[tracks["split"] == "test", "artist"])
    assert tracks["split"].eq("train").any()


def test_the_comparison_covers_every_family_of_the_course():
    compared = compare.compared_models()
    assert {spec.family for spec in compared} == {spec.family for spec in zoo.specs()}
    assert {spec.chapter for spec in compared} == {5, 7, 8, 9, 10, 11}


def test_run_all_trains_what_is_missing_then_reuses_it(protocol, capsys):
    first = compare.run_all(protocol, models())
    assert first.results["status"].tolist() == ["trained", "trained"]
    assert "trained  majority class in" in capsys.readouterr().out
    rows = len(evaluate.load_results(latest=False))
    second = compare.run_all(protocol, models())
    assert second.results["status"].tolist() == ["reused", "reused"]
    when = f"{second.results['recorded_at'].iloc[0]:%Y-%m-%d %H:%M}"
    assert f"reused   majority class (recorded {when})" in capsys.readouterr().out
    assert len(evaluate.load_results(latest=False)) == rows  # nothing trained again
    columns = ["status", "why"]
    pd.testing.assert_frame_equal(first.results.drop(columns=columns), second.results.drop(columns=columns))
    provenance = second.provenance()
    assert provenance["status"].eq("reused").all() and provenance["why"].eq("same fingerprint").all()
    retrained = compare.run_all(protocol, models(), retrain=True, verbose=False)
    assert retrained.results["status"].eq("trained").all()


def test_a_chapters_record_is_reused(protocol):
    majority, logreg = models()
    majority.fit(**protocol.record_options)  # as its chapter does
    assert statuses(compare.run_all(protocol, [majority, logreg], verbose=False)) == {
        "majority class": "reused", "logreg, handcrafted": "trained"}


def test_a_chapter_7_record_made_without_the_zoo_is_reused(protocol):
    from course_utils.features import feature_columns, feature_table

    table = protocol.split.assign(feature_table(protocol.dataset))
    fitted = evaluate.fit_and_evaluate("logreg", table, features=feature_columns(), labels=protocol.labels,
                                        profile=QUICK, seed=protocol.seed)
    fitted.record(features="handcrafted", **protocol.record_options)  # chapter 7's call
    assert statuses(compare.run_all(protocol, models()[1:], verbose=False)) == {"logreg, handcrafted": "reused"}


def test_changing_one_hyper_parameter_retrains_that_model_only(protocol):
    majority, logreg = models()
    compare.run_all(protocol, [majority, logreg], verbose=False)
    changed = logreg.replace(options={"grid": {"model__C": [0.25]}})
    comparison = compare.run_all(protocol, [majority, changed], verbose=False)
    assert statuses(comparison) == {"majority class": "reused", "logreg, handcrafted": "trained"}
    assert comparison.results.set_index("key").loc["logreg, handcrafted", "why"].endswith(": definition")


def test_changing_the_data_set_retrains_every_model(protocol):
    compare.run_all(protocol, models(), verbose=False)
    track = protocol.dataset.tracks.iloc[0]
    write_tone(track["path"], 2.5)  # same track ids, one file changed
    changed = compare.Protocol.create(protocol.dataset.root, profile=QUICK)
    assert changed.test_ids == protocol.test_ids
    comparison = compare.run_all(changed, models(), verbose=False)
    assert set(statuses(comparison).values()) == {"trained"}
    assert comparison.results["why"].str.contains("data").all()


def test_rows_of_another_split_are_not_reused(protocol):
    majority = models()[0]
    compare.run_all(protocol, [majority], verbose=False)
    other = compare.Protocol.create(protocol.dataset.root, profile=QUICK, seed=7)
    assert other.test_ids != protocol.test_ids
    assert compare.run_all(other, [majority], verbose=False).results["status"].tolist() == ["trained"]


@pytest.mark.parametrize("stored", [None, "0123456789abcdef0123456789abcdef"])
def test_a_record_with_a_missing_or_unknown_fingerprint_is_never_reused(protocol, stored, monkeypatch):
    """A record of the same model, data set, split and seed, whose fingerprint is absent or matches nothing."""
    from course_utils.evaluate import registry

    majority = models()[0]
    fitted = majority.fit(**protocol.record_options)
    rows = evaluate.load_results(latest=False)
    path = registry.results_dir() / rows["record"].iloc[0]
    text = path.read_text()
    digest = rows["fingerprint"].iloc[0]
    path.write_text(text.replace(f'"{digest}"', "null" if stored is None else f'"{stored}"'))
    assert evaluate.load_results(latest=False)["fingerprint"].iloc[0] != digest
    comparison = compare.run_all(protocol, [majority], verbose=False)
    assert comparison.results["status"].tolist() == ["trained"]
    assert comparison.results["accuracy"].iloc[0] == fitted.scores.accuracy


def test_an_override_reaches_every_chapter_and_changes_the_fingerprint(protocol):
    before = zoo.get("CNN, log-mel")
    made = before.fingerprint(**protocol.record_options)
    after = zoo.override("CNN, log-mel", dropout=0.5, epochs=3)
    assert after.options["dropout"] == 0.5 and after.training["epochs"] == 3
    assert zoo.overrides() == {"CNN, log-mel": {"options": {"dropout": 0.5}, "training": {"epochs": 3}}}
    assert zoo.get("CNN, log-mel") == after  # read back from the data home, as another notebook would
    assert after.fingerprint(**protocol.record_options).changed(made.parts) == ["definition"]
    assert zoo.get("CNN, MFCC").fingerprint(**protocol.record_options).digest  # other models untouched
    zoo.reset()
    assert zoo.get("CNN, log-mel") == before and zoo.overrides() == {}
    with pytest.raises(ConfigError, match="has no setting"):
        zoo.override("CNN, log-mel", no_such_option=1)
    with pytest.raises(ConfigError, match="unknown model"):
        zoo.get("no such model")


def test_results_carry_intervals_and_paired_tests(protocol):
    comparison = compare.run_all(protocol, models(), verbose=False)
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


def test_unavailable_models_are_listed_as_skipped_with_their_reason(protocol, monkeypatch):
    majority = models()[0]
    missing = majority.replace(key="needs weights", family="transfer learning", needs="weights")
    monkeypatch.setattr(zoo.ModelSpec, "unavailable",
                        lambda spec: "weights absent: set KERAS_HOME" if spec.needs else None)
    comparison = compare.run_all(protocol, [majority, missing], verbose=False)
    assert comparison.skipped.to_dict("records") == [
        {"key": "needs weights", "family": "transfer learning", "reason": "weights absent: set KERAS_HOME"}]
    assert comparison.results["key"].tolist() == [majority.key]
