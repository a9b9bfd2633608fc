"""The genre-classify command line on the real sample (../shared/data/gtzan-mini, 100 GTZAN clips).

Prints:
1. the time of ``genre-classify train`` with the default model, cold (empty data home) and with the
   embeddings cached;
2. the time of ``genre-classify predict`` on one 30-s file, start-up included (wall and CPU time of
   the whole process, several runs), against the 5-s target;
3. predicting a library (``predict --output``): files per second with 1 worker and with every core,
   on a folder of short synthetic files (``--library-files N``, default 2000, of
   ``--library-seconds S``, default 5).

How accurate each model is on artists it has not heard is measured by
``benchmarks/bench_generalization.py`` (which also writes the README's table of models).

Run: ``python benchmarks/bench_cli.py [--library-files N] [--library-seconds S] [--library-only]``
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"
SAMPLE = SHARED / "data" / "gtzan-mini"
STURM_INDEX = SHARED / "data" / "meta" / "GTZANindex.txt"
SCRIPT = Path(sys.executable).with_name("genre-classify")
PREDICT_RUNS = 5
# What predicting cannot avoid importing: audio decoding and log-mel, the estimator, pandas, LiteRT
# (then leaving as genre-classify does: the collector frozen, so that the last collection skips them).
LIBRARIES = ("import gc, librosa.core.audio, sklearn.linear_model, sklearn.pipeline, pandas, "
             "ai_edge_litert.interpreter; gc.freeze()")
TARGET_PREDICT_SECONDS = 5.0


def timed_run(argv: list[str], env: dict) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, children included) of one command, which must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    if not SAMPLE.is_dir():
        print(f"skipped: {SAMPLE} is not available")
        return
    if not SCRIPT.is_file():
        raise SystemExit(f"{SCRIPT} is missing; run `make install`")
    # Training chooses its regularization by CV grouped by artist: Sturm's index names them offline.
    os.environ.setdefault("GTZAN_INDEX", str(STURM_INDEX))
    home = tempfile.mkdtemp(prefix="bench_cli_home_")
    try:
        measure(home)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def measure(home: str) -> None:
    """Every figure, with ``home`` as the (initially empty) data home."""
    os.environ.update(COURSE_DATA_HOME=home, COURSE_OFFLINE="1")
    env = dict(os.environ)
    print(f"{os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.1f} (other work slows the wall times); "
          f"data: {SAMPLE}; fresh data home {home}")

    from course_utils.classifier import DEFAULT_RECIPE

    model = Path(home) / "default.gcm"
    train = [str(SCRIPT), "train", str(SAMPLE), "-o", str(model)]
    cold, cold_cpu = timed_run(train, env)
    warm, warm_cpu = timed_run(train, env)
    print(f"train {DEFAULT_RECIPE} on 100 clips: cold {cold:.0f} s (CPU {cold_cpu:.0f} s), "
          f"embeddings cached {warm:.1f} s (CPU {warm_cpu:.1f} s)")

    clip = next(iter(sorted((SAMPLE / "genres" / "rock").glob("*.wav"))))
    runs = [timed_run([str(SCRIPT), "predict", "-m", str(model), str(clip), "-q"], env) for _ in range(PREDICT_RUNS)]
    walls, cpus = [r[0] for r in runs], [r[1] for r in runs]
    verdict = "meets" if statistics.median(walls) < TARGET_PREDICT_SECONDS else "MISSES"
    imports = statistics.median(timed_run([sys.executable, "-c", LIBRARIES], env)[1] for _ in range(3))
    print(f"predict one 30-s file ({clip.name}), start-up included, {PREDICT_RUNS} runs: median {statistics.median(walls):.2f} s, "
          f"best {min(walls):.2f} s, worst {max(walls):.2f} s wall ({verdict} the {TARGET_PREDICT_SECONDS:g}-s target); "
          f"CPU {statistics.median(cpus):.2f} s, of which {imports:.2f} s import librosa, SciPy, scikit-learn, "
          "pandas and LiteRT (the wall time on idle cores is about the CPU time)")


def measure_library(home: str, *, n_files: int, seconds: float) -> None:
    """Files per second of ``predict --output`` with 1 worker and with every core, start-up included."""
    from course_utils.classifier import train_classifier
    from course_utils.data import load_dataset
    from course_utils.synth import make_synthetic_gtzan

    os.environ.update(COURSE_DATA_HOME=home, COURSE_OFFLINE="1")
    env = dict(os.environ)
    library = make_synthetic_gtzan(Path(home) / "library", n_per_genre=-(-n_files // 10), duration=seconds, seed=3)
    model = Path(home) / "library.gcm"
    train_classifier(load_dataset(make_synthetic_gtzan(Path(home) / "small", n_per_genre=2, duration=seconds))
                     ).save(model)
    n = len(list(library.rglob("*.wav")))
    cores = os.cpu_count() or 1
    print(f"\npredict a library of {n} synthetic files of {seconds:g} s ({cores} cores, load average "
          f"{os.getloadavg()[0]:.1f}), CSV written row by row:")
    for jobs in sorted({1, cores}):
        out = Path(home) / f"library-{jobs}.csv"
        wall, cpu = timed_run([str(SCRIPT), "predict", "-m", str(model), str(library), "-q", "--output", str(out),
                               "--jobs", str(jobs)], env)
        print(f"  {jobs} worker{'s' if jobs > 1 else ' '}: {n / wall:6.1f} files/s ({wall:.0f} s wall, CPU {cpu:.0f} s)")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="genre-classify's figures (see the module docstring)")
    parser.add_argument("--library-files", type=int, default=2000, help="files of the library to predict")
    parser.add_argument("--library-seconds", type=float, default=5.0, help="length of each of them")
    parser.add_argument("--library-only", action="store_true", help="measure only the library's files per second")
    options = parser.parse_args()
    if not options.library_only:
        main()
    scratch = tempfile.mkdtemp(prefix="bench_cli_library_")
    try:
        measure_library(scratch, n_files=options.library_files, seconds=options.library_seconds)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
