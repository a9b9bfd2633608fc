"""Audio augmentation, computed once: pitch-shifted and time-stretched copies of tracks.

Each copy is written once as a FLAC file in the cache, under the key of the course's one scheme
(:func:`course_utils.cache.cache_key`: the source file, the change, its amount and the sample
rate), and its segments are computed by :func:`course_utils.features.segment_spectrograms` and
cached like any track's, so no epoch and no second run computes them again. A copy is named after
its track (``blues.00012~pitch+2``); :func:`augmented_segments` gives its segments the original
track's id, so they land in the same part of a split. Only training tracks should be augmented
(:meth:`course_utils.train.Part.plus` refuses anything else).

Used in: book/08_cnn.ipynb.
"""

from __future__ import annotations

import numbers
from typing import Sequence

import librosa
import numpy as np
import pandas as pd
import soundfile as sf

from course_utils.audio import DEFAULT_SR, load_audio
from course_utils.cache import cache_key, cache_path, map_files
from course_utils.data import tracks_table
from course_utils.errors import ConfigError
from course_utils.features import segment_spectrograms
from course_utils.features.checks import TRACK_KEYS
from course_utils.io import atomic_path

NAME = "audio_variants-v1"
SEPARATOR = "~"


def variant_names(*, pitch_steps: Sequence[float], stretch_rates: Sequence[float]) -> list[tuple[str, str, float]]:
    """``(variant name, change, amount)`` for every pitch step (semitones) and stretch rate (speed factor)."""
    variants = []
    for change, amounts, check in (("pitch", pitch_steps, lambda a: a != 0), ("stretch", stretch_rates, lambda a: a > 0)):
        for amount in amounts:
            if isinstance(amount, bool) or not isinstance(amount, numbers.Real) or not check(amount):
                expected = "non-zero semitones" if change == "pitch" else "positive speed factors"
                raise ConfigError(f"{change} amounts must be {expected}, got {amount!r}")
            variants.append((f"{change}{float(amount):+g}" if change == "pitch" else f"stretch{float(amount):g}",
                             change, float(amount)))
    if not variants:
        raise ConfigError("ask for at least one pitch step or stretch rate")
    return variants


def _variant_file(path: str, *, change: str, amount: float, sr: int) -> dict:
    """Write (once) the changed copy of one file as FLAC; return its path and duration."""
    target = cache_path(NAME, cache_key(NAME, dict(change=change, amount=amount, sr=sr), path), ".flac")
    if not target.is_file():
        y = load_audio(path, sr=sr)
        if change == "pitch":
            y = librosa.effects.pitch_shift(y, sr=sr, n_steps=amount)
        else:
            y = librosa.effects.time_stretch(y, rate=amount)
        with atomic_path(target) as tmp:
            sf.write(tmp, np.clip(y, -1.0, 1.0), sr, format="FLAC", subtype="PCM_16")
    return {"path": str(target), "duration": sf.info(str(target)).duration}


def audio_variants(tracks, *, pitch_steps: Sequence[float] = (-2.0, 2.0), stretch_rates: Sequence[float] = (0.9, 1.1),
                   sr: int = DEFAULT_SR, n_jobs: int | None = None) -> pd.DataFrame:
    """Pitch-shifted and time-stretched copies of tracks, computed once and cached as audio files.

    Parameters
    ----------
    tracks : Dataset or pd.DataFrame
        The tracks to copy (usually the training tracks only): ``track_id``, ``label``, ``path``.
    pitch_steps : sequence of float
        Semitones up (positive) or down; each gives one copy (``librosa.effects.pitch_shift``).
    stretch_rates : sequence of float
        Speed factors (1.1: 10 % faster and shorter); each gives one copy (``librosa.effects.time_stretch``).
    sr : int
        Sample rate of the copies.

    Returns
    -------
    pd.DataFrame
        A tracks table, one row per copy: ``track_id`` (``"<id>~<variant>"``, e.g.
        ``"blues.00012~pitch+2"``), ``source`` (the original id), ``variant``, ``label``, ``path``
        (the cached FLAC file), ``duration`` (seconds).
    """
    table = tracks_table(tracks, required=TRACK_KEYS)
    rows = []
    for variant, change, amount in variant_names(pitch_steps=pitch_steps, stretch_rates=stretch_rates):
        made = map_files(_variant_file, table["path"], name=NAME, params=dict(change=change, amount=amount, sr=sr),
                         n_jobs=n_jobs, cache=False, desc=f"audio {variant}")
        rows.append(pd.DataFrame({"track_id": table["track_id"] + SEPARATOR + variant, "source": table["track_id"],
                                  "variant": variant, "label": table["label"],
                                  "path": [str(m["path"]) for m in made],
                                  "duration": [float(m["duration"]) for m in made]}))
    return pd.concat(rows, ignore_index=True)


def augmented_segments(tracks, *, pitch_steps: Sequence[float] = (-2.0, 2.0),
                       stretch_rates: Sequence[float] = (0.9, 1.1), n_jobs: int | None = None,
                       **segment_options) -> tuple[np.ndarray, pd.DataFrame]:
    """Segments of the audio copies of :func:`audio_variants`, ready to extend a training part.

    Parameters
    ----------
    tracks : Dataset or pd.DataFrame
        The tracks to augment (the training tracks).
    pitch_steps, stretch_rates, n_jobs
        As in :func:`audio_variants`.
    **segment_options
        Passed to :func:`course_utils.features.segment_spectrograms` (``kind``, ``segment_seconds`` ...);
        use the same as for the original segments.

    Returns
    -------
    X : np.ndarray, shape (n_segments, bands, frames)
    table : pd.DataFrame
        ``track_id`` (the original track's), ``variant``, ``label``, ``segment``, ``start``, ``end``.
    """
    copies = audio_variants(tracks, pitch_steps=pitch_steps, stretch_rates=stretch_rates, n_jobs=n_jobs)
    X, table = segment_spectrograms(copies, n_jobs=n_jobs, **segment_options)
    source = copies.set_index("track_id")
    table.insert(1, "variant", table["track_id"].map(source["variant"]))
    table["track_id"] = table["track_id"].map(source["source"])
    return X, table
