"""Tests of course_utils.synth, the synthetic GTZAN: layout, determinism, musicality, arguments."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import soundfile as sf
from scipy import ndimage, signal

from course_utils.synth import GENRES, make_synthetic_gtzan, render_track, synthetic_set_is_complete
from course_utils.synth.artists import artist_of, draw_production
from course_utils.synth.genres import RECIPES
from course_utils.synth.render import _level, _limit, track_arrangement

SR = 22050
TINY = {"n_per_genre": 1, "duration": 2.0, "sr": SR, "seed": 3}


@pytest.fixture(scope="module")
def tiny_set(tmp_path_factory):
    root = tmp_path_factory.mktemp("synth")
    return root, make_synthetic_gtzan(root, **TINY)


def _files(folder):
    return sorted(p for p in folder.rglob("*.wav"))


# Spectral measures in plain numpy/scipy: librosa's first call compiles for several seconds.
def _magnitude(y: np.ndarray, hop: int = 512) -> np.ndarray:
    return np.abs(signal.stft(y, nperseg=2048, noverlap=2048 - hop)[2])


def _flatness(y: np.ndarray) -> float:
    """Median over frames of the spectral flatness (geometric / arithmetic mean of the power)."""
    power = _magnitude(y) ** 2 + 1e-12
    return float(np.median(np.exp(np.log(power).mean(axis=0)) / power.mean(axis=0)))


def _percussive_share(y: np.ndarray) -> float:
    """Energy share of the percussive part of a median-filter harmonic/percussive split."""
    mag = _magnitude(y)
    harmonic, percussive = ndimage.median_filter(mag, size=(1, 17)), ndimage.median_filter(mag, size=(17, 1))
    return float((percussive**2).sum() / ((harmonic**2).sum() + (percussive**2).sum()))


def test_layout_names_and_format(tiny_set):
    root, folder = tiny_set
    assert folder == root / "genres"
    assert sorted(p.name for p in folder.iterdir() if p.is_dir()) == sorted(GENRES)
    for genre in GENRES:
        assert [p.name for p in (folder / genre).iterdir()] == [f"{genre}.00000.wav"]
        info = sf.info(folder / genre / f"{genre}.00000.wav")
        assert (info.format, info.subtype, info.channels) == ("WAV", "PCM_16", 1)
        assert info.samplerate == SR and info.frames == 2 * SR


def test_same_seed_gives_identical_bytes_and_other_seed_differs(tiny_set, tmp_path):
    _, folder = tiny_set
    again = make_synthetic_gtzan(tmp_path / "again", **TINY)
    other = make_synthetic_gtzan(tmp_path / "other", **{**TINY, "seed": 4})
    for a, b, c in zip(_files(folder), _files(again), _files(other), strict=True):
        assert a.read_bytes() == b.read_bytes()
        assert a.read_bytes() != c.read_bytes()


def test_track_does_not_depend_on_set_size(tiny_set, tmp_path):
    _, folder = tiny_set
    bigger = make_synthetic_gtzan(tmp_path, **{**TINY, "n_per_genre": 2})
    for genre in GENRES:
        name = f"{genre}/{genre}.00000.wav"
        assert (bigger / name).read_bytes() == (folder / name).read_bytes()


def test_files_hold_render_track_output(tiny_set):
    _, folder = tiny_set
    for genre in ("jazz", "metal"):
        written, _ = sf.read(folder / genre / f"{genre}.00000.wav", dtype="float32")
        direct = render_track(genre, 0, duration=2.0, sr=SR, seed=3)
        np.testing.assert_allclose(written, direct, atol=2 / 32768)


def test_clips_are_audible_unclipped_and_tonal(tiny_set):
    _, folder = tiny_set
    noise_flatness = _flatness(np.random.default_rng(0).standard_normal(2 * SR))
    for path in _files(folder):
        pcm, _ = sf.read(path, dtype="int16")
        peak = np.max(np.abs(pcm.astype(np.int32)))
        assert peak < 10 ** (-1 / 20) * 32768 + 1, path.name  # the limiter keeps peaks below -1 dBFS
        y = pcm.astype(np.float32) / 32768
        assert np.sqrt(np.mean(y**2)) > 0.01, path.name
        assert _flatness(y) < 0.5 * noise_flatness, path.name  # distorted metal is the flattest


@pytest.mark.parametrize("genre", ["classical", "pop", "metal"])
def test_a_clip_has_its_drawn_loudness_and_no_peak_above_minus_1_dbfs(genre):
    for index in range(3):
        target = track_arrangement(genre, index, seconds=4.0, seed=5)[0].rms_dbfs
        y = render_track(genre, index, duration=4.0, seed=5)
        assert 20 * np.log10(np.sqrt(np.mean(y.astype(np.float64) ** 2))) == pytest.approx(target, abs=0.05)
        assert np.abs(y).max() <= 10 ** (-1 / 20)


def test_levelling_keeps_silence_silent_and_quiet_samples_unbent():
    assert not _level(np.zeros(100, dtype=np.float32), -20.0).any()
    y = np.float32(0.1) * np.sin(np.linspace(0, 60, 1000, dtype=np.float32))  # peaks far below the knee
    np.testing.assert_array_equal(_limit(y), y)


def test_classical_is_quieter_than_pop_and_metal_as_in_gtzan():
    def level(genre):  # median RMS in dBFS over a few tracks
        return np.median([20 * np.log10(np.sqrt(np.mean(render_track(genre, k, duration=3.0, seed=2) ** 2)))
                          for k in range(5)])

    assert level("classical") < min(level("pop"), level("metal")) - 8.0


def test_metal_is_more_percussive_than_classical():
    share = {genre: np.median([_percussive_share(render_track(genre, k, duration=3.0, seed=1)) for k in range(3)])
             for genre in ("classical", "metal")}
    assert share["classical"] < 0.5 * share["metal"], share


def test_disco_pulses_at_its_beat():
    hits = 0
    for k in range(4):
        tempo = track_arrangement("disco", k, seconds=6.0, seed=1)[0].tempo
        y = render_track("disco", k, duration=6.0, seed=1)
        flux = np.diff(np.log1p(100.0 * _magnitude(y, hop=256)), axis=1).clip(min=0.0).sum(axis=0)
        flux -= flux.mean()
        ac = np.correlate(flux, flux, "full")[flux.size - 1:]
        beat = 60.0 / tempo * SR / 256
        near = ac[int(0.95 * beat):int(1.05 * beat) + 2].max()
        between = ac[int(0.6 * beat):int(0.85 * beat)].max()
        hits += near > between and near > 0.15 * ac[0]
    assert hits >= 3


def test_completeness_marker(tmp_path):
    assert not synthetic_set_is_complete(tmp_path, **TINY)
    folder = make_synthetic_gtzan(tmp_path, **TINY)
    assert synthetic_set_is_complete(tmp_path, **TINY)
    assert json.loads((folder / ".complete.json").read_text())["seed"] == TINY["seed"]
    assert not synthetic_set_is_complete(tmp_path, **{**TINY, "n_per_genre": 2})
    assert not synthetic_set_is_complete(tmp_path, **{**TINY, "duration": 3.0})
    mtime = (folder / "rock" / "rock.00000.wav").stat().st_mtime_ns
    make_synthetic_gtzan(tmp_path, **TINY)  # complete already: left alone
    assert (folder / "rock" / "rock.00000.wav").stat().st_mtime_ns == mtime
    (folder / "rock" / "rock.00000.wav").unlink()
    assert not synthetic_set_is_complete(tmp_path, **TINY)


def test_smaller_rerun_removes_surplus_clips(tmp_path):
    folder = make_synthetic_gtzan(tmp_path, **{**TINY, "n_per_genre": 2, "duration": 0.5})
    make_synthetic_gtzan(tmp_path, **{**TINY, "duration": 0.5})
    assert [p.name for p in (folder / "pop").iterdir()] == ["pop.00000.wav"]
    assert synthetic_set_is_complete(tmp_path, **{**TINY, "duration": 0.5})


@pytest.mark.parametrize("name, value", [
    ("n_per_genre", 0), ("n_per_genre", -2), ("n_per_genre", 1.5), ("n_per_genre", "3"), ("n_per_genre", True),
    ("duration", 0), ("duration", -1.0), ("duration", float("nan")), ("duration", float("inf")), ("duration", "30"),
    ("sr", 0), ("sr", 4000), ("sr", 22050.0),
    ("seed", -1), ("seed", 0.5),
])
def test_bad_arguments_raise_value_error_naming_them(tmp_path, name, value):
    with pytest.raises(ValueError, match=name):
        make_synthetic_gtzan(tmp_path, **{**TINY, name: value})
    with pytest.raises(ValueError, match=name):
        synthetic_set_is_complete(tmp_path, **{**TINY, name: value})
    assert not any(tmp_path.iterdir())


def test_render_track_rejects_unknown_genre_and_negative_index():
    with pytest.raises(ValueError, match="genre"):
        render_track("polka")
    with pytest.raises(ValueError, match="index"):
        render_track("rock", -1)


def test_artists_csv_names_a_few_artists_per_genre(tmp_path):
    folder = make_synthetic_gtzan(tmp_path, **{**TINY, "n_per_genre": 4, "duration": 0.5})
    table = pd.read_csv(folder / "artists.csv")
    assert list(table.columns) == ["track_id", "artist"]
    assert len(table) == 40 and set(table["track_id"]) == {p.stem for p in _files(folder)}
    rock = table[table["track_id"].str.startswith("rock.")].set_index("track_id")["artist"]
    assert rock.to_dict() == {"rock.00000": "rock artist 1 (set 3)", "rock.00001": "rock artist 2 (set 3)",
                              "rock.00002": "rock artist 3 (set 3)", "rock.00003": "rock artist 1 (set 3)"}
    (folder / "artists.csv").unlink()
    assert not synthetic_set_is_complete(tmp_path, **{**TINY, "n_per_genre": 4, "duration": 0.5})


def test_sets_of_other_seeds_have_other_artists(tmp_path):
    default = make_synthetic_gtzan(tmp_path / "a", **{**TINY, "duration": 0.5, "seed": 0})
    other = make_synthetic_gtzan(tmp_path / "b", **{**TINY, "duration": 0.5, "seed": 9})
    names = [pd.read_csv(folder / "artists.csv").set_index("track_id")["artist"]["rock.00000"]
             for folder in (default, other)]
    assert names == ["rock artist 1", "rock artist 1 (set 9)"]  # seed 9 draws other productions


def test_an_artist_keeps_its_key_tempo_range_and_instruments():
    def arrangement(index):
        return track_arrangement("pop", index, seconds=4.0, seed=7)[0]

    same = [arrangement(k) for k in (0, 3, 6, 9)]  # artist 1
    others = [arrangement(k) for k in (1, 2, 4, 5)]  # artists 2 and 3
    productions = [draw_production("pop", artist_of(k), RECIPES["pop"], np.random.default_rng(k))
                   for k in range(3)]
    assert len({p.key for p in productions} | {p.tempo for p in productions}) > 3  # artists differ
    tempi = [a.tempo for a in same]
    assert max(tempi) - min(tempi) <= 0.25 * np.subtract(*RECIPES["pop"].tempo[::-1]) + 1e-9
    assert np.std([a.reverb_seconds for a in same]) < np.std([a.reverb_seconds for a in others + same[:1]])


def test_tracks_of_one_artist_sound_alike():
    """Nearest neighbours by spectral shape (mean log spectrum, level removed) are mostly tracks of the same
    artist of a genre."""
    profiles, artists = [], []
    for k in range(9):
        y = render_track("jazz", k, duration=3.0, seed=4)
        shape = np.log(_magnitude(y).mean(axis=1) + 1e-6)
        profiles.append(shape - shape.mean())
        artists.append(artist_of(k))
    profiles = np.array(profiles)
    distances = np.linalg.norm(profiles[:, None] - profiles[None], axis=2) + np.eye(9) * 1e9
    nearest = distances.argmin(axis=1)
    same = sum(artists[i] == artists[j] for i, j in enumerate(nearest))
    assert same >= 6, same  # chance: 2 of 8 neighbours share the artist
