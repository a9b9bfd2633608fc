import librosa
import numpy as np
import pytest

from course_utils.checks import CheckFailed
from course_utils.checks import audio_basics as checks


def true_rms(y):
    return float(np.sqrt(np.mean(np.square(y))))


def test_right_answers_pass(capsys):
    assert checks.check_rms(true_rms)
    assert checks.check_hop(1.5)
    loudness, labels = [0.05, 0.07, 0.3, 0.4], ["classical", "classical", "metal", "metal"]
    assert checks.check_threshold(0.2, loudness, labels, quiet="classical", loud="metal")
    assert "✔ Exercise 1.3: correct" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, feedback", [
    (lambda y: float(np.mean(np.square(y))), "mean of the squares"),
    (lambda y: float(np.mean(y)), "square the samples"),
    (lambda y: float(np.max(np.abs(y))), "peak"),
    (lambda y: np.sqrt(np.square(y)), "one number"),
    (lambda y: float(np.mean(np.abs(y))), "mean absolute"),
    (lambda y: float(np.std(y)), "standard deviation"),  # right on every zero-mean signal
    (lambda y: float(librosa.feature.rms(y=y).mean()), "per-frame RMS"),
    (lambda y: float(np.sqrt(np.mean(np.square(y[:1000])))), "every sample of the whole signal"),
])
def test_plausible_wrong_rms_is_rejected_with_a_reason(wrong, feedback, capsys):
    assert not checks.check_rms(wrong)
    assert feedback in capsys.readouterr().out


@pytest.mark.parametrize("hop, feedback", [
    (3.0, "gives 10 segments, not 19: try a smaller hop"),  # no overlap
    (27 / 19, "gives 20 segments, not 19: try a larger hop"),  # (duration - window) / 19 instead of / 18
    (1.0, "try a larger hop"),
    (33075, "not in samples"),  # 1.5 s at 22050 Hz
    (-1, "positive number"),
    ("1.5", "positive number"),
])
def test_wrong_hops(hop, feedback, capsys):
    assert not checks.check_hop(hop)
    assert feedback in capsys.readouterr().out


@pytest.mark.parametrize("threshold, feedback", [
    (0.5, "all are called classical"),  # above every track
    (0.0, "all are called metal"),  # below every track
    (0.06, "between the two groups"),  # inside the quiet group
    (-20.0, "outside the measured loudness"),  # a level in dB, not an RMS
    (np.array([0.2, 0.3]), "one finite number"),
    (float("nan"), "one finite number"),
])
def test_thresholds_that_do_not_separate_the_genres(threshold, feedback, capsys):
    loudness, labels = [0.05, 0.07, 0.3, 0.4], ["classical", "classical", "metal", "metal"]
    assert not checks.check_threshold(threshold, loudness, labels, quiet="classical", loud="metal")
    assert feedback in capsys.readouterr().out


def test_learner_errors_are_reported_and_strict_mode_raises(monkeypatch, capsys):
    assert not checks.check_rms(lambda y: y.nope)
    assert "your code raised AttributeError" in capsys.readouterr().out
    monkeypatch.setenv("COURSE_CHECKS_STRICT", "1")
    with pytest.raises(CheckFailed, match="Exercise 1.2"):
        checks.check_hop(3.0)


@pytest.mark.parametrize("mode", ["autograde", "validate"])
def test_nbgrader_grading_raises_an_assertion_with_the_hint(mode, monkeypatch, capsys):
    monkeypatch.setenv("NBGRADER_EXECUTION", mode)
    with pytest.raises(AssertionError, match="Exercise 1.2: a hop of 3.0 s gives 10 segments.*smaller hop"):
        checks.check_hop(3.0)
    assert checks.check_hop(1.5)  # a right answer still passes


def test_a_learner_only_sees_feedback(monkeypatch, capsys):
    monkeypatch.setenv("NBGRADER_EXECUTION", "")  # nbgrader's other commands do not grade
    assert not checks.check_hop(3.0)
    assert "✘ Exercise 1.2: not yet" in capsys.readouterr().out


def test_unanswered_exercise_propagates():
    def unanswered(y):
        raise NotImplementedError("Exercise 1.1: hint")

    with pytest.raises(NotImplementedError, match="1.1"):
        checks.check_rms(unanswered)
