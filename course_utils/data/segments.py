"""Fixed-length segments of tracks that keep their track's id, label and split.

Used in: chapters that train on 3-s windows (04, 08, 09).
"""

from __future__ import annotations

import pandas as pd

from course_utils.audio import segment_count
from course_utils.errors import ConfigError


def segment_table(tracks: pd.DataFrame, *, seconds: float = 3.0, hop_seconds: float | None = None) -> pd.DataFrame:
    """One row per segment: the track's columns plus ``segment``, ``start`` and ``end`` (seconds).

    The segments are those :func:`course_utils.audio.segment` cuts from each track (whole
    windows only), so row ``k`` of a track matches ``segment(y, ...)[k]``.
    """
    if "duration" not in tracks.columns or "track_id" not in tracks.columns:
        raise ConfigError("segment_table expects a tracks table with 'track_id' and 'duration' columns")
    hop = seconds if hop_seconds is None else hop_seconds
    if seconds <= 0 or hop <= 0:
        raise ConfigError(f"seconds and hop_seconds must be positive, got {seconds!r}, {hop!r}")
    counts = [segment_count(d, seconds=seconds, hop_seconds=hop) for d in tracks["duration"]]
    rows = tracks.loc[tracks.index.repeat(counts)].copy()
    rows["segment"] = rows.groupby("track_id").cumcount()
    rows["start"] = rows["segment"] * hop
    rows["end"] = rows["start"] + seconds
    return rows.reset_index(drop=True)
