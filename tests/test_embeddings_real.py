"""On real GTZAN clips (../shared/data/gtzan-mini): pretrained embeddings against MFCC means.

The same linear classifier (scaler and logistic regression in one pipeline), 5-fold
cross-validated by track, must do clearly better on musicnn and on YAMNet embeddings than on MFCC
means. The YAMNet test needs the offline TFLite copy: without it, it is skipped with the reason (and
fails when ``$COURSE_REQUIRE_YAMNET=1``). Each clip contributes a 3-s excerpt (one musicnn patch) to keep the test short; on these
excerpts the accuracies were about 0.65 (MFCC means), 0.82 (musicnn) and 0.83 (YAMNet TFLite).
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from conftest import ROOT
from course_utils.audio import DEFAULT_SR, load_audio
from course_utils.data import load_dataset, track_folds
from course_utils.embeddings import musicnn_embeddings, track_embedding, yamnet_class_names, yamnet_embeddings
from course_utils.features import mfcc

EXCERPT = dict(offset=12.0, duration=3.0)
TFLITE = ROOT.parent / "shared" / "models" / "yamnet" / "yamnet.tflite"


REQUIRE_ENV = "COURSE_REQUIRE_YAMNET"


def excerpts(shared_data):
    tracks = load_dataset(shared_data / "gtzan-mini").tracks.reset_index(drop=True)
    return tracks, [load_audio(path, sr=16000, **EXCERPT) for path in tracks["path"]]


def accuracy(tracks, X) -> float:
    classifier = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    return cross_val_score(classifier, np.array(X), tracks["label"], cv=track_folds(tracks, n_splits=5, seed=42)).mean()


def mfcc_means(tracks) -> list[np.ndarray]:
    return [mfcc(load_audio(path, sr=DEFAULT_SR, **EXCERPT), sr=DEFAULT_SR).mean(axis=1) for path in tracks["path"]]


@pytest.mark.real_data
def test_musicnn_beats_mfcc_means(shared_data):
    tracks, clips = excerpts(shared_data)
    baseline = accuracy(tracks, mfcc_means(tracks))
    musicnn = accuracy(tracks, [track_embedding(musicnn_embeddings(y, 16000)) for y in clips])
    assert musicnn > baseline + 0.05, (musicnn, baseline)


@pytest.mark.real_data
def test_yamnet_beats_mfcc_means_and_hears_music(shared_data):
    """Skipped, with the reason, without the offline YAMNet; failed instead when $COURSE_REQUIRE_YAMNET=1."""
    if not TFLITE.is_file():
        reason = f"the offline YAMNet ({TFLITE}) is not available"
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{reason}, and ${REQUIRE_ENV}=1 requires it")
        pytest.skip(reason)
    tracks, clips = excerpts(shared_data)
    frames = [yamnet_embeddings(y, 16000, handle=TFLITE) for y in clips]
    baseline = accuracy(tracks, mfcc_means(tracks))
    yamnet = accuracy(tracks, [track_embedding(f) for f in frames])
    assert yamnet > baseline + 0.05, (yamnet, baseline)
    names = yamnet_class_names(TFLITE)
    assert np.mean([names[int(f.scores.mean(axis=0).argmax())] == "Music" for f in frames]) > 0.9
