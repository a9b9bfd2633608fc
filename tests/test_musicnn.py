"""musicnn rebuilt in Keras 3: it must compute what the wheel's own TF1 graph computes.

The reference runs once per session in a subprocess: the wheel's ``models.define_model`` in
``tf.compat.v1`` graph mode (with tf-keras, ``TF_USE_LEGACY_KERAS=1``), restored from the wheel's
checkpoints, fed the patches of the wheel's own preprocessing (``extractor.batch_data``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import soundfile as sf

from conftest import tone
from reference_values import check_reference
from course_utils.embeddings import WeightsError, musicnn_embeddings, musicnn_tags
from course_utils.embeddings import musicnn
from course_utils.errors import ConfigError

pytest.importorskip("musicnn", reason=f"the wheel {musicnn.WHEEL} is not installed")

REFERENCE = textwrap.dedent("""
    import os, sys
    import numpy as np
    import tensorflow as tf
    from musicnn import extractor, models   # extractor switches TensorFlow to graph mode

    folder, names = sys.argv[1], sys.argv[2:]
    out = {}
    for which in ("quiet", "loud"):
        out[f"{which}_batch"] = extractor.batch_data(os.path.join(folder, which + ".wav"), 187, 187)[0]
    for name in names:
        tf.compat.v1.reset_default_graph()
        x = tf.compat.v1.placeholder(tf.float32, [None, 187, 96])
        training = tf.compat.v1.placeholder(tf.bool)
        outputs = models.define_model(x, training, name, 50)
        layers = ["pool1", "pool2", "pool3", "pool4", "pool5"] if "vgg" in name else [
            "timbral", "temporal", "cnn1", "cnn2", "cnn3", "mean_pool", "max_pool", "penultimate"]
        with tf.compat.v1.Session() as session:
            weights = os.path.join(os.path.dirname(models.__file__), name) + "/"
            tf.compat.v1.train.Saver().restore(session, weights)
            values = session.run([tf.nn.sigmoid(outputs[0])] + list(outputs[1:]),
                                 feed_dict={x: out["quiet_batch"].astype(np.float32), training: False})
        out.update({f"{name}/{layer}": v for layer, v in zip(["taggram"] + layers, values)})
    np.savez(os.path.join(folder, "reference.npz"), **out)
""")


@pytest.fixture(scope="module")
def clips() -> dict[str, np.ndarray]:
    """A synthetic jazz clip at full level (-1 dBFS peak), and the same clip quiet enough for float16."""
    from course_utils.synth import render_track

    jazz = render_track("jazz", duration=7.0, sr=musicnn.SR)
    loud = (jazz * 10 ** (-1 / 20) / np.abs(jazz).max()).astype(np.float32)  # mastered to a -1 dBFS peak
    peak_mel = 10 ** musicnn.log_mel(loud).max() / 10000
    return {"loud": loud, "quiet": (loud * np.sqrt(2.0 / peak_mel)).astype(np.float32), "peak_mel": peak_mel}


@pytest.fixture(scope="module")
def reference(clips, tmp_path_factory) -> dict[str, np.ndarray]:
    folder = tmp_path_factory.mktemp("musicnn_reference")
    for which in ("quiet", "loud"):
        sf.write(folder / f"{which}.wav", clips[which], musicnn.SR, subtype="FLOAT")
    env = {**os.environ, "TF_USE_LEGACY_KERAS": "1", "TF_CPP_MIN_LOG_LEVEL": "2"}
    run = subprocess.run([sys.executable, "-c", REFERENCE, str(folder), *musicnn.MODELS], env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, f"the wheel's reference failed:\n{run.stderr[-3000:]}"
    with np.load(folder / "reference.npz") as stored:
        return dict(stored)


@pytest.mark.parametrize("model", musicnn.MODELS)
def test_rebuild_matches_the_wheel(model, reference):
    kind = musicnn.architecture(model)
    inputs = reference["quiet_batch"].astype(np.float32)
    ours = {k: np.asarray(v) for k, v in musicnn.load_musicnn(model).predict_on_batch(inputs).items()}
    assert set(ours) == set(musicnn.LAYERS[kind])
    np.testing.assert_allclose(ours["taggram"], reference[f"{model}/taggram"], rtol=0, atol=1e-4)
    for layer, value in ours.items():
        expected = reference[f"{model}/{layer}"].reshape(value.shape)
        scale = max(1.0, float(np.abs(expected).max()))
        assert np.abs(value - expected).max() <= 1e-4 * scale, f"{model} {layer} differs from the wheel"


def test_input_matches_the_wheel_but_stays_finite_when_loud(clips, reference):
    ours = musicnn.patches(musicnn.log_mel(clips["quiet"]))
    # The wheel rounds its input to float16: about 3 significant digits.
    np.testing.assert_allclose(ours, reference["quiet_batch"].astype(np.float32), rtol=0, atol=5e-3)
    assert clips["peak_mel"] * 10000 > np.finfo(np.float16).max
    assert np.isinf(reference["loud_batch"]).any(), "the wheel's float16 input should overflow on this clip"
    loud = musicnn_embeddings(clips["loud"], musicnn.SR)
    assert np.isfinite(loud.patches).all() and np.isfinite(loud.scores).all()


@pytest.mark.parametrize("seconds, sr, n_patches", [(7.0, 22050, 2), (3.0, 16000, 1), (12.0, 16000, 4)])
def test_shapes_and_patch_times(seconds, sr, n_patches):
    frames = musicnn_embeddings(tone(seconds, sr=sr).astype(np.float32), sr)
    assert frames.scores.shape == (n_patches, 50)
    assert frames.embeddings.shape == (n_patches, 200) and frames.layer == "penultimate"
    assert frames.patches.shape == (n_patches, 187, 96)
    np.testing.assert_allclose(frames.times, 187 * 256 / 16000 * np.arange(n_patches))
    assert frames.spectrogram().shape == (187 * n_patches, 96)


@pytest.mark.parametrize("model, layer, shape", [("MTT_musicnn", "max_pool", (753,)),
                                                 ("MSD_musicnn", "timbral", (187, 408)),
                                                 ("MSD_vgg", None, (2, 1, 128))])
def test_layers(model, layer, shape):
    frames = musicnn_embeddings(tone(3.5, sr=16000).astype(np.float32), 16000, model=model, layer=layer)
    assert frames.embeddings.shape == (1, *shape)


def test_embeddings_match_the_stored_reference():
    """Deterministic across processes and runs: the same numbers as the reference stored earlier."""
    y = np.random.default_rng(3).uniform(-0.3, 0.3, 16000 * 7).astype(np.float32)
    frames = musicnn_embeddings(y, 16000)
    check_reference("musicnn", {"embeddings": frames.embeddings, "scores": frames.scores})


def test_tags_come_from_the_wheel():
    assert len(musicnn_tags("MSD_musicnn")) == 50 and musicnn_tags("MSD_vgg")[0] == "rock"
    assert musicnn_tags("MTT_musicnn")[0] == "guitar"


def test_errors_are_specific(monkeypatch):
    y = tone(4.0, sr=16000).astype(np.float32)
    with pytest.raises(ConfigError, match="MSD_musicnn"):
        musicnn_embeddings(y, 16000, model="MSD_big")
    with pytest.raises(ConfigError, match="penultimate"):
        musicnn_embeddings(y, 16000, layer="pool5")  # a vgg layer
    with pytest.raises(ConfigError, match="at least 187"):
        musicnn.patches(np.zeros((186, musicnn.N_MELS), np.float32))
    monkeypatch.setattr(musicnn.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(WeightsError, match=r"pip install --no-deps musicnn==0\.1\.0"):
        musicnn.weights_dir("MSD_musicnn")
