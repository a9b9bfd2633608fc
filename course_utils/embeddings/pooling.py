"""From frame embeddings to one vector per track or per segment: mean, or mean and standard deviation.

Used in: book/05_pretrained_embeddings.ipynb.
"""

from __future__ import annotations

import numpy as np

from course_utils.audio import segment_count
from course_utils.embeddings.common import FrameEmbeddings
from course_utils.errors import ConfigError

POOLINGS = ("mean", "mean_std")


def pool(frames: np.ndarray, *, pooling: str = "mean") -> np.ndarray:
    """Summarise frames (n_frames, d) by their mean (d,) or their mean and standard deviation (2 d,)."""
    if pooling not in POOLINGS:
        raise ConfigError(f"pooling must be one of {', '.join(POOLINGS)}; got {pooling!r}")
    frames = np.asarray(frames)
    if frames.ndim != 2 or len(frames) == 0:
        raise ConfigError(f"pooling expects frames of shape (n_frames, d) with n_frames >= 1, got {frames.shape}")
    mean = frames.mean(axis=0)
    return mean if pooling == "mean" else np.concatenate([mean, frames.std(axis=0)])


def track_embedding(frames: FrameEmbeddings, *, pooling: str = "mean", segment_seconds: float | None = None,
                    scores: bool = False) -> np.ndarray:
    """Pool a signal's frame embeddings (or scores) over the whole track or over each segment.

    Parameters
    ----------
    frames : FrameEmbeddings
        From :func:`~course_utils.embeddings.yamnet_embeddings` or
        :func:`~course_utils.embeddings.musicnn_embeddings`; ``embeddings`` must be (n_frames, d).
    pooling : {"mean", "mean_std"}
        Statistics over frames.
    segment_seconds : float, optional
        ``None``: one vector for the track. Else one per whole segment of this length, as
        :func:`course_utils.audio.segment` cuts them; a frame belongs to the segment that holds its
        centre, and frames centred past the last whole segment are left out.
    scores : bool
        Pool the class scores (taggram) instead of the embeddings.

    Returns
    -------
    np.ndarray
        Shape (d,) or (2 d,) for a track; (n_segments, d) or (n_segments, 2 d) for segments.
    """
    values = frames.scores if scores else frames.embeddings
    if values.ndim != 2:
        raise ConfigError(f"layer {frames.layer!r} gives {values.shape[1:]} per frame, not a vector; "
                          "pick a vector layer (e.g. 'max_pool' or 'penultimate' for musicnn)")
    if segment_seconds is None:
        return pool(values, pooling=pooling)
    if segment_seconds <= 0:
        raise ConfigError(f"segment_seconds must be positive, got {segment_seconds!r}")
    n_segments = segment_count(frames.duration, seconds=segment_seconds)
    which = np.floor((frames.times + frames.window / 2) / segment_seconds).astype(int)
    empty = [k for k in range(n_segments) if not np.any(which == k)]
    if n_segments == 0 or empty:
        raise ConfigError(f"{frames.duration:.2f} s cut into {segment_seconds} s segments leaves segments "
                          f"without any {frames.model} frame (frames every {frames.hop:.3f} s): use longer segments")
    return np.stack([pool(values[which == k], pooling=pooling) for k in range(n_segments)])
