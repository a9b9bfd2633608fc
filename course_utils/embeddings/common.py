"""What every pretrained embedding model here shares: the result type, the error raised when weights
cannot be had, and resampling to the model's rate.

Used in: book/05_pretrained_embeddings.ipynb.
"""

from __future__ import annotations

from dataclasses import dataclass

import librosa
import numpy as np

from course_utils.errors import ConfigError, CourseError


class WeightsError(CourseError):
    """Pretrained weights cannot be found or loaded; the message names the variable or package to set."""


@dataclass(frozen=True)
class FrameEmbeddings:
    """A model's outputs for one signal, one row per analysis frame (YAMNet) or patch (musicnn).

    Attributes
    ----------
    model : str
        ``"yamnet"`` or a musicnn model name such as ``"MSD_musicnn"``.
    layer : str
        Which layer ``embeddings`` holds.
    scores : np.ndarray, shape (n_frames, n_classes)
        Class probabilities: AudioSet class scores (YAMNet, 521) or the taggram (musicnn, 50 tags).
    embeddings : np.ndarray, shape (n_frames, ...)
        The chosen layer per frame, e.g. (n_frames, 1024) for YAMNet.
    times : np.ndarray, shape (n_frames,)
        Start of each frame in seconds.
    window : float
        Seconds of audio each frame sees.
    duration : float
        Length of the input signal in seconds.
    patches : np.ndarray or None, shape (n_frames, n_steps, n_mels)
        The log-mel input of each frame as the model computed it (``None`` when read from a cache).
    spectrogram_rate : float
        Log-mel frames per second in ``patches``.
    """

    model: str
    layer: str
    scores: np.ndarray
    embeddings: np.ndarray
    times: np.ndarray
    window: float
    duration: float
    patches: np.ndarray | None = None
    spectrogram_rate: float = 0.0

    @property
    def hop(self) -> float:
        """Seconds between the starts of successive frames."""
        return float(self.times[1] - self.times[0]) if len(self.times) > 1 else self.window

    def spectrogram(self) -> np.ndarray:
        """The log-mel patches joined back into one spectrogram, shape (n_steps, n_mels).

        Overlapping patches (YAMNet's hop is half its window) contribute only their new steps.
        """
        if self.patches is None:
            raise ConfigError("these embeddings carry no log-mel patches (they were read from a cache)")
        step = int(round(self.hop * self.spectrogram_rate))
        overlap = self.patches.shape[1] - step
        return np.concatenate([self.patches[0]] + [p[overlap:] for p in self.patches[1:]])


def mono_at(y: np.ndarray, sr: int, target_sr: int) -> np.ndarray:
    """Check a mono signal and resample it to ``target_sr`` (soxr, high quality); float32, shape (n,)."""
    y = np.asarray(y)
    if y.ndim != 1:
        raise ConfigError(f"expected a mono signal of shape (n,), got shape {y.shape}")
    if not isinstance(sr, (int, np.integer)) or sr <= 0:
        raise ConfigError(f"sr must be a positive integer, got {sr!r}")
    if y.size == 0 or not np.all(np.isfinite(y)):
        raise ConfigError("the signal is empty or holds NaN or infinite samples")
    y = y.astype(np.float32, copy=False)
    return y if sr == target_sr else librosa.resample(y, orig_sr=int(sr), target_sr=target_sr)
