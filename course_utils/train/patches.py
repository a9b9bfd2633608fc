"""musicnn's inputs for a whole data set: the log-mel patches, and the pooled mid-end features (cached).

Used in: book/10_transfer_learning.ipynb.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from course_utils.audio import load_audio
from course_utils.data import tracks_table
from course_utils.embeddings import dataset_frames
from course_utils.embeddings import musicnn as musicnn_inputs
from course_utils.errors import ConfigError


def _rows(counts, tracks: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame([(t.track_id, t.label, k) for n, t in zip(counts, tracks.itertuples()) for k in range(n)],
                        columns=["track_id", "label", "segment"])


def musicnn_patches(dataset) -> tuple[np.ndarray, pd.DataFrame]:
    """Every track's 3-s log-mel patches as musicnn reads them.

    Returns
    -------
    X : np.ndarray, float32, shape (n_patches, 187, 96)
    table : pd.DataFrame
        ``track_id, label, segment`` of each patch, in the order of the tracks table.
    """
    tracks = tracks_table(dataset)
    patches = [musicnn_inputs.input_patches(load_audio(path, sr=musicnn_inputs.SR), musicnn_inputs.SR)
               for path in tracks["path"]]
    return np.concatenate(patches).astype(np.float32), _rows([len(p) for p in patches], tracks)


def musicnn_layers(dataset, *, model: str = "MSD_musicnn", names=("penultimate",)) -> tuple[dict, pd.DataFrame]:
    """Outputs of a pretrained musicnn model for every patch of every track (cached like all embeddings).

    Parameters
    ----------
    names : sequence of str
        Layers of :data:`course_utils.embeddings.musicnn.LAYERS` with one vector per patch
        (``penultimate``, ``max_pool``, ``mean_pool``).

    Returns
    -------
    X : dict of str to np.ndarray, shape (n_patches, width)
    table : pd.DataFrame
        ``track_id, label, segment``, the same rows as :func:`musicnn_patches`.
    """
    tracks, X, counts = tracks_table(dataset), {}, None
    for name in names:
        frames = dataset_frames(dataset, model=model, layer=name)
        sizes = [len(f.times) for f in frames]
        if counts is not None and sizes != counts:
            raise ConfigError(f"the cached {name} frames do not line up with the other layers' patches")
        counts, X[name] = sizes, np.concatenate([f.embeddings for f in frames]).astype(np.float32)
    return X, _rows(counts, tracks)
