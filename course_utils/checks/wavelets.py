"""Checks for the exercises of chapter 3 (wavelets).

Used in: solutions/03_wavelets_exercises.ipynb
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pywt

from course_utils import wavelets
from course_utils.audio import DEFAULT_SR
from course_utils.checks import check, reject, reject_known_mistake
from course_utils.features import segment_spectrograms
from course_utils.models import classical

KEYS = ["track_id", "label", "segment"]


@check("3.1")
def check_morlet_scale(morlet_scale) -> str:
    """``morlet_scale(freq, sr=, center=)`` is the scale (in samples) at which ``cmorB-C`` analyses ``freq`` Hz."""
    cases = [(np.array([40.0, 100.0, 1000.0, 8000.0]), DEFAULT_SR, 1.0), (np.array([55.0, 440.0]), 16000, 2.0),
             (440.0, DEFAULT_SR, 1.5)]
    for freq, sr, center in cases:
        expected = pywt.frequency2scale(f"cmor1.5-{center}", np.atleast_1d(freq) / sr)
        got = np.asarray(morlet_scale(freq, sr=sr, center=center), dtype=float)
        where = f"for {freq} Hz at sr={sr} with centre frequency C={center}"
        if got.shape != np.shape(freq):
            reject(f"{where} expected shape {np.shape(freq)} (one scale per frequency), got {got.shape}")
        got = np.atleast_1d(got)
        if np.allclose(got, expected, rtol=1e-6):
            continue
        f = np.atleast_1d(freq)
        mistakes = [(sr / f, "you left out the centre frequency C: at scale s the wavelet's frequency is C / s"),
                     (center / f, "that is the scale in seconds: multiply by sr to count it in samples"),
                     (f / (center * sr), "that is the inverse: a larger scale stretches the wavelet and lowers its "
                                         "frequency, so divide by the frequency"),
                     (center * sr / (2 * np.pi * f), "no 2π: C and the frequency are both in cycles, not radians")]
        reject_known_mistake(got, mistakes, where=where, rtol=1e-6)
        reject(f"{where} expected scales {np.round(expected, 2)}, got {np.round(got, 2)}")
    return ("Scale = C * sr / f: the same as pywt.frequency2scale. Low frequencies need large scales, long "
            "wavelets.")


@check("3.2")
def check_level(level, *, sr: int = DEFAULT_SR, below: float = 100.0) -> str:
    """``level`` is the smallest DWT level whose approximation band ends below ``below`` Hz."""
    if isinstance(level, (bool, np.bool_)) or not isinstance(level, (int, np.integer)) or level < 1:
        reject(f"level should be a whole number of levels (1, 2, ...), got {level!r}")
    smallest = next(j for j in range(1, 40) if sr / 2 ** (j + 1) <= below)
    top = sr / 2 ** (level + 1)
    if level < smallest:
        reject(f"with level={level} the approximation cA{level} covers 0 to {top:.0f} Hz, above {below:g} Hz: each "
               "level halves it, so go deeper")
    if level > smallest:
        reject(f"level={level} puts cA{level} below {below:g} Hz (0 to {top:.0f} Hz), but level={smallest} already "
               f"does (0 to {sr / 2 ** (smallest + 1):.0f} Hz): take the smallest, every extra level halves the "
               "band and its number of coefficients again")
    return (f"cA{level} covers 0 to {top:.1f} Hz and cD{level} {top:.1f} to {2 * top:.1f} Hz: "
            f"sr / 2^(level + 1) <= {below:g} Hz.")


def _shares_case() -> list[tuple[np.ndarray, str, int]]:
    """(signal, wavelet, level): three tones, white noise, silence."""
    t = np.arange(3 * DEFAULT_SR) / DEFAULT_SR
    tones = 0.5 * np.sin(2 * np.pi * 60 * t) + 0.3 * np.sin(2 * np.pi * 1000 * t) + 0.1 * np.sin(2 * np.pi * 8000 * t)
    noise = np.random.default_rng(3).normal(scale=0.1, size=2 * DEFAULT_SR)
    return [(tones.astype(np.float32), "db4", 6), (noise.astype(np.float32), "haar", 4),
            (np.zeros(DEFAULT_SR, np.float32), "db4", 5)]


def _shares(bands: list[np.ndarray], power: float = 2.0, *, per_coefficient: bool = False) -> np.ndarray:
    energy = np.array([np.sum(np.abs(c) ** power) / (len(c) if per_coefficient else 1) for c in bands])
    return energy / energy.sum()


@check("3.3")
def check_energy_shares(band_energy_shares) -> str:
    """``band_energy_shares(y, wavelet=, level=)`` maps each DWT band name to its share of the energy."""
    for y, wavelet, level in _shares_case():
        names = list(wavelets.dwt_bands(level=level)["band"])
        got = band_energy_shares(y.copy(), wavelet=wavelet, level=level)
        where = f"for {wavelet} with level={level}"
        if not isinstance(got, dict):
            reject(f"band_energy_shares should return a dict {{band name: share}}, got {type(got).__name__}")
        if sorted(got) != sorted(names):
            reject(f"{where} expected the bands {names}, got {list(got)}"
                   + (": use the level argument" if len(got) != len(names) else ""))
        values = np.array([float(got[name]) for name in names])
        expected = np.array([wavelets.dwt_features(y, wavelet=wavelet, level=level)[f"{n}_energy"] for n in names])
        if not np.any(y):
            if np.isnan(values).any():
                reject("for silence (all zeros) you return NaN: the total energy is 0, so 0 / 0; give every band 0")
            if not np.allclose(values, 0.0):
                reject(f"for silence every band should have share 0, got {np.round(values, 3)}")
            continue
        if np.allclose(values, expected, atol=1e-6):
            continue
        bands = pywt.wavedec(y.astype(np.float64), wavelet, level=level)
        if abs(values.sum() - 1.0) > 1e-6:
            reject(f"{where} your shares add up to {values.sum():.4g}, not 1: divide each band's energy by the total")
        mistakes = [(np.concatenate([expected[:1], expected[:0:-1]]),
                     "the detail bands are named backwards: pywt.wavedec returns [cA, cD{level}, ..., cD1], so the "
                     "second array is the lowest detail band"),
                    (_shares(bands, per_coefficient=True),
                     "you averaged the squares: bands have different numbers of coefficients (cD1 holds half of "
                     "them), so sum the squares of each band"),
                    (_shares(bands, power=1.0), "square the coefficients: energy is the sum of squares, not of "
                                                "absolute values")]
        reject_known_mistake(values, [(wrong, hint.format(level=level)) for wrong, hint in mistakes],
                             where=where, rtol=1e-5, atol=1e-6)
        reject(f"{where} expected {dict(zip(names, np.round(expected, 4)))}, got {dict(zip(names, np.round(values, 4)))}")
    return ("Energy shares per band, lowest first, as in wavelets.dwt_features. White noise puts half of its "
            "energy in cD1, a quarter in cD2, ...: each band is an octave, half as wide as the one above.")


def mfcc_and_dwt_reference(dataset, *, level: int) -> pd.DataFrame:
    """One row per 3-s segment: the mean and std of 20 MFCCs over time, then the DWT features."""
    X, segments = segment_spectrograms(dataset, kind="mfcc")
    mfcc = classical.frame_statistics(X, segments, prefix="mfcc")
    dwt = wavelets.dwt_table(dataset, segment_seconds=3.0, level=level)
    return mfcc.merge(dwt, on=KEYS, validate="one_to_one")


@check("3.4")
def check_mfcc_and_dwt(mfcc_and_dwt, *, dataset) -> str:
    """``mfcc_and_dwt(dataset, level=)`` joins the MFCC statistics and the DWT features of each 3-s segment."""
    mfcc_columns = [f"mfcc{b}_{stat}" for b in range(1, 21) for stat in ("mean", "std")]
    for level in (5, 7):
        table = mfcc_and_dwt(dataset, level=level)
        if not isinstance(table, pd.DataFrame):
            reject(f"mfcc_and_dwt should return a DataFrame, got {type(table).__name__}")
        expected = mfcc_and_dwt_reference(dataset, level=level)
        columns = set(table.columns)
        where = f"with level={level}"
        if {"label_x", "label_y"} & columns:
            reject("your table has label_x and label_y: both tables hold the label, so merge on "
                   f"{KEYS} (it is the same for a track)")
        if not set(KEYS) <= columns:
            reject(f"keep the columns {KEYS}, so that the split and the classifier know each row; you have "
                   f"{sorted(c for c in columns if not c.startswith(('mfcc', 'cA', 'cD')))}")
        if table.columns.duplicated().any():
            reject(f"some columns appear twice ({sorted(set(table.columns[table.columns.duplicated()]))}): "
                   "join with merge on the key columns, not by pasting the tables side by side")
        dwt_columns = wavelets.dwt_columns(level)
        missing = [c for c in mfcc_columns + dwt_columns if c not in columns]
        if missing:
            other = [c for c in columns if c.startswith("cA") and c.endswith("_energy")]
            hint = (f": you have {other[0]}, pass level=level to wavelets.dwt_table"
                    if other and other[0] != f"cA{level}_energy" else "")
            reject(f"{where} the table lacks {len(missing)} feature columns, e.g. {missing[:3]}{hint}")
        if len(table) != len(expected):
            if len(table) > len(expected):
                reject(f"{where} you have {len(table)} rows for {len(expected)} segments: merge on the track AND the "
                       "segment number; on the track alone every segment meets every segment of its track")
            reject(f"{where} you have {len(table)} rows for {len(expected)} segments: keep every segment "
                   "(segment_spectrograms and dwt_table cut the same 3-s segments)")
        merged = expected.merge(table, on=["track_id", "segment"], suffixes=("", "_yours"), how="left")
        for column in mfcc_columns + dwt_columns:
            if not np.allclose(merged[column], merged[f"{column}_yours"], rtol=1e-5, atol=1e-8, equal_nan=False):
                reject(f"{where} your {column} values differ from those of the segment with the same track_id and "
                       "segment: compute them per 3-s segment (segment_seconds=3.0) and join on the keys")
    return (f"{len(table)} segments, {len(mfcc_columns)} MFCC and {len(dwt_columns)} DWT columns, each row "
            "matched by track and segment.")
