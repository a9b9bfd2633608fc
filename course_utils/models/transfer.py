"""Transfer learning from ImageNet: a table of ``keras.applications`` backbones, their weights, frozen
features and fine-tuning of their top blocks.

A *backbone* is an image network trained on ImageNet's photographs, without its classifier. Its
last layers describe a picture by a few hundred or thousand numbers; on spectrogram images those
numbers are features for a small *head* (frozen regime), or a starting point whose top blocks
keep training on genres (fine-tuning).

Weights come from the Keras cache, ``$KERAS_HOME/models`` (default ``~/.keras/models``), where
``keras.applications`` keeps them: online a missing file is downloaded once, offline
(``$COURSE_OFFLINE=1``) it is reported missing with the file name and what to do.
:func:`available_backbones` makes that decision once per chapter; a backbone whose weights cannot
be had is skipped, never built from random weights under its pretrained name (random weights
are asked for explicitly, ``weights=None``, and named so).

Used in: book/10_transfer_learning.ipynb.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ start-up chatter stays out of the pages

import h5py
import keras
import numpy as np
import pandas as pd
from keras import layers
from tqdm.auto import tqdm

from course_utils.config import DEFAULT_SEED, data_home
from course_utils.embeddings import ModelAvailability, WeightsError
from course_utils.errors import ConfigError
from course_utils.features import spectrogram_image
from course_utils.io import atomic_path
from course_utils.models.blocks import check_count, seeded

KERAS_HOME_ENV = "KERAS_HOME"
OFFLINE_ENV = "COURSE_OFFLINE"
DEFAULT_BACKBONE = "MobileNet"
OUTPUTS = ("pooled", "frozen_part")
FEATURES_VERSION = 1
_KERAS_WEIGHTS = "https://storage.googleapis.com/tensorflow/keras-applications/"


@dataclass(frozen=True)
class Backbone:
    """One ImageNet network of ``keras.applications``, without its classifier top.

    Attributes
    ----------
    name : str
        The ``keras.applications`` constructor (``"MobileNet"``, ``"ResNet50"`` ...).
    module : str
        The ``keras.applications`` module whose ``preprocess_input`` the network expects.
    preprocessing : str
        What that function does to pixel values 0-255, in words.
    features : int
        Length of the pooled feature vector (channels of the last block).
    params : int
        Weights without the top.
    depth : int
        Layers with weights (convolutions) on the longest path from input to output.
    weights_file, weights_url : str
        The no-top ImageNet weights (224-pixel version) in the Keras cache, and where Keras downloads them.
    weights_hash : str or None
        Their MD5 or SHA-256 (as ``keras.utils.get_file`` checks it); ``None`` when Keras publishes none.
    frozen_until : str
        The last layer that fine-tuning keeps frozen; the blocks after it are the *top blocks*.
    options : dict
        Extra constructor arguments (MobileNet's width ``alpha``).
    default_size, min_size : int
        The input side ImageNet training used, and the smallest side the network accepts.
    """

    name: str
    module: str
    preprocessing: str
    features: int
    params: int
    depth: int
    weights_file: str
    weights_url: str
    weights_hash: str | None
    frozen_until: str
    options: dict = field(default_factory=dict)
    default_size: int = 224
    min_size: int = 32

    def preprocess(self, images: np.ndarray) -> np.ndarray:
        """Images with values in [0, 1], shape (n, height, width, 3), scaled as the network expects."""
        images = np.asarray(images, dtype=np.float32)
        if images.ndim != 4 or images.shape[-1] != 3:
            raise ConfigError(f"images must have shape (n, height, width, 3), got {images.shape}")
        return getattr(keras.applications, self.module).preprocess_input(255.0 * images)

    def check_size(self, size) -> int:
        """``size`` as an int, at least :attr:`min_size`."""
        return check_count("size", size, minimum=self.min_size)


_MOBILENET_WEIGHTS = "mobilenet_2_5_224_tf_no_top.h5"
BACKBONES: dict[str, Backbone] = {b.name: b for b in (
    Backbone("MobileNet", "mobilenet", "scaled to [-1, 1]", features=256, params=218_544, depth=27,
             weights_file=_MOBILENET_WEIGHTS, weights_url=f"{_KERAS_WEIGHTS}mobilenet/{_MOBILENET_WEIGHTS}",
             weights_hash="dbdb03ee2a22fd895301636cd328b234bb3a9952358f436d82f46b81e0d5b0bf",
             frozen_until="conv_pw_11_relu", options={"alpha": 0.25}),
    Backbone("MobileNetV2", "mobilenet_v2", "scaled to [-1, 1]", features=1280, params=2_257_984, depth=52,
             weights_file="mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5",
             weights_url=f"{_KERAS_WEIGHTS}mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5",
             weights_hash=None, frozen_until="block_15_add"),
    Backbone("ResNet50", "resnet50", "BGR, ImageNet channel means subtracted", features=2048, params=23_587_712,
             depth=49, weights_file="resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5",
             weights_url=f"{_KERAS_WEIGHTS}resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5",
             weights_hash="4d473c1dd8becc155b73f8504c6f6626", frozen_until="conv4_block6_out"),
    Backbone("DenseNet121", "densenet", "scaled to [0, 1], standardised by ImageNet channel statistics",
             features=1024, params=7_037_504, depth=120,
             weights_file="densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5",
             weights_url=f"{_KERAS_WEIGHTS}densenet/densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5",
             weights_hash="30ee3e1110167f948a6b9946edeeb738", frozen_until="pool4_pool"),
    Backbone("VGG16", "vgg16", "BGR, ImageNet channel means subtracted", features=512, params=14_714_688, depth=13,
             weights_file="vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
             weights_url=f"{_KERAS_WEIGHTS}vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
             weights_hash="6d6bbae143d832006294945121d1f1fc", frozen_until="block4_pool"),
    Backbone("EfficientNetB0", "efficientnet", "none: the network rescales 0-255 itself", features=1280,
             params=4_049_571, depth=81, weights_file="efficientnetb0_notop.h5",
             weights_url="https://storage.googleapis.com/keras-applications/efficientnetb0_notop.h5",
             weights_hash="50bc09e76180e00e4465e1a485ddc09d", frozen_until="block6d_add"),
)}


def get_backbone(name: str) -> Backbone:
    """The table entry of ``name``, or a :class:`ConfigError` listing the names."""
    try:
        return BACKBONES[name]
    except (KeyError, TypeError):
        raise ConfigError(f"backbone must be one of {', '.join(BACKBONES)}; got {name!r}") from None


def backbone_table() -> pd.DataFrame:
    """The backbone table as a DataFrame, one row per backbone (nothing is built or downloaded).

    Columns: ``backbone, width`` (MobileNet's ``alpha``), ``ImageNet input``, ``smallest input``,
    ``preprocessing``, ``features, parameters, depth, weights file``.
    """
    return pd.DataFrame([{"backbone": b.name, "width": b.options.get("alpha", 1.0),
                          "ImageNet input": f"{b.default_size} x {b.default_size}",
                          "smallest input": f"{b.min_size} x {b.min_size}", "preprocessing": b.preprocessing,
                          "features": b.features, "parameters": b.params, "depth": b.depth,
                          "weights file": b.weights_file} for b in BACKBONES.values()])


WEIGHT_LAYERS = (layers.Conv2D, layers.DepthwiseConv2D, layers.SeparableConv2D, layers.Dense)


def weight_depth(model: keras.Model) -> int:
    """Layers with weights (convolutions, dense layers) on the longest path from the input to the output.

    The count behind names such as ResNet50 (49 convolutions and the classifier's dense layer). For a
    network whose layers each run once, as built by :func:`load_backbone`.
    """
    depth = {}  # tensor -> weight layers before it; the model's inputs (not in it yet) count 0
    for layer in model.layers:
        if isinstance(layer, layers.InputLayer):
            continue
        sources = layer.input if isinstance(layer.input, (list, tuple)) else [layer.input]
        depth[id(layer.output)] = max(depth.get(id(t), 0) for t in sources) + isinstance(layer, WEIGHT_LAYERS)
    return depth[id(model.output)]


def keras_home() -> Path:
    """The Keras folder: ``$KERAS_HOME``, else ``~/.keras`` (weights live in its ``models`` sub-folder)."""
    configured = os.environ.get(KERAS_HOME_ENV, "").strip()
    return Path(configured).expanduser() if configured else Path.home() / ".keras"


def weights_path(name: str) -> Path:
    """Where the ImageNet weights of backbone ``name`` are, or would be, in the Keras cache."""
    return keras_home() / "models" / get_backbone(name).weights_file


def _offline() -> bool:
    return os.environ.get(OFFLINE_ENV, "").strip().lower() in ("1", "true", "yes")


@contextlib.contextmanager
def _socket_timeout(seconds: float):
    """Bound every network wait of ``keras.utils.get_file`` (it sets none), then restore the default."""
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(previous)


def fetch_weights(name: str, *, timeout: float = 30.0) -> Path:
    """The ImageNet weights file of backbone ``name``: from the Keras cache, else downloaded into it once.

    Raises
    ------
    WeightsError
        The file is not in the cache and ``$COURSE_OFFLINE`` forbids downloading, the download fails
        (no network), or the file is not a readable HDF5 weights file. The message names the file,
        the folder (``$KERAS_HOME``) and what to do.
    """
    backbone, path = get_backbone(name), weights_path(name)
    how = (f"put {backbone.weights_file} (from {backbone.weights_url}) into {path.parent}, the models folder of "
           f"${KERAS_HOME_ENV} (default ~/.keras; keep it writable)")
    if not path.is_file():
        if _offline():
            raise WeightsError(f"its ImageNet weights are not in the Keras cache and ${OFFLINE_ENV} forbids downloading "
                               f"them: {how}, or unset ${OFFLINE_ENV} to download them once")
        try:
            with _socket_timeout(timeout):
                downloaded = keras.utils.get_file(backbone.weights_file, backbone.weights_url,
                                                  cache_dir=str(keras_home()), cache_subdir="models",
                                                  file_hash=backbone.weights_hash)
        except Exception as err:  # get_file raises a bare Exception for network errors, ValueError for a bad hash
            raise WeightsError(f"its ImageNet weights could not be downloaded from {backbone.weights_url} "
                               f"({type(err).__name__}: {err}); {how}") from err
        path = Path(downloaded)
    if not h5py.is_hdf5(path):
        raise WeightsError(f"{path} is not a readable weights file (HDF5); delete it, then {how}")
    return path


class BackboneAvailability(ModelAvailability):
    """The outcome of :func:`available_backbones`: usable backbones, and why the others are missing."""

    def note(self) -> str:
        """A Markdown note for the rendered page: which backbones run, and for each missing one why and how."""
        running = ", ".join(self.usable)
        if not self.missing:
            return f"**ImageNet backbones in this run:** {running}. All the backbones this chapter uses are available."
        lines = [f"> **ImageNet weights not available in this run: {', '.join(self.missing)}.** "
                 + (f"This page runs with {running} only; " if running else "No ImageNet backbone runs on this page; ")
                 + "the cells that need a missing backbone say so and skip it (none is ever trained from random "
                 "weights under its pretrained name). Why, and how to get the weights (the README's section "
                 "*Pretrained weights* has the details):", ">"]
        lines += [f"> - **{model}**: {reason}" for model, reason in self.missing.items()]
        return "\n".join(lines)


def available_backbones(names=tuple(BACKBONES)) -> BackboneAvailability:
    """Find (or, online, download) each backbone's ImageNet weights; report which backbones this run can use.

    Parameters
    ----------
    names : sequence of str
        Backbones of :data:`BACKBONES`, in order of preference.

    Returns
    -------
    BackboneAvailability
        ``usable`` keeps the order of ``names``; ``missing`` holds the others with the reason
        (:func:`fetch_weights`'s message); ``sources`` the weights file of each usable one.
        In a notebook it displays as a note.
    """
    if isinstance(names, str):
        names = (names,)
    if not names:
        raise ConfigError(f"names must list some of {', '.join(BACKBONES)}")
    usable, missing, sources = [], {}, {}
    for name in dict.fromkeys(names):
        get_backbone(name)
        try:
            sources[name] = str(fetch_weights(name))
        except WeightsError as err:
            missing[name] = str(err)
        else:
            usable.append(name)
    return BackboneAvailability(usable=tuple(usable), missing=missing, sources=sources)


def load_backbone(name: str = DEFAULT_BACKBONE, *, size: int, weights: str | None = "imagenet",
                  seed: int | None = DEFAULT_SEED) -> keras.Model:
    """Build a backbone without its top for square ``size`` x ``size`` RGB images.

    Parameters
    ----------
    name : str
        A backbone of :data:`BACKBONES`.
    size : int
        Input side in pixels (at least the backbone's ``min_size``). The 224-pixel ImageNet weights
        serve every size: convolution weights do not depend on it.
    weights : {"imagenet", None}
        ``"imagenet"``: the pretrained weights (:func:`fetch_weights`). ``None``: random initial
        weights (seeded by ``seed``), to look at the architecture or test code; the model's name then
        ends in ``_random``. (Random weights make a poor feature extractor as they are: the batch
        normalisation layers have no statistics of their own, and activations fade through the layers.)

    Returns
    -------
    keras.Model
        Input (batch, size, size, 3) after :meth:`Backbone.preprocess`; output (batch, h, w, features),
        the last block's feature maps.

    Raises
    ------
    WeightsError
        ImageNet weights asked for but not available, or not loadable into the network.
    """
    backbone = get_backbone(name)
    size = backbone.check_size(size)
    if weights not in ("imagenet", None):
        raise ConfigError(f"weights must be 'imagenet' or None (random weights), got {weights!r}")
    path = fetch_weights(name) if weights == "imagenet" else None
    seeded(seed)
    constructor = getattr(keras.applications, backbone.name)
    try:
        model = constructor(input_shape=(size, size, 3), include_top=False, weights=None if path is None else str(path),
                            **backbone.options)
    except (ValueError, OSError, KeyError) as err:
        raise WeightsError(f"{path} does not load into {name} ({err}); delete it and fetch it again") from err
    if path is None:
        model.name = f"{model.name}_random"
    return model


def track_images(X: np.ndarray, table: pd.DataFrame, *, size: int,
                 cmap: str | None = None) -> tuple[np.ndarray, pd.DataFrame]:
    """One picture per track: its segments' time-frequency matrices side by side, as an image model's input.

    The segments of a track (in ``segment`` order) are joined along time, then made into a square
    image by :func:`course_utils.features.spectrogram_image` (resized, scaled to [0, 1], three channels).

    Parameters
    ----------
    X : np.ndarray, shape (n_segments, bins, frames)
        E.g. log-mel segments (:func:`course_utils.features.segment_spectrograms`) or scalograms
        (:func:`course_utils.wavelets.segment_scalograms`), in dB.
    table : pd.DataFrame
        ``track_id``, ``label`` and ``segment`` of each row of ``X``.
    size : int
        Side of the images in pixels (``profile.image_size``).
    cmap : str, optional
        A matplotlib colour map; ``None`` repeats the grey picture in the three channels.

    Returns
    -------
    images : np.ndarray, float32, shape (n_tracks, size, size, 3)
    tracks : pd.DataFrame
        ``track_id, label, n_segments`` of each image, tracks in their order in ``table``.
    """
    X = np.asarray(X)
    if X.ndim != 3 or len(X) != len(table) or not {"track_id", "label", "segment"} <= set(table.columns):
        raise ConfigError(f"expected X of shape (n_segments, bins, frames) and a table with track_id, label and segment "
                          f"for each row; got X {X.shape} and {len(table)} rows with columns {list(table.columns)}")
    rows = table.reset_index(drop=True).assign(row=np.arange(len(table)))
    images, tracks = [], []
    for track_id, group in rows.groupby("track_id", sort=False):
        group = group.sort_values("segment")
        joined = np.concatenate(list(X[group["row"].to_numpy()]), axis=-1)
        images.append(spectrogram_image(joined, size=size, cmap=cmap))
        tracks.append({"track_id": track_id, "label": group["label"].iloc[0], "n_segments": len(group)})
    return np.stack(images), pd.DataFrame(tracks)


@dataclass(frozen=True)
class BackboneFeatures:
    """Outputs of a frozen backbone for a set of images.

    Attributes
    ----------
    X : np.ndarray, float32
        ``"pooled"``: shape (n, features), the average of the last feature maps.
        ``"frozen_part"``: shape (n, h, w, channels), the activations that the top blocks read.
    backbone, output : str
    seconds : float
        Wall time of computing them, the network's one-off graph building left out (measured when
        they were computed, also when read from the cache).
    cached : bool
        Whether they were read from the cache.
    """

    X: np.ndarray
    backbone: str
    output: str
    seconds: float
    cached: bool

    @property
    def seconds_per_image(self) -> float:
        return self.seconds / len(self.X)


def _feature_model(name: str, *, size: int, weights, output: str, seed: int) -> keras.Model:
    model = load_backbone(name, size=size, weights=weights, seed=seed)
    if output == "pooled":
        return keras.Model(model.inputs, layers.GlobalAveragePooling2D(name="pooled")(model.output), name=model.name)
    return keras.Model(model.inputs, model.get_layer(get_backbone(name).frozen_until).output, name=model.name)


def _cache_file(images: np.ndarray, *, name: str, output: str, weights, seed: int) -> Path:
    if weights == "imagenet":
        stat = fetch_weights(name).stat()
        identity = {"file": str(weights_path(name)), "size": stat.st_size, "mtime": stat.st_mtime_ns}
    else:
        identity = {"random": seed}
    digest = hashlib.sha256(memoryview(np.ascontiguousarray(images))).hexdigest()
    key = json.dumps({"v": FEATURES_VERSION, "backbone": name, "options": get_backbone(name).options,
                      "output": output, "weights": identity, "images": digest, "shape": images.shape}, sort_keys=True)
    return data_home() / "cache" / "backbone_features" / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.npz"


def backbone_features(images: np.ndarray, *, backbone: str = DEFAULT_BACKBONE, output: str = "pooled",
                      weights: str | None = "imagenet", seed: int = DEFAULT_SEED, batch_size: int = 32,
                      cache: bool = True) -> BackboneFeatures:
    """Run a frozen backbone on square images once, and keep its outputs on disk.

    The cache key holds the backbone, the output, the weights file (path, size, modification time)
    or the seed of random weights, and a digest of every pixel; a second call reads the file.

    Parameters
    ----------
    images : np.ndarray, shape (n, size, size, 3), values in [0, 1]
        E.g. :func:`course_utils.features.spectrogram_image` pictures or
        :meth:`course_utils.data.ImageSet.load`; preprocessed here (:meth:`Backbone.preprocess`).
    backbone : str
        A name of :data:`BACKBONES`.
    output : {"pooled", "frozen_part"}
        ``"pooled"``: one feature vector per image (the frozen regime). ``"frozen_part"``: the
        activations after :attr:`Backbone.frozen_until`, the input of :func:`fine_tune_model`.
    weights : {"imagenet", None}
        As in :func:`load_backbone`.

    Returns
    -------
    BackboneFeatures
    """
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 4 or images.shape[1] != images.shape[2] or images.shape[3] != 3 or not len(images):
        raise ConfigError(f"images must have shape (n, size, size, 3) with n >= 1, got {images.shape}")
    if output not in OUTPUTS:
        raise ConfigError(f"output must be one of {OUTPUTS}, got {output!r}")
    info = get_backbone(backbone)
    batch_size = check_count("batch_size", batch_size)
    target = _cache_file(images, name=backbone, output=output, weights=weights, seed=seed) if cache else None
    if target is not None and target.is_file():
        with np.load(target) as stored:
            return BackboneFeatures(stored["X"], backbone, output, float(stored["seconds"]), cached=True)
    model = _feature_model(backbone, size=images.shape[1], weights=weights, output=output, seed=seed)
    model.predict_on_batch(info.preprocess(images[:batch_size]))  # builds the graph: not part of the timing
    start, batches = time.perf_counter(), []
    for first in tqdm(range(0, len(images), batch_size), desc=f"{backbone} {output}", unit="batch"):
        batches.append(model.predict_on_batch(info.preprocess(images[first:first + batch_size])))
    X, seconds = np.concatenate(batches).astype(np.float32), time.perf_counter() - start
    if target is not None:
        with atomic_path(target) as tmp:
            with open(tmp, "wb") as handle:
                np.savez(handle, X=X, seconds=seconds)
    return BackboneFeatures(X, backbone, output, seconds, cached=False)


def head(n_features: int, n_classes: int, *, learning_rate: float = 1e-2, dropout: float = 0.3,
         seed: int | None = DEFAULT_SEED, name: str = "head") -> keras.Model:
    """The small head of the frozen regime: a linear softmax layer over pooled backbone features.

    :func:`course_utils.models.fusion.mlp` without hidden layers and without standardising (the pooled
    features share one scale, and some are zero on every training picture). Its learning rate is
    ten times the usual: a linear layer has few weights and a few dozen steps per run to learn them.

    Returns
    -------
    keras.Model
        Compiled; input (batch, n_features), output (batch, n_classes).
    """
    from course_utils.models.fusion import mlp

    return mlp((check_count("n_features", n_features),), n_classes, units=(), standardize=False,
               learning_rate=learning_rate, dropout=dropout, seed=seed, name=name)


def _copied(head: keras.Model, x):
    """``x`` through a copy of a trained chain of layers (its weights copied, its input statistics kept)."""
    for layer in head.layers[1:]:
        if isinstance(layer.input, (list, tuple)):
            raise ConfigError(f"head {head.name!r} must be a chain of layers (as fusion.mlp builds), "
                              f"but {layer.name!r} has several inputs")
        if isinstance(layer, layers.Normalization):
            copy = layers.Normalization(axis=layer.axis, mean=keras.ops.convert_to_numpy(layer.adapt_mean),
                                        variance=keras.ops.convert_to_numpy(layer.adapt_variance), name=layer.name)
            x = copy(x)
        else:
            copy = layer.__class__.from_config(layer.get_config())
            x = copy(x)
            copy.set_weights(layer.get_weights())
    return x


def fine_tune_model(head: keras.Model, *, backbone: str = DEFAULT_BACKBONE, size: int, learning_rate: float = 1e-4,
                    name: str | None = None) -> keras.Model:
    """The top blocks of an ImageNet backbone under a copy of a trained head, ready to be trained together.

    The model reads the activations of the frozen part (:func:`backbone_features` with
    ``output="frozen_part"``): the layers up to :attr:`Backbone.frozen_until` never change, and
    without augmentation their outputs for each image are the same every epoch, so they are computed
    once instead of in every step. Then come the top blocks (trainable), average pooling, and a copy
    of ``head`` (``head`` itself is left as it is).

    Two precautions keep the pretrained weights from being wrecked in the first steps:
    - the head is already trained on the frozen features, so the first gradients are small;
    - every batch-normalisation layer of the top blocks stays frozen, in inference mode, with
      ImageNet's statistics: its mean and variance would otherwise be re-estimated from small batches
      of spectrograms, which look nothing like photographs, and the next layer would get inputs on a
      scale it was not trained for.
    The learning rate is small (default 1e-4, a tenth of the head's).

    Parameters
    ----------
    head : keras.Model
        A chain of layers trained on pooled features of the same backbone and image size, such as
        :func:`head`.
    size : int
        The side of the images the activations were computed from.

    Returns
    -------
    keras.Model
        Compiled (Adam, categorical cross-entropy); input (batch, h, w, channels) of the frozen part,
        output (batch, n_classes).
    """
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, (int, float)) or not learning_rate > 0:
        raise ConfigError(f"learning_rate must be a positive number, got {learning_rate!r}")
    info = get_backbone(backbone)
    network = load_backbone(backbone, size=size)
    cut = network.get_layer(info.frozen_until).output
    top = keras.Model(cut, network.output, name=f"{network.name}_top")
    for layer in top.layers:
        layer.trainable = not isinstance(layer, layers.BatchNormalization)
    if tuple(head.input_shape[1:]) != (info.features,):
        raise ConfigError(f"head takes inputs of shape {head.input_shape[1:]}, but {backbone} gives "
                          f"({info.features},) pooled features; train it on backbone_features(..., backbone={backbone!r})")
    inputs = keras.Input(tuple(cut.shape[1:]), name="frozen_part")
    x = top(inputs, training=False)  # batch normalisation in inference mode, with ImageNet's statistics
    outputs = _copied(head, layers.GlobalAveragePooling2D(name="pooled")(x))
    model = keras.Model(inputs, outputs, name=name or f"{backbone.lower()}_fine_tuned")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=float(learning_rate)),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def trainable_share(model: keras.Model) -> tuple[int, int]:
    """``(trainable, total)`` numbers of weights of a model."""
    trainable = int(sum(np.prod(w.shape) for w in model.trainable_weights))
    return trainable, int(model.count_params())
