"""Convolutional networks: a 2-D CNN for spectrogram segments, a 1-D CNN for embedding sequences.

Both are small enough to train on a laptop CPU in minutes (tens of thousands of weights), and both
end in global average pooling, so any input length works and the weights do not grow with it.

Used in: book/08_cnn.ipynb, book/09_recurrent.ipynb (the CNN it compares with).
"""

from __future__ import annotations

from typing import Sequence

from keras import layers

from course_utils.config import DEFAULT_SEED
from course_utils.errors import ConfigError
from course_utils.models.blocks import (LayerSeeds, batch_norm, check_count, check_shape, check_sizes, classifier,
                                        normalized_input, pool_sizes, sequence_input)


def _block(x, k: int, conv, pooling):
    """Block ``k``: the convolution ``conv`` -> ``bn{k}`` -> ``relu{k}`` -> ``pool{k}`` (by 2 along every
    axis that still has 2 steps; left out when none has)."""
    x = layers.ReLU(name=f"relu{k}")(batch_norm(f"bn{k}")(conv(x)))
    pool = pool_sizes(x.shape[1:-1], (2,) * (len(x.shape) - 2))
    return pooling(pool, name=f"pool{k}")(x) if max(pool) > 1 else x


def cnn2d(input_shape: Sequence[int], n_classes: int, *, filters: int | Sequence[int] = (16, 32, 64),
          kernel_size: int = 3, downsample: Sequence[int] = (2, 2), dropout: float = 0.3,
          learning_rate: float = 1e-3, seed: int | None = DEFAULT_SEED, name: str = "cnn2d"):
    """A small 2-D CNN over (bands, frames) segments: log-mel spectrograms or MFCCs.

    Layers, in order: ``normalize`` (each band standardised with training statistics, see
    :func:`course_utils.train.fit`); ``downsample`` (average pooling by ``downsample`` cells, to
    save computation); then one block per entry of ``filters``: ``conv{k}`` (``kernel_size`` x
    ``kernel_size``, same padding) -> ``bn{k}`` (batch normalisation) -> ``relu{k}`` -> ``pool{k}``
    (2 x 2 max pooling, along axes that still have 2 steps); then global average pooling over
    bands and frames, ``dropout`` and the softmax layer ``probabilities``.

    Parameters
    ----------
    input_shape : (bands, frames)
        One segment, e.g. (128, 130) for a 3-s log-mel at 22050 Hz with hop 512, (20, 130) for MFCCs.
    n_classes : int
        Number of genres.
    filters : int or sequence of int
        Channels of each convolution block.
    downsample : (int, int)
        Average pooling of the input along bands and frames; (1, 1) keeps every cell.
    dropout : float
        Share of the pooled features dropped while training.
    seed : int or None
        Seeds every random layer (:class:`~course_utils.models.blocks.LayerSeeds`), so that equal
        seeds give equal initial weights and dropout masks (None: Keras's global generator).

    Returns
    -------
    keras.Model
        Compiled; input (batch, bands, frames), output (batch, n_classes) class probabilities.
        ``model.count_params()`` is its number of weights.
    """
    bands, frames = check_shape(input_shape, ndim=2, what="(bands, frames)")
    kernel_size = check_count("kernel_size", kernel_size)
    filters, downsample = check_sizes("filters", filters), check_sizes("downsample", downsample)
    if len(downsample) != 2:
        raise ConfigError(f"downsample must be two pool sizes (bands, frames), got {downsample!r}")
    seeds = LayerSeeds(seed)
    inputs, x = normalized_input((bands, frames), axis=0, name="segment")
    x = layers.Reshape((bands, frames, 1), name="add_channel")(x)
    if downsample != (1, 1):
        x = layers.AveragePooling2D(pool_sizes((bands, frames), downsample), name="downsample")(x)
    for k, channels in enumerate(filters, start=1):
        x = _block(x, k, layers.Conv2D(channels, kernel_size, padding="same", use_bias=False,
                                               kernel_initializer=seeds.kernel(), name=f"conv{k}"),
                   layers.MaxPooling2D)
    return classifier(inputs, layers.GlobalAveragePooling2D(name="average")(x), n_classes, dropout=dropout,
                      name=name, learning_rate=learning_rate, seeds=seeds)


def cnn1d(input_shape: Sequence[int], n_classes: int, *, filters: int | Sequence[int] = (64, 64),
          kernel_size: int = 3, input_dropout: float = 0.2, dropout: float = 0.3, time_axis: int = 0,
          learning_rate: float = 1e-3, seed: int | None = DEFAULT_SEED, name: str = "cnn1d"):
    """A small 1-D CNN over a sequence of vectors: embedding frames (YAMNet, musicnn) or spectrogram frames.

    Layers, in order: ``normalize`` (each feature standardised with training statistics);
    ``to_time_first`` when ``time_axis=1``; ``input_dropout``; one block per entry of ``filters``:
    ``conv{k}`` (``kernel_size`` steps, same padding) -> ``bn{k}`` -> ``relu{k}`` -> ``pool{k}``
    (max pooling by 2 while at least 2 steps remain); global average pooling over time,
    ``dropout`` and the softmax layer ``probabilities``.

    Parameters
    ----------
    input_shape : (steps, features), or (features, steps) with ``time_axis=1``
        E.g. (10, 200) for ten 3-s musicnn patches, (30, 1024) for about 15 s of YAMNet frames,
        (20, 130) for an MFCC segment with ``time_axis=1``.
    time_axis : {0, 1}
        Which axis of ``input_shape`` is time.
    input_dropout, dropout : float
        Share of the input features, and of the pooled features, dropped while training.

    Returns
    -------
    keras.Model
        Compiled; input (batch, *input_shape), output (batch, n_classes).
    """
    kernel_size, filters = check_count("kernel_size", kernel_size), check_sizes("filters", filters)
    seeds = LayerSeeds(seed)
    inputs, x = sequence_input(input_shape, time_axis=time_axis, dropout=input_dropout, seeds=seeds)
    for k, channels in enumerate(filters, start=1):
        x = _block(x, k, layers.Conv1D(channels, kernel_size, padding="same", use_bias=False,
                                               kernel_initializer=seeds.kernel(), name=f"conv{k}"),
                   layers.MaxPooling1D)
    return classifier(inputs, layers.GlobalAveragePooling1D(name="average")(x), n_classes, dropout=dropout,
                      name=name, learning_rate=learning_rate, seeds=seeds)
