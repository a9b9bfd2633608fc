"""ImageNet weights from the Keras cache (``$KERAS_HOME/models``): found, downloaded once online, or reported
missing with the reason; the one decision a chapter shows as a note; backbones built with them.

Used in: book/10_transfer_learning.ipynb.
"""

from __future__ import annotations

import contextlib
import os
import socket
from pathlib import Path

import h5py
import keras

from course_utils.config import DEFAULT_SEED, OFFLINE_ENV, offline
from course_utils.embeddings import ModelAvailability, WeightsError
from course_utils.errors import ConfigError
from course_utils.models.blocks import LayerSeeds
from course_utils.models.transfer.table import BACKBONES, DEFAULT_BACKBONE, get_backbone

KERAS_HOME_ENV = "KERAS_HOME"


def keras_home() -> Path:
    """The Keras folder: ``$KERAS_HOME``, else ``~/.keras`` (weights live in its ``models`` sub-folder)."""
    configured = os.environ.get(KERAS_HOME_ENV, "").strip()
    return Path(configured).expanduser() if configured else Path.home() / ".keras"


def weights_path(name: str) -> Path:
    """Where the ImageNet weights of backbone ``name`` are, or would be, in the Keras cache."""
    return keras_home() / "models" / get_backbone(name).weights_file


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
        if offline():
            raise WeightsError(f"its ImageNet weights are not in the Keras cache and ${OFFLINE_ENV} forbids "
                               f"downloading them: {how}, or unset ${OFFLINE_ENV} to download them once")
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
        """A Markdown note for the rendered page: which backbones run, and why the others are missing.

        When every missing file is simply absent from the Keras cache of an offline run, one combined
        note names the files and the folder once; other failures keep one line per backbone.
        """
        running = ", ".join(self.usable)
        if not self.missing:
            return f"**ImageNet backbones in this run:** {running}. All the backbones this chapter uses are available."
        lines = [f"> **ImageNet weights not available in this run: {', '.join(self.missing)}.** "
                 + (f"This page runs with {running} only; " if running else "No ImageNet backbone runs on this page; ")
                 + "the cells that need a missing backbone say so and skip it (none is ever trained from random "
                 "weights under its pretrained name)."]
        if offline() and not any(weights_path(name).is_file() for name in self.missing):
            files = ", ".join(f"`{get_backbone(name).weights_file}`" for name in self.missing)
            folder = weights_path(next(iter(self.missing))).parent
            lines[0] += (f" Offline (`${OFFLINE_ENV}`), nothing is downloaded, and their files are not in "
                         f"`{folder}`, the `models` folder of `${KERAS_HOME_ENV}`. "
                         f"To add a backbone, put its file there ({files}; `transfer.BACKBONES[name].weights_url` "
                         f"says where each comes from), or unset `${OFFLINE_ENV}` to download them once. The "
                         "README's section *Pretrained weights* has the details.")
            return lines[0]
        lines[0] += " Why, and how to get the weights (the README's section *Pretrained weights* has the details):"
        return "\n".join([*lines, ">", *(f"> - **{model}**: {reason}" for model, reason in self.missing.items())])

    def skipped(self, model: str) -> str:
        """One short line for a cell that leaves ``model`` out (the note gives the reason and the remedy)."""
        return f"{model} is not available in this run, so this step is skipped (the note on ImageNet weights says why)."


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
        weights (each kernel drawn again from its own seed, derived from ``seed``; no global random
        state is reseeded), to look at the architecture or test code; the model's name then
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
    constructor = getattr(keras.applications, backbone.name)
    try:
        model = constructor(input_shape=(size, size, 3), include_top=False, weights=None if path is None else str(path),
                            **backbone.options)
    except (ValueError, OSError, KeyError) as err:
        raise WeightsError(f"{path} does not load into {name} ({err}); delete it and fetch it again") from err
    if path is None:
        _reinitialize(model, LayerSeeds(seed))
        model.name = f"{model.name}_random"
    return model


def _reinitialize(model: keras.Model, seeds: LayerSeeds) -> None:
    """Draw every kernel of ``model`` again with its own initializer, seeded in layer order (biases and
    batch-normalisation statistics start at constants already)."""
    for layer in model.layers:
        for variable, initializer in (("kernel", "kernel_initializer"), ("depthwise_kernel", "depthwise_initializer"),
                                      ("pointwise_kernel", "pointwise_initializer")):
            if getattr(layer, variable, None) is None or getattr(layer, initializer, None) is None:
                continue
            init = getattr(layer, initializer)
            seeded = init.__class__.from_config({**init.get_config(), "seed": seeds.next()})
            weights = getattr(layer, variable)
            weights.assign(seeded(weights.shape, dtype=weights.dtype))
