"""The models ``genre-classify train --model NAME`` can train: an input and a scikit-learn pipeline each.

All of them train in seconds to minutes on a laptop CPU. The default, ``musicnn_logreg``, is the most
accurate of them on real audio: ``benchmarks/bench_cli.py`` measures every recipe by 5-fold
cross-validation grouped by track on the 100 real GTZAN clips of ``../shared/data/gtzan-mini``
(the figures are in the README's section *Command line*).

Used in: :mod:`course_utils.classifier`, ``benchmarks/bench_cli.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.calibration import CalibratedClassifierCV

from course_utils.classifier.inputs import EmbeddingInput, FeatureInput
from course_utils.errors import ConfigError

CALIBRATION_FOLDS = 5  # cross-validation folds that calibrate the SVM's probabilities


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
    """

    name: str
    input: EmbeddingInput | FeatureInput
    estimator: str
    summary: str
    needs_yamnet: bool = False

    def build(self, *, seed: int = 42, labels=None):
        """A fresh, unfitted pipeline ``scaler -> model`` that gives class probabilities.

        The SVM's probabilities come from calibration by cross-validation (scikit-learn's
        replacement for ``SVC(probability=True)``): 5 folds, or as many as the rarest of ``labels``
        (the training labels, when known) allows; a genre with a single clip is refused.
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
        return pipeline


RECIPES: dict[str, Recipe] = {recipe.name: recipe for recipe in (
    Recipe("musicnn_logreg", EmbeddingInput("MSD_musicnn", pooling="mean"), "logreg",
           "musicnn (MSD) embedding, mean over 3-s patches, logistic regression (the default: the most accurate)"),
    Recipe("musicnn_svm", EmbeddingInput("MSD_musicnn", pooling="mean_std"), "svm_rbf",
           "musicnn (MSD) embedding, mean and std over patches, RBF SVM"),
    Recipe("features_logreg", FeatureInput(), "logreg",
           "57 handcrafted features (MFCC, chroma, spectral, tempo), logistic regression, no neural network"),
    Recipe("features_svm", FeatureInput(), "svm_rbf",
           "57 handcrafted features, RBF SVM"),
    Recipe("yamnet_logreg", EmbeddingInput("yamnet", pooling="mean"), "logreg",
           "YAMNet embedding, mean over 0.96-s frames, logistic regression, needs $YAMNET_HANDLE",
           needs_yamnet=True),
)}
DEFAULT_RECIPE = "musicnn_logreg"


def get_recipe(name: str) -> Recipe:
    """The recipe called ``name``; a :class:`ConfigError` listing the names otherwise."""
    if name not in RECIPES:
        raise ConfigError(f"unknown model {name!r}; expected one of {', '.join(RECIPES)}")
    return RECIPES[name]
