"""row_files: rows on disk read on demand give exactly the rows of the array, and hold nothing."""

import pickle
import sys

import numpy as np
import pytest

from course_utils.errors import ConfigError
from course_utils.row_files import RowFile, write_rows


@pytest.fixture
def stored(tmp_path):
    A = np.arange(11 * 3 * 2, dtype=np.float32).reshape(11, 3, 2)
    np.save(tmp_path / "a.npy", A)
    return A, RowFile(tmp_path / "a.npy")


@pytest.mark.parametrize("key", [0, -1, np.int64(4), slice(None), slice(2, 9, 3), slice(None, None, -1),
                                 [5, 1, 1, 10, 0], np.array([3, 2, 4]), np.arange(11) % 2 == 0, [],
                                 (2, 1), (slice(1, 4), 0), ([4, 2], slice(None), 1)])
def test_indexing_gives_what_numpy_gives(stored, key):
    A, X = stored
    got = X[key]
    assert isinstance(got, np.ndarray) and got.dtype == A.dtype
    np.testing.assert_array_equal(got, A[key])


def test_shape_len_nbytes_and_asarray(stored):
    A, X = stored
    assert X.shape == A.shape and len(X) == 11 and X.ndim == 3 and X.nbytes == A.nbytes
    np.testing.assert_array_equal(np.asarray(X), A)
    assert np.asarray(X, dtype=np.float64).dtype == np.float64


def test_take_is_a_view_that_composes(stored):
    A, X = stored
    part = X.take([9, 3, 3, 0, 7]).take(np.array([True, False, True, True, True]))
    assert part.shape == (4, 3, 2)
    np.testing.assert_array_equal(np.asarray(part), A[[9, 3, 3, 0, 7]][[0, 2, 3, 4]])
    np.testing.assert_array_equal(part[-1], A[7])


def test_out_of_range_rows_and_indices_are_refused(stored, tmp_path):
    _, X = stored
    with pytest.raises(IndexError, match="out of range"):
        X[11]
    with pytest.raises(IndexError, match="boolean"):
        X[np.ones(3, bool)]
    with pytest.raises(IndexError, match="ints, slices or booleans"):
        X[np.array([0.5])]
    with pytest.raises(ConfigError, match=r"a\.npy.*\[0, 11\)"):
        RowFile(tmp_path / "a.npy", rows=[0, 11])


def test_a_pickled_row_file_reads_the_same_rows(stored):
    A, X = stored
    again = pickle.loads(pickle.dumps(X.take([2, 5])))
    np.testing.assert_array_equal(np.asarray(again), A[[2, 5]])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/maps")
def test_rows_read_do_not_stay_mapped_in_memory(stored):
    _, X = stored
    X[[1, 2, 3]]
    with open("/proc/self/maps") as maps:
        assert str(X.path) not in maps.read()


def test_write_rows_writes_blocks_whole_or_not_at_all(tmp_path):
    blocks = [np.ones((2, 3)), np.zeros((0, 3)), np.full((3, 3), 2.0)]
    X = write_rows(iter(blocks), tmp_path / "w.npy", shape=(5, 3), dtype=np.float32)
    np.testing.assert_array_equal(np.load(tmp_path / "w.npy"), np.concatenate(blocks).astype(np.float32))
    assert X.dtype == np.float32 and X.shape == (5, 3)
    with pytest.raises(ConfigError, match=r"bad\.npy.*\(3,\)"):
        write_rows([np.ones((2, 4))], tmp_path / "bad.npy", shape=(2, 3), dtype=np.float32)
    with pytest.raises(ConfigError, match=r"short\.npy should get 4 rows.*held 2"):
        write_rows([np.ones((2, 3))], tmp_path / "short.npy", shape=(4, 3), dtype=np.float32)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.npy"]


def test_files_that_are_not_arrays_of_rows_are_named(tmp_path):
    (tmp_path / "text.npy").write_text("not an array")
    np.save(tmp_path / "flat.npy", np.arange(4.0))
    np.save(tmp_path / "fortran.npy", np.asfortranarray(np.ones((3, 2))))
    for name in ("text.npy", "flat.npy", "fortran.npy"):
        with pytest.raises(ConfigError, match=name):
            RowFile(tmp_path / name)


def test_a_truncated_file_is_an_error_naming_it(tmp_path):
    np.save(tmp_path / "cut.npy", np.ones((4, 100), np.float32))
    with open(tmp_path / "cut.npy", "r+b") as handle:
        handle.truncate(handle.seek(0, 2) - 800)
    X = RowFile(tmp_path / "cut.npy")
    np.testing.assert_array_equal(X[0], np.ones(100))
    with pytest.raises(ConfigError, match="cut.npy ends early"):
        X[3]
