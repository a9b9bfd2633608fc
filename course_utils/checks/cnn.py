"""Checks for the exercises of chapter 8 (convolutional networks).

Used in: solutions/08_cnn_exercises.ipynb
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from course_utils.checks import check, reject
from course_utils.train import FitResult


def _block_layers(conv_block, input_shape: tuple[int, ...], channels: int):
    """The learner's block on a fresh input: (output shape, layers between input and output)."""
    import keras

    inputs = keras.Input(input_shape)
    try:
        outputs = conv_block(inputs, channels)
    except ValueError as err:
        reject(f"building the block failed ({err}); call each layer on the previous layer's output")
    if not hasattr(outputs, "shape") or getattr(outputs, "_keras_history", None) is None:
        reject(f"conv_block should return the Keras tensor after the last layer, got {type(outputs).__name__}")
    model = keras.Model(inputs, outputs)
    return tuple(outputs.shape), [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]


def _kind(layer) -> str:
    import keras
    from keras import layers

    if isinstance(layer, layers.Conv2D):
        return "conv+relu" if layer.activation is keras.activations.relu else "conv"
    if isinstance(layer, layers.BatchNormalization):
        return "bn"
    if isinstance(layer, layers.ReLU) or (isinstance(layer, layers.Activation)
                                          and layer.activation is keras.activations.relu):
        return "relu"
    if isinstance(layer, layers.MaxPooling2D):
        return "maxpool"
    if isinstance(layer, layers.AveragePooling2D):
        return "avgpool"
    return type(layer).__name__


@check("8.1")
def check_conv_block(conv_block) -> str:
    """``conv_block(x, channels)``: 3x3 same-padded convolution -> batch norm -> ReLU -> 2x2 max pooling."""
    shape, block = _block_layers(conv_block, (32, 40, 8), 12)
    kinds = [_kind(layer) for layer in block]
    convs = [layer for layer in block if _kind(layer).startswith("conv")]
    if len(convs) != 1:
        reject(f"the block should hold one Conv2D layer, it holds {len(convs)} (layers: {kinds})")
    conv = convs[0]
    if conv.filters != 12:
        reject(f"the convolution has {conv.filters} filters; use the `channels` argument (12 in this check)")
    if tuple(conv.kernel_size) != (3, 3):
        reject(f"the convolution's kernel is {tuple(conv.kernel_size)}; the block uses 3 x 3 filters")
    if "bn" not in kinds:
        reject(f"no BatchNormalization layer (layers: {kinds}): add one right after the convolution")
    if kinds.index("bn") < kinds.index(_kind(conv)):
        reject(f"the batch normalisation comes before the convolution (layers: {kinds}): it normalises the "
               "convolution's output, so put it right after Conv2D")
    if "conv+relu" in kinds or ("relu" in kinds and kinds.index("relu") < kinds.index("bn")):
        reject("the ReLU comes before the batch normalisation: normalise the convolution's output first "
               "(Conv2D without activation -> BatchNormalization -> ReLU)")
    if "relu" not in kinds:
        reject(f"no ReLU after the batch normalisation (layers: {kinds})")
    if "avgpool" in kinds:
        reject("the block pools by averaging: use max pooling (MaxPooling2D)")
    if "maxpool" not in kinds:
        reject(f"the output has shape {shape[1:]}, as large as the input: end with MaxPooling2D(2)")
    if kinds.index("maxpool") < kinds.index("relu"):
        reject(f"the pooling comes too early (layers: {kinds}): pool last")
    if kinds != ["conv", "bn", "relu", "maxpool"]:
        reject(f"the block holds the layers {kinds}: it should be exactly Conv2D -> BatchNormalization -> "
               "ReLU -> MaxPooling2D, nothing more")
    norm = block[kinds.index("bn")]
    if list(np.atleast_1d(norm.axis)) not in ([-1], [3]):
        reject(f"the batch normalisation normalises axis {norm.axis}: normalise each of the channels (the last "
               "axis, BatchNormalization()'s default)")
    if shape[1:] == (15, 19, 12):
        reject("the output is 15 x 19 instead of 16 x 20: the convolution shrinks its input; "
               "use padding='same'")
    if shape[1:] != (16, 20, 12):
        reject(f"a (32, 40, 8) input should give (16, 20, 12), got {shape[1:]}")
    odd, _ = _block_layers(conv_block, (7, 9, 1), 4)
    if odd[1:] != (3, 4, 4):
        reject(f"a (7, 9, 1) input should give (3, 4, 4), got {odd[1:]}")
    weights = sum(layer.count_params() for layer in block if _kind(layer).startswith("conv"))
    if weights != 3 * 3 * 8 * 12:
        reject(f"the convolution holds {weights} weights; with batch normalisation right after it a bias is "
               "useless: Conv2D(..., use_bias=False) holds 3 x 3 x 8 x 12 = 864")
    return "Convolution, batch normalisation, ReLU and pooling, in that order; the grid halves, the maps multiply."


def _fit_result(losses: list[float], val_losses: list[float], val_accuracy: list[float], best: int) -> FitResult:
    history = pd.DataFrame({"loss": losses, "val_loss": val_losses, "val_accuracy": val_accuracy,
                            "seconds": 1.0}, index=pd.RangeIndex(1, len(losses) + 1, name="epoch"))
    return FitResult(history=history, best_epoch=best, epochs=20, train_seconds=float(len(losses)))


def _crafted_runs() -> dict:
    """Runs where the lowest training loss, the lowest last validation loss and the highest
    validation accuracy all point at other settings than the lowest validation loss of the kept epoch."""
    return {
        0.01: _fit_result([1.0, 0.2, 0.05, 0.01], [1.2, 1.0, 1.1, 1.3], [0.5, 0.6, 0.6, 0.5], best=2),
        0.003: _fit_result([1.1, 0.6, 0.5, 0.4], [1.1, 0.8, 0.85, 0.9], [0.5, 0.7, 0.9, 0.9], best=2),
        0.001: _fit_result([1.2, 0.8, 0.6, 0.5, 0.45], [1.3, 0.9, 0.7, 0.75, 0.72], [0.4, 0.5, 0.6, 0.6, 0.62],
                           best=3),
        0.0003: _fit_result([1.5, 1.3, 1.2], [1.4, 1.2, 0.71], [0.3, 0.4, 0.5], best=3),
    }


@check("8.2")
def check_best_setting(best_setting) -> str:
    """``best_setting(runs)``: the key whose kept epoch has the lowest validation loss."""
    runs = _crafted_runs()
    chosen = best_setting(runs)
    if chosen not in runs:
        reject(f"return one of the keys of runs (the settings, e.g. {list(runs)[:2]}), got {chosen!r}")
    if chosen == 0.01:
        reject("you chose the setting with the lowest *training* loss: that rewards memorising the training "
               "tracks. Compare validation losses")
    if chosen == 0.003:
        reject("you chose by validation accuracy; the exercise asks for the lowest validation loss, the "
               "quantity early stopping watches (accuracy moves in steps of one segment and ties easily)")
    if chosen == 0.0003:
        reject("you compared the validation losses of the *last* epochs, but each model holds the weights "
               "of its kept epoch (best_epoch): read history.loc[result.best_epoch, 'val_loss']")
    return "Chosen on validation data only, with the weights each run really kept."


def _mask_case(n: int = 8, bands: int = 16, frames: int = 24) -> np.ndarray:
    rng = np.random.default_rng(5)
    return (rng.normal(size=(n, bands, frames)) - 40.0 + np.arange(n)[:, None, None] * 5.0).astype(np.float32)


@check("8.3")
def check_frequency_mask(frequency_mask) -> str:
    """``frequency_mask(X, rng, max_bands=)``: per example one span of up to ``max_bands`` whole bands set to its mean."""
    X = _mask_case()
    before = X.copy()
    out = np.asarray(frequency_mask(X, np.random.default_rng(0), max_bands=5))
    if not np.array_equal(X, before):
        reject("your function changed X itself: work on a copy (np.array(X, copy=True)), so that the original "
               "segments stay intact for the next epoch")
    if out.shape != X.shape:
        reject(f"the result should keep the shape {X.shape}, got {out.shape}")
    spans, widths = [], []
    for original, masked in zip(X, out):
        changed = ~np.isclose(masked, original)
        if not changed.any():
            widths.append(0)
            continue
        rows, columns = changed.any(axis=1), changed.any(axis=0)
        if not columns.all() and changed.all(axis=0)[columns].all():
            reject("the masks cover columns (frames): that is time masking. Mask rows, X[i, start:end, :]")
        if not changed.all(axis=1)[rows].all():
            reject("a masked band must be masked over all its frames: set whole rows X[i, start:end, :]")
        index = np.flatnonzero(rows)
        if np.any(np.diff(index) != 1):
            reject("the masked bands of an example are not one contiguous span: mask start:start + width")
        if len(index) > 5:
            reject(f"an example has {len(index)} masked bands, more than max_bands=5")
        values = masked[changed]
        if np.allclose(values, 0):
            reject("masked cells are set to 0: in decibels 0 is a loud value, not silence; use the example's mean")
        if np.allclose(values, X.mean(), atol=1e-3) and not np.allclose(values, original.mean(), atol=1e-3):
            reject("masked cells hold the mean of the whole batch: use each example's own mean")
        if not np.allclose(values, original.mean(), atol=1e-3):
            reject("masked cells should hold the example's mean (computed before masking)")
        spans.append((index[0], len(index)))
        widths.append(len(index))
    if len(set(spans)) < 2:
        reject("every example got the same span: draw a new width and start for each example")
    again = np.asarray(frequency_mask(X, np.random.default_rng(0), max_bands=5))
    if not np.allclose(again, out):
        reject("two calls with equally seeded rngs gave different masks: draw every random number from rng")
    if not np.allclose(np.asarray(frequency_mask(X, np.random.default_rng(1), max_bands=0)), X):
        reject("with max_bands=0 nothing should change")
    many = np.repeat(X[:1], 400, axis=0)
    wide = np.asarray(frequency_mask(many, np.random.default_rng(2), max_bands=3))
    masked_rows = ~np.isclose(wide, many).all(axis=2)
    counts = masked_rows.sum(axis=1)
    if counts.max() < 3:
        reject("no example ever got a mask of max_bands bands: draw widths from 0 to max_bands inclusive "
               "(rng.integers(0, max_bands + 1))")
    if not masked_rows[:, -1].any() or not masked_rows[:, 0].any():
        reject("in 400 draws the first or the last band was never masked: let the start run from 0 to "
               "bands - width inclusive (rng.integers' upper bound is exclusive)")
    return f"Masks of 0 to 5 whole bands, one per example, filled with its mean (widths here: {widths})."
