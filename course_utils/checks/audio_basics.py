"""Checks for the exercises of chapter 1 (audio basics).

Used in: solutions/01_audio_basics_exercises.ipynb
"""

from __future__ import annotations

import librosa
import numpy as np

from course_utils.audio import segment_count
from course_utils.checks import check, reject


@check("1.1")
def check_rms(rms) -> str:
    """``rms(y)`` returns the root-mean-square of a signal as one number."""
    t = np.arange(22050) / 22050
    sine = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    value = rms(sine)
    if np.ndim(value) != 0:
        reject(f"rms should return one number, got an array of shape {np.shape(value)}: "
               "average over all samples (no axis argument)")
    value = float(value)
    expected = 0.5 / np.sqrt(2)
    hints = {0.125: "that is the mean of the squares: take its square root",
             0.0: "a sine averages to zero: square the samples before averaging",
             0.5: "that is the peak, not the RMS",
             2 * 0.5 / np.pi: "that is the mean absolute value: square, average, then square root",
             float(librosa.feature.rms(y=sine).mean()): "that is the mean of librosa's per-frame RMS (its "
             "edge frames are padded with zeros): compute one RMS over all the samples"}
    for wrong, hint in hints.items():
        if abs(value - wrong) < 1e-3:
            reject(f"for a sine of amplitude 0.5, rms gave {value:.4f}: {hint} (expected {expected:.4f})")
    if abs(value - expected) > 1e-3:
        reject(f"for a sine of amplitude 0.5 expected {expected:.4f}, got {value:.4f}")
    if float(rms(np.zeros(100, dtype=np.float32))) != 0.0:
        reject("silence (all zeros) must have an RMS of exactly 0")
    if abs(float(rms(-sine)) - expected) > 1e-3:
        reject("flipping the sign of a signal must not change its RMS")
    offset = sine + np.float32(0.3)  # a signal that does not average to zero (a DC offset)
    with_offset, expected_offset = float(rms(offset)), float(np.sqrt(0.5 ** 2 / 2 + 0.3 ** 2))
    if abs(with_offset - expected_offset) > 1e-3:
        hint = ("that is the standard deviation, which subtracts the mean first: the RMS squares the samples "
                "as they are" if abs(with_offset - expected) < 1e-3 else "square, average, then square root")
        reject(f"for the same sine shifted up by 0.3, rms gave {with_offset:.4f} instead of {expected_offset:.4f}: "
               f"{hint}")
    steps = np.repeat(np.array([0.1, 0.1, 0.1, 1.0], dtype=np.float32), 1000)
    if abs(float(rms(steps)) - float(np.sqrt(np.mean(steps.astype(np.float64) ** 2)))) > 1e-4:
        reject("for a signal at 0.1 for three quarters of the time and 1.0 for the rest, the RMS is "
               f"{np.sqrt((3 * 0.01 + 1) / 4):.4f}, you gave {float(rms(steps)):.4f}: average the squares of every "
               "sample of the whole signal (the mean of per-frame RMS values, as librosa.feature.rms gives "
               "them, is another number)")
    return f"A sine of amplitude 0.5 has RMS {expected:.4f} = 0.5/√2."


@check("1.2")
def check_hop(hop_seconds, *, duration: float = 30.0, seconds: float = 3.0, wanted: int = 19) -> str:
    """``hop_seconds`` cuts exactly ``wanted`` windows of ``seconds`` from ``duration`` seconds."""
    if not isinstance(hop_seconds, (int, float)) or hop_seconds <= 0:
        reject(f"hop_seconds should be a positive number of seconds, got {hop_seconds!r}")
    if hop_seconds > duration:
        reject(f"a hop of {hop_seconds} is longer than the whole {duration:g}-s clip: give the hop in seconds, "
               f"not in samples (at 22050 Hz, {hop_seconds} samples are {hop_seconds / 22050:.3g} s)")
    got = segment_count(duration, seconds=seconds, hop_seconds=hop_seconds)
    if got != wanted:
        direction = "smaller" if got < wanted else "larger"
        reject(f"a hop of {hop_seconds} s gives {got} segments, not {wanted}: try a {direction} hop "
               f"(segments = 1 + (duration - window) / hop)")
    overlap = 1 - hop_seconds / seconds
    return f"{wanted} windows of {seconds} s overlapping by {overlap:.0%}."


@check("1.3")
def check_threshold(threshold, loudness, labels, *, quiet: str, loud: str) -> str:
    """A loudness threshold separates ``quiet`` from ``loud`` tracks nearly as well as the best one."""
    loudness, labels = np.asarray(loudness, dtype=float), np.asarray(labels)
    if not np.isscalar(threshold) or not np.isfinite(threshold):
        reject(f"threshold should be one finite number, got {threshold!r}")
    truth = labels == loud

    def accuracy(limit: float) -> float:
        return float(np.mean((loudness > limit) == truth))

    best = max(accuracy(limit) for limit in np.concatenate([loudness, [-np.inf]]))
    mine = accuracy(float(threshold))
    if mine < best - 0.1 and not loudness.min() <= threshold <= loudness.max():
        side = ("every track is louder than it, so all are called " + loud if threshold < loudness.min()
                else "no track is louder than it, so all are called " + quiet)
        reject(f"the threshold {threshold:g} lies outside the measured loudness ({loudness.min():.3f} to "
               f"{loudness.max():.3f}): {side}. Pick a value between the two groups of printed RMS values")
    if mine < best - 0.1:
        reject(f"this threshold classifies {mine:.0%} of the tracks correctly; the best single threshold "
               f"reaches {best:.0%}. The median loudness is {np.median(loudness[truth]):.3f} for {loud} and "
               f"{np.median(loudness[~truth]):.3f} for {quiet}: put the threshold between the two groups")
    return f"{mine:.0%} correct (best possible with one threshold: {best:.0%})."
