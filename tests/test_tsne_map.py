"""embeddings.tsne_map: the map keeps every row of a small set and a bounded, even sample of a large one."""

import numpy as np
import pytest

from course_utils.embeddings import tsne_map
from course_utils.errors import ConfigError


def clusters(per_label: int, labels=("a", "b", "c")):
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(10.0 * k, 1.0, size=(per_label, 5)) for k in range(len(labels))])
    return X, np.repeat(labels, per_label)


def test_a_small_set_is_mapped_whole_and_its_clusters_stay_apart():
    X, labels = clusters(20)
    points, mapped = tsne_map(X, labels, seed=0)
    assert points.shape == (60, 2) and np.array_equal(mapped, labels)
    centres = np.stack([points[mapped == label].mean(axis=0) for label in "abc"])
    spread = max(points[mapped == label].std(axis=0).max() for label in "abc")
    gaps = [np.linalg.norm(centres[i] - centres[j]) for i in range(3) for j in range(i + 1, 3)]
    assert min(gaps) > 2 * spread


def test_a_large_set_is_sampled_alike_from_every_label_with_its_seed():
    X, labels = clusters(100)
    points, mapped = tsne_map(X, labels, max_points=60, seed=3)
    assert len(points) == len(mapped) == 60
    assert {label: int((mapped == label).sum()) for label in "abc"} == {"a": 20, "b": 20, "c": 20}
    again, _ = tsne_map(X, labels, max_points=60, seed=3)
    assert np.allclose(points, again)
    with pytest.raises(ConfigError, match="one label per row"):
        tsne_map(X, labels[:-1])
