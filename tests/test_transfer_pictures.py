"""A backbone's features of a data set's pictures: one pass, cached by what made the pictures, shared by chapter
10's cells, the zoo's ``"<backbone>, frozen"`` input and chapter 12."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from conftest import make_collection
from course_utils import zoo
from course_utils.config import get_profile
from course_utils.data import load_dataset
from course_utils.errors import ConfigError
from course_utils.models import transfer
from course_utils.models.transfer import pictures as pictures_module
from test_transfer import keras_home  # noqa: F401  (the fixture: a writable copy of the shared Keras cache)


@pytest.fixture
def passes(monkeypatch):
    """The backbone networks built for a pass over pictures, by the outputs they give."""
    built = []
    real = pictures_module.feature_model

    def counted(name, **options):
        built.append((name, options["outputs"]))
        return real(name, **options)

    monkeypatch.setattr(pictures_module, "feature_model", counted)
    return built


@pytest.fixture
def tones(tmp_path):
    return load_dataset(make_collection(tmp_path / "tones", labels=("blues", "rock"), per_label=3, seconds=6.5))


def test_one_pass_gives_both_outputs_and_the_second_call_reads_the_cache(tones, passes):
    options = dict(backbone="MobileNet", size=32, weights=None)
    first = transfer.picture_features(tones, outputs=transfer.OUTPUTS, **options)
    assert passes == [("MobileNet", ("pooled", "frozen_part"))]  # one network, both outputs
    pooled, frozen_part = first["pooled"], first["frozen_part"]
    assert not pooled.cached and pooled.X.shape == (6, 256) and frozen_part.X.shape[0] == 6
    assert pooled.tracks["track_id"].tolist() == tones.tracks["track_id"].tolist()
    assert (pooled.tracks["n_segments"] == 2).all()  # two whole 3-s segments in 6.5 s
    # the same numbers as the backbone run on the pictures made by hand
    X, segments = transfer.track_segments(tones, kind="log_mel")
    images, _ = transfer.track_images(X, segments, size=32)
    by_hand = transfer.backbone_features(images, backbone="MobileNet", weights=None, cache=False)
    np.testing.assert_allclose(pooled.X, by_hand.X, rtol=1e-4, atol=1e-4)

    again = transfer.picture_features(tones, **options)  # pooled only: read back, nothing built
    assert passes == [("MobileNet", ("pooled", "frozen_part"))]
    assert again["pooled"].cached and np.array_equal(again["pooled"].X, pooled.X)
    assert again["pooled"].seconds == pooled.seconds
    assert again["pooled"].tracks.to_dict("list") == pooled.tracks.to_dict("list")
    assert transfer.picture_features(tones, outputs="frozen_part", **options)["frozen_part"].cached

    transfer.picture_features(tones, **{**options, "size": 48})  # another size: another pass
    transfer.picture_features(tones, kind="scalogram", **options)  # another kind of picture: another pass
    assert len(passes) == 3


def test_a_changed_audio_file_is_computed_again(tones, passes):
    options = dict(backbone="MobileNet", size=32, weights=None)
    transfer.picture_features(tones, **options)
    path = tones.tracks["path"].iloc[0]
    stat = os.stat(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert not transfer.picture_features(tones, **options)["pooled"].cached and len(passes) == 2


def test_bad_picture_arguments_are_refused(tones):
    with pytest.raises(ConfigError, match="kind must be one of"):
        transfer.picture_features(tones, backbone="MobileNet", size=32, kind="cqt", weights=None)
    with pytest.raises(ConfigError, match="output"):
        transfer.picture_features(tones, backbone="MobileNet", size=32, outputs=("pooled", "pooled"), weights=None)
    with pytest.raises(ConfigError, match="size"):
        transfer.picture_features(tones, backbone="MobileNet", size=8, weights=None)


def test_the_zoo_input_reads_the_chapter_cells_pass(tones, passes, keras_home, capsys):  # noqa: F811
    profile = get_profile("quick")
    available = transfer.available_backbones()
    cell = transfer.cache_backbone("MobileNet", dataset=tones, size=profile.image_size, available=available)
    assert "computed now" in capsys.readouterr().out and len(passes) == 1
    assert transfer.cache_backbone("ResNet50", dataset=tones, size=profile.image_size, available=available) is None
    assert "ResNet50 is not available" in capsys.readouterr().out
    inputs = zoo.get("MobileNet, frozen").input.load(tones, profile=profile)
    assert len(passes) == 1 and inputs.detail.cached  # the zoo (and chapter 12) read the cell's pass
    assert np.array_equal(inputs.X, cell.X) and inputs.table["track_id"].tolist() == cell.tracks["track_id"].tolist()
    transfer.cache_backbone("MobileNet", dataset=tones, size=profile.image_size, available=available)
    assert "read from the cache" in capsys.readouterr().out and len(passes) == 1


def test_features_of_any_pictures_keep_their_tracks():
    images = np.random.default_rng(0).random((2, 32, 32, 3)).astype(np.float32)
    tracks = pd.DataFrame({"track_id": ["a.00000", "b.00000"], "label": ["a", "b"]})
    features = transfer.backbone_features(images, backbone="MobileNet", weights=None, tracks=tracks)
    assert features.tracks is tracks and transfer.backbone_features(images, backbone="MobileNet", weights=None,
                                                                     tracks=tracks).cached
    with pytest.raises(ConfigError, match="one row per image"):
        transfer.backbone_features(images, backbone="MobileNet", weights=None, tracks=tracks.iloc[:1])
