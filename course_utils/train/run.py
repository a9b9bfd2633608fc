"""The whole protocol in one call: train on the training tracks, stop on the validation tracks, score the
test tracks per track, and write the result to the registry.

Used in: book/08_cnn.ipynb, book/09_recurrent.ipynb and the chapters after them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from course_utils.config import DEFAULT_SEED, Profile
from course_utils.errors import ConfigError
from course_utils.cache import digest
from course_utils.evaluate import Fingerprint, Scores, fingerprint, record_result
from course_utils.train.fit import FitResult, fit
from course_utils.train.predict import Predictions, predict_tracks


@dataclass(frozen=True)
class Run:
    """One trained and evaluated model.

    Attributes
    ----------
    name, features : str
        As written to the registry (e.g. ``"cnn2d+specaugment+shift"``, ``"log-mel 3 s"``).
    model : keras.Model
        Holding the weights of its best epoch.
    fit : FitResult
    predictions : Predictions
        On the test tracks.
    record : Path or None
        The registry file written (None when not recorded).
    """

    name: str
    features: str
    model: object
    fit: FitResult
    predictions: Predictions
    record: Path | None

    @property
    def scores(self) -> Scores:
        """Track-level test scores: the headline numbers."""
        return self.predictions.scores

    def summary(self) -> dict:
        """One row for a results table."""
        return {"model": self.name, "features": self.features, "params": self.model.count_params(),
                "epochs": len(self.fit.history), "best epoch": self.fit.best_epoch,
                "s/epoch": self.fit.seconds_per_epoch, "segment accuracy": self.predictions.segment_scores.accuracy,
                "track accuracy": self.scores.accuracy, "track macro F1": self.scores.macro_f1}


def evaluate_and_record(model, parts: Mapping, *, features: str, split, profile: Profile,
                        dataset, seed: int = DEFAULT_SEED, classes: Sequence[str] | None = None,
                        epochs: int | None = None, batch_size: int | None = None,
                        augment=None, patience: int = 5, method: str = "mean", name: str | None = None,
                        record: bool = True, notes: str = "", made: Fingerprint | None = None,
                        verbose: bool = True) -> Run:
    """Fit on ``parts["train"]`` with early stopping on ``parts["valid"]``, predict ``parts["test"]`` per track,
    and record the track-level scores.

    Parameters
    ----------
    model : keras.Model
        A compiled model (:mod:`course_utils.models`).
    parts : dict of Part
        ``"train"``, ``"valid"`` and ``"test"``, from :func:`course_utils.train.split_parts`.
    features : str
        What the model reads, for the registry (e.g. ``"log-mel 3 s"``).
    classes : sequence of str, optional
        The class of each model output; default (and it must agree): the class order the parts
        carry (:attr:`course_utils.train.Part.classes`).
    split, profile, dataset
        As in :func:`course_utils.evaluate.record_result`.
    epochs, batch_size : int, optional
        Default ``profile.epochs`` and ``profile.batch_size``.
    augment, patience, seed
        As in :func:`course_utils.train.fit`.
    method : {"mean", "vote"}
        How segment predictions become a track's prediction.
    name : str, optional
        Registry name; default the model's name, plus ``"+"`` and the augmentation's name.
    record : bool
        Write the result to the registry, with each test track's prediction.
    made : Fingerprint, optional
        The record's fingerprint, given by a model definition of :mod:`course_utils.zoo`; default:
        :func:`network_fingerprint` of this model, training settings and ``features``.

    Returns
    -------
    Run
    """
    missing = [p for p in ("train", "valid", "test") if p not in parts]
    if missing:
        raise ConfigError(f"parts lacks {missing}; make them with train.split_parts(X, table, split, classes=...)")
    classes = parts["test"].checked_classes(classes)
    name = name or (model.name if augment is None else f"{model.name}+{augment.name}")
    if verbose:
        print(f"{name} on {features}: {model.count_params():,} weights; {len(parts['train'])} training rows "
              f"({parts['train'].n_tracks} tracks), {len(parts['valid'])} validation rows")
    settings = dict(epochs=epochs or profile.epochs, batch_size=batch_size or profile.batch_size, augment=augment,
                    patience=patience)
    if record and made is None:  # made before training: the record describes the model as built
        made = network_fingerprint(model, training={**settings, "method": method}, features=features, split=split,
                                   dataset=dataset, seed=seed)
    result = fit(model, parts["train"], parts["valid"], seed=seed, verbose=verbose, **settings)
    test = parts["test"]
    predictions = predict_tracks(model, test.X, test.table, classes=classes, method=method)
    path = None
    if record:
        details = f"best epoch {result.best_epoch} of {len(result.history)}; {result.seconds_per_epoch:.1f} s/epoch"
        path = record_result(model=name, features=features, scores=predictions.scores, split=split, profile=profile,
                             dataset=dataset, train_seconds=result.train_seconds, predict_seconds=predictions.seconds,
                             n_params=int(model.count_params()), seed=seed, predictions=predictions.tracks,
                             notes="; ".join(n for n in (details, notes) if n), fingerprint=made)
    if verbose:
        print(f"{name}: test tracks {predictions.scores}")
    return Run(name=name, features=features, model=model, fit=result, predictions=predictions, record=path)


def network_fingerprint(model, *, training: Mapping, features: str, split, dataset, seed: int) -> Fingerprint:
    """The fingerprint of a Keras model trained outside :mod:`course_utils.zoo`: its whole architecture
    (every layer's configuration), the training settings (an augmentation by its settings) and the
    registry name of its input."""
    try:
        architecture = digest(model.get_config())
    except (NotImplementedError, TypeError, ValueError):  # a model Keras cannot describe: its size and name
        architecture = {"name": model.name, "params": int(model.count_params())}
    settings = {k: (repr(v) if k == "augment" and v is not None else v) for k, v in training.items()}
    return fingerprint(definition={"trainer": "network", "architecture": architecture, "training": settings},
                       inputs={"features": features}, data=dataset, split=split, seed=seed)
