"""Time-frequency representations of one clip: STFT, mel, log-mel, MFCC, chroma, CQT, images.

Thin, checked wrappers around librosa (McFee et al. 2015) with librosa's argument names. Frames
are centred (``center=True``), so a signal of ``n`` samples gives ``1 + n // hop_length`` frames.
The edges are padded by reflection (:data:`PAD_MODE`), librosa's default before version 0.10,
with which the published GTZAN feature table was computed.

Used in: book/02_spectrograms.ipynb, book/04_mfcc_and_features.ipynb.
"""

from __future__ import annotations

import numbers

import librosa
import matplotlib
import numpy as np
from PIL import Image

from course_utils.audio import DEFAULT_SR
from course_utils.errors import ConfigError
from course_utils.features.checks import SignalError, check_fmax, check_positive, check_signal, check_sr

PAD_MODE = "reflect"
TOP_DB = 80.0


def _checked(y, sr, n_fft: int, hop_length: int) -> tuple[np.ndarray, int]:
    check_positive("n_fft", n_fft)
    check_positive("hop_length", hop_length)
    return check_signal(y, min_samples=n_fft), check_sr(sr)


def stft(y: np.ndarray, *, n_fft: int = 2048, hop_length: int = 512, window: str = "hann",
         pad_mode: str = PAD_MODE) -> np.ndarray:
    """Short-time Fourier transform of a mono signal.

    Parameters
    ----------
    y : np.ndarray, shape (n,)
    n_fft : int
        Window length in samples; bin ``k`` is at ``k * sr / n_fft`` Hz, ``k = 0 .. n_fft // 2``.
    hop_length : int
        Samples between the starts of successive frames.

    Returns
    -------
    np.ndarray, complex, shape (1 + n_fft // 2, 1 + n // hop_length)
    """
    y, _ = _checked(y, DEFAULT_SR, n_fft, hop_length)
    return librosa.stft(y, n_fft=n_fft, hop_length=hop_length, window=window, pad_mode=pad_mode)


def melspectrogram(y: np.ndarray, *, sr: int, n_fft: int = 2048, hop_length: int = 512,
                   n_mels: int = 128, fmin: float = 0.0, fmax: float | None = None,
                   power: float = 2.0, pad_mode: str = PAD_MODE) -> np.ndarray:
    """Mel spectrogram: the power spectrogram summed by ``n_mels`` triangular mel filters.

    Returns
    -------
    np.ndarray, shape (n_mels, 1 + n // hop_length)
        Power (``power=2``) or magnitude (``power=1``) per mel band and frame.
    """
    y, sr = _checked(y, sr, n_fft, hop_length)
    check_positive("n_mels", n_mels)
    fmax = check_fmax(fmax, sr=sr)
    if not 0 <= fmin < fmax:
        raise ConfigError(f"fmin={fmin!r} Hz must lie in [0, fmax={fmax:g}) Hz")
    return librosa.feature.melspectrogram(y=y, sr=sr, n_fft=n_fft, hop_length=hop_length, n_mels=n_mels,
                                          fmin=fmin, fmax=fmax, power=power, pad_mode=pad_mode)


def log_mel(y: np.ndarray, *, sr: int, n_fft: int = 2048, hop_length: int = 512, n_mels: int = 128,
            fmin: float = 0.0, fmax: float | None = None, top_db: float | None = TOP_DB,
            pad_mode: str = PAD_MODE) -> np.ndarray:
    """Log-mel spectrogram in dB relative to a power of 1 (a full-scale sine is about -3 dB).

    The reference is fixed, not the clip's maximum, so quiet and loud clips keep their difference;
    values more than ``top_db`` below the clip's peak are clipped.

    Returns
    -------
    np.ndarray, shape (n_mels, 1 + n // hop_length)
    """
    mel = melspectrogram(y, sr=sr, n_fft=n_fft, hop_length=hop_length, n_mels=n_mels, fmin=fmin,
                         fmax=fmax, pad_mode=pad_mode)
    return librosa.power_to_db(mel, ref=1.0, top_db=top_db)


def mfcc(y: np.ndarray, *, sr: int, n_mfcc: int = 20, n_fft: int = 2048, hop_length: int = 512,
         n_mels: int = 128, fmax: float | None = None, pad_mode: str = PAD_MODE) -> np.ndarray:
    """Mel-frequency cepstral coefficients: the DCT (type II, orthonormal) of the log-mel spectrogram.

    Returns
    -------
    np.ndarray, shape (n_mfcc, 1 + n // hop_length)
    """
    check_positive("n_mfcc", n_mfcc)
    if n_mfcc > n_mels:
        raise ConfigError(f"n_mfcc={n_mfcc} cannot exceed n_mels={n_mels}")
    S_db = log_mel(y, sr=sr, n_fft=n_fft, hop_length=hop_length, n_mels=n_mels, fmax=fmax, pad_mode=pad_mode)
    return librosa.feature.mfcc(S=S_db, n_mfcc=n_mfcc)


def chroma(y: np.ndarray, *, sr: int, n_fft: int = 2048, hop_length: int = 512,
           tuning: float | None = None, pad_mode: str = PAD_MODE) -> np.ndarray:
    """Chromagram: the energy of the 12 pitch classes (C, C#, ..., B) per frame, peak-normalised.

    ``tuning=None`` estimates the deviation from A440 tuning from the clip itself.

    Returns
    -------
    np.ndarray, shape (12, 1 + n // hop_length), values in [0, 1]
    """
    y, sr = _checked(y, sr, n_fft, hop_length)
    return librosa.feature.chroma_stft(y=y, sr=sr, n_fft=n_fft, hop_length=hop_length, tuning=tuning,
                                       pad_mode=pad_mode)


def cqt(y: np.ndarray, *, sr: int, hop_length: int = 512, fmin: float = librosa.note_to_hz("C1"),
        n_bins: int = 84, bins_per_octave: int = 12) -> np.ndarray:
    """Magnitude of the constant-Q transform: ``n_bins`` log-spaced bins from ``fmin``.

    Returns
    -------
    np.ndarray, shape (n_bins, 1 + n // hop_length)
    """
    y, sr = _checked(y, sr, hop_length, hop_length)
    try:
        C = librosa.cqt(y, sr=sr, hop_length=hop_length, fmin=fmin, n_bins=n_bins, bins_per_octave=bins_per_octave)
    except librosa.util.exceptions.ParameterError as err:
        raise ConfigError(f"cqt with n_bins={n_bins}, fmin={fmin:g} Hz at sr={sr}: {err}") from err
    return np.abs(C)


def spectrogram_image(S_db: np.ndarray, *, size: int | tuple[int, int] = 256, cmap: str | None = None) -> np.ndarray:
    """A spectrogram as the picture an image model sees: resized, scaled to [0, 1], three channels.

    Low frequencies are at the bottom row (as in a plot). Each image is scaled by its own minimum
    and maximum, so the absolute level is lost; resizing changes the time and frequency scales.

    Parameters
    ----------
    S_db : np.ndarray, shape (bins, frames) or (n, bins, frames)
        Spectrograms in dB (or any real values).
    size : int or (height, width)
        Output size in pixels.
    cmap : str, optional
        A matplotlib colour map (e.g. ``"magma"``) for colour images; ``None`` repeats the grey
        image in the three channels.

    Returns
    -------
    np.ndarray, float32, shape (height, width, 3) or (n, height, width, 3)
    """
    S_db = np.asarray(S_db, dtype=np.float32)
    if S_db.ndim == 3:
        images = [spectrogram_image(s, size=size, cmap=cmap) for s in S_db]
        return np.stack(images) if images else np.zeros((0, *_image_shape(size), 3), np.float32)
    if S_db.ndim != 2 or min(S_db.shape) < 1:
        raise SignalError(f"S_db must have shape (bins, frames) or (n, bins, frames), got {S_db.shape}")
    if not np.all(np.isfinite(S_db)):
        raise SignalError("S_db holds NaN or infinite values; convert to dB with a floor (amin) first")
    height, width = _image_shape(size)
    picture = Image.fromarray(np.ascontiguousarray(S_db[::-1])).resize((width, height), Image.Resampling.BILINEAR)
    grey = np.asarray(picture, dtype=np.float32)
    span = grey.max() - grey.min()
    grey = (grey - grey.min()) / span if span > 0 else np.zeros_like(grey)
    if cmap is None:
        return np.repeat(grey[..., None], 3, axis=-1)
    return matplotlib.colormaps[cmap](grey)[..., :3].astype(np.float32)


def _image_shape(size) -> tuple[int, int]:
    height, width = (size, size) if isinstance(size, numbers.Integral) else tuple(size)
    return int(check_positive("size", height)), int(check_positive("size", width))
