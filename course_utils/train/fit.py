"""One training loop for every Keras model of the course: seeded, early stopping, timed, one line per model.

Used in: book/08_cnn.ipynb, book/09_recurrent.ipynb and the chapters after them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Mapping

import keras
import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from course_utils.config import DEFAULT_SEED
from course_utils.errors import ConfigError
from course_utils.models.blocks import check_count, unadapted_normalizations
from course_utils.train.inputs import Part, as_dataset
from course_utils.train.stream import on_disk


@dataclass(frozen=True)
class FitResult:
    """What a training run did.

    Attributes
    ----------
    history : pd.DataFrame
        One row per epoch run (index ``epoch``, from 1): ``loss``, ``accuracy`` (training batches,
        augmented when augmentation is on), ``val_loss``, ``val_accuracy`` (when there is
        validation data), and ``seconds`` (wall time of the epoch, validation included).
    best_epoch : int
        The epoch whose weights the model holds now: lowest validation loss (the last epoch
        without validation data).
    epochs : int
        The most epochs the run was allowed.
    train_seconds : float
        Wall time of the whole run.
    """

    history: pd.DataFrame
    best_epoch: int
    epochs: int
    train_seconds: float

    @property
    def seconds_per_epoch(self) -> float:
        """Median wall time of the epochs after the first (which also traces the model's graph)."""
        seconds = self.history["seconds"]
        return float(seconds.iloc[1:].median() if len(seconds) > 1 else seconds.iloc[0])

    @property
    def stopped_early(self) -> bool:
        """True when early stopping ended the run before ``epochs``."""
        return len(self.history) < self.epochs

    def __str__(self) -> str:
        best = self.history.loc[self.best_epoch]
        validation = f", validation loss {best['val_loss']:.3f}" if "val_loss" in best else ""
        ending = "stopped early" if self.stopped_early else "ran every epoch"
        return (f"{len(self.history)} epochs ({ending}), {self.seconds_per_epoch:.1f} s each, "
                f"{self.train_seconds:.0f} s in all; kept epoch {self.best_epoch}{validation}")


class EpochProgress(keras.callbacks.Callback):
    """Times every epoch and shows training as one progress bar (the last epoch's losses and
    accuracies beside it, on standard error), so that a model's log is one line: :func:`fit` prints
    the summary once training ends, and the curves are a figure (:func:`course_utils.plots.fit_curves`)."""

    def __init__(self, *, epochs: int, verbose: bool, name: str):
        super().__init__()
        self.epochs, self.verbose, self.name, self.seconds = epochs, verbose, name, []

    def on_train_begin(self, logs=None):
        self.bar = tqdm(total=self.epochs, desc=self.name, unit="epoch", leave=False, disable=not self.verbose)

    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.started)
        logs = logs or {}
        self.bar.set_postfix_str("  ".join(f"{k} {logs[k]:.3f}" for k in ("loss", "accuracy", "val_loss", "val_accuracy")
                                           if k in logs), refresh=False)
        self.bar.update()

    def on_train_end(self, logs=None):
        self.bar.close()


def adapt_normalization(model, X) -> int:
    """Set the mean and variance of the model's unadapted input ``Normalization`` layers from ``X``.

    Only the training inputs may be passed: the statistics become part of the model.

    Parameters
    ----------
    X : np.ndarray or dict of np.ndarray, or tf.data.Dataset of (inputs, labels) batches

    Returns
    -------
    int
        How many layers were adapted.
    """
    import tensorflow as tf

    pending = unadapted_normalizations(model)
    for layer, position in pending:
        name = model.inputs[position].name
        if isinstance(X, tf.data.Dataset):
            layer.adapt(X.map(lambda x, y: x[name] if isinstance(x, dict) else x))
        elif isinstance(X, Mapping):
            if name not in X:
                raise ConfigError(f"the inputs have no array for the model input {name!r}; got {sorted(X)}")
            layer.adapt(np.asarray(X[name], np.float32))
        else:
            layer.adapt(np.asarray(X, np.float32))
    if pending:  # functions traced before (e.g. a predict() on the untrained model) hold the old statistics
        model.train_function = model.test_function = model.predict_function = None
    return len(pending)


def _inputs(data):
    if isinstance(data, Part):
        return data.X
    if isinstance(data, (tuple, list)) and len(data) == 2:
        return data[0]
    return data


def fit(model, train, val=None, *, epochs: int, batch_size: int, augment=None, patience: int = 5,
        seed: int = DEFAULT_SEED, verbose: bool = True) -> FitResult:
    """Train a compiled Keras model, keep the weights of its best epoch, and time it.

    The run is seeded (shuffling, dropout, augmentation). The model's input ``Normalization``
    layers, when not adapted yet, learn their mean and variance from the training inputs only.
    After every epoch the loss on ``val`` is measured; when it has not improved for ``patience``
    epochs, training stops, and in any case the weights of the epoch with the lowest validation
    loss are restored at the end.

    Parameters
    ----------
    model : keras.Model
        Compiled with a categorical loss on one-hot labels (every builder of :mod:`course_utils.models`).
    train, val : Part, (X, y) or tf.data.Dataset
        ``X`` an array or a dict of arrays keyed by the model's input names, ``y`` class indices
        (n,) or one-hot rows; a ``tf.data.Dataset`` yields batches of (inputs, one-hot labels).
        ``val=None``: no early stopping, the last epoch's weights are kept.
    epochs : int
        Most epochs to run (``profile.epochs``).
    batch_size : int
        Examples per step (``profile.batch_size``); ignored for a ``tf.data.Dataset``.
    augment : Augmentation, optional
        Applied to the training batches only (:class:`course_utils.train.Augmentation`).
    patience : int
        Epochs without a lower validation loss before stopping.
    verbose : bool
        Show the epochs in a progress bar (standard error), then print a one-line summary.

    Returns
    -------
    FitResult
    """
    epochs, batch_size = check_count("epochs", epochs), check_count("batch_size", batch_size)
    patience = check_count("patience", patience)
    if not getattr(model, "compiled", False):
        raise ConfigError(f"model {getattr(model, 'name', model)!r} is not a compiled Keras model; "
                          "build it with course_utils.models or call model.compile(...) first")
    keras.utils.set_random_seed(check_count("seed", seed, minimum=0))
    n_classes = int(model.output_shape[-1])
    inputs = _inputs(train)
    adapt_normalization(model, as_dataset(train, n_classes=n_classes, batch_size=batch_size) if on_disk(inputs)
                        else inputs)  # inputs on disk are read batch by batch, here too
    train_data = as_dataset(train, n_classes=n_classes, batch_size=batch_size, shuffle=True, seed=seed,
                            augment=augment)
    val_data = None if val is None else as_dataset(val, n_classes=n_classes, batch_size=batch_size)
    line = EpochProgress(epochs=epochs, verbose=verbose, name=model.name)
    callbacks = [line]
    if val_data is not None:
        stopper = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True)
        callbacks.insert(0, stopper)
    start = time.perf_counter()
    keras_history = model.fit(train_data, validation_data=val_data, epochs=epochs, verbose=0, callbacks=callbacks,
                              shuffle=False)  # the pipeline shuffles
    train_seconds = time.perf_counter() - start
    history = pd.DataFrame(keras_history.history)
    history.index = pd.RangeIndex(1, len(history) + 1, name="epoch")
    history["seconds"] = line.seconds
    best = stopper.best_epoch + 1 if val_data is not None else len(history)
    result = FitResult(history=history, best_epoch=int(best), epochs=epochs, train_seconds=train_seconds)
    if verbose:
        print(f"{model.name}: {result}")
    return result
