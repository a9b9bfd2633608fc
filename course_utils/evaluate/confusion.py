"""Which genres a model mixes up: confused pairs and a genre similarity built from confusions.

Used in: book/07_classical_ml.ipynb, book/12_comparison.ipynb.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.cluster import hierarchy
from scipy.spatial.distance import squareform

from course_utils.errors import ConfigError


def _rates(confusion: pd.DataFrame) -> pd.DataFrame:
    """Row-normalised confusion: the share of each true genre's items given each label."""
    if confusion.shape[0] != confusion.shape[1] or list(confusion.index) != list(confusion.columns):
        raise ConfigError("expected a square confusion matrix with the same labels on rows and columns")
    values = confusion.to_numpy(dtype=float)
    if (values < 0).any():
        raise ConfigError("a confusion matrix cannot hold negative entries")
    rows = values.sum(axis=1, keepdims=True)
    return pd.DataFrame(np.divide(values, rows, out=np.zeros_like(values), where=rows > 0),
                        index=confusion.index, columns=confusion.columns)


def genre_similarity(confusion: pd.DataFrame) -> pd.DataFrame:
    """How often two genres are mistaken for each other, in either direction.

    ``similarity[a, b] = (rate(a -> b) + rate(b -> a)) / 2``, where ``rate(a -> b)`` is the share of
    genre ``a``'s items predicted as ``b``. Symmetric, between 0 and 1, zero on the diagonal.

    Parameters
    ----------
    confusion : pd.DataFrame, shape (n_labels, n_labels)
        Counts (or row-normalised rates), rows true, columns predicted.
    """
    rates = _rates(confusion).to_numpy()
    similarity = (rates + rates.T) / 2
    np.fill_diagonal(similarity, 0.0)
    return pd.DataFrame(similarity, index=confusion.index, columns=confusion.columns)


def confused_pairs(confusion: pd.DataFrame, *, n: int = 5, least: bool = False) -> pd.DataFrame:
    """The ``n`` most (or least) confused pairs of genres.

    Returns
    -------
    pd.DataFrame
        Columns ``genre_a, genre_b, a_as_b, b_as_a, similarity``: the counts in each direction
        and :func:`genre_similarity`; sorted by similarity (then by total count).
    """
    if n < 1:
        raise ConfigError(f"n must be a positive integer, got {n!r}")
    similarity = genre_similarity(confusion)
    labels = list(confusion.index)
    rows = [{"genre_a": a, "genre_b": b, "a_as_b": confusion.loc[a, b], "b_as_a": confusion.loc[b, a],
             "similarity": similarity.loc[a, b]}
            for i, a in enumerate(labels) for b in labels[i + 1:]]
    pairs = pd.DataFrame(rows, columns=["genre_a", "genre_b", "a_as_b", "b_as_a", "similarity"])
    pairs["total"] = pairs["a_as_b"] + pairs["b_as_a"]
    pairs = pairs.sort_values(["similarity", "total", "genre_a", "genre_b"],
                              ascending=[least, least, True, True], kind="stable")
    return pairs.drop(columns="total").head(n).reset_index(drop=True)


def similarity_linkage(similarity: pd.DataFrame, *, method: str = "average") -> np.ndarray:
    """Hierarchical clustering of genres (SciPy linkage matrix) with distance ``1 - similarity``.

    Genres a model often confuses merge first in the dendrogram.
    """
    distance = 1.0 - similarity.to_numpy(dtype=float)
    np.fill_diagonal(distance, 0.0)
    return hierarchy.linkage(squareform(distance, checks=False), method=method)
