"""How to pad a clip shorter than a model's window: loop it, or append silence? Measured on real audio.

Excerpts of 1.5, 2.0 and 2.6 s are cut from three places of each of the 100 real clips in
``../shared/data/gtzan-mini``, padded to 3 s both ways, and classified by models trained on the
whole clips of the other tracks (5 folds by track):
- musicnn (MSD) embedding + logistic regression, trained on the mean embedding of whole clips;
- MFCC statistics (mean and standard deviation of 20 MFCCs) + logistic regression, trained on the
  3-s segments of whole clips (the input of every segment model of the course).
Prints the accuracy of each padding, which ``course_utils.audio.SHORT_CLIP_PADDING`` follows.

Run: .venv/bin/python benchmarks/bench_short_clips.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import librosa
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from course_utils import audio, embeddings
from course_utils.data import load_dataset, track_folds
from course_utils.embeddings import musicnn

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT.parent / "shared" / "data" / "gtzan-mini"
LENGTHS = (1.5, 2.0, 2.6)
STARTS = (5.0, 13.0, 21.0)
SR = 22050
WINDOW = 3.0


def classifier():
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))


def mfcc_stats(y: np.ndarray) -> np.ndarray:
    m = librosa.feature.mfcc(y=y, sr=SR, n_mfcc=20)
    return np.concatenate([m.mean(axis=1), m.std(axis=1)])


def musicnn_vector(y16: np.ndarray) -> np.ndarray:
    return musicnn.musicnn_embeddings(y16, musicnn.SR).embeddings.mean(axis=0)


def excerpts(y: np.ndarray, sr: int, seconds: float) -> list[np.ndarray]:
    return [y[int(s * sr): int(s * sr) + int(round(seconds * sr))] for s in STARTS]


def main() -> int:
    if not MINI.is_dir():
        print(f"skipped: {MINI} is not available")
        return 0
    started = time.perf_counter()
    dataset = load_dataset(MINI)
    tracks = dataset.tracks.reset_index(drop=True)
    labels = tracks["label"].to_numpy()
    folds = track_folds(tracks, n_splits=5, seed=42)
    _, X_musicnn = embeddings.embed_dataset(dataset, model="MSD_musicnn")

    clips22 = [dataset.load(t, sr=SR) for t in tracks["track_id"]]
    clips16 = [dataset.load(t, sr=musicnn.SR) for t in tracks["track_id"]]
    segment_X = [np.stack([mfcc_stats(s) for s in audio.segment(y, sr=SR, seconds=WINDOW)]) for y in clips22]

    n_musicnn = int(round(WINDOW * musicnn.SR))
    n_mfcc = int(round(WINDOW * SR))
    print(f"{len(tracks)} real clips, {len(STARTS)} excerpts each, 5 folds by track; accuracy per excerpt")
    print(f"{'excerpt':>8} {'model':>16} {'loop':>6} {'silence':>8}")
    for seconds in LENGTHS:
        for name in ("musicnn", "MFCC statistics"):
            correct = {mode: 0 for mode in audio.PADDINGS}
            total = 0
            for train, test in folds:
                if name == "musicnn":
                    model = classifier().fit(X_musicnn[train], labels[train])
                else:
                    counts = [len(segment_X[i]) for i in train]
                    model = classifier().fit(np.concatenate([segment_X[i] for i in train]),
                                             np.repeat(labels[train], counts))
                for i in test:
                    pieces = (excerpts(clips16[i], musicnn.SR, seconds) if name == "musicnn"
                              else excerpts(clips22[i], SR, seconds))
                    total += len(pieces)
                    for mode in audio.PADDINGS:
                        if name == "musicnn":
                            X = np.stack([musicnn_vector(audio.pad_to_length(p, size=n_musicnn, mode=mode))
                                          for p in pieces])
                        else:
                            X = np.stack([mfcc_stats(audio.pad_to_length(p, size=n_mfcc, mode=mode))
                                          for p in pieces])
                        correct[mode] += int(np.sum(model.predict(X) == labels[i]))
            print(f"{seconds:>7.1f}s {name:>16} {correct['loop'] / total:>6.3f} {correct['silence'] / total:>8.3f}")
    print(f"course default: {audio.SHORT_CLIP_PADDING!r}; {time.perf_counter() - started:.0f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
