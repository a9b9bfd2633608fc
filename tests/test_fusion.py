"""Multimodal models: late fusion of trained streams, the combined multi-input model, its ablation, and the
alignment of inputs that come in windows or per track."""

from __future__ import annotations

import keras
import numpy as np
import pandas as pd
import pytest

from course_utils import models, train
from course_utils.errors import ConfigError
from course_utils.models import fusion
from course_utils.models.blocks import unadapted_normalizations

RNG = np.random.default_rng(0)
N, CLASSES = 24, 3
Y = np.arange(N) % CLASSES


def weights_of(model):
    return [w.copy() for w in model.get_weights()]


@pytest.fixture(scope="module")
def streams():
    """Two small trained CNNs over different inputs, keyed by input name, with their inputs."""
    X = {"spectrogram": RNG.normal(-40, 10, (N, 16, 12)).astype(np.float32),
         "scalogram": RNG.normal(-30, 5, (N, 8, 12)).astype(np.float32)}
    trained = {}
    for key, values in X.items():
        model = models.cnn2d(values.shape[1:], CLASSES, filters=(4,), name=f"{key}_cnn")
        train.fit(model, (values, Y), epochs=1, batch_size=8, verbose=False)
        trained[key] = model
    return trained, X


def test_mlp_standardises_unless_asked_not_to():
    model = fusion.mlp((5,), CLASSES, units=(8, 4))
    assert [layer.name for layer in model.layers][1:] == ["normalize", "dense1", "dense2", "dropout", "probabilities"]
    assert len(unadapted_normalizations(model)) == 1
    X = RNG.normal(1000, 300, (N, 5)).astype(np.float32)
    train.fit(model, (X, Y), epochs=1, batch_size=8, verbose=False)
    assert not unadapted_normalizations(model)
    linear = fusion.mlp((5,), CLASSES, units=(), standardize=False)
    assert [layer.name for layer in linear.layers][1:] == ["dropout", "probabilities"]
    assert linear.count_params() == 5 * CLASSES + CLASSES
    with pytest.raises(ConfigError, match="input_shape"):
        fusion.mlp((5, 2), CLASSES)


@pytest.mark.parametrize("build, expected", [
    (lambda: models.cnn2d((16, 12), CLASSES), "average"),
    (lambda: models.cnn1d((6, 10), CLASSES), "average"),
    (lambda: models.lstm((6, 10), CLASSES), "bn"),
    (lambda: fusion.mlp((5,), CLASSES, units=(4,)), "dense1"),
])
def test_embedding_layer_is_what_the_head_reads(build, expected):
    assert fusion.embedding_layer(build()) == expected


def test_embedding_layer_needs_a_head():
    inputs = keras.Input((3,))
    plain = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    with pytest.raises(ConfigError, match="no softmax layer"):
        fusion.embedding_layer(plain)
    with pytest.raises(ConfigError, match="no layer between"):
        fusion.embedding_layer(fusion.mlp((5,), CLASSES, units=(), standardize=False))


def test_average_fusion_averages_the_streams_probabilities(streams):
    trained, X = streams
    model = fusion.average_fusion(trained)
    assert sorted(t.name for t in model.inputs) == ["scalogram", "spectrogram"]
    fused = model.predict(X, verbose=0)
    alone = [trained[key].predict(X[key], verbose=0) for key in X]
    np.testing.assert_allclose(fused, np.mean(alone, axis=0), atol=1e-6)
    np.testing.assert_allclose(fused.sum(axis=1), 1.0, atol=1e-5)
    assert model.count_params() == sum(m.count_params() for m in trained.values())


def test_fusion_refuses_mismatched_streams(streams):
    trained, _ = streams
    with pytest.raises(ConfigError, match="at least two"):
        fusion.average_fusion({"spectrogram": trained["spectrogram"]})
    twin = models.cnn2d((8, 12), CLASSES, filters=(4,), name="spectrogram_cnn")
    with pytest.raises(ConfigError, match="different names"):
        fusion.average_fusion({"spectrogram": trained["spectrogram"], "scalogram": twin})
    other = models.cnn2d((8, 12), CLASSES + 1, filters=(4,), name="other_cnn")
    with pytest.raises(ConfigError, match="same classes"):
        fusion.concat_fusion({"spectrogram": trained["spectrogram"], "scalogram": other}, CLASSES)


def test_concat_fusion_trains_only_its_head(streams):
    trained, X = streams
    before = {key: weights_of(model) for key, model in trained.items()}
    model = fusion.concat_fusion(trained, CLASSES)
    assert len(model.trainable_weights) == 2  # the new softmax layer's kernel and bias
    assert model.get_layer("joined").output.shape[-1] == 8  # 4 channels from each stream
    train.fit(model, (X, Y), (X, Y), epochs=2, batch_size=8, verbose=False)
    for key, stream in trained.items():
        assert all(np.array_equal(a, b) for a, b in zip(weights_of(stream), before[key]))
    probabilities = model.predict(X, verbose=0)
    assert probabilities.shape == (N, CLASSES)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)


def branches():
    return {"mfcc": models.cnn1d((20, 30), CLASSES, time_axis=1),
            "embedding": models.lstm((5, 12), CLASSES),
            "handcrafted": fusion.mlp((7,), CLASSES)}


def combined_inputs():
    return {"mfcc": RNG.normal(0, 30, (N, 20, 30)).astype(np.float32),
            "embedding": RNG.random((N, 5, 12)).astype(np.float32),
            "handcrafted": RNG.normal(500, 200, (N, 7)).astype(np.float32)}


def test_combined_model_joins_fresh_copies_of_the_branches_and_trains_end_to_end():
    parts = branches()
    model = fusion.combined(parts, CLASSES)
    assert sorted(t.name for t in model.inputs) == ["embedding", "handcrafted", "mfcc"]
    names = {layer.name for layer in model.layers}
    assert {"mfcc_conv1", "embedding_lstm1", "handcrafted_dense1", "joined", "probabilities"} <= names
    originals = {id(layer) for branch in parts.values() for layer in branch.layers}
    assert not originals & {id(layer) for layer in model.layers}  # copies, not the branches' own layers
    pending = unadapted_normalizations(model)
    assert sorted(model.inputs[i].name for _, i in pending) == ["embedding", "handcrafted", "mfcc"]
    X = combined_inputs()
    train.fit(model, (X, Y), (X, Y), epochs=1, batch_size=8, verbose=False)
    assert not unadapted_normalizations(model)
    probabilities = model.predict(X, verbose=0)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    first, second = fusion.combined(parts, CLASSES, seed=3), fusion.combined(parts, CLASSES, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(first.get_weights(), second.get_weights()))  # seeded


def test_ablation_drops_exactly_one_branch_each_time():
    settings = fusion.ablations(["mfcc", "embedding", "handcrafted"])
    assert settings["all"] == ("mfcc", "embedding", "handcrafted")
    assert list(settings) == ["all", "without mfcc", "without embedding", "without handcrafted"]
    for setting, kept in list(settings.items())[1:]:
        dropped = setting.removeprefix("without ")
        assert dropped not in kept and len(kept) == 2 and set(kept) | {dropped} == set(settings["all"])
    parts, X = branches(), combined_inputs()
    for kept in settings.values():
        model = fusion.combined({k: parts[k] for k in kept}, CLASSES)
        assert sorted(t.name for t in model.inputs) == sorted(kept)
        assert model.predict({k: X[k] for k in kept}, verbose=0).shape == (N, CLASSES)
    alone = fusion.combined({"handcrafted": parts["handcrafted"]}, CLASSES)
    assert alone.predict({"handcrafted": X["handcrafted"]}, verbose=0).shape == (N, CLASSES)
    for names in (["mfcc"], ["mfcc", "mfcc"]):
        with pytest.raises(ConfigError, match="at least two different"):
            fusion.ablations(names)


def windows_table(track_ids, starts, *, length, label_of=lambda t: t.split(".")[0]):
    return pd.DataFrame({"track_id": track_ids, "label": [label_of(t) for t in track_ids],
                         "segment": pd.Series(track_ids).groupby(track_ids).cumcount().to_numpy(),
                         "start": starts, "end": np.asarray(starts) + length})


def test_window_seconds_reads_length_and_hop():
    table = windows_table(["a.1", "a.1", "a.1", "b.1"], [0.0, 2.88, 5.76, 0.0], length=14.88)
    assert fusion.window_seconds(table) == pytest.approx((14.88, 2.88))
    assert fusion.window_seconds(table.iloc[[3]]) == pytest.approx((14.88, 14.88))
    with pytest.raises(ConfigError, match="start"):
        fusion.window_seconds(table.drop(columns="start"))


def test_align_inputs_matches_windows_and_repeats_track_rows():
    mfcc = windows_table(["a.1", "a.1", "a.1", "b.1", "b.1"], [0, 3, 6, 0, 3], length=6.0)
    emb = windows_table(["b.1", "b.1", "a.1", "a.1"], [0.01, 3.01, 0.01, 3.01], length=6.0)
    per_track = pd.DataFrame({"track_id": ["b.1", "a.1", "c.1"], "label": ["b", "a", "c"]})
    X, table = fusion.align_inputs(
        {"mfcc": (np.arange(5) * 10, mfcc), "embedding": (np.arange(4) * 100, emb)},
        per_track={"handcrafted": (np.array([-1, -2, -3]), per_track)})
    assert table[["track_id", "segment"]].values.tolist() == [["a.1", 0], ["a.1", 1], ["b.1", 0], ["b.1", 1]]
    assert X["mfcc"].tolist() == [0, 10, 30, 40]  # the third window of a.1 has no embedding: left out
    assert X["embedding"].tolist() == [200, 300, 0, 100]
    assert X["handcrafted"].tolist() == [-2, -2, -1, -1]
    assert table.columns.tolist() == ["track_id", "label", "segment", "start", "end"]


def test_align_inputs_names_what_does_not_fit():
    mfcc = windows_table(["a.1", "a.1"], [0.0, 3.0], length=6.0)
    late = windows_table(["a.1", "a.1"], [0.5, 3.5], length=6.0)
    with pytest.raises(ConfigError, match="start up to 0.50 s apart"):
        fusion.align_inputs({"mfcc": (np.zeros(2), mfcc), "embedding": (np.zeros(2), late)})
    relabelled = windows_table(["a.1", "a.1"], [0.0, 3.0], length=6.0, label_of=lambda t: "z")
    with pytest.raises(ConfigError, match="different labels"):
        fusion.align_inputs({"mfcc": (np.zeros(2), mfcc), "embedding": (np.zeros(2), relabelled)})
    with pytest.raises(ConfigError, match="one row per row of X"):
        fusion.align_inputs({"mfcc": (np.zeros(3), mfcc)})
    with pytest.raises(ConfigError, match="pass it in per_track"):
        fusion.align_inputs({"mfcc": (np.zeros(2), mfcc.drop(columns=["segment"]))})
    other = windows_table(["b.1"], [0.0], length=6.0)
    with pytest.raises(ConfigError, match="no example has all of the inputs"):
        fusion.align_inputs({"mfcc": (np.zeros(2), mfcc), "embedding": (np.zeros(1), other)})
    twice = pd.DataFrame({"track_id": ["a.1", "a.1"], "label": ["a", "a"]})
    with pytest.raises(ConfigError, match="several rows for one track"):
        fusion.align_inputs({"mfcc": (np.zeros(2), mfcc)}, per_track={"handcrafted": (np.zeros(2), twice)})
