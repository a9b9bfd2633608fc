"""The handcrafted feature table of a data set: one row per track (or per segment).

The columns (:func:`~course_utils.features.clip.clip_features`) follow the Kaggle "GTZAN Dataset -
Music Genre Classification" table (``features_30_sec.csv``). With the defaults (librosa's,
reflection padding, 22050 Hz, whole clips) the values reproduce that table;
``tests/test_feature_table_real.py`` measures how closely. Computed per file in parallel and
cached on disk.

Used in: book/04_mfcc_and_features.ipynb, book/07_classical_ml.ipynb.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from course_utils.audio import DEFAULT_SR, load_audio, segment
from course_utils.cache import map_files
from course_utils.errors import ConfigError
from course_utils.features.checks import check_positive, check_sr, tracks_of
from course_utils.features.clip import clip_features, feature_columns
from course_utils.features.spectral import PAD_MODE

TABLE_VERSION = 2   # 2: a clip shorter than a segment gives one looped segment
PUBLISHED_TABLE = "features_30_sec.csv"
KEY_COLUMNS = ["track_id", "label", "segment", "length"]


def clip_pieces(y: np.ndarray, *, sr: int, segment_seconds: float | None,
                hop_seconds: float | None) -> np.ndarray:
    """The whole clip as one piece, or its whole segments (:func:`course_utils.audio.segment`: a clip
    shorter than one segment is looped to fill one); shape (n_pieces, samples)."""
    if segment_seconds is None:
        return y[None, :]
    return segment(y, sr=sr, seconds=segment_seconds, hop_seconds=hop_seconds)


def _file_rows(path: str, *, sr: int, segment_seconds: float | None, hop_seconds: float | None,
               n_fft: int, hop_length: int, n_mfcc: int, pad_mode: str) -> dict[str, np.ndarray]:
    y = load_audio(path, sr=sr)
    pieces = clip_pieces(y, sr=sr, segment_seconds=segment_seconds, hop_seconds=hop_seconds)
    rows = [list(clip_features(piece, sr=sr, n_fft=n_fft, hop_length=hop_length, n_mfcc=n_mfcc,
                               pad_mode=pad_mode).values()) for piece in pieces]
    values = np.array(rows, dtype=np.float64).reshape(len(pieces), len(feature_columns(n_mfcc)))
    return {"values": values, "length": np.full(len(pieces), pieces.shape[1], dtype=np.int64)}


def check_segmenting(segment_seconds: float | None, hop_seconds: float | None) -> None:
    """Raise :class:`ConfigError` unless the segment and hop lengths are positive (or None)."""
    if segment_seconds is None:
        if hop_seconds is not None:
            raise ConfigError("hop_seconds needs segment_seconds (whole clips have no hop)")
        return
    check_positive("segment_seconds", segment_seconds, integer=False)
    if hop_seconds is not None:
        check_positive("hop_seconds", hop_seconds, integer=False)


def feature_table(dataset, *, segment_seconds: float | None = None, hop_seconds: float | None = None,
                  sr: int = DEFAULT_SR, n_fft: int = 2048, hop_length: int = 512, n_mfcc: int = 20,
                  pad_mode: str = PAD_MODE, n_jobs: int | None = None, cache: bool = True) -> pd.DataFrame:
    """The handcrafted feature table of a data set, one row per track or per segment.

    Computed per file in parallel and cached on disk (:func:`course_utils.cache.map_files`), so
    a second call with the same arguments reads the cache.

    Parameters
    ----------
    dataset : Dataset or pd.DataFrame
        A :class:`~course_utils.data.Dataset` or its ``tracks`` table.
    segment_seconds : float, optional
        ``None``: one row per whole clip (like ``features_30_sec.csv``); else one row per whole
        segment of this length (3.0 for the layout of ``features_3_sec.csv``).
    hop_seconds : float, optional
        Distance between segment starts (default: ``segment_seconds``, no overlap).
    sr : int
        Every file is loaded (and resampled) at this rate.
    n_fft, hop_length, n_mfcc, pad_mode
        As in librosa; the defaults reproduce the Kaggle table.

    Returns
    -------
    pd.DataFrame
        Columns ``track_id, label, segment, length`` (samples) and :func:`feature_columns`;
        ``segment`` is 0 for whole clips. Rows follow the order of the tracks.
    """
    tracks = tracks_of(dataset)
    check_segmenting(segment_seconds, hop_seconds)
    params = dict(sr=check_sr(sr), segment_seconds=segment_seconds, hop_seconds=hop_seconds,
                  n_fft=check_positive("n_fft", n_fft), hop_length=check_positive("hop_length", hop_length),
                  n_mfcc=check_positive("n_mfcc", n_mfcc), pad_mode=pad_mode)
    results = map_files(_file_rows, tracks["path"], name=f"feature_table-v{TABLE_VERSION}", params=params,
                        n_jobs=n_jobs, cache=cache, desc="feature table")
    keys = rows_per_piece(tracks, [len(r["length"]) for r in results])
    keys["length"] = np.concatenate([r["length"] for r in results])
    values = pd.DataFrame(np.concatenate([r["values"] for r in results]), columns=feature_columns(n_mfcc))
    return pd.concat([keys[KEY_COLUMNS], values], axis=1)


def rows_per_piece(tracks: pd.DataFrame, counts: list[int]) -> pd.DataFrame:
    """``track_id`` and ``label`` repeated ``counts[i]`` times for track ``i``, with a ``segment`` index."""
    keys = tracks.loc[tracks.index.repeat(counts), ["track_id", "label"]].reset_index(drop=True)
    keys["segment"] = keys.groupby("track_id").cumcount()
    return keys


def published_table(dataset, *, name: str = PUBLISHED_TABLE) -> pd.DataFrame | None:
    """The Kaggle feature table shipped beside a GTZAN copy, if there is one, indexed by track id.

    Looks for ``name`` in the data set's folder and up to three folders above it (the Kaggle
    layout keeps ``Data/features_30_sec.csv`` beside ``Data/genres_original``).

    Returns
    -------
    pd.DataFrame or None
        The table with a ``track_id`` column (``blues.00000``, from ``filename``), or ``None``.
    """
    root = Path(getattr(dataset, "root", os.getcwd())).resolve()
    for folder in [root, *root.parents][:4]:
        candidate = folder / name
        if candidate.is_file():
            table = pd.read_csv(candidate)
            table.insert(0, "track_id", table["filename"].str.rsplit(".", n=1).str[0])
            return table
    return None


def compare_tables(ours: pd.DataFrame, reference: pd.DataFrame, *, columns: list[str] | None = None) -> pd.DataFrame:
    """How far our feature values are from a reference table, per column, on the tracks both hold.

    Returns
    -------
    pd.DataFrame
        One row per column: ``tracks`` compared, ``max_rel_error`` (``|ours - ref| / |ref|``) and
        ``max_error_in_sd`` (``|ours - ref|`` over the column's standard deviation in the reference,
        meaningful also for values near zero), sorted by the latter.
    """
    columns = columns or [c for c in feature_columns() if c in reference.columns and c in ours.columns]
    merged = ours.merge(reference, on="track_id", suffixes=("", "_ref"))
    if merged.empty:
        raise ConfigError("the two tables share no track_id; nothing to compare")
    rows = []
    for column in columns:
        diff = (merged[column] - merged[f"{column}_ref"]).abs()
        rel = diff / merged[f"{column}_ref"].abs().where(lambda v: v > 0)
        rows.append({"column": column, "tracks": len(merged), "max_rel_error": rel.max(),
                     "max_error_in_sd": diff.max() / reference[column].std()})
    return pd.DataFrame(rows).sort_values("max_error_in_sd", ascending=False).reset_index(drop=True)
