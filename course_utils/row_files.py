"""Arrays of rows kept on disk in ``.npy`` files and read with file reads, a few rows at a time.

A :class:`RowFile` behaves like a read-only array of rows: ``shape``, ``dtype``, ``len``, indexing by
an int, a slice, a boolean mask or an array of row numbers (each gives an ``np.ndarray``), and
``np.asarray`` for all rows. It holds no rows itself: every indexing reads the rows asked for. Unlike a
memory map, rows once read do not stay in the process's resident memory, so a model can train on
several GB of segments while the process holds a batch. :meth:`RowFile.take` selects rows without
reading them: the parts of a split are views of one file, not copies.

Used by :func:`course_utils.cache.stack_files` (large stacks of segments) and
:mod:`course_utils.train.stream` (training parts on disk).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import numpy as np

from course_utils.errors import ConfigError
from course_utils.io import atomic_path

IN_MEMORY_BYTES = 256 * 2**20  # larger arrays of rows stay on disk (stack_files, train.split_parts_sized)
READ_BYTES = 1 << 30  # at most this much per read call (Linux stops a read near 2 GB)


class RowFile:
    """The rows ``rows`` (all by default) of the ``.npy`` file ``path``, read on demand.

    Parameters
    ----------
    path : path-like
        A C-ordered ``.npy`` file of at least two dimensions (rows first).
    rows : array of int, optional
        Which rows of the file, in order; ``None`` for every row.
    """

    def __init__(self, path, rows: np.ndarray | None = None):
        self.path = Path(path)
        self.row_shape, self.dtype, self.offset, n_file_rows = _header(self.path)
        if rows is None:
            self.rows = np.arange(n_file_rows)
        else:
            self.rows = np.asarray(rows, dtype=np.int64).reshape(-1)
            if len(self.rows) and not 0 <= self.rows.min() <= self.rows.max() < n_file_rows:
                raise ConfigError(f"rows of {self.path} must lie in [0, {n_file_rows}), "
                                  f"got {self.rows.min()} to {self.rows.max()}")

    @property
    def shape(self) -> tuple[int, ...]:
        return (len(self.rows), *self.row_shape)

    @property
    def ndim(self) -> int:
        return 1 + len(self.row_shape)

    @property
    def row_bytes(self) -> int:
        return int(np.prod(self.row_shape, dtype=np.int64)) * self.dtype.itemsize

    @property
    def nbytes(self) -> int:
        return len(self.rows) * self.row_bytes

    def __len__(self) -> int:
        return len(self.rows)

    def __repr__(self) -> str:
        return f"RowFile({str(self.path)!r}, shape={self.shape}, dtype={self.dtype})"

    def take(self, index) -> RowFile:
        """The rows ``index`` (ints or a boolean mask) of this one, as a view: nothing is read."""
        view = object.__new__(RowFile)
        view.__dict__.update(self.__dict__, rows=self.rows[self._positions(index)])
        return view

    def __getitem__(self, key):
        if isinstance(key, tuple):
            rows = self[key[0]]
            return rows[key[1:]] if isinstance(key[0], (int, np.integer)) else rows[(slice(None), *key[1:])]
        if isinstance(key, (int, np.integer)):
            return self._read(self._positions([key]))[0]
        return self._read(self._positions(key))

    def __array__(self, dtype=None, copy=None):
        rows = self._read(np.arange(len(self)))
        return rows if dtype is None else rows.astype(dtype, copy=False)

    def _positions(self, key) -> np.ndarray:
        """Positions in ``self.rows`` of an index key (checked like numpy's, negative ints allowed)."""
        if isinstance(key, slice):
            return np.arange(len(self))[key]
        index = np.asarray(key)
        if index.dtype == bool:
            if index.shape != (len(self),):
                raise IndexError(f"a boolean index of {self.path.name} needs {len(self)} values, got {index.shape}")
            return np.flatnonzero(index)
        if index.size and not np.issubdtype(index.dtype, np.integer):
            raise IndexError(f"rows of {self.path.name} are indexed by ints, slices or booleans, got {index.dtype}")
        index = index.astype(np.int64).reshape(-1)
        if index.size and not -len(self) <= index.min() <= index.max() < len(self):
            raise IndexError(f"row index out of range for {len(self)} rows of {self.path.name}")
        return np.where(index < 0, index + len(self), index)

    def _read(self, positions: np.ndarray) -> np.ndarray:
        """The rows at ``positions`` as a new array, reading each run of consecutive file rows at once."""
        wanted = self.rows[positions]
        out = np.empty((len(wanted), *self.row_shape), dtype=self.dtype)
        if not len(wanted):
            return out
        order = np.argsort(wanted, kind="stable")
        ordered = wanted[order]
        starts = np.flatnonzero(np.diff(ordered, prepend=ordered[0] - 2) != 1)
        ends = np.append(starts[1:], len(ordered))
        with open(self.path, "rb", buffering=0) as handle:
            for start, end in zip(starts, ends):
                direct = np.array_equal(order[start:end], np.arange(start, end))  # already in output order
                block = out[start:end] if direct else np.empty((end - start, *self.row_shape), dtype=self.dtype)
                handle.seek(self.offset + int(ordered[start]) * self.row_bytes)
                _read_into(handle, block, self.path)
                if not direct:
                    out[order[start:end]] = block
        return out


def write_rows(blocks: Iterable[np.ndarray], path, *, shape: tuple[int, ...], dtype) -> RowFile:
    """Write ``blocks`` of rows, one after the other, as the ``.npy`` file ``path`` of ``shape`` and ``dtype``.

    The file appears only when complete (written to a temporary file, then renamed); each block is
    cast to ``dtype`` and written as it comes, so writing holds one block at a time.

    Raises
    ------
    ConfigError
        If the blocks do not add up to ``shape`` (nothing is written then).
    """
    dtype = np.dtype(dtype)
    header = {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False, "shape": tuple(shape)}
    path = Path(path)
    written = 0
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        np.lib.format.write_array_header_2_0(handle, header)
        for block in blocks:
            block = np.ascontiguousarray(block, dtype=dtype)
            if block.shape[1:] != tuple(shape[1:]):
                raise ConfigError(f"rows for {path.name} must have the shape {tuple(shape[1:])}, got {block.shape[1:]}")
            if block.size:
                handle.write(memoryview(block).cast("B"))
            written += len(block)
        if written != shape[0]:
            raise ConfigError(f"{path.name} should get {shape[0]} rows, the blocks held {written}")
    return RowFile(path)


def _header(path: Path) -> tuple[tuple[int, ...], np.dtype, int, int]:
    """Row shape, dtype, data offset and row count of a ``.npy`` file, from its header."""
    try:
        with open(path, "rb") as handle:
            version = np.lib.format.read_magic(handle)
            reader = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                      else np.lib.format.read_array_header_2_0)
            shape, fortran_order, dtype = reader(handle)
            offset = handle.tell()
    except (OSError, ValueError) as error:
        raise ConfigError(f"{path} is not a readable .npy file: {error}") from error
    if fortran_order or len(shape) < 2 or dtype.hasobject:
        raise ConfigError(f"{path} must hold a C-ordered numeric array of rows (2 or more dimensions), "
                          f"got shape {shape}{', Fortran order' if fortran_order else ''}, dtype {dtype}")
    return tuple(shape[1:]), dtype, offset, shape[0]


def _read_into(handle, block: np.ndarray, path: Path) -> None:
    view = memoryview(block).cast("B")
    done = 0
    while done < len(view):
        count = handle.readinto(view[done:done + READ_BYTES])
        if not count:
            raise ConfigError(f"{path} ends early: it is shorter than its header says (truncated?)")
        done += count
