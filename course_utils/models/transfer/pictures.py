"""A backbone's features of a data set's pictures, one pass per backbone, cached by what made the pictures.

The cache key holds the backbone and its weights, the kind of picture (the segments it is made
from, with every parameter and the version of their code), its size, and each track's file
(id, label, path, size, modification time); so a cached result is found without making a single
picture, and the chapter, the zoo's ``"<backbone>, frozen"`` input and the comparison of chapter
12 all read the same file. Pictures are made and run through the network a few tracks at a time:
memory does not grow with the data set (1000 pictures of 224 px would take 600 MB).

Used in: book/10_transfer_learning.ipynb, book/12_comparison.ipynb (through :mod:`course_utils.zoo`).
"""

from __future__ import annotations

import inspect
import time

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from course_utils.cache import cache_key, cache_path, file_identity
from course_utils.config import DEFAULT_SEED
from course_utils.data import tracks_table
from course_utils.errors import ConfigError
from course_utils.models.blocks import check_count
from course_utils.models.transfer.features import (BackboneFeatures, check_outputs, feature_model, run_batch,
                                                   save_features, track_images, weights_identity)
from course_utils.models.transfer.table import get_backbone

PICTURE_KINDS = ("log_mel", "mfcc", "scalogram")
CACHE_NAME = "picture_features"
PICTURES_VERSION = 1
CHUNK_TRACKS = 64  # tracks whose pictures are made and run at once (37 MB of pictures at 224 px)


def _segmenter(kind: str):
    if kind not in PICTURE_KINDS:
        raise ConfigError(f"kind must be one of {PICTURE_KINDS}, got {kind!r}")
    if kind == "scalogram":
        from course_utils.wavelets import cwt

        return cwt.segment_scalograms, {}, cwt.CWT_VERSION
    from course_utils.features import segments

    return segments.segment_spectrograms, {"kind": kind}, segments.SEGMENTS_VERSION


def track_segments(dataset, *, kind: str = "log_mel", segment_seconds: float = 3.0) -> tuple[np.ndarray, pd.DataFrame]:
    """The segments one picture per track is made of: log-mel or MFCC segments
    (:func:`course_utils.features.segment_spectrograms`) or scalograms
    (:func:`course_utils.wavelets.segment_scalograms`), cached per file.

    Parameters
    ----------
    dataset : Dataset or pd.DataFrame
        Every track, or a table of some of them (e.g. the first of each genre).
    kind : {"log_mel", "mfcc", "scalogram"}
    segment_seconds : float

    Returns
    -------
    X : np.ndarray, shape (n_segments, bins, frames)
    table : pd.DataFrame
        ``track_id, label, segment, start, end`` of each row of ``X``.
    """
    function, options, _ = _segmenter(kind)
    return function(dataset, segment_seconds=segment_seconds, **options)


def _pictures_identity(tracks: pd.DataFrame, *, kind: str, size: int, segment_seconds: float) -> dict:
    function, options, version = _segmenter(kind)
    defaults = {name: p.default for name, p in inspect.signature(function).parameters.items()
                if p.default is not inspect.Parameter.empty and name not in ("n_jobs", "cache")}
    files = [{"track_id": t, "label": str(label), **file_identity(path)}
             for t, label, path in tracks[["track_id", "label", "path"]].itertuples(index=False)]
    return {"v": PICTURES_VERSION, "segments": function.__name__, "segments_version": version,
            "segment_params": {**defaults, **options, "segment_seconds": float(segment_seconds)},
            "size": size, "cmap": None, "tracks": files}


def _read(target, *, backbone: str, output: str) -> BackboneFeatures:
    with np.load(target) as stored:
        tracks = pd.DataFrame({column: stored[column] for column in ("track_id", "label", "n_segments")})
        tracks[["track_id", "label"]] = tracks[["track_id", "label"]].astype(str).astype(object)
        return BackboneFeatures(stored["X"], backbone, output, float(stored["seconds"]), cached=True,
                                tracks=tracks)


def picture_features(dataset, *, backbone: str, size: int, kind: str = "log_mel", segment_seconds: float = 3.0,
                     outputs=("pooled",), weights: str | None = "imagenet", seed: int = DEFAULT_SEED,
                     batch_size: int = 32, cache: bool = True) -> dict[str, BackboneFeatures]:
    """A frozen backbone's features of one picture per track of ``dataset``, in one pass, cached on disk.

    Every output asked for comes from the same pass over the pictures; each is cached on its own,
    so a later call that asks for fewer outputs reads them back.

    Parameters
    ----------
    dataset : Dataset or pd.DataFrame
        The tracks (``track_id, label, path``).
    backbone : str
        A name of :data:`~course_utils.models.transfer.BACKBONES`.
    size : int
        Side of the pictures in pixels (``profile.image_size``).
    kind : {"log_mel", "mfcc", "scalogram"}
        What the pictures show (:func:`track_segments`, joined by :func:`track_images`).
    outputs : str or tuple of str
        ``"pooled"`` and/or ``"frozen_part"`` (see :func:`backbone_features`).
    weights : {"imagenet", None}
        As in :func:`~course_utils.models.transfer.load_backbone`.

    Returns
    -------
    dict
        One :class:`BackboneFeatures` per output, with ``tracks`` (``track_id, label, n_segments``
        of each row) and ``seconds`` (the network's time, measured when they were computed).
    """
    outputs = check_outputs(outputs)
    info = get_backbone(backbone)
    size, batch_size = info.check_size(size), check_count("batch_size", batch_size)
    tracks = tracks_table(dataset, required=("track_id", "label", "path"))
    if not len(tracks):
        raise ConfigError("picture_features needs at least one track")
    identity = {**_pictures_identity(tracks, kind=kind, size=size, segment_seconds=segment_seconds),
                **weights_identity(backbone, weights=weights, seed=seed)}
    targets = {output: cache_path(CACHE_NAME, cache_key(CACHE_NAME, {**identity, "output": output}))
               for output in outputs}
    found = {output: _read(target, backbone=backbone, output=output)
             for output, target in targets.items() if cache and target.is_file()}
    missing = tuple(output for output in outputs if output not in found)
    if not missing:
        return found
    X, table = track_segments(tracks, kind=kind, segment_seconds=segment_seconds)
    model = feature_model(backbone, size=size, weights=weights, outputs=missing, seed=seed)
    ids = table["track_id"].unique()
    batches, pictured, seconds = [], [], 0.0
    for first in tqdm(range(0, len(ids), CHUNK_TRACKS), desc=f"{backbone} on {kind} pictures", unit="chunk"):
        rows = table["track_id"].isin(ids[first:first + CHUNK_TRACKS]).to_numpy()
        images, chunk_tracks = track_images(X[rows], table[rows], size=size)
        pictured.append(chunk_tracks)
        if first == 0:
            run_batch(model, info.preprocess(images[:batch_size]))  # builds the graph: not part of the timing
        for start in range(0, len(images), batch_size):
            begin = time.perf_counter()
            batches.append(run_batch(model, info.preprocess(images[start:start + batch_size])))
            seconds += time.perf_counter() - begin
    pictured = pd.concat(pictured, ignore_index=True)
    for k, output in enumerate(missing):
        values = np.concatenate([batch[k] for batch in batches]).astype(np.float32)
        if cache:
            save_features(targets[output], X=values, seconds=seconds, track_id=pictured["track_id"].to_numpy(str),
                          label=pictured["label"].to_numpy(str), n_segments=pictured["n_segments"].to_numpy())
        found[output] = BackboneFeatures(values, backbone, output, seconds, cached=False, tracks=pictured)
    return {output: found[output] for output in outputs}


def cache_backbone(backbone: str, *, dataset, size: int, available, kind: str = "log_mel") -> BackboneFeatures | None:
    """Compute (or find in the cache) one backbone's pooled features of ``dataset``'s pictures, and say so
    in one line: how many pictures, the network's time per picture, whether it ran now.

    One call per backbone (one notebook cell each) keeps a cell's cost to one backbone's pass.

    Parameters
    ----------
    backbone : str
    dataset, size, kind
        As in :func:`picture_features`.
    available : BackboneAvailability
        This run's :func:`~course_utils.models.transfer.available_backbones`; a backbone missing
        from it is skipped with a line that says so.

    Returns
    -------
    BackboneFeatures or None
        None when the backbone's weights are missing.
    """
    if backbone not in available:
        print(available.skipped(backbone))
        return None
    pooled = picture_features(dataset, backbone=backbone, size=size, kind=kind)["pooled"]
    where = "read from the cache" if pooled.cached else "computed now, cached"
    print(f"{backbone}: {len(pooled.X)} {kind.replace('_', '-')} pictures of {size} px, "
          f"{pooled.X.shape[1]} features each, {1000 * pooled.seconds_per_image:.1f} ms per picture ({where})")
    return pooled
