"""The Kaggle copy of GTZAN works although its jazz.00054.wav does not decode (issue 23)."""

import warnings

import pytest

from conftest import make_collection
from course_utils.config import get_profile, summary
from course_utils.data import load_dataset
from course_utils.data.known_problems import known_problem, layout_of
from course_utils.errors import AudioFileError

DAMAGED = b"RIFF\x00\x00\x00\x00WAVEfmt broken beyond repair" * 8


def kaggle_copy(root, *, labels=("blues", "jazz")):
    """A Kaggle-style folder (Data/genres_original/<genre>/<genre>.000NN.wav) with a damaged jazz.00054."""
    label_root = make_collection(root / "Data" / "genres_original", labels=labels, per_label=3)
    bad = label_root / "jazz" / "jazz.00054.wav"
    bad.write_bytes(DAMAGED)
    return bad


def test_layouts_are_named_by_their_label_folder(tmp_path):
    assert layout_of(tmp_path / "Data" / "genres_original") == "kaggle"
    assert layout_of(tmp_path / "genres") is None
    assert known_problem("jazz.00054", tmp_path / "genres_original").startswith("known damaged file")
    assert known_problem("jazz.00055", tmp_path / "genres_original") is None


def test_chapter_one_loading_path_leaves_the_known_file_out_with_a_note(tmp_path, monkeypatch):
    bad = kaggle_copy(tmp_path)
    monkeypatch.setenv("GTZAN_DIR", str(tmp_path))
    profile = get_profile("quick")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a known file is a note, not a warning
        dataset = load_dataset(profile=profile).subset(per_label=profile.tracks_per_genre, seed=42)
    assert "jazz.00054" not in set(dataset.tracks["track_id"]) and len(dataset) == 6
    assert dataset.problems["path"].tolist() == [bad]
    assert "Kaggle" in dataset.problems["problem"].iloc[0]
    text = summary(dataset, profile=profile)
    assert "left out jazz.00054 (known damaged file of the public kaggle copy" in text
    assert "unreadable files skipped" not in text


def test_any_other_undecodable_file_still_stops_with_its_name(tmp_path):
    kaggle_copy(tmp_path)
    other = tmp_path / "Data" / "genres_original" / "blues" / "blues.00001.wav"
    other.write_bytes(DAMAGED)
    with pytest.raises(AudioFileError, match=r"blues\.00001\.wav.*does not decode"):
        load_dataset(tmp_path)
    with pytest.warns(UserWarning, match=r"skipped 1 unreadable.*blues\.00001"):
        dataset = load_dataset(tmp_path, on_error="skip")
    assert len(dataset.problems) == 2
    assert "left out jazz.00054" in dataset.describe() and "1 unreadable files skipped" in dataset.describe()


def test_the_same_track_in_another_layout_is_not_excused(tmp_path):
    make_collection(tmp_path / "genres", labels=("blues", "jazz"), per_label=2)
    (tmp_path / "genres" / "jazz" / "jazz.00054.au").write_bytes(DAMAGED)
    with pytest.raises(AudioFileError, match=r"jazz\.00054\.au"):
        load_dataset(tmp_path)


def test_a_repaired_copy_of_the_known_file_is_used(tmp_path):
    bad = kaggle_copy(tmp_path)
    bad.unlink()
    make_collection(tmp_path / "spare", labels=("jazz",), per_label=1)
    (tmp_path / "spare" / "jazz" / "jazz.00000.wav").rename(bad)
    dataset = load_dataset(tmp_path / "Data")
    assert "jazz.00054" in set(dataset.tracks["track_id"]) and dataset.problems.empty
