"""Model inputs: the cached arrays cut into the parts of a track split, embedding frames cut into windows,
and the ``tf.data`` pipelines that feed them to Keras.

Nothing here reads audio: segments come from :func:`course_utils.features.segment_spectrograms`,
embedding frames from :func:`course_utils.embeddings.dataset_frames`, both cached on disk.

Used in: book/08_cnn.ipynb, book/09_recurrent.ipynb.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from course_utils.data import tracks_table
from course_utils.errors import ConfigError, SplitError
from course_utils.row_files import IN_MEMORY_BYTES, RowFile
from course_utils.train.stream import disk_batches, on_disk, rows_on_disk

PARTS = ("train", "valid", "test")


def _rows(X, index: np.ndarray):
    """Rows ``index`` of an array (a copy), a RowFile (a view: nothing read) or a dict of them."""
    if isinstance(X, Mapping):
        return {k: _rows(v, index) for k, v in X.items()}
    return X.take(index) if isinstance(X, RowFile) else X[index]


def n_rows(X) -> int:
    """Rows of an array, or of every array of a dict (which must agree)."""
    if isinstance(X, Mapping):
        counts = {k: len(v) for k, v in X.items()}
        if not counts or len(set(counts.values())) != 1:
            raise ConfigError(f"a dict of inputs needs arrays with one row per example each, got row counts {counts}")
        return next(iter(counts.values()))
    if not hasattr(X, "shape") or np.ndim(X) < 2:
        raise ConfigError(f"inputs must be an array with one row per example (or a dict of them), got {type(X).__name__}")
    return len(X)


def class_indices(labels: Sequence[str], classes: Sequence[str]) -> np.ndarray:
    """Position of each label in ``classes`` (the model's output order), shape (n,), int64."""
    lookup = {c: i for i, c in enumerate(classes)}
    unknown = sorted(set(map(str, labels)) - set(lookup))
    if unknown:
        raise ConfigError(f"labels {unknown[:5]} are not in classes={list(classes)}")
    return np.array([lookup[str(label)] for label in labels], dtype=np.int64)


@dataclass(frozen=True)
class Part:
    """One part of a split (train, valid or test): inputs, class indices, and what each row is.

    Attributes
    ----------
    X : np.ndarray or dict of np.ndarray
        One row per example (segment or window); a dict for models with several named inputs.
    y : np.ndarray, int, shape (n,)
        Class index of each row in the model's output order.
    table : pd.DataFrame, n rows
        ``track_id``, ``label`` (and ``segment``, ``start``, ``end``, ``split`` ...) of each row.
    classes : tuple of str
        The class order of ``y``, carried with the split (:func:`split_parts`): a model trained on
        this part outputs its probabilities in this order (empty: unknown).
    """

    X: np.ndarray | dict
    y: np.ndarray
    table: pd.DataFrame
    classes: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.y)

    @property
    def n_tracks(self) -> int:
        return int(self.table["track_id"].nunique())

    def plus(self, X, table: pd.DataFrame, *, classes: Sequence[str] | None = None) -> "Part":
        """This part with extra rows (e.g. augmented copies of its tracks) appended, in its class order
        (``classes``, when given, must be the same).

        Raises
        ------
        SplitError
            If an extra row comes from a track that is not in this part: an augmented copy of a
            validation or test track in training would leak it.
        """
        if n_rows(X) != len(table):
            raise ConfigError(f"X has {n_rows(X)} rows but table has {len(table)}")
        strangers = sorted(set(table["track_id"]) - set(self.table["track_id"]))
        if strangers:
            raise SplitError(f"{len(strangers)} tracks of the extra rows are not in this part (e.g. {strangers[:3]}); "
                             "augment only the tracks of the part you extend")
        joined = ({k: np.concatenate([v, X[k]]) for k, v in self.X.items()} if isinstance(self.X, Mapping)
                  else np.concatenate([self.X, X]))
        rows = pd.concat([self.table, table], ignore_index=True)
        order = self.checked_classes(classes)
        return Part(joined, class_indices(rows["label"], order), rows, order)

    def checked_classes(self, classes: Sequence[str] | None) -> tuple[str, ...]:
        """The class order: this part's, or ``classes`` when the part does not know it; a
        :class:`ConfigError` when the two differ (probability columns would be mislabelled)."""
        given = None if classes is None else tuple(map(str, classes))
        if self.classes and given is not None and given != self.classes:
            raise ConfigError(f"classes={list(given)} differ from the class order of the split's parts "
                              f"{list(self.classes)}; leave classes out to use the parts' order")
        if not (self.classes or given):
            raise ConfigError("the class order is unknown: make the parts with train.split_parts(..., classes=...)")
        return self.classes or given


def split_parts(X, table: pd.DataFrame, split, *, classes: Sequence[str]) -> dict[str, Part]:
    """Cut inputs into the parts of a track split; every row follows its track.

    Parameters
    ----------
    X : np.ndarray or dict of np.ndarray
        One row per row of ``table`` (e.g. from ``segment_spectrograms``).
    table : pd.DataFrame
        ``track_id`` and ``label`` of each row.
    split : TrackSplit
        From :func:`course_utils.data.track_split`; rows of tracks it does not list are left out.
    classes : sequence of str
        The model's classes in output order (``dataset.labels``); every part carries it.

    Returns
    -------
    dict
        ``{"train": Part, "valid": Part, "test": Part}``; a part with no tracks is left out.
    """
    if n_rows(X) != len(table) or not {"track_id", "label"} <= set(table.columns):
        raise ConfigError(f"table must have 'track_id' and 'label' and one row per row of X ({n_rows(X)}), "
                          f"got {len(table)} rows with columns {list(table.columns)}")
    part = table["track_id"].map(split.part).to_numpy()
    parts = {}
    for name in PARTS:
        index = np.flatnonzero(part == name)
        if len(index):
            rows = table.iloc[index].reset_index(drop=True).assign(split=name)
            parts[name] = Part(_rows(X, index), class_indices(rows["label"], classes), rows,
                               tuple(map(str, classes)))
    if "train" not in parts:
        raise SplitError("the split leaves no training rows for these inputs")
    return parts


def split_parts_on_disk(X, table: pd.DataFrame, split, *, classes: Sequence[str], folder=None,
                        name: str = "inputs") -> dict[str, Part]:
    """:func:`split_parts`, with each part's rows written straight from ``X`` to ``.npy`` files and mapped back.

    Unlike ``parts_on_disk(split_parts(...))`` no part is ever copied in memory, so the inputs are
    held once (``X``, which the caller may then drop). Same parts, same rows, same order.
    Options ``folder`` and ``name`` as in :func:`course_utils.train.stream.parts_on_disk`.
    """
    rows = split_parts(np.arange(len(table))[:, None], table, split, classes=classes)
    return {part_name: replace(part, X=rows_on_disk(X, part.X[:, 0], part.table, folder=folder,
                                                    name=f"{name}-{part_name}"))
            for part_name, part in rows.items()}


def split_parts_sized(X, table: pd.DataFrame, split, *, classes: Sequence[str], name: str = "inputs",
                      max_bytes: int = IN_MEMORY_BYTES) -> dict[str, Part]:
    """:func:`split_parts` in memory when ``X`` (an array or a dict of arrays) weighs at most ``max_bytes``,
    :func:`split_parts_on_disk` above: a model of the course trains from the same parts either way, and
    a large data set does not hold a second copy of every input in memory. Inputs already on disk
    (:class:`course_utils.row_files.RowFile`, e.g. large segments from the cache) give parts that are
    views of their file: nothing is copied."""
    arrays = list(X.values()) if isinstance(X, Mapping) else [X]
    if any(isinstance(a, RowFile) for a in arrays) or sum(a.nbytes for a in arrays) <= max_bytes:
        return split_parts(X, table, split, classes=classes)
    return split_parts_on_disk(X, table, split, classes=classes, name=name)


def frame_windows(frames: Sequence, dataset, *, window_seconds: float | None = None,
                  hop_seconds: float | None = None) -> tuple[np.ndarray, pd.DataFrame]:
    """Cut each track's embedding frames into windows of equal length: sequences for a 1-D CNN or an LSTM.

    Parameters
    ----------
    frames : sequence of FrameEmbeddings
        One per track, in the order of the tracks table (:func:`course_utils.embeddings.dataset_frames`).
    dataset : Dataset or pd.DataFrame
        The data set (or its tracks table) the frames were computed from.
    window_seconds : float, optional
        Audio a window covers, from the start of its first frame to the end of its last one
        (YAMNet: frames of 0.96 s every 0.48 s, so 3 s hold 5 frames; musicnn: 3-s patches).
        Default: as many frames as the shortest track has, so every track gives one window.
    hop_seconds : float, optional
        Distance between window starts, rounded to whole frames (default: the window, no overlap).

    Returns
    -------
    X : np.ndarray, float32, shape (n_windows, steps, features)
    table : pd.DataFrame
        ``track_id, label, segment, start, end`` (seconds) of each window, in track order.

    Raises
    ------
    ConfigError
        If a track is shorter than one window (its id and length are named).
    """
    tracks = tracks_table(dataset)
    if len(frames) != len(tracks):
        raise ConfigError(f"got frames of {len(frames)} tracks for a data set of {len(tracks)}")
    first = frames[0]
    hop, window = first.hop, first.window
    if window_seconds is None:
        steps = min(len(f.times) for f in frames)
    else:
        if not window_seconds >= window:
            raise ConfigError(f"window_seconds must hold at least one {first.model} frame ({window:.3f} s), "
                              f"got {window_seconds!r}")
        steps = int(np.floor((window_seconds - window) / hop + 1e-9)) + 1
    stride = max(1, int(round(hop_seconds / hop))) if hop_seconds is not None else steps
    windows, rows = [], []
    for f, track in zip(frames, tracks.itertuples()):
        if len(f.times) < steps:
            raise ConfigError(f"track {track.track_id} has {len(f.times)} {f.model} frames ({f.duration:.1f} s), "
                              f"fewer than a window of {steps}; use a shorter window_seconds")
        starts = np.arange(0, len(f.times) - steps + 1, stride)
        windows.append(np.stack([f.embeddings[s:s + steps] for s in starts]))
        rows += [(track.track_id, track.label, k, f.times[s], f.times[s + steps - 1] + f.window)
                 for k, s in enumerate(starts)]
    table = pd.DataFrame(rows, columns=["track_id", "label", "segment", "start", "end"])
    return np.concatenate(windows).astype(np.float32), table


def one_hot(y: np.ndarray, n_classes: int) -> np.ndarray:
    """Class indices (n,) as one-hot rows (n, n_classes); one-hot or soft rows pass through."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == n_classes:
        return y.astype(np.float32)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer) or (y.size and not 0 <= y.min() <= y.max() < n_classes):
        raise ConfigError(f"labels must be class indices in [0, {n_classes}) of shape (n,) or one-hot rows "
                          f"(n, {n_classes}), got dtype {y.dtype} and shape {y.shape}")
    return np.eye(n_classes, dtype=np.float32)[y]


def as_dataset(data, *, n_classes: int, batch_size: int, shuffle: bool = False, seed: int = 0,
               augment=None):
    """A batched ``tf.data.Dataset`` of (inputs, one-hot labels) from a :class:`Part` or an ``(X, y)`` pair.

    Parameters
    ----------
    data : Part, (X, y) or tf.data.Dataset
        ``X`` an array or a dict of arrays (one per named model input), ``y`` class indices or
        one-hot rows. A ``tf.data.Dataset`` must already yield batches of (inputs, one-hot labels);
        it passes through (with ``augment`` mapped over it). Rows on disk
        (:class:`course_utils.row_files.RowFile`) are read batch by batch, in the same order.
    shuffle : bool
        Draw the batches in a new order every epoch (seeded by ``seed``).
    augment : Augmentation, optional
        Applied to every batch (:mod:`course_utils.train.augment`).
    """
    import tensorflow as tf

    if isinstance(data, tf.data.Dataset):
        dataset = data
    else:
        X, y = (data.X, data.y) if isinstance(data, Part) else _pair(data)
        n = n_rows(X)
        if len(y) != n:
            raise ConfigError(f"got {n} input rows but {len(y)} labels")
        labels = tf.convert_to_tensor(one_hot(y, n_classes))
        order = tf.data.Dataset.range(n)
        if shuffle:
            order = order.shuffle(n, seed=seed, reshuffle_each_iteration=True)
        if on_disk(X):  # rows on disk (RowFile): read each batch's rows only
            dataset = disk_batches(order.batch(batch_size), X, labels)
        else:
            tensors = ({k: tf.convert_to_tensor(np.asarray(v, np.float32)) for k, v in X.items()}
                       if isinstance(X, Mapping) else tf.convert_to_tensor(np.asarray(X, np.float32)))
            dataset = order.batch(batch_size).map(
                lambda index: (tf.nest.map_structure(lambda t: tf.gather(t, index), tensors), tf.gather(labels, index)))
    if augment is not None:
        dataset = augment.apply(dataset, seed=seed)
    return dataset.prefetch(tf.data.AUTOTUNE)


def _pair(data):
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise ConfigError("training and validation data must be a Part, an (X, y) pair or a batched "
                          f"tf.data.Dataset, got {type(data).__name__}")
    return data
