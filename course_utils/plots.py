"""Figures with proper axes (time in seconds, frequency in Hz) and short audio players.

Each function draws on ``ax`` when given one and returns the axes (or figure) it drew on.
Used in: every chapter.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Audio

from course_utils.errors import ConfigError

PLAYER_SECONDS = 3.0


def axes_grid(n: int, *, ncols: int = 2, width: float = 11.0, row_height: float = 2.0,
              sharex: bool = True, sharey: bool = False):
    """A figure with ``n`` axes in ``ncols`` columns; returns ``(fig, axes)`` with ``axes`` flat.

    Axes beyond ``n`` are hidden.
    """
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, row_height * nrows), sharex=sharex,
                             sharey=sharey, squeeze=False, layout="constrained")
    flat = axes.ravel()
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def waveform(y: np.ndarray, *, sr: int, ax=None, title: str | None = None, offset: float = 0.0,
             markers: bool = False):
    """Plot a mono signal against time in seconds.

    Parameters
    ----------
    y : np.ndarray, shape (n,)
    sr : int
        Sample rate of ``y``.
    offset : float
        Time in seconds of the first sample (for excerpts).
    markers : bool
        Draw each sample as a dot (useful when zoomed in to a few milliseconds).
    """
    if y.ndim != 1:
        raise ConfigError(f"waveform expects a mono signal of shape (n,), got {y.shape}")
    ax = ax or plt.subplots(figsize=(10, 2.5), layout="constrained")[1]
    t = offset + np.arange(len(y)) / sr
    ax.plot(t, y, lw=0.6, marker="." if markers else None, ms=4)
    ax.set(xlabel="time (s)", ylabel="amplitude", xlim=(t[0], t[-1]) if len(t) > 1 else None)
    if title:
        ax.set_title(title)
    return ax


def listen(y: np.ndarray, *, sr: int, seconds: float = PLAYER_SECONDS, offset: float = 0.0) -> Audio:
    """An audio player for a short excerpt, so that rendered pages stay light.

    A 30-s clip embedded whole adds about 1.3 MB to a page; a 3-s excerpt about a tenth of that.
    """
    start = int(round(offset * sr))
    excerpt = y[..., start:start + int(round(seconds * sr))]
    if excerpt.shape[-1] == 0:
        raise ConfigError(f"offset {offset} s is past the end of the signal ({y.shape[-1] / sr:.2f} s)")
    return Audio(excerpt, rate=sr)
