"""The training tracks a saved model remembers, and evaluate's overlap report (artists from tracks["artist"])."""

from __future__ import annotations

import pandas as pd

from conftest import make_collection
from course_utils.classifier.training import TrainingTracks, overlap_with
from course_utils.data import load_dataset

OWN_LABELS = ("folk", "polka")   # not GTZAN's: track ids then name nothing beyond their folder


def with_artists(dataset, artists):
    """The data set with a hand-made ``artist`` column (what the data layer gives where it knows artists)."""
    tracks = dataset.tracks.copy()
    tracks["artist"] = pd.Series(artists, index=tracks.index, dtype=object)
    return type(dataset)(**{**dataset.__dict__, "tracks": tracks})


def test_tracks_and_artists_shared_with_the_training_data_are_counted(tmp_path):
    train = with_artists(load_dataset(make_collection(tmp_path / "train", OWN_LABELS, per_label=3)),
                         ["Ann", "Ann", "Bo", "Cy", None, "Dee"])
    training = TrainingTracks.of(train)
    assert training.artists == ("Ann", "Ann", "Bo", "Cy", None, "Dee") and len(training.digests[0]) == 32
    assert TrainingTracks.from_json(training.to_json()) == training

    other = make_collection(tmp_path / "test", OWN_LABELS, per_label=3, seconds=2.5)
    (other / "folk" / "folk.00000.wav").write_bytes((tmp_path / "train" / "folk" / "folk.00001.wav").read_bytes())
    evaluated = with_artists(load_dataset(other), [" ann ", "Eve", None, "Cy", "Fay", None])
    overlap = overlap_with(training, evaluated)
    assert overlap.shared_tracks == ("folk.00000",)            # same audio, whatever its name
    assert overlap.shared_artists == (" ann ", "Cy") and overlap.tracks_of_shared_artists == 2
    assert (overlap.n_tracks, overlap.artists, overlap.unknown_artists) == (6, 4, 2)
    assert overlap.describe() == ("overlap   : 1 of 6 tracks were training tracks; 2 of 4 known artists were "
                                  "training artists (2 tracks); artist unknown for 2 tracks")
    assert "1 of the 6 evaluated tracks were training tracks" in overlap.warning()
    assert "2 are by artists the model was trained on" in overlap.warning()


def test_without_an_artist_column_artists_are_unknown_and_nothing_is_shared(tmp_path):
    train = load_dataset(make_collection(tmp_path / "train", OWN_LABELS, per_label=2))
    evaluated = load_dataset(make_collection(tmp_path / "test", OWN_LABELS, per_label=2, seconds=3.0))
    overlap = overlap_with(TrainingTracks.of(train), evaluated)
    assert overlap.shared_tracks == () and overlap.artists == 0 and overlap.unknown_artists == 4
    assert overlap.warning() is None and overlap.describe().endswith("no artist known")


def test_real_gtzan_tracks_are_the_same_by_id_in_any_copy(tmp_path):
    """GTZAN ids name recordings: blues.00001 is one song in a .au or a .wav copy, whatever the bytes."""
    train = load_dataset(make_collection(tmp_path / "train", per_label=2))
    evaluated = load_dataset(make_collection(tmp_path / "test", per_label=2, seconds=3.0))
    assert train.is_gtzan and evaluated.is_gtzan
    assert overlap_with(TrainingTracks.of(train), evaluated).shared_tracks == (
        "blues.00000", "blues.00001", "rock.00000", "rock.00001")


def test_a_model_that_records_no_tracks_says_so(tmp_path):
    overlap = overlap_with(TrainingTracks(), load_dataset(make_collection(tmp_path, per_label=1)))
    assert not overlap.recorded and "unknown" in overlap.describe() and overlap.warning() is None
