"""Harmonic-percussive separation by median filtering, fast and exactly as librosa computes it.

Harmonic sounds are steady in time (horizontal lines in a spectrogram), percussive sounds are
short and broadband (vertical lines). A median across time keeps the first, a median across
frequency the second; soft masks split the STFT between them (FitzGerald 2010). librosa's
``effects.hpss`` does this with ``scipy.ndimage.median_filter``, which takes seconds per 30-s
clip; the running median here keeps a sorted window and gives the same numbers over ten times
faster.

Used in: book/04_mfcc_and_features.ipynb (through :func:`course_utils.features.feature_table`).
"""

from __future__ import annotations

import librosa
import numba
import numpy as np
import scipy.ndimage

from course_utils.errors import ConfigError
from course_utils.features.checks import check_positive


@numba.njit(cache=True)
def _running_median_rows(padded, width):  # pragma: no cover - compiled
    """Median of each ``width``-long run along the rows of ``padded`` (rows already padded by ``width // 2``).

    The window is kept sorted; ``slot_of`` remembers where each of its ``width`` entries sits, so the
    entry that leaves is found without a search and the one that enters replaces it by insertion.
    """
    half = width // 2
    n_rows, n = padded.shape[0], padded.shape[1] - 2 * half
    out = np.empty((n_rows, n), dtype=padded.dtype)
    window = np.empty(width, dtype=padded.dtype)
    entry_in = np.empty(width, dtype=np.int64)  # entry_in[slot]: which window entry is in that slot
    slot_of = np.empty(width, dtype=np.int64)  # slot_of[entry]: the slot of that entry
    for r in range(n_rows):
        row = padded[r]
        order = np.argsort(row[:width], kind="mergesort")
        for slot in range(width):
            window[slot], entry_in[slot], slot_of[order[slot]] = row[order[slot]], order[slot], slot
        out[r, 0] = window[half]
        for j in range(1, n):
            entry = (j - 1) % width  # the entry that leaves is the one that enters, with a new value
            new = row[j + width - 1]
            k = slot_of[entry]
            while k + 1 < width and window[k + 1] < new:  # move larger values down past the new one
                window[k], entry_in[k] = window[k + 1], entry_in[k + 1]
                slot_of[entry_in[k]] = k
                k += 1
            while k > 0 and window[k - 1] > new:  # or smaller values up
                window[k], entry_in[k] = window[k - 1], entry_in[k - 1]
                slot_of[entry_in[k]] = k
                k -= 1
            window[k], entry_in[k], slot_of[entry] = new, entry, k
            out[r, j] = window[half]
    return out


def median_filter(S: np.ndarray, *, size: int, axis: int) -> np.ndarray:
    """Running median of ``size`` values along ``axis`` of a 2-D array, edges mirrored.

    Equal to ``scipy.ndimage.median_filter(S, size=..., mode="reflect")`` with a footprint that
    is ``size`` long along ``axis`` and 1 along the other axis.

    Parameters
    ----------
    S : np.ndarray, shape (bins, frames), real
    size : int
        Odd window length.
    axis : {0, 1, -1, -2}

    Returns
    -------
    np.ndarray, same shape and dtype as ``S``
    """
    check_positive("size", size)
    if size % 2 == 0:
        raise ConfigError(f"size must be odd (a window centred on each value), got {size}")
    S = np.asarray(S)
    if S.ndim != 2:
        raise ConfigError(f"median_filter expects a 2-D array, got shape {S.shape}")
    if S.shape[axis] <= size // 2:  # shorter than half a window: mirroring repeats, leave it to scipy
        footprint = [1, 1]
        footprint[axis] = size
        return scipy.ndimage.median_filter(S, size=footprint, mode="reflect")
    rows = S.T if axis in (0, -2) else S
    padded = np.pad(rows, ((0, 0), (size // 2, size // 2)), mode="symmetric")  # = scipy's "reflect"
    out = _running_median_rows(np.ascontiguousarray(padded), size)
    return np.ascontiguousarray(out.T) if axis in (0, -2) else out


def harmonic_percussive(y: np.ndarray, *, D: np.ndarray | None = None, n_fft: int = 2048,
                        hop_length: int = 512, kernel_size: int = 31,
                        pad_mode: str = "reflect") -> tuple[np.ndarray, np.ndarray]:
    """Split a signal into harmonic and percussive waveforms that add up to it.

    The same result as ``librosa.effects.hpss`` (margin 1, soft masks with power 2), to within
    float rounding: the two masks add up to one, so the percussive part is ``y`` minus the
    harmonic part, which saves one inverse STFT.

    Parameters
    ----------
    y : np.ndarray, shape (n,)
    D : np.ndarray, complex, shape (1 + n_fft // 2, frames), optional
        ``librosa.stft(y, n_fft=n_fft, hop_length=hop_length, pad_mode=pad_mode)`` if already computed.
    kernel_size : int
        Length (frames and bins) of both median filters.

    Returns
    -------
    y_harmonic, y_percussive : np.ndarray, shape (n,)
    """
    if D is None:
        D = librosa.stft(y, n_fft=n_fft, hop_length=hop_length, pad_mode=pad_mode)
    S = np.abs(D)
    harmonic = median_filter(S, size=kernel_size, axis=-1)
    percussive = median_filter(S, size=kernel_size, axis=-2)
    mask = librosa.util.softmask(harmonic, percussive, power=2.0, split_zeros=True)
    y_harmonic = librosa.istft(D * mask, n_fft=n_fft, hop_length=hop_length, length=len(y), dtype=y.dtype)
    return y_harmonic, y - y_harmonic
