"""From segment predictions to one prediction per track.

A model trained on 3-s segments predicts each segment; the headline numbers are per track, so the
segment scores of a track are combined: by their mean (``"mean"``) or by a majority vote of the
segments' predicted labels (``"vote"``).
Used in: book/06_evaluation_and_splits.ipynb, book/07_classical_ml.ipynb, chapters 08-11.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from course_utils.errors import ConfigError

METHODS = ("mean", "vote")


def aggregate_tracks(track_ids: Sequence[str], scores: np.ndarray, *, classes: Sequence[str],
                     method: str = "mean", y_true: Sequence[str] | None = None) -> pd.DataFrame:
    """Combine the class scores of each track's segments into one prediction per track.

    Parameters
    ----------
    track_ids : sequence of str, shape (n_segments,)
        The track of each segment.
    scores : np.ndarray, shape (n_segments, n_classes)
        One row per segment: class probabilities, or any score where higher means more likely
        (e.g. an SVM's decision function).
    classes : sequence of str, shape (n_classes,)
        The class of each column of ``scores`` (a fitted model's ``classes_``).
    method : {"mean", "vote"}
        ``"mean"``: the class with the highest mean score. ``"vote"``: the class most segments
        predict; a tie goes to the tied class with the highest mean score.
    y_true : sequence of str, shape (n_segments,), optional
        The true label of each segment; it must be the same for all segments of a track.

    Returns
    -------
    pd.DataFrame
        One row per track, sorted by track id: ``track_id``, ``label`` (when ``y_true`` is given),
        ``predicted``, ``n_segments``, then one column per class holding the mean score
        (``"mean"``) or the share of votes (``"vote"``).
    """
    if method not in METHODS:
        raise ConfigError(f"method must be one of {METHODS}, got {method!r}")
    scores = np.asarray(scores, dtype=float)
    classes = list(classes)
    track_ids = pd.Series(np.asarray(track_ids, dtype=object), name="track_id")
    if scores.ndim != 2 or scores.shape != (len(track_ids), len(classes)):
        raise ConfigError(f"scores must have shape (n_segments, n_classes) = ({len(track_ids)}, {len(classes)}), "
                          f"got {scores.shape}")
    if len(track_ids) == 0:
        raise ConfigError("no segments to aggregate")
    means = pd.DataFrame(scores, columns=classes).groupby(track_ids.to_numpy()).mean()
    counts = track_ids.value_counts().reindex(means.index)
    if method == "mean":
        table, winner = means, means.to_numpy().argmax(axis=1)
    else:
        votes = pd.get_dummies(pd.Categorical(scores.argmax(axis=1), categories=range(len(classes))))
        votes.columns = classes
        table = votes.groupby(track_ids.to_numpy()).mean().reindex(means.index)
        top = table.to_numpy() == table.to_numpy().max(axis=1, keepdims=True)
        winner = np.where(top, means.to_numpy(), -np.inf).argmax(axis=1)
    out = pd.DataFrame({"track_id": means.index, "predicted": np.asarray(classes, dtype=object)[winner],
                        "n_segments": counts.to_numpy()})
    if y_true is not None:
        truth = pd.Series(np.asarray(y_true, dtype=object)).groupby(track_ids.to_numpy())
        mixed = truth.nunique()
        if (mixed > 1).any():
            raise ConfigError(f"tracks {mixed.index[mixed > 1].tolist()[:5]} have segments with different labels")
        out.insert(1, "label", truth.first().reindex(means.index).to_numpy())
    return pd.concat([out, table.reset_index(drop=True)], axis=1)
