"""Load, resample, pad and segment audio signals.

Used in: book/01_audio_basics.ipynb and every chapter that reads audio.
"""

from __future__ import annotations

import os
import warnings

import librosa
import numpy as np

from course_utils.errors import AudioFileError, ConfigError

DEFAULT_SR = 22050


def load_audio(
    path: str | os.PathLike,
    *,
    sr: int | None = DEFAULT_SR,
    mono: bool = True,
    offset: float = 0.0,
    duration: float | None = None,
) -> np.ndarray:
    """Read an audio file as float32 samples in [-1, 1].

    Parameters
    ----------
    path : path-like
        Any format that libsndfile (wav, au, flac, ogg, mp3) or audioread decodes.
    sr : int or None
        Target sample rate; the file is resampled (soxr, high quality) when it differs.
        ``None`` keeps the file's own rate.
    mono : bool
        Average the channels of a multi-channel file (the documented conversion for stereo).
    offset, duration : float
        Start and length in seconds of the excerpt to read (``duration=None``: to the end).

    Returns
    -------
    np.ndarray
        Shape ``(n,)`` when ``mono``, else ``(channels, n)``.

    Raises
    ------
    AudioFileError
        If the file is missing, does not decode, is empty or holds non-finite samples.
    """
    if sr is not None and (not isinstance(sr, (int, np.integer)) or sr <= 0):
        raise ConfigError(f"sr must be a positive integer or None, got {sr!r}")
    if not os.path.isfile(path):
        raise AudioFileError(path, "no such file")
    try:
        with warnings.catch_warnings():
            # librosa warns before falling back to audioread; a failure of both raises below.
            warnings.filterwarnings("ignore", message="PySoundFile failed")
            warnings.filterwarnings("ignore", category=FutureWarning)
            y, _ = librosa.load(path, sr=sr, mono=mono, offset=offset, duration=duration)
    except librosa.util.exceptions.ParameterError as err:  # raised for NaN/inf samples
        raise AudioFileError(path, f"holds NaN or infinite samples ({err})") from err
    except Exception as err:  # librosa raises several unrelated types for undecodable files
        raise AudioFileError(path, f"does not decode as audio ({type(err).__name__}: {err})") from err
    if y.shape[-1] == 0:
        raise AudioFileError(path, "holds no samples (empty file, or offset past its end)")
    if not np.all(np.isfinite(y)):
        raise AudioFileError(path, "holds NaN or infinite samples")
    return y


def fix_duration(y: np.ndarray, *, sr: int, seconds: float) -> np.ndarray:
    """Trim or zero-pad the last axis of ``y`` to exactly ``seconds`` (rounded to samples)."""
    if seconds <= 0:
        raise ConfigError(f"seconds must be positive, got {seconds!r}")
    return librosa.util.fix_length(y, size=int(round(seconds * sr)), axis=-1)


def segment(
    y: np.ndarray, *, sr: int, seconds: float = 3.0, hop_seconds: float | None = None
) -> np.ndarray:
    """Cut a mono signal into windows of ``seconds``, every ``hop_seconds`` (default: no overlap).

    An incomplete window at the end is dropped, so every segment has the same length.

    Returns
    -------
    np.ndarray
        Shape ``(n_segments, round(seconds * sr))``; a view into ``y``.

    Raises
    ------
    ConfigError
        If ``y`` is not 1-D, the lengths are not positive, or ``y`` is shorter than one window.
    """
    if y.ndim != 1:
        raise ConfigError(f"segment expects a mono signal of shape (n,), got shape {y.shape}")
    hop_seconds = seconds if hop_seconds is None else hop_seconds
    if seconds <= 0 or hop_seconds <= 0:
        raise ConfigError(f"seconds and hop_seconds must be positive, got {seconds!r}, {hop_seconds!r}")
    width, hop = int(round(seconds * sr)), int(round(hop_seconds * sr))
    if len(y) < width:
        raise ConfigError(
            f"the signal lasts {len(y) / sr:.2f} s, shorter than one {seconds} s segment"
        )
    return librosa.util.frame(y, frame_length=width, hop_length=hop, axis=0)


def segment_count(duration: float, *, seconds: float = 3.0, hop_seconds: float | None = None,
                  sr: int = DEFAULT_SR) -> int:
    """How many whole segments :func:`segment` cuts from ``duration`` seconds of audio."""
    hop_seconds = seconds if hop_seconds is None else hop_seconds
    n, width, hop = int(round(duration * sr)), int(round(seconds * sr)), int(round(hop_seconds * sr))
    return 0 if n < width else 1 + (n - width) // hop
