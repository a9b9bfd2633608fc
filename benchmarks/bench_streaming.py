"""Peak memory of training from parts held in memory vs parts read from disk.

Modes: the parts in memory (``train.split_parts``), copied to disk (``train.parts_on_disk`` of
them), written to disk straight from the segments held in memory (``train.split_parts_on_disk``)
and the segments themselves on disk (written a block at a time into one ``.npy`` file, as
``cache.stack_files`` does for large stacks, read as a ``row_files.RowFile`` whose parts are views:
what chapters 8, 9 and 11 do with the whole GTZAN).

Chapter 8's and 11's inputs at the size of the whole GTZAN: 1000 tracks of 30 s give 10 000 log-mel
segments of 128 x 130 values (666 MB as float32). In a fresh process per mode, the segments are
made (as ``segment_spectrograms`` returns them), cut into the parts of a track split (80/10/10 %,
``train.split_parts``), and a small model is fitted for one epoch with ``train.fit``; the process's
peak resident memory (``ru_maxrss``) is printed for each mode. The model is deliberately tiny, so the
difference is the inputs' copies, not the network.

Run: ``python benchmarks/bench_streaming.py [--segments 10000]``
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

CHILD = """
import resource, sys, tempfile
import numpy as np, pandas as pd, keras
from course_utils import train
from course_utils.data import TrackSplit
from course_utils.row_files import write_rows

n, mode = int(sys.argv[1]), sys.argv[2]
rng = np.random.default_rng(0)
blocks = (rng.standard_normal((min(500, n - start), 128, 130), dtype=np.float32)  # float32, as cached
          for start in range(0, n, 500))
if mode == "segments on disk":
    X = write_rows(blocks, tempfile.mkdtemp() + "/segments.npy", shape=(n, 128, 130), dtype=np.float32)
else:
    X = np.empty((n, 128, 130), np.float32)
    for start, block in zip(range(0, n, 500), blocks):
        X[start:start + len(block)] = block
tracks = [f"t{k // 10:05d}" for k in range(n)]
labels = [str(k // 10 % 10) for k in range(n)]
table = pd.DataFrame({"track_id": tracks, "label": labels})
ids = sorted(set(tracks))
cut = [int(0.8 * len(ids)), int(0.9 * len(ids))]
part = pd.Series(["train"] * cut[0] + ["valid"] * (cut[1] - cut[0]) + ["test"] * (len(ids) - cut[1]), index=ids)
split = TrackSplit(method="stratified", part=part, report="80/10/10 % of the tracks in order")
classes = sorted(set(labels))
if mode in ("memory", "segments on disk"):  # on disk: the parts are views of the file
    parts = train.split_parts(X, table, split, classes=classes)
elif mode == "copied to disk":
    parts = train.parts_on_disk(train.split_parts(X, table, split, classes=classes), folder=tempfile.mkdtemp())
else:
    parts = train.split_parts_on_disk(X, table, split, classes=classes, folder=tempfile.mkdtemp())
inputs = keras.Input((128, 130))
outputs = keras.layers.Dense(10, activation="softmax")(keras.layers.GlobalAveragePooling1D()(inputs))
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
train.fit(model, parts["train"], parts["valid"], epochs=1, batch_size=32, verbose=False)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=10000, help="segments of 128 x 130 (10 per track)")
    args = parser.parse_args()
    print(f"{args.segments} segments of 128 x 130 float32 ({args.segments * 128 * 130 * 4 / 2**20:.0f} MB), "
          "one epoch of a tiny model:")
    labels = {"memory": "parts in memory", "copied to disk": "parts copied to disk",
              "written to disk": "parts written to disk", "segments on disk": "segments on disk"}
    for mode, label in labels.items():
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", CHILD, str(args.segments), mode], capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(done.stderr[-2000:])
        peak = float(done.stdout.split()[-1])
        print(f"  {label:<21}: peak {peak:6.0f} MB, {time.perf_counter() - start:5.0f} s", flush=True)


if __name__ == "__main__":
    main()
