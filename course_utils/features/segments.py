"""Model inputs: one time-frequency matrix per segment of every track, cached on disk.

The CNN and recurrent chapters read their inputs from here, so every model sees segments cut
and transformed the same way, with the table that says which track each segment comes from.

Used in: book/02_spectrograms.ipynb, book/08_cnn.ipynb, book/09_recurrent.ipynb.
"""

from __future__ import annotations

from typing import Callable

import librosa
import numpy as np
import pandas as pd

from course_utils.audio import DEFAULT_SR, load_audio
from course_utils.cache import map_files, stack_files
from course_utils.errors import ConfigError
from course_utils.features.checks import check_positive, check_sr, tracks_of
from course_utils.features.spectral import PAD_MODE, TOP_DB
from course_utils.features.table import check_segmenting, clip_pieces, rows_per_piece

KINDS = ("log_mel", "mfcc")
SEGMENTS_VERSION = 2   # 2: a clip shorter than a segment gives one looped segment


def segment_arrays(dataset, func: Callable[..., dict], *, name: str, params: dict, segment_seconds: float,
                   hop_seconds: float | None, n_jobs: int | None, cache: bool,
                   desc: str) -> tuple[np.ndarray, pd.DataFrame]:
    """Run ``func(path, segment_seconds=, hop_seconds=, **params)`` on every file and stack the results.

    ``func`` returns ``{"value": array (n_segments, ...)}`` for one file.

    Returns
    -------
    X : np.ndarray, shape (total segments, ...)
    table : pd.DataFrame
        ``track_id, label, segment, start, end`` (seconds), row ``i`` describing ``X[i]``.
    """
    tracks = tracks_of(dataset)
    check_positive("segment_seconds", segment_seconds, integer=False)
    check_segmenting(segment_seconds, hop_seconds)
    params = dict(params, segment_seconds=segment_seconds, hop_seconds=hop_seconds)
    if cache:  # the segments are held once: read from the cache into one array
        X, counts = stack_files(func, tracks["path"], name=name, params=params, n_jobs=n_jobs, desc=desc)
    else:
        arrays = [r["value"] for r in map_files(func, tracks["path"], name=name, params=params, n_jobs=n_jobs,
                                                 cache=False, desc=desc)]
        X, counts = np.concatenate(arrays), [len(a) for a in arrays]
    table = rows_per_piece(tracks, counts)
    table["start"] = table["segment"] * (hop_seconds or segment_seconds)
    table["end"] = table["start"] + segment_seconds
    return X, table


def _file_matrices(path: str, *, kind: str, sr: int, segment_seconds: float, hop_seconds: float | None,
                   n_fft: int, hop_length: int, n_mels: int, n_mfcc: int) -> dict[str, np.ndarray]:
    y = load_audio(path, sr=sr)
    pieces = clip_pieces(y, sr=sr, segment_seconds=segment_seconds, hop_seconds=hop_seconds)
    mel = librosa.feature.melspectrogram(y=pieces, sr=sr, n_fft=n_fft, hop_length=hop_length,
                                         n_mels=n_mels, pad_mode=PAD_MODE)
    S_db = librosa.power_to_db(mel, ref=1.0, top_db=None)
    S_db = np.maximum(S_db, S_db.max(axis=(-2, -1), keepdims=True) - TOP_DB)  # top_db per segment, as log_mel
    value = S_db if kind == "log_mel" else librosa.feature.mfcc(S=S_db, n_mfcc=n_mfcc)
    return {"value": value.astype(np.float32)}


def segment_spectrograms(dataset, *, kind: str = "log_mel", segment_seconds: float = 3.0,
                         hop_seconds: float | None = None, sr: int = DEFAULT_SR, n_fft: int = 2048,
                         hop_length: int = 512, n_mels: int = 128, n_mfcc: int = 20,
                         n_jobs: int | None = None, cache: bool = True) -> tuple[np.ndarray, pd.DataFrame]:
    """Log-mel spectrograms (dB) or MFCCs of every whole segment of every track.

    Each segment is transformed on its own (as :func:`course_utils.features.log_mel` /
    :func:`~course_utils.features.mfcc` would do on it), so no information crosses segment borders.
    A clip shorter than one segment gives one segment, the clip looped to fill it
    (:func:`course_utils.audio.pad_to_length`).

    Parameters
    ----------
    dataset : Dataset or pd.DataFrame
    kind : {"log_mel", "mfcc"}
    segment_seconds, hop_seconds : float
        Segment length and distance between segment starts (default: no overlap).

    Returns
    -------
    X : np.ndarray, float32, shape (n_segments, n_mels or n_mfcc, 1 + segment samples // hop_length)
        For 3-s segments at 22050 Hz with ``hop_length=512``: 130 frames.
    table : pd.DataFrame
        ``track_id, label, segment, start, end``; row ``i`` describes ``X[i]``.
    """
    if kind not in KINDS:
        raise ConfigError(f"kind must be one of {KINDS}, got {kind!r}")
    if kind == "mfcc" and n_mfcc > n_mels:
        raise ConfigError(f"n_mfcc={n_mfcc} cannot exceed n_mels={n_mels} (MFCCs are a transform of the mel bands)")
    params = dict(kind=kind, sr=check_sr(sr), n_fft=check_positive("n_fft", n_fft),
                  hop_length=check_positive("hop_length", hop_length), n_mels=check_positive("n_mels", n_mels),
                  n_mfcc=check_positive("n_mfcc", n_mfcc))
    return segment_arrays(dataset, _file_matrices, name=f"segment_spectrograms-v{SEGMENTS_VERSION}",
                          params=params, segment_seconds=segment_seconds, hop_seconds=hop_seconds,
                          n_jobs=n_jobs, cache=cache, desc=f"{kind} segments")
