"""train.stream: inputs read from disk batch by batch give the same batches and the same training."""

import keras
import numpy as np
import pandas as pd
import pytest

from course_utils import train
from course_utils.train.stream import on_disk


def parts(n: int = 37, *, as_dict: bool = False):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 4, 3)).astype(np.float32) * 3 + 1
    y = np.arange(n) % 3
    table = pd.DataFrame({"track_id": [f"t{k // 2}" for k in range(n)], "label": [str(c) for c in y]})
    inputs = {"a": X, "b": X[:, :2, :] * 2} if as_dict else X
    return {"train": train.Part(inputs, y, table), "valid": train.Part(inputs, y, table)}


def batches(dataset):
    out = []
    for x, labels in dataset:
        x = {k: v.numpy() for k, v in x.items()} if isinstance(x, dict) else x.numpy()
        out.append((x, labels.numpy()))
    return out


@pytest.mark.parametrize("as_dict", [False, True])
@pytest.mark.parametrize("shuffle", [False, True])
def test_streamed_inputs_yield_the_same_batches_as_in_memory(tmp_path, as_dict, shuffle):
    memory = parts(as_dict=as_dict)
    disk = train.parts_on_disk(memory, folder=tmp_path, name="toy")
    assert on_disk(disk["train"].X) and not on_disk(memory["train"].X)
    assert len(list(tmp_path.glob("toy-*.npy"))) == (4 if as_dict else 2)
    options = dict(n_classes=3, batch_size=8, shuffle=shuffle, seed=5)
    from_memory = train.as_dataset(memory["train"], **options)
    from_disk = train.as_dataset(disk["train"], **options)
    for _ in range(2):  # two epochs: the same new order each time
        expected, got = batches(from_memory), batches(from_disk)
        assert [len(labels) for _, labels in got] == [8, 8, 8, 8, 5]
        for (x_mem, y_mem), (x_disk, y_disk) in zip(expected, got):
            assert np.array_equal(y_mem, y_disk)
            if as_dict:
                assert x_mem.keys() == x_disk.keys()
                assert all(np.array_equal(x_mem[k], x_disk[k]) for k in x_mem)
            else:
                assert np.array_equal(x_mem, x_disk)


def normalized_model():
    inputs = keras.Input((4, 3), name="x")
    hidden = keras.layers.Normalization(axis=None, name="norm")(inputs)
    outputs = keras.layers.Dense(3, activation="softmax")(keras.layers.Flatten()(hidden))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def test_a_run_on_disk_trains_like_a_run_in_memory(tmp_path):
    memory = parts()
    disk = train.parts_on_disk(memory, folder=tmp_path)
    runs = []
    for inputs in (memory, disk):
        keras.utils.set_random_seed(1)
        model = normalized_model()
        result = train.fit(model, inputs["train"], inputs["valid"], epochs=4, batch_size=8, patience=2,
                           verbose=False)
        runs.append((model, result))
    (model_mem, fit_mem), (model_disk, fit_disk) = runs
    norm_mem, norm_disk = model_mem.get_layer("norm"), model_disk.get_layer("norm")
    assert float(norm_disk.mean.numpy().squeeze()) == pytest.approx(float(memory["train"].X.mean()), abs=1e-4)
    assert np.allclose(norm_mem.variance.numpy(), norm_disk.variance.numpy(), atol=1e-4)
    assert fit_mem.best_epoch == fit_disk.best_epoch
    assert np.allclose(fit_mem.history["val_loss"], fit_disk.history["val_loss"], atol=1e-4)
    for a, b in zip(model_mem.get_weights(), model_disk.get_weights()):
        assert np.allclose(a, b, atol=1e-4)


def test_files_are_written_whole_and_read_only(tmp_path):
    disk = train.parts_on_disk(parts(n=1100), folder=tmp_path)  # more rows than one chunk
    X = disk["train"].X
    assert X.shape == (1100, 4, 3) and np.array_equal(np.asarray(X), parts(n=1100)["train"].X)
    with pytest.raises(TypeError):
        X[0, 0, 0] = 1.0
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("as_dict", [False, True])
def test_split_parts_on_disk_gives_the_parts_of_split_parts(tmp_path, as_dict):
    from course_utils.data import TrackSplit

    memory = parts(n=30, as_dict=as_dict)["train"]
    ids = sorted(set(memory.table["track_id"]))
    part = pd.Series(["train", "valid", "test"] * 5, index=ids)
    split = TrackSplit(method="stratified", part=part, report="")
    expected = train.split_parts(memory.X, memory.table, split, classes=["0", "1", "2"])
    got = train.split_parts_on_disk(memory.X, memory.table, split, classes=["0", "1", "2"], folder=tmp_path)
    assert list(got) == list(expected) == ["train", "valid", "test"]
    for name, part_got in got.items():
        assert on_disk(part_got.X)
        assert np.array_equal(part_got.y, expected[name].y)
        pd.testing.assert_frame_equal(part_got.table, expected[name].table)
        arrays = (lambda X: [X[k] for k in sorted(X)] if as_dict else [X])
        assert all(np.array_equal(a, b) for a, b in zip(arrays(part_got.X), arrays(expected[name].X)))


def test_split_parts_sized_keeps_small_inputs_in_memory_and_puts_large_ones_on_disk():
    from course_utils.data import TrackSplit

    memory = parts(n=30)["train"]
    ids = sorted(set(memory.table["track_id"]))
    split = TrackSplit(method="stratified", part=pd.Series(["train", "valid", "test"] * 5, index=ids), report="")
    small = train.split_parts_sized(memory.X, memory.table, split, classes=["0", "1", "2"])
    large = train.split_parts_sized(memory.X, memory.table, split, classes=["0", "1", "2"], max_bytes=memory.X.nbytes - 1)
    assert not any(on_disk(part.X) for part in small.values())
    assert all(on_disk(part.X) for part in large.values())
    assert all(np.array_equal(small[name].X, large[name].X) for name in small)


def test_parts_of_inputs_on_disk_are_views_of_their_file(tmp_path, monkeypatch):
    from course_utils.data import TrackSplit
    from course_utils.row_files import RowFile

    memory = parts(n=30)["train"]
    np.save(tmp_path / "all.npy", memory.X)
    monkeypatch.setenv("COURSE_DATA_HOME", str(tmp_path / "home"))
    ids = sorted(set(memory.table["track_id"]))
    split = TrackSplit(method="stratified", part=pd.Series(["train", "valid", "test"] * 5, index=ids), report="")
    expected = train.split_parts(memory.X, memory.table, split, classes=["0", "1", "2"])
    got = train.split_parts_sized(RowFile(tmp_path / "all.npy"), memory.table, split, classes=["0", "1", "2"],
                                  max_bytes=0)
    assert not (tmp_path / "home").exists()  # nothing copied
    for name, part in got.items():
        assert isinstance(part.X, RowFile) and part.X.path == tmp_path / "all.npy"
        assert np.array_equal(np.asarray(part.X), expected[name].X)


@pytest.mark.parametrize("as_dict", [False, True])
def test_predictions_from_disk_equal_predictions_from_memory(tmp_path, as_dict):
    memory = parts(n=300, as_dict=as_dict)["valid"]
    disk = train.parts_on_disk({"valid": memory}, folder=tmp_path)["valid"]
    if as_dict:
        a, b = keras.Input((4, 3), name="a"), keras.Input((2, 3), name="b")
        joined = keras.layers.Concatenate()([keras.layers.Flatten()(a), keras.layers.Flatten()(b)])
        model = keras.Model({"a": a, "b": b}, keras.layers.Dense(3, activation="softmax")(joined))
    else:
        model = normalized_model()
    got, expected = (train.predict_tracks(model, p.X, p.table[["track_id"]], classes=["0", "1", "2"], batch_size=64)
                     for p in (disk, memory))
    np.testing.assert_allclose(got.probabilities, expected.probabilities, atol=1e-6)
    pd.testing.assert_frame_equal(got.tracks, expected.tracks)
