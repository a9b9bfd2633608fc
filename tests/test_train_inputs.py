"""train.split_parts, Part.plus, frame_windows, one_hot and as_dataset."""

import numpy as np
import pandas as pd
import pytest

from course_utils import train
from course_utils.data import TrackSplit
from course_utils.embeddings import FrameEmbeddings
from course_utils.errors import ConfigError, SplitError

CLASSES = ["blues", "jazz", "rock"]


def segments_and_split():
    """Segments of 6 tracks, interleaved, and a split of those tracks (one of them in no part)."""
    tracks = ["blues.00000", "jazz.00000", "rock.00000", "blues.00001", "jazz.00001", "rock.00001"]
    table = pd.DataFrame([(t, t.split(".")[0], k) for k in range(3) for t in tracks],
                         columns=["track_id", "label", "segment"])
    X = np.arange(len(table))[:, None, None] * np.ones((1, 2, 3))
    part = pd.Series({"blues.00000": "train", "jazz.00000": "train", "rock.00000": "train", "blues.00001": "test",
                      "jazz.00001": "valid"})
    return X, table, TrackSplit("stratified", part, "test split")


def test_rows_follow_their_track_and_labels_become_indices():
    X, table, split = segments_and_split()
    parts = train.split_parts(X, table, split, classes=CLASSES)
    assert set(parts) == {"train", "valid", "test"}
    assert len(parts["train"]) == 9 and parts["train"].n_tracks == 3 and parts["test"].n_tracks == 1
    for name, part in parts.items():
        assert (part.table["track_id"].map(split.part) == name).all() and (part.table["split"] == name).all()
        original_rows = table.reset_index().merge(part.table, on=["track_id", "segment"])["index"].to_numpy()
        assert np.array_equal(part.X[:, 0, 0], original_rows)  # each row kept its own input
        assert [CLASSES[i] for i in part.y] == part.table["label"].tolist()
    assert "rock.00001" not in pd.concat([p.table for p in parts.values()])["track_id"].to_numpy()


def test_the_class_order_travels_with_the_parts():
    X, table, split = segments_and_split()
    order = ["rock", "blues", "jazz"]  # not sorted: the order must be the one given, not a default
    parts = train.split_parts(X, table, split, classes=order)
    assert all(part.classes == tuple(order) for part in parts.values())
    assert [order[i] for i in parts["train"].y] == parts["train"].table["label"].tolist()
    assert parts["test"].checked_classes(None) == tuple(order) == parts["test"].checked_classes(order)
    with pytest.raises(ConfigError, match="differ from the class order"):
        parts["test"].checked_classes(sorted(order))
    extra = parts["train"].plus(X[:1], table.iloc[:1])
    assert extra.classes == tuple(order) and order[extra.y[-1]] == table["label"].iloc[0]


def test_dict_inputs_are_cut_alike():
    X, table, split = segments_and_split()
    parts = train.split_parts({"a": X, "b": X[:, 0, :]}, table, split, classes=CLASSES)
    assert np.array_equal(parts["test"].X["a"][:, 0, :], parts["test"].X["b"])
    with pytest.raises(ConfigError, match="row counts"):
        train.split_parts({"a": X, "b": X[:-1]}, table, split, classes=CLASSES)


def test_split_parts_checks_its_inputs():
    X, table, split = segments_and_split()
    with pytest.raises(ConfigError, match="one row per row"):
        train.split_parts(X[:-1], table, split, classes=CLASSES)
    with pytest.raises(ConfigError, match="not in classes"):
        train.split_parts(X, table, split, classes=["blues", "jazz"])
    nothing = TrackSplit("stratified", pd.Series({"blues.00001": "test"}), "")
    with pytest.raises(SplitError, match="no training rows"):
        train.split_parts(X, table, nothing, classes=CLASSES)


def test_plus_appends_rows_of_its_own_tracks_only():
    X, table, split = segments_and_split()
    parts = train.split_parts(X, table, split, classes=CLASSES)
    extra_table = parts["train"].table.iloc[:2].assign(variant="pitch+2")
    bigger = parts["train"].plus(X[:2] + 100, extra_table, classes=CLASSES)
    assert len(bigger) == len(parts["train"]) + 2 and bigger.X[-1, 0, 0] >= 100
    assert [CLASSES[i] for i in bigger.y] == bigger.table["label"].tolist()
    leaking = parts["test"].table.iloc[:1]
    with pytest.raises(SplitError, match="not in this part"):
        parts["train"].plus(X[:1], leaking, classes=CLASSES)


def frames(model: str, n: int, *, hop: float, window: float, d: int = 4, offset: float = 0.0):
    times = np.arange(n) * hop
    embeddings = offset + np.arange(n)[:, None] + np.zeros((1, d))
    return FrameEmbeddings(model=model, layer="x", scores=np.zeros((n, 2)), embeddings=embeddings, times=times,
                           window=window, duration=(n - 1) * hop + window)


def tracks_of(n: int) -> pd.DataFrame:
    return pd.DataFrame({"track_id": [f"t{i}" for i in range(n)], "label": ["a", "b", "a"][:n]})


def test_frame_windows_of_musicnn_patches():
    frame_list = [frames("MSD_musicnn", n, hop=3.0, window=3.0, offset=100 * i) for i, n in enumerate((10, 9, 12))]
    X, table = train.frame_windows(frame_list, tracks_of(3), window_seconds=15.0, hop_seconds=3.0)
    assert X.shape[1:] == (5, 4) and X.dtype == np.float32
    assert table.groupby("track_id").size().to_dict() == {"t0": 6, "t1": 5, "t2": 8}
    first = table.index[table["track_id"] == "t1"][1]
    assert np.array_equal(X[first, :, 0], 100 + np.arange(1, 6))  # second window of t1: frames 1..5
    assert table.loc[first, "start"] == 3.0 and table.loc[first, "end"] == 18.0


def test_frame_windows_of_yamnet_frames_and_the_default_window():
    frame_list = [frames("yamnet", n, hop=0.48, window=0.96) for n in (20, 15)]
    X, table = train.frame_windows(frame_list, tracks_of(2), window_seconds=3.0)
    assert X.shape[1] == 5  # frames starting at 0, .48, .96, 1.44, 1.92 end by 2.88 s
    assert table.groupby("track_id").size().to_dict() == {"t0": 4, "t1": 3}  # no overlap by default
    whole, whole_table = train.frame_windows(frame_list, tracks_of(2))
    assert whole.shape == (2, 15, 4) and whole_table["segment"].tolist() == [0, 0]


def test_frame_windows_name_a_track_that_is_too_short():
    frame_list = [frames("MSD_musicnn", 10, hop=3.0, window=3.0), frames("MSD_musicnn", 2, hop=3.0, window=3.0)]
    with pytest.raises(ConfigError, match="t1 has 2 MSD_musicnn frames"):
        train.frame_windows(frame_list, tracks_of(2), window_seconds=9.0)
    with pytest.raises(ConfigError, match="at least one"):
        train.frame_windows(frame_list, tracks_of(2), window_seconds=1.0)
    with pytest.raises(ConfigError, match="frames of 2 tracks"):
        train.frame_windows(frame_list, tracks_of(3))


def test_one_hot():
    assert np.array_equal(train.one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]])
    soft = np.array([[0.25, 0.75]])
    assert np.array_equal(train.one_hot(soft, 2), soft)
    for bad in (np.array([0.5, 1.0]), np.array([3]), np.array([-1])):
        with pytest.raises(ConfigError, match="class indices"):
            train.one_hot(bad, 3)


def test_as_dataset_batches_every_row_once_and_shuffles_with_its_seed():
    X = np.arange(10, dtype=np.float32)[:, None, None] * np.ones((1, 2, 2), np.float32)
    y = np.arange(10) % 3
    order = lambda dataset: np.concatenate([x[:, 0, 0].numpy() for x, _ in dataset])
    plain = train.as_dataset((X, y), n_classes=3, batch_size=4)
    assert np.array_equal(order(plain), np.arange(10))
    assert [len(x) for x, _ in plain] == [4, 4, 2]
    first, second = (train.as_dataset((X, y), n_classes=3, batch_size=4, shuffle=True, seed=s) for s in (1, 1))
    assert np.array_equal(order(first), order(second)) and sorted(order(first)) == list(range(10))
    epochs = [order(first) for _ in range(3)]
    assert not all(np.array_equal(epochs[0], e) for e in epochs[1:])  # a new order every epoch
    for x, labels in train.as_dataset((X, y), n_classes=3, batch_size=10, shuffle=True, seed=2):
        assert np.array_equal(labels.numpy().argmax(axis=1), x.numpy()[:, 0, 0].astype(int) % 3)
    with pytest.raises(ConfigError, match="Part, an \\(X, y\\) pair"):
        train.as_dataset(X, n_classes=3, batch_size=4)
