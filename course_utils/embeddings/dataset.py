"""Embeddings of a whole data set: computed once per file and model, cached, pooled per track or segment.

The cache keeps every frame (embeddings and scores), so pooling differently costs nothing. A musicnn
model's layers with one vector per patch (:data:`~course_utils.embeddings.musicnn.PATCH_LAYERS`) are
cached together from one pass (:func:`musicnn_outputs`), which chapter 10's pooled values reuse.

Used in: book/05_pretrained_embeddings.ipynb and the chapters that train on embeddings.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from course_utils.audio import load_audio
from course_utils.cache import map_files
from course_utils.data import tracks_table
from course_utils.embeddings import musicnn, yamnet
from course_utils.embeddings.common import FrameEmbeddings
from course_utils.embeddings.pooling import track_embedding
from course_utils.features.checks import TRACK_KEYS
from course_utils.errors import ConfigError

MODELS = ("yamnet",) + musicnn.MODELS
CACHE_VERSION = 1
OUTPUTS_VERSION = 1   # of the cache of musicnn_outputs


def resolve(model: str, layer: str | None = None, handle: str | os.PathLike | None = None) -> tuple[str, str | None]:
    """Check ``model`` and ``layer``; return the layer and the resolved YAMNet handle (None for musicnn)."""
    if model == "yamnet":
        if layer not in (None, "embedding"):
            raise ConfigError(f"YAMNet has one embedding layer, 'embedding'; got layer={layer!r}")
        return "embedding", yamnet.yamnet_handle(handle)
    if model not in MODELS:
        raise ConfigError(f"model must be one of {', '.join(MODELS)}; got {model!r}")
    return musicnn.resolve_layer(model, layer), None


def frame_embeddings(y: np.ndarray, sr: int, *, model: str = "yamnet", layer: str | None = None,
                     handle: str | os.PathLike | None = None) -> FrameEmbeddings:
    """Frame embeddings of one signal from any model of :data:`MODELS` (``handle``: YAMNet only)."""
    layer, handle = resolve(model, layer, handle)
    if model == "yamnet":
        return yamnet.yamnet_embeddings(y, sr, handle=handle)
    return musicnn.musicnn_embeddings(y, sr, model=model, layer=layer)


def _file_frames(path: str, *, model: str, layer: str | None, handle: str | None, version: int) -> dict:
    """One file's frames for the cache (``version`` only marks the cache key)."""
    rate = yamnet.SR if model == "yamnet" else musicnn.SR
    frames = frame_embeddings(load_audio(path, sr=rate), rate, model=model, layer=layer, handle=handle)
    return {"scores": frames.scores, "embeddings": frames.embeddings.reshape(len(frames.times), -1),
            "times": frames.times, "window": frames.window, "duration": frames.duration}


def _file_musicnn(path: str, *, model: str, version: int) -> dict:
    """One file's musicnn layers of :data:`~course_utils.embeddings.musicnn.PATCH_LAYERS` and its duration
    (``version`` only marks the cache key)."""
    y = load_audio(path, sr=musicnn.SR)
    outputs = musicnn.network_outputs(musicnn.input_patches(y, musicnn.SR), model=model, layers=musicnn.PATCH_LAYERS)
    return {**outputs, "duration": len(y) / musicnn.SR}


def musicnn_outputs(dataset, *, model: str = "MSD_musicnn", n_jobs: int = 1,
                    cache: bool = True) -> list[dict[str, np.ndarray]]:
    """Every track's musicnn layers of :data:`~course_utils.embeddings.musicnn.PATCH_LAYERS`, per patch, from
    one pass of the network (cached on disk as ``outputs-<model>``).

    Returns
    -------
    list of dict
        In the order of the tracks table: ``taggram`` (n_patches, 50), ``mean_pool`` and ``max_pool``
        (n_patches, 753), ``penultimate`` (n_patches, 200), and ``duration`` in seconds.
    """
    if model not in musicnn.MODELS or musicnn.architecture(model) != "musicnn":
        raise ConfigError(f"musicnn_outputs takes a musicnn model (MSD_musicnn, MTT_musicnn); got {model!r}")
    tracks = tracks_table(dataset, required=TRACK_KEYS)
    musicnn.load_musicnn(model)  # missing weights fail here, with their message, before any file is read
    return map_files(_file_musicnn, tracks["path"], name=f"outputs-{model}",
                     params=dict(model=model, version=OUTPUTS_VERSION), n_jobs=n_jobs, cache=cache,
                     desc=f"{model} embeddings")


def dataset_frames(dataset, *, model: str = "yamnet", layer: str | None = None,
                   handle: str | os.PathLike | None = None, n_jobs: int = 1, cache: bool = True) -> list[FrameEmbeddings]:
    """Frame embeddings of every track, in the order of the tracks table (cached on disk).

    Parameters
    ----------
    dataset : Dataset or pd.DataFrame
        A :class:`~course_utils.data.Dataset` or its ``tracks`` table.
    model, layer, handle
        As in :func:`frame_embeddings`; layers with more than one value per frame are flattened.
    n_jobs : int
        Worker processes. The default, 1, runs in this process: TensorFlow already uses every
        core, and each extra worker would import it and load the model again.

    Returns
    -------
    list of FrameEmbeddings
        Without ``patches`` (they are not cached).
    """
    tracks = tracks_table(dataset, required=TRACK_KEYS)
    layer, handle = resolve(model, layer, handle)
    if model != "yamnet" and musicnn.architecture(model) == "musicnn" and layer in musicnn.PATCH_LAYERS:
        return [musicnn.patch_embeddings(None, model=model, layer=layer, scores=r["taggram"], embeddings=r[layer],
                                         duration=float(r["duration"]))
                for r in musicnn_outputs(tracks, model=model, n_jobs=n_jobs, cache=cache)]
    # Load the model now, so that missing weights fail with their message before any file is read.
    if model == "yamnet":
        yamnet.load_yamnet(handle)
    else:
        musicnn.load_musicnn(model)
    params = dict(model=model, layer=layer, handle=handle, version=CACHE_VERSION)
    results = map_files(_file_frames, tracks["path"], name=f"embeddings-{model}", params=params, n_jobs=n_jobs,
                        cache=cache, desc=f"{model} embeddings")
    return [FrameEmbeddings(model=model, layer=layer, scores=r["scores"], embeddings=r["embeddings"],
                            times=r["times"], window=float(r["window"]), duration=float(r["duration"]))
            for r in results]


def embed_dataset(dataset, *, model: str = "yamnet", layer: str | None = None, pooling: str = "mean",
                  segment_seconds: float | None = None, scores: bool = False,
                  handle: str | os.PathLike | None = None, n_jobs: int = 1,
                  cache: bool = True) -> tuple[pd.DataFrame, np.ndarray]:
    """One pooled embedding per track (or per segment) of a data set.

    Parameters
    ----------
    dataset : Dataset or pd.DataFrame
        A :class:`~course_utils.data.Dataset` or its ``tracks`` table.
    model, layer, handle, n_jobs, cache
        As in :func:`dataset_frames`.
    pooling, segment_seconds, scores
        As in :func:`~course_utils.embeddings.pooling.track_embedding`.

    Returns
    -------
    table : pd.DataFrame
        ``track_id``, ``label`` (and ``segment``, ``start``, ``end`` in seconds for segments), one
        row per row of ``X``, in the order of the tracks.
    X : np.ndarray, shape (n_rows, d) or (n_rows, 2 d)
    """
    frames = dataset_frames(dataset, model=model, layer=layer, handle=handle, n_jobs=n_jobs, cache=cache)
    vectors = [track_embedding(f, pooling=pooling, segment_seconds=segment_seconds, scores=scores) for f in frames]
    table = tracks_table(dataset, required=TRACK_KEYS)[["track_id", "label"]]
    if segment_seconds is None:
        return table, np.stack(vectors)
    table = table.loc[table.index.repeat([len(v) for v in vectors])].reset_index(drop=True)
    table["segment"] = table.groupby("track_id").cumcount()
    table["start"] = table["segment"] * segment_seconds
    table["end"] = table["start"] + segment_seconds
    return table, np.concatenate(vectors)
