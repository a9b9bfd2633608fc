"""Data augmentation of training batches: SpecAugment masks, random time shifts and mixup.

Each augmentation is a pure function of a batch and a seed, so it is tested on its own and gives
the same result for the same seed. :class:`Augmentation` switches them on for one training run;
:func:`course_utils.train.fit` applies it to the training batches only, with a new draw every
batch and every epoch, and never to validation or test data.

- *Frequency and time masking* {cite}`park2019specaugment`: a few bands, and a few stretches of
  frames, of each example are replaced by the example's mean value.
- *Time shift*: each example is rolled along time by a random number of frames (what leaves at
  the end comes back at the start).
- *Mixup* {cite}`zhang2018mixup`: each example is blended with another example of the batch, and
  their one-hot labels with the same weight ``lam ~ Beta(alpha, alpha)``.

Shapes: a batch ``x`` is (batch, bands, frames) for spectrogram segments (``time_axis=1``) or
(batch, steps, features) for sequences of embeddings (``time_axis=0``).

Used in: book/08_cnn.ipynb.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import tensorflow as tf

from course_utils.errors import ConfigError


def _spans(seed, *, batch: int, size: int, count: int, fraction: float) -> tf.Tensor:
    """Boolean (batch, size): ``count`` random spans per example, each up to ``fraction`` of ``size`` long."""
    widest = int(fraction * size)
    draws = tf.random.stateless_uniform((2, batch, count, 1), seed=seed)
    widths = tf.floor(draws[0] * (widest + 1))
    starts = tf.floor(draws[1] * (size - widths + 1))
    index = tf.range(size, dtype=tf.float32)[None, None, :]
    return tf.reduce_any((index >= starts) & (index < starts + widths), axis=1)


def _axes(x, time_axis: int) -> tuple[int, int]:
    if time_axis not in (0, 1):
        raise ConfigError(f"time_axis must be 0 (steps, features) or 1 (bands, frames), got {time_axis!r}")
    if len(x.shape) != 3:
        raise ConfigError(f"expected a batch of shape (batch, bands, frames) or (batch, steps, features), "
                          f"got {tuple(x.shape)}")
    return (2, 1) if time_axis == 1 else (1, 2)


def mask(x, seed, *, masks: int, fraction: float, axis: str, time_axis: int = 1) -> tf.Tensor:
    """Replace ``masks`` random spans of each example along ``axis`` ("time" or "frequency") by its mean.

    Parameters
    ----------
    x : array-like, float, shape (batch, a, b)
    seed : array-like of 2 ints
        Seed of the stateless random draws.
    fraction : float
        Longest span as a share of the axis (e.g. 0.1 of 128 bands: up to 12 bands).
    """
    x = tf.convert_to_tensor(x, tf.float32)
    time, frequency = _axes(x, time_axis)
    along = {"time": time, "frequency": frequency}.get(axis)
    if along is None:
        raise ConfigError(f"axis must be 'time' or 'frequency', got {axis!r}")
    covered = _spans(seed, batch=tf.shape(x)[0], size=x.shape[along], count=masks, fraction=fraction)
    covered = covered[:, :, None] if along == 1 else covered[:, None, :]
    return tf.where(covered, tf.reduce_mean(x, axis=(1, 2), keepdims=True), x)


def time_shift(x, seed, *, fraction: float, time_axis: int = 1) -> tf.Tensor:
    """Roll each example along time by a random number of steps, up to ``fraction`` of its length either way."""
    x = tf.convert_to_tensor(x, tf.float32)
    time, _ = _axes(x, time_axis)
    size, largest = x.shape[time], int(fraction * x.shape[time])
    shifts = tf.random.stateless_uniform((tf.shape(x)[0], 1), seed=seed, minval=-largest, maxval=largest + 1,
                                         dtype=tf.int32)
    index = tf.math.floormod(tf.range(size)[None, :] - shifts, size)
    return tf.gather(x, index, axis=time, batch_dims=1)


def mixup(x, y, seed, *, alpha: float) -> tuple[tf.Tensor, tf.Tensor]:
    """Blend each example and its one-hot label with another example of the batch.

    Returns
    -------
    x, y : tf.Tensor
        ``lam * x + (1 - lam) * x[partner]`` and the same for ``y``, with one ``lam`` per example
        drawn from Beta(alpha, alpha) (the ratio of two Gamma draws).
    """
    x, y = tf.convert_to_tensor(x, tf.float32), tf.convert_to_tensor(y, tf.float32)
    batch = tf.shape(x)[0]
    seeds = tf.random.experimental.stateless_split(tf.cast(seed, tf.int64), num=3)
    gammas = tf.random.stateless_gamma((2, batch), seed=seeds[0], alpha=alpha)
    lam = gammas[0] / (gammas[0] + gammas[1])
    partner = tf.argsort(tf.random.stateless_uniform((batch,), seed=seeds[1]))
    lam_x = tf.reshape(lam, [-1] + [1] * (len(x.shape) - 1))
    return (lam_x * x + (1 - lam_x) * tf.gather(x, partner),
            lam[:, None] * y + (1 - lam[:, None]) * tf.gather(y, partner))


def _fraction(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value <= 0.5:
        raise ConfigError(f"{name} must be a share between 0 and 0.5, got {value!r}")


@dataclass(frozen=True)
class Augmentation:
    """Which augmentations a training run applies to its batches (``fit(..., augment=Augmentation())``).

    The defaults switch on SpecAugment-style masking and time shifts, and leave mixup off; set a
    count or share to 0 to switch one off. Without an ``Augmentation`` nothing is augmented.

    Attributes
    ----------
    frequency_masks, time_masks : int
        Masks per example along each axis.
    frequency_mask, time_mask : float
        Longest mask as a share of the axis.
    shift : float
        Largest time shift as a share of the frames (0: off).
    mixup : float
        ``alpha`` of the Beta distribution of blending weights (0: off; 0.2 is usual).
    time_axis : {0, 1}
        1 for (bands, frames) segments, 0 for (steps, features) sequences.
    """

    frequency_masks: int = 2
    frequency_mask: float = 0.1
    time_masks: int = 2
    time_mask: float = 0.1
    shift: float = 0.25
    mixup: float = 0.0
    time_axis: int = 1

    def __post_init__(self):
        for name in ("frequency_masks", "time_masks"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
                raise ConfigError(f"{name} must be a whole number >= 0, got {value!r}")
        for name in ("frequency_mask", "time_mask", "shift"):
            _fraction(name, getattr(self, name))
        if isinstance(self.mixup, bool) or not isinstance(self.mixup, numbers.Real) or self.mixup < 0:
            raise ConfigError(f"mixup must be a Beta alpha >= 0 (0: off), got {self.mixup!r}")
        if self.time_axis not in (0, 1):
            raise ConfigError(f"time_axis must be 0 or 1, got {self.time_axis!r}")

    @property
    def name(self) -> str:
        """Short name of what is on, e.g. ``"specaugment+shift"``, for results tables and the registry."""
        masking = self.frequency_masks * self.frequency_mask + self.time_masks * self.time_mask > 0
        parts = [p for p, on in (("specaugment", masking), ("shift", self.shift > 0), ("mixup", self.mixup > 0)) if on]
        return "+".join(parts) or "none"

    def __call__(self, x, y, seed) -> tuple[tf.Tensor, tf.Tensor]:
        """Augment one batch (x, one-hot y) with the stateless ``seed`` (2 ints)."""
        seeds = tf.random.experimental.stateless_split(tf.cast(seed, tf.int64), num=4)
        x, y = tf.convert_to_tensor(x, tf.float32), tf.convert_to_tensor(y, tf.float32)
        if self.frequency_masks and self.frequency_mask:
            x = mask(x, seeds[0], masks=self.frequency_masks, fraction=self.frequency_mask, axis="frequency",
                     time_axis=self.time_axis)
        if self.time_masks and self.time_mask:
            x = mask(x, seeds[1], masks=self.time_masks, fraction=self.time_mask, axis="time",
                     time_axis=self.time_axis)
        if self.shift:
            x = time_shift(x, seeds[2], fraction=self.shift, time_axis=self.time_axis)
        if self.mixup:
            x, y = mixup(x, y, seeds[3], alpha=self.mixup)
        return x, y

    def apply(self, dataset, *, seed: int):
        """``dataset`` (batches of (x, one-hot y)) augmented with fresh random draws every batch and epoch."""
        if isinstance(dataset.element_spec[0], dict):
            raise ConfigError("augmentation works on models with a single input array, not a dict of inputs")
        draws = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True)
        return tf.data.Dataset.zip((dataset, draws)).map(
            lambda batch, draw: self(batch[0], batch[1], tf.stack([draw, tf.constant(seed, tf.int64)])))
