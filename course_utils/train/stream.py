"""Training inputs read from arrays on disk, batch by batch, instead of held in memory.

:func:`parts_on_disk` writes the inputs of each part of a split to ``.npy`` files (atomically) and
gives back parts whose arrays are :class:`course_utils.row_files.RowFile` views of them
(:func:`course_utils.train.split_parts_on_disk` does the same straight from the whole inputs, without a
copy of the parts in memory); :func:`course_utils.train.as_dataset` then reads only the rows of the
current batch, in the same order as it would from memory, so a run on disk trains exactly like a run
in memory while the process holds a few batches instead of every segment.

Used in: book/08_cnn.ipynb, book/11_multimodal.ipynb (through ``split_parts_sized``).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path
from typing import Mapping

import numpy as np

from course_utils.config import data_home
from course_utils.row_files import RowFile, write_rows

CHUNK_ROWS = 512  # rows copied at a time when writing, so writing holds one chunk at most


def on_disk(X) -> bool:
    """Whether ``X`` (an array or a dict of arrays) is read from disk (:class:`~course_utils.row_files.RowFile`)."""
    arrays = X.values() if isinstance(X, Mapping) else [X]
    return any(isinstance(a, RowFile) for a in arrays)


def stream_dir() -> Path:
    """Where :func:`parts_on_disk` writes by default: ``<data home>/cache/streamed-inputs``."""
    return data_home() / "cache" / "streamed-inputs"


def save_rows(X, path: str | Path, *, index: np.ndarray | None = None) -> RowFile:
    """Write the rows ``index`` of ``X`` (all rows by default) to a ``.npy`` file, as float32, and give it back
    as a :class:`~course_utils.row_files.RowFile`.

    Rows are copied in chunks of :data:`CHUNK_ROWS`; the file appears only when complete.
    """
    index = np.arange(len(X)) if index is None else np.asarray(index)
    chunks = (X[index[start:start + CHUNK_ROWS]] for start in range(0, len(index), CHUNK_ROWS))
    return write_rows(chunks, path, shape=(len(index), *X.shape[1:]), dtype=np.float32)


def parts_on_disk(parts: Mapping, *, folder: str | Path | None = None,
                  name: str = "inputs") -> dict:
    """The same parts with their inputs written to ``.npy`` files and read from there.

    Parameters
    ----------
    parts : dict of Part
        From :func:`course_utils.train.split_parts`.
    folder : path, optional
        Where the files go (default :func:`stream_dir`); each file is named after ``name``, the
        part, the input and a digest of the part's rows, so different inputs do not collide.
    name : str
        Names the inputs (e.g. ``"log-mel"``).

    Returns
    -------
    dict of Part
        The same parts (``dataclasses.replace``): ``X`` of each part is a ``RowFile`` (or a dict of them);
        ``y`` and ``table`` are unchanged. Pass them to :func:`course_utils.train.fit` as usual.
    """
    return {part_name: replace(part, X=rows_on_disk(part.X, None, part.table, folder=folder,
                                                    name=f"{name}-{part_name}"))
            for part_name, part in parts.items()}


def rows_on_disk(X, index: np.ndarray | None, table, *, folder: str | Path | None, name: str):
    """Rows ``index`` (all: ``None``) of ``X`` (an array or a dict of arrays) written to ``.npy`` files
    named after ``name``, the input and a digest of ``table``'s track ids, and read from there."""
    folder = Path(folder) if folder is not None else stream_dir()
    digest = hashlib.sha256(table[["track_id"]].to_csv().encode()).hexdigest()[:12]
    if isinstance(X, Mapping):
        return {key: save_rows(value, folder / f"{name}-{key}-{digest}.npy", index=index)
                for key, value in X.items()}
    return save_rows(X, folder / f"{name}-{digest}.npy", index=index)


def disk_batches(order, X, labels):
    """Map batches of row indices to (inputs, labels) read from ``X`` on disk.

    Parameters
    ----------
    order : tf.data.Dataset
        Batches of int64 row indices.
    X : RowFile or dict of RowFile
    labels : tf.Tensor
        One-hot labels of every row (small enough to keep in memory).
    """
    import tensorflow as tf

    keys = sorted(X) if isinstance(X, Mapping) else None
    arrays = [X[key] for key in keys] if keys else [X]

    def gather(index):
        return [np.asarray(array[index], np.float32) for array in arrays]

    def read(index):
        tensors = tf.numpy_function(gather, [index], [tf.float32] * len(arrays))
        for tensor, array in zip(tensors, arrays):
            tensor.set_shape((None, *array.shape[1:]))
        inputs = dict(zip(keys, tensors)) if keys else tensors[0]
        return inputs, tf.gather(labels, index)

    return order.map(read)
