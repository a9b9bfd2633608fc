"""The recipes of genre-classify train: regularization chosen by artist-grouped CV, pooling that short clips survive."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.classifier import RECIPES, EmbeddingInput
from course_utils.classifier.recipes import SEARCH_FOLDS, Recipe, choose_regularization
from course_utils.embeddings import pool
from course_utils.errors import ConfigError


class Recorder:
    """A stand-in estimator that remembers the rows it was fitted on and asked about (column 0 is the row)."""

    seen: list = []

    def __init__(self, C):
        self.C = C

    def fit(self, X, y):
        self.train = set(X[:, 0].astype(int))
        return self

    def predict(self, X):
        Recorder.seen.append((self.train, set(X[:, 0].astype(int))))
        return np.full(len(X), "blues" if self.C == 0.1 else "jazz", dtype=object)


class RecordingRecipe(Recipe):
    def build(self, *, seed=42, labels=None, C=None):
        return Recorder(C)


def test_regularization_is_chosen_with_artists_kept_apart():
    rng = np.random.default_rng(0)
    y = np.repeat(["blues", "jazz"], 20)
    groups = np.array([f"{label}-artist{k % 4}" for k, label in enumerate(y)])
    X = np.column_stack([np.arange(len(y)), rng.normal(size=len(y))])
    recipe = RecordingRecipe("recording", EmbeddingInput(), "logreg", "test", regularization=(0.1, 1.0))
    Recorder.seen = []
    choose_regularization(recipe, X, y, groups=groups)
    assert len(Recorder.seen) == 2 * SEARCH_FOLDS   # every strength on every fold
    for train, test in Recorder.seen:
        assert not train & test
        assert not set(groups[sorted(train)]) & set(groups[sorted(test)])   # no artist on both sides


def test_a_tie_goes_to_the_stronger_regularization():
    X = np.random.default_rng(1).normal(size=(40, 3))
    y = np.repeat(["blues", "jazz"], 20)
    X[y == "jazz"] += 6.0   # far apart: each of these strengths is right everywhere
    recipe = Recipe("tie", EmbeddingInput(), "logreg", "test", regularization=(10.0, 0.3, 1.0))
    assert choose_regularization(recipe, X, y, groups=np.arange(40) % 8) == 0.3


def test_fit_returns_a_plain_pipeline_with_the_chosen_strength():
    X = np.random.default_rng(3).normal(size=(30, 4))
    y = np.repeat(["blues", "jazz", "rock"], 10)
    X[y == "jazz"] += 3.0
    fitted = RECIPES["musicnn_svm"].fit(X, y, groups=np.arange(30) % 6)
    assert type(fitted).__name__ == "Pipeline"
    assert fitted.named_steps["model"].estimator.C in RECIPES["musicnn_svm"].regularization
    assert fitted.predict_proba(X).shape == (30, 3)


def test_grouped_search_needs_two_groups_and_one_group_per_row():
    X, y = np.zeros((6, 2)), np.repeat(["a", "b"], 3)
    with pytest.raises(ConfigError, match="two groups"):
        choose_regularization(RECIPES["musicnn_logreg"], X, y, groups=np.zeros(6))
    with pytest.raises(ConfigError, match="one per row"):
        choose_regularization(RECIPES["musicnn_logreg"], X, y, groups=np.arange(5))


@pytest.mark.parametrize("name", [n for n, r in RECIPES.items() if isinstance(r.input, EmbeddingInput)])
def test_pooling_of_a_one_patch_clip_is_not_degenerate(name):
    # A 2-3 s clip gives musicnn one patch: its pooled vector must be as informative as a long clip's,
    # with no part (like a standard deviation) that is zero for every short clip.
    rng = np.random.default_rng(4)
    pooling = RECIPES[name].input.pooling
    one = pool(rng.normal(size=(1, 8)), pooling=pooling)
    many = pool(rng.normal(size=(10, 8)), pooling=pooling)
    assert one.shape == many.shape
    assert np.all(np.abs(one) > 0)
