"""Checks for the exercises of chapter 9 (recurrent networks).

Used in: solutions/09_recurrent_exercises.ipynb
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from course_utils.checks import check, reject


@check("9.1")
def check_two_layer_lstm(two_layer_lstm) -> str:
    """``two_layer_lstm(input_shape, n_classes, units=)``: two stacked LSTMs, the first passing on its sequence."""
    from keras import layers

    try:
        model = two_layer_lstm((12, 5), 4, units=(24, 8))
    except ValueError as err:
        if "ndim" in str(err):
            reject("the second LSTM received one vector per example instead of a sequence: give the first "
                   "LSTM return_sequences=True, so that it passes on its state after every step")
        raise
    recurrent = [layer for layer in model.layers if isinstance(layer, (layers.LSTM, layers.Bidirectional))]
    if any(isinstance(layer, layers.Bidirectional) for layer in recurrent):
        reject("use two plain LSTM layers here (bidirectional ones are chapter 9's bilstm)")
    if len(recurrent) != 2:
        reject(f"the model has {len(recurrent)} LSTM layers; stack two")
    first, second = recurrent
    if tuple(model.output_shape) == (None, 12, 4):
        reject("the model gives one answer per step: the second LSTM should return only its last state "
               "(return_sequences=False, the default)")
    if tuple(model.output_shape) != (None, 4):
        reject(f"the model's output should be (None, n_classes) = (None, 4), got {model.output_shape}")
    if not first.return_sequences or second.return_sequences:
        reject("only the first LSTM should return its whole sequence of states")
    if (first.units, second.units) != (24, 8):
        reject(f"the LSTMs have {first.units} and {second.units} units; use units[0] for the first and "
               "units[1] for the second (24 and 8 in this check)")
    probabilities = model.predict(np.random.default_rng(0).normal(size=(3, 12, 5)), verbose=0)
    if not np.allclose(probabilities.sum(axis=1), 1, atol=1e-4):
        reject("the outputs of a row do not sum to 1: keep the softmax layer at the end")
    return (f"The first LSTM hands its {first.units}-value state of every step to the second, which summarises "
            f"the sequence in {second.units} values.")


def _units_of(model) -> int:
    from keras import layers

    recurrent = [layer for layer in model.layers if isinstance(layer, layers.LSTM)]
    if not recurrent:
        reject(f"the model {getattr(model, 'name', model)!r} has no LSTM layer")
    return recurrent[0].units


@check("9.2")
def check_units_exploration(results, chosen, *, parts, values) -> str:
    """``results[units] = (model, fit_result)`` for every value, trained on the training part with validation;
    ``chosen``: the units whose kept epoch has the lowest validation loss."""
    if not isinstance(results, dict) or sorted(results) != sorted(values):
        reject(f"results should hold one entry per value of units_values {list(values)}, got "
               f"{sorted(results) if isinstance(results, dict) else type(results).__name__}")
    train_mean = parts["train"].X.mean(axis=(0, 2))
    losses = {}
    for units, entry in results.items():
        if not isinstance(entry, tuple) or len(entry) != 2:
            reject(f"results[{units}] should be the pair (model, fit_result), got {type(entry).__name__}")
        model, fitted = entry
        if _units_of(model) != units:
            reject(f"the model stored under {units} has {_units_of(model)} units: build it with units={units}")
        if not isinstance(getattr(fitted, "history", None), pd.DataFrame) or "val_loss" not in fitted.history:
            reject(f"results[{units}][1] has no validation loss: store what train.fit returns, and pass it "
                   "parts['valid'] as validation data")
        mean = model.get_layer("normalize").adapt_mean.numpy()
        for other in ("valid", "test"):
            if other in parts and np.allclose(mean, parts[other].X.mean(axis=(0, 2)), atol=1e-4):
                reject(f"the model for {units} units was trained on the {other} part: train on parts['train']")
        if not np.allclose(mean, train_mean, atol=1e-3):
            reject(f"the model for {units} units was not trained on parts['train'] (its input statistics differ)")
        losses[units] = float(fitted.history.loc[fitted.best_epoch, "val_loss"])
    best = min(losses, key=losses.get)
    if chosen != best:
        reject(f"chosen is {chosen!r}, but {best} units reached the lowest validation loss at its kept epoch "
               f"({losses[best]:.3f}): choose by history.loc[best_epoch, 'val_loss']")
    listed = ", ".join(f"{u} units {v:.3f}" for u, v in sorted(losses.items()))
    return f"Validation losses of the kept epochs: {listed}."


def _crop_case(n: int = 6, total: int = 20, features: int = 3) -> np.ndarray:
    """X[i, t, f] = 1000 i + 10 t + f, so that every value says where it came from."""
    i, t, f = np.meshgrid(np.arange(n), np.arange(total), np.arange(features), indexing="ij")
    return (1000 * i + 10 * t + f).astype(np.float32)


def _starts(X: np.ndarray, crops: np.ndarray) -> list[int]:
    """Where each crop starts in its own example (rejecting anything else)."""
    starts = []
    for i, crop in enumerate(crops):
        example = np.round(crop[:, 0] / 1000).astype(int)
        if np.any(example != i):
            reject(f"crop {i} holds steps of example {sorted(set(example.tolist()))}: crop each example from itself")
        steps = np.round((crop[:, 0] - 1000 * i) / 10).astype(int)
        if np.any(np.diff(steps) != 1):
            reject(f"crop {i} holds steps {steps.tolist()}: take consecutive steps, X[i, start:start + steps]")
        if not np.array_equal(crop, X[i, steps[0]:steps[0] + len(steps)]):
            reject(f"crop {i} does not hold every feature of its steps")
        starts.append(int(steps[0]))
    return starts


@check("9.3")
def check_random_crop(random_crop) -> str:
    """``random_crop(X, rng, steps=)``: from each example of (n, total, features), ``steps`` consecutive steps."""
    X = _crop_case()
    before = X.copy()
    crops = np.asarray(random_crop(X, np.random.default_rng(0), steps=5))
    if not np.array_equal(X, before):
        reject("your function changed X: return new arrays and leave X as it is")
    if crops.ndim == 3 and crops.shape[1] == X.shape[1]:
        reject(f"the crops have shape {crops.shape}, every step kept: crop along the steps (axis 1) and "
               "keep every feature")
    if crops.shape != (6, 5, 3):
        reject(f"expected crops of shape (n, steps, features) = (6, 5, 3), got {crops.shape}")
    starts = _starts(X, crops)
    if len(set(starts)) == 1:
        reject(f"every example was cropped at step {starts[0]}: draw one start per example")
    if not np.array_equal(np.asarray(random_crop(X, np.random.default_rng(0), steps=5)), crops):
        reject("two calls with equally seeded rngs gave different crops: draw every random number from rng")
    if not np.array_equal(np.asarray(random_crop(X, np.random.default_rng(1), steps=20)), X):
        reject("with steps equal to the sequence's length, the crop is the whole sequence")
    many = _crop_case(n=300)
    drawn = set(_starts(many, np.asarray(random_crop(many, np.random.default_rng(2), steps=5))))
    if 0 not in drawn or 15 not in drawn:
        reject(f"in 300 crops of 5 steps out of 20, the starts ran from {min(drawn)} to {max(drawn)}; "
               "every start from 0 to 15 is possible (rng.integers' upper bound is exclusive: "
               "rng.integers(0, total - steps + 1))")
    return f"One window of consecutive steps per example, at random starts (here {starts})."
