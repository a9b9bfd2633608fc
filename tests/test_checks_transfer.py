"""The checks of chapter 10's exercises accept right answers and name the plausible mistakes."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest

from course_utils.checks import transfer as checks
from course_utils.data import image_track_id


def right_track_id(name):
    stem = Path(name).stem
    return stem if "." in stem else f"{stem[:-5]}.{stem[-5:]}"


def test_track_id_right_answers_pass(capsys):
    assert checks.check_track_id_from_picture(right_track_id)
    assert checks.check_track_id_from_picture(image_track_id)
    assert "✔ Exercise 10.1: correct" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, feedback", [
    (lambda name: Path(name).name, "drop the extension"),
    (lambda name: f"{name[:-4][:-5]}.{name[:-4][-5:]}", "not its folders"),
    (lambda name: Path(name).stem.replace(".", ""), "put the dot back"),
    (lambda name: f"{Path(name).stem[:-5]}.{Path(name).stem[-5:]}", "keeps it as it is"),
    (lambda name: right_track_id(name) if "hiphop" not in name else "hipho.p00099", "different lengths"),
    (lambda name: 12, "as a string"),
])
def test_track_id_mistakes_are_named(wrong, feedback, capsys):
    assert not checks.check_track_id_from_picture(wrong)
    assert feedback in capsys.readouterr().out


def right_input(images, mode):
    pixels = 255.0 * np.asarray(images, dtype=np.float32)
    return pixels / 127.5 - 1.0 if mode == "tf" else pixels[..., ::-1] - np.array(checks.CAFFE_MEANS)


def in_place(images, mode):
    images *= 255.0
    return images / 127.5 - 1.0 if mode == "tf" else images[..., ::-1] - np.array(checks.CAFFE_MEANS)


def test_network_input_right_answers_pass(capsys):
    assert checks.check_network_input(right_input)
    modules = {"tf": keras.applications.mobilenet, "caffe": keras.applications.vgg16}
    assert checks.check_network_input(lambda images, mode: modules[mode].preprocess_input(255.0 * images))
    assert "✔ Exercise 10.2: correct" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, feedback", [
    (lambda images, mode: right_input(images / 255.0, mode), "multiply by 255 first"),
    (lambda images, mode: right_input(images, mode) if mode == "tf" else 255.0 * images - np.array(checks.CAFFE_MEANS),
     "RGB to BGR"),
    (lambda images, mode: right_input(images, mode) if mode == "tf"
     else (255.0 * images)[..., ::-1] - np.array(checks.CAFFE_MEANS[::-1]), "B, G, R order"),
    (lambda images, mode: 255.0 * images / 127.5, "forgot to subtract 1"),
    (in_place, "changed the images"),
    (lambda images, mode: right_input(images, mode)[0], "expected the shape"),
])
def test_network_input_mistakes_are_named(wrong, feedback, capsys):
    assert not checks.check_network_input(wrong)
    assert feedback in capsys.readouterr().out


def right_freeze(model, last_frozen):
    frozen = True
    for layer in model.layers:
        layer.trainable = not frozen and not isinstance(layer, keras.layers.BatchNormalization)
        if layer.name == last_frozen:
            frozen = False


def freeze_after(model, last_frozen):  # off by one: last_frozen itself trains
    frozen = True
    for layer in model.layers:
        if layer.name == last_frozen:
            frozen = False
        layer.trainable = not frozen and not isinstance(layer, keras.layers.BatchNormalization)


def batch_norm_trains(model, last_frozen):
    names = [layer.name for layer in model.layers]
    for i, layer in enumerate(model.layers):
        layer.trainable = i > names.index(last_frozen)


def nothing_frozen(model, last_frozen):
    for layer in model.layers:
        layer.trainable = not isinstance(layer, keras.layers.BatchNormalization)


def everything_frozen(model, last_frozen):
    model.trainable = False


def test_freeze_right_answer_passes(capsys):
    assert checks.check_freeze_for_fine_tuning(right_freeze)
    assert "✔ Exercise 10.3: correct" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, feedback", [
    (freeze_after, "up to *and including* last_frozen"),
    (batch_norm_trains, "batch-normalisation layer"),
    (nothing_frozen, "comes before"),
    (everything_frozen, "make it trainable"),
])
def test_freeze_mistakes_are_named(wrong, feedback, capsys):
    assert not checks.check_freeze_for_fine_tuning(wrong)
    assert feedback in capsys.readouterr().out
