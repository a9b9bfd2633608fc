"""A genre classifier that can be trained, saved, loaded and used on audio files: the heart of ``genre-classify``.

A :class:`GenreClassifier` is an input (:mod:`~course_utils.classifier.inputs`: how a clip becomes
a vector), a fitted estimator (a scikit-learn pipeline whose scaler is inside it, or a Keras
model), the genre labels and a note of what it was trained on. It predicts the whole clip from the
clip's vector, and the clip over time from the vector of each segment.

Used in: the ``genre-classify`` command line (:mod:`course_utils.cli`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import numpy as np
import pandas as pd

from course_utils.audio import MIN_SECONDS, load_audio
from course_utils.classifier.estimators import kind_of
from course_utils.classifier.inputs import EmbeddingInput, FeatureInput
from course_utils.classifier.recipes import DEFAULT_RECIPE, get_recipe
from course_utils.classifier.storage import load_parts, save_classifier
from course_utils.classifier.temperature import temper
from course_utils.classifier.training import Overlap, TrainingTracks, overlap_with
from course_utils.errors import AudioFileError, ConfigError, CourseError

if TYPE_CHECKING:
    from course_utils.evaluate import Scores

PROBLEM_COLUMNS = ["path", "problem"]


@dataclass(frozen=True)
class Predictions:
    """Genre probabilities of audio files, and the files that could not be predicted.

    Attributes
    ----------
    labels : list of str
        The genres, in the order of the probability columns.
    files : pd.DataFrame
        One row per predicted file: ``path, duration`` (seconds), ``genre`` (the most probable)
        and one probability column per genre.
    segments : pd.DataFrame or None
        With ``segments=True``: one row per segment, ``path, segment, start, end, genre`` and the
        probabilities; ``None`` otherwise.
    problems : pd.DataFrame
        ``path, problem``: files that did not decode, were too short or missing.
    """

    labels: list[str]
    files: pd.DataFrame
    segments: pd.DataFrame | None
    problems: pd.DataFrame


@dataclass(frozen=True)
class Evaluation:
    """A classifier scored on a labelled data set, one prediction per track.

    Attributes
    ----------
    scores : course_utils.evaluate.Scores
        Accuracy (with :meth:`~course_utils.evaluate.Scores.interval`), per-genre report, confusion matrix.
    predictions : Predictions
        The predictions, with a ``label`` column (the true genre) in ``files``.
    dataset : str
        The data set's one-line description.
    overlap : Overlap or None
        How many evaluated tracks and artists the classifier was trained on.
    """

    scores: Scores
    predictions: Predictions
    dataset: str
    overlap: Overlap | None = None


@dataclass(frozen=True)
class GenreClassifier:
    """A trained genre classifier: input, fitted estimator, labels and provenance.

    Attributes
    ----------
    name : str
        The recipe it was made from (:data:`~course_utils.classifier.recipes.RECIPES`), or a name of your own.
    input : EmbeddingInput or FeatureInput
        How a clip becomes a vector (prepared: musicnn's network is inside).
    estimator : sklearn Pipeline or keras.Model
        Fitted; maps vectors (n, d) to probabilities of ``labels``.
    labels : list of str
        The genres, sorted.
    trained_on : dict
        What it learnt from (data set name, track count, seed).
    training_tracks : TrainingTracks
        Its training tracks (ids, artists where known, file digests), for ``evaluate``'s overlap.
    temperature : float
        Scales the probabilities of a clip and of each segment (:func:`~course_utils.classifier.temperature.temper`;
        the predicted genre stays); chosen when training (:meth:`~course_utils.classifier.recipes.Recipe.fit_tempered`).
    """

    name: str
    input: EmbeddingInput | FeatureInput
    estimator: object
    labels: list[str]
    trained_on: dict = field(default_factory=dict)
    training_tracks: TrainingTracks = field(default_factory=TrainingTracks, repr=False)
    temperature: float = 1.0

    def probabilities(self, X: np.ndarray) -> np.ndarray:
        """Genre probabilities of vectors ``X`` (n, d): shape (n, n_labels), rows sum to 1."""
        return kind_of(self.estimator).probabilities(self.estimator, np.atleast_2d(X), self.labels)

    def read(self, path: str | os.PathLike) -> np.ndarray:
        """Load a file as mono at the input's rate, shape (n,); :class:`AudioFileError` if unusable or under 1 s."""
        y = load_audio(path, sr=self.input.sr)
        if len(y) < MIN_SECONDS * self.input.sr:
            raise AudioFileError(path, f"lasts {len(y) / self.input.sr:.3f} s; expected at least {MIN_SECONDS:g} s")
        return y

    def predict_signal(self, y: np.ndarray, *, segments: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
        """Probabilities of a mono signal at ``self.input.sr``.

        Returns
        -------
        whole : np.ndarray, shape (n_labels,)
            For the whole clip, as in training: from the clip's vector, or the mean over its
            patches' probabilities for an input that trains on patches; then scaled by
            :attr:`temperature`.
        per_segment : np.ndarray, shape (n_segments, n_labels), or None
            For each ``input.segment_seconds`` segment (a clip shorter than one gives one, looped),
            scaled by :attr:`temperature`.
        """
        whole, per_segment = self.input.vectors(y, segments=segments)
        return (temper(self.probabilities(whole).mean(axis=0), self.temperature),
                None if per_segment is None else temper(self.probabilities(per_segment), self.temperature))

    def predict_files(self, paths: Iterable[str | os.PathLike], *, segments: bool = False,
                      progress: bool = True) -> Predictions:
        """Predict every file; a file that cannot be read becomes a row of ``problems``, the rest go on.

        Parameters
        ----------
        paths : iterable of path-like
            Audio files (see :func:`~course_utils.classifier.files.find_audio_files` for folders).
        segments : bool
            Also predict each segment (the prediction over time).
        progress : bool
            Show a progress bar (on standard error).
        """
        from tqdm.auto import tqdm

        rows, segment_rows, problems = [], [], []
        paths = list(paths)
        for path in tqdm(paths, desc="predicting", unit="file", disable=not progress or len(paths) < 2):
            try:
                y = self.read(path)
                whole, per_segment = self.predict_signal(y, segments=segments)
            except CourseError as err:
                problems.append({"path": str(path), "problem": getattr(err, "problem", str(err))})
                continue
            duration = len(y) / self.input.sr
            rows.append([str(path), duration, self.labels[int(whole.argmax())], *whole])
            step = self.input.segment_seconds
            for k, proba in enumerate(per_segment if segments else []):
                segment_rows.append([str(path), k, k * step, min((k + 1) * step, duration),
                                     self.labels[int(proba.argmax())], *proba])
        files = pd.DataFrame(rows, columns=["path", "duration", "genre", *self.labels])
        table = (pd.DataFrame(segment_rows, columns=["path", "segment", "start", "end", "genre", *self.labels])
                 if segments else None)
        return Predictions(self.labels, files, table, pd.DataFrame(problems, columns=PROBLEM_COLUMNS))

    def evaluate(self, dataset, *, progress: bool = True) -> Evaluation:
        """Predict every track of a labelled data set, score the predictions, and count the evaluated tracks
        and artists that were training tracks and artists (:attr:`Evaluation.overlap`).

        Parameters
        ----------
        dataset : course_utils.data.Dataset
            Its labels must be genres this classifier knows (a subset is fine).

        Raises
        ------
        ConfigError
            If the data set has labels the classifier does not know, or no track could be predicted.
        """
        from course_utils.evaluate import score

        unknown = sorted(set(dataset.labels) - set(self.labels))
        if unknown:
            raise ConfigError(f"{dataset.root} has labels {unknown} that this classifier does not know; "
                              f"it predicts {self.labels}")
        predictions = self.predict_files(dataset.tracks["path"], progress=progress)
        if predictions.files.empty:
            raise ConfigError(f"none of the {len(dataset)} tracks of {dataset.root} could be predicted")
        truth = dict(zip(dataset.tracks["path"].astype(str), dataset.tracks["label"]))
        files = predictions.files.copy()
        files.insert(1, "label", files["path"].map(truth))
        scores = score(files["label"], files["genre"], labels=self.labels)
        return Evaluation(scores, Predictions(self.labels, files, None, predictions.problems), dataset.describe(),
                          overlap_with(self.training_tracks, dataset))

    def describe(self) -> str:
        """A few lines for people: name, input, estimator, temperature, genres, training data."""
        estimator = getattr(self.estimator, "steps", None)
        kind = " -> ".join(type(step).__name__ for _, step in estimator) if estimator else type(self.estimator).__name__
        lines = [f"model     : {self.name} ({kind} on {self.input.describe()})",
                 f"calibrated: temperature {self.temperature:.2f} ("
                 + ("probabilities as the estimator gives them)" if self.temperature == 1.0 else
                    "log-probabilities divided by it; the genre is unchanged)"),
                 f"genres    : {', '.join(self.labels)}"]
        if self.trained_on:
            lines.append("trained on: " + ", ".join(f"{k}={v}" for k, v in self.trained_on.items()))
        return "\n".join(lines)

    def save(self, path: str | os.PathLike) -> Path:
        """Write the classifier to one file (see :func:`~course_utils.classifier.storage.save_classifier`)."""
        return save_classifier(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike, *, trust: str | None = None) -> "GenreClassifier":
        """Read a classifier written by :meth:`save` (see :func:`load_classifier`)."""
        return cls(**load_parts(path, trust=trust))


def load_classifier(path: str | os.PathLike, *, trust: str | None = None) -> GenreClassifier:
    """Read a classifier written by :func:`~course_utils.classifier.storage.save_classifier`; nothing is unpickled.

    Parameters
    ----------
    path : path-like
    trust : str, optional
        The file's SHA-256, to load an estimator that names types outside the allow-list
        (:mod:`~course_utils.classifier.sklearn_format`); only for a file whose origin you trust.

    Returns
    -------
    GenreClassifier
        Predicts exactly as the classifier that was saved.

    Raises
    ------
    SavedModelError
        For every way the file can be wrong (not a model, truncated, tampered, too large, another
        format version, a package or version missing here, inconsistent, untrusted types).
    """
    return GenreClassifier.load(path, trust=trust)


def train_classifier(dataset, *, model: str = DEFAULT_RECIPE, seed: int = 42, n_jobs: int | None = None,
                     cache: bool = True) -> GenreClassifier:
    """Train a recipe of :data:`~course_utils.classifier.recipes.RECIPES` on every track of a data set.

    Parameters
    ----------
    dataset : course_utils.data.Dataset
        Labelled tracks (``load_dataset(folder)``); at least two labels.
    model : str
        A recipe name; the default generalizes best to new artists (see ``benchmarks/bench_generalization.py``).
    seed : int
        Seed of the estimator's own randomness.
    n_jobs : int, optional
        Worker processes (default: every core for handcrafted features, one for embeddings).
    cache : bool
        Read and fill the data home's feature and embedding caches.

    Returns
    -------
    GenreClassifier
        Fitted on all tracks, with its input prepared (musicnn's network exported).

    Raises
    ------
    WeightsError
        If the recipe needs YAMNet and ``$YAMNET_HANDLE`` is not set.
    """
    from course_utils.data import artist_groups
    from course_utils.embeddings import WeightsError
    from course_utils.embeddings.yamnet import HANDLE_ENV

    recipe = get_recipe(model)
    if recipe.needs_yamnet and not os.environ.get(HANDLE_ENV):
        raise WeightsError(f"model {model!r} needs YAMNet's weights, which do not ship with any package; "
                           f"set ${HANDLE_ENV} to a local YAMNet (a .tflite file or a SavedModel folder), "
                           f"or choose a musicnn or features model")
    labels = sorted(dataset.labels)
    if len(labels) < 2:
        raise ConfigError(f"{dataset.root} has one label ({labels}); a classifier needs at least two")
    prepared = recipe.input.prepare()
    X, tracks = prepared.training_rows(dataset, n_jobs=n_jobs, cache=cache)
    y = dataset.tracks["label"].to_numpy()[tracks]
    estimator, temperature = recipe.fit_tempered(X, y, groups=artist_groups(dataset.tracks)[tracks], tracks=tracks,
                                                 seed=seed)
    trained_on = {"data": dataset.name, "tracks": len(dataset), "seed": seed}
    return GenreClassifier(recipe.name, prepared, estimator, labels, trained_on, TrainingTracks.of(dataset),
                           temperature)
