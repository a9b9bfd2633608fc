"""Speed of every neural builder (course_utils.models), and its accuracy on real GTZAN audio by new artists.

Protocol (``unseen_artists.py``): trained on the 100 clips of ../shared/data/gtzan-mini (one track per
genre of them held out for early stopping), scored on the files of ../shared/data/gtzan-artists by
artists gtzan-mini lacks: its 30-s clips and its 2-3 s excerpts apart, each with a 95 % interval. No
artist is on both sides. Inputs are the chapters': 3-s segments (an excerpt is looped to fill one),
1.5-s segments every 0.75 s, or musicnn frames in 15-s windows every 3 s (an excerpt holds no such
window: those models are scored on the clips only).

For each builder and input it prints the median seconds per epoch, the inference time per track (a
second prediction of the test tracks, once the graph is traced) and the track accuracy, next to two
logistic regressions for scale (on each track's MFCC means, and on its mean musicnn embedding), which
are also cross-validated by track on gtzan-mini, the leaky protocol of earlier runs, as the lesson
about artists (one artist plays all 10 clips of blues, classical, reggae and rock there).

Run: ``python benchmarks/bench_training.py [--epochs N] [name ...]`` (names as printed, e.g.
``"cnn2d log-mel"``; default: up to the full profile's 30 epochs). A run of every model rewrites the
README's row of this script (``--no-readme`` leaves it). Caches go to $COURSE_DATA_HOME.
"""

from __future__ import annotations

import os
import time

import numpy as np
import pandas as pd

import unseen_artists
from course_utils import embeddings, models, train
from course_utils.config import get_profile
from course_utils.data import track_folds
from course_utils.data.collection import GTZAN_GENRES
from course_utils.features import segment_spectrograms

SEED = unseen_artists.SEED
LABELS = list(GTZAN_GENRES)
WINDOW_SECONDS = 15.0
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


def inputs(tracks: pd.DataFrame, kind: str):
    """(X, table) of one input kind: segments (3 s, or 1.5 s every 0.75 s), or musicnn windows of
    15 s every 3 s of the tracks that hold one."""
    if kind == "musicnn":
        long_enough = tracks[tracks["duration"] >= WINDOW_SECONDS].reset_index(drop=True)
        frames = embeddings.dataset_frames(long_enough, model="MSD_musicnn")
        return train.frame_windows(frames, long_enough, window_seconds=WINDOW_SECONDS, hop_seconds=3.0)
    if kind == "log_mel 1.5":
        return segment_spectrograms(tracks, kind="log_mel", segment_seconds=1.5, hop_seconds=0.75)
    return segment_spectrograms(tracks, kind=kind)


def reference_inputs(tracks: pd.DataFrame) -> dict[str, np.ndarray]:
    """One row per track: the mean MFCCs of its 3-s segments, and its mean musicnn embedding."""
    X, table = segment_spectrograms(tracks, kind="mfcc")
    mfcc = pd.DataFrame(X.mean(axis=2)).groupby(table["track_id"].to_numpy()).mean().loc[tracks["track_id"]]
    musicnn = np.stack([f.embeddings.mean(axis=0) for f in embeddings.dataset_frames(tracks, model="MSD_musicnn")])
    return {"MFCC means": mfcc.to_numpy(), "mean musicnn embedding": musicnn}


def logistic_predictions(X: np.ndarray, labels: np.ndarray, folds) -> np.ndarray:
    """Each row's genre as predicted by a logistic regression fitted on the other side of its fold."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    predicted = np.full(len(labels), None, dtype=object)
    for fit_rows, test_rows in folds:
        classifier = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
        predicted[test_rows] = classifier.fit(X[fit_rows], labels[fit_rows]).predict(X[test_rows])
    return predicted


def references(tracks: pd.DataFrame) -> dict[str, dict]:
    """The two logistic regressions on new artists, and cross-validated by track on gtzan-mini (leaky)."""
    labels = tracks["label"].to_numpy()
    mini = np.flatnonzero(tracks["part"] == "mini")
    mini_tracks = tracks.iloc[mini].reset_index(drop=True)
    results = {}
    for name, X in reference_inputs(tracks).items():
        tested = np.flatnonzero(tracks["part"] != "mini")
        predicted = logistic_predictions(X, labels, [(mini, tested)])
        rows = tracks.iloc[tested].assign(predicted=predicted[tested])
        row = unseen_artists.tallies(rows, tracks)
        leaky = logistic_predictions(X[mini], labels[mini], track_folds(mini_tracks, n_splits=5, seed=SEED))
        row["by track"] = unseen_artists.Tally(int(np.sum(leaky == labels[mini])), len(mini))
        print(f"logistic regression, {name:23s} | unseen clips {row['clips']}, unseen excerpts {row['excerpts']} | "
              f"5-fold CV by track on gtzan-mini {row['by track']} (leaks artists)", flush=True)
        results[name] = row
    return results


def measure(name: str, X, table, split, epochs: int, batch_size: int, tracks: pd.DataFrame) -> dict:
    """Train one builder on the split's training part and score it on its test part."""
    builder, _, options = CONFIGS[name]
    parts = train.split_parts(X, table, split, classes=LABELS)
    model = getattr(models, builder)(X.shape[1:], len(LABELS), seed=SEED, **options)
    result = train.fit(model, parts["train"], parts["valid"], epochs=epochs, batch_size=batch_size, seed=SEED,
                       verbose=False)
    test = parts["test"]
    train.predict_tracks(model, test.X, test.table, classes=LABELS)  # traces the graph
    predictions = train.predict_tracks(model, test.X, test.table, classes=LABELS)
    row = unseen_artists.tallies(predictions.tracks, tracks)
    row.update({"s/epoch": result.seconds_per_epoch, "epochs": len(result.history),
                "s/track": predictions.seconds_per_track, "params": model.count_params()})
    print(f"{name:24s} {row['params']:>7,} weights | {row['s/epoch']:5.2f} s/epoch ({len(parts['train'])} training rows), "
          f"{row['epochs']} epochs | {row['s/track'] * 1000:5.1f} ms/track to predict | unseen clips {row['clips']}, "
          f"unseen excerpts {row['excerpts']}", flush=True)
    return row


def readme_cells(tracks: pd.DataFrame, results: dict, refs: dict, epochs: int) -> list[str]:
    """The README row: what, measured on, figures."""
    figures = "; ".join(f"{name} {unseen_artists.pair(row)} ({row['s/epoch']:.1f} s/epoch)" for name, row in results.items())
    reference = "; ".join(f"{name} {unseen_artists.pair(row)}" for name, row in refs.items())
    leaky = ", ".join(f"{name} {row['by track'].brief()}" for name, row in refs.items())
    return [f"neural networks on real audio by new artists ({unseen_artists.PROTOCOL}): track accuracy on the "
            f"unseen clips / unseen excerpts (s/epoch), up to {epochs} epochs, patience 5",
            unseen_artists.measured_on(tracks),
            f"{figures} (musicnn-frame models: clips only, a 15-s window does not fit an excerpt); references, "
            f"logistic regression: {reference}. The lesson about leakage: the same references cross-validated "
            f"by track on gtzan-mini (5 folds, one artist per genre for 4 genres) score {leaky}"]


def main(argv: list[str] | None = None) -> None:
    args = unseen_artists.arguments(argv, doc=__doc__, choices=list(CONFIGS), what="models")
    if not unseen_artists.available():
        print("skipped: ../shared/data/gtzan-mini or gtzan-artists is not here")
        return
    profile = get_profile("full")
    epochs = args.epochs or profile.epochs
    tracks = unseen_artists.protocol_tracks()
    split = unseen_artists.unseen_split(tracks)
    print(f"{unseen_artists.describe(tracks)}\nup to {epochs} epochs, batch {profile.batch_size}, patience 5; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (other work slows every figure)")
    refs = references(tracks)
    cache, results = {}, {}
    for name, (_, kind, _) in CONFIGS.items():
        if args.chosen and name not in args.chosen:
            continue
        if kind not in cache:
            cache[kind] = inputs(tracks, kind)
        results[name] = measure(name, *cache[kind], split, epochs, profile.batch_size, tracks)
    if not args.chosen and not args.no_readme:
        unseen_artists.replace_row("bench_training.py", readme_cells(tracks, results, refs, epochs))


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"total {time.perf_counter() - start:.0f} s")
