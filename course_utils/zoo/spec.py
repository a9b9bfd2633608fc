"""One model of the course, defined once: :class:`ModelSpec` (its input, builder, hyper-parameters, training
settings and names), and how it is built, trained, recorded and fingerprinted.

A chapter that teaches a model and the comparison of chapter 12 both call :meth:`ModelSpec.fit`, so
they train the same thing and write records with the same fingerprint: the comparison reuses the
chapter's record exactly when nothing that made it has changed.

Used in: book/07_classical_ml.ipynb to book/12_comparison.ipynb.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from course_utils.cache import digest
from course_utils.config import Profile
from course_utils.errors import ConfigError
from course_utils.zoo.inputs import InputSpec, Inputs

TRAINERS = ("network", "pipeline", "average", "joined")
FUSIONS = ("average", "joined")  # trained with their streams, by :func:`course_utils.zoo.fit`
TRAINING = {"epochs": None, "batch_size": None, "patience": 5, "augment": None}  # None: the profile's number


def _head(input_shape, n_classes: int, **options):
    from course_utils.models import transfer

    return transfer.head(input_shape[0], n_classes, **options)


def branch_models(input_shapes: Mapping[str, tuple], n_classes: int, *, branches: Mapping[str, tuple],
                  seed: int | None) -> dict:
    """The branches of a combined model, each built by its builder: ``branches`` maps an input name to
    ``(builder name, options)``; ``input_shapes`` gives each input's shape."""
    return {name: builder(builder_name)(tuple(input_shapes[name]), n_classes, seed=seed, **dict(options))
            for name, (builder_name, options) in branches.items()}


def _combined(input_shapes, n_classes: int, *, branches: Mapping[str, tuple], seed: int | None, **options):
    from course_utils.models import fusion

    return fusion.combined(branch_models(input_shapes, n_classes, branches=branches, seed=seed), n_classes,
                           seed=seed, **options)


def builder(name: str) -> Callable:
    """The builder function of a network by name: a builder of :mod:`course_utils.models`, ``"head"`` (a
    frozen backbone's head) or ``"combined"`` (branches joined under one head)."""
    from course_utils import models

    local = {"head": _head, "combined": _combined}
    if name in local:
        return local[name]
    if name in models.NEURAL:
        return getattr(models, name)
    raise ConfigError(f"unknown builder {name!r}; expected one of {sorted([*models.NEURAL, *local])}")


def _source(func: Callable) -> str:
    return digest(inspect.getsource(func))


@dataclass(frozen=True)
class ModelSpec:
    """The one definition of a model of the course.

    Attributes
    ----------
    key : str
        Short unique name, also its label in tables (e.g. ``"CNN, log-mel"``).
    description : str
        One line on what it is (e.g. ``"CNN on log-mel 3 s segments"``).
    family : str
        ``"baseline"``, ``"classical"``, ``"pretrained embedding + linear"``, ``"CNN"``, ``"recurrent"``,
        ``"transfer learning"`` or ``"multimodal"``.
    chapter : int
        The chapter that teaches it.
    input : InputSpec
        What it reads.
    builder : str
        For ``trainer="network"``: a builder (:func:`builder`); for ``"pipeline"``: an estimator of
        :data:`course_utils.models.classical.MODELS`.
    options : dict
        The builder's hyper-parameters (for a pipeline: ``grid``, the hyper-parameters searched;
        default its :func:`~course_utils.models.classical.param_grid`).
    training : dict
        ``epochs``, ``batch_size`` (None: the profile's), ``patience``, ``augment`` (the options of
        a :class:`course_utils.train.Augmentation`, or None).
    name : str
        The model's name in the results registry.
    trainer : str
        ``"network"`` (a Keras model, :func:`course_utils.train.evaluate_and_record`), ``"pipeline"``
        (a scikit-learn pipeline, grid-searched), ``"average"`` or ``"joined"`` (late fusion of the
        models named in ``parts``).
    parts : tuple of str
        Keys of the models a fusion is made of.
    part_specs : tuple of ModelSpec
        Their definitions, filled in by :func:`course_utils.zoo.get` (with the learner's changes).
    needs : str
        The pretrained weights it cannot run without: an embedding model or an ImageNet backbone.
    """

    key: str
    description: str
    family: str
    chapter: int
    input: InputSpec
    builder: str
    name: str
    options: Mapping[str, Any] = field(default_factory=dict)
    training: Mapping[str, Any] = field(default_factory=dict)
    trainer: str = "network"
    parts: tuple[str, ...] = ()
    needs: str = ""
    part_specs: tuple["ModelSpec", ...] = ()

    def __post_init__(self):
        if self.trainer not in TRAINERS:
            raise ConfigError(f"trainer must be one of {TRAINERS}, got {self.trainer!r}")
        unknown = set(self.training) - set(TRAINING)
        if unknown:
            raise ConfigError(f"unknown training settings {sorted(unknown)} of {self.key!r}; expected {sorted(TRAINING)}")

    def replace(self, **changes) -> "ModelSpec":
        """A copy with some fields changed (e.g. ``options={**spec.options, "dropout": 0.5}``)."""
        return dataclasses.replace(self, **changes)

    def settings(self, profile: Profile) -> dict:
        """The training settings with the profile's numbers filled in."""
        settings = {**TRAINING, **self.training}
        return {**settings, "epochs": settings["epochs"] or profile.epochs,
                "batch_size": settings["batch_size"] or profile.batch_size}

    # -- what made a result -------------------------------------------------------------------------

    def definition(self, profile: Profile, *, seed: int) -> dict:
        """Everything about the model that changes its results: builder (and its source code),
        hyper-parameters, training settings; for a fusion, the definitions of its parts."""
        if self.trainer == "pipeline":
            from course_utils.evaluate import pipeline_definition

            return pipeline_definition(self.builder, profile=profile, seed=seed, grid=self.options.get("grid"))
        if self.trainer == "network":
            return {"trainer": "network", "builder": self.builder, "source": _source(builder(self.builder)),
                    "options": dict(self.options), "training": self.settings(profile)}
        if len(self.part_specs) != len(self.parts):
            raise ConfigError(f"{self.key!r} is made of {list(self.parts)}: get it with zoo.get({self.key!r})")
        return {"trainer": self.trainer, "options": dict(self.options), "training": self.settings(profile),
                "parts": [part.definition(profile, seed=seed) for part in self.part_specs]}

    def fingerprint(self, *, dataset, split, profile: Profile, seed: int):
        """The fingerprint its record carries on this data set, split and seed
        (:func:`course_utils.evaluate.fingerprint`)."""
        from course_utils.evaluate import fingerprint

        return fingerprint(definition=self.definition(profile, seed=seed),
                           inputs=self.input.resolve(dataset, profile=profile), data=dataset, split=split, seed=seed)

    def unavailable(self) -> str | None:
        """Why this run cannot have the pretrained weights it needs, or None."""
        if not self.needs:
            return None
        from course_utils.models import transfer

        if self.needs in transfer.BACKBONES:
            return transfer.available_backbones([self.needs]).missing.get(self.needs)
        from course_utils.embeddings import available_models

        return available_models([self.needs]).missing.get(self.needs)

    # -- building and training ----------------------------------------------------------------------

    def build(self, input_shape, n_classes: int, *, seed: int):
        """The network, built and compiled with this definition's hyper-parameters.

        ``input_shape`` is one example's shape (a dict of shapes for a combined model)."""
        if self.trainer != "network":
            raise ConfigError(f"{self.key!r} is not built by one builder (trainer {self.trainer!r})")
        return builder(self.builder)(input_shape, n_classes, seed=seed, **dict(self.options))

    def fit(self, *, dataset, split, profile: Profile, seed: int, inputs: Inputs | None = None, model=None,
            verbose: bool = True):
        """Train on the training tracks, score the test tracks, and write the record with its fingerprint.

        Parameters
        ----------
        dataset, split, profile, seed
            As every chapter has them; ``split`` a :class:`course_utils.data.TrackSplit`.
        inputs : Inputs, optional
            ``self.input.load(dataset, profile=profile)`` when the caller has it already (made with
            other parameters, it is refused: the record's fingerprint must describe it).
        model : keras.Model, optional
            A network made by :meth:`build` (e.g. to look at it first); default: built here.

        Returns
        -------
        Run or Fitted
            :class:`course_utils.train.Run` for a network, :class:`course_utils.evaluate.Fitted`
            for a pipeline (a fusion: :func:`course_utils.zoo.fit`).
        """
        options = dict(dataset=dataset, split=split, profile=profile, seed=seed)
        if self.trainer in FUSIONS:
            raise ConfigError(f"{self.key!r} is trained together with its streams: zoo.fit(zoo.get({self.key!r}), "
                              "...) or zoo.late_fusion(...)")
        if inputs is None:
            inputs = self.input.load(dataset, profile=profile)
        elif inputs.params != self.input.resolve(dataset, profile=profile):
            raise ConfigError(f"the inputs given to {self.key!r} were made with {inputs.params}, not with its "
                              f"definition's {self.input.resolve(dataset, profile=profile)}")
        if self.trainer == "pipeline":
            return self._fit_pipeline(inputs, **options)
        made = self.fingerprint(**options)
        from course_utils import train

        X, features = inputs.X, inputs.features
        if self.builder == "combined":  # the branches this definition names, and their registry name
            names = list(self.options["branches"])
            X, features = {name: X[name] for name in names}, inputs.detail.describe(names)
        shape = {k: v.shape[1:] for k, v in X.items()} if isinstance(X, Mapping) else X.shape[1:]
        model = model if model is not None else self.build(shape, len(dataset.labels), seed=seed)
        settings = self.settings(profile)
        augment = None if settings["augment"] is None else train.Augmentation(**settings["augment"])
        parts = train.split_parts_sized(X, inputs.table, split, classes=dataset.labels,
                                        name=re.sub(r"\W+", "-", self.key))
        return train.evaluate_and_record(model, parts, features=features, name=self.name,
                                         epochs=settings["epochs"], batch_size=settings["batch_size"],
                                         patience=settings["patience"], augment=augment, made=made, verbose=verbose,
                                         **options)

    def _fit_pipeline(self, inputs: Inputs, *, dataset, split, profile: Profile, seed: int):
        from course_utils.evaluate import fit_and_evaluate

        fitted = fit_and_evaluate(self.builder, split.assign(inputs.X), features=list(inputs.detail),
                                  labels=dataset.labels, profile=profile, seed=seed,
                                  grid=self.options.get("grid"))
        fitted.record(features=inputs.features, split=split, profile=profile, dataset=dataset, seed=seed,
                      inputs=inputs.params)
        return fitted
