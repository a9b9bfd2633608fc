"""musicnn's inputs for a whole data set: the log-mel patches, and its pooled mid-end values (cached).

Used in: book/10_transfer_learning.ipynb.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from course_utils.audio import load_audio
from course_utils.data import tracks_table
from course_utils.embeddings import musicnn as musicnn_inputs
from course_utils.embeddings import musicnn_outputs


def _rows(counts, tracks: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame([(t.track_id, t.label, k) for n, t in zip(counts, tracks.itertuples()) for k in range(n)],
                        columns=["track_id", "label", "segment"])


def _file_patches(path: str) -> np.ndarray:
    return musicnn_inputs.input_patches(load_audio(path, sr=musicnn_inputs.SR), musicnn_inputs.SR)


def musicnn_patches(dataset) -> tuple[np.ndarray, pd.DataFrame]:
    """Every track's 3-s log-mel patches as musicnn reads them (recomputed: a log-mel costs little).

    Returns
    -------
    X : np.ndarray, float32, shape (n_patches, 187, 96)
    table : pd.DataFrame
        ``track_id, label, segment`` of each patch, in the order of the tracks table.
    """
    tracks = tracks_table(dataset)
    patches = [_file_patches(path) for path in tracks["path"]]
    return np.concatenate(patches).astype(np.float32), _rows([len(p) for p in patches], tracks)


def musicnn_pooled(dataset, *, model: str = "MSD_musicnn") -> tuple[np.ndarray, pd.DataFrame]:
    """musicnn's pooled mid-end values for every patch of every track, from the cached pass of the network
    that also gives chapter 5's embeddings (:func:`course_utils.embeddings.musicnn_outputs`).

    They are the input of its back-end (:func:`course_utils.models.transfer.musicnn_backend` turns
    them into the penultimate layer, the embedding of chapter 5).

    Returns
    -------
    X : np.ndarray, float32, shape (n_patches, 1506)
    table : pd.DataFrame
        ``track_id, label, segment``, the same rows as :func:`musicnn_patches`.
    """
    from course_utils.models.transfer.music import pooled_features  # imports Keras

    tracks = tracks_table(dataset)
    pooled = [pooled_features(r["max_pool"], r["mean_pool"]) for r in musicnn_outputs(tracks, model=model)]
    return np.concatenate(pooled), _rows([len(p) for p in pooled], tracks)
