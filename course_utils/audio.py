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
MIN_SECONDS = 1.0
"""The shortest clip the data layer accepts. Every model whose window is longer (musicnn's 3 s, a
segment of 3 s) pads a shorter clip with :func:`pad_to_length`; YAMNet's window (0.975 s) is shorter."""
PADDINGS = ("loop", "silence")
SHORT_CLIP_PADDING = "loop"
"""How a clip shorter than a model's window is padded. Chosen by ``benchmarks/bench_short_clips.py``:
excerpts of 1.5-2.6 s of real files by artists the models never heard, classified by models trained on
whole clips of gtzan-mini, are recognised more often when looped than when padded with silence by the
musicnn model, and by the MFCC model on the excerpts of 8 genres (the README's table has the figures)."""


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
        detail = f"{type(err).__name__}: {err}" if str(err) else f"{type(err).__name__}, no decoder could read it"
        raise AudioFileError(path, f"does not decode as audio ({detail})") from err
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


def pad_to_length(y: np.ndarray, *, size: int, mode: str = SHORT_CLIP_PADDING) -> np.ndarray:
    """Extend a mono signal shorter than ``size`` samples to exactly ``size``; a longer one is returned as is.

    This is the course's one rule for clips shorter than a model's window: every model that needs
    more samples than a clip has (musicnn's 3-s patches, fixed-length segments) pads through here.

    Parameters
    ----------
    y : np.ndarray, shape (n,)
        Mono signal with at least one sample.
    size : int
        Samples wanted.
    mode : {"loop", "silence"}
        ``"loop"`` (the default) repeats the clip from its start until ``size`` samples are filled;
        ``"silence"`` appends zeros. ``benchmarks/bench_short_clips.py`` chose looping: on real
        excerpts by artists the models never heard (the figures are in the README's table), looping
        scores higher for musicnn embeddings + logistic regression at every length, and for MFCC
        statistics + logistic regression on the excerpts of 8 genres. Silence changes a clip's
        statistics (its loudness, its spread over time); a loop keeps them.

    Returns
    -------
    np.ndarray, shape (max(n, size),)
    """
    if mode not in PADDINGS:
        raise ConfigError(f"mode must be one of {PADDINGS}, got {mode!r}")
    y = np.asarray(y)
    if y.ndim != 1 or y.size == 0:
        raise ConfigError(f"pad_to_length expects a non-empty mono signal of shape (n,), got shape {y.shape}")
    if len(y) >= size:
        return y
    if mode == "loop":
        return np.resize(y, size)
    return np.pad(y, (0, size - len(y)))


def segment(
    y: np.ndarray, *, sr: int, seconds: float = 3.0, hop_seconds: float | None = None
) -> np.ndarray:
    """Cut a mono signal into windows of ``seconds``, every ``hop_seconds`` (default: no overlap).

    An incomplete window at the end is dropped, so every segment has the same length. A signal
    shorter than one window gives one window: the signal padded by :func:`pad_to_length`.

    Returns
    -------
    np.ndarray
        Shape ``(n_segments, round(seconds * sr))``; a view into ``y`` (a new array when padded).

    Raises
    ------
    ConfigError
        If ``y`` is not 1-D and non-empty, or the lengths are not positive.
    """
    if y.ndim != 1 or y.size == 0:
        raise ConfigError(f"segment expects a non-empty mono signal of shape (n,), got shape {y.shape}")
    hop_seconds = seconds if hop_seconds is None else hop_seconds
    if seconds <= 0 or hop_seconds <= 0:
        raise ConfigError(f"seconds and hop_seconds must be positive, got {seconds!r}, {hop_seconds!r}")
    width, hop = int(round(seconds * sr)), int(round(hop_seconds * sr))
    return librosa.util.frame(pad_to_length(y, size=width), frame_length=width, hop_length=hop, axis=0)


def segment_count(duration: float, *, seconds: float = 3.0, hop_seconds: float | None = None,
                  sr: int = DEFAULT_SR) -> int:
    """How many segments :func:`segment` cuts from ``duration`` seconds of audio (one for a shorter clip)."""
    hop_seconds = seconds if hop_seconds is None else hop_seconds
    n, width, hop = int(round(duration * sr)), int(round(seconds * sr)), int(round(hop_seconds * sr))
    if n <= 0:
        return 0
    return 1 if n < width else 1 + (n - width) // hop
