"""The chapter-8 checks accept right answers and name each plausible wrong one."""

import numpy as np
import pytest
from keras import layers

from course_utils.checks import CheckFailed
from course_utils.checks import cnn as checks


def block(x, channels, *, padding="same", order=("conv", "bn", "relu", "pool"), pool=layers.MaxPooling2D,
          kernel=3, bias=False, conv_activation=None, width=None, bn_axis=-1):
    steps = {"conv": lambda: layers.Conv2D(width or channels, kernel, padding=padding, use_bias=bias,
                                           activation=conv_activation),
             "bn": lambda: layers.BatchNormalization(axis=bn_axis), "relu": layers.ReLU, "pool": lambda: pool(2),
             "dropout": lambda: layers.Dropout(0.2)}
    for name in order:
        x = steps[name]()(x)
    return x


def expect(check, answer, feedback, capsys):
    capsys.readouterr()
    assert not check(answer), feedback
    assert feedback in capsys.readouterr().out


def test_conv_block_right_answer_passes(capsys):
    assert checks.check_conv_block(block)
    assert "✔ Exercise 8.1: correct" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, feedback", [
    (lambda x, c: block(x, c, padding="valid"), "padding='same'"),
    (lambda x, c: block(x, c, order=("conv", "bn", "relu")), "MaxPooling2D(2)"),
    (lambda x, c: block(x, c, order=("conv", "relu", "bn", "pool")), "before the batch normalisation"),
    (lambda x, c: block(x, c, order=("conv", "bn", "pool"), conv_activation="relu"), "before the batch"),
    (lambda x, c: block(x, c, order=("conv", "relu", "pool")), "no BatchNormalization"),
    (lambda x, c: block(x, c, pool=layers.AveragePooling2D), "max pooling"),
    (lambda x, c: block(x, c, kernel=5), "3 x 3"),
    (lambda x, c: block(x, c, width=16), "`channels` argument"),
    (lambda x, c: block(x, c, bias=True), "use_bias=False"),
    (lambda x, c: block(x, c, order=("conv", "bn", "pool", "relu")), "pool last"),
    (lambda x, c: x, "one Conv2D"),
    # plausible answers that an earlier version of the check accepted
    (lambda x, c: block(x, c, order=("bn", "conv", "relu", "pool")), "comes before the convolution"),
    (lambda x, c: block(x, c, order=("conv", "bn", "relu", "dropout", "pool")), "nothing more"),
    (lambda x, c: block(x, c, bn_axis=1), "normalises axis 1"),
])
def test_conv_block_wrong_answers_get_specific_feedback(wrong, feedback, capsys):
    expect(checks.check_conv_block, wrong, feedback, capsys)


def kept_val_loss(runs):
    return min(runs, key=lambda k: runs[k].history.loc[runs[k].best_epoch, "val_loss"])


def test_best_setting_right_answers_pass(capsys):
    assert checks.check_best_setting(kept_val_loss)
    assert checks.check_best_setting(lambda runs: min(runs, key=lambda k: runs[k].history["val_loss"].min()))


@pytest.mark.parametrize("wrong, feedback", [
    (lambda runs: min(runs, key=lambda k: runs[k].history["loss"].min()), "*training* loss"),
    (lambda runs: max(runs, key=lambda k: runs[k].history["val_accuracy"].max()), "validation accuracy"),
    (lambda runs: min(runs, key=lambda k: runs[k].history["val_loss"].iloc[-1]), "*last* epochs"),
    (lambda runs: "0.001", "one of the keys"),
])
def test_best_setting_wrong_answers_get_specific_feedback(wrong, feedback, capsys):
    expect(checks.check_best_setting, wrong, feedback, capsys)


def masker(*, fill="mean", axis=1, inclusive=True, same_span=False, in_place=False, global_rng=False,
           max_extra=0):
    def frequency_mask(X, rng, *, max_bands):
        out = X if in_place else np.array(X, dtype=float, copy=True)
        draw = np.random.default_rng() if global_rng else rng
        size = out.shape[axis]
        first = None
        for example in out:
            width = draw.integers(0, max_bands + 1 + max_extra)
            high = size - width + (1 if inclusive else 0)
            start = draw.integers(0, high) if high > 0 else 0
            if same_span:
                first = first or (width, start)
                width, start = first
            value = {"mean": example.mean(), "zero": 0.0, "batch": X.mean()}[fill]
            if axis == 1:
                example[start:start + width, :] = value
            else:
                example[:, start:start + width] = value
        return out
    return frequency_mask


def test_frequency_mask_right_answer_passes(capsys):
    assert checks.check_frequency_mask(masker())


@pytest.mark.parametrize("wrong, feedback", [
    (masker(axis=2), "time masking"),
    (masker(fill="zero"), "0 is a loud value"),
    (masker(fill="batch"), "each example's own mean"),
    (masker(same_span=True), "same span"),
    (masker(in_place=True), "work on a copy"),
    (masker(global_rng=True), "draw every random number from rng"),
    (masker(inclusive=False), "the first or the last band"),
    (masker(max_extra=3), "more than max_bands"),
])
def test_frequency_mask_wrong_answers_get_specific_feedback(wrong, feedback, capsys):
    expect(checks.check_frequency_mask, wrong, feedback, capsys)


def test_strict_mode_raises(monkeypatch):
    monkeypatch.setenv("COURSE_CHECKS_STRICT", "1")
    with pytest.raises(CheckFailed, match="Exercise 8.3"):
        checks.check_frequency_mask(masker(fill="zero"))
