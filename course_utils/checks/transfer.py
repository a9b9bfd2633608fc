"""Checks for the exercises of chapter 10 (transfer learning from ImageNet).

Used in: solutions/10_transfer_learning_exercises.ipynb
"""

from __future__ import annotations

import numpy as np

from course_utils.checks import check, reject, reject_known_mistake

# ImageNet's mean pixel values in B, G, R order, as "caffe" preprocessing subtracts them (VGG16, ResNet50).
CAFFE_MEANS = (103.939, 116.779, 123.68)
PICTURE_NAMES = {
    "blues00012.png": "blues.00012", "hiphop00099.png": "hiphop.00099", "pop00100.PNG": "pop.00100",
    "Data/images_original/rock/rock00003.png": "rock.00003", "blues.00012.png": "blues.00012",
}


@check("10.1")
def check_track_id_from_picture(track_id_from_picture) -> str:
    """``track_id_from_picture(name)`` turns Kaggle's picture names into GTZAN track ids."""
    for name, expected in PICTURE_NAMES.items():
        got = track_id_from_picture(name)
        if not isinstance(got, str):
            reject(f"{name!r} gave {got!r}: return the track id as a string such as 'blues.00012'")
        if got == expected:
            continue
        if "/" in got:
            reject(f"{name!r} gave {got!r}: keep only the file's name, not its folders (Path(name).name)")
        if got.lower().endswith(".png"):
            reject(f"{name!r} gave {got!r}: drop the extension (Path(name).stem)")
        if got == expected.replace(".", ""):
            reject(f"{name!r} gave {got!r}: put the dot back between the genre and the five-digit number")
        if ".." in got or got.count(".") > 1:
            reject(f"{name!r} gave {got!r}: a name that already has its dot (blues.00012.png) keeps it as it is")
        if name.startswith("hiphop"):
            reject(f"{name!r} gave {got!r}: genre names have different lengths; the number is always the last "
                   "five characters")
        reject(f"{name!r} gave {got!r}, expected {expected!r}")
    return "Kaggle's pictures now carry the audio's track ids, so they join the same split."


def _reference_input(images: np.ndarray, mode: str) -> np.ndarray:
    pixels = 255.0 * images
    if mode == "tf":
        return pixels / 127.5 - 1.0
    return pixels[..., ::-1] - np.array(CAFFE_MEANS)


@check("10.2")
def check_network_input(to_network_input) -> str:
    """``to_network_input(images, mode)`` scales [0, 1] pictures as MobileNet ("tf") or VGG16 ("caffe") expects."""
    import keras

    rng = np.random.default_rng(0)
    images = rng.random((3, 4, 5, 3)).astype(np.float32)
    images[0, 0, 0] = (1.0, 0.0, 0.5)  # a pixel whose channels differ clearly
    original = images.copy()
    for mode, module in (("tf", "mobilenet"), ("caffe", "vgg16")):
        got = np.asarray(to_network_input(images, mode), dtype=np.float64)
        if not np.array_equal(images, original):
            reject(f"mode {mode!r} changed the images you were given: compute a new array (255.0 * images makes one)")
        if got.shape != images.shape:
            reject(f"mode {mode!r}: expected the shape of the images, {images.shape}, got {got.shape}")
        expected = getattr(keras.applications, module).preprocess_input(255.0 * images.copy())
        if np.allclose(got, expected, atol=1e-3):
            continue
        where = f"mode {mode!r}"
        reject_known_mistake(got, [
            (_reference_input(images / 255.0, mode), "the pictures' values are in [0, 1], but the networks were "
                                                      "trained on pixel values 0-255: multiply by 255 first"),
            (255.0 * images - np.array(CAFFE_MEANS) if mode == "caffe" else None,
             "the channels must be reversed first (RGB to BGR: images[..., ::-1]); CAFFE_MEANS are in B, G, R order"),
            ((255.0 * images)[..., ::-1] - np.array(CAFFE_MEANS[::-1]) if mode == "caffe" else None,
             "the means are given in B, G, R order: subtract them from the reversed (BGR) channels as they are"),
            (255.0 * images / 255.0 if mode == "tf" else None,
             "'tf' maps 0-255 to [-1, 1]: divide by 127.5, subtract 1"),
            (255.0 * images / 127.5 if mode == "tf" else None, "'tf' maps 0-255 to [-1, 1]: you forgot to subtract 1"),
        ], where=where, atol=1e-3)
        reject(f"{where}: values differ from the network's own preprocessing by up to "
               f"{np.abs(got - expected).max():.3g}")
    return "Both scalings match keras.applications' own preprocess_input."


def _expected_trainable(model, last_frozen: str) -> dict[str, bool]:
    import keras

    names = [layer.name for layer in model.layers]
    cut = names.index(last_frozen)
    return {layer.name: i > cut and not isinstance(layer, keras.layers.BatchNormalization)
            for i, layer in enumerate(model.layers)}


@check("10.3")
def check_freeze_for_fine_tuning(freeze_for_fine_tuning) -> str:
    """``freeze_for_fine_tuning(model, last_frozen)`` freezes the layers up to ``last_frozen`` and every
    batch-normalisation layer, and lets the others train."""
    import keras

    from course_utils.models import transfer

    model = transfer.load_backbone("MobileNet", size=32, weights=None)  # the structure is what matters here
    for last_frozen in ("conv_pw_11", "conv_pw_12_relu"):
        for layer in model.layers:
            layer.trainable = True
        freeze_for_fine_tuning(model, last_frozen)
        expected = _expected_trainable(model, last_frozen)
        for layer in model.layers:
            if layer.trainable == expected[layer.name] or not layer.weights:
                continue
            if layer.name == last_frozen:
                reject(f"{last_frozen!r} itself is trainable: the layers up to *and including* last_frozen are frozen")
            if isinstance(layer, keras.layers.BatchNormalization) and layer.trainable:
                reject(f"batch-normalisation layer {layer.name!r} is trainable: keep every one frozen, so that it "
                       "keeps ImageNet's statistics")
            if layer.trainable:
                reject(f"layer {layer.name!r} comes before {last_frozen!r} but is trainable: freeze every layer "
                       "up to it")
            reject(f"layer {layer.name!r} comes after {last_frozen!r} and is not batch normalisation, but it is "
                   "frozen: make it trainable")
    trainable, total = transfer.trainable_share(model)
    return f"With the cut after conv_pw_12_relu, {trainable:,} of {total:,} MobileNet weights train."
