"""musicnn as a LiteRT (TFLite) network, so that a saved classifier predicts without importing TensorFlow.

Importing TensorFlow takes 4-7 s on a 2-core machine, more than the whole budget of a command-line
prediction; the LiteRT interpreter (``ai-edge-litert``) starts in a fraction of a second. The
network is exported once per model and layer from the Keras model of
:func:`course_utils.embeddings.load_musicnn` (this needs TensorFlow, so it happens when a classifier
is trained), cached in the data home, and stored inside every saved classifier. It computes the
same numbers as the Keras model to float32 rounding (``tests/test_saved.py`` checks 1e-4).

Used in: the ``genre-classify`` command line (:mod:`course_utils.cli`) through
:mod:`course_utils.classifier`.
"""

from __future__ import annotations

import tempfile
from importlib import metadata
from pathlib import Path

import numpy as np

from course_utils.cache import cache_key, cache_path
from course_utils.embeddings import musicnn
from course_utils.embeddings.common import FrameEmbeddings
from course_utils.io import atomic_path

EXPORT_VERSION = 1
EXPORT_CACHE = "musicnn-litert"  # the cache folder of the exported networks
OUTPUTS = ("embeddings", "scores")


def _export_key(model: str, layer: str) -> str:
    versions = {p: metadata.version(p) for p in ("tensorflow", "keras", "musicnn")}
    return cache_key(EXPORT_CACHE, {"v": EXPORT_VERSION, "model": model, "layer": layer, **versions})


def export_musicnn(model: str = "MSD_musicnn", *, layer: str | None = None) -> bytes:
    """The LiteRT network of a musicnn model: (batch, 187, 96) log-mel patches to ``layer`` and the taggram.

    Exported from the Keras model with ``keras.Model.export(format="litert")`` on first use, then
    read from the cache (``<data home>/cache/musicnn-litert``, keyed by model, layer and the
    versions of TensorFlow, Keras and the musicnn wheel; written atomically).

    Parameters
    ----------
    model : str
        One of :data:`course_utils.embeddings.musicnn.MODELS`.
    layer : str, optional
        A layer of :data:`course_utils.embeddings.musicnn.LAYERS` (default: the model's default layer).

    Returns
    -------
    bytes
        The ``.tflite`` flat buffer; its one signature maps (batch, 187, 96) patches to ``embeddings``
        (batch, d) and ``scores`` (batch, 50).

    Raises
    ------
    WeightsError
        If the musicnn wheel (which holds the weights) is not installed.
    """
    layer = musicnn.resolve_layer(model, layer)
    musicnn.weights_dir(model)   # a missing wheel fails here, with the command that installs it
    target = cache_path(EXPORT_CACHE, _export_key(model, layer), ".tflite")
    if not target.is_file():
        import keras

        full = musicnn.load_musicnn(model)
        network = keras.Model(full.input, {"embeddings": full.output[layer], "scores": full.output["taggram"]})
        spec = [keras.InputSpec(shape=(None, musicnn.PATCH_STEPS, musicnn.N_MELS), dtype="float32")]
        with tempfile.TemporaryDirectory() as folder:
            exported = Path(folder) / "musicnn.tflite"
            network.export(str(exported), format="litert", verbose=False, input_signature=spec)
            with atomic_path(target) as tmp:
                tmp.write_bytes(exported.read_bytes())
    return target.read_bytes()


class LiteMusicnn:
    """A musicnn network exported by :func:`export_musicnn`, run by the LiteRT interpreter.

    Parameters
    ----------
    network : bytes
        The ``.tflite`` flat buffer.
    model, layer : str
        What it was exported from (recorded in the :class:`FrameEmbeddings` it returns).
    batch_size : int
        Patches per call (memory grows with it).
    """

    def __init__(self, network: bytes, *, model: str, layer: str, batch_size: int = 16):
        from ai_edge_litert.interpreter import Interpreter

        self.model, self.layer, self.batch_size = model, layer, batch_size
        interpreter = Interpreter(model_content=network)
        signature = interpreter.get_signature_list()["serving_default"]
        self._input = signature["inputs"][0]
        self._run = interpreter.get_signature_runner()

    def __call__(self, y: np.ndarray, sr: int) -> FrameEmbeddings:
        """Frame embeddings of a signal, as :func:`course_utils.embeddings.musicnn_embeddings` gives them.

        Parameters
        ----------
        y : np.ndarray, shape (n,)
            Mono signal; resampled to 16 kHz when ``sr`` differs, and looped to one patch when
            shorter (:func:`course_utils.audio.pad_to_length`).
        sr : int
            Sample rate of ``y``.

        Returns
        -------
        FrameEmbeddings
            ``embeddings`` (n_patches, d), ``scores`` (n_patches, 50), ``patches`` (n_patches, 187, 96).
        """
        inputs = musicnn.input_patches(y, sr)
        outputs = [self._run(**{self._input: inputs[i:i + self.batch_size]})
                   for i in range(0, len(inputs), self.batch_size)]
        embeddings, scores = (np.concatenate([o[name] for o in outputs]) for name in OUTPUTS)
        return musicnn.patch_embeddings(inputs, model=self.model, layer=self.layer, scores=scores,
                                        embeddings=embeddings, duration=len(y) / sr)
