"""Transfer learning and multimodal models (chapters 10 and 11): speed of each ImageNet backbone, and
track accuracy on real GTZAN audio by new artists.

Protocol (``unseen_artists.py``): trained on the 100 clips of ../shared/data/gtzan-mini (one track
per genre of them held out for early stopping), scored on the files of ../shared/data/gtzan-artists by
artists gtzan-mini lacks: its 30-s clips and its 2-3 s excerpts apart, each with a 95 % interval. No
artist is on both sides. Full profile: 224-pixel pictures, up to 30 epochs (``--epochs``), early stopping.

- ``backbones``: for every backbone whose ImageNet weights this run has, milliseconds per picture
  of the frozen features and of the frozen part, and seconds per epoch of the head and of
  fine-tuning the top blocks (nothing read from a cache);
- ``mobilenet``: accuracy of the MobileNet head on log-mel pictures of the tracks, frozen and with
  its top blocks fine-tuned;
- ``combined``: accuracy of the combined model (MFCC frames, embedding frames, handcrafted
  features) and of its ablation, one branch dropped at a time; on the clips only (its windows of
  15 s do not fit an excerpt);
- ``fusion``: accuracy of the spectrogram and scalogram CNNs alone and of their two late fusions.

Weights: ``$KERAS_HOME``, else a temporary copy of ../shared/models/keras; YAMNet from
``$YAMNET_HANDLE``, else ../shared/models/yamnet/yamnet.tflite, else musicnn.
Run: ``python benchmarks/bench_transfer.py [--epochs N] [backbones|mobilenet|combined|fusion ...]``; a run
of the three accuracy sections rewrites the README's row of this script (``--no-readme`` leaves it).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

import unseen_artists
from bench_training import LABELS, SEED
from course_utils import embeddings, features, models, train
from course_utils.config import get_profile
from course_utils.data import load_dataset
from course_utils.models import fusion, transfer

SHARED_MODELS = Path(__file__).resolve().parents[2] / "shared" / "models"
SECTIONS = ("backbones", "mobilenet", "combined", "fusion")


def use_shared_weights() -> None:
    """Point $KERAS_HOME at a writable copy of ../shared/models/keras, and $YAMNET_HANDLE at the shared
    TFLite YAMNet, unless they are set."""
    if "KERAS_HOME" not in os.environ and (SHARED_MODELS / "keras").is_dir():
        home = Path(tempfile.mkdtemp(prefix="keras-home-"))
        shutil.copytree(SHARED_MODELS / "keras", home, dirs_exist_ok=True)
        os.environ["KERAS_HOME"] = str(home)
    if "YAMNET_HANDLE" not in os.environ and (SHARED_MODELS / "yamnet" / "yamnet.tflite").is_file():
        os.environ["YAMNET_HANDLE"] = str(SHARED_MODELS / "yamnet" / "yamnet.tflite")


class Run:
    """What every section shares: the protocol's tracks and split, epochs and batch size."""

    def __init__(self, tracks: pd.DataFrame, epochs: int, batch_size: int):
        self.tracks, self.epochs, self.batch_size = tracks, epochs, batch_size
        self.split = unseen_artists.unseen_split(tracks)

    def dataset(self, *, clips_only: bool = False):
        """The protocol's tracks as a data set (``clips_only``: without the excerpts)."""
        tracks = self.tracks[self.tracks["part"] != "excerpts"] if clips_only else self.tracks
        return replace(load_dataset(unseen_artists.MINI), name="gtzan-mini and unseen artists of gtzan-artists",
                       tracks=tracks.reset_index(drop=True))

    def parts(self, X, table):
        return train.split_parts(X, table, self.split, classes=LABELS)

    def fit(self, model, parts):
        return train.fit(model, parts["train"], parts["valid"], epochs=self.epochs, batch_size=self.batch_size,
                         seed=SEED, verbose=False)

    def score(self, model, part) -> dict:
        predictions = train.predict_tracks(model, part.X, part.table, classes=LABELS)
        return unseen_artists.tallies(predictions.tracks, self.tracks)


def summary(name: str, row: dict) -> str:
    return f"{name:34s} unseen clips {row['clips']}, unseen excerpts {row['excerpts']}"


def backbone_speeds(images, image_tracks, run: Run, available) -> None:
    size = images.shape[1]
    print(f"backbones on {len(images)} log-mel pictures of {size} px:")
    for name in transfer.BACKBONES:
        if name not in available:
            print(f"  {name:15s} skipped: {available.missing[name][:120]}...")
            continue
        pooled = transfer.backbone_features(images, backbone=name, cache=False)
        head = transfer.head(pooled.X.shape[1], len(LABELS), seed=SEED)
        head_fit = run.fit(head, run.parts(pooled.X, image_tracks))
        frozen_part = transfer.backbone_features(images, backbone=name, output="frozen_part", cache=False)
        tuned = transfer.fine_tune_model(head, backbone=name, size=size)
        tune_fit = run.fit(tuned, run.parts(frozen_part.X, image_tracks))
        trainable, total = transfer.trainable_share(tuned)
        print(f"  {name:15s} frozen: {1000 * pooled.seconds_per_image:6.1f} ms/picture, head "
              f"{head_fit.seconds_per_epoch:5.2f} s/epoch | fine-tuned: frozen part "
              f"{1000 * frozen_part.seconds_per_image:6.1f} ms/picture, {tune_fit.seconds_per_epoch:5.2f} s/epoch "
              f"({trainable:,} of {total:,} weights train)", flush=True)


def mobilenet_accuracy(images, image_tracks, run: Run) -> dict:
    pooled = transfer.backbone_features(images, backbone="MobileNet")
    parts = run.parts(pooled.X, image_tracks)
    head = transfer.head(pooled.X.shape[1], len(LABELS), seed=SEED)
    run.fit(head, parts)
    results = {"MobileNet (alpha 0.25) frozen + head": run.score(head, parts["test"])}
    frozen_part = transfer.backbone_features(images, backbone="MobileNet", output="frozen_part")
    model = transfer.fine_tune_model(head, backbone="MobileNet", size=images.shape[1])
    fine_parts = run.parts(frozen_part.X, image_tracks)
    run.fit(model, fine_parts)
    results["MobileNet top blocks fine-tuned"] = run.score(model, fine_parts["test"])
    for name, row in results.items():
        print(summary(name, row), flush=True)
    return results


def combined_accuracy(run: Run) -> dict:
    windowed = train.combined_inputs(run.dataset(clips_only=True), embedding_model=embeddings.available_models().preferred)
    X, examples, model_name = windowed.X, windowed.windows, windowed.embedding_model
    branches = {"mfcc": models.cnn1d(X["mfcc"].shape[1:], len(LABELS), time_axis=1),
                "embedding": models.lstm(X["embedding"].shape[1:], len(LABELS)),
                "handcrafted": models.mlp(X["handcrafted"].shape[1:], len(LABELS))}
    print(f"combined model: {len(examples)} windows of {windowed.seconds:.0f} s, {model_name} embeddings, clips only")
    results = {"embedding model": model_name}
    for setting, names in fusion.ablations(list(branches)).items():
        parts = run.parts({n: X[n] for n in names}, examples)
        model = fusion.combined({n: branches[n] for n in names}, len(LABELS), seed=SEED)
        seconds = run.fit(model, parts).seconds_per_epoch
        results[setting] = run.score(model, parts["test"])
        print(summary(f"combined, {setting}", results[setting]) + f"; {seconds:.2f} s/epoch", flush=True)
    return results


def fusion_accuracy(run: Run) -> dict:
    views, segments = train.stream_inputs(run.dataset())
    results, streams = {}, {}
    for key, name in (("spectrogram", "spectrogram CNN"), ("scalogram", "scalogram CNN")):
        parts = run.parts(views[key], segments)
        streams[key] = models.cnn2d(views[key].shape[1:], len(LABELS), name=f"{key}_cnn", seed=SEED)
        run.fit(streams[key], parts)
        results[name] = run.score(streams[key], parts["test"])
    both = run.parts(views, segments)
    results["their average"] = run.score(fusion.average_fusion(streams), both["test"])
    joined = fusion.concat_fusion(streams, len(LABELS), seed=SEED)
    run.fit(joined, both)
    results["joined embeddings + head"] = run.score(joined, both["test"])
    for name, row in results.items():
        print(summary(name, row), flush=True)
    return results


def readme_cells(run: Run, results: dict) -> list[str]:
    """The README row: what, measured on, figures."""
    pair = unseen_artists.pair
    combined = dict(results["combined"])
    embedding = combined.pop("embedding model")
    full, *ablated = combined
    return [f"ImageNet transfer and multimodal models on real audio by new artists ({unseen_artists.PROTOCOL}): "
            f"track accuracy on the unseen clips / unseen excerpts, up to {run.epochs} epochs",
            unseen_artists.measured_on(run.tracks),
            "; ".join(f"{name} {pair(row)}" for section in ("mobilenet", "fusion") for name, row in results[section].items())
            + f"; combined model (MFCC, {embedding} embedding and handcrafted branches), clips only (its 15-s "
            + "windows do not fit an excerpt): all branches "
            + f"{combined[full]['clips'].brief()} ("
            + ", ".join(f"{setting} {combined[setting]['clips'].brief()}" for setting in ablated) + ")"]


def main(argv: list[str] | None = None) -> None:
    args = unseen_artists.arguments(argv, doc=__doc__, choices=list(SECTIONS), what="sections")
    if not unseen_artists.available():
        print("skipped: ../shared/data/gtzan-mini or gtzan-artists is not here")
        return
    sections = args.chosen or list(SECTIONS)
    use_shared_weights()
    profile = get_profile("full")
    run = Run(unseen_artists.protocol_tracks(), args.epochs or profile.epochs, profile.batch_size)
    print(f"{unseen_artists.describe(run.tracks)}\nup to {run.epochs} epochs, batch {run.batch_size}, pictures of "
          f"{profile.image_size} px; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} "
          "(other work slows every figure)")
    available = transfer.available_backbones()
    results = {}
    if {"backbones", "mobilenet"} & set(sections):
        X_mel, mel_segments = features.segment_spectrograms(run.tracks, kind="log_mel", segment_seconds=3.0)
        images, image_tracks = transfer.track_images(X_mel, mel_segments, size=profile.image_size)
    if "backbones" in sections:
        backbone_speeds(images, image_tracks, run, available)
    if "mobilenet" in sections:
        if "MobileNet" in available:
            results["mobilenet"] = mobilenet_accuracy(images, image_tracks, run)
        else:
            print(f"MobileNet skipped: {available.missing['MobileNet']}")
    if "combined" in sections:
        results["combined"] = combined_accuracy(run)
    if "fusion" in sections:
        results["fusion"] = fusion_accuracy(run)
    if {"mobilenet", "combined", "fusion"} <= set(results) and not args.no_readme:
        unseen_artists.replace_row("bench_transfer.py", readme_cells(run, results))


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"total {time.perf_counter() - start:.0f} s")
