"""Inputs and outputs of a frozen backbone: one picture per track, and the backbone's features of a set of
pictures, computed once and cached on disk.

Used in: book/10_transfer_learning.ipynb.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import pandas as pd
from keras import layers
from tqdm.auto import tqdm

from course_utils.cache import cache_key, cache_path, file_identity
from course_utils.config import DEFAULT_SEED
from course_utils.errors import ConfigError
from course_utils.features import spectrogram_image
from course_utils.io import atomic_path
from course_utils.models.blocks import check_count
from course_utils.models.transfer.table import DEFAULT_BACKBONE, get_backbone
from course_utils.models.transfer.weights import fetch_weights, load_backbone

OUTPUTS = ("pooled", "frozen_part")
FEATURES_VERSION = 1
CACHE_NAME = "backbone_features"


def track_images(X: np.ndarray, table: pd.DataFrame, *, size: int,
                 cmap: str | None = None) -> tuple[np.ndarray, pd.DataFrame]:
    """One picture per track: its segments' time-frequency matrices side by side, as an image model's input.

    The segments of a track (in ``segment`` order) are joined along time, then made into a square
    image by :func:`course_utils.features.spectrogram_image` (resized, scaled to [0, 1], three channels).

    Parameters
    ----------
    X : np.ndarray, shape (n_segments, bins, frames)
        E.g. log-mel segments (:func:`course_utils.features.segment_spectrograms`) or scalograms
        (:func:`course_utils.wavelets.segment_scalograms`), in dB.
    table : pd.DataFrame
        ``track_id``, ``label`` and ``segment`` of each row of ``X``.
    size : int
        Side of the images in pixels (``profile.image_size``).
    cmap : str, optional
        A matplotlib colour map; ``None`` repeats the grey picture in the three channels.

    Returns
    -------
    images : np.ndarray, float32, shape (n_tracks, size, size, 3)
    tracks : pd.DataFrame
        ``track_id, label, n_segments`` of each image, tracks in their order in ``table``.
    """
    X = np.asarray(X)
    if X.ndim != 3 or len(X) != len(table) or not {"track_id", "label", "segment"} <= set(table.columns):
        raise ConfigError(f"expected X of shape (n_segments, bins, frames) and a table with track_id, label and "
                          f"segment for each row; got X {X.shape} and {len(table)} rows with columns "
                          f"{list(table.columns)}")
    rows = table.reset_index(drop=True).assign(row=np.arange(len(table)))
    images, tracks = [], []
    for track_id, group in rows.groupby("track_id", sort=False):
        group = group.sort_values("segment")
        joined = np.concatenate(list(X[group["row"].to_numpy()]), axis=-1)
        images.append(spectrogram_image(joined, size=size, cmap=cmap))
        tracks.append({"track_id": track_id, "label": group["label"].iloc[0], "n_segments": len(group)})
    return np.stack(images), pd.DataFrame(tracks)


@dataclass(frozen=True)
class BackboneFeatures:
    """Outputs of a frozen backbone for a set of images.

    Attributes
    ----------
    X : np.ndarray, float32
        ``"pooled"``: shape (n, features), the average of the last feature maps.
        ``"frozen_part"``: shape (n, h, w, channels), the activations that the top blocks read.
    backbone, output : str
    seconds : float
        Wall time of computing them, the network's one-off graph building left out (measured when
        they were computed, also when read from the cache).
    cached : bool
        Whether they were read from the cache.
    tracks : pd.DataFrame or None
        ``track_id, label, n_segments`` of each row of ``X`` when the pictures are a data set's tracks
        (:func:`~course_utils.models.transfer.picture_features`), else None.
    """

    X: np.ndarray
    backbone: str
    output: str
    seconds: float
    cached: bool
    tracks: pd.DataFrame | None = None

    @property
    def seconds_per_image(self) -> float:
        return self.seconds / len(self.X)


def check_outputs(outputs) -> tuple[str, ...]:
    """``outputs`` as a tuple of names of :data:`OUTPUTS` (at least one, none twice)."""
    outputs = (outputs,) if isinstance(outputs, str) else tuple(outputs)
    if not outputs or len(set(outputs)) != len(outputs) or not set(outputs) <= set(OUTPUTS):
        raise ConfigError(f"output must be one or more of {OUTPUTS}, got {outputs!r}")
    return outputs


def feature_model(name: str, *, size: int, weights, outputs: tuple[str, ...], seed: int) -> keras.Model:
    """The backbone with one output per name of ``outputs`` (a list, in that order): one pass gives them all."""
    model = load_backbone(name, size=size, weights=weights, seed=seed)
    made = {"pooled": lambda: layers.GlobalAveragePooling2D(name="pooled")(model.output),
            "frozen_part": lambda: model.get_layer(get_backbone(name).frozen_until).output}
    return keras.Model(model.inputs, [made[output]() for output in outputs], name=model.name)


def weights_identity(name: str, *, weights, seed: int) -> dict:
    """What identifies a backbone's weights in a cache key: the ImageNet file (path, size, time), or the seed."""
    return {"backbone": name, "options": get_backbone(name).options,
            "weights": file_identity(fetch_weights(name)) if weights == "imagenet" else {"random": seed}}


def _cache_file(images: np.ndarray, *, name: str, output: str, weights, seed: int) -> Path:
    params = {"v": FEATURES_VERSION, "output": output, **weights_identity(name, weights=weights, seed=seed)}
    return cache_path(CACHE_NAME, cache_key(CACHE_NAME, params, arrays={"images": images}))


def backbone_features(images: np.ndarray, *, backbone: str = DEFAULT_BACKBONE, output: str = "pooled",
                      weights: str | None = "imagenet", seed: int = DEFAULT_SEED, batch_size: int = 32,
                      cache: bool = True, tracks: pd.DataFrame | None = None) -> BackboneFeatures:
    """Run a frozen backbone on square images once, and keep its outputs on disk.

    The cache key holds the backbone, the output, the weights file (path, size, modification time)
    or the seed of random weights, and a digest of every pixel; a second call reads the file.

    Parameters
    ----------
    images : np.ndarray, shape (n, size, size, 3), values in [0, 1]
        E.g. :func:`course_utils.features.spectrogram_image` pictures or
        :meth:`course_utils.data.ImageSet.load`; preprocessed here (:meth:`Backbone.preprocess`).
    backbone : str
        A name of :data:`BACKBONES`.
    output : {"pooled", "frozen_part"}
        ``"pooled"``: one feature vector per image (the frozen regime). ``"frozen_part"``: the
        activations after :attr:`Backbone.frozen_until`, the input of :func:`fine_tune_model`.
    weights : {"imagenet", None}
        As in :func:`load_backbone`.
    tracks : pd.DataFrame, optional
        The track of each image (e.g. :attr:`course_utils.data.ImageSet.tracks`), kept with the features.

    Returns
    -------
    BackboneFeatures
    """
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 4 or images.shape[1] != images.shape[2] or images.shape[3] != 3 or not len(images):
        raise ConfigError(f"images must have shape (n, size, size, 3) with n >= 1, got {images.shape}")
    if tracks is not None and len(tracks) != len(images):
        raise ConfigError(f"tracks must have one row per image: {len(tracks)} rows for {len(images)} images")
    check_outputs(output)
    info = get_backbone(backbone)
    batch_size = check_count("batch_size", batch_size)
    target = _cache_file(images, name=backbone, output=output, weights=weights, seed=seed) if cache else None
    if target is not None and target.is_file():
        with np.load(target) as stored:
            return BackboneFeatures(stored["X"], backbone, output, float(stored["seconds"]), cached=True, tracks=tracks)
    model = feature_model(backbone, size=images.shape[1], weights=weights, outputs=(output,), seed=seed)
    model.predict_on_batch(info.preprocess(images[:batch_size]))  # builds the graph: not part of the timing
    start, batches = time.perf_counter(), []
    for first in tqdm(range(0, len(images), batch_size), desc=f"{backbone} {output}", unit="batch"):
        batches.append(run_batch(model, info.preprocess(images[first:first + batch_size]))[0])
    X, seconds = np.concatenate(batches).astype(np.float32), time.perf_counter() - start
    if target is not None:
        save_features(target, X=X, seconds=seconds)
    return BackboneFeatures(X, backbone, output, seconds, cached=False, tracks=tracks)


def run_batch(model: keras.Model, x: np.ndarray) -> list[np.ndarray]:
    """The outputs of a :func:`feature_model` for one batch, as a list of arrays (one per output)."""
    result = model.predict_on_batch(x)
    return [np.asarray(y) for y in result] if isinstance(result, (list, tuple)) else [np.asarray(result)]


def save_features(target: Path, **arrays) -> None:
    """Write a cache file of backbone features atomically (an interrupted run leaves no file)."""
    with atomic_path(target) as tmp:
        with open(tmp, "wb") as handle:
            np.savez(handle, **arrays)
