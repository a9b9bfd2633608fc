import numpy as np
import pytest
from PIL import Image

from conftest import make_collection
from course_utils import evaluate
from course_utils.checks import CheckFailed
from course_utils.checks import spectrograms as checks
from course_utils.config import get_profile
from course_utils.data import load_dataset, track_split
from course_utils.features import segment_spectrograms
from course_utils.models import classical


def true_frames_for(n_samples, *, n_fft, hop_length, center=True):
    return 1 + (n_samples if center else n_samples - n_fft) // hop_length


def true_to_image(S_db, *, height, width):
    picture = Image.fromarray(np.ascontiguousarray(np.asarray(S_db, np.float32)[::-1]))
    grey = np.asarray(picture.resize((width, height), Image.Resampling.BILINEAR), dtype=np.float32)
    span = grey.max() - grey.min()
    grey = (grey - grey.min()) / span if span > 0 else np.zeros_like(grey)
    return np.repeat(grey[..., None], 3, axis=-1)


def test_right_answers_pass(capsys):
    assert checks.check_frames_for(true_frames_for)
    assert checks.check_n_fft(4096)
    assert checks.check_image(true_to_image)
    out = capsys.readouterr().out
    assert "1292 centred frames" in out and "✘" not in out


@pytest.mark.parametrize("wrong, feedback", [
    (lambda n, *, n_fft, hop_length, center=True: n // hop_length if center else 1 + (n - n_fft) // hop_length,
     "one frame short"),
    (lambda n, *, n_fft, hop_length, center=True: 1 + (n - n_fft) // hop_length, "count without centring"),
    (lambda n, *, n_fft, hop_length, center=True: 1 + n // hop_length, "count with centring"),
    (lambda n, *, n_fft, hop_length, center=True: -(-n // hop_length) if center else 1 + (n - n_fft) // hop_length,
     "round n / hop_length up"),
    (lambda n, *, n_fft, hop_length, center=True: 1 + n / hop_length, "whole number"),
])
def test_wrong_frame_counts_are_rejected_with_a_reason(wrong, feedback, capsys):
    assert not checks.check_frames_for(wrong)
    assert feedback in capsys.readouterr().out


def test_valley_grows_with_the_window():
    valleys = [checks.valley_db(n) for n in (1024, 2048, 4096, 8192)]
    assert valleys[0] == 0.0 and valleys[1] < checks.VALLEY_DB <= valleys[2] < valleys[3]


@pytest.mark.parametrize("n_fft, feedback", [
    (2048, "blur into one band"),
    (8192, "take the smallest"),
    (3000, "not a power of two"),
    (4096.0, "whole number"),
])
def test_wrong_windows(n_fft, feedback, capsys):
    assert not checks.check_n_fft(n_fft)
    assert feedback in capsys.readouterr().out


def pil_size_swapped(S_db, *, height, width):
    return true_to_image(S_db, height=width, width=height)


def fixed_limits(S_db, *, height, width):
    flipped = np.ascontiguousarray(np.asarray(S_db, np.float32)[::-1])
    grey = np.asarray(Image.fromarray(flipped).resize((width, height), Image.Resampling.BILINEAR))
    grey = np.clip((grey + 60.0) / 60.0, 0.0, 1.0)  # always -60 dB to 0 dB
    return np.repeat(grey[..., None], 3, axis=-1)


def not_flipped(S_db, *, height, width):
    return true_to_image(np.asarray(S_db)[::-1], height=height, width=width)


def both_axes_flipped(S_db, *, height, width):
    return true_to_image(S_db, height=height, width=width)[:, ::-1]


def divides_by_zero(S_db, *, height, width):
    S_db = np.asarray(S_db, np.float32)
    grey = np.asarray(Image.fromarray(np.ascontiguousarray(S_db[::-1])).resize((width, height)), dtype=np.float32)
    with np.errstate(invalid="ignore"):
        grey = (grey - grey.min()) / (grey.max() - grey.min())
    return np.repeat(grey[..., None], 3, axis=-1)


@pytest.mark.parametrize("wrong, feedback", [
    (pil_size_swapped, "did you transpose?"),
    (lambda S, *, height, width: true_to_image(S, height=height, width=width)[..., 0], "3 channels"),
    (lambda S, *, height, width: np.moveaxis(true_to_image(S, height=height, width=width), -1, 0),
     "channels last"),
    (lambda S, *, height, width: 255 * true_to_image(S, height=height, width=width), "not to 0-255"),
    (not_flipped, "low frequencies belong at the bottom"),
    (both_axes_flipped, "time runs from left to right"),
    (fixed_limits, "not by fixed dB limits"),
    (lambda S, *, height, width: true_to_image(np.asarray(S)[:, :50], height=height, width=width), "do not crop"),
    (divides_by_zero, "silence"),
])
def test_wrong_images_are_rejected_with_a_reason(wrong, feedback, capsys):
    assert not checks.check_image(wrong)
    assert feedback in capsys.readouterr().out


@pytest.fixture
def small_set(tmp_path):
    """Two labels of six 3.5-s tones: one 3-s segment per track."""
    dataset = load_dataset(make_collection(tmp_path / "set", per_label=6, seconds=3.5))
    return dataset, track_split(dataset, method="stratified", test_size=0.34, valid_size=0.0, seed=0)


def test_mel_band_check_accepts_the_protocol_and_names_mistakes(small_set, capsys, monkeypatch):
    monkeypatch.setenv("COURSE_JOBS", "1")  # a few tiny files: worker processes would cost more than they save
    dataset, split = small_set
    profile = get_profile("quick")

    def fit(table):
        return evaluate.fit_and_evaluate("logreg", table, features=classical.feature_columns(table),
                                          labels=dataset.labels, profile=profile, seed=0)

    def right(dataset, split, *, n_mels):
        return fit(checks.mel_band_table(dataset, split, n_mels=n_mels))

    def ignores_n_mels(dataset, split, *, n_mels):
        return right(dataset, split, n_mels=128)

    def on_mfccs(dataset, split, *, n_mels):
        X, segments = segment_spectrograms(dataset, kind="mfcc")
        return fit(split.assign(classical.frame_statistics(X, segments, prefix="mfcc")))

    def other_split(dataset, split, *, n_mels):
        other = track_split(dataset, method="stratified", test_size=0.34, valid_size=0.0, seed=5)
        return right(dataset, other, n_mels=n_mels)

    def shifted_values(dataset, split, *, n_mels):
        table = checks.mel_band_table(dataset, split, n_mels=n_mels)
        columns = classical.feature_columns(table)
        table[columns] = table[columns] + 10.0
        return fit(table)

    assert checks.check_mel_bands(right, dataset=dataset, split=split)
    assert "✔ Exercise 2.4: correct" in capsys.readouterr().out
    for wrong, feedback in [(ignores_n_mels, "pass n_mels=n_mels"), (on_mfccs, "that is 20 MFCCs"),
                            (other_split, "split.assign(table)"), (shifted_values, "learned from other numbers"),
                            (lambda d, s, *, n_mels: 0.8, "should return what evaluate.fit_and_evaluate returns")]:
        assert not checks.check_mel_bands(wrong, dataset=dataset, split=split)
        assert feedback in capsys.readouterr().out, wrong


def test_strict_mode_raises_and_unanswered_propagates(monkeypatch):
    monkeypatch.setenv("COURSE_CHECKS_STRICT", "1")
    with pytest.raises(CheckFailed, match="Exercise 2.2"):
        checks.check_n_fft(2048)

    def unanswered(S_db, *, height, width):
        raise NotImplementedError("Exercise 2.3: hint")

    with pytest.raises(NotImplementedError, match="2.3"):
        checks.check_image(unanswered)
