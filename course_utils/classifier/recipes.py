"""The models ``genre-classify train --model NAME`` can train: an input and a scikit-learn pipeline each.

All of them train in seconds to minutes on a laptop CPU, and each chooses its regularization
strength ``C`` when it trains, by cross-validation grouped by artist
(:func:`choose_regularization`; the artists come from the data set, e.g. Sturm's index for GTZAN):
on GTZAN a model that heard an artist's other songs scores far higher on that artist, so a
strength chosen on folds that mix artists rewards memorising them, and strong regularization is
what carries over to new artists.

How the default was chosen: ``benchmarks/bench_generalization.py`` scores every recipe by
leave-artist-out cross-validation on all the real audio the project has (``gtzan-mini`` and
``gtzan-artists``, 5 folds grouped by artist) and, apart, trained on ``gtzan-mini`` and scored on
the files by artists it lacks; the default is the recipe with the best leave-artist-out accuracy
among those that need no weights beyond the install (YAMNet's must be fetched). It was chosen by
that grouped cross-validation, not by the scores on the unseen-artist files. The figures are in
the README's section *Command line*, written by that script.

Two findings shaped the recipes (measured with that script):

- ``musicnn_svm`` pooled the mean and the standard deviation of the 3-s patches. A 2-3 s excerpt
  has one patch, so its deviation was zero, a value no 30-s training clip has, and three genres
  fell to 0 % on excerpts. It now pools the mean, which is defined the same way for one patch.
- ``features_logreg`` scored 0.2-0.3 on the 30-s clips of new artists: not a scaling, tempo or
  clip-length bug (removing the level-dependent columns, the tempo, or training on 3-s segments
  changes little, and every classifier tried on these features, logistic regression, SVM, LDA,
  k-NN, random forest, does the same). The cause is the training data: one artist, John Lee
  Hooker (solo voice and guitar), plays all 10 blues clips of ``gtzan-mini``, so the statistics of
  timbre that the handcrafted features measure learn his recordings, and band blues by other
  artists is called metal, rock or reggae. Pretrained embeddings, which learnt "blues" from
  thousands of artists, carry over. Grouped regularization does not lift the feature models
  to 0.5 on new artists either: they are there to learn from, not to classify new music.

Used in: :mod:`course_utils.classifier`, ``benchmarks/bench_generalization.py``, ``benchmarks/bench_cli.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.calibration import CalibratedClassifierCV

from course_utils.classifier.inputs import EmbeddingInput, FeatureInput
from course_utils.errors import ConfigError

CALIBRATION_FOLDS = 5  # cross-validation folds that calibrate the SVM's probabilities
SEARCH_FOLDS = 3       # grouped cross-validation folds that choose the regularization
STRENGTHS = (0.001, 0.01, 0.1, 1.0)   # C of logistic regression, strongest first
SVM_STRENGTHS = (0.3, 1.0, 3.0, 10.0)   # C of the RBF SVM


@dataclass(frozen=True)
class Recipe:
    """A named model: what it sees and which classifier learns from it.

    Attributes
    ----------
    name : str
    input : EmbeddingInput or FeatureInput
    estimator : str
        A model of :func:`course_utils.models.classical.build` (a ``StandardScaler`` comes first).
    summary : str
        One line for ``--help``.
    needs_yamnet : bool
        Whether training needs YAMNet's weights (``$YAMNET_HANDLE``).
    regularization : tuple of float
        Strengths ``C`` to choose from by cross-validation grouped by artist when training
        (:meth:`fit`); empty: the estimator's own ``C``.
    """

    name: str
    input: EmbeddingInput | FeatureInput
    estimator: str
    summary: str
    needs_yamnet: bool = False
    regularization: tuple[float, ...] = ()

    def build(self, *, seed: int = 42, labels=None, C: float | None = None):
        """A fresh, unfitted pipeline ``scaler -> model`` that gives class probabilities.

        The SVM's probabilities come from calibration by cross-validation (scikit-learn's
        replacement for ``SVC(probability=True)``): 5 folds, or as many as the rarest of ``labels``
        (the training labels, when known) allows; a genre with a single clip is refused. ``C``
        sets the regularization strength (smaller is stronger) instead of the estimator's default.
        """
        from course_utils.models.classical import build

        pipeline = build(self.estimator, seed=seed)
        if self.estimator == "svm_rbf":
            folds = CALIBRATION_FOLDS
            if labels is not None:
                names, counts = np.unique(np.asarray(labels), return_counts=True)
                if counts.min() < 2:
                    raise ConfigError(f"model {self.name!r} calibrates its probabilities by cross-validation and "
                                      f"needs at least 2 clips per genre; {str(names[counts.argmin()])!r} has 1")
                folds = min(folds, int(counts.min()))
            pipeline.set_params(model=CalibratedClassifierCV(pipeline.named_steps["model"], cv=folds,
                                                             ensemble=False))
        if C is not None:
            pipeline.set_params(**{self._strength_parameter(pipeline): C})
        return pipeline

    @staticmethod
    def _strength_parameter(pipeline) -> str:
        return "model__estimator__C" if "model__estimator__C" in pipeline.get_params() else "model__C"

    def fit(self, X: np.ndarray, y: np.ndarray, *, groups: np.ndarray | None = None, seed: int = 42):
        """Fit the pipeline on ``X`` (n, d) and labels ``y``, its regularization chosen by grouped CV first.

        Parameters
        ----------
        groups : np.ndarray, optional
            One group key per row (the artist, :func:`course_utils.data.artist_groups`): the
            regularization strength ``C`` of :attr:`regularization` is chosen by cross-validation in
            which a group is never on both sides, so it is the strength that generalizes to new
            artists. ``None``: every row is its own group.

        Returns
        -------
        sklearn.pipeline.Pipeline
            Fitted on every row, with the chosen ``C`` (see :func:`choose_regularization`).
        """
        C = choose_regularization(self, X, y, groups=groups, seed=seed) if self.regularization else None
        return self.build(seed=seed, labels=y, C=C).fit(X, y)


def choose_regularization(recipe: Recipe, X: np.ndarray, y: np.ndarray, *, groups: np.ndarray | None = None,
                          seed: int = 42) -> float:
    """The ``C`` of ``recipe.regularization`` with the best accuracy in cross-validation grouped by ``groups``.

    Folds come from :class:`~sklearn.model_selection.StratifiedGroupKFold` (up to
    :data:`SEARCH_FOLDS`; fewer when there are fewer groups or clips per genre); a genre with a single training row
    in a fold is left out of that fold's fit; a tie goes to the stronger regularization (the
    smaller ``C``), which is what helps on new artists.
    """
    from sklearn.model_selection import StratifiedGroupKFold

    X, y = np.asarray(X), np.asarray(y)
    groups = np.arange(len(y)) if groups is None else np.asarray(groups)
    if len(groups) != len(y):
        raise ConfigError(f"groups has {len(groups)} entries for {len(y)} training rows; give one per row")
    largest = int(np.unique(y, return_counts=True)[1].max())
    n_splits = min(SEARCH_FOLDS, len(np.unique(groups)), largest)
    if n_splits < 2:
        raise ConfigError(f"choosing the regularization of {recipe.name!r} by grouped cross-validation needs at "
                          f"least two groups (artists) and a genre with two clips; got {len(np.unique(groups))} "
                          f"groups and at most {largest} clip(s) per genre")
    folds = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed).split(X, y, groups)
    correct = np.zeros(len(recipe.regularization))
    for train, test in folds:
        names, counts = np.unique(y[train], return_counts=True)
        train = train[np.isin(y[train], names[counts >= 2])]   # a genre needs 2 rows to be calibrated
        if len(np.unique(y[train])) < 2:
            continue
        for k, C in enumerate(recipe.regularization):
            model = recipe.build(seed=seed, labels=y[train], C=C).fit(X[train], y[train])
            correct[k] += np.sum(model.predict(X[test]) == y[test])
    ranked = sorted(range(len(correct)), key=lambda k: (-correct[k], recipe.regularization[k]))
    return float(recipe.regularization[ranked[0]])


RECIPES: dict[str, Recipe] = {recipe.name: recipe for recipe in (
    Recipe("musicnn_logreg", EmbeddingInput("MSD_musicnn", pooling="mean"), "logreg",
           "musicnn (MSD) embedding, mean over 3-s patches, logistic regression, C chosen by artist-grouped CV",
           regularization=STRENGTHS),
    Recipe("musicnn_svm", EmbeddingInput("MSD_musicnn", pooling="mean"), "svm_rbf",
           "musicnn (MSD) embedding, mean over 3-s patches, RBF SVM, C chosen by artist-grouped CV",
           regularization=SVM_STRENGTHS),
    Recipe("features_logreg", FeatureInput(), "logreg",
           "57 handcrafted features (MFCC, chroma, spectral, tempo), logistic regression, no neural network",
           regularization=STRENGTHS),
    Recipe("features_svm", FeatureInput(), "svm_rbf",
           "57 handcrafted features, RBF SVM", regularization=SVM_STRENGTHS),
    Recipe("yamnet_logreg", EmbeddingInput("yamnet", pooling="mean"), "logreg",
           "YAMNet embedding, mean over 0.96-s frames, logistic regression, needs $YAMNET_HANDLE",
           needs_yamnet=True, regularization=STRENGTHS),
)}
DEFAULT_RECIPE = "musicnn_logreg"


def get_recipe(name: str) -> Recipe:
    """The recipe called ``name``; a :class:`ConfigError` listing the names otherwise."""
    if name not in RECIPES:
        raise ConfigError(f"unknown model {name!r}; expected one of {', '.join(RECIPES)}")
    return RECIPES[name]
