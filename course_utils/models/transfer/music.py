"""Transfer learning from a music network: musicnn's pretrained layers (the weights of its wheel) under a
genre head, fine-tuned, against the same architecture trained from scratch.

musicnn (Pons & Serra) learned to tag the Million Song Dataset with 50 tags from 3-s log-mel patches.
Its weights ship with the course's install, so these models run offline, everywhere:

- the *frozen* regime is chapter 10's head over its penultimate layer (200 values per patch);
- :func:`musicnn_top` fine-tunes its back-end (its last dense layer) under a copy of that trained head,
  reading the pooled mid-end features, which never change, computed once;
- :func:`musicnn_scratch` is the whole musicnn architecture with random weights and a genre head, for
  the comparison that says what the pretrained weights are worth.

Used in: book/10_transfer_learning.ipynb.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from course_utils.config import DEFAULT_SEED
from course_utils.embeddings.musicnn import build_musicnn, load_musicnn
from course_utils.errors import ConfigError
from course_utils.models.blocks import check_count, compiled
from course_utils.models.transfer.fine_tune import _copied

MUSICNN = "MSD_musicnn"
POOLED_LAYERS = ("max_pool", "mean_pool")
BACKEND = ("batch_normalization_9", "dense", "batch_normalization_10")  # pooled -> penultimate
POOLED, PENULTIMATE = 1506, 200  # 2 x 753 pooled mid-end values; the back-end's units


def pooled_features(max_pool: np.ndarray, mean_pool: np.ndarray) -> np.ndarray:
    """The input of musicnn's back-end from its two pooled outputs: shape (n, 2 * 753), max and mean interleaved."""
    max_pool, mean_pool = np.asarray(max_pool, np.float32), np.asarray(mean_pool, np.float32)
    if max_pool.ndim != 2 or max_pool.shape != mean_pool.shape:
        raise ConfigError(f"max_pool and mean_pool must be 2-D and of one shape, got {max_pool.shape} and "
                          f"{mean_pool.shape}")
    return np.stack([max_pool, mean_pool], axis=2).reshape(len(max_pool), -1)


def _backend(x, *, model: str, trainable: bool):
    """``x`` through copies of musicnn's pretrained back-end layers (batch normalisation always frozen)."""
    network = load_musicnn(model)
    for name in BACKEND:
        layer = network.get_layer(name)
        copy = layer.__class__.from_config(layer.get_config())
        frozen = isinstance(layer, layers.BatchNormalization)
        x = copy(x, training=False) if frozen else copy(x)
        copy.set_weights(layer.get_weights())
        copy.trainable = trainable and not frozen
    return x


def musicnn_backend(*, model: str = MUSICNN) -> keras.Model:
    """musicnn's back-end alone, pretrained and frozen: pooled features (n, 1506) -> penultimate layer (n, 200)."""
    inputs = keras.Input((POOLED,), name="pooled")
    return keras.Model(inputs, _backend(inputs, model=model, trainable=False), name=f"{model}_backend")


def musicnn_top(head: keras.Model, *, model: str = MUSICNN, learning_rate: float = 1e-4,
                name: str = "musicnn_top_fine_tuned") -> keras.Model:
    """musicnn's pretrained back-end, its dense layer trainable, under a copy of a trained head.

    The same precautions as :func:`~course_utils.models.transfer.fine_tune_model`: the head was
    trained on the frozen penultimate features, batch normalisation keeps the statistics musicnn
    learned on the Million Song Dataset, and the learning rate is small.

    Parameters
    ----------
    head : keras.Model
        A chain of layers trained on musicnn's penultimate features (200 per patch), such as
        :func:`~course_utils.models.transfer.head`.

    Returns
    -------
    keras.Model
        Compiled; input (batch, 1506) pooled features (:func:`pooled_features`), output (batch, n_classes).
    """
    if tuple(head.input_shape[1:]) != (PENULTIMATE,):
        raise ConfigError(f"head takes inputs of shape {head.input_shape[1:]}, but musicnn's penultimate layer "
                          "gives 200 values per patch; train it on that layer's frames")
    inputs = keras.Input((POOLED,), name="pooled")
    outputs = _copied(head, _backend(inputs, model=model, trainable=True))
    return compiled(keras.Model(inputs, outputs, name=name), learning_rate=learning_rate)


def musicnn_scratch(n_classes: int, *, learning_rate: float = 1e-3, dropout: float = 0.3,
                    seed: int | None = DEFAULT_SEED, name: str = "musicnn_from_scratch") -> keras.Model:
    """The musicnn architecture with *random* weights and a softmax head over its penultimate layer.

    Trained on the same patches, it shows what musicnn's pretrained weights add.

    Returns
    -------
    keras.Model
        Compiled; input (batch, 187, 96) log-mel patches, output (batch, n_classes).
    """
    n_classes = check_count("n_classes", n_classes)
    if seed is not None:
        keras.utils.set_random_seed(seed)
    network = build_musicnn()
    trunk = keras.Model(network.input, network.get_layer(BACKEND[-1]).output, name="musicnn_random")
    inputs = keras.Input(network.input.shape[1:], name="patches")
    x = layers.Dropout(dropout)(trunk(inputs))
    outputs = layers.Dense(n_classes, activation="softmax", name="probabilities")(x)
    return compiled(keras.Model(inputs, outputs, name=name), learning_rate=learning_rate)
