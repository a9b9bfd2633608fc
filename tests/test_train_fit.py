"""train.fit: the best epoch is restored, models really learn, every input form works, runs are seeded."""

import keras
import numpy as np
import pandas as pd
import pytest

from course_utils import models, train
from course_utils.errors import ConfigError


def one_weight_model(learning_rate: float):
    """Two logits from a constant input, plain SGD: every training step moves them by a known amount."""
    inputs = keras.Input((1,), name="x")
    outputs = keras.layers.Dense(2, activation="softmax", kernel_initializer="zeros", name="logits")(inputs)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def test_fit_restores_the_epoch_after_which_validation_loss_rises(capsys):
    # Training says "always class 0", so the logit gap d grows every epoch; the validation tracks are
    # 75 % class 0, so their loss falls until p0 = sigmoid(d) passes 0.75, then rises for good.
    rate, n = 0.25, 8
    gaps, gap = [], 0.0
    for _ in range(8):  # one full-batch SGD step per epoch on weight and bias: d += 4 rate (1 - p0)
        gap += 4 * rate * (1 - 1 / (1 + np.exp(-gap)))
        gaps.append(gap)
    p0 = 1 / (1 + np.exp(-np.array(gaps)))
    val_loss = -(0.75 * np.log(p0) + 0.25 * np.log(1 - p0))
    known = int(np.argmin(val_loss)) + 1
    assert known == 3 and np.all(np.diff(val_loss[known - 1:]) > 0)

    model = one_weight_model(rate)
    train_xy = (np.ones((n, 1), np.float32), np.zeros(n, dtype=int))
    val_xy = (np.ones((4, 1), np.float32), np.array([0, 0, 0, 1]))
    result = train.fit(model, train_xy, val_xy, epochs=30, batch_size=n, patience=2)
    assert result.best_epoch == known
    assert len(result.history) == known + 2 and result.stopped_early
    assert np.allclose(result.history["val_loss"], val_loss[:known + 2], atol=1e-5)
    logits = model.predict(np.ones((1, 1)), verbose=0)[0]
    assert np.log(logits[0] / logits[1]) == pytest.approx(gaps[known - 1], abs=1e-4)  # epoch 3's weights
    out, err = capsys.readouterr()
    assert out.splitlines() == [f"{model.name}: {result}"] and f"kept epoch {known}" in out  # one line a model
    assert f"{model.name}: " in err and "/30 [" in err  # the epochs went by in a progress bar


def test_without_validation_every_epoch_runs_and_the_last_is_kept():
    model = one_weight_model(0.1)
    result = train.fit(model, (np.ones((4, 1)), np.zeros(4, dtype=int)), None, epochs=3, batch_size=4, verbose=False)
    assert result.best_epoch == 3 and not result.stopped_early
    assert set(result.history.columns) == {"accuracy", "loss", "seconds"}
    assert result.history.index.tolist() == [1, 2, 3] and result.history.index.name == "epoch"
    assert result.train_seconds >= result.history["seconds"].sum() * 0.9
    assert result.seconds_per_epoch == result.history["seconds"].iloc[1:].median()


def stripes(n_per_class: int, seed: int):
    """(n, 16, 20) 'spectrograms': class c is a bright band of rows 4c..4c+3 in noise."""
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(3), n_per_class)
    X = rng.normal(size=(len(y), 16, 20)).astype(np.float32)
    for c in range(3):
        X[y == c, 4 * c:4 * c + 4, :] += 2.0
    return X, y


def test_a_cnn_learns_a_trivially_separable_set_in_a_few_epochs():
    (X, y), (X_val, y_val), (X_test, y_test) = stripes(40, 0), stripes(10, 1), stripes(20, 2)
    model = models.cnn2d(X.shape[1:], 3, filters=(8, 16), downsample=(1, 1), seed=0)
    before = np.mean(model.predict(X_test, verbose=0).argmax(axis=1) == y_test)
    result = train.fit(model, (X, y), (X_val, y_val), epochs=8, batch_size=16, verbose=False)
    after = np.mean(model.predict(X_test, verbose=0).argmax(axis=1) == y_test)
    assert before < 0.6 and after >= 0.95, (before, after, result.history)


def order_sequences(n_per_class: int, seed: int):
    """(n, 12, 2) sequences: the same pulse early (class 0) or late (class 1); only the order tells them apart."""
    rng = np.random.default_rng(seed)
    y = np.repeat([0, 1], n_per_class)
    X = rng.normal(scale=0.3, size=(len(y), 12, 2)).astype(np.float32)
    X[y == 0, :4, 0] += 1.5
    X[y == 1, -4:, 0] += 1.5
    return X, y


def test_an_lstm_learns_what_only_the_order_of_steps_tells():
    (X, y), (X_val, y_val), (X_test, y_test) = order_sequences(60, 0), order_sequences(15, 1), order_sequences(30, 2)
    model = models.lstm(X.shape[1:], 2, units=16, learning_rate=1e-2, seed=0)
    train.fit(model, (X, y), (X_val, y_val), epochs=12, batch_size=16, verbose=False)
    assert np.mean(model.predict(X_test, verbose=0).argmax(axis=1) == y_test) >= 0.95


def test_normalization_is_adapted_on_training_inputs_only():
    X, y = stripes(10, 3)
    X_val = X + 100.0  # validation statistics far away: they must not leak into the model
    model = models.cnn2d(X.shape[1:], 3, filters=4, seed=0)
    train.fit(model, (X, y), (X_val, y), epochs=1, batch_size=8, verbose=False)
    layer = model.get_layer("normalize")
    assert np.allclose(layer.adapt_mean.numpy(), X.mean(axis=(0, 2)), atol=1e-4)
    assert np.allclose(layer.adapt_variance.numpy(), X.var(axis=(0, 2)), rtol=1e-3)
    mean = layer.adapt_mean.numpy().copy()
    train.fit(model, (X + 5.0, y), None, epochs=1, batch_size=8, verbose=False)
    assert np.array_equal(layer.adapt_mean.numpy(), mean)  # adapted once, then kept


def two_input_model():
    a, b = keras.Input((3,), name="a"), keras.Input((2,), name="b")
    joined = keras.layers.Concatenate()([keras.layers.Normalization(name="norm_a")(a),
                                         keras.layers.Normalization(name="norm_b")(b)])
    model = keras.Model({"a": a, "b": b}, keras.layers.Dense(2, activation="softmax")(joined))
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def test_fit_takes_dicts_of_arrays_for_multi_input_models():
    rng = np.random.default_rng(0)
    X = {"a": rng.normal(3.0, size=(20, 3)).astype(np.float32), "b": rng.normal(-2.0, size=(20, 2)).astype(np.float32)}
    y = np.arange(20) % 2
    model = two_input_model()
    result = train.fit(model, (X, y), (X, y), epochs=2, batch_size=5, verbose=False)
    assert len(result.history) == 2
    for name in "ab":
        mean = model.get_layer(f"norm_{name}").adapt_mean.numpy()
        assert np.allclose(mean, X[name].mean(axis=0), atol=1e-5)
    with pytest.raises(ConfigError, match="'b'"):
        train.fit(two_input_model(), ({"a": X["a"]}, y), None, epochs=1, batch_size=5, verbose=False)


def test_fit_takes_a_tf_data_pipeline_and_a_part():
    X, y = stripes(6, 4)
    pipeline = train.as_dataset((X, y), n_classes=3, batch_size=6)
    model = models.cnn2d(X.shape[1:], 3, filters=4)
    result = train.fit(model, pipeline, pipeline, epochs=2, batch_size=999, verbose=False)
    assert len(result.history) == 2
    assert np.allclose(model.get_layer("normalize").adapt_mean.numpy(), X.mean(axis=(0, 2)),
                       atol=1e-4)
    part = train.Part(X, y, pd.DataFrame({"track_id": [f"t{i}" for i in range(len(y))], "label": y}))
    assert len(train.fit(models.cnn2d(X.shape[1:], 3, filters=4), part, part, epochs=1, batch_size=4,
                         verbose=False).history) == 1


def test_equal_seeds_give_equal_runs():
    X, y = stripes(8, 5)
    runs = [train.fit(models.cnn2d(X.shape[1:], 3, filters=4, seed=1), (X, y), (X, y), epochs=2, batch_size=4,
                      augment=train.Augmentation(mixup=0.2), seed=7, verbose=False) for _ in range(2)]
    columns = ["loss", "val_loss"]
    assert np.allclose(runs[0].history[columns], runs[1].history[columns], rtol=1e-5)


@pytest.mark.parametrize("kwargs, message", [
    ({"epochs": 0, "batch_size": 4}, "epochs"),
    ({"epochs": 1, "batch_size": 0}, "batch_size"),
    ({"epochs": 1, "batch_size": 4, "patience": 0}, "patience"),
])
def test_bad_settings_are_named(kwargs, message):
    X, y = stripes(2, 6)
    with pytest.raises(ConfigError, match=message):
        train.fit(models.cnn2d(X.shape[1:], 3, filters=4), (X, y), None, **kwargs)


def test_uncompiled_models_and_bad_labels_are_refused():
    X, y = stripes(2, 6)
    bare = keras.Sequential([keras.Input((16, 20)), keras.layers.Flatten(), keras.layers.Dense(3)])
    with pytest.raises(ConfigError, match="not a compiled"):
        train.fit(bare, (X, y), None, epochs=1, batch_size=2)
    with pytest.raises(ConfigError, match="class indices"):
        train.fit(models.cnn2d(X.shape[1:], 3, filters=4), (X, y + 5), None, epochs=1, batch_size=2)
    with pytest.raises(ConfigError, match="labels"):
        train.fit(models.cnn2d(X.shape[1:], 3, filters=4), (X, y[:-1]), None, epochs=1, batch_size=2)
