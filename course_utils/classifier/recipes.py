"""The models ``genre-classify train --model NAME`` can train: an input and a scikit-learn pipeline each.

All of them train in seconds to minutes on a laptop CPU, and each chooses its regularization
strength (``C``, or the shrinkage of the LDA's covariance) when it trains, by cross-validation
grouped by artist (:func:`choose_regularization`; the artists come from the data set, e.g. Sturm's
index for GTZAN): on GTZAN a model that heard an artist's other songs scores far higher on that
artist, so a strength chosen on folds that mix artists rewards memorising them, and strong
regularization is what carries over to new artists.

How the default was chosen: ``benchmarks/bench_generalization.py`` scores every recipe by
leave-artist-out cross-validation on all the real audio the project has (``gtzan-mini`` and
``gtzan-artists``, 5 folds grouped by artist) and, apart, trained on ``gtzan-mini`` and scored on
the files by artists it lacks; the default is the recipe with the best leave-artist-out accuracy
among those that need no weights beyond the install (YAMNet's must be fetched). It was chosen by
that grouped cross-validation, not by the scores on the unseen-artist files. The figures are in
the README's section *Command line*, written by that script.

The default, ``musicnn_lda``, came out of a one-off comparison under the same protocol (the same
folds, strengths chosen by grouped CV inside each fold; the script of it is not kept). On the
cached musicnn frames of the 315 files, logistic regression stayed at or below 0.65
leave-artist-out whatever it was given: the MSD embedding's clip mean (0.63, the previous default),
every 3-s patch as a training row with the clip's patch probabilities averaged (0.63; a 2-3 s
excerpt is one patch, so the rows match it, yet excerpts did not improve), the MTT embedding
(0.50-0.53), MSD and MTT together (0.62-0.63), the taggrams (0.57-0.65), a wider grid of C
(0.62-0.63), and 2-3 s looped crops of the training clips added as rows to mimic the excerpts
(0.60-0.61); averaging two models' probabilities (with the MTT model, the taggram model or the SVM)
gave 0.58-0.64. Linear discriminant analysis with a strongly shrunk covariance (shrinkage 0.5-1.0
chosen, mostly 0.9 or more) did better on every MSD input (and as well on MTT): 0.69 on MSD clip
means, 0.69-0.70 on MSD patches, 0.71-0.72 on MSD and MTT patches or the MSD taggram, and LDA on
MSD patches beat logistic regression on clip means in each of 5 draws of the folds (mean 0.70
against 0.64). The default is LDA on MSD patches: within noise of the best inputs, with one network
(half the prediction time of two). Its raw probabilities are overconfident (in those folds its
mean confidence was 0.90 at 0.70 accuracy, logistic regression's 0.62 at 0.63); calibrating them
(sigmoid, by cross-validation inside the training rows) brought the confidence to 0.62 but the
accuracy down to 0.59. So every recipe's clip probabilities are scaled by a temperature instead
(:mod:`~course_utils.classifier.temperature`), which never changes the predicted genre: one
number, chosen on the out-of-fold probabilities of the grouped search of the regularization
(:func:`grouped_search`), stored in the saved model. No variant moved the excerpts of new artists
trained on ``gtzan-mini`` alone past 0.56: one artist plays all its rock, blues, classical and
reggae (Morphine's rock teaches little about other rock bands), which is a limit of the training
data.

Tried later under the same folds (strengths fixed on a grid, not chosen inside, so these figures
are if anything optimistic), none of which beat the default where it counts: the other layers of
MSD musicnn (mean_pool, max_pool, taggram: 0.60-0.71 leave-artist-out, penultimate 0.72-0.73), the
MTT musicnn and both vgg models (0.41-0.62); a short clip read at its own length instead of looped
(musicnn's back-end pools over time): 0.57 on the unseen excerpts against 0.52 looped, but 0.63-0.73
on 1.5-2.5 s crops of the unseen clips against 0.69-0.74 looped, so short clips stay looped;
2-3 s crops of the training clips at their own length as extra rows, or patches every 0.5 s
instead of every 3 s (no gain); an excerpt's probabilities averaged over 5 loops of it started at
different points (0.55-0.56 against 0.52 on the unseen excerpts, within noise); the MSD tags named
like a genre (blues, country, Hip-Hop, jazz, metal, pop, rock) as a fixed prior (at most 0.03);
projecting out the directions in which a genre's artists differ (nuisance attribute projection:
worse at every rank); musicnn with YAMNet, the product of two LDAs' probabilities: unseen clips 0.91,
unseen excerpts 0.59, leave-artist-out 0.77, the best of all, but YAMNet's weights do not ship with
the install. Even trained on four fifths of the 315 files, excerpts by other artists included, no
model reached 0.67 on the 2-3 s excerpts in leave-artist-out: the target of 0.75 on excerpts is
beyond these embeddings, not a matter of the classifier.

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
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from course_utils.classifier.inputs import EmbeddingInput, FeatureInput
from course_utils.classifier.temperature import choose_temperature
from course_utils.errors import ConfigError

CALIBRATION_FOLDS = 5  # cross-validation folds that calibrate the SVM's probabilities
SEARCH_FOLDS = 3       # grouped cross-validation folds that choose the regularization
STRENGTHS = (0.001, 0.01, 0.1, 1.0)   # C of logistic regression, strongest first
SVM_STRENGTHS = (0.3, 1.0, 3.0, 10.0)   # C of the RBF SVM
SHRINKAGES = (1.0, 0.99, 0.95, 0.9, 0.8, 0.7, 0.5)   # shrinkage of the LDA's covariance, strongest first
SHRUNK_LDA = "lda_shrinkage"   # the estimator name of linear discriminant analysis with a shrunk covariance


@dataclass(frozen=True)
class Recipe:
    """A named model: what it sees and which classifier learns from it.

    Attributes
    ----------
    name : str
    input : EmbeddingInput or FeatureInput
    estimator : str
        A model of :func:`course_utils.models.classical.build`, or :data:`SHRUNK_LDA` (linear
        discriminant analysis whose covariance is shrunk towards a diagonal); a ``StandardScaler``
        comes first.
    summary : str
        One line for ``--help``.
    needs_yamnet : bool
        Whether training needs YAMNet's weights (``$YAMNET_HANDLE``).
    regularization : tuple of float
        Strengths to choose from by cross-validation grouped by artist when training (:meth:`fit`):
        ``C`` (smaller is stronger), or the LDA's shrinkage (larger is stronger); empty: the
        estimator's own.
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
        sets the regularization strength (``C``, or the LDA's shrinkage) instead of the estimator's default.
        """
        from course_utils.models.classical import build

        if self.estimator == SHRUNK_LDA:
            pipeline = Pipeline([("scaler", StandardScaler()),
                                 ("model", LinearDiscriminantAnalysis(solver="lsqr", shrinkage=SHRINKAGES[0]))])
        else:
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
        params = pipeline.get_params()
        return next(name for name in ("model__estimator__C", "model__shrinkage", "model__C") if name in params)

    def strongest_first(self) -> list[float]:
        """:attr:`regularization` from the strongest to the weakest (a shrinkage is stronger when larger, ``C`` when smaller)."""
        return sorted(self.regularization, reverse=self.estimator == SHRUNK_LDA)

    def fit(self, X: np.ndarray, y: np.ndarray, *, groups: np.ndarray | None = None,
            tracks: np.ndarray | None = None, seed: int = 42):
        """Fit the pipeline on ``X`` (n, d) and labels ``y``, its regularization chosen by grouped CV first.

        Parameters
        ----------
        groups : np.ndarray, optional
            One group key per row (the artist, :func:`course_utils.data.artist_groups`): the
            regularization strength of :attr:`regularization` is chosen by cross-validation in
            which a group is never on both sides, so it is the strength that generalizes to new
            artists. ``None``: every track is its own group.
        tracks : np.ndarray, optional
            The track of each row, where a track gives several rows (its 3-s patches); a track is
            scored by the mean of its rows' probabilities (:func:`track_predictions`). ``None``:
            one row per track.

        Returns
        -------
        sklearn.pipeline.Pipeline
            Fitted on every row, with the chosen strength (see :func:`choose_regularization`).
        """
        return self.fit_tempered(X, y, groups=groups, tracks=tracks, seed=seed)[0]

    def fit_tempered(self, X: np.ndarray, y: np.ndarray, *, groups: np.ndarray | None = None,
                     tracks: np.ndarray | None = None, seed: int = 42):
        """:meth:`fit`, and the temperature of its track probabilities (:mod:`~course_utils.classifier.temperature`).

        Returns
        -------
        pipeline : sklearn.pipeline.Pipeline
            As :meth:`fit` returns it.
        temperature : float
            Chosen on the out-of-fold track probabilities of the same grouped search
            (:func:`grouped_search`); 1.0 for a recipe without :attr:`regularization`.
        """
        search = grouped_search(self, X, y, groups=groups, tracks=tracks, seed=seed) if self.regularization else None
        pipeline = self.build(seed=seed, labels=y, C=None if search is None else search.strength).fit(X, y)
        return pipeline, 1.0 if search is None else search.temperature


def track_probabilities(model, X: np.ndarray, tracks: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Each track's probabilities: the mean of its rows' (in the order of ``model.classes_``).

    Parameters
    ----------
    model
        A fitted classifier with ``predict_proba`` and ``classes_``.
    X : np.ndarray, shape (n_rows, d)
    tracks : np.ndarray, optional
        The track of each row (``None``: every row is a track).

    Returns
    -------
    keys : np.ndarray
        The tracks, sorted (the row indices when ``tracks`` is ``None``).
    probabilities : np.ndarray, shape (len(keys), len(model.classes_))
    """
    tracks = np.arange(len(X)) if tracks is None else np.asarray(tracks)
    keys, where = np.unique(tracks, return_inverse=True)
    total = np.zeros((len(keys), len(model.classes_)))
    np.add.at(total, where, model.predict_proba(X))
    return keys, total / np.bincount(where, minlength=len(keys))[:, None]


def track_predictions(model, X: np.ndarray, tracks: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Each track's genre: the most probable in the mean of its rows' probabilities (:func:`track_probabilities`).

    Returns
    -------
    keys : np.ndarray
        The tracks, sorted (the row indices when ``tracks`` is ``None``).
    genres : np.ndarray
        The predicted genre of each of ``keys``.
    """
    keys, probabilities = track_probabilities(model, X, tracks)
    return keys, np.asarray(model.classes_)[probabilities.argmax(axis=1)]


@dataclass(frozen=True)
class Search:
    """What :func:`grouped_search` found.

    Attributes
    ----------
    strength : float
        The regularization strength with the best out-of-fold track accuracy.
    temperature : float
        The temperature that minimises the log loss of ``probabilities`` (:func:`choose_temperature`).
    classes : np.ndarray
        The genres, sorted: the columns of ``probabilities``.
    probabilities : np.ndarray, shape (n_scored, n_classes)
        Out-of-fold probabilities at ``strength`` (the mean of its rows'), untempered, of every
        scored track whose genre its fold trained on (a genre a fold did not train on, e.g. when
        one artist plays all of it, has 0, and would push the temperature to its maximum).
    truth : np.ndarray, shape (n_scored,)
        The column of each scored track's genre.
    """

    strength: float
    temperature: float
    classes: np.ndarray
    probabilities: np.ndarray
    truth: np.ndarray


def choose_regularization(recipe: Recipe, X: np.ndarray, y: np.ndarray, *, groups: np.ndarray | None = None,
                          tracks: np.ndarray | None = None, seed: int = 42) -> float:
    """The strength of ``recipe.regularization`` with the best accuracy in cross-validation grouped by ``groups``
    (:attr:`Search.strength` of :func:`grouped_search`)."""
    return grouped_search(recipe, X, y, groups=groups, tracks=tracks, seed=seed).strength


def grouped_search(recipe: Recipe, X: np.ndarray, y: np.ndarray, *, groups: np.ndarray | None = None,
                   tracks: np.ndarray | None = None, seed: int = 42) -> Search:
    """The strength of ``recipe.regularization`` with the best accuracy in cross-validation grouped by ``groups``,
    and the temperature of its out-of-fold probabilities.

    Folds come from :class:`~sklearn.model_selection.StratifiedGroupKFold` (up to
    :data:`SEARCH_FOLDS`; fewer when there are fewer groups or clips per genre); a genre with a single training row
    in a fold is left out of that fold's fit; the accuracy is over tracks (``tracks``: the track of
    each row, a track scored by the mean of its rows' probabilities; ``None``: a row is a track);
    a tie goes to the stronger regularization (:meth:`Recipe.strongest_first`), which is what helps
    on new artists. The temperature is the one that minimises the log loss of the chosen
    strength's out-of-fold track probabilities (:func:`choose_temperature`).
    """
    from sklearn.model_selection import StratifiedGroupKFold

    X, y = np.asarray(X), np.asarray(y)
    tracks = np.arange(len(y)) if tracks is None else np.asarray(tracks)
    groups = tracks if groups is None else np.asarray(groups)
    for name, values in (("groups", groups), ("tracks", tracks)):
        if len(values) != len(y):
            raise ConfigError(f"{name} has {len(values)} entries for {len(y)} training rows; give one per row")
    largest = int(np.unique(y, return_counts=True)[1].max())
    n_splits = min(SEARCH_FOLDS, len(np.unique(groups)), largest)
    if n_splits < 2:
        raise ConfigError(f"choosing the regularization of {recipe.name!r} by grouped cross-validation needs at "
                          f"least two groups (artists) and a genre with two clips; got {len(np.unique(groups))} "
                          f"groups and at most {largest} clip(s) per genre")
    folds = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed).split(X, y, groups)
    classes = np.unique(y)
    strengths = recipe.strongest_first()
    correct = np.zeros(len(strengths))
    scored = [[] for _ in strengths]   # per strength: (truth column, track probabilities) of the scored tracks
    for train, test in folds:
        names, counts = np.unique(y[train], return_counts=True)
        train = train[np.isin(y[train], names[counts >= 2])]   # a genre needs 2 rows to be calibrated
        if len(np.unique(y[train])) < 2:
            continue
        truth = dict(zip(tracks[test], np.searchsorted(classes, y[test])))
        for k, strength in enumerate(strengths):
            model = recipe.build(seed=seed, labels=y[train], C=strength).fit(X[train], y[train])
            keys, proba = track_probabilities(model, X[test], tracks[test])
            known = np.searchsorted(classes, model.classes_)
            columns = np.zeros((len(keys), len(classes)))
            columns[:, known] = proba
            expected = np.array([truth[key] for key in keys])
            correct[k] += np.sum(columns.argmax(axis=1) == expected)
            # a track of a genre the fold did not train on (one artist plays it) has no probability to temper
            scored[k].extend((column, row) for column, row in zip(expected, columns) if column in known)
    best = int(np.argmax(correct))   # argmax takes the first of equals: the strongest
    expected = np.array([column for column, _ in scored[best]], dtype=int)
    probabilities = np.array([row for _, row in scored[best]]).reshape(len(expected), len(classes))
    return Search(float(strengths[best]), choose_temperature(probabilities, expected), classes, probabilities,
                  expected)


RECIPES: dict[str, Recipe] = {recipe.name: recipe for recipe in (
    Recipe("musicnn_lda", EmbeddingInput("MSD_musicnn", pooling="mean", patches=True), SHRUNK_LDA,
           "musicnn (MSD) embedding of every 3-s patch, linear discriminant analysis, shrinkage chosen by "
           "artist-grouped CV; a clip's genre from the mean of its patches' probabilities",
           regularization=SHRINKAGES),
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
DEFAULT_RECIPE = "musicnn_lda"


def get_recipe(name: str) -> Recipe:
    """The recipe called ``name``; a :class:`ConfigError` listing the names otherwise."""
    if name not in RECIPES:
        raise ConfigError(f"unknown model {name!r}; expected one of {', '.join(RECIPES)}")
    return RECIPES[name]
