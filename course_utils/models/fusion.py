"""Multimodal models: late fusion of trained streams, and one network over several kinds of input.

- :func:`average_fusion`: the mean of two (or more) trained models' class probabilities; nothing to train.
- :func:`concat_fusion`: the trained streams' embeddings (the input of their heads), frozen and
  concatenated, under a new head that learns how much to trust each stream.
- :func:`combined`: several branches, each a model of the earlier chapters without its head
  (:func:`~course_utils.models.cnn1d`, :func:`~course_utils.models.lstm`, :func:`mlp` ...), joined under one
  head and trained end to end; :func:`ablations` lists the models that drop one branch each.
- :func:`mlp`: a dense network over one feature vector per example (the handcrafted features; with
  ``units=()`` the small linear head of chapter 10).
- :func:`align_inputs`: the rows of several inputs matched by track and window, so that one row holds
  every input of one example.

Used in: book/10_transfer_learning.ipynb, book/11_multimodal.ipynb.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import keras
import numpy as np
import pandas as pd
from keras import layers

from course_utils.config import DEFAULT_SEED
from course_utils.errors import ConfigError
from course_utils.models.blocks import LayerSeeds, check_shape, check_sizes, classifier, normalized_input

OUTPUT_LAYER = "probabilities"   # the softmax layer every builder of course_utils.models ends with


def mlp(input_shape: Sequence[int], n_classes: int, *, units: int | Sequence[int] = (64,), standardize: bool = True,
        dropout: float = 0.3, learning_rate: float = 1e-3, seed: int | None = DEFAULT_SEED,
        name: str = "mlp") -> keras.Model:
    """A dense network over one feature vector per example.

    Layers, in order: ``normalize`` (each feature standardised with training statistics, see
    :func:`course_utils.train.fit`), unless ``standardize=False``; one ``dense{k}`` layer with ReLU
    per entry of ``units``; ``dropout`` and the softmax layer ``probabilities``. With ``units=()``
    it is a linear classifier (multinomial logistic regression with dropout): the head for frozen
    backbone features.

    Parameters
    ----------
    input_shape : (features,)
        E.g. (57,) for the handcrafted feature row, (256,) for pooled MobileNet features.
    n_classes : int
    units : int or sequence of int
        Width of each hidden layer; ``()`` for none.
    standardize : bool
        Standardise each feature first: for features on very different scales (the handcrafted
        ones). Pooled backbone features share one scale, and some are zero on every training
        picture, a variance that standardising would divide by: pass ``False`` for them.
    dropout : float
        Share of the last layer's inputs dropped while training.

    Returns
    -------
    keras.Model
        Compiled; input (batch, features), output (batch, n_classes).
    """
    (n_features,) = check_shape(input_shape, ndim=1, what="(features,)")
    units = () if units == () or units == [] else check_sizes("units", units)
    seeds = LayerSeeds(seed)
    if standardize:
        inputs, x = normalized_input((n_features,), axis=0, name="features")
    else:
        inputs = x = keras.Input((n_features,), name="features")
    for k, width in enumerate(units, start=1):
        x = layers.Dense(width, activation="relu", kernel_initializer=seeds.kernel(), name=f"dense{k}")(x)
    return classifier(inputs, x, n_classes, dropout=dropout, name=name, learning_rate=learning_rate, seeds=seeds)


def _producer(model: keras.Model, tensor):
    return next((layer for layer in model.layers if layer.output is tensor), None)


def embedding_layer(model: keras.Model) -> str:
    """Name of the layer whose output the model's head reads: the input of its softmax layer, dropout skipped.

    ``"average"`` for :func:`~course_utils.models.cnn2d` and :func:`~course_utils.models.cnn1d`,
    ``"bn"`` for :func:`~course_utils.models.lstm`, the last ``dense{k}`` (or ``normalize``) for :func:`mlp`.
    """
    try:
        tensor = model.get_layer(OUTPUT_LAYER).input
    except ValueError:
        raise ConfigError(f"model {model.name!r} has no softmax layer named {OUTPUT_LAYER!r}; build it with "
                          "course_utils.models (every builder ends with one)") from None
    layer = _producer(model, tensor)
    while isinstance(layer, layers.Dropout):
        layer = _producer(model, layer.input)
    if layer is None or isinstance(layer, layers.InputLayer):
        raise ConfigError(f"model {model.name!r} has no layer between its input and its head to take an embedding from")
    return layer.name


def _streams(streams: Mapping[str, keras.Model]) -> dict[str, keras.Model]:
    if not isinstance(streams, Mapping) or len(streams) < 2:
        raise ConfigError("streams must be a dict of at least two models, keyed by input name "
                          f"(e.g. {{'spectrogram': ..., 'scalogram': ...}}), got {type(streams).__name__}")
    names = [m.name for m in streams.values()]
    if len(set(names)) < len(names):
        raise ConfigError(f"the streams' models must have different names (a fused model holds each as one layer), "
                          f"got {names}; pass name=... to their builders")
    outputs = {int(m.output_shape[-1]) for m in streams.values()}
    if len(outputs) != 1:
        raise ConfigError(f"the streams must predict the same classes, but give {sorted(outputs)} outputs")
    return dict(streams)


def _inputs(models: Mapping[str, keras.Model]) -> dict:
    return {key: keras.Input(tuple(model.input_shape[1:]), name=key) for key, model in models.items()}


def average_fusion(streams: Mapping[str, keras.Model], *, name: str = "average_fusion") -> keras.Model:
    """Late fusion by averaging: the mean of the trained streams' class probabilities.

    Nothing is trained: each stream predicts from its own input, and a track's fused probability of
    a genre is the mean of theirs.

    Parameters
    ----------
    streams : dict of str to keras.Model
        Trained models, keyed by the name their input gets in the fused model (e.g. ``"spectrogram"``,
        ``"scalogram"``); each outputs class probabilities over the same classes.

    Returns
    -------
    keras.Model
        Not compiled (there is nothing to train); inputs: a dict with one array per stream, in each
        stream's own input shape; output (batch, n_classes), rows summing to 1.
    """
    streams = _streams(streams)
    inputs = _inputs(streams)
    outputs = layers.Average(name=OUTPUT_LAYER)([stream(inputs[key]) for key, stream in streams.items()])
    return keras.Model(inputs, outputs, name=name)


def concat_fusion(streams: Mapping[str, keras.Model], n_classes: int, *, dropout: float = 0.3,
                  learning_rate: float = 1e-3, seed: int | None = DEFAULT_SEED,
                  name: str = "concat_fusion") -> keras.Model:
    """Late fusion by concatenation: the trained streams' embeddings, frozen, side by side under a new head.

    Each stream is cut before its head (:func:`embedding_layer`) and frozen, in inference mode;
    the embeddings are concatenated, and only the new head (``dropout`` and ``probabilities``)
    trains. Unlike averaging, the head can weigh each stream, and each genre, differently.

    Parameters
    ----------
    streams : dict of str to keras.Model
        Trained models keyed by input name, as in :func:`average_fusion`.
    n_classes : int

    Returns
    -------
    keras.Model
        Compiled; inputs: a dict with one array per stream; output (batch, n_classes).
    """
    streams = _streams(streams)
    inputs = _inputs(streams)
    embeddings = []
    for key, stream in streams.items():
        encoder = keras.Model(stream.inputs, stream.get_layer(embedding_layer(stream)).output,
                              name=f"{stream.name}_encoder")
        encoder.trainable = False
        embeddings.append(encoder(inputs[key], training=False))
    x = layers.Concatenate(name="joined")(embeddings)
    return classifier(inputs, x, n_classes, dropout=dropout, name=name, learning_rate=learning_rate,
                      seeds=LayerSeeds(seed))


def _renamed(prefix: str):
    def clone(layer):
        return layer.__class__.from_config({**layer.get_config(), "name": f"{prefix}_{layer.name}"})
    return clone


def combined(branches: Mapping[str, keras.Model], n_classes: int, *, dropout: float = 0.3,
             learning_rate: float = 1e-3, seed: int | None = DEFAULT_SEED, name: str = "combined") -> keras.Model:
    """One network over several inputs: each branch without its head, joined under one head, trained end to end.

    Each branch is copied with fresh weights (its layers renamed ``{key}_{layer}``, so that two
    branches built by the same builder do not clash) up to its :func:`embedding_layer`; the branch
    embeddings are concatenated (``joined``) and followed by ``dropout`` and the softmax layer
    ``probabilities``. The branches' input ``Normalization`` layers read the model's inputs
    directly, so :func:`course_utils.train.fit` sets them from the training rows.

    Parameters
    ----------
    branches : dict of str to keras.Model
        Models of :mod:`course_utils.models` keyed by input name (e.g. ``"mfcc"``, ``"embedding"``,
        ``"handcrafted"``); only their architecture is used. One branch is allowed (an ablation's end).
    n_classes : int

    Returns
    -------
    keras.Model
        Compiled; inputs: a dict with one array per branch, in each branch's input shape; output
        (batch, n_classes).
    """
    if not isinstance(branches, Mapping) or not branches:
        raise ConfigError(f"branches must be a non-empty dict of models keyed by input name, got {branches!r}")
    inputs = _inputs(branches)
    embeddings = []
    for key, branch in branches.items():
        taken = embedding_layer(branch)
        copy = keras.models.clone_model(branch, input_tensors=inputs[key], clone_function=_renamed(key))
        embeddings.append(copy.get_layer(f"{key}_{taken}").output)
    x = layers.Concatenate(name="joined")(embeddings) if len(embeddings) > 1 else embeddings[0]
    return classifier(inputs, x, n_classes, dropout=dropout, name=name, learning_rate=learning_rate,
                      seeds=LayerSeeds(seed))


def ablations(names: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """The branch sets of an ablation: all branches, then each branch dropped in turn.

    Returns
    -------
    dict
        ``{"all": names, "without a": names but a, ...}``, in the order of ``names``.
    """
    names = tuple(names)
    if len(names) < 2 or len(set(names)) != len(names):
        raise ConfigError(f"an ablation needs at least two different branch names, got {list(names)}")
    return {"all": names, **{f"without {n}": tuple(m for m in names if m != n) for n in names}}


def window_seconds(table: pd.DataFrame) -> tuple[float, float]:
    """Length of the windows of a table (``start``, ``end`` in seconds) and the distance between window starts.

    For cutting another input into the same windows, e.g.
    ``segment_spectrograms(..., segment_seconds=length, hop_seconds=hop)`` for the windows of
    :func:`course_utils.train.frame_windows`. The hop is the window itself when no track has two windows.
    """
    if not {"track_id", "start", "end"} <= set(table.columns) or table.empty:
        raise ConfigError("expected a non-empty table with track_id, start and end columns (seconds)")
    length = float(table["end"].iloc[0] - table["start"].iloc[0])
    steps = table.groupby("track_id", sort=False)["start"].diff().dropna()
    return length, float(steps.iloc[0]) if len(steps) else length


def align_inputs(windows: Mapping[str, tuple], *, per_track: Mapping[str, tuple] | None = None,
                 tolerance: float = 0.1) -> tuple[dict[str, np.ndarray], pd.DataFrame]:
    """Match the rows of several inputs, so that row ``i`` of every array describes the same example.

    Parameters
    ----------
    windows : dict of str to (X, table)
        Inputs with one row per window of a track: ``table`` has ``track_id``, ``label``, ``segment``
        (the window's rank in its track) and ``start`` (seconds). Rows are matched on track and rank;
        windows that not every input has (the end of a track) are left out.
    per_track : dict of str to (X, table), optional
        Inputs with one row per track (``track_id``), repeated on every window of their track.
    tolerance : float
        Largest difference, in seconds, between the starts of matched windows.

    Returns
    -------
    X : dict of str to np.ndarray
        One array per input, all with the same number of rows.
    table : pd.DataFrame
        ``track_id, label, segment, start, end`` of each row (from the first input of ``windows``).

    Raises
    ------
    ConfigError
        Mismatched rows and tables, labels that disagree, windows that start more than
        ``tolerance`` apart, or nothing left to match.
    """
    if not isinstance(windows, Mapping) or not windows:
        raise ConfigError("windows must be a non-empty dict of (X, table) pairs")
    inputs = {**windows, **(per_track or {})}
    for key, (X, table) in inputs.items():
        if len(X) != len(table) or not {"track_id", "label"} <= set(table.columns):
            raise ConfigError(f"input {key!r}: expected a table with track_id and label and one row per row of X, "
                              f"got {len(X)} rows and a table of {len(table)} with columns {list(table.columns)}")
    keys = ["track_id", "segment"]
    joined = None
    for key, (_, table) in windows.items():
        if not {"segment", "start"} <= set(table.columns):
            raise ConfigError(f"input {key!r} has no segment and start columns: pass it in per_track if it has "
                              "one row per track")
        rows = table[keys + ["label", "start", "end"]].assign(**{f"row {key}": np.arange(len(table))})
        rows = rows.rename(columns={"label": f"label {key}", "start": f"start {key}", "end": f"end {key}"})
        joined = rows if joined is None else joined.merge(rows, on=keys, how="inner")
    for key, (_, table) in (per_track or {}).items():
        if table["track_id"].duplicated().any():
            raise ConfigError(f"per-track input {key!r} has several rows for one track")
        rows = table[["track_id", "label"]].rename(columns={"label": f"label {key}"})
        joined = joined.merge(rows.assign(**{f"row {key}": np.arange(len(table))}), on="track_id", how="inner")
    if joined.empty:
        raise ConfigError(f"no example has all of the inputs {list(inputs)}: do they come from the same tracks?")
    first = next(iter(windows))
    for key in inputs:
        if (joined[f"label {key}"] != joined[f"label {first}"]).any():
            raise ConfigError(f"inputs {first!r} and {key!r} give different labels to the same track")
    for key in windows:
        gap = float((joined[f"start {key}"] - joined[f"start {first}"]).abs().max())
        if gap > tolerance:
            raise ConfigError(f"windows of {key!r} and {first!r} start up to {gap:.2f} s apart (tolerance "
                              f"{tolerance} s): cut them with the same length and hop (see window_seconds)")
    X = {key: np.asarray(arrays[0])[joined[f"row {key}"].to_numpy()] for key, arrays in inputs.items()}
    table = joined[keys].assign(label=joined[f"label {first}"], start=joined[f"start {first}"],
                                end=joined[f"end {first}"])
    return X, table[["track_id", "label", "segment", "start", "end"]].reset_index(drop=True)
