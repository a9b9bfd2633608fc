"""Artist metadata: Sturm's GTZAN index (parsed, fetched once, checked), artists.csv, the artist column."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from conftest import make_collection
from course_utils.config import PROFILES
from course_utils.data import artist_groups, gtzan_artist_index, load_dataset, read_artists_csv
from course_utils.data import artists as artists_module
from course_utils.data.artists import parse_artist_index
from course_utils.errors import DatasetError, DownloadError

INDEX_TEXT = """## a comment
##
blues.00000.wav ::: John Lee Hooker ::: Boogie
blues.00001.wav ::: John Lee Hooker ::: 
blues.00002.wav :::  ::: 
rock.00000.wav ::: Morphine ::: Cure For Pain
"""


def fake_index(monkeypatch, folder, text=INDEX_TEXT):
    """Write ``text`` as a local copy of the index and accept its checksum in place of the published one."""
    from course_utils.data.download import file_sha256

    path = folder / "GTZANindex.txt"
    path.write_text(text)
    monkeypatch.setattr(artists_module, "INDEX_SHA256", file_sha256(path))
    return path


def test_parse_index_known_answers_and_unknown_stays_unknown():
    index = parse_artist_index(INDEX_TEXT)
    assert index.to_dict() == {"blues.00000": "John Lee Hooker", "blues.00001": "John Lee Hooker",
                               "blues.00002": None, "rock.00000": "Morphine"}
    assert index.dtype == object
    assert artists_module.INDEX_URL.startswith("https://")


@pytest.mark.parametrize("text, match", [
    ("blues.00000.wav ::: only two fields\n", "line 1: expected"),
    ("# c\n ::: x ::: y\n", "line 2: expected"),
    ("## nothing but comments\n", "lists no tracks"),
])
def test_a_malformed_index_is_named(text, match):
    with pytest.raises(DatasetError, match=f"mine.txt.*{match}|{match}"):
        parse_artist_index(text, source="mine.txt")


def test_offline_without_index_refuses_and_says_what_to_set():
    with pytest.raises(DownloadError, match=r"COURSE_OFFLINE.*GTZAN_INDEX"):
        gtzan_artist_index()


def test_a_tampered_copy_is_refused(tmp_path, monkeypatch):
    path = fake_index(monkeypatch, tmp_path)
    monkeypatch.setenv("GTZAN_INDEX", str(path))
    path.write_text(INDEX_TEXT.replace("Morphine", "Someone Else"))
    with pytest.raises(DatasetError, match="does not match the published checksum"):
        gtzan_artist_index()
    monkeypatch.setenv("GTZAN_INDEX", str(tmp_path / "absent.txt"))
    with pytest.raises(DatasetError, match="absent.txt.*does not exist"):
        gtzan_artist_index()


def test_gtzan_folder_gets_artists_from_the_index(tmp_path, monkeypatch):
    monkeypatch.setenv("GTZAN_INDEX", str(fake_index(monkeypatch, tmp_path)))
    dataset = load_dataset(make_collection(tmp_path / "data", per_label=3))
    artists = dataset.tracks.set_index("track_id")["artist"]
    assert artists.to_dict() == {"blues.00000": "John Lee Hooker", "blues.00001": "John Lee Hooker",
                                 "blues.00002": None, "rock.00000": "Morphine", "rock.00001": None,
                                 "rock.00002": None}
    assert "known for 3 of 6 tracks (2 artists)" in dataset.artist_note
    assert "Sturm's GTZAN index" in dataset.artist_note


def test_without_the_index_artists_are_unknown_and_the_note_says_why(tmp_path):
    dataset = load_dataset(make_collection(tmp_path, per_label=2))
    assert dataset.tracks["artist"].isna().all() and dataset.tracks["artist"].dtype == object
    assert "known for 0 of 4" in dataset.artist_note and "GTZAN_INDEX" in dataset.artist_note


def test_artists_csv_in_a_users_folder(tmp_path):
    root = make_collection(tmp_path, labels=("folk", "punk"), per_label=2)
    (root / "artists.csv").write_text("track_id,artist\nfolk.00000,Ana\nfolk.00001,\npunk.00000, Ana \n")
    dataset = load_dataset(root)
    assert dataset.tracks.set_index("track_id")["artist"].to_dict() == {
        "folk.00000": "Ana", "folk.00001": None, "punk.00000": "Ana", "punk.00001": None}
    assert dataset.artist_note == "artists known for 2 of 4 tracks (1 artists), from artists.csv"
    assert dataset.subset(per_label=1, seed=0).artist_note.startswith("artists known for ")
    assert "of 2 tracks" in dataset.subset(per_label=1, seed=0).artist_note


def test_an_explicit_manifest_names_artists_by_file(tmp_path):
    root = make_collection(tmp_path / "clips", labels=("folk", "punk"), per_label=1)
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("file,genre,kind,artist,md5\nclips/folk/folk.00000.wav,folk,clips,Ana,x\n"
                        "clips/punk/punk.00000.au,punk,clips,Bo,y\n")
    dataset = load_dataset(root, artists=manifest)
    assert dataset.tracks["artist"].tolist() == ["Ana", "Bo"]


@pytest.mark.parametrize("text, match", [
    ("track,who\na,b\n", r"bad.csv has columns \['track', 'who'\]; expected 'artist'"),
    ("track_id,artist\nfolk.00000,Ana\nfolk.00000,Bo\n", "bad.csv names track 'folk.00000' with two different"),
    ("track_id,artist\n,Ana\n", "bad.csv has an empty 'track_id' on line 2"),
    ('track_id,artist\n"folk.00000,Ana\n', "cannot read the artists CSV .*bad.csv"),
])
def test_a_malformed_artists_csv_is_named(tmp_path, text, match):
    (tmp_path / "bad.csv").write_text(text)
    with pytest.raises(DatasetError, match=match):
        read_artists_csv(tmp_path / "bad.csv")


def test_a_missing_artists_csv_is_named(tmp_path):
    root = make_collection(tmp_path / "data", labels=("folk", "punk"), per_label=1)
    with pytest.raises(DatasetError, match="cannot read the artists CSV .*nowhere.csv"):
        load_dataset(root, artists=tmp_path / "nowhere.csv")


def test_synthetic_set_knows_its_artists():
    tiny = replace(PROFILES["quick"], name="tiny", synthetic_per_genre=4, synthetic_seconds=1.0)
    dataset = load_dataset("synthetic", profile=tiny)
    artists = dataset.tracks.set_index("track_id")["artist"]
    assert artists.notna().all() and artists.nunique() == 30
    assert artists["jazz.00000"] == artists["jazz.00003"] == "jazz artist 1" != artists["jazz.00001"]
    assert dataset.subset(per_label=2).tracks["artist"].notna().all()


def test_artist_groups_known_answers():
    tracks = pd.DataFrame({"track_id": ["a", "b", "c", "d"], "artist": ["X", None, "X", np.nan]})
    assert artist_groups(tracks).tolist() == ["artist:X", "track:b", "artist:X", "track:d"]
    assert artist_groups(tracks.drop(columns="artist")).tolist() == ["track:a", "track:b", "track:c", "track:d"]


@pytest.mark.real_data
def test_sturms_index_from_shared(shared_data, monkeypatch):
    monkeypatch.setenv("GTZAN_INDEX", str(shared_data / "meta" / "GTZANindex.txt"))
    index = gtzan_artist_index()  # the shared copy matches the published checksum
    assert len(index) == 1000 and index.isna().sum() == 81
    assert index["blues.00000"] == "John Lee Hooker" and index["blues.00012"] == "Robert Johnson"
    assert index["classical.00050"] == "Samuel Barber" and index["rock.00099"] == "The Stone Roses"


@pytest.mark.real_data
def test_gtzan_mini_artists_leak_in_a_track_split(shared_data, monkeypatch):
    monkeypatch.setenv("GTZAN_INDEX", str(shared_data / "meta" / "GTZANindex.txt"))
    tracks = load_dataset(shared_data / "gtzan-mini").tracks
    top = tracks.groupby("label")["artist"].agg(lambda a: a.value_counts().iloc[0])
    assert top[["blues", "classical", "reggae", "rock"]].tolist() == [10, 10, 10, 10]
    assert tracks.loc[tracks["label"] == "blues", "artist"].unique().tolist() == ["John Lee Hooker"]
    assert (top["pop"], top["jazz"]) == (7, 6)


@pytest.mark.real_data
def test_gtzan_artists_manifest_serves_as_an_artists_csv(shared_data, monkeypatch):
    monkeypatch.setenv("GTZAN_INDEX", str(shared_data / "meta" / "GTZANindex.txt"))
    folder = shared_data / "gtzan-artists"
    manifest = pd.read_csv(folder / "manifest.csv")
    dataset = load_dataset(folder / "clips", artists=folder / "manifest.csv")
    expected = manifest.assign(track_id=manifest["file"].map(lambda f: f.rsplit("/", 1)[-1].rsplit(".", 1)[0]))
    expected = expected.set_index("track_id")["artist"]
    got = dataset.tracks.set_index("track_id")["artist"]
    assert len(got) == 75 and got.to_dict() == expected[got.index].to_dict()
