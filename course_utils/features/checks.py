"""Checks at the boundary of the feature functions: a signal, a sample rate, a data set.

Every bad input gets a :class:`SignalError` (or :class:`~course_utils.errors.ConfigError`)
that names the argument and says what was expected.

Used in: book/02_spectrograms.ipynb, book/03_wavelets.ipynb, book/04_mfcc_and_features.ipynb.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from course_utils.data import tracks_table
from course_utils.errors import ConfigError, CourseError

TRACK_KEYS = ("track_id", "label", "path")


class SignalError(CourseError, ValueError):
    """An audio signal given to a feature function has the wrong shape, type, length or values."""


def check_signal(y, *, min_samples: int = 1, name: str = "y") -> np.ndarray:
    """Return ``y`` as a finite, mono, floating-point array of at least ``min_samples`` samples.

    Parameters
    ----------
    y : array-like, shape (n,)
        Samples in [-1, 1]. A list is converted; float64 stays float64.
    min_samples : int
        Shortest accepted length, e.g. ``n_fft`` (one analysis window).
    name : str
        Argument name used in error messages.

    Raises
    ------
    SignalError
        If ``y`` is not 1-D (e.g. stereo), not floating point, holds NaN or infinity, or is
        shorter than ``min_samples``.
    """
    y = np.asarray(y)
    if y.ndim != 1:
        hint = (" (stereo? average the channels: y.mean(axis=0) for shape (channels, n), y.mean(axis=1) "
                "for (n, channels); course_utils.audio.load_audio does it by default)") if y.ndim == 2 else ""
        raise SignalError(f"{name} must be a mono signal of shape (n,), got shape {y.shape}{hint}")
    if not np.issubdtype(y.dtype, np.floating):
        raise SignalError(f"{name} must hold floating-point samples in [-1, 1], got dtype {y.dtype} "
                          "(integer PCM? divide by 32768 for 16-bit audio)")
    bad = int(np.count_nonzero(~np.isfinite(y)))
    if bad:
        raise SignalError(f"{name} holds {bad} NaN or infinite samples out of {y.size}; "
                          "repair or drop the clip before computing features")
    if y.size < min_samples:
        raise SignalError(f"{name} has {y.size} samples, shorter than one analysis window of "
                          f"{min_samples} samples; use a longer clip or a smaller n_fft")
    return y


def check_sr(sr) -> int:
    """Return ``sr`` as an int, or raise :class:`ConfigError` unless it is a positive whole number."""
    if isinstance(sr, bool) or not isinstance(sr, numbers.Real) or sr <= 0 or sr != int(sr):
        raise ConfigError(f"sr must be a positive whole number of samples per second (e.g. 22050), got {sr!r}")
    return int(sr)


def check_positive(name: str, value, *, integer: bool = True):
    """Return ``value`` unchanged, or raise :class:`ConfigError` unless it is positive (and whole)."""
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind) or value <= 0:
        expected = "a positive integer" if integer else "a positive number"
        raise ConfigError(f"{name} must be {expected}, got {value!r}")
    return value


def check_fmax(fmax: float | None, *, sr: int) -> float:
    """The highest analysed frequency: ``fmax``, or the Nyquist frequency ``sr / 2`` when None."""
    if fmax is None:
        return sr / 2
    if not 0 < fmax <= sr / 2:
        raise ConfigError(f"fmax={fmax!r} Hz must lie in (0, sr / 2 = {sr / 2:g}] Hz for sr={sr}")
    return float(fmax)


def tracks_of(data) -> pd.DataFrame:
    """The tracks table of a :class:`~course_utils.data.Dataset`, or ``data`` itself if it is one."""
    tracks = tracks_table(data, required=TRACK_KEYS)
    if tracks.empty:
        raise ConfigError("the tracks table is empty: there is nothing to compute")
    return tracks
