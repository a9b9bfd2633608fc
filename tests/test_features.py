"""course_utils.features: known answers on synthetic signals, shapes, the cached tables, bad input."""

from __future__ import annotations

import librosa
import numpy as np
import pandas as pd
import pytest
import scipy.fft
import scipy.ndimage

from conftest import make_collection, tone
from course_utils import features
from course_utils.cache import cache_dir
from course_utils.data import load_dataset
from course_utils.errors import ConfigError, CourseError
from course_utils.features import SignalError
from course_utils.features.clip import centroid_bandwidth, zero_crossing_rate
from course_utils.features.hpss import _soft_mask
from course_utils.features.table import TABLE_VERSION

SR = 22050


def sine(freq: float = 440.0, seconds: float = 2.0, sr: int = SR) -> np.ndarray:
    return tone(seconds, sr=sr, freq=freq).astype(np.float32)


def click_train(bpm: float, seconds: float = 20.0, sr: int = SR) -> np.ndarray:
    y = np.zeros(int(seconds * sr), dtype=np.float32)
    for start in range(0, len(y) - 64, int(round(60 / bpm * sr))):
        y[start:start + 64] = np.hanning(64)
    return y


# --- shapes -----------------------------------------------------------------------------------

@pytest.mark.parametrize("n_fft,hop_length,seconds", [(2048, 512, 2.0), (1024, 256, 1.5), (512, 128, 0.5)])
def test_shapes_follow_from_n_fft_hop_and_duration(n_fft, hop_length, seconds):
    y = sine(seconds=seconds)
    frames = 1 + len(y) // hop_length
    assert features.stft(y, n_fft=n_fft, hop_length=hop_length).shape == (1 + n_fft // 2, frames)
    assert features.melspectrogram(y, sr=SR, n_fft=n_fft, hop_length=hop_length, n_mels=40).shape == (40, frames)
    assert features.log_mel(y, sr=SR, n_fft=n_fft, hop_length=hop_length).shape == (128, frames)
    assert features.mfcc(y, sr=SR, n_fft=n_fft, hop_length=hop_length, n_mfcc=13).shape == (13, frames)
    assert features.chroma(y, sr=SR, n_fft=n_fft, hop_length=hop_length).shape == (12, frames)
    assert features.cqt(y, sr=SR, hop_length=hop_length).shape == (84, frames)


# --- known answers on synthetic signals ----------------------------------------------------------

def test_a_440_hz_sine_peaks_in_its_bin_band_and_pitch_class():
    y = sine(440.0)
    magnitude = np.abs(features.stft(y, n_fft=2048)).mean(axis=1)
    assert magnitude.argmax() == round(440 * 2048 / SR)  # bin 41 = 441.4 Hz
    mel = features.melspectrogram(y, sr=SR, n_mels=128).mean(axis=1)
    edges = librosa.mel_frequencies(n_mels=130, fmax=SR / 2)
    assert edges[mel.argmax()] < 440 < edges[mel.argmax() + 2]  # the band's triangle spans 440 Hz
    assert np.bincount(features.chroma(y, sr=SR).argmax(axis=0)).argmax() == 9  # A
    cqt = features.cqt(y, sr=SR).mean(axis=1)
    assert cqt.argmax() == 45  # A4 is 3 octaves and 9 semitones above C1


def test_log_mel_is_in_db_and_clipped_80_db_below_the_peak():
    S_db = features.log_mel(sine(440.0), sr=SR)
    assert -10 < S_db.max() < 40  # a 0.5-amplitude sine, power summed over a few mel filters
    assert S_db.max() - S_db.min() == pytest.approx(80.0, abs=1e-3)


def test_clip_features_of_a_440_hz_sine():
    row = features.clip_features(sine(440.0, seconds=3.0), sr=SR)
    assert list(row) == features.feature_columns()
    half_bin = SR / 2048 / 2
    assert row["spectral_centroid_mean"] == pytest.approx(440.0, abs=half_bin)
    assert row["rolloff_mean"] == pytest.approx(440.0, abs=4 * half_bin)  # a bin frequency, 85 % of the magnitude
    assert row["spectral_bandwidth_mean"] < 60  # one narrow peak
    assert row["zero_crossing_rate_mean"] == pytest.approx(2 * 440 / SR, rel=0.02)
    assert row["rms_mean"] == pytest.approx(0.5 / np.sqrt(2), rel=1e-3)
    assert row["rms_var"] < 1e-6
    assert row["tempo"] == 0.0  # a steady tone has no onsets
    assert row["harmony_var"] > 100 * row["perceptr_var"]  # a steady tone is harmonic


def test_the_centroid_of_a_bin_centred_sine_is_its_frequency():
    freq = 41 * SR / 2048
    S = np.abs(features.stft(tone(2.0, sr=SR, freq=freq)))  # float64: no rounding noise in far bins
    centroid, bandwidth = centroid_bandwidth(S[:, 4:-4], sr=SR, n_fft=2048)  # frames away from the edges
    np.testing.assert_allclose(centroid, freq, rtol=1e-4)
    np.testing.assert_allclose(bandwidth, SR / 2048 / np.sqrt(2), rtol=1e-3)  # Hann main lobe: 1/4, 1/2, 1/4


def test_silence_has_zero_rms_and_no_tempo_and_no_nan():
    row = features.clip_features(np.zeros(SR, dtype=np.float32), sr=SR)
    assert row["rms_mean"] == 0 and row["rms_var"] == 0
    assert row["tempo"] == 0
    assert row["spectral_centroid_mean"] == 0
    assert all(np.isfinite(v) for v in row.values())


@pytest.mark.parametrize("bpm", [120, 90])
def test_a_click_train_gives_its_tempo(bpm):
    # hop_length 525 puts 120 and 90 BPM exactly on librosa's tempo grid (60 * sr / (hop * lag))
    assert features.clip_features(click_train(bpm), sr=SR, hop_length=525)["tempo"] == pytest.approx(bpm, rel=1e-6)


def test_with_the_default_hop_a_120_bpm_click_train_is_within_one_grid_step():
    tempo = features.clip_features(click_train(120), sr=SR)["tempo"]
    step = 60 * SR / (512 * 21) - 60 * SR / (512 * 22)  # the grid near 120 BPM, about 5.6 BPM
    assert abs(tempo - 120) < step


def test_percussive_clicks_go_to_the_percussive_part():
    row = features.clip_features(click_train(120, seconds=5.0), sr=SR)
    assert row["perceptr_var"] > row["harmony_var"]


def test_mfcc_is_the_dct_of_log_mel():
    y = sine(330.0)
    expected = scipy.fft.dct(features.log_mel(y, sr=SR), type=2, norm="ortho", axis=0)[:20]
    np.testing.assert_allclose(features.mfcc(y, sr=SR), expected, rtol=1e-4, atol=1e-3)


# --- the fast parts agree with librosa ------------------------------------------------------------

@pytest.mark.parametrize("shape", [(7, 50), (40, 13), (3, 1), (1, 2)])
@pytest.mark.parametrize("axis", [0, 1])
def test_median_filter_equals_scipy(shape, axis):
    S = np.random.default_rng(0).random(shape).astype(np.float32)
    footprint = [1, 1]
    footprint[axis] = 31
    expected = scipy.ndimage.median_filter(S, size=footprint, mode="reflect")
    np.testing.assert_array_equal(features.median_filter(S, size=31, axis=axis), expected)


@pytest.mark.parametrize("values", ["ties", "float64", "negative", "integers"])
def test_median_filter_equals_scipy_on_wide_and_awkward_input(values):
    rng = np.random.default_rng(3)
    S = {"ties": rng.integers(0, 4, (300, 90)).astype(np.float32),  # many equal values in each window
         "float64": rng.random((300, 90)),
         "negative": rng.standard_normal((300, 90)).astype(np.float32),
         "integers": rng.integers(-50, 50, (300, 90))}[values]
    for axis, footprint in ((0, (31, 1)), (1, (1, 31))):  # 300 and 90 columns: more than one block of lanes
        result = features.median_filter(S, size=31, axis=axis)
        assert result.dtype == S.dtype
        np.testing.assert_array_equal(result, scipy.ndimage.median_filter(S, size=footprint, mode="reflect"))


def test_median_filter_rejects_non_finite_values_and_bad_sizes():
    S = np.ones((40, 40), dtype=np.float32)
    S[3, 4] = np.nan
    with pytest.raises(ConfigError, match="finite"):
        features.median_filter(S, size=31, axis=0)
    with pytest.raises(ConfigError, match="odd"):
        features.median_filter(np.ones((40, 40)), size=30, axis=0)
    with pytest.raises(ConfigError, match="axis"):
        features.median_filter(np.ones((40, 40)), size=31, axis=2)
    with pytest.raises(ConfigError, match="complex"):
        features.median_filter(np.ones((40, 40), dtype=np.complex64), size=31, axis=0)


@pytest.mark.parametrize("rows", [10, 40])  # shorter than half a window (scipy's path) and longer
def test_median_filter_keeps_float16(rows):
    S = np.random.default_rng(5).random((rows, 30)).astype(np.float16)
    result = features.median_filter(S, size=31, axis=0)
    expected = scipy.ndimage.median_filter(S.astype(np.float32), size=(31, 1), mode="reflect")
    assert result.dtype == np.float16
    np.testing.assert_array_equal(result, expected.astype(np.float16))


def test_soft_mask_equals_librosa():
    rng = np.random.default_rng(4)
    H, P = rng.random((64, 80)).astype(np.float32), rng.random((64, 80)).astype(np.float32)
    H[:5], P[:5] = 0.0, 0.0  # both silent: split evenly
    np.testing.assert_array_equal(_soft_mask(H, P), librosa.util.softmask(H, P, power=2, split_zeros=True))


def test_harmonic_percussive_matches_librosa_and_adds_up():
    rng = np.random.default_rng(1)
    y = (sine(220.0, seconds=1.0) + 0.3 * click_train(240, seconds=1.0) + 0.01 * rng.standard_normal(SR)).astype(np.float32)
    y_h, y_p = features.harmonic_percussive(y)
    ref_h, ref_p = librosa.effects.hpss(y, pad_mode="reflect")
    np.testing.assert_allclose(y_h, ref_h, atol=1e-5)
    np.testing.assert_allclose(y_p, ref_p, atol=1e-5)
    np.testing.assert_allclose(y_h + y_p, y, atol=1e-6)


def test_zero_crossings_and_centroid_bandwidth_match_librosa():
    y = np.random.default_rng(2).standard_normal(5000).astype(np.float32)
    y[100:200] = 0
    np.testing.assert_array_equal(zero_crossing_rate(y), librosa.feature.zero_crossing_rate(y))
    S = np.abs(librosa.stft(y))
    centroid, bandwidth = centroid_bandwidth(S, sr=SR, n_fft=2048)
    np.testing.assert_allclose(centroid, librosa.feature.spectral_centroid(S=S, sr=SR), rtol=1e-6)
    np.testing.assert_allclose(bandwidth, librosa.feature.spectral_bandwidth(S=S, sr=SR), rtol=1e-5)


# --- spectrogram images -------------------------------------------------------------------------------

def test_spectrogram_image_is_resized_scaled_and_three_channel():
    S_db = features.log_mel(sine(200.0), sr=SR)
    image = features.spectrogram_image(S_db, size=64)
    assert image.shape == (64, 64, 3) and image.dtype == np.float32
    assert image.min() == 0.0 and image.max() == pytest.approx(1.0)
    np.testing.assert_array_equal(image[..., 0], image[..., 2])  # grey copied into the channels
    bright_row = image[..., 0].mean(axis=1).argmax()
    assert bright_row > 48  # a low tone is near the bottom, as in a plot
    coloured = features.spectrogram_image(S_db, size=(32, 48), cmap="magma")
    assert coloured.shape == (32, 48, 3) and not np.array_equal(coloured[..., 0], coloured[..., 2])
    batch = features.spectrogram_image(np.stack([S_db, S_db]), size=16)
    assert batch.shape == (2, 16, 16, 3)
    assert features.spectrogram_image(np.zeros((10, 10)), size=8).max() == 0  # constant: no division by zero


def test_spectrogram_image_rejects_bad_matrices():
    with pytest.raises(SignalError, match="shape"):
        features.spectrogram_image(np.zeros(10))
    with pytest.raises(SignalError, match="NaN"):
        features.spectrogram_image(np.full((4, 4), np.nan))
    with pytest.raises(ConfigError, match="size"):
        features.spectrogram_image(np.zeros((4, 4)), size=0)


# --- bad input ------------------------------------------------------------------------------------

@pytest.mark.parametrize("function", [features.stft, features.log_mel, features.mfcc, features.chroma,
                                      features.clip_features])
def test_bad_signals_get_errors_that_name_the_argument(function):
    options = {} if function is features.stft else {"sr": SR}
    with pytest.raises(SignalError, match=r"y has 100 samples, shorter than one analysis window"):
        function(np.zeros(100, dtype=np.float32), **options)
    with pytest.raises(SignalError, match=r"y must be a mono signal.*\(2, 22050\).*stereo"):
        function(np.zeros((2, SR), dtype=np.float32), **options)
    with pytest.raises(SignalError, match="y holds 1 NaN or infinite samples"):
        function(np.r_[np.zeros(SR - 1), np.nan].astype(np.float32), **options)
    with pytest.raises(SignalError, match="int16"):
        function(np.zeros(SR, dtype=np.int16), **options)


@pytest.mark.parametrize("sr", [0, -22050, 22050.5, "22050", None, True])
def test_a_wrong_sample_rate_is_an_error_naming_sr(sr):
    with pytest.raises(ConfigError, match="sr must be a positive whole number"):
        features.log_mel(sine(), sr=sr)
    with pytest.raises(CourseError):
        features.feature_table(pd.DataFrame({"track_id": ["a"], "label": ["x"], "path": ["a.wav"]}), sr=sr)


def test_a_whole_float_sample_rate_and_float64_and_lists_are_accepted():
    y = sine()
    np.testing.assert_allclose(features.log_mel(y, sr=22050.0), features.log_mel(y, sr=SR))
    assert features.log_mel(y.astype(np.float64), sr=SR).shape == (128, 87)
    assert features.stft(list(y[:4096])).shape == (1025, 9)


def test_impossible_options_are_errors_naming_them():
    y = sine()
    with pytest.raises(ConfigError, match="fmax=20000"):
        features.melspectrogram(y, sr=SR, fmax=20000)
    with pytest.raises(ConfigError, match="n_mfcc=40 cannot exceed n_mels=20"):
        features.mfcc(y, sr=SR, n_mfcc=40, n_mels=20)
    with pytest.raises(ConfigError, match="hop_length"):
        features.stft(y, hop_length=0)
    with pytest.raises(ConfigError, match="n_bins=84"):
        features.cqt(y, sr=8000)


# --- the feature table over a data set (cached) ------------------------------------------------------

@pytest.fixture
def collection(tmp_path):
    return load_dataset(make_collection(tmp_path / "songs", per_label=2, seconds=2.0))


def test_feature_table_per_track(collection):
    table = features.feature_table(collection, n_jobs=1)
    assert list(table.columns) == ["track_id", "label", "segment", "length", *features.feature_columns()]
    assert table["track_id"].tolist() == collection.tracks["track_id"].tolist()
    assert (table["segment"] == 0).all() and (table["length"] == 2 * SR).all()
    # make_collection writes a tone of 220 * (label index + 1) + 5 * k Hz per track
    expected = [220.0, 225.0, 440.0, 445.0]
    np.testing.assert_allclose(table["spectral_centroid_mean"], expected, atol=SR / 2048)


def test_feature_table_per_segment_and_from_a_tracks_table(collection):
    table = features.feature_table(collection.tracks, segment_seconds=0.5, hop_seconds=0.25, n_jobs=1)
    assert len(table) == 4 * 7  # (2 s - 0.5 s) / 0.25 s + 1 segments per track
    assert table.groupby("track_id")["segment"].apply(list).iloc[0] == list(range(7))
    assert (table["length"] == SR // 2).all()


def test_feature_table_reads_its_cache_the_second_time(collection, monkeypatch):
    first = features.feature_table(collection, n_jobs=1)
    assert len(list(cache_dir(f"feature_table-v{TABLE_VERSION}").glob("*.npz"))) == len(collection)

    def fail(*args, **kwargs):
        raise AssertionError("recomputed instead of reading the cache")

    monkeypatch.setattr("course_utils.features.table.clip_features", fail)
    pd.testing.assert_frame_equal(features.feature_table(collection, n_jobs=1), first)
    with pytest.raises(AssertionError, match="recomputed"):
        features.feature_table(collection, n_jobs=1, n_mfcc=13)  # another parameter: another key


def test_feature_table_rejects_bad_arguments(collection):
    with pytest.raises(ConfigError, match="segment_seconds"):
        features.feature_table(collection, segment_seconds=0)
    with pytest.raises(ConfigError, match="hop_seconds needs segment_seconds"):
        features.feature_table(collection, hop_seconds=1.0)
    with pytest.raises(ConfigError, match="Dataset or a tracks DataFrame"):
        features.feature_table(["a.wav"])
    with pytest.raises(ConfigError, match="lacks columns"):
        features.feature_table(pd.DataFrame({"track_id": ["a"]}))


def test_published_table_is_found_beside_the_data_and_compared(collection, tmp_path):
    assert features.published_table(collection) is None
    ours = features.feature_table(collection, n_jobs=1)
    reference = ours.drop(columns=["track_id", "segment"]).assign(filename=ours["track_id"] + ".wav")
    reference["rms_mean"] *= 1.01
    reference.to_csv(tmp_path / "features_30_sec.csv", index=False)
    found = features.published_table(collection)
    assert found["track_id"].tolist() == ours["track_id"].tolist()
    report = features.compare_tables(ours, found).set_index("column")
    assert report.loc["rms_mean", "max_rel_error"] == pytest.approx(0.01 / 1.01, rel=1e-3)
    assert report.loc["mfcc1_mean", "max_rel_error"] < 1e-9
    assert report.index[0] == "rms_mean"  # the worst column first
    with pytest.raises(ConfigError, match="share no track_id"):
        features.compare_tables(ours, found.assign(track_id="other"))


# --- model inputs per segment ----------------------------------------------------------------------------

def test_segment_spectrograms_shapes_and_alignment(collection):
    X, table = features.segment_spectrograms(collection, segment_seconds=1.0, n_jobs=1)
    assert X.shape == (8, 128, 1 + SR // 512) and X.dtype == np.float32
    assert table[["track_id", "segment"]].values.tolist()[:2] == [[collection.tracks.track_id[0], 0],
                                                                   [collection.tracks.track_id[0], 1]]
    assert table["start"].tolist()[:2] == [0.0, 1.0] and table["end"].tolist()[:2] == [1.0, 2.0]
    second = collection.load(table.track_id[1])[SR:2 * SR]
    np.testing.assert_allclose(X[1], features.log_mel(second, sr=SR), atol=1e-3)
    M, mfcc_table = features.segment_spectrograms(collection, kind="mfcc", segment_seconds=1.0, n_jobs=1)
    assert M.shape == (8, 20, 44)
    np.testing.assert_allclose(M[1], features.mfcc(second, sr=SR), rtol=1e-3, atol=1e-2)
    pd.testing.assert_frame_equal(table, mfcc_table)


def test_segment_spectrograms_loop_tracks_shorter_than_a_segment(collection):
    X, table = features.segment_spectrograms(collection, segment_seconds=3.0, n_jobs=1)
    assert X.shape == (4, 128, 130) and table["segment"].tolist() == [0] * 4
    assert table["track_id"].tolist() == collection.tracks["track_id"].tolist()
    frame_level = X.max(axis=1)  # loudest band per frame: the looped tone fills the segment, no silent tail
    assert np.allclose(frame_level[:, 5:40].mean(axis=1), frame_level[:, 95:125].mean(axis=1), atol=1.0)


def test_segment_spectrograms_rejects_unknown_kinds(collection):
    with pytest.raises(ConfigError, match="kind must be one of"):
        features.segment_spectrograms(collection, kind="cqt")
    with pytest.raises(ConfigError, match="segment_seconds"):
        features.segment_spectrograms(collection, segment_seconds=None)
    with pytest.raises(ConfigError, match="n_mfcc=20 cannot exceed n_mels=16"):
        features.segment_spectrograms(collection, kind="mfcc", n_mels=16)


def test_segment_spectrograms_few_mel_bands_need_no_mfcc_setting(collection):
    X, _ = features.segment_spectrograms(collection, kind="log_mel", n_mels=16, segment_seconds=1.0, n_jobs=1)
    assert X.shape == (8, 16, 1 + SR // 512)
