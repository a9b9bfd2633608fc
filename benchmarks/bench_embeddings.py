"""Throughput of the pretrained embedding models (course_utils.embeddings), in x real time.

For YAMNet (the handle in $YAMNET_HANDLE, else ../shared/models/yamnet/yamnet.tflite when present)
and each musicnn model: the time to load the model, then the time to embed 30 s of synthetic music
(best of a few runs, after one warm-up run), as seconds of audio per second of computing.

Run: ``python benchmarks/bench_embeddings.py``
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from course_utils.embeddings import WeightsError, frame_embeddings, load_musicnn, load_yamnet, musicnn
from course_utils.synth import render_track

SECONDS = 30.0
SR = 16000
REPEATS = 3
SHARED_TFLITE = Path(__file__).resolve().parents[2] / "shared" / "models" / "yamnet" / "yamnet.tflite"


def timed(func) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def main() -> None:
    if "YAMNET_HANDLE" not in os.environ and SHARED_TFLITE.is_file():
        os.environ["YAMNET_HANDLE"] = str(SHARED_TFLITE)
    y = render_track("rock", duration=SECONDS, sr=SR)
    print(f"input: {SECONDS:.0f} s of synthetic rock at {SR} Hz; {os.cpu_count()} CPU cores, "
          f"load average {os.getloadavg()[0]:.1f} (other work slows every figure below)")
    print(f"importing TensorFlow: {timed(lambda: __import__('tensorflow')):.1f} s")
    loaders = {"yamnet": load_yamnet, **{name: (lambda n=name: load_musicnn(n)) for name in musicnn.MODELS}}
    for model, load in loaders.items():
        try:
            load_seconds = timed(load)
        except WeightsError as err:
            print(f"{model:12s} skipped: {err}")
            continue
        frames = frame_embeddings(y, SR, model=model)
        best = min(timed(lambda: frame_embeddings(y, SR, model=model)) for _ in range(REPEATS))
        cpu = time.process_time()
        frame_embeddings(y, SR, model=model)
        cpu = time.process_time() - cpu
        print(f"{model:12s} load {load_seconds:4.1f} s | {best:5.2f} s per {SECONDS:.0f}-s clip = "
              f"{SECONDS / best:4.0f}x real time (CPU time {cpu:.2f} s) | "
              f"{len(frames.times)} frames of {frames.embeddings.shape[1:]}")


if __name__ == "__main__":
    main()
