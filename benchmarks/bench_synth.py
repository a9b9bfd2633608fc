"""Speed and difficulty of the synthetic GTZAN (course_utils.synth).

Prints the time to generate 100 clips of 30 s (10 per genre) and the x-real-time factor,
then the 5-fold stratified cross-validated accuracy of a logistic regression on per-track
means and standard deviations of 20 MFCCs, for 30 and 10 clips per genre (clip k does not
depend on the set size, so the 10-per-genre set is the first 10 clips of the 30).

Run: ``python benchmarks/bench_synth.py``
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import librosa
import numpy as np
import soundfile as sf
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from course_utils.synth import GENRES, make_synthetic_gtzan

DURATION = 30.0
SR = 22050


def mfcc_stats(folder: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-track means and standard deviations of 20 MFCCs, genre labels and clip numbers."""
    features, labels, numbers = [], [], []
    for label, genre in enumerate(GENRES):
        for path in sorted((folder / genre).glob("*.wav")):
            y, sr = sf.read(path, dtype="float32")
            mfcc = librosa.feature.mfcc(y=y, sr=sr, n_mfcc=20)
            features.append(np.concatenate([mfcc.mean(axis=1), mfcc.std(axis=1)]))
            labels.append(label)
            numbers.append(int(path.stem.split(".")[1]))
    return np.array(features), np.array(labels), np.array(numbers)


def cv_accuracy(x: np.ndarray, y: np.ndarray, *, seed: int = 0) -> tuple[float, float]:
    """Mean and standard deviation of the 5-fold stratified cross-validated accuracy."""
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
    scores = cross_val_score(model, x, y, cv=StratifiedKFold(5, shuffle=True, random_state=seed))
    return float(scores.mean()), float(scores.std())


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        start, start_cpu = time.perf_counter(), time.process_time()
        make_synthetic_gtzan(Path(tmp) / "speed", n_per_genre=10, duration=DURATION, sr=SR)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
        n_clips = 10 * len(GENRES)
        print(f"generation: {n_clips} clips x {DURATION:.0f} s in {elapsed:.1f} s wall, {cpu:.1f} s CPU "
              f"({elapsed / n_clips:.2f} s per clip, {n_clips * DURATION / elapsed:.0f}x real time)")
        folder = make_synthetic_gtzan(Path(tmp) / "n30", n_per_genre=30, duration=DURATION, sr=SR)
        x, y, numbers = mfcc_stats(folder)
        for n_per_genre in (30, 10):
            keep = numbers < n_per_genre
            mean, std = cv_accuracy(x[keep], y[keep])
            print(f"MFCC mean+std logistic regression, n_per_genre={n_per_genre}: "
                  f"accuracy {mean:.1%} +/- {std:.1%} (5-fold stratified CV, chance 10%)")


if __name__ == "__main__":
    main()
