"""The model definitions of the course (course_utils.zoo): one per model, complete, and what changes them."""

from __future__ import annotations

import pytest

from conftest import make_collection
from course_utils import zoo
from course_utils.cache import digest
from course_utils.config import get_profile
from course_utils.data import load_dataset, track_split
from course_utils.errors import ConfigError

QUICK = get_profile("quick")


def test_every_model_has_one_complete_definition():
    specs = zoo.specs()
    assert len({s.key for s in specs}) == len(specs)
    assert {s.chapter for s in specs} == {5, 7, 8, 9, 10, 11}
    definitions = {s.key: digest(s.definition(QUICK, seed=1)) for s in specs}
    assert definitions["CNN, log-mel"] != definitions["CNN, MFCC"] != definitions["LSTM, MFCC"]
    assert [s.key for s in zoo.specs(chapter=9)] == [
        "LSTM, MFCC", "LSTM, log-mel", "LSTM, embeddings", "BiLSTM, MFCC", "BiLSTM, log-mel", "BiLSTM, embeddings"]


def test_a_fusion_definition_holds_its_parts():
    average = zoo.get("fusion, average").definition(QUICK, seed=1)
    before = digest(average)
    zoo.override("CNN, scalogram stream", dropout=0.5)
    assert digest(zoo.get("fusion, average").definition(QUICK, seed=1)) != before  # a changed stream changes it
    zoo.reset("CNN, scalogram stream")
    assert digest(zoo.get("fusion, average").definition(QUICK, seed=1)) == before
    with pytest.raises(ConfigError, match="not one network"):
        zoo.override("fusion, average", dropout=0.5)


def test_the_profile_fills_the_training_settings():
    spec = zoo.get("CNN, log-mel")
    assert spec.settings(QUICK)["epochs"] == QUICK.epochs and spec.settings(QUICK)["batch_size"] == QUICK.batch_size
    assert spec.replace(training={"epochs": 3}).settings(QUICK)["epochs"] == 3
    with pytest.raises(ConfigError, match="unknown training settings"):
        spec.replace(training={"epoch": 3})


def test_inputs_resolve_every_parameter_and_load_what_they_resolve(tmp_path):
    dataset = load_dataset(make_collection(tmp_path / "tones", labels=("blues", "rock"), per_label=3, seconds=3.5))
    spec = zoo.get("CNN, MFCC")
    params = spec.input.resolve(dataset, profile=QUICK)
    assert params["input"] == "segments" and params["kind"] == "mfcc" and params["n_fft"] == 2048  # defaults too
    loaded = spec.input.load(dataset, profile=QUICK)
    assert loaded.params == params and loaded.features == "MFCC 3 s" and len(loaded.X) == len(loaded.table)
    model = spec.build(loaded.X.shape[1:], len(dataset.labels), seed=0)
    assert model.get_layer("downsample") is not None and model.output_shape == (None, 2)
    split = track_split(dataset, seed=0, test_size=0.34, valid_size=0.34)
    made = spec.fingerprint(dataset=dataset, split=split, profile=QUICK, seed=0)
    assert made.digest == spec.fingerprint(dataset=dataset, split=split, profile=QUICK, seed=0).digest
    assert spec.fingerprint(dataset=dataset, split=split, profile=QUICK, seed=1).changed(made.parts) == ["seed"]
    with pytest.raises(ConfigError, match="were made with"):
        zoo.get("CNN, log-mel").fit(dataset=dataset, split=split, profile=QUICK, seed=0, inputs=loaded)
    both = zoo.get("fusion, average").input.resolve(dataset, profile=QUICK)
    for view in ("spectrogram", "scalogram"):  # what Inputs.pick gives each stream is what its definition resolves
        assert {**both, "view": view} == zoo.get(f"CNN, {view} stream").input.resolve(dataset, profile=QUICK)
    with pytest.raises(ConfigError, match="unknown input kind"):
        zoo.InputSpec("spectrogram pictures")


def test_a_fusion_trains_with_its_streams_through_zoo_fit_only():
    average = zoo.get("fusion, average")
    assert [part.key for part in average.part_specs] == list(average.parts)  # resolved by get, overrides included
    with pytest.raises(ConfigError, match="zoo.fit"):
        average.fit(dataset=None, split=None, profile=QUICK, seed=1)
    with pytest.raises(ConfigError, match="zoo.get"):
        average.replace(part_specs=()).definition(QUICK, seed=1)
