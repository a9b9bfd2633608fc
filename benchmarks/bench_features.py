"""Speed of the handcrafted feature table (course_utils.features.feature_table).

Prints, for the 100 real 30-s clips of ../shared/data/gtzan-mini (or the folder given as the first
argument): the time to build the table with a cold cache on 2 worker processes, the time to read it
again from the warm cache, the x-real-time factor, the largest differences from the published
Kaggle table when it lies beside the data, and the CPU time per clip in one process (which depends
less on what else the machine is running; the load average is printed too).

Run: ``python benchmarks/bench_features.py [GTZAN folder]``
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

JOBS = 2
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")  # one thread per process, as in joblib's workers
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "gtzan-mini"


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DATA
    if not folder.is_dir():
        sys.exit(f"no data at {folder}; pass a GTZAN folder as the first argument")
    os.environ["COURSE_DATA_HOME"] = tempfile.mkdtemp(prefix="bench-features-")  # a cold cache
    from course_utils.audio import load_audio
    from course_utils.data import load_dataset
    from course_utils.features import (clip_features, compare_tables, feature_table, median_filter,
                                       published_table, stft)

    dataset = load_dataset(folder)
    audio_seconds = dataset.tracks["duration"].sum()
    print(f"data      : {len(dataset)} clips, {audio_seconds:.0f} s of audio, from {folder}")
    print(f"load avg  : {os.getloadavg()[0]:.2f} (1 min) on {os.cpu_count()} cores at the start")

    start = time.perf_counter()
    feature_table(dataset, n_jobs=JOBS)
    cold = time.perf_counter() - start
    start = time.perf_counter()
    table = feature_table(dataset, n_jobs=JOBS)
    warm = time.perf_counter() - start
    print(f"cold cache: {cold:6.1f} s on {JOBS} worker processes = {audio_seconds / cold:5.0f}x real time "
          f"({table.shape[0]} rows x {table.shape[1]} columns)")
    print(f"warm cache: {warm:6.2f} s")
    reference = published_table(dataset)
    if reference is not None:
        report = compare_tables(table, reference)
        print(f"vs {len(report)} columns of the published table on {report['tracks'].iloc[0]} tracks, worst first:")
        print(report.head(6).to_string(index=False, float_format="%.2e"))

    paths = dataset.tracks["path"].iloc[::20]
    clips = [load_audio(p) for p in paths]
    clip_features(clips[0])  # compile and warm up once
    start = time.process_time()
    for y in clips:
        clip_features(y)
    per_clip = (time.process_time() - start) / len(clips)
    print(f"CPU       : {per_clip:.2f} s per 30-s clip in one process -> about "
          f"{per_clip * len(dataset) / JOBS:.0f} s for {len(dataset)} clips on {JOBS} idle cores")
    magnitudes = [np.abs(stft(y)) for y in clips]
    start = time.process_time()
    for S in magnitudes:
        median_filter(S, size=31, axis=-1), median_filter(S, size=31, axis=-2)
    print(f"  of which: {(time.process_time() - start) / len(clips):.3f} s for HPSS's two median filters "
          f"({magnitudes[0].shape[0]} bins x {magnitudes[0].shape[1]} frames, width 31)")
    print(f"load avg  : {os.getloadavg()[0]:.2f} (1 min) at the end")


if __name__ == "__main__":
    main()
