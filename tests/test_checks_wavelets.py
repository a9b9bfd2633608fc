import numpy as np
import pandas as pd
import pytest
import pywt

from conftest import make_collection
from course_utils import wavelets
from course_utils.checks import CheckFailed
from course_utils.checks import wavelets as checks
from course_utils.data import load_dataset
from course_utils.features import segment_spectrograms
from course_utils.models import classical


def true_morlet_scale(freq, *, sr, center):
    return center * sr / np.asarray(freq, dtype=float)


def true_shares(y, *, wavelet, level):
    bands = pywt.wavedec(np.asarray(y, dtype=np.float64), wavelet, level=level)
    names = [f"cA{level}"] + [f"cD{j}" for j in range(level, 0, -1)]
    energy = np.array([np.sum(c ** 2) for c in bands])
    shares = energy / energy.sum() if energy.sum() > 0 else energy
    return dict(zip(names, shares))


def test_right_answers_pass(capsys):
    assert checks.check_morlet_scale(true_morlet_scale)
    assert checks.check_level(7)
    assert checks.check_energy_shares(true_shares)
    assert checks.check_energy_shares(lambda y, *, wavelet, level: dict(reversed(true_shares(
        y, wavelet=wavelet, level=level).items())))  # any order of the keys
    out = capsys.readouterr().out
    assert "✔ Exercise 3.3: correct" in out and "✘" not in out


@pytest.mark.parametrize("wrong, feedback", [
    (lambda f, *, sr, center: sr / np.asarray(f), "left out the centre frequency"),
    (lambda f, *, sr, center: center / np.asarray(f), "scale in seconds"),
    (lambda f, *, sr, center: np.asarray(f) / (center * sr), "that is the inverse"),
    (lambda f, *, sr, center: center * sr / (2 * np.pi * np.asarray(f)), "no 2π"),
    (lambda f, *, sr, center: float(np.mean(center * sr / np.asarray(f))), "one scale per frequency"),
])
def test_wrong_scales_are_rejected_with_a_reason(wrong, feedback, capsys):
    assert not checks.check_morlet_scale(wrong)
    assert feedback in capsys.readouterr().out


@pytest.mark.parametrize("level, feedback", [
    (6, "0 to 172 Hz, above 100 Hz"),
    (8, "take the smallest"),
    (7.0, "whole number"),
])
def test_wrong_levels(level, feedback, capsys):
    assert not checks.check_level(level)
    assert feedback in capsys.readouterr().out


def backwards_names(y, *, wavelet, level):
    shares = list(true_shares(y, wavelet=wavelet, level=level).values())
    return {f"cA{level}": shares[0], **{f"cD{j}": shares[j] for j in range(1, level + 1)}}


def mean_of_squares(y, *, wavelet, level):
    bands = pywt.wavedec(np.asarray(y, dtype=np.float64), wavelet, level=level)
    power = np.array([np.mean(c ** 2) for c in bands])
    names = true_shares(y, wavelet=wavelet, level=level).keys()
    return dict(zip(names, power / power.sum() if power.sum() else power))


def without_silence_guard(y, *, wavelet, level):
    shares = true_shares(y, wavelet=wavelet, level=level)
    total = sum(shares.values())
    with np.errstate(invalid="ignore"):
        return {k: v / total if total else np.float64(0) / np.float64(0) for k, v in shares.items()}


@pytest.mark.parametrize("wrong, feedback", [
    (backwards_names, "named backwards"),
    (mean_of_squares, "you averaged the squares"),
    (lambda y, *, wavelet, level: {k: v * 7 for k, v in true_shares(y, wavelet=wavelet, level=level).items()},
     "divide each band's energy by the total"),
    (lambda y, *, wavelet, level: dict(list(true_shares(y, wavelet=wavelet, level=6).items())), "use the level"),
    (lambda y, *, wavelet, level: list(true_shares(y, wavelet=wavelet, level=level).values()), "should return a dict"),
    (without_silence_guard, "0 / 0"),
])
def test_wrong_energy_shares_are_rejected_with_a_reason(wrong, feedback, capsys):
    assert not checks.check_energy_shares(wrong)
    assert feedback in capsys.readouterr().out


def test_sum_of_absolute_values_is_named(capsys):
    def absolute(y, *, wavelet, level):
        bands = pywt.wavedec(np.asarray(y, dtype=np.float64), wavelet, level=level)
        size = np.array([np.sum(np.abs(c)) for c in bands])
        names = true_shares(y, wavelet=wavelet, level=level).keys()
        return dict(zip(names, size / size.sum() if size.sum() else size))

    assert not checks.check_energy_shares(absolute)
    assert "square the coefficients" in capsys.readouterr().out


@pytest.fixture
def small_set(tmp_path, monkeypatch):
    """Two labels of three 7-s tones: two 3-s segments per track."""
    monkeypatch.setenv("COURSE_JOBS", "1")  # a few tiny files: worker processes would cost more than they save
    return load_dataset(make_collection(tmp_path / "set", per_label=3, seconds=7.0))


def test_joined_table_is_accepted_and_join_mistakes_are_named(small_set, capsys):
    def right(dataset, *, level):
        return checks.mfcc_and_dwt_reference(dataset, level=level)

    def parts(dataset, level):
        X, segments = segment_spectrograms(dataset, kind="mfcc")
        return (classical.frame_statistics(X, segments, prefix="mfcc"),
                wavelets.dwt_table(dataset, segment_seconds=3.0, level=level))

    def on_track_only(dataset, *, level):
        mfcc, dwt = parts(dataset, level)
        return mfcc.merge(dwt.drop(columns=["label", "segment"]), on="track_id")

    def label_twice(dataset, *, level):
        mfcc, dwt = parts(dataset, level)
        return mfcc.merge(dwt, on=["track_id", "segment"])

    def side_by_side(dataset, *, level):
        return pd.concat(parts(dataset, level), axis=1)

    def fixed_level(dataset, *, level):
        return right(dataset, level=6)

    def shuffled_dwt(dataset, *, level):
        mfcc, dwt = parts(dataset, level)
        columns = wavelets.dwt_columns(level)
        dwt[columns] = dwt[columns].to_numpy()[::-1]
        return mfcc.merge(dwt, on=checks.KEYS)

    assert checks.check_mfcc_and_dwt(right, dataset=small_set)
    assert "✔ Exercise 3.4: correct. 12 segments" in capsys.readouterr().out
    for wrong, feedback in [(on_track_only, "on the track alone"), (label_twice, "label_x and label_y"),
                            (side_by_side, "appear twice"), (fixed_level, "pass level=level"),
                            (shuffled_dwt, "differ from those of the segment")]:
        assert not checks.check_mfcc_and_dwt(wrong, dataset=small_set)
        assert feedback in capsys.readouterr().out, wrong.__name__


def test_strict_mode_raises_and_unanswered_propagates(monkeypatch):
    monkeypatch.setenv("COURSE_CHECKS_STRICT", "1")
    with pytest.raises(CheckFailed, match="Exercise 3.2"):
        checks.check_level(6)

    def unanswered(freq, *, sr, center):
        raise NotImplementedError("Exercise 3.1: hint")

    with pytest.raises(NotImplementedError, match="3.1"):
        checks.check_morlet_scale(unanswered)
