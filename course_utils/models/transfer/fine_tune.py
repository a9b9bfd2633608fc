"""The two regimes' trainable parts: the small head over frozen features, and the top blocks of a backbone
under a copy of that head (fine-tuning).

Used in: book/10_transfer_learning.ipynb.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from course_utils.config import DEFAULT_SEED
from course_utils.errors import ConfigError
from course_utils.models.blocks import check_count, check_learning_rate, compiled
from course_utils.models.fusion import mlp
from course_utils.models.transfer.table import DEFAULT_BACKBONE, get_backbone
from course_utils.models.transfer.weights import load_backbone


def head(n_features: int, n_classes: int, *, learning_rate: float = 1e-2, dropout: float = 0.3,
         seed: int | None = DEFAULT_SEED, name: str = "head") -> keras.Model:
    """The small head of the frozen regime: a linear softmax layer over pooled backbone features.

    :func:`course_utils.models.fusion.mlp` without hidden layers and without standardising (the pooled
    features share one scale, and some are zero on every training picture). Its learning rate is
    ten times the usual: a linear layer has few weights and a few dozen steps per run to learn them.

    Returns
    -------
    keras.Model
        Compiled; input (batch, n_features), output (batch, n_classes).
    """
    return mlp((check_count("n_features", n_features),), n_classes, units=(), standardize=False,
               learning_rate=learning_rate, dropout=dropout, seed=seed, name=name)


def _copied(head: keras.Model, x):
    """``x`` through a copy of a trained chain of layers (its weights copied, its input statistics kept)."""
    for layer in head.layers[1:]:
        if isinstance(layer.input, (list, tuple)):
            raise ConfigError(f"head {head.name!r} must be a chain of layers (as fusion.mlp builds), "
                              f"but {layer.name!r} has several inputs")
        if isinstance(layer, layers.Normalization):
            copy = layers.Normalization(axis=layer.axis, mean=keras.ops.convert_to_numpy(layer.adapt_mean),
                                        variance=keras.ops.convert_to_numpy(layer.adapt_variance), name=layer.name)
            x = copy(x)
        else:
            copy = layer.__class__.from_config(layer.get_config())
            x = copy(x)
            copy.set_weights(layer.get_weights())
    return x


def fine_tune_model(head: keras.Model, *, backbone: str = DEFAULT_BACKBONE, size: int, learning_rate: float = 1e-4,
                    name: str | None = None) -> keras.Model:
    """The top blocks of an ImageNet backbone under a copy of a trained head, ready to be trained together.

    The model reads the activations of the frozen part (:func:`backbone_features` with
    ``output="frozen_part"``): the layers up to :attr:`Backbone.frozen_until` never change, and
    without augmentation their outputs for each image are the same every epoch, so they are computed
    once instead of in every step. Then come the top blocks (trainable), average pooling, and a copy
    of ``head`` (``head`` itself is left as it is).

    Two precautions keep the pretrained weights from being wrecked in the first steps:
    - the head is already trained on the frozen features, so the first gradients are small;
    - every batch-normalisation layer of the top blocks stays frozen, in inference mode, with
      ImageNet's statistics: its mean and variance would otherwise be re-estimated from small batches
      of spectrograms, which look nothing like photographs, and the next layer would get inputs on a
      scale it was not trained for.
    The learning rate is small (default 1e-4, a tenth of the head's).

    Parameters
    ----------
    head : keras.Model
        A chain of layers trained on pooled features of the same backbone and image size, such as
        :func:`head`.
    size : int
        The side of the images the activations were computed from.

    Returns
    -------
    keras.Model
        Compiled (Adam, categorical cross-entropy); input (batch, h, w, channels) of the frozen part,
        output (batch, n_classes).
    """
    learning_rate = check_learning_rate(learning_rate)  # before the backbone is loaded
    info = get_backbone(backbone)
    network = load_backbone(backbone, size=size)
    cut = network.get_layer(info.frozen_until).output
    top = keras.Model(cut, network.output, name=f"{network.name}_top")
    for layer in top.layers:
        layer.trainable = not isinstance(layer, layers.BatchNormalization)
    if tuple(head.input_shape[1:]) != (info.features,):
        raise ConfigError(f"head takes inputs of shape {head.input_shape[1:]}, but {backbone} gives "
                          f"({info.features},) pooled features; train it on "
                          f"backbone_features(..., backbone={backbone!r})")
    inputs = keras.Input(tuple(cut.shape[1:]), name="frozen_part")
    x = top(inputs, training=False)  # batch normalisation in inference mode, with ImageNet's statistics
    outputs = _copied(head, layers.GlobalAveragePooling2D(name="pooled")(x))
    return compiled(keras.Model(inputs, outputs, name=name or f"{backbone.lower()}_fine_tuned"),
                    learning_rate=learning_rate)


def trainable_share(model: keras.Model) -> tuple[int, int]:
    """``(trainable, total)`` numbers of weights of a model."""
    trainable = int(sum(np.prod(w.shape) for w in model.trainable_weights))
    return trainable, int(model.count_params())
