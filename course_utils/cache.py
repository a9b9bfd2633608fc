"""Results computed once, in parallel, and kept on disk, under one key scheme.

Every cached input of the course (features, segments, embeddings, audio copies, backbone
features) is stored at :func:`cache_path`, under a key from :func:`cache_key`: the digest
(:func:`digest`) of the computation's name, every parameter, the input file's identity (resolved
path, size, modification time) and a digest of any input arrays, so a changed parameter, file or
array is recomputed and nothing stale is read. Each cache file is written atomically. The results
registry's fingerprints use the same :func:`digest`.

Used in: every chapter that computes features or embeddings for a whole data set.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import numpy as np
from joblib import Parallel, delayed
from joblib.externals.loky import get_reusable_executor
from tqdm.auto import tqdm

from course_utils.config import data_home
from course_utils.errors import ConfigError
from course_utils.io import atomic_path
from course_utils.row_files import IN_MEMORY_BYTES, RowFile, write_rows

JOBS_ENV = "COURSE_JOBS"
CACHE_VERSION = 1


def default_jobs() -> int:
    """Worker processes: ``$COURSE_JOBS`` or every CPU core."""
    value = os.environ.get(JOBS_ENV)
    if value is None:
        return os.cpu_count() or 1
    if not value.isdigit() or int(value) < 1:
        raise ConfigError(f"${JOBS_ENV}={value!r} must be a positive whole number of worker processes")
    return int(value)


def digest(value: Any) -> str:
    """Hex digest (32 characters) of a JSON-like value: dict keys sorted, tuples as lists, anything
    else by ``str``; numpy arrays by their dtype, shape and bytes."""
    def plain(item):
        if isinstance(item, np.ndarray):
            data = memoryview(np.ascontiguousarray(item)).cast("B")
            return {"array": hashlib.sha256(data).hexdigest(), "dtype": str(item.dtype), "shape": list(item.shape)}
        if isinstance(item, dict):
            return {str(k): plain(v) for k, v in item.items()}
        if isinstance(item, (list, tuple)):
            return [plain(v) for v in item]
        if isinstance(item, np.generic):
            return item.item()
        return item

    text = json.dumps(plain(value), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def file_identity(path: str | os.PathLike) -> dict[str, Any]:
    """What identifies a file's content cheaply: resolved path, size in bytes and modification time."""
    stat = Path(path).stat()
    return {"file": str(Path(path).resolve()), "size": stat.st_size, "mtime": stat.st_mtime_ns}


def cache_key(name: str, params: dict[str, Any], path: str | os.PathLike | None = None, *,
              arrays: dict[str, np.ndarray] | None = None) -> str:
    """Key of one computation: its name, its parameters, and what it reads (a file, or arrays).

    Parameters
    ----------
    name : str
        Name of the computation (also the cache folder).
    params : dict
        Every parameter that changes the result.
    path : path-like, optional
        The input file, identified by :func:`file_identity`.
    arrays : dict of np.ndarray, optional
        Input arrays, identified by a digest of their bytes.
    """
    identity = {"v": CACHE_VERSION, "name": name, "params": params}
    if path is not None:
        identity.update(file_identity(path))
    if arrays is not None:
        identity["arrays"] = {key: np.asarray(value) for key, value in arrays.items()}
    return digest(identity)


def cache_dir(name: str) -> Path:
    """Folder that holds the cached results of computation ``name``."""
    return data_home() / "cache" / name


def cache_path(name: str, key: str, suffix: str = ".npz") -> Path:
    """The cache file of computation ``name`` under ``key`` (:func:`cache_key`)."""
    return cache_dir(name) / f"{key}{suffix}"


def _read_cached(target: Path) -> dict[str, np.ndarray] | None:
    """The arrays of the cache file ``target``, or ``None`` when there is none."""
    if not target.is_file():
        return None
    with np.load(target) as stored:
        return dict(stored)


def _cached_call(func: Callable, path: str, params: dict, target: Path | None) -> dict[str, np.ndarray]:
    """``func(path, **params)`` as a dict of arrays, written to ``target`` (the caller's cache path, so a
    worker started under another data home writes where the caller reads) unless it is ``None``."""
    result = func(path, **params)
    if not isinstance(result, dict):
        result = {"value": result}
    result = {k: np.asarray(v) for k, v in result.items()}
    if target is not None:
        with atomic_path(target) as tmp:
            with open(tmp, "wb") as handle:
                np.savez(handle, **result)
    return result


def map_files(func: Callable[..., Any], paths: Iterable[str | os.PathLike], *, name: str,
              params: dict[str, Any] | None = None, n_jobs: int | None = None, cache: bool = True,
              desc: str | None = None) -> list[dict[str, np.ndarray]]:
    """Apply ``func(path, **params)`` to every file, in parallel, reading and filling the cache.

    Parameters
    ----------
    func : callable
        A module-level function (it is sent to worker processes) returning an array or a dict
        of arrays.
    paths : iterable of path-like
        Input files.
    name : str
        Name of the computation; part of the cache key and the cache folder.
    params : dict
        Keyword arguments of ``func``; every one is part of the cache key.
    n_jobs : int, optional
        Worker processes (default :func:`default_jobs`); 1 runs in this process.
    cache : bool
        Read and write the disk cache.

    Returns
    -------
    list of dict
        One dict of arrays per file, in input order (a bare array comes back under ``"value"``).
    """
    paths = [str(p) for p in paths]
    params = dict(params or {})
    targets = [cache_path(name, cache_key(name, params, p)) for p in paths] if cache else [None] * len(paths)
    return _map(func, paths, targets, params=params, n_jobs=n_jobs, desc=desc or name, keep=True)


def _map(func: Callable, paths: list[str], targets: list[Path | None], *, params: dict, n_jobs: int | None,
         desc: str, keep: bool) -> list[dict[str, np.ndarray] | None]:
    """:func:`map_files` with each file's cache path given (``None``: no cache); with ``keep=False`` it only
    fills the cache and returns ``None`` for every file (a cached file is not read, a computed result is
    dropped once written)."""
    n_jobs = default_jobs() if n_jobs is None else n_jobs
    if keep:
        results = [_read_cached(target) if target is not None else None for target in targets]
    else:
        results = [{} if target.is_file() else None for target in targets]
    missing = [i for i, result in enumerate(results) if result is None]
    tasks = (delayed(_cached_call)(func, paths[i], params, targets[i]) for i in missing)
    bar = dict(total=len(paths), initial=len(paths) - len(missing), desc=desc, unit="file")
    parallel = n_jobs != 1 and len(missing) >= 2  # no worker processes when (nearly) everything is cached
    if parallel:
        computed = tqdm(Parallel(n_jobs=n_jobs, return_as="generator")(tasks), **bar)
    else:
        computed = (task[0](*task[1], **task[2]) for task in tqdm(tasks, **bar))
    for i, result in zip(missing, computed):
        results[i] = result if keep else None
    if parallel:
        get_reusable_executor().shutdown(wait=True)  # idle workers would hold their memory for minutes
    return results if keep else [None] * len(paths)


def stack_files(func: Callable[..., Any], paths: Iterable[str | os.PathLike], *, name: str,
                params: dict[str, Any] | None = None, n_jobs: int | None = None,
                desc: str | None = None, max_bytes: int | None = IN_MEMORY_BYTES) -> tuple[np.ndarray | RowFile, list[int]]:
    """:func:`map_files` for a ``func`` that returns ``{"value": rows}`` per file, the rows stacked: held once,
    or not at all when they weigh more than ``max_bytes``.

    Every file is computed into the cache first; the shapes are then read from the cache files'
    headers. Up to ``max_bytes`` (``None``: any size), one array is allocated for all rows and filled
    file by file (stacking the list that :func:`map_files` returns would hold every row twice).
    Above it, the rows are written once into a ``.npy`` file beside the cache files (named after
    them, reused while they are) and come back as a :class:`course_utils.row_files.RowFile`,
    which reads rows when they are indexed.

    Returns
    -------
    X : np.ndarray or RowFile
        The rows of every file, in input order.
    counts : list of int
        How many rows each file gave.
    """
    paths = [str(p) for p in paths]
    params = dict(params or {})
    targets = [cache_path(name, cache_key(name, params, p)) for p in paths]
    _map(func, paths, targets, params=params, n_jobs=n_jobs, desc=desc or name, keep=False)
    shapes, dtypes = zip(*(_stored_header(target) for target in targets))
    counts = [shape[0] for shape in shapes]
    shape, dtype = (sum(counts), *shapes[0][1:]), np.result_type(*dtypes)
    if max_bytes is not None and np.prod(shape, dtype=np.int64) * dtype.itemsize > max_bytes:
        stacked = cache_path(name, digest([target.name for target in targets]), suffix=".stacked.npy")
        if stacked.is_file():
            reused = RowFile(stacked)
            if reused.shape == shape:
                return reused, counts
        return write_rows(_stored_values(targets), stacked, shape=shape, dtype=dtype), counts
    X = np.empty(shape, dtype=dtype)
    start = 0
    for rows in _stored_values(targets):
        X[start:start + len(rows)] = rows
        start += len(rows)
    return X, counts


def _stored_values(targets: list[Path]) -> Iterator[np.ndarray]:
    """The ``value`` array of each cache file, one file at a time."""
    for target in targets:
        with np.load(target) as stored:
            yield stored["value"]


def _stored_header(path: Path) -> tuple[tuple[int, ...], np.dtype]:
    """Shape and dtype of the ``value`` array of a cache file, read from its header alone."""
    with zipfile.ZipFile(path) as archive, archive.open("value.npy") as handle:
        version = np.lib.format.read_magic(handle)
        reader = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, _, dtype = reader(handle)
    return shape, dtype
