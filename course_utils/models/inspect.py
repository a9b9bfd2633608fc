"""Looking inside a trained network: receptive fields, layer outputs, saliency, an LSTM's states over time.

Used in: book/08_cnn.ipynb, book/09_recurrent.ipynb.
"""

from __future__ import annotations

import keras
import numpy as np
import pandas as pd
from keras import layers

from course_utils.errors import ConfigError

WINDOWED = (layers.Conv1D, layers.Conv2D, layers.MaxPooling1D, layers.MaxPooling2D, layers.AveragePooling1D,
            layers.AveragePooling2D)


def _window(layer) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """Size, stride and dilation of a convolution or pooling layer, per axis."""
    config = layer.get_config()
    size = config.get("kernel_size") or config["pool_size"]
    strides = config.get("strides") or size
    dilation = config.get("dilation_rate", (1,) * len(size))
    return tuple(size), tuple(strides), tuple(dilation)


def receptive_field(model, *, axes: tuple[str, ...] | None = None) -> pd.DataFrame:
    """How many input cells each unit of every convolution and pooling layer sees, per axis.

    A first 3 x 3 convolution sees 3 x 3 input cells. Each later layer of size ``k`` adds
    ``(k - 1) x step`` cells per axis, where ``step`` is the distance in input cells between two
    neighbouring units; every pooling (stride 2) doubles that step.

    Parameters
    ----------
    model : keras.Model
        A chain of layers such as :func:`~course_utils.models.cnn2d` or :func:`~course_utils.models.cnn1d`.
    axes : tuple of str, optional
        Names of the axes; default ``("bands", "frames")`` for 2-D layers, ``("steps",)`` for 1-D.

    Returns
    -------
    pd.DataFrame
        One row per convolution or pooling layer, in order: ``layer``, then ``field {axis}`` (input
        cells seen) and ``step {axis}`` (input cells between neighbouring units) for each axis.
    """
    chain = [layer for layer in model.layers if isinstance(layer, WINDOWED)]
    if not chain:
        raise ConfigError(f"model {model.name!r} has no convolution or pooling layer")
    n_axes = len(_window(chain[0])[0])
    axes = axes or (("bands", "frames") if n_axes == 2 else ("steps",))
    if len(axes) != n_axes:
        raise ConfigError(f"axes must name the {n_axes} axes of the layers, got {axes!r}")
    field, step, rows = np.ones(n_axes, dtype=int), np.ones(n_axes, dtype=int), []
    for layer in chain:
        size, strides, dilation = (np.array(v) for v in _window(layer))
        field = field + (size - 1) * dilation * step
        step = step * strides
        rows.append({"layer": layer.name, **{f"field {a}": int(f) for a, f in zip(axes, field)},
                     **{f"step {a}": int(s) for a, s in zip(axes, step)}})
    return pd.DataFrame(rows)


def layer_output(model, x: np.ndarray, layer: str) -> np.ndarray:
    """The output of the layer named ``layer`` for a batch of inputs ``x`` (inference mode)."""
    try:
        target = model.get_layer(layer)
    except ValueError:
        raise ConfigError(f"model {model.name!r} has no layer {layer!r}; its layers: "
                          f"{[l.name for l in model.layers]}") from None
    return keras.ops.convert_to_numpy(keras.Model(model.input, target.output)(np.asarray(x), training=False))


def saliency(model, x: np.ndarray, *, class_index: int | None = None) -> np.ndarray:
    """How strongly each input cell moves the score of one class: the absolute gradient (vanilla saliency).

    The score is the class's logit (its value before the softmax) when the model ends in a dense
    softmax layer, as in Simonyan et al. (2014): a confident softmax output barely moves, so its
    gradient would be mostly noise. Otherwise it is the model's output for the class.

    Parameters
    ----------
    x : np.ndarray
        One example, shape ``model.input_shape[1:]`` (e.g. (bands, frames)).
    class_index : int, optional
        The class whose score is differentiated; default the predicted class.

    Returns
    -------
    np.ndarray, same shape as ``x``
    """
    import tensorflow as tf

    x = np.asarray(x, dtype=np.float32)
    if x.shape != tuple(model.input_shape[1:]):
        raise ConfigError(f"x must be one example of shape {tuple(model.input_shape[1:])}, got {x.shape}")
    last = model.layers[-1]
    softmax = isinstance(last, layers.Dense) and last.activation is keras.activations.softmax
    before_last = keras.Model(model.input, last.input) if softmax else None
    batch = tf.convert_to_tensor(x[None])
    with tf.GradientTape() as tape:
        tape.watch(batch)
        if softmax:
            scores = tf.matmul(before_last(batch, training=False), last.kernel) + last.bias
        else:
            scores = model(batch, training=False)
        chosen = int(tf.argmax(scores[0])) if class_index is None else int(class_index)
        if not 0 <= chosen < scores.shape[-1]:
            raise ConfigError(f"class_index must be in [0, {scores.shape[-1]}), got {class_index!r}")
        target = scores[0, chosen]
    return np.abs(tape.gradient(target, batch)[0].numpy())


def states_over_time(model, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What a one-directional LSTM model knows after each step: its hidden state and its class probabilities.

    The last LSTM layer of ``model`` is run again with the same weights but returning its state
    after every step; the layers after it (batch normalisation, the softmax layer) read each of
    those states as if the sequence had ended there.

    Parameters
    ----------
    model : keras.Model
        From :func:`~course_utils.models.lstm` (not bidirectional: a backward reader has not read
        the start of the sequence before the end).
    x : np.ndarray
        One example, shape ``model.input_shape[1:]``.

    Returns
    -------
    states : np.ndarray, shape (steps, units)
        Steps after the model's own pooling.
    probabilities : np.ndarray, shape (steps, n_classes)
    """
    recurrent = [i for i, layer in enumerate(model.layers) if isinstance(layer, (layers.LSTM, layers.Bidirectional))]
    if not recurrent or isinstance(model.layers[recurrent[-1]], layers.Bidirectional):
        raise ConfigError(f"model {model.name!r} has no final one-directional LSTM layer to follow over time")
    x = np.asarray(x, dtype=np.float32)
    if x.shape != tuple(model.input_shape[1:]):
        raise ConfigError(f"x must be one example of shape {tuple(model.input_shape[1:])}, got {x.shape}")
    last = model.layers[recurrent[-1]]
    inputs = keras.Model(model.input, last.input)(x[None], training=False)
    every_step = layers.LSTM.from_config({**last.get_config(), "return_sequences": True, "name": "every_step"})
    every_step.build(inputs.shape)
    every_step.set_weights(last.get_weights())
    states = every_step(inputs)[0]
    out = states  # the steps as a batch: the layers after the LSTM read one state each
    for layer in model.layers[recurrent[-1] + 1:]:
        out = layer(out, training=False)
    return keras.ops.convert_to_numpy(states), keras.ops.convert_to_numpy(out)
