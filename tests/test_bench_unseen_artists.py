"""The protocol of bench_training, bench_transfer and bench_short_clips: no artist on both sides."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture
def protocol(monkeypatch):
    """The module ``benchmarks/unseen_artists.py`` (it imports its neighbours by name)."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import unseen_artists

    return unseen_artists


def toy_tracks(test_artists):
    """Two genres of gtzan-mini (artists a, b), and one test file per artist of ``test_artists``."""
    rows = [(f"{label}.{k:05d}", label, artist, "mini") for label, artist in (("blues", "a"), ("jazz", "b"))
            for k in range(3)]
    rows += [(f"jazz.{50 + k:05d}", "jazz", artist, "excerpts") for k, artist in enumerate(test_artists)]
    return pd.DataFrame(rows, columns=["track_id", "label", "artist", "part"])


def test_the_split_trains_on_gtzan_mini_and_tests_the_rest(protocol):
    tracks = toy_tracks(["c", None])
    split = protocol.unseen_split(tracks)
    side = tracks["track_id"].map(split.part)
    assert side[tracks["part"] == "mini"].isin(["train", "valid"]).all()
    assert side[tracks["part"] != "mini"].eq("test").all()
    assert (side == "valid").sum() == 2  # one validation track per genre
    assert split.grouping == "artist" and not protocol.shared_artists(tracks, split)


def test_an_artist_on_both_sides_is_refused(protocol):
    tracks = toy_tracks(["c", "b"])
    with pytest.raises(SystemExit, match="'b'"):
        protocol.unseen_split(tracks)


def test_tallies_count_clips_and_excerpts_apart(protocol):
    tracks = pd.DataFrame({"track_id": ["x", "y", "z"], "part": ["clips", "excerpts", "excerpts"]})
    predicted = pd.DataFrame({"track_id": ["x", "y", "z"], "label": ["jazz", "pop", "rock"],
                              "predicted": ["jazz", "pop", "pop"]})
    row = protocol.tallies(predicted, tracks)
    assert (row["clips"].correct, row["clips"].n, row["excerpts"].correct, row["excerpts"].n) == (1, 1, 1, 2)
    assert protocol.pair(row) == "1.00 / 0.50"
    assert protocol.Tally(0, 0).brief() == "n/a" and str(protocol.Tally(7, 10)).startswith("0.70 (0.40-0.89, n=10)")


def test_replace_row_rewrites_exactly_the_script_row(protocol, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("| what | figure | script |\n|---|---|---|\n| old | 0.9 | `bench_x.py` |\n"
                      "| other | 1 | `bench_y.py` |\n", encoding="utf-8")
    protocol.replace_row("bench_x.py", ["new", "0.5"], readme=readme)
    lines = readme.read_text(encoding="utf-8").splitlines()
    assert lines[2] == "| new | 0.5 | `bench_x.py` |" and lines[3] == "| other | 1 | `bench_y.py` |"
    with pytest.raises(SystemExit, match="0 table rows"):
        protocol.replace_row("bench_z.py", ["x"], readme=readme)


def test_short_clip_pieces(protocol):
    import bench_short_clips

    assert len(bench_short_clips.pieces(np.zeros(30 * 100), 100, 2.0, "clips")) == 3
    assert [len(p) for p in bench_short_clips.pieces(np.zeros(250), 100, 2.0, "excerpts")] == [200]
    assert bench_short_clips.pieces(np.zeros(250), 100, 2.6, "excerpts") == []


def test_real_protocol_is_artist_disjoint(protocol, shared_data):
    if not (shared_data / "gtzan-artists" / "manifest.csv").is_file():
        pytest.skip("../shared/data/gtzan-artists is not available")
    tracks = protocol.protocol_tracks()
    split = protocol.unseen_split(tracks)
    side = tracks["track_id"].map(split.part)
    trained = set(tracks.loc[side.isin(["train", "valid"]), "artist"].dropna())
    tested = tracks[side == "test"]
    assert set(tracks.loc[side.isin(["train", "valid"]), "part"]) == {"mini"} and len(trained) > 10
    assert tested["artist"].notna().all() and not set(tested["artist"]) & trained
    assert set(tested["part"]) == {"clips", "excerpts"} and len(tested) > 100
    assert not protocol.shared_artists(tracks, split)
