"""From a trained model's segment predictions to one prediction per track, scored.

Used in: book/08_cnn.ipynb, book/09_recurrent.ipynb and the chapters after them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from course_utils.errors import ConfigError
from course_utils.evaluate import Scores, aggregate_tracks, score
from course_utils.train.inputs import n_rows
from course_utils.train.stream import on_disk


@dataclass(frozen=True)
class Predictions:
    """A model's predictions for segments and for the tracks they come from.

    Attributes
    ----------
    tracks : pd.DataFrame
        One row per track (:func:`course_utils.evaluate.aggregate_tracks`): ``track_id``,
        ``label`` (when known), ``predicted``, ``n_segments``, one column per class.
    segments : pd.DataFrame
        The input table with a ``predicted`` column, one row per segment.
    probabilities : np.ndarray, shape (n_segments, n_classes)
    classes : list of str
    seconds : float
        Wall time of the model's predictions for all segments.
    scores, segment_scores : Scores or None
        Per track (the headline numbers) and per segment; None when the table has no labels.
    """

    tracks: pd.DataFrame
    segments: pd.DataFrame
    probabilities: np.ndarray
    classes: list[str]
    seconds: float
    scores: Scores | None
    segment_scores: Scores | None

    @property
    def seconds_per_track(self) -> float:
        """Prediction time divided by the number of tracks."""
        return self.seconds / len(self.tracks)


def predict_tracks(model, inputs, table: pd.DataFrame, *, classes: Sequence[str], method: str = "mean",
                   batch_size: int = 256) -> Predictions:
    """Predict every segment (or window), then each track from its segments.

    Parameters
    ----------
    model : keras.Model
        Outputs (n, n_classes) class probabilities.
    inputs : np.ndarray or dict of np.ndarray
        One row per row of ``table`` (e.g. ``parts["test"].X``).
    table : pd.DataFrame
        ``track_id`` of each row (and ``label`` to be scored).
    classes : sequence of str
        The class of each model output, in order (``dataset.labels``).
    method : {"mean", "vote"}
        Mean of the segments' probabilities, or majority vote of their predicted classes.
    batch_size : int
        Segments per forward pass.

    Returns
    -------
    Predictions
    """
    classes = list(classes)
    if "track_id" not in table.columns or n_rows(inputs) != len(table):
        raise ConfigError(f"table must have a 'track_id' column and one row per input row ({n_rows(inputs)}), "
                          f"got {len(table)} rows with columns {list(table.columns)}")
    start = time.perf_counter()
    if on_disk(inputs):  # read from disk a batch at a time
        batches = [np.asarray(model.predict_on_batch(batch)) for batch in _batches(inputs, batch_size)]
        probabilities = np.concatenate(batches) if batches else np.empty((0, len(classes)), np.float32)
    else:
        probabilities = np.asarray(model.predict(inputs, batch_size=batch_size, verbose=0))
    seconds = time.perf_counter() - start
    if probabilities.shape != (len(table), len(classes)):
        raise ConfigError(f"the model gives {probabilities.shape[1:]} outputs per row, but {len(classes)} classes "
                          "were named")
    labels = table["label"] if "label" in table.columns else None
    tracks = aggregate_tracks(table["track_id"], probabilities, classes=classes, method=method, y_true=labels)
    segments = table.reset_index(drop=True).assign(
        predicted=np.asarray(classes, dtype=object)[probabilities.argmax(axis=1)])
    scores = segment_scores = None
    if labels is not None:
        scores = score(tracks["label"], tracks["predicted"], labels=classes)
        segment_scores = score(segments["label"], segments["predicted"], labels=classes)
    return Predictions(tracks=tracks, segments=segments, probabilities=probabilities, classes=classes,
                       seconds=seconds, scores=scores, segment_scores=segment_scores)


def _batches(X, batch_size: int):
    """Consecutive rows of ``X`` (a RowFile or a dict of them) in batches, as arrays."""
    for start in range(0, n_rows(X), batch_size):
        rows = slice(start, start + batch_size)
        yield {k: v[rows] for k, v in X.items()} if isinstance(X, Mapping) else X[rows]
