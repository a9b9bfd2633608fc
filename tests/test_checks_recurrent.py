"""The chapter-9 checks accept right answers and name each plausible wrong one."""

import keras
import numpy as np
import pandas as pd
import pytest
from keras import layers

from course_utils import models, train
from course_utils.checks import recurrent as checks


def expect(check, answer, feedback, capsys, **kwargs):
    capsys.readouterr()
    assert not check(answer, **kwargs), feedback
    assert feedback in capsys.readouterr().out


def stacked(*, first_sequences=True, second_sequences=False, n_lstm=2, swap=False, bidirectional=False):
    def two_layer_lstm(input_shape, n_classes, *, units=(32, 16)):
        sizes = units[::-1] if swap else units
        inputs = keras.Input(input_shape)
        x = layers.Normalization(axis=-1)(inputs)
        for k in range(n_lstm):
            recurrent = layers.LSTM(sizes[k], return_sequences=first_sequences if k == 0 else second_sequences)
            x = (layers.Bidirectional(recurrent) if bidirectional else recurrent)(x)
        model = keras.Model(inputs, layers.Dense(n_classes, activation="softmax")(x))
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        return model
    return two_layer_lstm


def test_two_layer_lstm_right_answer_passes(capsys):
    assert checks.check_two_layer_lstm(stacked())
    assert "✔ Exercise 9.1: correct" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, feedback", [
    (stacked(first_sequences=False), "return_sequences=True"),
    (stacked(second_sequences=True), "one answer per step"),
    (stacked(n_lstm=1, first_sequences=False), "has 1 LSTM layers"),
    (stacked(swap=True), "units[0] for the first"),
    (stacked(bidirectional=True), "plain LSTM"),
])
def test_two_layer_lstm_wrong_answers_get_specific_feedback(wrong, feedback, capsys):
    expect(checks.check_two_layer_lstm, wrong, feedback, capsys)


@pytest.fixture(scope="module")
def sequence_parts():
    rng = np.random.default_rng(0)
    classes = ["a", "b"]
    parts = {}
    for name, offset, n in (("train", 0.0, 16), ("valid", 3.0, 6), ("test", -3.0, 6)):
        X = (rng.normal(size=(n, 4, 8)) + offset).astype(np.float32)
        y = np.arange(n) % 2
        table = pd.DataFrame({"track_id": [f"{name}{i}" for i in range(n)], "label": np.array(classes)[y]})
        parts[name] = train.Part(X, y, table)
    return parts


def explore(parts, values, *, part="train", validation=True, units_of=lambda u: u):
    results = {}
    for units in values:
        model = models.lstm((4, 8), 2, units=units_of(units), time_axis=1, seed=0)
        fitted = train.fit(model, parts[part], parts["valid"] if validation else None, epochs=2, batch_size=8,
                           verbose=False)
        results[units] = (model, fitted)
    return results


def kept(results):
    return min(results, key=lambda u: results[u][1].history.loc[results[u][1].best_epoch, "val_loss"])


def test_units_exploration_right_answer_passes(sequence_parts, capsys):
    results = explore(sequence_parts, (4, 8))
    assert checks.check_units_exploration(results, kept(results), parts=sequence_parts, values=(4, 8))


def test_units_exploration_wrong_answers_get_specific_feedback(sequence_parts, capsys):
    options = dict(parts=sequence_parts, values=(4, 8))
    results = explore(sequence_parts, (4, 8))
    worst = max(results, key=lambda u: results[u][1].history.loc[results[u][1].best_epoch, "val_loss"])
    expect(checks.check_units_exploration, results, "lowest validation loss", capsys, chosen=worst, **options)
    on_test = explore(sequence_parts, (4, 8), part="test")
    expect(checks.check_units_exploration, on_test, "trained on the test part", capsys, chosen=kept(on_test),
           **options)
    no_validation = explore(sequence_parts, (4, 8), validation=False)
    expect(checks.check_units_exploration, no_validation, "no validation loss", capsys, chosen=4, **options)
    mislabelled = explore(sequence_parts, (4, 8), units_of=lambda u: 16)
    expect(checks.check_units_exploration, mislabelled, "has 16 units", capsys, chosen=4, **options)
    expect(checks.check_units_exploration, {4: results[4]}, "one entry per value", capsys, chosen=4, **options)


def cropper(*, axis=1, inclusive=True, shared=False, own=True, global_rng=False):
    def random_crop(X, rng, *, steps):
        draw = np.random.default_rng() if global_rng else rng
        total = X.shape[axis]
        starts = draw.integers(0, total - steps + (1 if inclusive else 0) or 1, size=len(X))
        if shared:
            starts[:] = starts[0]
        source = X if own else X[::-1]
        if axis == 1:
            return np.stack([x[s:s + steps] for x, s in zip(source, starts)])
        return np.stack([x[:, s:s + steps] for x, s in zip(source, starts)])
    return random_crop


def test_random_crop_right_answer_passes(capsys):
    assert checks.check_random_crop(cropper())


@pytest.mark.parametrize("wrong, feedback", [
    (cropper(inclusive=False), "upper bound is exclusive"),
    (cropper(shared=True), "one start per example"),
    (cropper(own=False), "crop each example from itself"),
    (cropper(global_rng=True), "draw every random number from rng"),
    (lambda X, rng, *, steps: X[:, :steps], "one start per example"),
    (lambda X, rng, *, steps: X, "every step kept"),
])
def test_random_crop_wrong_answers_get_specific_feedback(wrong, feedback, capsys):
    expect(checks.check_random_crop, wrong, feedback, capsys)
