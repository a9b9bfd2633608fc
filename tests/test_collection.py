import warnings

import numpy as np
import pytest

from conftest import make_collection, write_tone
from course_utils.data import find_label_root, load_dataset, scan_folder
from course_utils.errors import AudioFileError, ConfigError, DatasetError


@pytest.mark.parametrize("layout", ["genres", "Data/genres_original", "genres_original", "."])
def test_known_layouts_are_found(tmp_path, layout):
    make_collection(tmp_path / layout)
    assert find_label_root(tmp_path).resolve() == (tmp_path / layout).resolve()


def test_any_labelled_folder_two_levels_down(tmp_path):
    make_collection(tmp_path / "my music" / "by genre", labels=("folk", "techno"))
    dataset = load_dataset(tmp_path)
    assert dataset.labels == ["folk", "techno"] and len(dataset) == 8
    assert not dataset.is_gtzan and dataset.source == "argument"


def test_tracks_table(tmp_path):
    make_collection(tmp_path, per_label=3, seconds=1.5)
    dataset = load_dataset(tmp_path)
    tracks = dataset.tracks
    assert list(tracks.columns) == ["track_id", "label", "path", "duration", "sr", "channels", "format", "artist"]
    assert tracks["artist"].isna().all()  # offline, without Sturm's index: unknown, never guessed
    assert tracks["track_id"].tolist()[:3] == ["blues.00000", "blues.00001", "blues.00002"]
    assert tracks["duration"].tolist() == pytest.approx([1.5] * 6)
    assert set(tracks["format"]) == {"wav"} and set(tracks["sr"]) == {22050}
    assert dataset.is_gtzan and dataset.name == "GTZAN"


def test_au_files_and_ids_without_extension(tmp_path):
    make_collection(tmp_path / "genres", suffix=".au")
    dataset = load_dataset(tmp_path)
    assert set(dataset.tracks["format"]) == {"au"}
    y = dataset.load("rock.00002")
    assert y.shape == (44100,) and np.abs(y).max() == pytest.approx(0.5, abs=0.01)


def test_same_track_twice_is_an_error(tmp_path):
    make_collection(tmp_path)
    write_tone(tmp_path / "blues" / "blues.00001.au", format="AU")
    with pytest.raises(DatasetError, match="blues.00001.*appears twice"):
        load_dataset(tmp_path)


def test_missing_and_empty_folders(tmp_path):
    with pytest.raises(DatasetError, match="does not exist"):
        load_dataset(tmp_path / "nowhere")
    (tmp_path / "blues").mkdir()
    (tmp_path / "blues" / "notes.txt").write_text("no audio here")
    with pytest.raises(DatasetError, match="no audio files"):
        load_dataset(tmp_path)


def test_one_label_is_not_a_classification_set(tmp_path):
    make_collection(tmp_path, labels=("blues",))
    with pytest.raises(DatasetError, match="one label only"):
        load_dataset(tmp_path)


def test_undecodable_file_is_named_unless_skipping_is_asked_for(tmp_path):
    make_collection(tmp_path)
    bad = tmp_path / "rock" / "rock.00054.wav"
    bad.write_bytes(b"RIFF....WAVEfmt garbage" * 4)
    with pytest.raises(AudioFileError, match="rock.00054.wav.*does not decode.*on_error='skip'"):
        load_dataset(tmp_path)
    with pytest.warns(UserWarning, match="skipped 1 unreadable.*rock.00054.wav"):
        dataset = load_dataset(tmp_path, on_error="skip")
    assert len(dataset) == 8 and dataset.problems["path"].tolist() == [bad]
    assert "1 unreadable files skipped" in dataset.describe()
    with pytest.raises(ConfigError, match="on_error"):
        load_dataset(tmp_path, on_error="ignore")


def test_empty_and_short_clips(tmp_path):
    make_collection(tmp_path)
    write_tone(tmp_path / "blues" / "blues.00010.wav", 0.2)
    with pytest.raises(AudioFileError, match="lasts 0.200 s; expected at least 1.0 s"):
        load_dataset(tmp_path)
    assert len(load_dataset(tmp_path, min_seconds=0.1)) == 9
    write_tone(tmp_path / "blues" / "blues.00011.wav", 0.0)
    with pytest.raises(AudioFileError, match="blues.00011.wav.*(empty|decode)"):
        load_dataset(tmp_path, min_seconds=0.1)


def test_mixed_sample_rates(tmp_path):
    make_collection(tmp_path)
    write_tone(tmp_path / "rock" / "rock.00009.wav", 2.0, sr=44100)
    with pytest.raises(DatasetError, match=r"mixed sample rates.*rock.00009.wav.*allow_mixed_rates"):
        load_dataset(tmp_path)
    dataset = load_dataset(tmp_path, allow_mixed_rates=True)
    assert dataset.load("rock.00009").shape == (44100,)


def test_subset_is_seeded_and_per_label(tmp_path):
    make_collection(tmp_path, per_label=6)
    dataset = load_dataset(tmp_path)
    a, b = dataset.subset(per_label=2, seed=1), dataset.subset(per_label=2, seed=1)
    assert a.tracks["track_id"].tolist() == b.tracks["track_id"].tolist()
    assert a.tracks["label"].value_counts().tolist() == [2, 2]
    assert dataset.subset(per_label=None) is dataset
    assert len(dataset.subset(per_label=50)) == 12
    with pytest.raises(ConfigError):
        dataset.subset(per_label=0)


def test_unknown_track_id(tmp_path):
    dataset = load_dataset(make_collection(tmp_path))
    with pytest.raises(DatasetError, match="no track 'jazz.00001'"):
        dataset.track("jazz.00001")


def test_scan_reports_nothing_when_all_is_well(tmp_path):
    make_collection(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, tracks, problems = scan_folder(tmp_path)
    assert len(tracks) == 8 and problems.empty
