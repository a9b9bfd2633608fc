import pandas as pd
import pytest

from conftest import make_collection
from course_utils.data import (artist_folds, fault_filtered_lists, fold_count, load_dataset, segment_table,
                               track_folds, track_split)
from course_utils.data import splits as splits_module
from course_utils.errors import ConfigError, SplitError


def fake_tracks(per_label=10, labels=("blues", "jazz", "rock")):
    rows = [{"track_id": f"{label}.{k:05d}", "label": label, "duration": 30.0}
            for label in labels for k in range(per_label)]
    return pd.DataFrame(rows)


def test_stratified_split_is_disjoint_complete_and_seeded():
    tracks = fake_tracks()
    split = track_split(tracks, method="stratified", test_size=0.2, valid_size=0.1, seed=3)
    parts = [set(split.ids(p)) for p in ("train", "valid", "test")]
    assert not (parts[0] & parts[1] or parts[0] & parts[2] or parts[1] & parts[2])
    assert set().union(*parts) == set(tracks["track_id"])
    assert [len(p) for p in parts] == [21, 3, 6]
    assert (split.counts(tracks)["test"] == 2).all()
    again = track_split(tracks, method="stratified", test_size=0.2, valid_size=0.1, seed=3)
    assert again.part.equals(split.part)
    other = track_split(tracks, method="stratified", test_size=0.2, valid_size=0.1, seed=4)
    assert not other.part.equals(split.part)


def test_segments_inherit_their_track_split():
    tracks = fake_tracks()
    split = track_split(tracks, method="stratified")
    segments = split.assign(segment_table(tracks, seconds=3.0))
    assert len(segments) == 10 * len(tracks)
    assert (segments.groupby("track_id")["split"].nunique() == 1).all()
    assert (segments["split"] == segments["track_id"].map(split.part)).all()


def test_bad_split_arguments():
    tracks = fake_tracks()
    with pytest.raises(ConfigError, match="method"):
        track_split(tracks, method="random")
    with pytest.raises(ConfigError, match="test_size"):
        track_split(tracks, method="stratified", test_size=1.5)
    with pytest.raises(ConfigError, match="leave tracks for training"):
        track_split(tracks, method="stratified", test_size=0.5, valid_size=0.5)
    with pytest.raises(SplitError, match="label 'blues' has 1 tracks"):
        track_split(fake_tracks(per_label=1), method="stratified")
    with pytest.raises(ConfigError, match="track_id"):
        track_split(pd.DataFrame({"x": [1]}))


def test_track_folds_never_split_a_track():
    segments = segment_table(fake_tracks(), seconds=3.0)
    folds = track_folds(segments, n_splits=5, seed=0)
    assert len(folds) == 5
    seen_in_test = []
    for train, test in folds:
        train_ids = set(segments["track_id"].iloc[train])
        test_ids = set(segments["track_id"].iloc[test])
        assert not train_ids & test_ids
        seen_in_test += list(test_ids)
    assert sorted(seen_in_test) == sorted(segments["track_id"].unique())
    with pytest.raises(SplitError, match="n_splits=11"):
        track_folds(segments, n_splits=11)


def test_fold_count_caps_the_folds_at_the_smallest_genre():
    # chapter 7 in the full profile (5 folds) on 5 tracks per genre: 3 or 4 training tracks per genre
    tracks = pd.concat([fake_tracks(per_label=3, labels=("blues",)), fake_tracks(per_label=4, labels=("jazz", "rock"))])
    segments = segment_table(tracks, seconds=3.0)
    with pytest.raises(SplitError, match="fold_count"):
        track_folds(segments, n_splits=5)
    n_folds = fold_count(segments, wanted=5)
    assert n_folds == 3
    assert len(track_folds(segments, n_splits=n_folds)) == 3
    assert fold_count(segment_table(fake_tracks(), seconds=3.0), wanted=5) == 5  # enough tracks: as asked
    with pytest.raises(SplitError, match="'blues' has 1"):
        fold_count(fake_tracks(per_label=1, labels=("blues",)), wanted=5)
    with pytest.raises(ConfigError, match="at least 2 folds"):
        fold_count(tracks, wanted=1)


def seed_lists(monkeypatch, lists: dict[str, list[str]]):
    """Write split lists into the cache and accept their checksums (stand-in for the published ones)."""
    from course_utils.data.download import file_sha256

    folder = splits_module.split_lists_dir()
    folder.mkdir(parents=True, exist_ok=True)
    sums = {}
    for part, ids in lists.items():
        path = folder / f"{part}_filtered.txt"
        path.write_text("".join(f"{i.split('.')[0]}/{i}.wav\n" for i in ids))
        sums[part] = file_sha256(path)
    monkeypatch.setattr(splits_module, "FAULT_FILTERED_SHA256", sums)


def test_fault_filtered_split_intersects_and_reports(tmp_path, monkeypatch):
    dataset = load_dataset(make_collection(tmp_path, per_label=4))
    seed_lists(monkeypatch, {
        "train": ["blues.00000", "blues.00001", "rock.00000", "rock.00001", "rock.00077"],
        "valid": ["blues.00002", "rock.00002"],
        "test": ["blues.00003", "rock.00003", "blues.00099"],
    })
    split = track_split(dataset, method="fault_filtered")
    assert split.method == "fault_filtered"
    assert split.ids("test") == ["blues.00003", "rock.00003"]
    assert "10 tracks, 8 present" in split.report and "2 named but absent" in split.report
    assert track_split(dataset).method == "fault_filtered"  # auto picks it for GTZAN


def test_auto_falls_back_and_says_why(tmp_path, monkeypatch):
    dataset = load_dataset(make_collection(tmp_path, per_label=5))
    split = track_split(dataset)  # offline, no cached lists
    assert split.method == "stratified" and "lists are unavailable" in split.report
    seed_lists(monkeypatch, {"train": ["blues.00000", "rock.00000"], "valid": [], "test": ["blues.00001"]})
    split = track_split(dataset)
    assert split.method == "stratified" and "too few of the listed tracks" in split.report
    other = load_dataset(make_collection(tmp_path / "other", labels=("folk", "punk"), per_label=5))
    assert "not GTZAN" in track_split(other).report


def test_a_tampered_list_is_refused(monkeypatch):
    seed_lists(monkeypatch, {"train": ["blues.00000"], "valid": [], "test": []})
    (splits_module.split_lists_dir() / "train_filtered.txt").write_text("blues/blues.00042.wav\n")
    with pytest.raises(SplitError, match="does not match its published checksum"):
        fault_filtered_lists()


def test_local_lists_folder_is_named_when_incomplete(tmp_path, monkeypatch):
    monkeypatch.setenv("GTZAN_SPLITS_DIR", str(tmp_path))
    with pytest.raises(SplitError, match=r"train_filtered.txt is missing.*GTZAN_SPLITS_DIR"):
        fault_filtered_lists()


@pytest.mark.real_data
def test_published_lists_from_shared(shared_data, monkeypatch):
    monkeypatch.setenv("GTZAN_SPLITS_DIR", str(shared_data / "splits"))
    lists = fault_filtered_lists()
    assert [len(lists[p]) for p in ("train", "valid", "test")] == [443, 197, 290]
    assert lists["test"][0] == "blues.00012"


def artist_tracks():
    """blues: one artist (6 tracks); jazz: artists J0-J2 and one unknown; rock: R0-R2, and R0 also plays one jazz track."""
    rows = [{"track_id": f"blues.{k:05d}", "label": "blues", "artist": "B"} for k in range(6)]
    rows += [{"track_id": f"jazz.{k:05d}", "label": "jazz", "artist": [f"J{k % 3}", None][k == 5]} for k in range(6)]
    rows += [{"track_id": f"rock.{k:05d}", "label": "rock", "artist": f"R{k % 3}"} for k in range(6)]
    rows[6]["artist"] = "R0"  # an artist in two genres
    return pd.DataFrame(rows)


def _artists_apart(table, train, test, labels=("jazz", "rock")) -> bool:
    rows = table[table["label"].isin(labels) & table["artist"].notna()]
    train_artists = set(rows.loc[rows.index.isin(train), "artist"])
    return not train_artists & set(rows.loc[rows.index.isin(test), "artist"])


def no_test_artist_heard(parts: pd.DataFrame) -> bool:
    """Whether no artist with test tracks has tracks in another part (columns ``artist``, ``split``)."""
    sides = parts.dropna(subset=["artist"]).groupby("artist")["split"].agg(set)
    return all(s == {"test"} for s in sides if "test" in s)


def test_artist_folds_keep_artists_apart_and_label_the_fallback():
    tracks = artist_tracks()
    segments = segment_table(tracks.assign(duration=9.0), seconds=3.0)
    folds = artist_folds(segments, n_splits=3, seed=0)
    assert folds.grouping == "artist where possible" and folds.by_track == ["blues"]
    assert folds.describe() == "3 folds by artist where possible (by track for blues: one artist each)"
    tested = []
    for train, test in folds:
        assert _artists_apart(segments, train, test)
        assert not set(segments["track_id"].iloc[train]) & set(segments["track_id"].iloc[test])
        tested += segments["track_id"].iloc[test].unique().tolist()
    assert sorted(tested) == sorted(tracks["track_id"])
    again = artist_folds(segments, n_splits=3, seed=0)  # seeded
    assert all((a == b).all() and (c == d).all() for (a, c), (b, d) in zip(again, folds, strict=True))


def test_artist_folds_without_artists_are_by_track_and_errors_are_clear():
    folds = artist_folds(fake_tracks(), n_splits=5)
    assert folds.grouping == "track" and folds.by_track == []
    assert artist_folds(fake_tracks().assign(artist="Same"), n_splits=5).grouping == "track"
    everyone = fake_tracks().assign(artist=lambda t: t["label"] + t["track_id"].str[-1:].map(lambda d: str(int(d) % 2)))
    assert artist_folds(everyone, n_splits=2).grouping == "artist"
    with pytest.raises(SplitError, match=r"n_splits=3 needs 2 <= n_splits <= 2.*number of groups \(2\)"):
        artist_folds(everyone.assign(artist=lambda t: t["track_id"].str[-1:].map(lambda d: str(int(d) % 2)),
                                     label="rock"), n_splits=3)
    with pytest.raises(ConfigError, match="artist_folds expects"):
        artist_folds(pd.DataFrame({"track_id": ["a"]}))


def test_artist_split_is_artist_disjoint_complete_seeded_and_labelled():
    tracks = artist_tracks()
    split = track_split(tracks, method="artist", seed=1)
    assert split.method == "artist" and split.grouping == "artist where possible"
    assert "by track for blues" in split.report and "7 known artists" in split.report
    part = tracks.assign(split=tracks["track_id"].map(split.part))
    assert part["split"].notna().all()
    assert no_test_artist_heard(part[part["label"] != "blues"])
    counts = split.counts(tracks)
    assert (counts["train"] > 0).all() and (counts["test"] > 0).all()
    assert split.counts(tracks).loc["blues"].tolist() == [4, 1, 1]  # by track: 0.2 and 0.1 of 6, rounded
    assert track_split(tracks, method="artist", seed=1).part.equals(split.part)
    unknown = part.loc[part["artist"].isna(), "track_id"].tolist()
    assert unknown == ["jazz.00005"]  # an unknown artist is its own group, it lands anywhere


def test_validation_comes_from_training_artists_only_when_too_few_are_left():
    """Three artists of 2, 2 and 1 tracks: test and validation cannot both have artists of their own
    and leave any for training, so validation tracks come from the training artists (and the report
    says so); with six artists, validation gets artists of its own."""
    few = pd.DataFrame([{"track_id": f"rock.{k:05d}", "label": "rock", "artist": f"R{k % 3}"} for k in range(5)])
    split = track_split(few, method="artist", valid_size=0.2, seed=0)
    assert split.counts(few).loc["rock"].tolist() == [len(split.ids("train")), 1, len(split.ids("test"))]
    assert len(split.ids("train")) >= 2 and "validation tracks drawn from the training artists for every genre" in split.report
    parts = few.assign(split=few["track_id"].map(split.part))
    assert no_test_artist_heard(parts)
    many = pd.DataFrame([{"track_id": f"rock.{k:05d}", "label": "rock", "artist": f"R{k % 6}"} for k in range(12)])
    split = track_split(many, method="artist", valid_size=0.2, seed=0)
    parts = many.assign(split=many["track_id"].map(split.part))
    assert (parts.groupby("artist")["split"].nunique() == 1).all() and "validation tracks" not in split.report
    assert set(parts["split"]) == {"train", "valid", "test"}


def test_auto_prefers_artists_when_known_and_stratified_otherwise():
    assert track_split(artist_tracks()).method == "artist"
    assert "no artist is known" in track_split(fake_tracks()).report
    assert track_split(fake_tracks().assign(artist=None)).method == "stratified"


def test_artist_split_draws_different_artists_for_different_seeds():
    """Artists of 2, 2 and 1 tracks per genre, 20 % test: the one-track artist is not always the test set."""
    rows = [{"track_id": f"{label}.{k:05d}", "label": label, "artist": f"{label} {k % 3}"}
            for label in ("blues", "jazz", "rock", "pop") for k in range(5)]
    tracks = pd.DataFrame(rows)
    tests = [frozenset(track_split(tracks, method="artist", seed=s, valid_size=0.0).ids("test")) for s in range(10)]
    assert len(set(tests)) > 5
    sizes = [len(t) / 4 for t in tests]
    assert 1.0 < sum(sizes) / len(sizes) < 2.0  # between the 1 track asked for and a 2-track artist
    for s in range(10):
        split = track_split(tracks, method="artist", seed=s)
        assert no_test_artist_heard(tracks.assign(split=tracks["track_id"].map(split.part)))
        assert (split.counts(tracks)["train"] >= 1).all() and (split.counts(tracks)["test"] >= 1).all()


def test_artist_split_never_gives_a_big_artist_to_a_small_test_share():
    """One artist of 4 tracks and one of 1, 20 % test: the big artist always trains, whatever the seed."""
    tracks = pd.DataFrame({"track_id": [f"pop.{k:05d}" for k in range(5)], "label": "pop",
                           "artist": ["Big"] * 4 + ["Small"]})
    for seed in range(20):
        split = track_split(tracks, method="artist", seed=seed, valid_size=0.2)
        assert split.ids("test") == ["pop.00004"] and split.ids("valid") and len(split.ids("train")) == 3
