"""ImageNet backbones: the table, weights from the Keras cache (offline, missing, downloaded), frozen features
and fine-tuning of the top blocks."""

from __future__ import annotations

import shutil

import keras
import numpy as np
import pandas as pd
import pytest

from conftest import ROOT
from course_utils import train
from course_utils.embeddings import WeightsError
from course_utils.errors import ConfigError
from course_utils.models import fusion, transfer

SHARED_KERAS = ROOT.parent / "shared" / "models" / "keras"
MOBILENET_FILE = SHARED_KERAS / "models" / transfer.BACKBONES["MobileNet"].weights_file


@pytest.fixture
def empty_keras_home(tmp_path, monkeypatch):
    home = tmp_path / "keras"
    monkeypatch.setenv("KERAS_HOME", str(home))
    return home


@pytest.fixture
def keras_home(tmp_path, monkeypatch):
    """A writable copy of ../shared/models/keras as $KERAS_HOME; skipped when it is absent."""
    if not MOBILENET_FILE.is_file():
        pytest.skip("../shared/models/keras is not available")
    home = tmp_path / "keras"
    shutil.copytree(SHARED_KERAS, home)
    monkeypatch.setenv("KERAS_HOME", str(home))
    return home


@pytest.mark.parametrize("name", list(transfer.BACKBONES))
def test_every_backbone_builds_at_a_small_size_as_the_table_states(name):
    entry = transfer.BACKBONES[name]
    model = transfer.load_backbone(name, size=entry.min_size, weights=None)
    assert model.name.endswith("_random")
    assert model.count_params() == entry.params
    assert transfer.weight_depth(model) == entry.depth
    images = np.random.default_rng(0).random((2, entry.min_size, entry.min_size, 3)).astype(np.float32)
    x = entry.preprocess(images)
    maps = keras.ops.convert_to_numpy(model(x, training=False))  # eager: no graph to trace for one call
    assert maps.shape[0] == 2 and maps.shape[-1] == entry.features and np.isfinite(maps).all()
    frozen_part = model.get_layer(entry.frozen_until).output
    bottom, top = keras.Model(model.inputs, frozen_part), keras.Model(frozen_part, model.output)
    assert 0 < top.count_params() < entry.params
    np.testing.assert_allclose(keras.ops.convert_to_numpy(top(bottom(x, training=False), training=False)), maps,
                               rtol=1e-4, atol=1e-4)


def test_features_have_the_stated_size():
    images = np.random.default_rng(0).random((3, 32, 32, 3)).astype(np.float32)
    features = transfer.backbone_features(images, backbone="MobileNet", weights=None, cache=False)
    assert features.X.shape == (3, transfer.BACKBONES["MobileNet"].features) and not features.cached
    assert features.seconds_per_image > 0


def test_table_lists_the_six_backbones_without_building_them():
    table = transfer.backbone_table()
    assert table["backbone"].tolist() == ["MobileNet", "MobileNetV2", "ResNet50", "DenseNet121", "VGG16",
                                          "EfficientNetB0"]
    assert table.loc[0, "width"] == 0.25 and (table["parameters"] > 0).all()
    assert table.set_index("backbone")["depth"].to_dict()["ResNet50"] == 49


def test_preprocessing_follows_each_network():
    white = np.ones((1, 2, 2, 3), np.float32)
    np.testing.assert_allclose(transfer.BACKBONES["MobileNet"].preprocess(0 * white), -1.0)
    np.testing.assert_allclose(transfer.BACKBONES["MobileNet"].preprocess(white), 1.0)
    bgr = transfer.BACKBONES["VGG16"].preprocess(white)[0, 0, 0]
    np.testing.assert_allclose(bgr, [255 - 103.939, 255 - 116.779, 255 - 123.68], rtol=1e-5)
    np.testing.assert_allclose(transfer.BACKBONES["EfficientNetB0"].preprocess(white), 255.0)
    with pytest.raises(ConfigError, match="shape"):
        transfer.BACKBONES["MobileNet"].preprocess(np.ones((2, 2, 3)))


def test_missing_weights_offline_name_keras_home_and_are_skipped(empty_keras_home):
    with pytest.raises(WeightsError, match="KERAS_HOME") as info:
        transfer.load_backbone("ResNet50", size=32)
    message = str(info.value)
    assert "COURSE_OFFLINE" in message and transfer.BACKBONES["ResNet50"].weights_file in message
    assert str(empty_keras_home / "models") in message
    available = transfer.available_backbones(["MobileNet", "ResNet50"])
    assert available.usable == () and set(available.missing) == {"MobileNet", "ResNet50"}
    note = available.note()
    assert note.startswith("> **ImageNet weights not available in this run: MobileNet, ResNet50.**")
    assert "No ImageNet backbone runs on this page" in note and "KERAS_HOME" in note
    assert "ResNet50 is not available in this run, so this step is skipped" in available.skipped("ResNet50")


def test_a_failed_download_is_a_skip_with_the_reason(empty_keras_home, monkeypatch):
    monkeypatch.delenv("COURSE_OFFLINE")
    calls = []

    def no_network(fname, origin, **options):
        calls.append((fname, origin, options))
        raise Exception(f"URL fetch failure on {origin}: None -- [Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(keras.utils, "get_file", no_network)
    available = transfer.available_backbones(["VGG16"])
    assert available.usable == () and "could not be downloaded" in available.missing["VGG16"]
    assert "name resolution" in available.missing["VGG16"] and "KERAS_HOME" in available.missing["VGG16"]
    fname, origin, options = calls[0]
    assert fname == transfer.BACKBONES["VGG16"].weights_file and origin == transfer.BACKBONES["VGG16"].weights_url
    assert options["cache_dir"] == str(empty_keras_home) and options["file_hash"]


def test_a_download_lands_in_the_keras_cache(empty_keras_home, monkeypatch):
    monkeypatch.delenv("COURSE_OFFLINE")

    def fake_download(fname, origin, *, cache_dir, cache_subdir, file_hash):
        import h5py

        target = empty_keras_home / cache_subdir / fname
        target.parent.mkdir(parents=True)
        h5py.File(target, "w").close()
        return str(target)

    monkeypatch.setattr(keras.utils, "get_file", fake_download)
    path = transfer.fetch_weights("DenseNet121")
    assert path == transfer.weights_path("DenseNet121") and path.is_file()


def test_a_broken_weights_file_is_refused(empty_keras_home):
    path = transfer.weights_path("MobileNet")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"<html>not found</html>")
    with pytest.raises(WeightsError, match="not a readable weights file"):
        transfer.fetch_weights("MobileNet")


def test_unknown_names_and_bad_arguments_are_refused(empty_keras_home):
    with pytest.raises(ConfigError, match="backbone must be one of MobileNet"):
        transfer.load_backbone("InceptionV4", size=64)
    with pytest.raises(ConfigError, match="size"):
        transfer.load_backbone("MobileNet", size=16, weights=None)
    with pytest.raises(ConfigError, match="weights"):
        transfer.load_backbone("MobileNet", size=32, weights="random")
    with pytest.raises(ConfigError, match=r"\(n, size, size, 3\)"):
        transfer.backbone_features(np.zeros((2, 32, 40, 3)), weights=None)
    with pytest.raises(ConfigError, match="output"):
        transfer.backbone_features(np.zeros((2, 32, 32, 3)), weights=None, output="top")


def test_imagenet_mobilenet_loads_offline_and_differs_from_random_weights(keras_home):
    assert transfer.available_backbones().usable == ("MobileNet",)
    images = np.random.default_rng(1).random((3, 64, 64, 3)).astype(np.float32)
    pretrained = transfer.backbone_features(images, backbone="MobileNet")
    random = transfer.backbone_features(images, backbone="MobileNet", weights=None)
    assert pretrained.X.shape == random.X.shape == (3, 256) and not pretrained.cached
    assert not np.allclose(pretrained.X, random.X, atol=1e-3)
    again = transfer.backbone_features(images, backbone="MobileNet")
    assert again.cached and np.array_equal(again.X, pretrained.X) and again.seconds == pretrained.seconds
    reference = transfer.load_backbone("MobileNet", size=64)(transfer.BACKBONES["MobileNet"].preprocess(images))
    np.testing.assert_allclose(pretrained.X, keras.ops.convert_to_numpy(reference).mean(axis=(1, 2)), atol=1e-4)


def test_fine_tuning_starts_from_the_head_and_keeps_batch_norm_frozen(keras_home):
    rng = np.random.default_rng(2)
    images = rng.random((12, 64, 64, 3)).astype(np.float32)
    y = np.arange(12) % 3
    pooled = transfer.backbone_features(images, backbone="MobileNet")
    head = fusion.mlp((256,), 3, units=())
    train.fit(head, (pooled.X, y), epochs=2, batch_size=4, verbose=False)
    before = [w.copy() for w in head.get_weights()]
    frozen_part = transfer.backbone_features(images, backbone="MobileNet", output="frozen_part")
    model = transfer.fine_tune_model(head, size=64)
    assert frozen_part.X.shape[1:] == tuple(model.input_shape[1:])
    np.testing.assert_allclose(model.predict(frozen_part.X, verbose=0), head.predict(pooled.X, verbose=0), atol=1e-4)
    top = next(layer for layer in model.layers if layer.name.endswith("_top"))
    norms = [layer for layer in top.layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert norms and not any(layer.trainable for layer in norms)
    trainable, total = transfer.trainable_share(model)
    assert 0 < trainable < total
    statistics = [keras.ops.convert_to_numpy(n.moving_mean).copy() for n in norms]
    train.fit(model, (frozen_part.X, y), epochs=1, batch_size=4, verbose=False)
    assert all(np.array_equal(keras.ops.convert_to_numpy(n.moving_mean), s) for n, s in zip(norms, statistics))
    assert all(np.array_equal(a, b) for a, b in zip(head.get_weights(), before)), "the head itself must not change"
    with pytest.raises(ConfigError, match="pooled features"):
        transfer.fine_tune_model(fusion.mlp((10,), 3, units=()), size=64)


def test_track_images_join_segments_in_time_order():
    X = np.stack([np.full((4, 5), k, np.float32) for k in (2, 0, 1, 7, 7, 7)])
    table = pd.DataFrame({"track_id": ["b.1"] * 3 + ["a.1"] * 3, "label": ["b"] * 3 + ["a"] * 3,
                          "segment": [2, 0, 1, 0, 1, 2]})
    images, tracks = transfer.track_images(X, table, size=30)
    assert images.shape == (2, 30, 30, 3)
    assert tracks.to_dict("list") == {"track_id": ["b.1", "a.1"], "label": ["b", "a"], "n_segments": [3, 3]}
    row = images[0, 10, :, 0]
    assert row[0] == 0.0 and row[-1] == 1.0 and np.all(np.diff(row) >= 0)  # segment 0, 1, 2 from left to right
    assert np.all(images[1] == 0.0)  # a constant track gives a flat picture
    with pytest.raises(ConfigError, match="segment"):
        transfer.track_images(X, table.drop(columns="segment"), size=30)
