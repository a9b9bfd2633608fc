"""course_utils.wavelets: scalograms and DWT features on signals with known answers."""

from __future__ import annotations

import numpy as np
import pytest
import pywt
import scipy.signal

from conftest import make_collection, tone
from course_utils import wavelets
from course_utils.wavelets import cwt
from course_utils.data import load_dataset
from course_utils.errors import ConfigError
from course_utils.features import SignalError

SR = 22050


def sine(freq: float, seconds: float = 1.0) -> np.ndarray:
    return tone(seconds, sr=SR, freq=freq).astype(np.float32)


def chirp(seconds: float = 2.0) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return (0.5 * scipy.signal.chirp(t, f0=100, t1=seconds, f1=4000, method="logarithmic")).astype(np.float32)


def test_scalogram_shape_and_frequencies():
    S, freqs = wavelets.scalogram(sine(440.0, 1.5), sr=SR, n_freqs=48, hop_length=256)
    assert S.shape == (48, 1 + int(1.5 * SR) // 256) and S.dtype == np.float32
    assert freqs[0] == pytest.approx(wavelets.FMIN) and freqs[-1] == pytest.approx(0.4 * SR)
    assert np.allclose(freqs[1:] / freqs[:-1], freqs[1] / freqs[0])  # geometric spacing


def test_a_sine_peaks_at_its_frequency_with_its_amplitude():
    S, freqs = wavelets.scalogram(sine(440.0), sr=SR, n_freqs=96)
    middle = S[:, S.shape[1] // 2]
    assert freqs[middle.argmax()] == pytest.approx(440.0, rel=0.04)  # the nearest analysis frequency
    assert middle.max() == pytest.approx(0.5, rel=0.01)  # tone() has amplitude 0.5


def test_the_scalogram_of_a_chirp_rises():
    S, freqs = wavelets.scalogram(chirp(), sr=SR)
    dominant = freqs[S.argmax(axis=0)][2:-2]  # away from the edges
    assert np.corrcoef(np.arange(len(dominant)), np.log(dominant))[0, 1] > 0.98
    assert dominant[:10].mean() < 200 and dominant[-10:].mean() > 2500


def test_high_frequencies_are_sharp_in_time_low_ones_are_not():
    click = np.zeros(SR, dtype=np.float32)
    click[SR // 2] = 1.0
    S, freqs = wavelets.scalogram(click, sr=SR, hop_length=16)
    width = (S >= S.max(axis=1, keepdims=True) / 2).sum(axis=1) * 16 / SR  # seconds above half the peak
    low, high = width[np.searchsorted(freqs, 100)], width[np.searchsorted(freqs, 5000)]
    # the Morlet envelope's half-height width is 2 sqrt(B ln 2) / f: 20 ms at 100 Hz, 0.4 ms at 5 kHz;
    # an STFT's time resolution is the same at every frequency
    assert low == pytest.approx(2 * np.sqrt(1.5 * np.log(2)) / 100, rel=0.1)
    assert low > 10 * high


def test_the_fast_morlet_path_agrees_with_pywavelets():
    y = chirp(1.0)
    freqs = wavelets.scalogram_frequencies(sr=SR, n_freqs=16, fmin=200, fmax=2000)
    fast = wavelets.scalogram(y, sr=SR, n_freqs=16, fmin=200, fmax=2000)[0]
    mother = pywt.ContinuousWavelet(wavelets.MORLET)
    reference = cwt._pool(cwt._pywt_magnitude(y, sr=SR, freqs=freqs, mother=mother), 512, fast.shape[1])
    strong = reference > 0.1 * reference.max()
    ratio = fast[strong] / reference[strong]
    assert np.median(ratio) == pytest.approx(1.0, abs=0.02)
    assert np.percentile(np.abs(ratio - 1), 90) < 0.05


@pytest.mark.parametrize("wavelet", ["mexh", "morl", "shan1.5-1.0"])
def test_other_pywavelets_wavelets_find_the_sine(wavelet):
    S, freqs = wavelets.scalogram(sine(1000.0, 0.5), sr=SR, wavelet=wavelet, n_freqs=32)
    assert freqs[S[:, S.shape[1] // 2].argmax()] == pytest.approx(1000.0, rel=0.4)  # centre conventions differ
    assert 0.25 < S.max() < 0.6


def test_scalogram_db_and_image():
    S_db, _ = wavelets.scalogram_db(sine(440.0), sr=SR)
    assert S_db.max() == pytest.approx(20 * np.log10(0.5), abs=0.2)
    assert S_db.max() - S_db.min() <= 80.0 + 1e-3
    image = wavelets.scalogram_image(sine(440.0), sr=SR, size=32)
    assert image.shape == (32, 32, 3) and 0 <= image.min() and image.max() <= 1


def test_scalogram_rejects_bad_input():
    with pytest.raises(SignalError, match="mono"):
        wavelets.scalogram(np.zeros((2, SR), dtype=np.float32), sr=SR)
    with pytest.raises(SignalError, match="NaN"):
        wavelets.scalogram(np.full(SR, np.nan, dtype=np.float32), sr=SR)
    with pytest.raises(SignalError, match="shorter than one analysis window"):
        wavelets.scalogram(np.zeros(100, dtype=np.float32), sr=SR)
    with pytest.raises(ConfigError, match="sr must be"):
        wavelets.scalogram(sine(440.0), sr=0)
    with pytest.raises(ConfigError, match="not a PyWavelets continuous wavelet"):
        wavelets.scalogram(sine(440.0), sr=SR, wavelet="db4")
    with pytest.raises(ConfigError, match="fmax"):
        wavelets.scalogram(sine(440.0), sr=SR, fmax=20000)


def test_dwt_energy_of_a_low_sine_is_in_the_approximation_band():
    row = wavelets.dwt_features(sine(50.0), level=6)
    assert list(row) == wavelets.dwt_columns(6)
    energies = {k: v for k, v in row.items() if k.endswith("_energy")}
    assert sum(energies.values()) == pytest.approx(1.0)
    assert row["cA6_energy"] > 0.95  # 50 Hz < 22050 / 2^7 = 172 Hz


def test_dwt_energy_follows_the_frequency_into_its_band():
    bands = wavelets.dwt_bands(sr=SR, level=6).set_index("band")
    for freq, band in [(250.0, "cD6"), (1000.0, "cD4"), (8000.0, "cD1")]:
        assert bands.loc[band, "fmin"] < freq < bands.loc[band, "fmax"]
        row = wavelets.dwt_features(sine(freq), level=6)
        energies = {k.split("_")[0]: v for k, v in row.items() if k.endswith("_energy")}
        assert max(energies, key=energies.get) == band


def test_dwt_of_silence_is_zero_and_bad_options_are_errors():
    assert not any(wavelets.dwt_features(np.zeros(4096, dtype=np.float32)).values())
    with pytest.raises(ConfigError, match="level=12 is too deep"):
        wavelets.dwt_features(sine(50.0, 0.1), level=12)
    with pytest.raises(ConfigError, match="discrete wavelet"):
        wavelets.dwt_features(sine(50.0), wavelet="morl")
    with pytest.raises(SignalError, match="mono"):
        wavelets.dwt_features(np.zeros((SR, 2), dtype=np.float32))


@pytest.fixture
def collection(tmp_path):
    return load_dataset(make_collection(tmp_path / "songs", per_label=2, seconds=2.0))


def test_dwt_table_and_segment_scalograms(collection):
    table = wavelets.dwt_table(collection, segment_seconds=1.0, n_jobs=1)
    assert list(table.columns) == ["track_id", "label", "segment", *wavelets.dwt_columns(6)]
    assert len(table) == 8 and table["segment"].tolist()[:2] == [0, 1]
    # make_collection's tones are 220-225 Hz (cD6) and 440-445 Hz (cD5)
    assert (table.loc[table["label"] == "blues", "cD6_energy"] > 0.5).all()
    assert (table.loc[table["label"] == "rock", "cD5_energy"] > 0.5).all()
    X, segments = wavelets.segment_scalograms(collection, segment_seconds=1.0, n_freqs=32, n_jobs=1)
    assert X.shape == (8, 32, 1 + SR // 512) and X.dtype == np.float32
    assert segments[["track_id", "segment"]].equals(table[["track_id", "segment"]])


def test_segment_scalograms_loop_tracks_shorter_than_a_segment(collection):
    X, segments = wavelets.segment_scalograms(collection, segment_seconds=3.0, n_freqs=16, n_jobs=1)
    assert X.shape == (4, 16, 130) and segments["segment"].tolist() == [0] * 4
    frame_level = X.max(axis=1)
    assert np.allclose(frame_level[:, 5:40].mean(axis=1), frame_level[:, 95:125].mean(axis=1), atol=1.0)
