"""cache.map_files: results in input order, computed once, and no worker processes for cached files."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import cache


def length_of_name(path: str, *, scale: int) -> np.ndarray:
    """A module-level function (workers import it): the file name's length times ``scale``."""
    return np.array([len(path.rsplit("/", 1)[-1]) * scale])


@pytest.fixture()
def files(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_HOME", str(tmp_path / "home"))
    names = ["a.wav", "bb.wav", "ccc.wav", "dddd.wav"]
    for name in names:
        (tmp_path / name).write_bytes(b"x" * len(name))
    return [tmp_path / name for name in names]


def test_results_keep_input_order_and_fill_the_cache(files):
    results = cache.map_files(length_of_name, files, name="lengths", params={"scale": 2}, n_jobs=2)
    assert [int(r["value"][0]) for r in results] == [10, 12, 14, 16]
    assert len(list(cache.cache_dir("lengths").glob("*.npz"))) == len(files)


def test_cached_files_start_no_workers(files, monkeypatch):
    cache.map_files(length_of_name, files[:2], name="lengths", params={"scale": 3}, n_jobs=1)

    def no_workers(*args, **kwargs):
        raise AssertionError("worker processes started for cached files")

    monkeypatch.setattr(cache, "Parallel", no_workers)
    computed = []
    monkeypatch.setattr(cache, "_cached_call", lambda func, path, *rest: computed.append(path) or
                        {"value": np.array([0])})
    results = cache.map_files(length_of_name, files[:2], name="lengths", params={"scale": 3}, n_jobs=2)
    assert [int(r["value"][0]) for r in results] == [15, 18]
    assert computed == []


def test_only_the_missing_files_are_computed(files, monkeypatch):
    cache.map_files(length_of_name, files[1:3], name="lengths", params={"scale": 1}, n_jobs=1)
    computed = []
    original = cache._cached_call
    monkeypatch.setattr(cache, "_cached_call", lambda func, path, *rest: computed.append(path) or
                        original(func, path, *rest))
    results = cache.map_files(length_of_name, files, name="lengths", params={"scale": 1}, n_jobs=1)
    assert [int(r["value"][0]) for r in results] == [5, 6, 7, 8]
    assert computed == [str(files[0]), str(files[3])]


def test_without_cache_everything_is_computed_and_nothing_written(files):
    cache.map_files(length_of_name, files, name="lengths", params={"scale": 1}, n_jobs=1, cache=False)
    assert not cache.cache_dir("lengths").exists()


def rows_of_name(path: str, *, width: int) -> dict:
    """As many rows as the file name has characters, each row ``width`` copies of that length."""
    n = len(path.rsplit("/", 1)[-1])
    return {"value": np.full((n, width), n, dtype=np.float32)}


def test_stack_files_gives_the_rows_of_map_files_in_order(files):
    X, counts = cache.stack_files(rows_of_name, files, name="rows", params={"width": 3}, n_jobs=2)
    assert counts == [5, 6, 7, 8] and X.shape == (26, 3) and X.dtype == np.float32
    expected = np.concatenate([r["value"] for r in cache.map_files(rows_of_name, files, name="rows",
                                                                     params={"width": 3}, n_jobs=1)])
    np.testing.assert_array_equal(X, expected)


def test_stack_files_reads_cached_files_without_computing(files, monkeypatch):
    cache.stack_files(rows_of_name, files, name="rows", params={"width": 2}, n_jobs=1)
    monkeypatch.setattr(cache, "_cached_call", lambda *args: (_ for _ in ()).throw(AssertionError("computed")))
    X, counts = cache.stack_files(rows_of_name, files, name="rows", params={"width": 2}, n_jobs=2)
    assert counts == [5, 6, 7, 8] and float(X[-1, 0]) == 8.0


def test_workers_started_under_another_data_home_write_where_the_caller_reads(files, monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_DATA_HOME", str(tmp_path / "first"))
    from joblib import Parallel, delayed
    Parallel(n_jobs=2)(delayed(len)(str(f)) for f in files)  # workers that inherit the first home
    monkeypatch.setenv("COURSE_DATA_HOME", str(tmp_path / "second"))
    X, counts = cache.stack_files(rows_of_name, files, name="rows", params={"width": 1}, n_jobs=2)
    assert counts == [5, 6, 7, 8]
    assert len(list(cache.cache_dir("rows").glob("*.npz"))) == len(files)


def test_stack_files_keeps_a_large_stack_on_disk_and_reuses_it(files, monkeypatch):
    from course_utils.row_files import RowFile

    in_memory, counts = cache.stack_files(rows_of_name, files, name="rows", params={"width": 3}, n_jobs=1)
    X, same_counts = cache.stack_files(rows_of_name, files, name="rows", params={"width": 3}, n_jobs=1,
                                       max_bytes=in_memory.nbytes - 1)
    assert isinstance(in_memory, np.ndarray) and isinstance(X, RowFile) and same_counts == counts
    np.testing.assert_array_equal(np.asarray(X), in_memory)
    assert X.path.parent == cache.cache_dir("rows") and X.path.name.endswith(".stacked.npy")
    monkeypatch.setattr(cache, "write_rows", lambda *a, **k: (_ for _ in ()).throw(AssertionError("rewritten")))
    again, _ = cache.stack_files(rows_of_name, files, name="rows", params={"width": 3}, n_jobs=1, max_bytes=0)
    assert again.path == X.path
    fewer, _ = cache.stack_files(rows_of_name, files[:2], name="rows", params={"width": 3}, n_jobs=1)
    assert len(fewer) == 11  # other files, another stack
