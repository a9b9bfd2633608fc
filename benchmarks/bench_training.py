"""Speed and track-level accuracy of every neural builder (course_utils.models) on 100 real GTZAN clips.

On ../shared/data/gtzan-mini (10 clips per genre), 5-fold cross-validation grouped by artist (Sturm's
index, ../shared/data/meta/GTZANindex.txt): no artist is on both sides of a fold, except in the genres
that gtzan-mini holds one artist of (blues, classical, reggae, rock), which are grouped by track, as the
printed label says. In each fold about 80 tracks train (one track per genre of them held out for early
stopping) and about 20 are tested.
For each builder and input it prints the median seconds per epoch, the inference time per track
(a second prediction of the test tracks, once the graph is traced), and the track-level accuracy (mean and range over the folds), next to two logistic
regressions on the same folds for scale: on the MFCC means of each track, and on the mean
musicnn embedding.

Run: ``python benchmarks/bench_training.py [name ...]`` (names as printed, e.g. ``"cnn2d log-mel"``).
Caches go to $COURSE_DATA_HOME (features and embeddings are computed once).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from course_utils import embeddings, models, train
from course_utils.config import get_profile
from course_utils.data import TrackSplit, artist_folds, load_dataset
from course_utils.features import segment_spectrograms

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
GTZAN_MINI = SHARED_DATA / "gtzan-mini"
FOLDS, SEED = 5, 42
# name: (builder, input, builder options); inputs are 3-s segments unless the name says otherwise
CONFIGS = {
    "cnn2d log-mel": ("cnn2d", "log_mel", {}),
    "cnn2d log-mel 1.5 s/50%": ("cnn2d", "log_mel 1.5", {}),
    "cnn2d mfcc": ("cnn2d", "mfcc", {"downsample": (1, 2)}),
    "cnn1d musicnn": ("cnn1d", "musicnn", {}),
    "lstm musicnn": ("lstm", "musicnn", {}),
    "bilstm musicnn": ("bilstm", "musicnn", {}),
    "lstm mfcc": ("lstm", "mfcc", {"time_axis": 1, "pool": 4}),
    "bilstm mfcc": ("bilstm", "mfcc", {"time_axis": 1, "pool": 4}),
    "lstm log-mel": ("lstm", "log_mel", {"time_axis": 1, "pool": 4}),
}


def inputs(dataset, kind: str):
    """(X, table) of one input kind: segments (3 s, or 1.5 s every 0.75 s), or musicnn windows of
    15 s every 3 s (the chapters' choices)."""
    if kind == "musicnn":
        frames = embeddings.dataset_frames(dataset, model="MSD_musicnn")
        return train.frame_windows(frames, dataset, window_seconds=15.0, hop_seconds=3.0)
    if kind == "log_mel 1.5":
        return segment_spectrograms(dataset, kind="log_mel", segment_seconds=1.5, hop_seconds=0.75)
    return segment_spectrograms(dataset, kind=kind)


def load_mini():
    """gtzan-mini with its artists (Sturm's index from ../shared/data/meta unless $GTZAN_INDEX is set)."""
    os.environ.setdefault("GTZAN_INDEX", str(SHARED_DATA / "meta" / "GTZANindex.txt"))
    return load_dataset(GTZAN_MINI)


def fold_splits(tracks: pd.DataFrame) -> tuple[list[TrackSplit], str]:
    """5 folds grouped by artist where possible, and their label; in each, one training track per genre
    becomes the validation track."""
    rng = np.random.default_rng(SEED)
    splits = []
    folds = artist_folds(tracks, n_splits=FOLDS, seed=SEED)
    for k, (fit_rows, test_rows) in enumerate(folds):
        part = pd.Series("train", index=tracks["track_id"].to_numpy())
        part.iloc[test_rows] = "test"
        training = tracks.iloc[fit_rows]
        valid = training.groupby("label")["track_id"].agg(lambda ids: rng.choice(sorted(ids)))
        part[valid.to_numpy()] = "valid"
        splits.append(TrackSplit("cv", part.sort_index(), f"fold {k + 1} of {FOLDS}", grouping=folds.grouping))
    return splits, f"CV: {folds.describe()}"


def logistic_reference(X: np.ndarray, labels: np.ndarray, splits: list[TrackSplit], tracks: pd.DataFrame) -> float:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    accuracies = []
    for split in splits:
        test = tracks["track_id"].map(split.part).eq("test").to_numpy()
        classifier = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
        classifier.fit(X[~test], labels[~test])
        accuracies.append(np.mean(classifier.predict(X[test]) == labels[test]))
    return float(np.mean(accuracies))


def main(names: list[str]) -> None:
    if not GTZAN_MINI.is_dir():
        print(f"skipped: {GTZAN_MINI} is not here")
        return
    profile = get_profile("full")
    dataset = load_mini()
    tracks = dataset.tracks.reset_index(drop=True)
    splits, grouping = fold_splits(tracks)
    print(f"{dataset.describe()}\n{dataset.artist_note}\n{grouping}; up to {profile.epochs} epochs, batch {profile.batch_size}, "
          f"patience 5; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (other work slows every figure)")
    labels = tracks["label"].to_numpy()
    mfcc_means = segment_spectrograms(dataset, kind="mfcc", segment_seconds=3.0)
    per_track = pd.DataFrame(mfcc_means[0].mean(axis=2)).groupby(mfcc_means[1]["track_id"].to_numpy()).mean()
    musicnn_means = np.stack([f.embeddings.mean(axis=0) for f in embeddings.dataset_frames(dataset, model="MSD_musicnn")])
    print(f"logistic regression, MFCC means of 3-s segments: accuracy {logistic_reference(per_track.loc[tracks['track_id']].to_numpy(), labels, splits, tracks):.3f}")
    print(f"logistic regression, mean musicnn embedding:      accuracy {logistic_reference(musicnn_means, labels, splits, tracks):.3f}")
    cache = {}
    for name, (builder, kind, options) in CONFIGS.items():
        if names and name not in names:
            continue
        if kind not in cache:
            cache[kind] = inputs(dataset, kind)
        X, table = cache[kind]
        rows = []
        for split in splits:
            parts = train.split_parts(X, table, split, classes=dataset.labels)
            model = getattr(models, builder)(X.shape[1:], len(dataset.labels), seed=SEED, **options)
            result = train.fit(model, parts["train"], parts["valid"], epochs=profile.epochs,
                               batch_size=profile.batch_size, seed=SEED, verbose=False)
            test = parts["test"]
            train.predict_tracks(model, test.X, test.table, classes=dataset.labels)  # traces the graph
            predictions = train.predict_tracks(model, test.X, test.table, classes=dataset.labels)
            rows.append({"accuracy": predictions.scores.accuracy, "s/epoch": result.seconds_per_epoch,
                         "epochs": len(result.history), "s/track": predictions.seconds_per_track,
                         "params": model.count_params()})
        runs = pd.DataFrame(rows)
        print(f"{name:24s} {runs['params'].iloc[0]:>7,} weights | {runs['s/epoch'].median():5.2f} s/epoch "
              f"({len(parts['train'])} training rows), {runs['epochs'].mean():4.1f} epochs | "
              f"{runs['s/track'].median() * 1000:5.1f} ms/track to predict | track accuracy "
              f"{runs['accuracy'].mean():.3f} (folds {runs['accuracy'].min():.2f}-{runs['accuracy'].max():.2f})",
              flush=True)


if __name__ == "__main__":
    start = time.perf_counter()
    main(sys.argv[1:])
    print(f"total {time.perf_counter() - start:.0f} s")
