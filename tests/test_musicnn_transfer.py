"""Transfer from musicnn (weights from its wheel, offline): the back-end reproduces the pretrained
penultimate layer, fine-tuning trains only what it says, and the scratch model starts from random weights."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import make_collection
from course_utils import train
from course_utils.audio import load_audio
from course_utils.data import load_dataset
from course_utils.embeddings import musicnn
from course_utils.errors import ConfigError
from course_utils.models import transfer

pytest.importorskip("musicnn", reason=f"the wheel {musicnn.WHEEL} is not installed")


@pytest.fixture(scope="module")
def outputs():
    y = np.random.default_rng(0).standard_normal(musicnn.SR * 7).astype(np.float32) * 0.1
    return {layer: musicnn.musicnn_embeddings(y, musicnn.SR, layer=layer).embeddings
            for layer in ("max_pool", "mean_pool", "penultimate")}


def test_the_backend_on_pooled_features_is_the_penultimate_layer(outputs):
    pooled = transfer.pooled_features(outputs["max_pool"], outputs["mean_pool"])
    assert pooled.shape == (2, transfer.music.POOLED)
    np.testing.assert_allclose(transfer.musicnn_backend().predict(pooled, verbose=0), outputs["penultimate"],
                               atol=1e-5)
    with pytest.raises(ConfigError, match="one shape"):
        transfer.pooled_features(outputs["max_pool"], outputs["mean_pool"][:1])


def test_fine_tuning_starts_where_the_head_left_and_trains_the_dense_layer_only(outputs):
    head = transfer.head(200, 4, dropout=0.0)
    top = transfer.musicnn_top(head)
    pooled = transfer.pooled_features(outputs["max_pool"], outputs["mean_pool"])
    np.testing.assert_allclose(top.predict(pooled, verbose=0), head.predict(outputs["penultimate"], verbose=0),
                               atol=1e-5)
    trainable, total = transfer.trainable_share(top)
    assert trainable == 1506 * 200 + 200 + head.count_params() and total > trainable  # batch norm stays frozen
    before = musicnn.load_musicnn("MSD_musicnn").get_layer("dense").get_weights()[0].copy()
    top.fit(pooled, np.eye(4)[[0, 1]], epochs=2, verbose=0)
    np.testing.assert_array_equal(musicnn.load_musicnn("MSD_musicnn").get_layer("dense").get_weights()[0], before)
    with pytest.raises(ConfigError, match="200 values per patch"):
        transfer.musicnn_top(transfer.head(12, 4))


def test_the_scratch_model_has_musicnn_shape_but_not_its_weights():
    scratch = transfer.musicnn_scratch(4, seed=1)
    assert scratch.input_shape[1:] == (musicnn.PATCH_STEPS, musicnn.N_MELS) and scratch.output_shape[1:] == (4,)
    random_dense = scratch.get_layer("musicnn_random").get_layer("dense").get_weights()[0]
    pretrained = musicnn.load_musicnn("MSD_musicnn").get_layer("dense").get_weights()[0]
    assert random_dense.shape == pretrained.shape and not np.allclose(random_dense, pretrained)


def test_patches_and_pooled_values_line_up_track_by_track(tmp_path):
    dataset = load_dataset(make_collection(tmp_path / "tones", per_label=2, seconds=4.0))
    X, table = train.musicnn_patches(dataset)
    pooled, same = train.musicnn_pooled(dataset)
    assert X.shape[1:] == (musicnn.PATCH_STEPS, musicnn.N_MELS) and len(X) == len(table) == 4  # one patch per track
    assert table.equals(same) and pooled.shape == (4, transfer.music.POOLED)
    assert list(table["track_id"]) == list(dataset.tracks["track_id"])
    y = load_audio(dataset.tracks["path"].iloc[0], sr=musicnn.SR)
    np.testing.assert_allclose(transfer.musicnn_backend().predict(pooled[:1], verbose=0),
                               musicnn.musicnn_embeddings(y, musicnn.SR).embeddings, atol=1e-4)
    again, _ = train.musicnn_pooled(dataset)  # read back from the cache
    np.testing.assert_array_equal(again, pooled)


def test_chapter_5_embeddings_and_chapter_10_pooled_values_share_one_pass(tmp_path, monkeypatch):
    from course_utils import embeddings
    from course_utils.config import data_home

    dataset = load_dataset(make_collection(tmp_path / "tones", per_label=2, seconds=7.0))
    frames = embeddings.dataset_frames(dataset, model="MSD_musicnn")
    y = load_audio(dataset.tracks["path"].iloc[1], sr=musicnn.SR)
    direct = musicnn.musicnn_embeddings(y, musicnn.SR)
    assert frames[1].layer == "penultimate" and frames[1].patches is None
    np.testing.assert_allclose(frames[1].embeddings, direct.embeddings, atol=1e-5)
    np.testing.assert_allclose(frames[1].scores, direct.scores, atol=1e-6)
    np.testing.assert_array_equal(frames[1].times, direct.times)
    assert frames[1].duration == pytest.approx(direct.duration)

    def no_second_pass(*args, **kwargs):
        raise AssertionError("musicnn ran again although its outputs are cached")

    monkeypatch.setattr(musicnn, "network_outputs", no_second_pass)
    pooled, table = train.musicnn_pooled(dataset)
    max_pool = embeddings.dataset_frames(dataset, model="MSD_musicnn", layer="max_pool")
    assert pooled.shape == (len(table), transfer.music.POOLED) == (4 * 2, 1506)
    np.testing.assert_array_equal(pooled[:2, 0::2], max_pool[0].embeddings)  # max and mean interleaved
    assert sorted(p.name for p in (data_home() / "cache").iterdir()) == ["outputs-MSD_musicnn"]
