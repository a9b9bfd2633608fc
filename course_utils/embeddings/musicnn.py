"""musicnn: music-tagging CNNs (Pons & Serra) rebuilt in Keras 3, with the weights of the PyPI wheel.

The wheel ``musicnn==0.1.0`` ships TF1 checkpoints of four models trained to tag music with 50
tags: ``MTT_musicnn`` and ``MTT_vgg`` (MagnaTagATune), ``MSD_musicnn`` and ``MSD_vgg`` (Million
Song Dataset). Its own code builds TF1 graphs that Keras 3 cannot run, so the same architectures
are written here as Keras models whose layers carry the checkpoints' variable names, and the
weights are copied from the checkpoints by name. ``tests/test_musicnn.py`` runs the wheel's own
graph and checks that every output agrees.

Input: log-mel patches of 187 steps (3 s at 16 kHz, hop 256) by 96 bands, ``log10(10000 mel + 1)``,
computed in float32 (the wheel casts the mel spectrogram to float16, which overflows to infinity
on loud clips). A clip shorter than one patch (the data layer accepts clips from 1 s) is looped to
fill it (:func:`course_utils.audio.pad_to_length`), so every clip gets at least one patch.

Used in: book/05_pretrained_embeddings.ipynb.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import librosa
import numpy as np

from course_utils.audio import pad_to_length
from course_utils.embeddings.common import FrameEmbeddings, WeightsError, mono_at
from course_utils.errors import ConfigError

SR, N_FFT, HOP_LENGTH, N_MELS = 16000, 512, 256, 96
PATCH_STEPS = 187                      # librosa.time_to_frames(3.0, sr=SR, n_fft=N_FFT, hop_length=HOP_LENGTH) + 1
PATCH_SAMPLES = (PATCH_STEPS - 1) * HOP_LENGTH   # the fewest samples whose (centred) log-mel has PATCH_STEPS steps
MODELS = ("MSD_musicnn", "MTT_musicnn", "MSD_vgg", "MTT_vgg")
LAYERS = {
    "musicnn": ("taggram", "timbral", "temporal", "cnn1", "cnn2", "cnn3", "mean_pool", "max_pool", "penultimate"),
    "vgg": ("taggram", "pool1", "pool2", "pool3", "pool4", "pool5"),
}
DEFAULT_LAYER = {"musicnn": "penultimate", "vgg": "pool5"}
PATCH_LAYERS = ("taggram", "mean_pool", "max_pool", "penultimate")
"""The musicnn layers with one vector per patch. One pass of the network gives them all, so a data set's
are computed and cached together (:func:`course_utils.embeddings.musicnn_outputs`): chapter 5's
embeddings and chapter 10's pooled values come from the same pass."""
WHEEL = "musicnn==0.1.0"


def architecture(model: str) -> str:
    """``"musicnn"`` or ``"vgg"`` for a model name of :data:`MODELS`."""
    if model not in MODELS:
        raise ConfigError(f"model must be one of {', '.join(MODELS)}; got {model!r}")
    return model.split("_", 1)[1]


def resolve_layer(model: str, layer: str | None) -> str:
    """``layer``, or the model's default layer, checked against :data:`LAYERS`."""
    kind = architecture(model)
    layer = layer or DEFAULT_LAYER[kind]
    if layer not in LAYERS[kind]:
        raise ConfigError(f"layer must be one of {', '.join(LAYERS[kind])} for {model}; got {layer!r}")
    return layer


def weights_dir(model: str) -> Path:
    """The wheel's checkpoint folder of ``model``."""
    architecture(model)
    spec = importlib.util.find_spec("musicnn")
    if spec is None or not spec.submodule_search_locations:
        raise WeightsError(f"the musicnn weights come with the package {WHEEL}, which is not installed; "
                           f"install it with `pip install --no-deps {WHEEL}` (its metadata pins an old numpy)")
    folder = Path(list(spec.submodule_search_locations)[0]) / model
    if not (folder / ".index").is_file():
        raise WeightsError(f"{folder} holds no checkpoint; reinstall with `pip install --no-deps --force-reinstall {WHEEL}`")
    return folder


def musicnn_tags(model: str = "MSD_musicnn") -> list[str]:
    """The 50 tags of ``model``, in the order of its taggram."""
    weights_dir(model)
    from musicnn import configuration

    return list(configuration.MSD_LABELS if model.startswith("MSD") else configuration.MTT_LABELS)


def log_mel(y: np.ndarray) -> np.ndarray:
    """musicnn's input representation of a 16-kHz signal, in float32: shape (n_steps, 96)."""
    mel = librosa.feature.melspectrogram(y=y, sr=SR, n_fft=N_FFT, hop_length=HOP_LENGTH, n_mels=N_MELS)
    return np.log10(10000.0 * mel.T.astype(np.float32) + 1.0)


def patches(spectrogram: np.ndarray) -> np.ndarray:
    """Cut a (n_steps, 96) log-mel into whole, non-overlapping 3-s patches: (n_patches, 187, 96)."""
    if len(spectrogram) < PATCH_STEPS:
        raise ConfigError(f"musicnn needs at least {PATCH_STEPS} log-mel steps (about 3 s of audio), "
                          f"got {len(spectrogram)}")
    return librosa.util.frame(spectrogram, frame_length=PATCH_STEPS, hop_length=PATCH_STEPS, axis=0).copy()


def build_musicnn(*, n_classes: int = 50, midend_filters: int = 64, backend_units: int = 200):
    """The musicnn architecture: musically motivated front-end, dense mid-end, temporal pooling back-end.

    Layer names follow the TF1 checkpoint (``conv2d_5``, ``batch_normalization_9``, ...). Returns a
    Keras model from (batch, 187, 96) log-mel to a dict of the outputs in :data:`LAYERS`.
    """
    import keras
    from keras import layers, ops

    names = iter(f"batch_normalization{'' if i == 0 else f'_{i}'}" for i in range(11))
    convs = iter(f"conv2d{'' if i == 0 else f'_{i}'}" for i in range(8))

    def bn(x):
        return layers.BatchNormalization(epsilon=1e-3, name=next(names))(x)

    def pad_time(x):
        return ops.pad(x, [[0, 0], [3, 3], [0, 0], [0, 0]])

    x = keras.Input((PATCH_STEPS, N_MELS))
    normalized = bn(ops.expand_dims(x, 3))
    timbral = [ops.max(bn(layers.Conv2D(204, (7, int(share * N_MELS)), activation="relu", name=next(convs))(
        pad_time(normalized))), axis=2) for share in (0.4, 0.7)]
    temporal = [ops.max(bn(layers.Conv2D(51, (length, 1), padding="same", activation="relu",
                                                name=next(convs))(normalized)), axis=2) for length in (128, 64, 32)]
    frontend = ops.expand_dims(ops.concatenate(timbral + temporal, axis=2), 3)     # (batch, 187, 561, 1)

    midend = [frontend]
    for k in range(3):
        previous = midend[-1]
        conv = layers.Conv2D(midend_filters, (7, previous.shape[2]), activation="relu", name=next(convs))
        out = ops.transpose(bn(conv(pad_time(previous))), (0, 1, 3, 2))             # (batch, 187, filters, 1)
        midend.append(out if k == 0 else out + previous)
    features = ops.concatenate(midend, axis=2)                                      # (batch, 187, 753, 1)

    max_pool, mean_pool = ops.max(features, axis=1), ops.mean(features, axis=1)
    pooled = bn(layers.Flatten()(ops.concatenate([max_pool, mean_pool], axis=2)))  # max and mean interleaved
    penultimate = bn(layers.Dense(backend_units, activation="relu", name="dense")(pooled))
    logits = layers.Dense(n_classes, name="dense_1")(penultimate)
    outputs = {
        "taggram": ops.sigmoid(logits),
        "timbral": ops.concatenate(timbral, axis=2), "temporal": ops.concatenate(temporal, axis=2),
        "cnn1": ops.squeeze(midend[1], 3), "cnn2": ops.squeeze(midend[2], 3), "cnn3": ops.squeeze(midend[3], 3),
        "mean_pool": ops.squeeze(mean_pool, 2), "max_pool": ops.squeeze(max_pool, 2), "penultimate": penultimate,
    }
    return keras.Model(x, outputs, name="musicnn")


def build_vgg(*, n_classes: int = 50, filters: int = 128):
    """The VGG-like baseline of musicnn: five 3x3 convolution blocks with max-pooling, then a dense layer.

    Layer names follow the TF1 checkpoint (``1CNN`` .. ``5CNN``). Returns a Keras model from
    (batch, 187, 96) log-mel to a dict of the outputs in :data:`LAYERS`.
    """
    import keras
    from keras import layers, ops

    x = keras.Input((PATCH_STEPS, N_MELS))
    h = layers.BatchNormalization(epsilon=1e-3, name="batch_normalization")(ops.expand_dims(x, 3))
    pools = {}
    shapes = {1: ((4, 1), (2, 2)), 2: ((2, 2), (2, 2)), 3: ((2, 2), (2, 2)), 4: ((2, 2), (2, 2)), 5: ((4, 4), (4, 4))}
    for k, (size, strides) in shapes.items():
        h = layers.Conv2D(filters, (3, 3), padding="same", activation="relu", name=f"{k}CNN")(h)
        h = layers.BatchNormalization(epsilon=1e-3, name=f"batch_normalization_{k}")(h)
        h = pools[f"pool{k}"] = layers.MaxPooling2D(size, strides=strides)(h)
    logits = layers.Dense(n_classes, name="dense")(layers.Flatten()(h))
    return keras.Model(x, {"taggram": ops.sigmoid(logits), **pools}, name="vgg")


def _copy_weights(keras_model, folder: Path) -> None:
    """Assign every layer's variables from the checkpoint by name (``<layer>/<variable>``)."""
    import tensorflow as tf

    reader = tf.compat.v1.train.NewCheckpointReader(str(folder) + "/")
    stored = {k for k in reader.get_variable_to_shape_map() if "Adam" not in k and "_power" not in k}
    used = set()
    for layer in keras_model.layers:
        for variable in layer.weights:
            key = f"{layer.name}/{variable.name}"
            if key not in stored:
                raise WeightsError(f"the checkpoint in {folder} has no variable {key}; is the {WHEEL} wheel intact?")
            variable.assign(reader.get_tensor(key))
            used.add(key)
    if used != stored:
        raise WeightsError(f"variables of {folder} left unused: {sorted(stored - used)}")


@functools.lru_cache(maxsize=4)
def load_musicnn(model: str = "MSD_musicnn"):
    """The Keras model of ``model`` with the wheel's pretrained weights (built once, then reused).

    Raises
    ------
    WeightsError
        If the wheel is not installed or its checkpoint does not fit the architecture.
    """
    kind, folder = architecture(model), weights_dir(model)
    keras_model = build_musicnn() if kind == "musicnn" else build_vgg()
    _copy_weights(keras_model, folder)
    return keras_model


@functools.lru_cache(maxsize=4)
def _compiled(model: str):
    """The model as one TensorFlow graph for any batch size (faster than ``predict_on_batch``)."""
    import tensorflow as tf

    return tf.function(load_musicnn(model), input_signature=[tf.TensorSpec([None, PATCH_STEPS, N_MELS], tf.float32)])


def musicnn_embeddings(y: np.ndarray, sr: int, *, model: str = "MSD_musicnn", layer: str | None = None,
                       batch_size: int = 16) -> FrameEmbeddings:
    """Tag a signal with a musicnn model, one row per whole 3-s patch (the tail is dropped).

    Parameters
    ----------
    y : np.ndarray, shape (n,)
        Mono signal; resampled to 16 kHz when ``sr`` differs. A signal shorter than one patch
        (2.976 s) is looped to fill it (:func:`course_utils.audio.pad_to_length`) and gives one patch.
    sr : int
        Sample rate of ``y``.
    model : str
        One of :data:`MODELS`.
    layer : str, optional
        Which output to return as ``embeddings`` (see :data:`LAYERS`); default ``penultimate``
        (200 values, the last hidden layer) for musicnn models, ``pool5`` for vgg models.
    batch_size : int
        Patches per call of the model (memory grows with it).

    Returns
    -------
    FrameEmbeddings
        ``scores``: the taggram (n_patches, 50); ``embeddings``: the layer per patch, e.g.
        (n_patches, 753) for ``max_pool``, (n_patches, 200) for ``penultimate``, (n_patches, 187, 408)
        for ``timbral``; ``patches`` (n_patches, 187, 96); patches start every 2.992 s.
    """
    layer = resolve_layer(model, layer)
    inputs = input_patches(y, sr)
    outputs = network_outputs(inputs, model=model, layers=("taggram", layer), batch_size=batch_size)
    return patch_embeddings(inputs, model=model, layer=layer, scores=outputs["taggram"], embeddings=outputs[layer],
                            duration=len(y) / sr)


def network_outputs(inputs: np.ndarray, *, model: str, layers: tuple[str, ...],
                    batch_size: int = 16) -> dict[str, np.ndarray]:
    """The ``layers`` (of :data:`LAYERS`) of ``model`` for patches ``inputs`` (from :func:`input_patches`),
    from one pass of the network, ``batch_size`` patches at a time."""
    run = _compiled(model)
    outputs = [run(inputs[i:i + batch_size]) for i in range(0, len(inputs), batch_size)]
    return {name: np.concatenate([np.asarray(o[name]) for o in outputs]) for name in layers}


def input_patches(y: np.ndarray, sr: int) -> np.ndarray:
    """musicnn's input for a mono signal at any rate: (n_patches, 187, 96); a short one is looped to one patch."""
    return patches(log_mel(pad_to_length(mono_at(y, sr, SR), size=PATCH_SAMPLES)))


def patch_embeddings(inputs: np.ndarray | None, *, model: str, layer: str, scores: np.ndarray,
                     embeddings: np.ndarray, duration: float) -> FrameEmbeddings:
    """The network's outputs for ``inputs`` (from :func:`input_patches`; ``None`` when they were not kept)
    as frame embeddings, one per patch."""
    hop = PATCH_STEPS * HOP_LENGTH / SR
    return FrameEmbeddings(model=model, layer=layer, scores=scores, embeddings=embeddings,
                           times=np.arange(len(embeddings)) * hop, window=hop, duration=duration,
                           patches=inputs, spectrogram_rate=SR / HOP_LENGTH)
