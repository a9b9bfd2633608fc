"""Image folders read as tracks: Kaggle's images_original joins the audio's track ids and split."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from conftest import make_collection
from course_utils.data import image_track_id, kaggle_images, load_dataset, load_image, scan_images, track_split
from course_utils.errors import ConfigError, DatasetError

GENRES = ("blues", "hiphop", "jazz")


def write_png(path, *, width=432, height=288, mode="RGBA", value=(200, 30, 60, 255)):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, (width, height), value[: len(mode)] if mode != "L" else value[0]).save(path)
    return path


@pytest.fixture
def kaggle_copy(tmp_path):
    """A small Kaggle layout: Data/genres_original/*.wav and Data/images_original/*.png, jazz.00003 without image."""
    data = tmp_path / "Data"
    make_collection(data / "genres_original", labels=GENRES, per_label=4)
    for genre in GENRES:
        for k in range(4):
            if (genre, k) != ("jazz", 3):
                write_png(data / "images_original" / genre / f"{genre}{k:05d}.png")
    return tmp_path


@pytest.mark.parametrize("name, expected", [
    ("blues00012.png", "blues.00012"), ("hiphop00099.png", "hiphop.00099"), ("blues.00012.png", "blues.00012"),
    ("cover.png", "cover"), ("blues0012.png", "blues0012"), ("00012.png", "00012"),
])
def test_image_names_become_track_ids(name, expected):
    assert image_track_id(name) == expected


def test_kaggle_images_join_the_audio_ids_and_split(kaggle_copy):
    dataset = load_dataset(kaggle_copy)
    images = kaggle_images(dataset)
    assert images.root == kaggle_copy / "Data" / "images_original"
    assert len(images) == 11 and images.labels == list(GENRES)
    assert images.missing(dataset) == ["jazz.00003"]
    assert set(images.tracks["track_id"]) == set(dataset.tracks["track_id"]) - {"jazz.00003"}
    assert (images.tracks["track_id"].str.split(".").str[0] == images.tracks["label"]).all()
    assert "11 images of 3 labels (432 x 288 RGBA)" in images.describe()
    split = track_split(dataset, method="stratified", test_size=0.25, valid_size=0.0, seed=1)
    joined = split.assign(images.tracks)
    assert len(joined) == 11
    assert joined.set_index("track_id")["split"].to_dict() == {t: split.part[t] for t in joined["track_id"]}


def test_scan_accepts_the_images_folder_or_a_folder_above_it(kaggle_copy):
    for root in (kaggle_copy, kaggle_copy / "Data", kaggle_copy / "Data" / "images_original"):
        assert len(scan_images(root)) == 11


def test_no_image_folder_beside_the_audio_gives_none(tmp_path):
    dataset = load_dataset(make_collection(tmp_path / "audio", labels=GENRES[:2], per_label=2))
    assert kaggle_images(dataset) is None
    with pytest.raises(ConfigError, match="expected a Dataset"):
        kaggle_images(dataset.tracks)


def test_images_load_as_rgb_in_unit_range_over_white(tmp_path):
    opaque = write_png(tmp_path / "a.png", value=(255, 0, 0, 255))
    clear = write_png(tmp_path / "b.png", value=(0, 0, 0, 0))
    grey = write_png(tmp_path / "c.png", mode="L", value=(51,))
    red = load_image(opaque, size=(20, 30))
    assert red.shape == (20, 30, 3) and red.dtype == np.float32
    np.testing.assert_allclose(red[0, 0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(load_image(clear, size=8)[4, 4], [1.0, 1.0, 1.0])  # transparent shows as white
    np.testing.assert_allclose(load_image(grey, size=8)[0, 0], [0.2, 0.2, 0.2], atol=1e-6)
    with pytest.raises(ConfigError, match="size"):
        load_image(opaque, size=0)


def test_image_set_loads_in_table_order(kaggle_copy):
    """Each picture has its own grey level, so any row out of order shows."""
    folder = kaggle_copy / "Data" / "images_original"
    levels = {}
    for k, path in enumerate(sorted(folder.rglob("*.png"), reverse=True)):  # written in another order than read
        levels[image_track_id(path.name)] = 10 * (k + 1)
        write_png(path, mode="L", value=(levels[image_track_id(path.name)],))
    images = scan_images(kaggle_copy)
    X = images.load(size=16)
    assert X.shape == (11, 16, 16, 3) and 0.0 <= X.min() and X.max() <= 1.0
    expected = np.array([levels[t] / 255.0 for t in images.tracks["track_id"]], dtype=np.float32)
    assert len(set(expected.tolist())) == 11
    np.testing.assert_allclose(X[:, 8, 8, 0], expected, atol=1e-6)


def test_unreadable_images_are_named_or_skipped(kaggle_copy):
    broken = kaggle_copy / "Data" / "images_original" / "blues" / "blues00007.png"
    broken.write_bytes(b"not a png")
    with pytest.raises(DatasetError, match="blues00007.png does not open as an image"):
        scan_images(kaggle_copy)
    with pytest.warns(UserWarning, match="blues00007.png"):
        images = scan_images(kaggle_copy, on_error="skip")
    assert len(images) == 11 and images.problems["path"].tolist() == [broken]
    assert "1 unreadable files skipped" in images.describe()


def test_bad_folders_are_refused(tmp_path, kaggle_copy):
    with pytest.raises(DatasetError, match="does not exist"):
        scan_images(tmp_path / "nowhere")
    with pytest.raises(DatasetError, match="no images"):
        scan_images(kaggle_copy / "Data" / "genres_original")
    twice = kaggle_copy / "Data" / "images_original" / "blues" / "blues.00001.png"
    write_png(twice)
    with pytest.raises(DatasetError, match="'blues.00001' has two images"):
        scan_images(kaggle_copy)
    with pytest.raises(ConfigError, match="on_error"):
        scan_images(kaggle_copy, on_error="ignore")
