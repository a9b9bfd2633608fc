"""What every neural builder shares: checked arguments, a normalised input, the classifier head, compiling.

Every builder of :mod:`course_utils.models.cnn` and :mod:`course_utils.models.recurrent` starts with
a ``Normalization`` layer right on its input: it standardises each frequency band (or each embedding
dimension) with a mean and variance that :func:`course_utils.train.fit` computes from the training
inputs only, the first time the model is trained. The model therefore takes the cached arrays as
they are (log-mel in dB, MFCCs, embeddings), and a saved model carries its own scaling.

Every model ends with dropout and a softmax layer, and is compiled with Adam and the categorical
cross-entropy on one-hot labels (so that mixup's soft labels fit the same loss).

Used in: book/08_cnn.ipynb, book/09_recurrent.ipynb.
"""

from __future__ import annotations

import numbers
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ start-up chatter stays out of the pages

import keras
import numpy as np
from keras import layers

from course_utils.errors import ConfigError


# Keras's default momentum (0.99) lets the running statistics that batch normalisation uses at inference
# settle only after hundreds of steps; a small data set gives tens per epoch, and the validation loss
# that early stopping watches would be measured with unsettled statistics.
BN_MOMENTUM = 0.9


def batch_norm(name: str):
    """A ``BatchNormalization`` layer with :data:`BN_MOMENTUM`."""
    return layers.BatchNormalization(momentum=BN_MOMENTUM, name=name)


def check_shape(input_shape, *, ndim: int, what: str) -> tuple[int, ...]:
    """``input_shape`` as a tuple of ``ndim`` positive ints (the shape of one example, no batch axis)."""
    shape = tuple(input_shape) if isinstance(input_shape, (tuple, list)) else None
    if shape is None or len(shape) != ndim or not all(
            isinstance(s, numbers.Integral) and not isinstance(s, bool) and s > 0 for s in shape):
        raise ConfigError(f"input_shape must be {what} ({ndim} positive integers, no batch axis), "
                          f"got {input_shape!r}")
    return tuple(int(s) for s in shape)


def check_count(name: str, value, *, minimum: int = 1) -> int:
    """``value`` as an int of at least ``minimum``, or a :class:`ConfigError` naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ConfigError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_sizes(name: str, values) -> tuple[int, ...]:
    """One positive int or a non-empty sequence of them, as a tuple (e.g. filters per block)."""
    values = (values,) if isinstance(values, numbers.Integral) else tuple(values)
    if not values:
        raise ConfigError(f"{name} must hold at least one size, got an empty sequence")
    return tuple(check_count(name, v) for v in values)


def check_rate(name: str, value) -> float:
    """A dropout rate in [0, 1)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value < 1:
        raise ConfigError(f"{name} must be a rate in [0, 1), got {value!r}")
    return float(value)


def check_learning_rate(value) -> float:
    """A learning rate: a positive number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0:
        raise ConfigError(f"learning_rate must be a positive number, got {value!r}")
    return float(value)


class LayerSeeds:
    """The seeds of one model's random layers, drawn in order from the model's ``seed``.

    Each layer that draws random numbers (initial weights, dropout masks) gets its own seed, so
    equal seeds give equal models and no global random state is touched. ``seed=None``: every
    layer draws from Keras's global generator.
    """

    def __init__(self, seed: int | None):
        self.seed = None if seed is None else check_count("seed", seed, minimum=0)
        self.drawn = 0

    def next(self) -> int | None:
        """The next layer's seed (None when unseeded)."""
        if self.seed is None:
            return None
        self.drawn += 1
        return int(np.random.SeedSequence([self.seed, self.drawn]).generate_state(1)[0])

    def kernel(self):
        """A seeded Glorot-uniform initializer, Keras's default for weight matrices and kernels."""
        return keras.initializers.GlorotUniform(seed=self.next())

    def recurrent(self):
        """A seeded orthogonal initializer, Keras's default for an LSTM's recurrent weights."""
        return keras.initializers.Orthogonal(seed=self.next())


def normalized_input(shape: tuple[int, ...], *, axis: int, name: str):
    """An ``Input`` of ``shape`` and its standardised version, one mean and variance per index of ``axis``.

    ``axis`` counts the example's axes from 0 (0: the first axis of ``shape``).
    """
    inputs = keras.Input(shape, name=name)
    return inputs, layers.Normalization(axis=axis + 1, name="normalize")(inputs)


def sequence_input(input_shape, *, time_axis: int, pool: int = 1, dropout: float = 0.0,
                   seeds: LayerSeeds | None = None):
    """An ``Input`` for sequences and the layers every sequence model starts with.

    ``normalize`` (each feature standardised), ``to_time_first`` when ``time_axis=1`` (for
    (features, steps) examples such as spectrogram segments), ``pool`` (the average of every
    ``pool`` steps, when there are that many), ``input_dropout``.

    Returns
    -------
    inputs, x
        The ``Input`` and the (batch, steps, features) tensor after those layers.
    """
    shape = check_shape(input_shape, ndim=2, what="(steps, features) or (features, steps)")
    if time_axis not in (0, 1):
        raise ConfigError(f"time_axis must be 0 (steps, features) or 1 (features, steps), got {time_axis!r}")
    pool = check_count("pool", pool)
    inputs, x = normalized_input(shape, axis=1 - time_axis, name="sequence")
    if time_axis == 1:
        x = layers.Permute((2, 1), name="to_time_first")(x)
    if pool > 1 and x.shape[1] >= pool:
        x = layers.AveragePooling1D(pool, name="pool")(x)
    seed = None if seeds is None else seeds.next()
    return inputs, layers.Dropout(check_rate("input_dropout", dropout), seed=seed, name="input_dropout")(x)


def pool_sizes(shape, size) -> tuple[int, ...]:
    """Pool by ``size`` along each axis, but only where the axis still has at least ``size`` steps."""
    return tuple(s if n >= s else 1 for n, s in zip(shape, size))


def classifier(inputs, x, n_classes: int, *, dropout: float, name: str, learning_rate: float,
               seeds: LayerSeeds) -> keras.Model:
    """Finish a model: ``dropout``, one softmax unit per class (``probabilities``), then compile it
    with Adam and the categorical cross-entropy."""
    n_classes = check_count("n_classes", n_classes, minimum=2)
    x = layers.Dropout(check_rate("dropout", dropout), seed=seeds.next(), name="dropout")(x)
    outputs = layers.Dense(n_classes, activation="softmax", kernel_initializer=seeds.kernel(), name="probabilities")(x)
    return compiled(keras.Model(inputs, outputs, name=name), learning_rate=learning_rate)


def compiled(model, *, learning_rate: float):
    """``model`` compiled as every classifier of the course: Adam at ``learning_rate``, categorical
    cross-entropy, accuracy."""
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=check_learning_rate(learning_rate)),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def unadapted_normalizations(model) -> list[tuple[layers.Normalization, int]]:
    """The ``Normalization`` layers that read a model input directly and were never adapted.

    Returns
    -------
    list of (layer, input position)
        Position in ``model.inputs`` of the input each layer reads.
    """
    found = []
    for layer in model.layers:
        if not isinstance(layer, layers.Normalization) or getattr(layer, "input_mean", None) is not None:
            continue
        position = next((i for i, t in enumerate(model.inputs) if layer.input is t), None)
        fresh = (np.all(layer.adapt_mean.numpy() == 0)
                 and np.all(layer.adapt_variance.numpy() == 1))
        if position is not None and fresh:
            found.append((layer, position))
    return found
