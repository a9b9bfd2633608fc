"""A 2-D map of feature vectors (t-SNE) on a sample of bounded size, so its cost stays flat as the data grows.

Used in: book/05_pretrained_embeddings.ipynb.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from course_utils.errors import ConfigError

MAP_POINTS = 500  # t-SNE's exact method costs the square of the points; GTZAN's 1000 tracks are halved


def tsne_map(X, labels, *, max_points: int = MAP_POINTS, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """t-SNE of the standardised rows of ``X``, on at most ``max_points`` rows drawn alike from every label.

    Parameters
    ----------
    X : array-like, shape (n, d)
    labels : array-like, shape (n,)
    max_points : int
        Rows above this number are sampled (seeded; the same share of every label).

    Returns
    -------
    points : np.ndarray, shape (m, 2)
    labels : np.ndarray, shape (m,)
        The labels of the mapped rows, in their original order (m = min(n, max_points) roughly).
    """
    from sklearn.manifold import TSNE
    from sklearn.preprocessing import StandardScaler

    X, labels = np.asarray(X, dtype=float), np.asarray(labels)
    if X.ndim != 2 or len(X) != len(labels) or len(X) < 4:
        raise ConfigError(f"expected X of shape (n >= 4, d) and one label per row, got {X.shape} and "
                          f"{labels.shape} labels")
    keep = np.arange(len(X))
    if len(X) > max_points:
        share = max_points / len(X)
        by_label = pd.Series(keep).groupby(labels)
        keep = np.sort(np.concatenate([rows.sample(n=max(1, int(len(rows) * share)), random_state=seed).to_numpy()
                                       for _, rows in by_label]))
    n = len(keep)
    tsne = TSNE(perplexity=min(30.0, (n - 1) / 3), init="pca", method="exact", random_state=seed)
    return tsne.fit_transform(StandardScaler().fit_transform(X[keep])), labels[keep]
