"""The artist effect on the synthetic GTZAN: the same model cross-validated by track and by artist.

For the synthetic set of a profile (``--profile quick`` or ``full``, as the chapters generate it),
prints the track-level accuracy of a logistic regression on per-track means and standard
deviations of 20 MFCCs, with stratified folds by track (``track_folds``) and with folds that keep
every artist on one side (``artist_folds``), each as the mean and range over a few seeds. The
synthetic artists each have their own production, so the folds by track should score higher:
the model recognises artists it has heard.

Run: ``python benchmarks/bench_artist_effect.py [--profile quick|full] [--seeds 5]``
"""

from __future__ import annotations

import argparse

import numpy as np
from bench_synth import mfcc_stats
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from course_utils.config import get_profile
from course_utils.data import artist_folds, load_dataset, track_folds


def folds_accuracy(x: np.ndarray, y: np.ndarray, folds) -> float:
    """Accuracy over all rows, each predicted by the model of the fold that held it out."""
    predicted = np.empty_like(y)
    for train, test in folds:
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)).fit(x[train], y[train])
        predicted[test] = model.predict(x[test])
    return float(np.mean(predicted == y))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="quick", choices=("quick", "full"))
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    profile = get_profile(args.profile)
    dataset = load_dataset("synthetic", profile=profile)
    print(dataset.describe())
    print(dataset.artist_note)
    x, y, numbers = mfcc_stats(dataset.root)
    tracks = dataset.tracks.set_index("track_id")
    ids = [f"{genre}.{n:05d}" for genre, n in zip(np.array(dataset.labels)[y], numbers)]
    table = tracks.loc[ids].reset_index()[["track_id", "label", "artist"]]
    n_splits = profile.cv_folds
    scores = {"by track": [], "by artist": []}
    for seed in range(args.seeds):
        scores["by track"].append(folds_accuracy(x, y, track_folds(table, n_splits=n_splits, seed=seed)))
        folds = artist_folds(table, n_splits=n_splits, seed=seed)
        scores["by artist"].append(folds_accuracy(x, y, folds))
    for name, values in scores.items():
        print(f"{n_splits}-fold CV {name:>9}: accuracy {np.mean(values):.1%} "
              f"(seeds {min(values):.1%}-{max(values):.1%}; {len(table)} tracks, chance {1 / len(dataset.labels):.0%})")
    gap = np.mean(scores["by track"]) - np.mean(scores["by artist"])
    print(f"artist effect: {gap * 100:+.1f} points from hearing the test tracks' artists in training "
          f"({folds.describe()})")


if __name__ == "__main__":
    main()
