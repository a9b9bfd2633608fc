"""The feature row of one clip: 57 summary statistics in the layout of the Kaggle GTZAN table.

Mean and variance over frames of chroma, RMS, spectral centroid, bandwidth and roll-off,
zero-crossing rate, the harmonic and percussive waveforms and 20 MFCCs, plus a tempo estimate,
named as in ``features_30_sec.csv``. One STFT feeds every spectral feature; the centroid,
bandwidth and zero-crossing rate are computed in one pass each and give librosa's numbers.

Used in: book/04_mfcc_and_features.ipynb (through :func:`course_utils.features.feature_table`).
"""

from __future__ import annotations

import warnings

import librosa
import numpy as np

from course_utils.audio import DEFAULT_SR
from course_utils.features.checks import check_positive, check_signal, check_sr
from course_utils.features.hpss import harmonic_percussive
from course_utils.features.spectral import PAD_MODE

SPECTRAL_NAMES = ("chroma_stft", "rms", "spectral_centroid", "spectral_bandwidth", "rolloff",
                  "zero_crossing_rate", "harmony", "perceptr")


def feature_columns(n_mfcc: int = 20) -> list[str]:
    """Names of the feature columns, in the order of the Kaggle table."""
    names = [f"{base}_{stat}" for base in SPECTRAL_NAMES for stat in ("mean", "var")]
    names.append("tempo")
    names += [f"mfcc{i}_{stat}" for i in range(1, n_mfcc + 1) for stat in ("mean", "var")]
    return names


def clip_features(y: np.ndarray, *, sr: int = DEFAULT_SR, n_fft: int = 2048, hop_length: int = 512,
                  n_mfcc: int = 20, pad_mode: str = PAD_MODE) -> dict[str, float]:
    """The feature row of one clip (or segment): mean and variance over frames, and the tempo.

    One STFT is shared by every spectral feature; the tempo (beats per minute, 0 for a clip
    without onsets) comes from the onset strength of the log-mel spectrogram, as in
    ``librosa.beat.beat_track``.

    Parameters
    ----------
    y : np.ndarray, shape (n,)
        Mono signal, at least ``n_fft`` samples.

    Returns
    -------
    dict
        ``{column: value}`` in the order of :func:`feature_columns`.
    """
    check_positive("n_fft", n_fft)
    check_positive("hop_length", hop_length)
    check_positive("n_mfcc", n_mfcc)
    y, sr = check_signal(y, min_samples=n_fft), check_sr(sr)
    D = librosa.stft(y, n_fft=n_fft, hop_length=hop_length, pad_mode=pad_mode)
    S = np.abs(D)
    power = S ** 2
    centroid, bandwidth = centroid_bandwidth(S, sr=sr, n_fft=n_fft)
    y_harmonic, y_percussive = harmonic_percussive(y, D=D, n_fft=n_fft, hop_length=hop_length)
    series = {
        "chroma_stft": _chroma_quietly(power, sr=sr, n_fft=n_fft),
        "rms": librosa.feature.rms(y=y, frame_length=n_fft, hop_length=hop_length, pad_mode=pad_mode),
        "spectral_centroid": centroid,
        "spectral_bandwidth": bandwidth,
        "rolloff": librosa.feature.spectral_rolloff(S=S, sr=sr, n_fft=n_fft),
        "zero_crossing_rate": zero_crossing_rate(y, frame_length=n_fft, hop_length=hop_length),
        "harmony": y_harmonic,
        "perceptr": y_percussive,
    }
    row = {}
    for base, values in series.items():
        row[f"{base}_mean"], row[f"{base}_var"] = float(np.mean(values)), float(np.var(values))
    S_db = librosa.power_to_db(librosa.feature.melspectrogram(S=power, sr=sr))
    onset_env = librosa.onset.onset_strength(S=S_db, sr=sr, hop_length=hop_length, aggregate=np.median)
    row["tempo"] = float(librosa.feature.tempo(onset_envelope=onset_env, sr=sr, hop_length=hop_length)[0]) \
        if onset_env.any() else 0.0
    coefficients = librosa.feature.mfcc(S=S_db, n_mfcc=n_mfcc)
    for i, c in enumerate(coefficients, start=1):
        row[f"mfcc{i}_mean"], row[f"mfcc{i}_var"] = float(np.mean(c)), float(np.var(c))
    return row


def _chroma_quietly(power: np.ndarray, *, sr: int, n_fft: int) -> np.ndarray:
    """``chroma_stft`` without the tuning warning that every silent clip or segment raises."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Trying to estimate tuning from empty frequency set")
        return librosa.feature.chroma_stft(S=power, sr=sr, n_fft=n_fft)


def centroid_bandwidth(S: np.ndarray, *, sr: int, n_fft: int) -> tuple[np.ndarray, np.ndarray]:
    """Spectral centroid and bandwidth (order 2) of a magnitude spectrogram, in Hz, in one pass.

    The numbers of ``librosa.feature.spectral_centroid`` and ``spectral_bandwidth``: the mean and
    standard deviation of frequency, weighted by each frame's magnitudes (0 for a silent frame).

    Returns
    -------
    centroid, bandwidth : np.ndarray, shape (1, frames)
    """
    freq = librosa.fft_frequencies(sr=sr, n_fft=n_fft)
    S = S.astype(np.float64)
    total = S.sum(axis=0)
    total[total <= 0] = 1.0
    centroid = freq @ S / total
    spread = (freq ** 2) @ S / total - centroid ** 2
    return centroid[None, :], np.sqrt(np.maximum(spread, 0.0))[None, :]


def zero_crossing_rate(y: np.ndarray, *, frame_length: int = 2048, hop_length: int = 512) -> np.ndarray:
    """Fraction of sign changes between neighbouring samples in each centred frame.

    The numbers of ``librosa.feature.zero_crossing_rate`` (edges padded by repeating the end
    samples, a value within 1e-10 of zero counting as positive), counted once per sample
    with a cumulative sum instead of once per frame.

    Returns
    -------
    np.ndarray, shape (1, 1 + n // hop_length)
    """
    padded = np.pad(y, frame_length // 2, mode="edge")
    negative = np.signbit(np.where(np.abs(padded) <= 1e-10, 0.0, padded))
    counts = np.concatenate([[0], np.cumsum(negative[1:] != negative[:-1])])
    starts = np.arange(1 + len(y) // hop_length) * hop_length
    return ((counts[starts + frame_length - 1] - counts[starts]) / frame_length)[None, :]
