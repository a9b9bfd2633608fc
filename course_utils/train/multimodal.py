"""Inputs of the multimodal models: the two image streams, and the windows a combined model reads.

Everything comes from the cached arrays of :mod:`course_utils.features`, :mod:`course_utils.wavelets`
and :mod:`course_utils.embeddings`, aligned row by row with :func:`course_utils.models.fusion.align_inputs`.

Used in: book/11_multimodal.ipynb, book/12_comparison.ipynb (through :mod:`course_utils.compare`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

SEGMENT_SECONDS = 3.0
MAX_WINDOW_SECONDS = 15.0


def stream_inputs(dataset) -> tuple[dict[str, np.ndarray], pd.DataFrame]:
    """Log-mel spectrogram and CWT scalogram of every 3-s segment, aligned: row ``i`` of both is segment ``i``.

    Returns
    -------
    views : dict
        ``{"spectrogram": (n, 128, 130), "scalogram": (n, 64, 130)}`` with the default settings.
    segments : pd.DataFrame
        ``track_id, label, segment, start, end`` of each row.
    """
    from course_utils import features, wavelets
    from course_utils.models import fusion

    X_mel, mel_segments = features.segment_spectrograms(dataset, kind="log_mel", segment_seconds=SEGMENT_SECONDS)
    X_scalo, scalo_segments = wavelets.segment_scalograms(dataset, segment_seconds=SEGMENT_SECONDS)
    return fusion.align_inputs({"spectrogram": (X_mel, mel_segments), "scalogram": (X_scalo, scalo_segments)})


@dataclass(frozen=True)
class CombinedInputs:
    """What the combined model of chapter 11 reads, one row per window of every track.

    Attributes
    ----------
    X : dict of np.ndarray
        ``"mfcc"`` (n, 20, frames), ``"embedding"`` (n, steps, d) and ``"handcrafted"`` (n, 57).
    windows : pd.DataFrame
        ``track_id, label, segment, start, end`` of each row.
    embedding_model : str
        The embedding model the frames come from.
    seconds, hop : float
        Length of a window and distance between window starts.
    """

    X: dict
    windows: pd.DataFrame
    embedding_model: str
    seconds: float
    hop: float

    def describe(self, names) -> str:
        """The registry's name of the inputs ``names``, e.g. ``"mfcc + embedding (MSD_musicnn, 15-s windows)"``."""
        return " + ".join(names) + f" ({self.embedding_model}, {self.seconds:.0f}-s windows)"


def combined_inputs(dataset, *, embedding_model: str) -> CombinedInputs:
    """MFCC windows, embedding frames cut into the same windows, and each track's handcrafted features.

    A window lasts as long as the shortest track, at most 15 s and at least one embedding frame;
    windows start every half window. The MFCC windows are cut to the embedding windows' exact
    length and hop, so the two line up.
    """
    from course_utils import embeddings, features
    from course_utils.models import fusion
    from course_utils.train.inputs import frame_windows

    frames = embeddings.dataset_frames(dataset, model=embedding_model)
    shortest = float(dataset.tracks["duration"].min())
    window = max(min(MAX_WINDOW_SECONDS, shortest), frames[0].window)
    X_embedding, windows = frame_windows(frames, dataset, window_seconds=window, hop_seconds=window / 2)
    seconds, hop = fusion.window_seconds(windows)
    X_mfcc, mfcc_windows = features.segment_spectrograms(dataset, kind="mfcc", segment_seconds=seconds,
                                                         hop_seconds=hop)
    handcrafted = features.feature_table(dataset)
    per_track = (handcrafted[features.feature_columns()].to_numpy(np.float32), handcrafted)
    X, examples = fusion.align_inputs({"mfcc": (X_mfcc, mfcc_windows), "embedding": (X_embedding, windows)},
                                      per_track={"handcrafted": per_track})
    return CombinedInputs(X=X, windows=examples, embedding_model=embedding_model, seconds=seconds, hop=hop)
