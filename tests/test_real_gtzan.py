"""The data layer on 100 real GTZAN clips (``../shared/data/gtzan-mini``); skipped without them."""

import numpy as np
import pytest

from course_utils.data import artist_folds, load_dataset, segment_table, track_split

pytestmark = pytest.mark.real_data


def test_mini_gtzan_loads_au_and_wav(shared_data):
    dataset = load_dataset(shared_data / "gtzan-mini")
    assert dataset.name == "GTZAN" and dataset.is_gtzan and not dataset.synthetic
    assert len(dataset) == 100 and len(dataset.labels) == 10
    assert set(dataset.tracks["format"]) == {"au", "wav"}
    assert (dataset.tracks.groupby("label").size() == 10).all()
    assert dataset.tracks["duration"].between(29.9, 30.7).all() and set(dataset.tracks["sr"]) == {22050}
    for track_id in ("blues.00003", "disco.00003"):  # one .au, one .wav
        y = dataset.load(track_id)
        assert y.dtype == np.float32 and 29.9 < len(y) / 22050 < 30.7 and 0.01 < np.abs(y).max() <= 1.0


def test_fault_filtered_split_on_the_mini_set(shared_data, monkeypatch):
    monkeypatch.setenv("GTZAN_SPLITS_DIR", str(shared_data / "splits"))
    dataset = load_dataset(shared_data / "gtzan-mini")
    split = track_split(dataset, method="fault_filtered")
    counts = split.counts(dataset.tracks)
    print(split.report, counts, sep="\n")
    assert "930 tracks" in split.report
    assert counts.to_numpy().sum() == len(split.part) <= 100
    segments = split.assign(segment_table(dataset.tracks, seconds=3.0))
    assert (segments.groupby("track_id")["split"].nunique() == 1).all()


def test_artist_split_and_folds_on_the_mini_set(shared_data, monkeypatch):
    monkeypatch.setenv("GTZAN_INDEX", str(shared_data / "meta" / "GTZANindex.txt"))
    dataset = load_dataset(shared_data / "gtzan-mini")
    one_artist = ["blues", "classical", "reggae", "rock"]  # 10 clips of one artist each (Sturm's index)
    folds = artist_folds(dataset.tracks, n_splits=5, seed=0)
    assert folds.grouping == "artist where possible" and folds.by_track == one_artist
    split = track_split(dataset, method="artist")
    print(split.report)
    assert split.grouping == "artist where possible" and "by track for " + ", ".join(one_artist) in split.report
    tracks = dataset.tracks.assign(split=dataset.tracks["track_id"].map(split.part))
    others = tracks[~tracks["label"].isin(one_artist) & tracks["artist"].notna()]
    assert (others.groupby("artist")["split"].nunique() == 1).all()
    for train, test in folds:
        rows = dataset.tracks.iloc[test]
        kept_apart = rows[~rows["label"].isin(one_artist)]["artist"].dropna()
        assert not set(kept_apart) & set(dataset.tracks.iloc[train]["artist"].dropna())
