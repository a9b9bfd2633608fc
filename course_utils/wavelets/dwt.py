"""Discrete wavelet transform: octave sub-bands and their statistics, per clip and for a data set.

Used in: book/03_wavelets.ipynb.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pywt

from course_utils.audio import DEFAULT_SR, load_audio
from course_utils.cache import map_files
from course_utils.errors import ConfigError
from course_utils.features.checks import check_positive, check_signal, check_sr, tracks_of
from course_utils.features.table import check_segmenting, clip_pieces, rows_per_piece

DWT_VERSION = 2   # 2: a clip shorter than a segment gives one looped segment


def dwt_bands(*, sr: int = DEFAULT_SR, level: int = 6) -> pd.DataFrame:
    """The frequency range (Hz) of each DWT sub-band: ``cA<level>`` (lowest), ``cD<level>`` ... ``cD1`` (highest).

    Each detail band ``cDj`` covers roughly ``[sr / 2^(j+1), sr / 2^j]``; the approximation covers
    everything below ``sr / 2^(level+1)``. The filters are not ideal, so bands overlap a little.
    """
    sr = check_sr(sr)
    check_positive("level", level)
    rows = [{"band": f"cA{level}", "fmin": 0.0, "fmax": sr / 2 ** (level + 1)}]
    rows += [{"band": f"cD{j}", "fmin": sr / 2 ** (j + 1), "fmax": sr / 2 ** j} for j in range(level, 0, -1)]
    return pd.DataFrame(rows)


def dwt_columns(level: int = 6) -> list[str]:
    """Column names of :func:`dwt_features`, lowest band first."""
    return [f"{band}_{stat}" for band in dwt_bands(level=level)["band"] for stat in ("energy", "mean_abs", "std")]


def dwt_features(y: np.ndarray, *, wavelet: str = "db4", level: int = 6) -> dict[str, float]:
    """Sub-band statistics of the discrete wavelet transform, ``wavedec(y, wavelet, level)``.

    For each band (see :func:`dwt_bands`): ``<band>_energy``, its share of the total energy (the
    shares sum to 1; all 0 for silence), ``<band>_mean_abs`` and ``<band>_std`` of its coefficients.

    Returns
    -------
    dict
        ``3 * (level + 1)`` values, lowest band first.
    """
    y = check_signal(y)
    check_positive("level", level)
    if wavelet not in pywt.wavelist(kind="discrete"):
        raise ConfigError(f"wavelet={wavelet!r} is not a PyWavelets discrete wavelet (e.g. 'db4', 'haar', 'sym5')")
    deepest = pywt.dwt_max_level(len(y), pywt.Wavelet(wavelet).dec_len)
    if level > deepest:
        raise ConfigError(f"level={level} is too deep for {len(y)} samples with {wavelet}; at most {deepest}")
    bands = pywt.wavedec(y.astype(np.float64), wavelet, level=level)
    names = dwt_bands(level=level)["band"]
    energies = np.array([np.sum(c ** 2) for c in bands])
    shares = energies / energies.sum() if energies.sum() > 0 else np.zeros_like(energies)
    row = {}
    for name, coefficients, share in zip(names, bands, shares):
        row[f"{name}_energy"] = float(share)
        row[f"{name}_mean_abs"] = float(np.mean(np.abs(coefficients)))
        row[f"{name}_std"] = float(np.std(coefficients))
    return row


def _file_dwt_rows(path: str, *, sr: int, segment_seconds: float | None, hop_seconds: float | None,
                   wavelet: str, level: int) -> dict[str, np.ndarray]:
    y = load_audio(path, sr=sr)
    pieces = clip_pieces(y, sr=sr, segment_seconds=segment_seconds, hop_seconds=hop_seconds)
    rows = [list(dwt_features(piece, wavelet=wavelet, level=level).values()) for piece in pieces]
    return {"value": np.array(rows, dtype=np.float64).reshape(len(pieces), 3 * (level + 1))}


def dwt_table(dataset, *, segment_seconds: float | None = None, hop_seconds: float | None = None,
              sr: int = DEFAULT_SR, wavelet: str = "db4", level: int = 6, n_jobs: int | None = None,
              cache: bool = True) -> pd.DataFrame:
    """:func:`dwt_features` for every track (or every whole segment), computed in parallel and cached.

    Returns
    -------
    pd.DataFrame
        ``track_id, label, segment`` and the ``3 * (level + 1)`` DWT columns.
    """
    tracks = tracks_of(dataset)
    check_segmenting(segment_seconds, hop_seconds)
    params = dict(sr=check_sr(sr), segment_seconds=segment_seconds, hop_seconds=hop_seconds,
                  wavelet=wavelet, level=check_positive("level", level))
    results = map_files(_file_dwt_rows, tracks["path"], name=f"dwt_table-v{DWT_VERSION}", params=params,
                        n_jobs=n_jobs, cache=cache, desc="DWT features")
    keys = rows_per_piece(tracks, [len(r["value"]) for r in results])
    columns = dwt_columns(level)
    values = pd.DataFrame(np.concatenate([r["value"] for r in results]), columns=columns)
    return pd.concat([keys, values], axis=1)
