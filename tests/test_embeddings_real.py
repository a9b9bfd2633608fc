"""On real GTZAN clips (../shared/data/gtzan-mini): pretrained embeddings against MFCC means.

The same linear classifier (scaler and logistic regression in one pipeline), 5-fold
cross-validated by track, must do clearly better on musicnn (and YAMNet) embeddings than on MFCC
means. Each clip contributes a 3-s excerpt (one musicnn patch) to keep the test short; on these
excerpts the accuracies were about 0.65 (MFCC means), 0.82 (musicnn) and 0.83 (YAMNet TFLite).
"""

from __future__ import annotations

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


@pytest.mark.real_data
def test_musicnn_and_yamnet_beat_mfcc_means(shared_data):
    tracks = load_dataset(shared_data / "gtzan-mini").tracks.reset_index(drop=True)
    features = {"mfcc means": [], "musicnn": [], "yamnet": []}
    top_classes = []
    for path in tracks["path"]:
        y = load_audio(path, sr=16000, **EXCERPT)
        features["mfcc means"].append(mfcc(load_audio(path, sr=DEFAULT_SR, **EXCERPT), sr=DEFAULT_SR).mean(axis=1))
        features["musicnn"].append(track_embedding(musicnn_embeddings(y, 16000)))
        if TFLITE.is_file():
            frames = yamnet_embeddings(y, 16000, handle=TFLITE)
            features["yamnet"].append(track_embedding(frames))
            top_classes.append(int(frames.scores.mean(axis=0).argmax()))
    folds = track_folds(tracks, n_splits=5, seed=42)
    classifier = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    accuracy = {name: cross_val_score(classifier, np.array(X), tracks["label"], cv=folds).mean()
                for name, X in features.items() if X}
    assert accuracy["musicnn"] > accuracy["mfcc means"] + 0.05, accuracy
    if TFLITE.is_file():
        assert accuracy["yamnet"] > accuracy["mfcc means"] + 0.05, accuracy
        names = yamnet_class_names(TFLITE)
        assert np.mean([names[i] == "Music" for i in top_classes]) > 0.9
