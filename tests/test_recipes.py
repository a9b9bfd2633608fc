"""The recipes of genre-classify train: regularization chosen by artist-grouped CV, pooling that short clips survive,
training on 3-s patches with a clip scored by the mean of its patches' probabilities."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.classifier import DEFAULT_RECIPE, RECIPES, EmbeddingInput, GenreClassifier
from course_utils.classifier.recipes import (SEARCH_FOLDS, Recipe, choose_regularization, grouped_search,
                                             track_predictions)
from course_utils.classifier.temperature import log_loss, temper
from course_utils.embeddings import pool
from course_utils.errors import ConfigError


class Recorder:
    """A stand-in estimator that remembers the rows it was fitted on and asked about (column 0 is the row)."""

    seen: list = []

    def __init__(self, C):
        self.C = C

    classes_ = np.array(["blues", "jazz"], dtype=object)

    def fit(self, X, y):
        self.train = set(X[:, 0].astype(int))
        return self

    def predict_proba(self, X):
        Recorder.seen.append((self.train, set(X[:, 0].astype(int))))
        return np.tile([1.0, 0.0] if self.C == 0.1 else [0.0, 1.0], (len(X), 1))


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


def test_a_track_of_several_rows_stays_on_one_side_of_every_fold():
    # 10 tracks of 4 patches each, no artists known: the folds keep a track's patches together,
    # and the search scores tracks (blues for the C that says blues, on the 5 blues tracks).
    y = np.repeat(["blues", "jazz"], 20)
    tracks = np.repeat(np.arange(10), 4)
    X = np.column_stack([np.arange(len(y)), np.zeros(len(y))])
    recipe = RecordingRecipe("recording", EmbeddingInput(), "logreg", "test", regularization=(0.1, 1.0))
    Recorder.seen = []
    choose_regularization(recipe, X, y, tracks=tracks)
    for train, test in Recorder.seen:
        assert not set(tracks[sorted(train)]) & set(tracks[sorted(test)])


def test_a_track_is_the_mean_of_its_rows_probabilities_not_their_vote():
    class Fixed:
        classes_ = np.array(["blues", "jazz"])

        def predict_proba(self, X):
            return X

    rows = np.array([[0.55, 0.45], [0.55, 0.45], [0.0, 1.0], [0.9, 0.1]])
    keys, genres = track_predictions(Fixed(), rows, np.array([7, 7, 7, 3]))
    assert list(keys) == [3, 7] and list(genres) == ["blues", "jazz"]   # two of track 7's three patches vote blues
    _, each = track_predictions(Fixed(), rows)
    assert list(each) == ["blues", "blues", "jazz", "blues"]


def test_the_default_trains_on_patches_and_averages_them_in_predict(monkeypatch):
    recipe = RECIPES[DEFAULT_RECIPE]
    assert recipe.input.patches
    rng = np.random.default_rng(5)
    X = rng.normal(size=(60, 6))
    y = np.repeat(["blues", "jazz", "rock"], 20)
    X[y == "jazz"] += 1.5
    estimator = recipe.fit(X, y, groups=np.arange(60) % 12, tracks=np.arange(60) // 2)
    patches = rng.normal(size=(5, 6))
    monkeypatch.setattr(EmbeddingInput, "vectors", lambda self, signal, segments=False: (patches, None))
    classifier = GenreClassifier(recipe.name, recipe.input, estimator, ["blues", "jazz", "rock"])
    whole, _ = classifier.predict_signal(np.zeros(16000))
    np.testing.assert_allclose(whole, estimator.predict_proba(patches).mean(axis=0))
    assert not np.allclose(whole, estimator.predict_proba(patches.mean(axis=0, keepdims=True))[0])


def test_lda_shrinkage_is_stronger_when_larger_and_a_tie_goes_to_it():
    recipe = RECIPES["musicnn_lda"]
    assert recipe.strongest_first()[0] == max(recipe.regularization) == 1.0
    X = np.random.default_rng(1).normal(size=(40, 3))
    y = np.repeat(["blues", "jazz"], 20)
    X[y == "jazz"] += 6.0   # far apart: every shrinkage is right everywhere
    assert choose_regularization(recipe, X, y, groups=np.arange(40) % 8) == 1.0
    fitted = recipe.fit(X, y, groups=np.arange(40) % 8)
    assert fitted.named_steps["model"].shrinkage == 1.0


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


def test_temperature_keeps_the_genre_and_one_leaves_probabilities_alone():
    proba = np.random.default_rng(2).dirichlet(np.ones(4), size=50)
    proba[0] = [1.0, 0.0, 0.0, 0.0]   # a genre given 0 stays finite
    for temperature in (0.3, 2.0, 7.0):
        tempered = temper(proba, temperature)
        assert np.all(np.isfinite(tempered))
        np.testing.assert_array_equal(tempered.argmax(axis=1), proba.argmax(axis=1))
        np.testing.assert_allclose(tempered.sum(axis=1), 1.0)
    assert temper(proba, 2.0).max(axis=1).mean() < proba.max(axis=1).mean() < temper(proba, 0.5).max(axis=1).mean()
    np.testing.assert_array_equal(temper(proba, 1.0), proba)


def test_an_overconfident_default_is_tempered_towards_its_accuracy():
    """Artists shift their genre's clips, so out-of-fold (new-artist) predictions are overconfident."""
    rng = np.random.default_rng(0)
    tracks = np.repeat(np.arange(48), 4)
    genre = tracks % 3
    artist = tracks // 3 % 8
    X = (rng.normal(size=(3, 5))[genre] * 3 + rng.normal(size=(len(tracks), 5)) * 0.2
         + rng.normal(size=(8, 3, 5))[artist, genre] * 4)
    y = np.array(["blues", "jazz", "rock"])[genre]
    search = grouped_search(RECIPES[DEFAULT_RECIPE], X, y, groups=artist, tracks=tracks)
    accuracy = np.mean(search.probabilities.argmax(axis=1) == search.truth)
    before = search.probabilities.max(axis=1).mean()
    tempered = temper(search.probabilities, search.temperature)
    assert len(search.truth) == 48 and before > accuracy + 0.1
    assert search.temperature > 1
    assert abs(tempered.max(axis=1).mean() - accuracy) < abs(before - accuracy)
    np.testing.assert_array_equal(tempered.argmax(axis=1), search.probabilities.argmax(axis=1))
    assert log_loss(tempered, search.truth) < log_loss(search.probabilities, search.truth)
    estimator, temperature = RECIPES[DEFAULT_RECIPE].fit_tempered(X, y, groups=artist, tracks=tracks)
    assert temperature == search.temperature
    assert estimator.named_steps["model"].shrinkage == search.strength


def test_a_classifier_tempers_the_clip_mean_and_each_segment(monkeypatch):
    recipe = RECIPES[DEFAULT_RECIPE]
    rng = np.random.default_rng(5)
    X = rng.normal(size=(60, 6))
    y = np.repeat(["blues", "jazz", "rock"], 20)
    estimator = recipe.fit(X, y, groups=np.arange(60) % 12, tracks=np.arange(60) // 2)
    patches = rng.normal(size=(5, 6))
    monkeypatch.setattr(EmbeddingInput, "vectors", lambda self, signal, segments=False: (patches, patches))
    classifier = GenreClassifier(recipe.name, recipe.input, estimator, ["blues", "jazz", "rock"], temperature=3.0)
    whole, each = classifier.predict_signal(np.zeros(16000))
    raw = estimator.predict_proba(patches)
    np.testing.assert_allclose(whole, temper(raw.mean(axis=0), 3.0))
    np.testing.assert_allclose(each, temper(raw, 3.0))
    assert whole.argmax() == raw.mean(axis=0).argmax() and whole.max() < raw.mean(axis=0).max()


def test_a_genre_a_fold_never_trained_on_does_not_heat_the_temperature():
    """One artist plays all of rock: the fold that tests that artist cannot know rock (probability 0)."""
    rng = np.random.default_rng(3)
    tracks = np.repeat(np.arange(36), 2)
    genre = tracks % 3
    artist = np.where(genre == 2, 99, tracks // 3 % 6)
    X = rng.normal(size=(3, 4))[genre] * 3 + rng.normal(size=(len(tracks), 4))
    y = np.array(["blues", "jazz", "rock"])[genre]
    search = grouped_search(RECIPES[DEFAULT_RECIPE], X, y, groups=artist, tracks=tracks)
    assert len(search.truth) == 24 and "rock" not in search.classes[search.truth]
    assert search.temperature < 5
